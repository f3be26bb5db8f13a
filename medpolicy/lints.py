"""Lints: advice on a policy that checks, as warnings with codes W401… and names.

A lint finds what is legal but likely wrong or unfinished: a number the
policy pays by that cites no source, a declaration nothing uses, a visit cap
the annual cap makes useless, an empty citation, a 0% ratio, a date outside
the policy year, a counter no benefit counts, a table row no claim can use.
The checker runs them (``check(program, lint=True)``, which ``medpolicy
check`` does) once the policy has no error, reading the checked
:class:`~medpolicy.model.Policy` and its declarations' nodes; they change
nothing that is evaluated.  Codes, names and descriptions are registered in
:mod:`medpolicy.diagnostic_codes`; ``medpolicy check --strict`` turns these
warnings into errors.

``dead-row`` (W408) reports what the checker's reachability probing found
(:attr:`medpolicy.reachability.Reachability.dead_rows`) rather than probing
again: the probing is the slow part of checking.
"""
from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Callable, Iterable, Iterator, Optional

import attrs

from . import ast
from .diagnostics import Diagnostic
from .errors import EvaluationError
from .loader import Program
from .localize import Message, msg
from .model import Policy
from .reachability import DeadRow
from .values import Money, Percent

Constant = Callable[[ast.Expr, str], object]
"""Evaluates a constant expression in a file's scope (the checker's ``constant``); raises if it is not one."""

NUMERIC = ("money", "percent", "number", "months", "days")
"""Literal kinds that state a number the policy pays by."""
DEFINITIONS = {ast.Param: "param", ast.Let: "let", ast.ListDecl: "list", ast.CapDecl: "cap", ast.Counter: "counter",
               ast.History: "history", ast.DeductiblePool: "deductible", ast.Measure: "measure"}
"""Declarations a name stands for, by the keyword that declares them."""


def lint(policy: Policy, program: Program, constant: Constant, dead_rows: Iterable[DeadRow] = ()) -> list[Diagnostic]:
    """The lint warnings of a checked policy: the policy's file first, then its modules, each in source order.

    ``dead_rows`` are the rows the checker's reachability probing found no claim can use.
    """
    dead_rows = list(dead_rows)
    ctx = _Context(policy, program, constant, dead_rows)
    for rule in RULES:
        rule(ctx)
    return sorted(ctx.found, key=lambda d: (d.span.file != policy.path, d.span.file, d.span.line, d.span.column))


class _Context:
    """What the lints read, and the warnings they found."""

    def __init__(self, policy: Policy, program: Program, constant: Constant, dead_rows: list[DeadRow]):
        self.policy, self.program, self._constant = policy, program, constant
        self.dead_rows = dead_rows
        self.main = policy.path
        self.files = [program.main, *program.modules.values()]
        self.found: list[Diagnostic] = []

    def warn(self, message: Message, span, help: Optional[Message] = None) -> None:
        self.found.append(Diagnostic.of(message, span, "warning", help))

    def source_hint(self, file: str) -> str:
        """A source id of ``file`` to show in a `cite` the help suggests."""
        return next((sid for (path, sid) in self.policy.sources if path == file), "SOURCE")

    def constant(self, expr: ast.Expr, file: str):
        """The value of ``expr`` if it is a constant, else None."""
        try:
            return self._constant(expr, file)
        except (EvaluationError, ArithmeticError, ValueError):
            return None

    def binding(self, file: str, name: str):
        return self.policy.scopes.get(file, {}).get(name)

    @cached_property
    def uses(self) -> "_Uses":
        return _Uses.of(self)


# ------------------------------------------------------------------ walking

def nodes(root, skip: frozenset = frozenset()) -> Iterator[object]:
    """Every syntax node inside ``root`` (a node, or a tuple of them), ``root`` first.

    ``skip`` names fields not to enter, as (node class, field name).
    """
    stack = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, tuple):
            stack.extend(reversed(item))
            continue
        if not attrs.has(type(item)):
            continue
        yield item
        for field in reversed(attrs.fields(type(item))):
            if field.name != "span" and (type(item), field.name) not in skip:
                stack.append(getattr(item, field.name))


def _numeric(expr) -> bool:
    """Whether ``expr`` states a number (money, percentage, count, months, days) of its own."""
    return expr is not None and any(isinstance(n, ast.Literal) and n.kind in NUMERIC for n in nodes(expr))


def _cited(cite, expr) -> bool:
    """Whether a clause cites: by its own `cite`, or, for `cases`, by a cite on every branch."""
    if cite is not None:
        return True
    return isinstance(expr, ast.Cases) and expr.default_cite is not None and all(b.cite for b in expr.branches)


# ------------------------------------------------------------------ W401 uncited-number

def uncited_numbers(ctx: _Context) -> None:
    help_ = msg("W401.help", source=ctx.source_hint(ctx.main))
    for b in ctx.policy.benefits:
        for keyword, expr, cite, span in _payment_clauses(b):
            if _numeric(expr) and not _cited(cite, expr):
                ctx.warn(msg("W401.benefit", clause=keyword, benefit=b.id), span, help_)
    for adj in ctx.policy.adjustments:
        # An adjustment's one `cite` is the block's: it covers its ratio.
        if _numeric(adj.ratio) and adj.cite is None:
            ctx.warn(msg("W401.definition", keyword="adjustment", name=adj.id), adj.span, help_)
    for table in (t for payer in ctx.policy.payers for t in payer.tables):
        clauses = [("deductible", table.deductible, table.deductible_cite)]
        clauses += [("band", band, band.cite) for band in table.bands]  # a band states its bounds and rate
        clauses += [("annual cap", table.cap, table.cap_cite)]
        for keyword, node, cite in clauses:
            if (keyword == "band" or _numeric(node)) and not _cited(cite, node):
                ctx.warn(msg("W401.table", clause=keyword, title=table.title), node.span, help_)
    for item in ctx.policy.premium.items if ctx.policy.premium else ():
        for case in item.cases:
            if _numeric(case.value) and not _cited(case.cite, case.value):
                ctx.warn(msg("W401.premium", title=item.title), case.span, help_)
    for file in ctx.files:
        _uncited_definitions(ctx, file)


def _payment_clauses(b: ast.Benefit) -> list[tuple[str, ast.Expr, Optional[ast.Cite], object]]:
    """(keyword, expression, cite, span) of each clause by which a benefit pays; none if it pays nothing."""
    if b.excluded is not None:
        return []
    clauses = []
    if b.deductible is not None and b.deductible.mode != "pool":  # a pool is cited where it is declared
        keyword = "no deductible" if b.deductible.mode == "none" else "deductible"
        clauses.append((keyword, b.deductible.amount, b.deductible.cite, b.deductible.span))
    if b.ratio is not None:
        clauses.append(("ratio", b.ratio, b.ratio_cite, b.ratio.span))
    if b.ratio_bands is not None:
        clauses += [("band", band, band.cite, band.span) for band in b.ratio_bands.bands]
    if b.pays is not None:
        clauses.append(("pays", b.pays.amount, b.pays.cite, b.pays.span))
    clauses += [("adjust", a.points, a.cite, a.span) for a in b.adjustments]
    if b.visit_cap is not None:
        clauses.append(("visit cap", b.visit_cap, b.visit_cap_cite, b.visit_cap.span))
    clauses += [("annual cap", c.amount, c.cite, c.span) for c in b.annual_caps]
    return clauses


def _uncited_definitions(ctx: _Context, file: ast.File) -> None:
    """Params (and lets that are a bare number) stating a number, and shared caps, without a cite."""
    help_ = msg("W401.help", source=ctx.source_hint(file.path))
    for decl in file.decls:
        if isinstance(decl, ast.Param) or (isinstance(decl, ast.Let) and _bare_number(decl.value)):
            if _numeric(decl.value) and decl.cite is None:
                ctx.warn(msg("W401.definition", keyword=DEFINITIONS[type(decl)], name=decl.id), decl.span, help_)
        elif isinstance(decl, ast.DeductiblePool) and _numeric(decl.amount) and decl.cite is None:
            ctx.warn(msg("W401.definition", keyword="deductible", name=decl.id), decl.span, help_)
        elif isinstance(decl, ast.CapDecl) and _numeric(decl.amount) and decl.cite is None:
            # A shared cap stated once for several benefits may be cited where each benefit names it.
            uses = [c for b in ctx.policy.benefits for c in b.annual_caps
                    if isinstance(c.amount, ast.Name) and getattr(ctx.binding(ctx.main, c.amount.name), "node",
                                                                  None) is decl]
            if not uses or not all(c.cite for c in uses):
                ctx.warn(msg("W401.definition", keyword="cap", name=decl.id), decl.span,
                         msg("W401.cap.help", source=ctx.source_hint(file.path), name=decl.id))


def _bare_number(expr) -> bool:
    return isinstance(expr, ast.Literal) or (isinstance(expr, ast.Unary) and isinstance(expr.operand, ast.Literal))


# ------------------------------------------------------------------ W402 unused-declaration, W407

@attrs.frozen
class _Uses:
    """What the policy and its modules use."""

    read: frozenset
    """(file, name) of every definition read by a rule, directly or through other definitions."""
    cited: frozenset
    """(file, source id) of every source some `cite` of that file names."""
    imports: frozenset
    """(file, alias) of every import that file names."""
    counted: frozenset
    """The counters some benefit `counts`."""

    @classmethod
    def of(cls, ctx: _Context) -> "_Uses":
        cited, imports, refs = set(), set(), {}
        roots: set = set()
        skip = frozenset({(ast.Benefit, "counts")})  # counting a counter is not reading it
        for file in ctx.files:
            for decl in (file.header, *file.decls):
                found = set()
                for node in nodes(decl, skip):
                    if isinstance(node, ast.Cite):
                        cited.add((file.path, node.source))
                    elif isinstance(node, (ast.Name, ast.Attribute)):
                        found |= _reference(ctx, file.path, node, imports)
                if type(decl) in DEFINITIONS:
                    refs[(file.path, decl.id)] = found
                else:
                    roots |= found
        read, todo = set(), list(roots)
        while todo:
            key = todo.pop()
            if key not in read:
                read.add(key)
                todo.extend(refs.get(key, ()))
        counted = {n.name for b in ctx.policy.benefits for n in b.counts}
        return cls(frozenset(read), frozenset(cited), frozenset(imports), frozenset(counted))


def _reference(ctx: _Context, file: str, node, imports: set) -> set:
    """The definitions ``node`` (a name or ``alias.name``) of ``file`` stands for; records the imports it names."""
    if isinstance(node, ast.Attribute):
        if not isinstance(node.target, ast.Name):
            return set()
        binding = ctx.binding(file, node.target.name)
        if binding is None or binding.kind != "module":
            return set()
        file, name = binding.file, node.name
    else:
        name = node.name
    binding = ctx.binding(file, name)
    if binding is None:
        return set()
    if binding.kind == "module":
        imports.add((file, name))
        return set()
    return {(binding.file, name)} if binding.kind in DEFINITIONS.values() else set()


def unused_declarations(ctx: _Context) -> None:
    uses = ctx.uses
    help_ = msg("W402.help")
    for file in ctx.files:
        is_main = file.path == ctx.main
        for decl in file.decls:
            if isinstance(decl, ast.Source) and (file.path, decl.id) not in uses.cited:
                ctx.warn(msg("W402.source", name=decl.id), decl.span, help_)
            elif isinstance(decl, ast.Import) and (file.path, decl.alias) not in uses.imports:
                ctx.warn(msg("W402.import", name=decl.alias), decl.span, help_)
            elif is_main and type(decl) in DEFINITIONS and (file.path, decl.id) not in uses.read:
                # A module's definitions are what it offers: one this policy does not use is not unused.
                ctx.warn(msg("W402.definition", keyword=DEFINITIONS[type(decl)], name=decl.id), decl.span, help_)
    paying = {b.id for b in ctx.policy.benefits if b.excluded is None}
    for adj in ctx.policy.adjustments:
        applies = paying if adj.benefits is None else {n.name for n in adj.benefits} & paying
        if not applies:
            ctx.warn(msg("W402.adjustment", name=adj.id), adj.span, msg("W402.adjustment.help"))


def counters_never_counted(ctx: _Context) -> None:
    for name, counter in ctx.policy.counters.items():
        if (ctx.main, name) in ctx.uses.read and name not in ctx.uses.counted:
            ctx.warn(msg("W407", name=name), counter.span, msg("W407.help", name=name))


# ------------------------------------------------------------------ W403, W405: constant payment clauses

def visit_caps_above_annual_caps(ctx: _Context) -> None:
    for b in ctx.policy.benefits:
        if b.visit_cap is None or b.excluded is not None:
            continue
        annual = [v for v in (_annual_cap_value(ctx, c) for c in b.annual_caps if c.per is None and c.when is None)
                  if isinstance(v, Money)]
        if not annual:
            continue
        lowest = min(annual)
        for value, span in _constant_rows(ctx, b.visit_cap):
            if isinstance(value, Money) and value > lowest:
                ctx.warn(msg("W403", visit=str(value), annual=str(lowest), benefit=b.id), span, msg("W403.help"))


def _annual_cap_value(ctx: _Context, cap: ast.AnnualCap):
    if isinstance(cap.amount, ast.Name):
        binding = ctx.binding(ctx.main, cap.amount.name)
        if binding is not None and binding.kind == "cap":
            return ctx.constant(binding.node.amount, binding.file)
    return ctx.constant(cap.amount, ctx.main)


def _constant_rows(ctx: _Context, expr: ast.Expr) -> list[tuple[object, object]]:
    """(value, span) of a constant, or of each constant row of a table by level, condition, …."""
    if isinstance(expr, ast.Lookup):
        values = [e.value for e in expr.entries] + ([expr.default] if expr.default is not None else [])
        return [(ctx.constant(v, ctx.main), v.span) for v in values]
    return [(ctx.constant(expr, ctx.main), expr.span)]


def zero_ratios(ctx: _Context) -> None:
    for b in ctx.policy.benefits:
        if b.ratio is not None and b.excluded is None:
            value = ctx.constant(b.ratio, ctx.main)
            if isinstance(value, Percent) and value.points == 0:
                ctx.warn(msg("W405", benefit=b.id), b.ratio.span, msg("W405.help"))


# ------------------------------------------------------------------ W404 empty-citation-text

def empty_citation_texts(ctx: _Context) -> None:
    for file in ctx.files:
        for node in nodes((file.header, *file.decls)):
            if not isinstance(node, ast.Cite):
                continue
            if not node.section.strip():
                ctx.warn(msg("W404.section"), node.span, msg("W404.section.help"))
            if node.quote is not None and not node.quote.strip():
                ctx.warn(msg("W404.quote"), node.span, msg("W404.quote.help"))


# ------------------------------------------------------------------ W406 date-outside-year

def dates_outside_year(ctx: _Context) -> None:
    p = ctx.policy
    if p.collection_end is None:
        low: Optional[dt.date] = p.start
    else:  # premiums read payment dates from the collection period, whose start may be unstated
        low = min(p.collection_start, p.start) if p.collection_start else None
    high = None if p.coverage_end is not None else p.end  # a person's cover may run past the year
    roots: list = [p.adjustments, p.premium, p.coverage]
    roots += [(b.when, b.deductible, b.ratio, b.adjustments, b.visit_cap, b.annual_caps) for b in p.benefits]
    roots += [d for d in ctx.program.main.decls if isinstance(d, (ast.Param, ast.Let))]
    for node in nodes(tuple(r for r in roots if r is not None)):
        if isinstance(node, ast.Literal) and node.kind == "date" and (
                (low is not None and node.value < low) or (high is not None and node.value > high)):
            ctx.warn(msg("W406", date=node.value.isoformat(), start=p.start.isoformat(), end=p.end.isoformat()),
                     node.span, msg("W406.help"))


# ------------------------------------------------------------------ W408 dead-row

_DEAD_ROW_HELP = {(False, True): "W408.benefit.help", (False, False): "W408.benefit.absent.help",
                  (True, True): "W408.branch.help", (True, False): "W408.branch.absent.help"}
"""The help of a dead row, by (whether branches lead to its table, whether some value reaches it)."""


def dead_rows(ctx: _Context) -> None:
    """Rows of a benefit's tables for a value no claim reaching the table has (found by the reachability probing)."""
    for row in ctx.dead_rows:
        level = row.key == "claim.level"
        shown = [f'"{v}"' if level else str(v) for v in row.received if v is not None]
        # Only claims without the fact (no condition, say) may reach the table: no value to list.
        values = {"values": shown} if shown else {}
        help_ = msg(_DEAD_ROW_HELP[row.branched, bool(shown)], key=row.key, benefit=row.benefit.id, **values)
        value = f'"{row.entry.key}"' if level else row.entry.key
        ctx.warn(msg("W408", key=row.key, value=value, benefit=row.benefit.id, title=row.benefit.title),
                 row.entry.span, help_)


RULES = (uncited_numbers, unused_declarations, visit_caps_above_annual_caps, empty_citation_texts, zero_ratios,
         dates_outside_year, counters_never_counted, dead_rows)
"""Every lint, in the order of its code."""
