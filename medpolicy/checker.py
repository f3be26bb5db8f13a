"""Stage 2: check a parsed program and build the evaluable policy.

The checker finds every problem a policy author can make before anything is
evaluated, and reports each as a :class:`~medpolicy.diagnostics.Diagnostic`:

* names: unknown names (with did-you-mean), duplicate definitions, cycles
  among ``let``/``param`` definitions, citations of undeclared sources;
* types: every expression is typed (adding a percentage to money is an
  error), each clause gets the type it needs, facts are used only where they
  exist (no ``claim.*`` in a premium);
* benefits: a priority each, no two alike; a benefit that can never receive
  a claim (its condition is never true, or higher-priority benefits take
  every claim it would match); table lookups with no row for a value the
  benefit can receive;
* critical-illness bands: constant, increasing, without overlaps or gaps.

Expression typing lives in :mod:`medpolicy.typecheck` and benefit
reachability, decided exactly by trying every combination of the finite facts
the conditions mention, in :mod:`medpolicy.reachability`; both are mixed into
the checker here, which walks the declarations and builds the model.
"""
from __future__ import annotations

from decimal import Decimal

from . import ast
from .diagnostics import Diagnostic, did_you_mean
from .errors import EvaluationError, PolicyError
from .expressions import evaluate
from .facts import BUILTIN_ENUMS
from .loader import Program
from .localize import Message, msg
from .model import Binding, Policy
from .reachability import Reachability, _children
from .span import Span
from .typecheck import (CLAIM_CONTEXT, CONSTANT_CONTEXT, ERROR, FUNCTIONS, PERSON_CONTEXT, TypeChecking,
                        base_type, ConstantEnvironment)
from .values import Money


def check(program: Program) -> Policy:
    """Check ``program``; return the evaluable policy or raise PolicyError."""
    checker = _Checker(program)
    policy = checker.run()
    errors = [d for d in checker.diagnostics if d.severity == "error"]
    if errors or policy is None:
        raise PolicyError(sorted(checker.diagnostics, key=_order), program.texts)
    return policy


def _order(d: Diagnostic):
    return (d.span.file, d.span.line, d.span.column)

class _Checker(TypeChecking, Reachability):
    def __init__(self, program: Program):
        self.program = program
        self.diagnostics: list[Diagnostic] = []
        self.scopes: dict[str, dict[str, Binding]] = {}
        self.sources: dict[tuple[str, str], ast.Source] = {}
        self.levels: dict[str, str] = {}
        self.conditions: dict[str, str] = {}
        self.benefit_ids: dict[str, ast.Benefit] = {}
        self.types: dict[tuple[str, str], str] = {}   # (file, let/param id) → type
        self.in_progress: list[tuple[str, str]] = []
        self.roots_of: dict[tuple[str, str], frozenset] = {}

    # -- reporting
    def error(self, message: Message, span: Span, help: Message | None = None) -> None:
        self.diagnostics.append(Diagnostic.of(message, span, "error", help))

    def warning(self, message: Message, span: Span, help: Message | None = None) -> None:
        self.diagnostics.append(Diagnostic.of(message, span, "warning", help))

    # -- driver
    def run(self) -> Policy | None:
        main = self.program.main
        if main.is_module:
            self.error(msg("E100", path=main.path), main.header.span, help=msg("E100.help"))
            return None
        self._collect_enums(main)
        for path, module in self.program.modules.items():
            self._build_scope(module)
        self._build_scope(main)
        self._check_header(main.header)
        for file in [main, *self.program.modules.values()]:
            self._check_decls(file)
        benefits = self._check_benefits(main)
        if any(d.severity == "error" for d in self.diagnostics):
            return None
        header = main.header
        decls = main.decls
        coll = header.collection or (None, None)
        rounding = header.rounding or ("half_up", Decimal("0.01"))
        return Policy(
            id=header.id, title=header.title, jurisdiction=header.jurisdiction, path=main.path,
            start=header.year[0], end=header.year[1],
            collection_start=coll[0], collection_end=coll[1],
            rounding_mode=rounding[0], rounding_unit=rounding[1], rounding_cite=header.rounding_cite,
            levels=dict(self.levels), conditions=dict(self.conditions),
            benefits=benefits,
            counters={d.id: d for d in decls if isinstance(d, ast.Counter)},
            caps={d.id: d for d in decls if isinstance(d, ast.CapDecl)},
            adjustments=tuple(d for d in decls if isinstance(d, ast.Adjustment)),
            coverage=next((d for d in decls if isinstance(d, ast.Coverage)), None),
            critical=next((d for d in decls if isinstance(d, ast.CriticalIllness) and d.id == "critical_illness"),
                          None),
            payers=tuple(d for d in decls if isinstance(d, ast.CriticalIllness)),
            premium=next((d for d in decls if isinstance(d, ast.Premium)), None),
            scopes=self.scopes, sources=self.sources, texts=self.program.texts,
            warnings=tuple(d for d in self.diagnostics if d.severity == "warning"),
        )

    # -- declarations and scopes
    def _collect_enums(self, main: ast.File) -> None:
        for decl in main.decls:
            if isinstance(decl, ast.Levels):
                for level in decl.levels:
                    if level.id in self.levels:
                        self.error(msg("E101.level", level=level.id), level.span)
                    self.levels[level.id] = level.name
            elif isinstance(decl, ast.Conditions):
                for cond in decl.conditions:
                    if cond.id in self.conditions:
                        self.error(msg("E101.condition", condition=cond.id), cond.span)
                    elif not cond.id.isascii() or cond.id.lower() != cond.id:
                        self.error(msg("E104", condition=cond.id), cond.span, help=msg("E104.help"))
                    self.conditions[cond.id] = cond.name
            elif isinstance(decl, ast.Benefit):
                if decl.id in self.benefit_ids:
                    self.error(msg("E101.benefit", benefit=decl.id), decl.span,
                               help=msg("help.first_at", where=str(self.benefit_ids[decl.id].span)))
                self.benefit_ids.setdefault(decl.id, decl)
        if not self.levels:
            self.error(msg("E105"), main.header.span, help=msg("E105.help"))

    def _members(self, is_main: bool) -> dict[str, set[str]]:
        members: dict[str, set[str]] = {}
        for kind, names in BUILTIN_ENUMS.items():
            for name in names:
                members.setdefault(name, set()).add(kind)
        if is_main:
            for name in self.conditions:
                members.setdefault(name, set()).add("condition")
            for name in self.benefit_ids:
                members.setdefault(name, set()).add("benefit")
        return members

    def _build_scope(self, file: ast.File) -> None:
        scope: dict[str, Binding] = {}
        for name, kinds in self._members(file is self.program.main).items():
            scope[name] = Binding("member", None, file.path, frozenset(kinds))
        defined: dict[str, Span] = {}
        kinds_of = {ast.Param: "param", ast.Let: "let", ast.ListDecl: "list", ast.Counter: "counter",
                    ast.CapDecl: "cap"}
        for decl in file.decls:
            if isinstance(decl, ast.Source):
                key = (file.path, decl.id)
                if key in self.sources:
                    self.error(msg("E101.source", source=decl.id), decl.span)
                self.sources[key] = decl
                continue
            if isinstance(decl, ast.Import):
                name, kind = decl.alias, "module"
                target = self.program.imports.get((file.path, decl.alias), "")
                binding = Binding(kind, decl, target)
            elif type(decl) in kinds_of:
                name, kind = decl.id, kinds_of[type(decl)]
                binding = Binding(kind, decl, file.path)
            else:
                continue
            if name in ("person", "claim", "policy") or name in FUNCTIONS:
                self.error(msg("E101.reserved", name=name), decl.span)
                continue
            if name in defined:
                self.error(msg("E101.defined_twice", name=name), decl.span,
                           help=msg("E101.defined_twice.help", where=str(defined[name])))
                continue
            if name in scope:
                self.error(msg("E101.member", name=name, kinds=sorted(scope[name].kinds)), decl.span,
                           help=msg("E101.member.help"))
                continue
            defined[name] = decl.span
            scope[name] = binding
        self.scopes[file.path] = scope

    def _check_header(self, header: ast.PolicyHeader) -> None:
        if header.year is None:
            self.error(msg("E106.no_year"), header.span, help=msg("E106.no_year.help"))
        elif header.year[0] > header.year[1]:
            self.error(msg("E106.year_reversed"), header.year_span or header.span)
        if not header.title:
            self.error(msg("E106.no_title"), header.span, help=msg("E106.no_title.help"))
        if header.collection and header.collection[0] and header.collection[0] > header.collection[1]:
            self.error(msg("E106.collection_reversed"), header.collection_span or header.span)
        self._check_cite(header.collection_cite, self.program.main.path)
        self._check_cite(header.rounding_cite, self.program.main.path)

    def _check_cite(self, cite: ast.Cite | None, file: str) -> None:
        if cite is None:
            return
        if (file, cite.source) not in self.sources:
            known = [sid for (f, sid) in self.sources if f == file]
            self.error(msg("E201", source=cite.source), cite.span,
                       help=did_you_mean(cite.source, known) or msg("E201.help"))

    def _check_decls(self, file: ast.File) -> None:
        is_main = file is self.program.main
        scope = self.scopes[file.path]
        adjustments: dict[str, Span] = {}
        for decl in file.decls:
            if isinstance(decl, (ast.Param, ast.Let, ast.ListDecl, ast.CapDecl)) and \
                    getattr(scope.get(decl.id), "node", None) is not decl:
                continue  # its name was refused (reported when the scope was built)
            if isinstance(decl, (ast.Param, ast.Let, ast.ListDecl)):
                self._type_definition(file.path, decl.id)
                if isinstance(decl, ast.ListDecl):
                    self._check_cite(decl.cite, file.path)
                if isinstance(decl, ast.Param) and decl.value is not None:
                    self._check_sign(decl.value)
            elif isinstance(decl, ast.CapDecl):
                self._expect(decl.amount, "money", file.path, CONSTANT_CONTEXT, "cap_amount", allow_unstated=True)
                self._check_sign(decl.amount, "cap")
                self._check_cite(decl.cite, file.path)
            elif not is_main and isinstance(decl, (ast.Levels, ast.Conditions, ast.Benefit, ast.Coverage,
                                                   ast.Adjustment, ast.CriticalIllness, ast.Premium,
                                                   ast.Counter)):
                self.error(msg("E107"), getattr(decl, "span", file.header.span), help=msg("E107.help"))
            elif isinstance(decl, ast.Coverage):
                self._expect(decl.starts, "date", file.path, PERSON_CONTEXT, "coverage_start")
                self._check_cite(decl.cite, file.path)
            elif isinstance(decl, ast.Adjustment):
                if decl.id in adjustments:
                    self.error(msg("E101.adjustment", adjustment=decl.id), decl.span,
                               help=msg("help.first_at", where=str(adjustments[decl.id])))
                adjustments.setdefault(decl.id, decl.span)
                self._check_adjustment(decl, file.path)
            elif isinstance(decl, ast.CriticalIllness):
                self._check_critical(decl, file.path)
            elif isinstance(decl, ast.Premium):
                self._check_premium(decl, file.path)
        if is_main:
            payer_ids: dict[str, Span] = {}
            for decl in file.decls:
                if isinstance(decl, ast.CriticalIllness):
                    if decl.id in payer_ids and decl.id != "critical_illness":
                        self.error(msg("E101.payer", payer=decl.id), decl.span,
                                   help=msg("help.first_at", where=str(payer_ids[decl.id])))
                    payer_ids.setdefault(decl.id, decl.span)
            for kind in (ast.Coverage, ast.CriticalIllness, ast.Premium):
                found = [d for d in file.decls if isinstance(d, kind)
                         and (kind is not ast.CriticalIllness or d.id == "critical_illness")]
                for extra in found[1:]:
                    self.error(msg("E101.declaration", keyword=_keyword(kind)), extra.span)

    # -- definitions (params, lets, lists), with cycle detection

    # -- benefits
    def _check_benefits(self, main: ast.File) -> tuple[ast.Benefit, ...]:
        file = main.path
        benefits = [d for d in main.decls if isinstance(d, ast.Benefit)]
        if not benefits:
            self.error(msg("E110"), main.header.span)
        priorities: dict[int, ast.Benefit] = {}
        for b in benefits:
            if b.priority is None:
                self.error(msg("E111.no_priority", benefit=b.id), b.span, help=msg("E111.no_priority.help"))
            elif b.priority in priorities:
                self.error(msg("E111.shared", first=priorities[b.priority].id, second=b.id, priority=b.priority),
                           b.span, help=msg("E111.shared.help"))
            else:
                priorities[b.priority] = b
            if b.when is None:
                self.error(msg("E112", benefit=b.id), b.span, help=msg("E112.help"))
            else:
                self._expect(b.when, "bool", file, CLAIM_CONTEXT, "benefit_when")
                for node in _walk(b.when):
                    if isinstance(node, ast.Attribute) and isinstance(node.target, ast.Name) \
                            and (node.target.name, node.name) == ("claim", "benefit"):
                        self.error(msg("E207.claim_benefit"), node.span, help=msg("E207.claim_benefit.help"))
            self._check_benefit_body(b, file)
        ordered = sorted(benefits, key=lambda b: -(b.priority or 0))
        if not any(d.severity == "error" for d in self.diagnostics):
            self._check_reachability(ordered, file)
        return tuple(ordered)

    def _check_benefit_body(self, b: ast.Benefit, file: str) -> None:
        for cite in (b.when_cite, b.grouping_cite, b.ratio_cite, b.visit_cap_cite, b.excluded_cite):
            self._check_cite(cite, file)
        if b.excluded is not None:
            paying = [name for name, value in (("deductible", b.deductible), ("ratio", b.ratio),
                                               ("visit cap", b.visit_cap)) if value is not None]
            if paying or b.annual_caps or b.adjustments or b.counts:
                self.error(msg("E113.pays_nothing", benefit=b.id), b.span, help=msg("E113.pays_nothing.help"))
            return
        if b.ratio is None:
            self.error(msg("E113.no_ratio", benefit=b.id), b.span, help=msg("E113.no_ratio.help"))
        else:
            self._expect(b.ratio, "percent", file, CLAIM_CONTEXT, "ratio", counters=True)
            for leaf in _value_leaves(b.ratio):
                if leaf.kind == "percent" and not (0 <= leaf.value <= 100):
                    self.error(msg("E128", value=str(leaf.value)), leaf.span, help=msg("E128.help"))
        if b.deductible is not None:
            self._check_sign(b.deductible.amount, "deductible")
        if b.visit_cap is not None:
            self._check_sign(b.visit_cap, "cap")
        for cap in b.annual_caps:
            self._check_sign(cap.amount, "cap")
        for counter in b.counts:
            binding = self.scopes[file].get(counter.name)
            if binding is None or binding.kind != "counter":
                counters = [n for n, x in self.scopes[file].items() if x.kind == "counter"]
                self.error(msg("E200.counter", name=counter.name), counter.span,
                           help=did_you_mean(counter.name, counters) or msg("E200.counter.help"))
        if b.deductible is not None:
            self._expect(b.deductible.amount, "money", file, CLAIM_CONTEXT, "deductible", counters=True)
            self._check_cite(b.deductible.cite, file)
        for adj in b.adjustments:
            self._expect(adj.points, "percent", file, CLAIM_CONTEXT, "adjustment", counters=True)
            if adj.when is not None:
                self._expect(adj.when, "bool", file, CLAIM_CONTEXT, "adjustment_when", counters=True)
            self._check_cite(adj.cite, file)
        if b.visit_cap is not None:
            self._expect(b.visit_cap, "money", file, CLAIM_CONTEXT, "visit_cap", counters=True,
                         allow_unstated=True)
        for cap in b.annual_caps:
            self._check_cite(cap.cite, file)
            if isinstance(cap.amount, ast.Name) and self.scopes[file].get(cap.amount.name, Binding("")).kind == "cap":
                if cap.per is not None:
                    self.error(msg("E114.shared_cap"), cap.per.span, help=msg("E114.shared_cap.help"))
                continue
            self._expect(cap.amount, "money", file, CLAIM_CONTEXT, "annual_cap", allow_unstated=True)
            if cap.per is not None:
                pt = self._infer(cap.per, file, CLAIM_CONTEXT, set())
                if pt != ERROR and not base_type(pt).startswith("enum:"):
                    self.error(msg("E114.for_each", type=pt), cap.per.span)

    def _check_sign(self, expr, what: str = "amount") -> None:
        """Report negative money written where only a non-negative amount makes sense; ``what`` is a clause key."""
        for leaf in _value_leaves(expr):
            if leaf.kind == "money" and leaf.value < 0:
                self.error(msg("E129", what=what, value=str(leaf.value)), leaf.span, help=msg("E129.help"))

    # -- other declarations
    def _check_adjustment(self, adj: ast.Adjustment, file: str) -> None:
        for name in adj.benefits or ():
            if name.name not in self.benefit_ids:
                self.error(msg("E200.benefit", name=name.name), name.span,
                           help=did_you_mean(name.name, self.benefit_ids))
        if adj.when is not None:
            self._expect(adj.when, "bool", file, CLAIM_CONTEXT, "adjustment_when")
        self._expect(adj.ratio, "percent", file, CLAIM_CONTEXT, "adjustment_ratio")
        self._check_cite(adj.cite, file)

    def _check_critical(self, ci: ast.CriticalIllness, file: str) -> None:
        if ci.covers is None:
            self.error(msg("E120.covers"), ci.span, help=msg("E120.covers.help"))
        else:
            self._expect(ci.covers, "bool", file, CLAIM_CONTEXT, "covers")
        self._check_cite(ci.covers_cite, file)
        if not ci.tables:
            self.error(msg("E120.no_table"), ci.span)
        for i, table in enumerate(ci.tables):
            if table.when is None and i != len(ci.tables) - 1:
                self.error(msg("E121"), table.span)
            if table.when is not None:
                self._expect(table.when, "bool", file, PERSON_CONTEXT, "table_when")
            self._check_bands(table, file)
        if ci.tables and all(t.when is not None for t in ci.tables):
            self.warning(msg("W120"), ci.span)

    def _const(self, expr, file, want, what, allow_unstated=False):
        before = len(self.diagnostics)
        t = self._expect(expr, want, file, CONSTANT_CONTEXT, what, allow_unstated=allow_unstated)
        if t == ERROR or any(d.severity == "error" for d in self.diagnostics[before:]):
            return None  # already reported: say nothing more about this expression
        try:
            return evaluate(expr, ConstantEnvironment(self, file))
        except EvaluationError:
            self.error(msg("E122", what=what), expr.span)
            return None
        except (ArithmeticError, ValueError, OverflowError):
            self.error(msg("E127", what=what), expr.span)
            return None

    def _check_bands(self, table: ast.CITable, file: str) -> None:
        for cite in (table.deductible_cite, table.cap_cite):
            self._check_cite(cite, file)
        deductible = Money(Decimal(0))
        if table.deductible is not None:
            deductible = self._const(table.deductible, file, "money", "deductible")
            self._check_sign(table.deductible, "deductible")
        if table.cap is not None:
            self._const(table.cap, file, "money", "cap", allow_unstated=True)
            self._check_sign(table.cap, "cap")
        if not table.bands:
            self.error(msg("E123", title=table.title), table.span)
            return
        # When the deductible itself is in error, where the bands start cannot be judged.
        expected = Money(Decimal(0)) if table.measure == "above_deductible" else deductible
        for i, band in enumerate(table.bands):
            self._check_cite(band.cite, file)
            low = self._const(band.low, file, "money", "band_low")
            high = self._const(band.high, file, "money", "band_high") if band.high is not None else None
            rate = self._const(band.rate, file, "percent", "band_rate")
            if rate is not None and not (Decimal(0) <= rate.points <= Decimal(100)):
                self.error(msg("E124", rate=str(rate)), band.rate.span)
            if low is None or (band.high is not None and high is None):
                continue
            if high is not None and high <= low:
                self.error(msg("E125", low=str(low), high=str(high)), band.span)
            if expected is not None and low != expected:
                where = ("deductible" if table.measure == "absolute" else "above") if i == 0 else "previous"
                kind = "overlaps" if low < expected else "gap"
                self.error(msg(_BAND_START[kind, where], low=str(low), expected=str(expected)), band.low.span,
                           help=msg("E126.help"))
            if high is None and i != len(table.bands) - 1:
                self.error(msg("E126.open"), band.span)
            expected = high

    def _check_premium(self, premium: ast.Premium, file: str) -> None:
        for item in premium.items:
            if item.when is not None:
                self._expect(item.when, "bool", file, PERSON_CONTEXT, "premium_item_when")
            if not any(case.when is None for case in item.cases):
                self.error(msg("E130", title=item.title), item.span, help=msg("E130.help"))
            seen_else = False
            for case in item.cases:
                if seen_else:
                    self.error(msg("E131"), case.span, help=msg("E131.help"))
                seen_else = seen_else or case.when is None
                if case.when is not None:
                    self._expect(case.when, "bool", file, PERSON_CONTEXT, "premium_case_when")
                if not isinstance(case.value, ast.Unstated):
                    self._expect(case.value, "money", file, PERSON_CONTEXT, "premium")
                    self._check_sign(case.value, "premium")
                self._check_cite(case.cite, file)


# Where a band that does not start where it should (E126) overlaps or leaves a gap, by (kind, where).
_BAND_START = {
    ("overlaps", "deductible"): "E126.overlaps.deductible", ("gap", "deductible"): "E126.gap.deductible",
    ("overlaps", "above"): "E126.overlaps.above", ("gap", "above"): "E126.gap.above",
    ("overlaps", "previous"): "E126.overlaps.previous", ("gap", "previous"): "E126.gap.previous",
}


def _walk(e):
    """Every node of an expression, the expression first."""
    yield e
    for child in _children(e):
        yield from _walk(child)


def _value_leaves(e) -> list[ast.Literal]:
    """The literals an expression can evaluate to directly: through table rows,
    branches and fallbacks, with a leading minus folded in."""
    if isinstance(e, ast.Literal):
        return [e]
    if isinstance(e, ast.Unary) and e.op == "neg" and isinstance(e.operand, ast.Literal) \
            and isinstance(e.operand.value, Decimal):
        return [ast.Literal(e.operand.kind, -e.operand.value, span=e.span)]
    if isinstance(e, ast.Lookup):
        values = [x.value for x in e.entries] + ([e.default] if e.default is not None else [])
    elif isinstance(e, ast.IfElse):
        values = [e.then, e.otherwise]
    elif isinstance(e, ast.Cases):
        values = [b.value for b in e.branches] + [e.default]
    elif isinstance(e, ast.Default):
        values = [e.value, e.fallback]
    else:
        return []
    return [leaf for v in values for leaf in _value_leaves(v)]


def _keyword(kind) -> str:
    return {ast.Coverage: "coverage", ast.CriticalIllness: "critical_illness", ast.Premium: "premium"}[kind]
