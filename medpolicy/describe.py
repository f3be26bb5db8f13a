"""A compiled policy as JSON data: what ``medpolicy show`` prints and ``GET /v1/policies/{id}`` returns.

The checked model keeps every declaration with its span and citation; this
module lists, as far as the model has them, the parameters and named
values (with their value when it is fixed at load time, and the policy text
that defines them), the benefits with their ratio, deductible and caps, the
payers after the basic fund with their bands, when cover starts and ends, the
premium items with their cases, the settlement paths, and the cited sources.
A clause whose value is one bare name of a param, let or shared cap carries that
declaration (``…_ref``: its label, text and whether the document states it); an
adjustment carries the benefits it moves (``applies_to``); the counters carry the
benefits counting toward them.
The service builds it once per loaded policy, never per request;
``medpolicy diff`` (:mod:`medpolicy.policy_diff`) compares two of them.
"""
from __future__ import annotations

import re
from typing import Any, Optional

from . import ast
from .compiled_expr import ExpressionCompiler
from .program import CompiledPolicy
from .render_json import _typed  # the statement's own typed-value shape, so both read alike
from .rules.context import source_text
from .values import typed

_KINDS = ("param", "let", "list", "cap", "history")


def describe(policy: CompiledPolicy) -> dict[str, Any]:
    model = policy.model
    # A rule is shown as written, without the comments written inside it.
    texts = {path: _without_comments(text) for path, text in model.texts.items()}

    def code(e: Optional[ast.Expr]) -> Optional[str]:
        return source_text(texts, e.span) if e is not None else None

    def ref(e: Optional[ast.Expr]) -> Optional[dict]:
        return _reference(model, e, code)

    def cite(c: Optional[ast.Cite]) -> Optional[dict]:
        if c is None:
            return None
        source = model.sources.get((c.span.file, c.source))
        return {"source": c.source, "title": source.title if source else c.source, "section": c.section,
                "quote": c.quote}

    return {
        "levels": dict(model.levels),
        "conditions": dict(model.conditions),
        "categories": dict(model.categories),
        "collection": [_iso(model.collection_start), _iso(model.collection_end)],
        "rounding": {"mode": model.rounding_mode, "unit": format(model.rounding_unit, "f"),
                     "cite": cite(model.rounding_cite)},
        "sources": [{"id": sid, "title": s.title, "file": s.file, "declared_in": path}
                    for (path, sid), s in model.sources.items()],
        "parameters": _parameters(model, code, cite),
        "deductible_pools": [{"id": pool.id, "label": pool.label, "amount": code(pool.amount), "mode": pool.mode,
                              "cite": cite(pool.cite), "at": pool.span.short}
                             for pool in model.deductible_pools.values()],
        "measures": [{"id": m.id, "label": m.label, "cite": cite(m.cite), "at": m.span.short}
                     for m in model.measures.values()],
        "counters": [{"id": c.id, "label": c.label, "at": c.span.short,
                      "benefits": [b.id for b in model.benefits if any(n.name == c.id for n in b.counts)]}
                     for c in model.counters.values()],
        "benefits": [_benefit(b, code, cite, model, ref) for b in model.benefits],
        "adjustments": [{"id": a.id, "label": a.label, "benefits": [n.name for n in a.benefits] if a.benefits is not None else None,
                         "when": code(a.when), "ratio": code(a.ratio), "cite": cite(a.cite),
                         "at": a.span.short, "applies_to": _adjusted(model, a)} for a in model.adjustments],
        "payers": [_payer(p, code, cite, ref) for p in model.payer_declarations],
        "coverage": None if model.coverage is None else {
            "starts": code(model.coverage.starts), "reason": model.coverage.reason,
            "cite": cite(model.coverage.cite)},
        "coverage_end": None if model.coverage_end is None else {
            "ends": code(model.coverage_end.ends), "reason": model.coverage_end.reason,
            "cite": cite(model.coverage_end.cite)},
        "premium": [{"title": item.title, "when": code(item.when), "at": item.span.short,
                     "cases": [{"when": code(c.when), "value": code(c.value), "cite": cite(c.cite)}
                               for c in item.cases]}
                    for item in (model.premium.items if model.premium is not None else ())],
        "settlements": [{
            "id": s.id, "title": s.title, "at": s.span.short, "when": code(s.when), "when_cite": cite(s.when_cite),
            "materials": [{"text": m.text, "when": code(m.when), "cite": cite(m.cite)} for m in s.materials],
            "submit": s.submit, "submit_cite": cite(s.submit_cite),
            "deadline": code(s.deadline), "deadline_cite": cite(s.deadline_cite),
            "takes": s.takes, "takes_cite": cite(s.takes_cite),
        } for s in model.settlements],
    }


# A string, kept as it is (a `#` in it is no comment), or a comment, the grammar's COMMENT.
_STRING_OR_COMMENT = re.compile(r'"(?:[^"\\\n]|\\.)*"|#[^\n]*')


def _without_comments(text: str) -> str:
    """``text`` with each comment blanked out, every column kept (so that spans still fit)."""
    return _STRING_OR_COMMENT.sub(lambda m: m.group() if m.group().startswith('"') else " " * len(m.group()), text)


def _iso(day) -> Optional[str]:
    return day.isoformat() if day is not None else None


def _parameters(model, code, cite) -> list[dict]:
    compiler = ExpressionCompiler(model)
    compiler.prepare()  # every definition, once: their constant values are then known
    rows = []
    for file, scope in model.scopes.items():
        for name, binding in scope.items():
            if binding.kind not in _KINDS or binding.file != file or binding.node is None:
                continue  # imported names are listed in the module that declares them
            node = binding.node
            expr = {"param": getattr(node, "value", None), "let": getattr(node, "value", None),
                    "list": getattr(node, "items", None), "cap": getattr(node, "amount", None),
                    "history": None}[binding.kind]
            compiled = compiler.definitions.get((file, name))
            if compiled is None and expr is not None:
                compiled = compiler.compile(expr, file)  # a cap's amount is not a definition
            value = None
            if compiled is not None and compiled.constant and compiled.value is not None:
                value = _typed(typed(compiled.type, compiled.value))
            label = getattr(node, "label", None) or getattr(node, "title", None) or ""
            rows.append({
                "name": name, "kind": binding.kind, "label": label, "file": file,
                "at": node.span.short,
                "text": _history_text(node, code) if binding.kind == "history" else
                        code(expr) if expr is not None else None,
                "stated": not (binding.kind == "param" and node.value is None),
                "type": getattr(node, "declared_type", None),
                "value": value, "cite": cite(getattr(node, "cite", None)),
            })
    return rows


def _history_text(node: ast.History, code) -> str:
    """A history's query as written: ``count where …``, ``sum EXPR where …``, ``last EXPR``."""
    parts = [node.measure, code(node.value), "where " + code(node.where) if node.where is not None else None]
    return " ".join(p for p in parts if p)


def _reference(model, e: Optional[ast.Expr], code) -> Optional[dict]:
    """A clause's value written as one bare name of a param, let or shared cap: that declaration's
    label and value, for a reader who would otherwise see only its id (None for anything else)."""
    if not isinstance(e, ast.Name):
        return None
    binding = model.scopes.get(e.span.file, {}).get(e.name)
    if binding is None or binding.kind not in ("param", "let", "cap") or binding.node is None:
        return None
    node = binding.node
    value = node.amount if binding.kind == "cap" else node.value
    inner = _reference(model, value, code)  # a shared cap of an unstated param states no amount either
    return {"name": e.name, "kind": binding.kind, "label": getattr(node, "label", None) or "",
            "text": code(value) if value is not None else None,
            "stated": value is not None and (inner is None or inner["stated"])}


def _adjusted(model, adjustment: ast.Adjustment) -> list[dict]:
    """The benefits an adjustment moves the ratio of: those it names, or (``applies to all``) every
    benefit paid by a ratio; a fixed payment or a benefit that pays nothing has none to move."""
    if adjustment.benefits is not None:
        by_id = {b.id: b for b in model.benefits}
        return [{"id": n.name, "title": by_id[n.name].title if n.name in by_id else n.name}
                for n in adjustment.benefits]
    return [{"id": b.id, "title": b.title} for b in model.benefits
            if b.excluded is None and b.pays is None and b.ratio is not None]


def _benefit(b: ast.Benefit, code, cite, model, ref) -> dict:
    deductible = b.deductible
    # A shared pool is shown by its label and amount: its id alone tells a reader nothing.
    pool = model.deductible_pools.get(deductible.amount.name) \
        if deductible is not None and deductible.mode == "pool" else None
    banded = b.ratio_bands
    return {
        "id": b.id, "title": b.title, "priority": b.priority, "at": b.span.short,
        "when": code(b.when), "when_cite": cite(b.when_cite),
        "grouping": b.grouping, "grouping_cite": cite(b.grouping_cite),
        "includes": None if b.includes is None else {
            "care": b.includes.care.name, "days": b.includes.days, "cite": cite(b.includes.cite)},
        "counts": [n.name for n in b.counts],
        "deductible": None if deductible is None else {
            "mode": deductible.mode, "amount": None if deductible.mode == "none" else code(deductible.amount),
            "cite": cite(deductible.cite), "amount_ref": None if deductible.mode == "none" else ref(deductible.amount),
            "pool": None if pool is None else {"id": pool.id, "label": pool.label, "amount": code(pool.amount),
                                               "mode": pool.mode}},
        "ratio": code(b.ratio), "ratio_cite": cite(b.ratio_cite), "ratio_ref": ref(b.ratio),
        "ratio_bands": None if banded is None else {
            "measure": banded.measure.name,
            "label": getattr(model.measures.get(banded.measure.name), "label", banded.measure.name),
            "bands": _bands(banded.bands, code, cite)},
        "pays": None if b.pays is None else {
            "amount": code(b.pays.amount), "above_covered": b.pays.above_covered, "cite": cite(b.pays.cite)},
        "adjustments": [{"label": a.label, "points": code(a.points), "when": code(a.when), "cite": cite(a.cite)}
                        for a in b.adjustments],
        "visit_cap": code(b.visit_cap), "visit_cap_cite": cite(b.visit_cap_cite), "visit_cap_ref": ref(b.visit_cap),
        "annual_caps": [{"amount": code(c.amount), "per": code(c.per), "when": code(c.when), "cite": cite(c.cite),
                         "ref": ref(c.amount)}
                        for c in b.annual_caps],
        "excluded": b.excluded, "excluded_cite": cite(b.excluded_cite),
    }


def _payer(p: ast.CriticalIllness, code, cite, ref) -> dict:
    return {
        "id": p.id, "title": p.title, "at": p.span.short, "covers": code(p.covers), "covers_cite": cite(p.covers_cite),
        "tables": [{
            "title": t.title, "when": code(t.when), "measure": t.measure,
            "deductible": code(t.deductible), "deductible_cite": cite(t.deductible_cite),
            "deductible_ref": ref(t.deductible),
            "cap": code(t.cap), "cap_cite": cite(t.cap_cite), "cap_ref": ref(t.cap),
            "bands": _bands(t.bands, code, cite),
        } for t in p.tables],
    }


def _bands(bands, code, cite) -> list[dict]:
    """A payer table's or a banded ratio's bands, each as written (``high`` None: ``band above``)."""
    return [{"low": code(band.low), "high": code(band.high), "rate": code(band.rate), "cite": cite(band.cite)}
            for band in bands]


__all__ = ["describe"]
