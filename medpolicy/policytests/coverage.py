"""Which rules of a policy its tests exercise.

A *rule site* is a place in a policy that can produce a figure: a benefit
(chosen for a claim), its deductible, ratio, adjustments, caps and
exclusion, a shared cap, a policy-wide adjustment, each payer table (whose
deductible every use of the table applies), its bands and cap, each premium case, the coverage start and end,
the ``includes`` clause and each settlement path -- and each row of a
``by … { }`` table written inside a deductible, ratio or cap clause.

Every explanation step names the ``.mpol`` line of the rule that made it, so
a site is exercised when some step of some case's statement comes from its
line (a row: when a step from its clause's line used that row).  Sites are
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
    ``premium``, ``coverage``, ``coverage_end`` or ``settlement``."""
    owner: str
    """The benefit, cap, payer table, premium item or settlement path it belongs to (its title)."""
    span: Span
    row: Optional[str] = None
    """For a row of a ``by … { }`` table in the clause: the key it is written under (``1``, ``other``)."""


def sites(model: Policy) -> list[Site]:
    """Every rule site of a policy's own file, in the order they are written."""
    found: list[Site] = []
    for benefit in model.benefits:
        found += _benefit_sites(benefit, model.caps)
    for cap in model.caps.values():
        found.append(Site("cap", cap.label, cap.span))
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
    for adjust in b.adjustments:
        yield Site("adjust", f"{b.title} · {adjust.label}", adjust.span)
    if b.visit_cap is not None:
        yield Site("visit_cap", b.title, b.visit_cap.span)
        yield from _rows("visit_cap", b.title, b.visit_cap.span, b.visit_cap)
    for cap in b.annual_caps:
        if isinstance(cap.amount, ast.Name) and cap.amount.name in shared:
            continue  # its steps name the shared cap's declaration: that site stands for it
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


def exercised(statements: Iterable[Statement]) -> tuple[set[tuple[str, int]], set[tuple[str, int, str]]]:
    """The (file, line) of every rule some step came from, and the (file, line, row key) of every row used."""
    lines: set[tuple[str, int]] = set()
    rows: set[tuple[str, int, str]] = set()
    for statement in statements:
        for event in _steps(statement):
            if event.source is None:
                continue
            where = (event.source.file, event.source.line)
            lines.add(where)
            for detail in event.data.get("details", ()):
                if detail.kind == "row":
                    rows.add(where + ("else" if detail.otherwise else str(detail.key),))
    return lines, rows


def unexercised(model: Policy, statements: Iterable[Statement]) -> list[Site]:
    """The rule sites of ``model`` that no step of ``statements`` came from."""
    lines, rows = exercised(statements)
    missing = []
    for site in sites(model):
        where = (site.span.file, site.span.line)
        if site.row is None and where not in lines:
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
