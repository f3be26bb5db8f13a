"""Typing policy expressions, for the checker.

Every expression gets a type (see :mod:`medpolicy.values` for the list);
members of enumerations are typed by the context that uses them (``none`` is
an assistance status next to ``person.assistance`` and a filing next to
``claim.filing``); facts are checked against where they may be read (no
``claim.*`` in a premium, no ``person.*`` in a constant, no counter in a
benefit's ``when``); definitions are typed once, with cycles reported.
:class:`TypeChecking` is mixed into the checker; it reports through the
checker's ``error``/``warning``.
"""
from __future__ import annotations

from typing import Iterable

from . import ast
from .diagnostics import did_you_mean
from .errors import EvaluationError
from .expressions import ScopedEnvironment, StepBudget
from .facts import BUILTIN_ENUMS, FACT_ROOTS
from .values import OPERATIONS, ORDERED

ERROR = "error"
FUNCTIONS = ("min", "max", "known")
UNSTATED_TYPES = ("money", "percent", "number", "months", "date")

# Which fact roots a context may read.
PERSON_CONTEXT = frozenset({"person", "policy"})
CLAIM_CONTEXT = frozenset({"person", "policy", "claim"})
CONSTANT_CONTEXT = frozenset({"policy"})


def base_type(t: str) -> str:
    return t[4:] if t.startswith("opt:") else t


def _is_sym(t: str) -> bool:
    return t.startswith("sym:")


def _sym(kinds: Iterable[str]) -> str:
    return "sym:" + ",".join(sorted(kinds))


def _kinds(t: str) -> set[str]:
    return set(t[4:].split(",")) if _is_sym(t) else ({t[5:]} if t.startswith("enum:") else set())


def describe_type(t: str) -> str:
    if t.startswith("opt:"):
        return f"{describe_type(t[4:])} (possibly absent)"
    if t.startswith("list:"):
        return f"a list of {describe_type(t[5:])}"
    if t.startswith("enum:"):
        return f"a {t[5:]}"
    if _is_sym(t):
        return "a member of " + " or ".join(sorted(_kinds(t)))
    return {"money": "money", "percent": "a percentage", "number": "a number", "months": "months",
            "date": "a date", "bool": "a true/false condition", "text": "text"}.get(t, t)


class ConstantEnvironment(ScopedEnvironment):
    """Evaluates constants: literals, parameters, and lets and lists of them.

    One environment (with those :meth:`in_file` derives from it) is one
    evaluation: they share one step budget, and a definition is evaluated
    once and then read from ``values`` -- its value cannot change within one
    evaluation, and re-evaluating a definition at every read costs time
    exponential in the length of a chain of lets that each read the previous
    one twice.  (The checker's environments forget notes, so nothing is lost
    by not re-evaluating.)
    """

    def __init__(self, checker, file: str, steps: StepBudget | None = None, values: dict | None = None):
        self.checker, self.scopes, self.file = checker, checker.scopes, file
        self.steps = steps if steps is not None else StepBudget(self.budget)
        self.values = values if values is not None else {}

    def in_file(self, file: str) -> "ConstantEnvironment":
        return ConstantEnvironment(self.checker, file, self.steps, self.values)

    def name(self, node: ast.Name):
        binding = self.scopes[self.file].get(node.name)
        if binding is None or binding.kind not in ("param", "let", "list"):
            return super().name(node)
        key = (binding.file, node.name)
        if key not in self.values:
            self.values[key] = super().name(node)
        return self.values[key]

    def other(self, binding, node):
        raise EvaluationError("not constant")

    def fact(self, root, field):
        header = self.checker.program.main.header
        if root == "policy" and isinstance(header, ast.PolicyHeader):
            year = header.year or (None, None)
            coll = header.collection or (None, None)
            return {"start": year[0], "end": year[1], "collection_start": coll[0], "collection_end": coll[1]}[field]
        raise EvaluationError("not constant")


class TypeChecking:
    """Expression typing; mixed into the checker, whose state it uses."""

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
            self.error("E204", f"{what} must be {describe_type(want)}, not {describe_type(t)}", expr.span,
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
                    self.error("E204", f"'not' needs a true/false condition, not {describe_type(t)}", e.operand.span)
                    return ERROR
                return "bool"
            if t not in ("money", "percent", "number", "months"):
                self.error("E204", f"cannot negate {describe_type(t)}", e.span)
                return ERROR
            return t
        if isinstance(e, ast.Binary):
            lt, rt = infer(e.left), infer(e.right)
            if ERROR in (lt, rt):
                return ERROR
            op = OPERATIONS.get((e.op, lt, rt))
            if op is None:
                self.error("E204", f"cannot compute {describe_type(lt)} {e.op} {describe_type(rt)}", e.span,
                           help=_binary_help(e.op, lt, rt))
                return ERROR
            return op[0]
        if isinstance(e, ast.Compare):
            lt, rt = infer(e.left), infer(e.right)
            if ERROR in (lt, rt):
                return "bool"
            if e.op in ("==", "!="):
                if self._unify(lt, rt, e.left, e.right) is None:
                    self.error("E204", f"cannot compare {describe_type(lt)} with {describe_type(rt)}", e.span)
            else:
                if lt.startswith("opt:") or rt.startswith("opt:"):
                    self.error("E205", "this value may be absent; give a fallback with `otherwise`", e.span,
                               help="e.g. `person.enrolled_on otherwise policy.start`")
                elif lt != rt or lt not in ORDERED:
                    self.error("E204", f"cannot order {describe_type(lt)} against {describe_type(rt)}", e.span)
            return "bool"
        if isinstance(e, ast.Member):
            it, ct = infer(e.item), infer(e.collection)
            if ERROR in (it, ct):
                return "bool"
            if not ct.startswith("list:"):
                self.error("E204", f"'in' needs a list on its right, not {describe_type(ct)}", e.collection.span)
            elif self._unify(base_type(it), ct[5:], e.item, e.collection) is None:
                self.error("E204", f"{describe_type(it)} cannot be in {describe_type(ct)}", e.span)
            return "bool"
        if isinstance(e, ast.Logic):
            for x in e.operands:
                t = infer(x)
                if t not in ("bool", ERROR):
                    self.error("E204", f"'{e.op}' needs true/false conditions, not {describe_type(t)}", x.span)
            return "bool"
        if isinstance(e, ast.IfElse):
            ct = infer(e.condition)
            if ct not in ("bool", ERROR):
                self.error("E204", f"'if' needs a true/false condition, not {describe_type(ct)}", e.condition.span)
            return self._join([infer(e.then), infer(e.otherwise)], [e.then, e.otherwise], e.span)
        if isinstance(e, ast.Default):
            vt, ft = infer(e.value), infer(e.fallback)
            if ERROR in (vt, ft):
                return ERROR
            if not vt.startswith("opt:"):
                self.warning("W201", "this value is never absent; `otherwise` has no effect", e.span)
            if base_type(vt) != base_type(ft):
                self.error("E204", f"the fallback is {describe_type(ft)}, but the value it replaces is {describe_type(base_type(vt))}",
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
                    self.error("E204", f"'when' needs a true/false condition, not {describe_type(ct)}", b.condition.span)
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
            if (target.name, e.name) == ("policy", "collection_end") and self._no_collection():
                self.error("E207", "policy.collection_end is read, but the policy header states no collection period",
                           e.span, help="add `collection START .. END` to the policy header")
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

    def _no_collection(self) -> bool:
        header = self.program.main.header
        return isinstance(header, ast.PolicyHeader) and header.collection is None

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
                       + ", ".join(describe_type(t) for t in types), e.span)
            return ERROR
        return types[0]

    def _infer_lookup(self, e: ast.Lookup, infer) -> str:
        kt = infer(e.key)
        if kt == ERROR:
            return ERROR
        base = base_type(kt)
        if not base.startswith("enum:"):
            self.error("E204", f"a table is looked up by a level, condition or other member, not {describe_type(kt)}",
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
        a0, b0 = base_type(a), base_type(b)
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
                self.error("E204", f"{describe_type(t)} mixed with {describe_type(result)}", node.span,
                           help="every branch and item must have the same type")
                return ERROR
            result = joined if not (t.startswith("opt:") or result.startswith("opt:")) else "opt:" + joined
        return result

    # -- benefits


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
