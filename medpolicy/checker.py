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

Benefit reachability is decided exactly by trying every combination of the
finite facts the conditions mention (care, level, condition, …).
"""
from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Iterable

from . import ast
from .diagnostics import Diagnostic, did_you_mean
from .errors import EvaluationError, PolicyError
from .expressions import Environment, evaluate
from .facts import BUILTIN_ENUMS, FACT_ROOTS
from .loader import Program
from .model import Binding, Policy
from .span import Span
from .values import OPERATIONS, ORDERED, Money, Percent

ERROR = "error"
FUNCTIONS = ("min", "max", "known")
UNSTATED_TYPES = ("money", "percent", "number", "months", "date")

# Which fact roots a context may read.
PERSON_CONTEXT = frozenset({"person", "policy"})
CLAIM_CONTEXT = frozenset({"person", "policy", "claim"})
CONSTANT_CONTEXT = frozenset({"policy"})


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


# ----------------------------------------------------------------- type helpers

def _base(t: str) -> str:
    return t[4:] if t.startswith("opt:") else t


def _is_sym(t: str) -> bool:
    return t.startswith("sym:")


def _sym(kinds: Iterable[str]) -> str:
    return "sym:" + ",".join(sorted(kinds))


def _kinds(t: str) -> set[str]:
    return set(t[4:].split(",")) if _is_sym(t) else ({t[5:]} if t.startswith("enum:") else set())


def _describe(t: str) -> str:
    if t.startswith("opt:"):
        return f"{_describe(t[4:])} (possibly absent)"
    if t.startswith("list:"):
        return f"a list of {_describe(t[5:])}"
    if t.startswith("enum:"):
        return f"a {t[5:]}"
    if _is_sym(t):
        return "a member of " + " or ".join(sorted(_kinds(t)))
    return {"money": "money", "percent": "a percentage", "number": "a number", "months": "months",
            "date": "a date", "bool": "a true/false condition", "text": "text"}.get(t, t)


class _ConstEnv(Environment):
    """Evaluates constants: literals, parameters and lets of them."""

    def __init__(self, checker: "_Checker", file: str):
        self.checker, self.file = checker, file

    def name(self, node):
        binding = self.checker.scopes[self.file].get(node.name)
        if binding is None:
            raise EvaluationError("unknown")
        if binding.kind == "member":
            return node.name
        if binding.kind == "param":
            if binding.node.value is None:
                return None
            return evaluate(binding.node.value, _ConstEnv(self.checker, binding.file))
        if binding.kind in ("let", "list"):
            value = binding.node.value if binding.kind == "let" else binding.node.items
            return evaluate(value, _ConstEnv(self.checker, binding.file))
        raise EvaluationError("not constant")

    def fact(self, root, field):
        header = self.checker.program.main.header
        if root == "policy" and isinstance(header, ast.PolicyHeader):
            year = header.year or (None, None)
            coll = header.collection or (None, None)
            return {"start": year[0], "end": year[1], "collection_start": coll[0], "collection_end": coll[1]}[field]
        raise EvaluationError("not constant")

    def qualified(self, alias, name, node):
        module_file = self.checker.scopes[self.file][alias].file
        return _ConstEnv(self.checker, module_file).name(ast.Name(name))


class _ProbeEnv(Environment):
    """Evaluates benefit conditions on one combination of finite facts."""

    def __init__(self, checker: "_Checker", file: str, point: dict):
        self.checker, self.file, self.point = checker, file, point

    def name(self, node):
        binding = self.checker.scopes[self.file][node.name]
        if binding.kind == "member":
            return node.name
        if binding.kind == "let":
            return evaluate(binding.node.value, _ProbeEnv(self.checker, binding.file, self.point))
        return _ConstEnv(self.checker, self.file).name(node)

    def fact(self, root, field):
        key = f"{root}.{field}"
        if key == "person.certified":
            return _CertifiedProbe(self.point.get("certified", False))
        if key in self.point:
            return self.point[key]
        return _ConstEnv(self.checker, self.file).fact(root, field)

    def qualified(self, alias, name, node):
        module_file = self.checker.scopes[self.file][alias].file
        return _ProbeEnv(self.checker, module_file, self.point).name(ast.Name(name))


class _CertifiedProbe(tuple):
    """Stands for ``person.certified``: whether the claim's condition is certified."""

    def __new__(cls, certified: bool):
        obj = super().__new__(cls, ())
        obj.certified = certified
        return obj

    def __contains__(self, item):
        return self.certified


# ------------------------------------------------------------------- checker

class _Checker:
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
            critical=next((d for d in decls if isinstance(d, ast.CriticalIllness)), None),
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
            for kind in (ast.Coverage, ast.CriticalIllness, ast.Premium):
                found = [d for d in file.decls if isinstance(d, kind)]
                for extra in found[1:]:
                    self.error("E101", f"the policy has more than one `{_keyword(kind)}` declaration", extra.span)

    # -- definitions (params, lets, lists), with cycle detection
    def _type_definition(self, file: str, name: str) -> str:
        key = (file, name)
        if key in self.types:
            return self.types[key]
        binding = self.scopes[file][name]
        if key in self.in_progress:
            cycle = " → ".join(n for _, n in self.in_progress[self.in_progress.index(key):]) + f" → {name}"
            self.error("E203", f"'{name}' is defined in terms of itself: {cycle}", binding.node.span,
                       help="definitions must not refer back to themselves")
            self.types[key] = ERROR
            return ERROR
        self.in_progress.append(key)
        node = binding.node
        roots: set[str] = set()
        if binding.kind == "param":
            if node.value is None:
                t = "opt:" + node.declared_type  # the parser admits only UNSTATED_TYPES
            else:
                t = self._infer(node.value, file, CONSTANT_CONTEXT, roots)
            self._check_cite(node.cite, file)
        elif binding.kind == "let":
            t = self._infer(node.value, file, CLAIM_CONTEXT, roots)
            self._check_cite(node.cite, file)
        else:  # list
            t = self._infer(node.items, file, CONSTANT_CONTEXT, roots)
        self.in_progress.pop()
        self.types[key] = t
        self.roots_of[key] = frozenset(roots)
        return t

    # -- expressions
    def _expect(self, expr, want: str, file: str, context, what: str, allow_unstated=False,
                counters=False) -> str:
        roots: set[str] = set()
        t = self._infer(expr, file, context, roots, counters=counters)
        if t == ERROR:
            return t
        if allow_unstated and t == "opt:" + want:
            return t
        if t != want and not (want.startswith("enum:") and self._unify(t, want)):
            self.error("E204", f"{what} must be {_describe(want)}, not {_describe(t)}", expr.span,
                       help=_type_help(want, t))
            return ERROR
        return t

    def _infer(self, e: ast.Expr, file: str, context, roots: set, counters=False) -> str:
        infer = lambda x: self._infer(x, file, context, roots, counters)  # noqa: E731
        if isinstance(e, ast.Literal):
            return {"money": "money", "percent": "percent", "months": "months", "date": "date",
                    "number": "number", "text": "text", "bool": "bool"}[e.kind]
        if isinstance(e, ast.Name):
            return self._infer_name(e, file, context, roots, counters)
        if isinstance(e, ast.Attribute):
            return self._infer_attribute(e, file, context, roots)
        if isinstance(e, ast.Unstated):
            return "unstated"
        if isinstance(e, ast.Call):
            return self._infer_call(e, [infer(a) for a in e.args])
        if isinstance(e, ast.Unary):
            t = infer(e.operand)
            if t == ERROR:
                return t
            if e.op == "not":
                if t != "bool":
                    self.error("E204", f"'not' needs a true/false condition, not {_describe(t)}", e.operand.span)
                    return ERROR
                return "bool"
            if t not in ("money", "percent", "number", "months"):
                self.error("E204", f"cannot negate {_describe(t)}", e.span)
                return ERROR
            return t
        if isinstance(e, ast.Binary):
            lt, rt = infer(e.left), infer(e.right)
            if ERROR in (lt, rt):
                return ERROR
            op = OPERATIONS.get((e.op, lt, rt))
            if op is None:
                self.error("E204", f"cannot compute {_describe(lt)} {e.op} {_describe(rt)}", e.span,
                           help=_binary_help(e.op, lt, rt))
                return ERROR
            return op[0]
        if isinstance(e, ast.Compare):
            lt, rt = infer(e.left), infer(e.right)
            if ERROR in (lt, rt):
                return "bool"
            if e.op in ("==", "!="):
                if self._unify(lt, rt, e.left, e.right) is None:
                    self.error("E204", f"cannot compare {_describe(lt)} with {_describe(rt)}", e.span)
            else:
                if lt.startswith("opt:") or rt.startswith("opt:"):
                    self.error("E205", "this value may be absent; give a fallback with `otherwise`", e.span,
                               help="e.g. `person.enrolled_on otherwise policy.start`")
                elif lt != rt or lt not in ORDERED:
                    self.error("E204", f"cannot order {_describe(lt)} against {_describe(rt)}", e.span)
            return "bool"
        if isinstance(e, ast.Member):
            it, ct = infer(e.item), infer(e.collection)
            if ERROR in (it, ct):
                return "bool"
            if not ct.startswith("list:"):
                self.error("E204", f"'in' needs a list on its right, not {_describe(ct)}", e.collection.span)
            elif self._unify(_base(it), ct[5:], e.item, e.collection) is None:
                self.error("E204", f"{_describe(it)} cannot be in {_describe(ct)}", e.span)
            return "bool"
        if isinstance(e, ast.Logic):
            for x in e.operands:
                t = infer(x)
                if t not in ("bool", ERROR):
                    self.error("E204", f"'{e.op}' needs true/false conditions, not {_describe(t)}", x.span)
            return "bool"
        if isinstance(e, ast.IfElse):
            ct = infer(e.condition)
            if ct not in ("bool", ERROR):
                self.error("E204", f"'if' needs a true/false condition, not {_describe(ct)}", e.condition.span)
            return self._join([infer(e.then), infer(e.otherwise)], [e.then, e.otherwise], e.span)
        if isinstance(e, ast.Default):
            vt, ft = infer(e.value), infer(e.fallback)
            if ERROR in (vt, ft):
                return ERROR
            if not vt.startswith("opt:"):
                self.warning("W201", "this value is never absent; `otherwise` has no effect", e.span)
            if _base(vt) != _base(ft):
                self.error("E204", f"the fallback is {_describe(ft)}, but the value it replaces is {_describe(_base(vt))}",
                           e.fallback.span)
                return ERROR
            return ft
        if isinstance(e, ast.ListExpr):
            if not e.items:
                return "list:sym:"
            return "list:" + self._join([infer(x) for x in e.items], list(e.items), e.span)
        if isinstance(e, ast.Lookup):
            return self._infer_lookup(e, infer)
        if isinstance(e, ast.Cases):
            for b in e.branches:
                ct = infer(b.condition)
                if ct not in ("bool", ERROR):
                    self.error("E204", f"'when' needs a true/false condition, not {_describe(ct)}", b.condition.span)
                self._check_cite(b.cite, file)
            self._check_cite(e.default_cite, file)
            values = [b.value for b in e.branches] + [e.default]
            return self._join([infer(v) for v in values], values, e.span)
        raise AssertionError(type(e))  # pragma: no cover

    def _infer_name(self, e: ast.Name, file, context, roots, counters) -> str:
        scope = self.scopes[file]
        binding = scope.get(e.name)
        if binding is None:
            if e.name in FACT_ROOTS:
                self.error("E206", f"'{e.name}' needs a field, e.g. {e.name}.{next(iter(FACT_ROOTS[e.name]))}",
                           e.span)
                return ERROR
            self.error("E200", f"unknown name '{e.name}'", e.span,
                       help=did_you_mean(e.name, list(scope)) or None)
            return ERROR
        if binding.kind == "member":
            return _sym(binding.kinds)
        if binding.kind in ("param", "let", "list"):
            t = self._type_definition(file, e.name)
            used = self.roots_of.get((file, e.name), frozenset())
            roots.update(used)
            bad = used - context
            if bad:
                self.error("E207", f"'{e.name}' uses {_facts(bad)}, which {_context_name(context)} cannot read",
                           e.span)
                return ERROR
            return t
        if binding.kind == "counter":
            if not counters:
                self.error("E207", f"counter '{e.name}' can be read only in a benefit's deductible, ratio or caps",
                           e.span, help="a benefit's `when` cannot depend on the year so far")
                return ERROR
            roots.add("counter")
            return "number"
        if binding.kind == "cap":
            self.error("E204", f"'{e.name}' is a shared cap; use it as `annual cap {e.name}`", e.span)
            return ERROR
        self.error("E204", f"'{e.name}' is an imported module; name one of its definitions, e.g. {e.name}.x",
                   e.span)
        return ERROR

    def _infer_attribute(self, e: ast.Attribute, file, context, roots) -> str:
        target = e.target
        if isinstance(target, ast.Name) and target.name in FACT_ROOTS and target.name not in self.scopes[file]:
            fields = FACT_ROOTS[target.name]
            if target.name not in context:
                self.error("E207", f"{target.name}.{e.name} cannot be read in {_context_name(context)}", e.span,
                           help="premiums, coverage and table selection are about the person; "
                                "parameters and bands are constants")
                return ERROR
            if e.name not in fields:
                self.error("E200", f"{target.name} has no field '{e.name}'", e.span,
                           help=did_you_mean(e.name, fields) or f"fields: {', '.join(fields)}")
                return ERROR
            roots.add(target.name)
            return fields[e.name]
        if isinstance(target, ast.Name):
            binding = self.scopes[file].get(target.name)
            if binding is not None and binding.kind == "module":
                module_scope = self.scopes.get(binding.file, {})
                inner = module_scope.get(e.name)
                if inner is None or inner.kind == "member":
                    defs = [n for n, b in module_scope.items() if b.kind != "member"]
                    self.error("E200", f"module '{target.name}' has no definition '{e.name}'", e.span,
                               help=did_you_mean(e.name, defs))
                    return ERROR
                return self._infer_name(ast.Name(e.name, span=e.span), binding.file, context, roots, False)
            if binding is None:
                self.error("E200", f"unknown name '{target.name}'", target.span,
                           help=did_you_mean(target.name, list(self.scopes[file]) + list(FACT_ROOTS)))
                return ERROR
        self.error("E204", f"'.{e.name}' can follow person, claim, policy or a module alias only", e.span)
        return ERROR

    def _infer_call(self, e: ast.Call, types: list[str]) -> str:
        if e.function not in FUNCTIONS:
            self.error("E200", f"unknown function '{e.function}'", e.span,
                       help=did_you_mean(e.function, FUNCTIONS) or "functions: min, max, known")
            return ERROR
        if ERROR in types:
            return ERROR
        if e.function == "known":
            if len(types) != 1:
                self.error("E208", "known(…) takes one value", e.span)
            return "bool"
        if len(types) < 2:
            self.error("E208", f"{e.function}(…) takes two or more values", e.span)
            return ERROR
        if any(t.startswith("opt:") for t in types):
            self.error("E205", f"a value given to {e.function} may be absent; give a fallback with `otherwise`",
                       e.span)
            return ERROR
        if len(set(types)) != 1 or types[0] not in ORDERED:
            self.error("E204", f"{e.function}(…) needs values of one orderable type, not "
                       + ", ".join(_describe(t) for t in types), e.span)
            return ERROR
        return types[0]

    def _infer_lookup(self, e: ast.Lookup, infer) -> str:
        kt = infer(e.key)
        if kt == ERROR:
            return ERROR
        base = _base(kt)
        if not base.startswith("enum:"):
            self.error("E204", f"a table is looked up by a level, condition or other member, not {_describe(kt)}",
                       e.key.span)
            return ERROR
        kind = base[5:]
        members = self._enum_members(kind)
        for entry in e.entries:
            if entry.key not in members:
                shown = [f'"{m}"' for m in members] if kind == "level" else members
                self.error("E209", f"'{entry.key}' is not a {kind}", entry.span,
                           help=did_you_mean(entry.key, members) or f"{kind}s: {', '.join(shown)}")
        values = [x.value for x in e.entries] + ([e.default] if e.default is not None else [])
        return self._join([infer(v) for v in values], values, e.span)

    def _enum_members(self, kind: str) -> list[str]:
        if kind == "level":
            return list(self.levels)
        if kind == "condition":
            return list(self.conditions)
        if kind == "benefit":
            return list(self.benefit_ids)
        return list(BUILTIN_ENUMS.get(kind, ()))

    def _unify(self, a: str, b: str, left=None, right=None) -> str | None:
        a0, b0 = _base(a), _base(b)
        if a0 == b0:
            return a0
        if ERROR in (a0, b0):
            return ERROR
        for x, y, lit in ((a0, b0, right), (b0, a0, left)):
            if x.startswith("enum:"):
                kind = x[5:]
                if _is_sym(y) and (kind in _kinds(y) or y == "sym:"):
                    return x
                if y == "text" and kind == "level":
                    self._check_level_literals(lit)
                    return x
        if _is_sym(a0) and _is_sym(b0):
            common = _kinds(a0) & _kinds(b0)
            return _sym(common) if common else None
        if a0.startswith("list:") and b0.startswith("list:"):
            inner = self._unify(a0[5:], b0[5:])
            return "list:" + inner if inner else None
        return None

    def _check_level_literals(self, expr) -> None:
        items = expr.items if isinstance(expr, ast.ListExpr) else [expr]
        for item in items:
            if isinstance(item, ast.Literal) and item.kind == "text" and item.value not in self.levels:
                self.error("E209", f"level \"{item.value}\" is not declared", item.span,
                           help=did_you_mean(item.value, self.levels) or
                           "levels: " + ", ".join(f'"{x}"' for x in self.levels))

    def _join(self, types: list[str], nodes: list, span) -> str:
        if ERROR in types:
            return ERROR
        result = types[0]
        for t, node in zip(types[1:], nodes[1:]):
            joined = self._unify(result, t, nodes[0], node)
            if joined is None:
                self.error("E204", f"{_describe(t)} mixed with {_describe(result)}", node.span,
                           help="every branch and item must have the same type")
                return ERROR
            result = joined if not (t.startswith("opt:") or result.startswith("opt:")) else "opt:" + joined
        return result

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
                if pt != ERROR and not _base(pt).startswith("enum:"):
                    self.error("E114", f"`for each` needs a level, condition or other member, not {_describe(pt)}",
                               cap.per.span)

    def _check_reachability(self, benefits: list[ast.Benefit], file: str) -> None:
        """Find benefits no claim can reach, and table rows that are missing."""
        whens = [b.when for b in benefits]
        facts = set()
        for w in whens:
            if not self._collect_finite(w, file, facts):
                return  # a condition reads a non-finite fact: nothing can be proved
        axes = [(name, self._domain(name)) for name in sorted(facts)]
        winners: dict[str, list[dict]] = {b.id: [] for b in benefits}
        matched: set[str] = set()
        for combo in itertools.product(*[values for _, values in axes]):
            point = {name: value for (name, _), value in zip(axes, combo)}
            env = _ProbeEnv(self, file, point)
            won = False
            for b in benefits:
                try:
                    hit = evaluate(b.when, env)
                except (EvaluationError, ArithmeticError, ValueError, OverflowError):
                    return  # a condition that cannot be probed proves nothing
                if hit:
                    matched.add(b.id)
                    if not won:
                        winners[b.id].append(point)
                        won = True
        for b in benefits:
            if b.id not in matched:
                self.error("E115", f"benefit '{b.id}' can never match: its `when` is false for every claim",
                           b.when.span, help="check the levels, care types and conditions it names")
            elif not winners[b.id]:
                self.error("E116", f"benefit '{b.id}' can never receive a claim: higher-priority benefits "
                           "take every claim it matches", b.span,
                           help="raise its priority or narrow the benefits above it")
        for b in benefits:
            if winners[b.id]:
                self._check_tables(b, winners[b.id], file)

    def _collect_finite(self, expr, file, facts: set) -> bool:
        """Gather the finite facts ``expr`` reads; False if it reads any other."""
        ok = True

        def walk(e):
            nonlocal ok
            if isinstance(e, ast.Attribute) and isinstance(e.target, ast.Name) and e.target.name in FACT_ROOTS:
                key = f"{e.target.name}.{e.name}"
                if key == "person.certified":
                    facts.add("certified")
                elif key in _FINITE:
                    facts.add(key)
                elif e.target.name != "policy":
                    ok = False
                return
            if isinstance(e, ast.Attribute) and isinstance(e.target, ast.Name):
                binding = self.scopes[file].get(e.target.name)
                if binding is not None and binding.kind == "module":
                    inner = self.scopes.get(binding.file, {}).get(e.name)
                    if inner is not None and inner.kind == "let":
                        ok = ok and self._collect_finite(inner.node.value, binding.file, facts)
                return
            if isinstance(e, ast.Name):
                binding = self.scopes[file].get(e.name)
                if binding is not None and binding.kind == "let":
                    ok = ok and self._collect_finite(binding.node.value, binding.file, facts)
                return
            for child in _children(e):
                walk(child)

        walk(expr)
        return ok

    def _domain(self, fact: str) -> list:
        if fact == "certified":
            return [False, True]
        root, field = fact.split(".")
        t = FACT_ROOTS[root][field]
        if t == "bool":
            return [False, True]
        values = self._enum_members(_base(t)[5:])
        return values + ([None] if t.startswith("opt:") else [])

    def _check_tables(self, b: ast.Benefit, points: list[dict], file: str) -> None:
        exprs = [b.ratio, b.visit_cap, b.deductible.amount if b.deductible else None]
        exprs += [c.amount for c in b.annual_caps] + [a.points for a in b.adjustments]
        for expr in exprs:
            if expr is None:
                continue
            for lookup in _lookups(expr):
                if lookup.default is not None or not isinstance(lookup.key, ast.Attribute):
                    continue
                key = f"{lookup.key.target.name}.{lookup.key.name}" if isinstance(lookup.key.target, ast.Name) else ""
                rows = {entry.key for entry in lookup.entries}
                if key in _FINITE and all(key in p for p in points):
                    needed = sorted({p[key] for p in points} - rows, key=str)
                elif key in _FINITE:
                    needed = sorted(set(self._domain(key)) - rows, key=str)
                else:
                    continue
                for value in needed:
                    shown = "absent" if value is None else (f'"{value}"' if key == "claim.level" else value)
                    self.error("E117", f"the table has no row for {key} = {shown}, which benefit '{b.id}' can receive",
                               lookup.span, help="add `else: …` (no row can name an absent value)" if value is None
                               else "add the row, or `else: …`")

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
            return evaluate(expr, _ConstEnv(self, file))
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


_FINITE = {f"claim.{f}" for f in ("care", "level", "condition", "pediatric", "location", "filing")} | {
    "person.assistance", "person.long_term_care"}


def _children(e) -> list:
    if isinstance(e, ast.Lookup):
        return [e.key] + [x.value for x in e.entries] + ([e.default] if e.default else [])
    if isinstance(e, ast.Cases):
        return [x for b in e.branches for x in (b.condition, b.value)] + [e.default]
    out = []
    for field in ("target", "operand", "left", "right", "item", "collection", "condition", "then",
                  "otherwise", "value", "fallback"):
        child = getattr(e, field, None)
        if isinstance(child, ast.Expr):
            out.append(child)
    for field in ("args", "operands", "items"):
        out.extend(getattr(e, field, ()) or ())
    return out


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


def _lookups(e) -> list[ast.Lookup]:
    found = [e] if isinstance(e, ast.Lookup) else []
    for child in _children(e):
        found.extend(_lookups(child))
    return found


def _keyword(kind) -> str:
    return {ast.Coverage: "coverage", ast.CriticalIllness: "critical_illness", ast.Premium: "premium"}[kind]


def _facts(roots) -> str:
    return " and ".join(f"{r} facts" if r != "counter" else "a counter" for r in sorted(roots))


def _context_name(context) -> str:
    if context == CONSTANT_CONTEXT:
        return "a constant"
    if "claim" not in context:
        return "a rule about the person (coverage, premium, table selection)"
    return "a benefit rule"


def _type_help(want: str, got: str) -> str | None:
    if want == "percent" and got == "number":
        return "write a percentage with %, e.g. 70%"
    if want == "money" and got == "number":
        return "write an amount with ¥, e.g. ¥100"
    if want == "money" and got == "percent":
        return "multiply by an amount to get money: ¥100 * 50%"
    return None


def _binary_help(op: str, lt: str, rt: str) -> str | None:
    if {lt, rt} == {"money", "percent"} and op in "+-":
        return "a percentage is a share of money: multiply (¥100 * 50%) rather than add"
    if {lt, rt} == {"percent", "number"} and op in "+-":
        return "to add percentage points, write them with %: 65% + 5%"
    return None
