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
from .model import Binding, Policy
from .reachability import Reachability, _children
from .span import Span
from .typecheck import (CLAIM_CONTEXT, CONSTANT_CONTEXT, ERROR, FUNCTIONS, PERSON_CONTEXT, TypeChecking,
                        base_type, ConstantEnvironment, describe_type)
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
    def error(self, code, message, span, help=None):
        self.diagnostics.append(Diagnostic(code, message, span, "error", help))

    def warning(self, code, message, span, help=None):
        self.diagnostics.append(Diagnostic(code, message, span, "warning", help))

    # -- driver
    def run(self) -> Policy | None:
        main = self.program.main
        if main.is_module:
            self.error("E100", f"'{main.path}' is a module; only a policy can be evaluated",
                       main.header.span, help="start the file with `policy ID { … }`")
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
                        self.error("E101", f"level \"{level.id}\" is declared twice", level.span)
                    self.levels[level.id] = level.name
            elif isinstance(decl, ast.Conditions):
                for cond in decl.conditions:
                    if cond.id in self.conditions:
                        self.error("E101", f"condition '{cond.id}' is declared twice", cond.span)
                    elif not cond.id.isascii() or cond.id.lower() != cond.id:
                        self.error("E104", f"condition id '{cond.id}' is not lower_snake_case English",
                                   cond.span, help="scenarios name conditions by this id; put the Chinese name in the string")
                    self.conditions[cond.id] = cond.name
            elif isinstance(decl, ast.Benefit):
                if decl.id in self.benefit_ids:
                    self.error("E101", f"benefit '{decl.id}' is declared twice", decl.span,
                               help=f"the first is at {self.benefit_ids[decl.id].span}")
                self.benefit_ids.setdefault(decl.id, decl)
        if not self.levels:
            self.error("E105", "the policy declares no institution levels", main.header.span,
                       help='add `levels { "1" "一级医疗机构" … }`')

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
                    self.error("E101", f"source '{decl.id}' is declared twice", decl.span)
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
                self.error("E101", f"'{name}' is a reserved name", decl.span)
                continue
            if name in defined:
                self.error("E101", f"'{name}' is defined twice", decl.span,
                           help=f"the first definition is at {defined[name]}")
                continue
            if name in scope:
                what = " and ".join(sorted(scope[name].kinds))
                self.error("E101", f"'{name}' is already the name of a member of {what}", decl.span,
                           help="choose another name for this definition")
                continue
            defined[name] = decl.span
            scope[name] = binding
        self.scopes[file.path] = scope

    def _check_header(self, header: ast.PolicyHeader) -> None:
        if header.year is None:
            self.error("E106", "the policy header has no `year START .. END`", header.span,
                       help="e.g. `year 2026-01-01 .. 2026-12-31`")
        elif header.year[0] > header.year[1]:
            self.error("E106", "the policy year ends before it starts", header.year_span or header.span)
        if not header.title:
            self.error("E106", "the policy header has no title", header.span, help='add `title "…"`')
        if header.collection and header.collection[0] and header.collection[0] > header.collection[1]:
            self.error("E106", "the collection period ends before it starts", header.collection_span or header.span)
        self._check_cite(header.collection_cite, self.program.main.path)
        self._check_cite(header.rounding_cite, self.program.main.path)

    def _check_cite(self, cite: ast.Cite | None, file: str) -> None:
        if cite is None:
            return
        if (file, cite.source) not in self.sources:
            known = [sid for (f, sid) in self.sources if f == file]
            self.error("E201", f"unknown source '{cite.source}'", cite.span,
                       help=did_you_mean(cite.source, known) or "declare it with `source ID \"title\" \"file\"`")

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
                self._expect(decl.amount, "money", file.path, CONSTANT_CONTEXT, "a cap amount", allow_unstated=True)
                self._check_sign(decl.amount, "a cap")
                self._check_cite(decl.cite, file.path)
            elif not is_main and isinstance(decl, (ast.Levels, ast.Conditions, ast.Benefit, ast.Coverage,
                                                   ast.Adjustment, ast.CriticalIllness, ast.Premium,
                                                   ast.Counter)):
                self.error("E107", "a module holds only sources, imports, params, lets and lists",
                           getattr(decl, "span", file.header.span),
                           help="move this declaration into the policy that imports the module")
            elif isinstance(decl, ast.Coverage):
                self._expect(decl.starts, "date", file.path, PERSON_CONTEXT, "coverage start")
                self._check_cite(decl.cite, file.path)
            elif isinstance(decl, ast.Adjustment):
                if decl.id in adjustments:
                    self.error("E101", f"adjustment '{decl.id}' is declared twice", decl.span,
                               help=f"the first is at {adjustments[decl.id]}")
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
                        self.error("E101", f"payer '{decl.id}' is declared twice", decl.span,
                                   help=f"the first is at {payer_ids[decl.id]}")
                    payer_ids.setdefault(decl.id, decl.span)
            for kind in (ast.Coverage, ast.CriticalIllness, ast.Premium):
                found = [d for d in file.decls if isinstance(d, kind)
                         and (kind is not ast.CriticalIllness or d.id == "critical_illness")]
                for extra in found[1:]:
                    self.error("E101", f"the policy has more than one `{_keyword(kind)}` declaration", extra.span)

    # -- definitions (params, lets, lists), with cycle detection

    # -- benefits
    def _check_benefits(self, main: ast.File) -> tuple[ast.Benefit, ...]:
        file = main.path
        benefits = [d for d in main.decls if isinstance(d, ast.Benefit)]
        if not benefits:
            self.error("E110", "the policy declares no benefit", main.header.span)
        priorities: dict[int, ast.Benefit] = {}
        for b in benefits:
            if b.priority is None:
                self.error("E111", f"benefit '{b.id}' has no priority", b.span,
                           help="add `priority N`; the highest-priority benefit that matches takes a claim")
            elif b.priority in priorities:
                self.error("E111", f"benefits '{priorities[b.priority].id}' and '{b.id}' share priority {b.priority}",
                           b.span, help="give each benefit its own priority, so each claim lands in exactly one")
            else:
                priorities[b.priority] = b
            if b.when is None:
                self.error("E112", f"benefit '{b.id}' has no `when` condition", b.span,
                           help="say which claims it covers, e.g. `when claim.care == inpatient`")
            else:
                self._expect(b.when, "bool", file, CLAIM_CONTEXT, "a benefit's `when`")
                for node in _walk(b.when):
                    if isinstance(node, ast.Attribute) and isinstance(node.target, ast.Name) \
                            and (node.target.name, node.name) == ("claim", "benefit"):
                        self.error("E207", "claim.benefit is known only once a benefit has taken the claim",
                                   node.span, help="a benefit's `when` decides that; use claim.care, claim.level, …")
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
                self.error("E113", f"benefit '{b.id}' pays nothing, yet has payment clauses", b.span,
                           help="remove `pays nothing` or the deductible/ratio/cap/counts clauses")
            return
        if b.ratio is None:
            self.error("E113", f"benefit '{b.id}' has no ratio", b.span,
                       help="add `ratio 70%`, or `pays nothing \"reason\"` for claims it excludes")
        else:
            self._expect(b.ratio, "percent", file, CLAIM_CONTEXT, "a ratio", counters=True)
            for leaf in _value_leaves(b.ratio):
                if leaf.kind == "percent" and not (0 <= leaf.value <= 100):
                    self.error("E128", f"a ratio of {leaf.value}% is outside 0%..100%", leaf.span,
                               help="a ratio is the share the fund pays")
        if b.deductible is not None:
            self._check_sign(b.deductible.amount, "a deductible")
        if b.visit_cap is not None:
            self._check_sign(b.visit_cap, "a cap")
        for cap in b.annual_caps:
            self._check_sign(cap.amount, "a cap")
        for counter in b.counts:
            binding = self.scopes[file].get(counter.name)
            if binding is None or binding.kind != "counter":
                counters = [n for n, x in self.scopes[file].items() if x.kind == "counter"]
                self.error("E200", f"unknown counter '{counter.name}'", counter.span,
                           help=did_you_mean(counter.name, counters) or "declare it with `counter ID \"label\"`")
        if b.deductible is not None:
            self._expect(b.deductible.amount, "money", file, CLAIM_CONTEXT, "a deductible", counters=True)
            self._check_cite(b.deductible.cite, file)
        for adj in b.adjustments:
            self._expect(adj.points, "percent", file, CLAIM_CONTEXT, "an adjustment", counters=True)
            if adj.when is not None:
                self._expect(adj.when, "bool", file, CLAIM_CONTEXT, "an adjustment's `when`", counters=True)
            self._check_cite(adj.cite, file)
        if b.visit_cap is not None:
            self._expect(b.visit_cap, "money", file, CLAIM_CONTEXT, "a visit cap", counters=True,
                         allow_unstated=True)
        for cap in b.annual_caps:
            self._check_cite(cap.cite, file)
            if isinstance(cap.amount, ast.Name) and self.scopes[file].get(cap.amount.name, Binding("")).kind == "cap":
                if cap.per is not None:
                    self.error("E114", "a shared cap cannot be split `for each`", cap.per.span,
                               help="declare the amounts in the benefit: `annual cap by … for each …`")
                continue
            self._expect(cap.amount, "money", file, CLAIM_CONTEXT, "an annual cap", allow_unstated=True)
            if cap.per is not None:
                pt = self._infer(cap.per, file, CLAIM_CONTEXT, set())
                if pt != ERROR and not base_type(pt).startswith("enum:"):
                    self.error("E114", f"`for each` needs a level, condition or other member, not {describe_type(pt)}",
                               cap.per.span)

    def _check_sign(self, expr, what: str = "an amount") -> None:
        """Report negative money written where only a non-negative amount makes sense."""
        for leaf in _value_leaves(expr):
            if leaf.kind == "money" and leaf.value < 0:
                self.error("E129", f"{what} cannot be negative ({leaf.value} yuan)", leaf.span,
                           help="write the amount without a minus sign")

    # -- other declarations
    def _check_adjustment(self, adj: ast.Adjustment, file: str) -> None:
        for name in adj.benefits or ():
            if name.name not in self.benefit_ids:
                self.error("E200", f"unknown benefit '{name.name}'", name.span,
                           help=did_you_mean(name.name, self.benefit_ids))
        if adj.when is not None:
            self._expect(adj.when, "bool", file, CLAIM_CONTEXT, "an adjustment's `when`")
        self._expect(adj.ratio, "percent", file, CLAIM_CONTEXT, "an adjustment's ratio")
        self._check_cite(adj.cite, file)

    def _check_critical(self, ci: ast.CriticalIllness, file: str) -> None:
        if ci.covers is None:
            self.error("E120", "critical_illness has no `covers` condition", ci.span,
                       help="say which claims' burden it takes, e.g. `covers claim.benefit in [inpatient]`")
        else:
            self._expect(ci.covers, "bool", file, CLAIM_CONTEXT, "`covers`")
        self._check_cite(ci.covers_cite, file)
        if not ci.tables:
            self.error("E120", "critical_illness has no table", ci.span)
        for i, table in enumerate(ci.tables):
            if table.when is None and i != len(ci.tables) - 1:
                self.error("E121", "an `otherwise` table must come last", table.span)
            if table.when is not None:
                self._expect(table.when, "bool", file, PERSON_CONTEXT, "a table's `when`")
            self._check_bands(table, file)
        if ci.tables and all(t.when is not None for t in ci.tables):
            self.warning("W120", "no `otherwise` table: people no table admits get nothing from critical illness",
                         ci.span)

    def _const(self, expr, file, want, what, allow_unstated=False):
        before = len(self.diagnostics)
        t = self._expect(expr, want, file, CONSTANT_CONTEXT, what, allow_unstated=allow_unstated)
        if t == ERROR or any(d.severity == "error" for d in self.diagnostics[before:]):
            return None  # already reported: say nothing more about this expression
        try:
            return evaluate(expr, ConstantEnvironment(self, file))
        except EvaluationError:
            self.error("E122", f"{what} must be a constant", expr.span)
            return None
        except (ArithmeticError, ValueError, OverflowError):
            self.error("E127", f"{what} is out of range", expr.span)
            return None

    def _check_bands(self, table: ast.CITable, file: str) -> None:
        for cite in (table.deductible_cite, table.cap_cite):
            self._check_cite(cite, file)
        deductible = Money(Decimal(0))
        if table.deductible is not None:
            deductible = self._const(table.deductible, file, "money", "a deductible")
            self._check_sign(table.deductible, "a deductible")
        if table.cap is not None:
            self._const(table.cap, file, "money", "a cap", allow_unstated=True)
            self._check_sign(table.cap, "a cap")
        if not table.bands:
            self.error("E123", f'table "{table.title}" has no band', table.span)
            return
        # When the deductible itself is in error, where the bands start cannot be judged.
        expected = Money(Decimal(0)) if table.measure == "above_deductible" else deductible
        for i, band in enumerate(table.bands):
            self._check_cite(band.cite, file)
            low = self._const(band.low, file, "money", "a band's lower bound")
            high = self._const(band.high, file, "money", "a band's upper bound") if band.high is not None else None
            rate = self._const(band.rate, file, "percent", "a band's rate")
            if rate is not None and not (Decimal(0) <= rate.points <= Decimal(100)):
                self.error("E124", f"a band pays {rate}, outside 0%..100%", band.rate.span)
            if low is None or (band.high is not None and high is None):
                continue
            if high is not None and high <= low:
                self.error("E125", f"band {low} .. {high} is empty or reversed", band.span)
            if expected is not None and low != expected:
                where = f"the deductible {expected}" if i == 0 and table.measure == "absolute" else (
                    f"{expected}, where bands measured above the deductible start" if i == 0
                    else f"the previous band's end {expected}")
                kind = "overlaps" if low < expected else "leaves a gap after"
                self.error("E126", f"band starting at {low} {kind} {where}", band.low.span,
                           help="bands must follow each other without gaps or overlaps")
            if high is None and i != len(table.bands) - 1:
                self.error("E126", "an open band (`band above …`) must be the last", band.span)
            expected = high

    def _check_premium(self, premium: ast.Premium, file: str) -> None:
        for item in premium.items:
            if item.when is not None:
                self._expect(item.when, "bool", file, PERSON_CONTEXT, "a premium item's `when`")
            if not any(case.when is None for case in item.cases):
                self.error("E130", f'premium item "{item.title}" has no `else` case', item.span,
                           help="end the item with `else: ¥…` (or `else: unstated`)")
            seen_else = False
            for case in item.cases:
                if seen_else:
                    self.error("E131", "this case comes after `else` and can never apply", case.span,
                               help="move `else` to the end of the item")
                seen_else = seen_else or case.when is None
                if case.when is not None:
                    self._expect(case.when, "bool", file, PERSON_CONTEXT, "a premium case's `when`")
                if not isinstance(case.value, ast.Unstated):
                    self._expect(case.value, "money", file, PERSON_CONTEXT, "a premium")
                    self._check_sign(case.value, "a premium")
                self._check_cite(case.cite, file)


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
