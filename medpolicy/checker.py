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
the checker here, which walks the declarations and builds the model.  The
checks of each kind of clause live in its rule unit (``check_*`` in
:mod:`medpolicy.rules`); the checker calls them in order and hands itself
over through :class:`medpolicy.rules.checking.Checker`.
"""
from __future__ import annotations

from decimal import Decimal

import attrs

from . import ast
from .diagnostics import Diagnostic, did_you_mean
from .errors import PolicyError
from .expressions import evaluate
from .facts import BUILTIN_ENUMS
from .loader import Program
from .localize import Message, msg
from .model import Binding, Policy
from .reachability import Reachability, _children
from .rules.benefit import check_benefit
from .rules.caps import check_cap_decl, check_caps
from .rules.checking import check_sign
from .rules.coverage import check_coverage, check_coverage_end
from .rules.deductible import check_deductible, check_deductible_pool
from .rules.fixed import check_pays
from .rules.grouping import check_grouping
from .rules.payer import check_payer
from .rules.settlement import check_settlement
from .rules.premium import check_premium
from .rules.ratio import check_adjust_clauses, check_adjustment, check_ratio
from .span import Span
from .typecheck import CLAIM_CONTEXT, FUNCTIONS, ConstantEnvironment, TypeChecking


def check(program: Program, lint: bool = False) -> Policy:
    """Check ``program``; return the evaluable policy or raise PolicyError.

    With ``lint``, a policy that checks is then linted (:mod:`medpolicy.lints`) and
    the lints' warnings follow the checker's own in ``warnings``.  ``medpolicy check``
    lints; loading a policy to evaluate it does not, as lints change no figure.
    """
    checker = _Checker(program)
    policy = checker.run()
    errors = [d for d in checker.diagnostics if d.severity == "error"]
    if errors or policy is None:
        raise PolicyError(sorted(checker.diagnostics, key=_order), program.texts)
    if lint:
        from .lints import lint as run_lints

        found = run_lints(policy, program, checker.constant, checker.dead_rows)
        policy = attrs.evolve(policy, warnings=policy.warnings + tuple(found))
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
        self.categories: dict[str, str] = {}
        self.benefit_ids: dict[str, ast.Benefit] = {}
        self.types: dict[tuple[str, str], str] = {}   # (file, let/param id) → type
        self.in_progress: list[tuple[str, str]] = []
        self.roots_of: dict[tuple[str, str], frozenset] = {}

    # -- reporting
    def error(self, message: Message, span: Span, help: Message | None = None) -> None:
        self.diagnostics.append(Diagnostic.of(message, span, "error", help))

    def warning(self, message: Message, span: Span, help: Message | None = None) -> None:
        self.diagnostics.append(Diagnostic.of(message, span, "warning", help))

    # -- what the rule units' checks call (medpolicy.rules.checking.Checker documents each)
    expect = TypeChecking._expect

    def infer(self, expr: ast.Expr, file: str, context: frozenset) -> str:
        return self._infer(expr, file, context, set())

    def check_cite(self, cite: ast.Cite | None, file: str) -> None:
        self._check_cite(cite, file)

    def kind(self, file: str, name: str) -> str | None:
        binding = self.scopes[file].get(name)
        return binding.kind if binding is not None else None

    def names(self, file: str, kind: str) -> list[str]:
        return [name for name, binding in self.scopes[file].items() if binding.kind == kind]

    def benefits(self) -> list[str]:
        return list(self.benefit_ids)

    def adjustments(self) -> list[ast.Adjustment]:
        return [d for d in self.program.main.decls if isinstance(d, ast.Adjustment)]

    def constant(self, expr: ast.Expr, file: str):
        return evaluate(expr, ConstantEnvironment(self, file))

    def error_count(self) -> int:
        return sum(d.severity == "error" for d in self.diagnostics)

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
            levels=dict(self.levels), conditions=dict(self.conditions), categories=dict(self.categories),
            benefits=benefits,
            counters={d.id: d for d in decls if isinstance(d, ast.Counter)},
            histories=tuple(b.node for scope in self.scopes.values() for b in scope.values() if b.kind == "history"),
            caps={d.id: d for d in decls if isinstance(d, ast.CapDecl)},
            deductible_pools={d.id: d for d in decls if isinstance(d, ast.DeductiblePool)},
            measures={d.id: d for d in decls if isinstance(d, ast.Measure)},
            adjustments=tuple(d for d in decls if isinstance(d, ast.Adjustment)),
            coverage=next((d for d in decls if isinstance(d, ast.Coverage)), None),
            coverage_end=next((d for d in decls if isinstance(d, ast.CoverageEnd)), None),
            critical=next((d for d in decls if isinstance(d, ast.CriticalIllness) and d.id == "critical_illness"),
                          None),
            payers=tuple(d for d in decls if isinstance(d, ast.CriticalIllness)),
            settlements=tuple(d for d in decls if isinstance(d, ast.Settlement)),
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
            elif isinstance(decl, ast.Categories):
                for category in decl.categories:
                    if category.id in self.categories:
                        self.error(msg("E101.category", category=category.id), category.span)
                    elif not category.id.isascii() or category.id.lower() != category.id:
                        self.error(msg("E104.category", category=category.id), category.span,
                                   help=msg("E104.category.help"))
                    self.categories[category.id] = category.name
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
            for name in self.categories:
                members.setdefault(name, set()).add("category")
            for name in self.benefit_ids:
                members.setdefault(name, set()).add("benefit")
        return members

    def _build_scope(self, file: ast.File) -> None:
        scope: dict[str, Binding] = {}
        for name, kinds in self._members(file is self.program.main).items():
            scope[name] = Binding("member", None, file.path, frozenset(kinds))
        defined: dict[str, Span] = {}
        kinds_of = {ast.Param: "param", ast.Let: "let", ast.ListDecl: "list", ast.Counter: "counter",
                    ast.History: "history", ast.CapDecl: "cap", ast.DeductiblePool: "deductible",
                    ast.Measure: "measure"}
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
            if name in ("person", "claim", "policy", "earlier") or name in FUNCTIONS:
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
        if header.rounding and header.rounding[1] <= 0:
            self.error(msg("E106.rounding_unit"), header.span, help=msg("E106.rounding_unit.help"))
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
        settlements: dict[str, Span] = {}
        for decl in file.decls:
            if isinstance(decl, (ast.Param, ast.Let, ast.ListDecl, ast.CapDecl, ast.History, ast.DeductiblePool,
                                 ast.Measure)) and \
                    getattr(scope.get(decl.id), "node", None) is not decl:
                continue  # its name was refused (reported when the scope was built)
            if isinstance(decl, (ast.Param, ast.Let, ast.ListDecl)):
                self._type_definition(file.path, decl.id)
                if isinstance(decl, ast.ListDecl):
                    self._check_cite(decl.cite, file.path)
                if isinstance(decl, ast.Param) and decl.value is not None:
                    check_sign(self, decl.value)
            elif isinstance(decl, ast.History):
                self._type_history(file.path, decl.id)
            elif isinstance(decl, ast.CapDecl):
                check_cap_decl(self, decl, file.path)
            elif not is_main and isinstance(decl, (ast.DeductiblePool, ast.Measure)):
                self.error(msg("E107"), decl.span, help=msg("E107.help"))
            elif isinstance(decl, ast.DeductiblePool):
                check_deductible_pool(self, decl, file.path)
            elif isinstance(decl, ast.Measure):
                self._check_cite(decl.cite, file.path)
            elif not is_main and isinstance(decl, (ast.Levels, ast.Conditions, ast.Categories, ast.Benefit,
                                                   ast.Coverage, ast.Adjustment, ast.CriticalIllness, ast.Premium,
                                                   ast.Counter, ast.Settlement, ast.CoverageEnd)):
                self.error(msg("E107"), getattr(decl, "span", file.header.span), help=msg("E107.help"))
            elif isinstance(decl, ast.Coverage):
                check_coverage(self, decl, file.path)
            elif isinstance(decl, ast.CoverageEnd):
                check_coverage_end(self, decl, file.path)
            elif isinstance(decl, ast.Adjustment):
                self._declared_once(adjustments, decl, msg("E101.adjustment", adjustment=decl.id))
                check_adjustment(self, decl, file.path)
            elif isinstance(decl, ast.CriticalIllness):
                check_payer(self, decl, file.path)
            elif isinstance(decl, ast.Premium):
                check_premium(self, decl, file.path)
            elif isinstance(decl, ast.Settlement):
                self._declared_once(settlements, decl, msg("E101.settlement", settlement=decl.id))
                check_settlement(self, decl, file.path)
        if is_main:
            payer_ids: dict[str, Span] = {}
            for decl in file.decls:
                if isinstance(decl, ast.CriticalIllness) and decl.id != "critical_illness":
                    self._declared_once(payer_ids, decl, msg("E101.payer", payer=decl.id))
            for kind in (ast.Coverage, ast.CoverageEnd, ast.CriticalIllness, ast.Premium, ast.Categories):
                found = [d for d in file.decls if isinstance(d, kind)
                         and (kind is not ast.CriticalIllness or d.id == "critical_illness")]
                for extra in found[1:]:
                    self.error(msg("E101.declaration", keyword=_keyword(kind)), extra.span)

    def _declared_once(self, seen: dict[str, Span], decl, message: Message) -> None:
        """Report ``message`` (E101) if a declaration of this kind already took ``decl.id``."""
        if decl.id in seen:
            self.error(message, decl.span, help=msg("help.first_at", where=str(seen[decl.id])))
        seen.setdefault(decl.id, decl.span)

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
        """One benefit's clauses, each by its unit (its priority and ``when`` are checked above).

        Keep the order: a policy that checks lists its warnings in the order they are
        found, and the ratio, the deductible, the adjustments then the caps is that order.
        """
        self._check_cite(b.when_cite, file)
        check_grouping(self, b, file)
        if not check_benefit(self, b, file):
            return  # it pays nothing: its payment clauses, if any, are reported (E113), not checked
        check_ratio(self, b, file)
        check_pays(self, b, file)
        check_deductible(self, b, file)
        check_adjust_clauses(self, b, file)
        check_caps(self, b, file)


def _walk(e):
    """Every node of an expression, the expression first."""
    yield e
    for child in _children(e):
        yield from _walk(child)


def _keyword(kind) -> str:
    return {ast.Coverage: "coverage starts", ast.CoverageEnd: "coverage ends", ast.CriticalIllness: "critical_illness",
            ast.Premium: "premium", ast.Categories: "categories"}[kind]
