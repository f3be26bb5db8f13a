"""Which rules of a policy its tests exercise.

A *rule site* is a place in a policy that can produce a figure: a benefit
(chosen for a claim), its deductible, ratio (each band of a banded ratio too),
fixed payment (``pays``), adjustments, caps and exclusion, a shared cap, a
shared deductible, a shared cap a benefit names under ``when``, a policy-wide adjustment, each payer table (whose
deductible every use of the table applies), its bands and cap, each premium case, the coverage start and end,
the ``includes`` clause and each settlement path -- and each row of a
``by … { }`` table written inside a deductible, ratio or cap clause.

Every explanation step names the ``.mpol`` line of the rule that made it, so
a site is exercised when some step of some case's statement comes from its
line (a row: when a step from its clause's line used that row).  A cap's step
counts only when the cap limited the payment: within it, any larger cap would
give the same figures, so the case says nothing of the cap's amount.  A shared
deductible's steps come from the clause of the benefit naming it, so its
declaration is exercised by a step of its rule (``deductible.ID``); a shared
cap named under ``when`` by a step of the cap's rule in a claim of that benefit
(the clause's condition held).  A benefit's own cap under ``when`` makes a step
only when its condition holds, so its clause is exercised just then.  Sites are
read from the checked model; imported modules' declarations are the
modules' own to test.
"""
from __future__ import annotations

from typing import Iterable, Iterator, Optional

import attrs

from .. import ast
from ..explain import Event, Statement
from ..model import Policy
from ..span import Span


@attrs.frozen
class Site:
    """One rule of a policy that a test can exercise."""

    kind: str
    """``benefit``, ``deductible``, ``ratio``, ``adjust``, ``visit_cap``, ``annual_cap``, ``excluded``,
    ``includes``, ``cap``, ``adjustment``, ``table`` (with its deductible), ``band``, ``payer_cap``,
    ``premium``, ``coverage``, ``coverage_end``, ``settlement``, ``pool`` (a shared deductible),
    ``pays``, ``ratio_band`` (a band of a banded ratio) or ``cap_when`` (a shared cap named under ``when``)."""
    owner: str
    """The benefit, cap, payer table, premium item or settlement path it belongs to (its title)."""
    span: Span
    row: Optional[str] = None
    """For a row of a ``by … { }`` table in the clause: the key it is written under (``1``, ``other``)."""
    rule: Optional[str] = None
    """For a site whose steps come from elsewhere: the rule those steps name (``deductible.clinic``)."""
    benefit: Optional[str] = None
    """With ``rule``: only a step in a claim this benefit took counts."""


def sites(model: Policy) -> list[Site]:
    """Every rule site of a policy's own file, in the order they are written."""
    found: list[Site] = []
    for benefit in model.benefits:
        found += _benefit_sites(benefit, model.caps)
    for cap in model.caps.values():
        found.append(Site("cap", cap.label, cap.span))
    for pool in model.deductible_pools.values():
        found.append(Site("pool", pool.label, pool.span, rule=f"deductible.{pool.id}"))
    for adjustment in model.adjustments:
        found.append(Site("adjustment", adjustment.label, adjustment.span))
    for payer in model.payer_declarations:
        for table in payer.tables:
            owner = f"{payer.title} · {table.title}"
            found.append(Site("table", owner, table.span))
            found += [Site("band", owner, band.span) for band in table.bands]
            if table.cap is not None:
                found.append(Site("payer_cap", owner, table.cap.span))
    if model.premium is not None:
        for item in model.premium.items:
            found += [Site("premium", item.title, case.span) for case in item.cases]
    if model.coverage is not None:
        found.append(Site("coverage", model.coverage.reason, model.coverage.span))
    if model.coverage_end is not None:
        found.append(Site("coverage_end", model.coverage_end.reason, model.coverage_end.span))
    found += [Site("settlement", s.title, s.span) for s in model.settlements]
    own = model.path
    return sorted((s for s in found if s.span.file == own), key=lambda s: (s.span.line, s.span.column))


def _benefit_sites(b: ast.Benefit, shared: dict) -> Iterator[Site]:
    if b.when is not None:
        yield Site("benefit", b.title, b.when.span)
    if b.excluded is not None:
        yield Site("excluded", b.title, b.span)
    if b.includes is not None:
        yield Site("includes", b.title, b.includes.span)
    if b.deductible is not None:
        yield Site("deductible", b.title, b.deductible.span)
        yield from _rows("deductible", b.title, b.deductible.span, b.deductible.amount)
    if b.ratio is not None:
        yield Site("ratio", b.title, b.ratio.span)
        yield from _rows("ratio", b.title, b.ratio.span, b.ratio)
    if b.ratio_bands is not None:
        # The clause's own steps (the measure, the bands' sum) and one step per band the visit reaches.
        yield Site("ratio", b.title, b.ratio_bands.span)
        yield from (Site("ratio_band", b.title, band.span) for band in b.ratio_bands.bands)
    if b.pays is not None:
        yield Site("pays", b.title, b.pays.span)
        yield from _rows("pays", b.title, b.pays.span, b.pays.amount)
    for adjust in b.adjustments:
        yield Site("adjust", f"{b.title} · {adjust.label}", adjust.span)
    if b.visit_cap is not None:
        yield Site("visit_cap", b.title, b.visit_cap.span)
        yield from _rows("visit_cap", b.title, b.visit_cap.span, b.visit_cap)
    for cap in b.annual_caps:
        if isinstance(cap.amount, ast.Name) and cap.amount.name in shared:
            # Its steps name the shared cap's declaration: that site stands for it, unless a
            # condition chooses it here.
            if cap.when is not None:
                yield Site("cap_when", b.title, cap.span, rule=f"cap.{cap.amount.name}", benefit=b.id)
            continue
        yield Site("annual_cap", b.title, cap.span)
        yield from _rows("annual_cap", b.title, cap.span, cap.amount)


def _rows(kind: str, owner: str, clause: Span, expr: ast.Expr) -> Iterator[Site]:
    for lookup in _lookups(expr):
        for entry in lookup.entries:
            yield Site(kind, owner, clause, entry.key)


def _lookups(node) -> Iterator[ast.Lookup]:
    if isinstance(node, ast.Lookup):
        yield node
    if attrs.has(type(node)):
        for field in attrs.fields(type(node)):
            value = getattr(node, field.name)
            for child in (value if isinstance(value, tuple) else (value,)):
                if isinstance(child, (ast.Expr, ast.LookupEntry, ast.CaseBranch)):
                    yield from _lookups(child)


def _steps(statement: Statement) -> Iterator[Event]:
    yield from statement.notes
    yield from statement.premium.events
    for claim in statement.claims:
        yield from claim.events


_CAPS = frozenset({"visit_cap", "annual_cap"})


def _tells(event: Event) -> bool:
    """Whether a step shows its rule's figure at work. A cap a payment stayed within shows nothing
    of its amount (any larger cap gives the same statement), so only a cap that limited one counts,
    as a payer's cap makes a step only when it limits."""
    return event.kind not in _CAPS or bool(event.data.get("applied"))


def exercised(statements: Iterable[Statement]) -> tuple[set[tuple[str, int]], set[tuple[str, int, str]], set]:
    """The (file, line) of every rule some step came from, the (file, line, row key) of every row used,
    and the rule of every step, alone and as (rule, the benefit of the claim it was in)."""
    lines: set[tuple[str, int]] = set()
    rows: set[tuple[str, int, str]] = set()
    rules: set = set()
    for statement in statements:
        for claim in statement.claims:
            rules |= {(event.rule, claim.benefit) for event in claim.events if _tells(event)}
        for event in _steps(statement):
            if not _tells(event):
                continue
            rules.add(event.rule)
            if event.source is None:
                continue
            where = (event.source.file, event.source.line)
            lines.add(where)
            for detail in event.data.get("details", ()):
                if detail.kind == "row":
                    rows.add(where + ("else" if detail.otherwise else str(detail.key),))
    return lines, rows, rules


def unexercised(model: Policy, statements: Iterable[Statement]) -> list[Site]:
    """The rule sites of ``model`` that no step of ``statements`` came from."""
    lines, rows, rules = exercised(statements)
    missing = []
    for site in sites(model):
        where = (site.span.file, site.span.line)
        if site.rule is not None:
            if (site.rule if site.benefit is None else (site.rule, site.benefit)) not in rules:
                missing.append(site)
        elif site.row is None and where not in lines:
            missing.append(site)
        elif site.row is not None and where + (site.row,) not in rows:
            missing.append(site)
    return missing


def coverage(results) -> dict[str, tuple[int, list[Site]]]:
    """Per policy the cases ran against (by its display path): how many rule sites it has, and
    those no case exercised.  ``results`` are :class:`~medpolicy.policytests.runner.CaseResult`."""
    statements: dict[str, list[Statement]] = {}
    models: dict[str, Policy] = {}
    for result in results:
        if result.policy is None or result.statement is None:
            continue
        model = result.policy.model
        models[model.path] = model
        statements.setdefault(model.path, []).append(result.statement)
    return {path: (len(sites(model)), unexercised(model, statements[path])) for path, model in models.items()}
