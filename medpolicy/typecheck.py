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
from .facts import BUILTIN_ENUMS, EARLIER_FIELDS, FACT_ROOTS
from .localize import msg
from .values import OPERATIONS, ORDERED

ERROR = "error"
FUNCTIONS = ("min", "max", "known", "end_of_year", "age")
UNSTATED_TYPES = ("money", "percent", "number", "months", "days", "date")

# Which fact roots a context may read.
PERSON_CONTEXT = frozenset({"person", "policy"})
CLAIM_CONTEXT = frozenset({"person", "policy", "claim"})
CONSTANT_CONTEXT = frozenset({"policy"})
# A `history` declaration reads the claim being paid and, as `earlier`, each earlier claim.
HISTORY_CONTEXT = frozenset({"person", "policy", "claim", "earlier"})
# What a history's `sum` may add up.
SUMMABLE = ("money", "number", "days")


def base_type(t: str) -> str:
    return t[4:] if t.startswith("opt:") else t


def _is_sym(t: str) -> bool:
    return t.startswith("sym:")


def _sym(kinds: Iterable[str]) -> str:
    return "sym:" + ",".join(sorted(kinds))


def _kinds(t: str) -> set[str]:
    return set(t[4:].split(",")) if _is_sym(t) else ({t[5:]} if t.startswith("enum:") else set())


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
        raise EvaluationError(msg("eval.not_constant"))

    def fact(self, root, field):
        header = self.checker.program.main.header
        if root == "policy" and isinstance(header, ast.PolicyHeader):
            year = header.year or (None, None)
            coll = header.collection or (None, None)
            value = {"start": year[0], "end": year[1], "collection_start": coll[0], "collection_end": coll[1]}[field]
            if value is None:
                raise HeaderFactMissing(msg("eval.not_constant"))
            return value
        raise EvaluationError(msg("eval.not_constant"))


class HeaderFactMissing(EvaluationError):
    """A constant reads ``policy.start`` (or another header date) that the header does not
    state: the header's own diagnostic (E106, E207) already says so, so nothing more is said."""


class TypeChecking:
    """Expression typing; mixed into the checker, whose state it uses."""

    def _type_definition(self, file: str, name: str) -> str:
        key = (file, name)
        if key in self.types:
            return self.types[key]
        binding = self.scopes[file][name]
        if key in self.in_progress:
            cycle = [n for _, n in self.in_progress[self.in_progress.index(key):]] + [name]
            self.error(msg("E203", name=name, cycle=cycle), binding.node.span, help=msg("E203.help"))
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
        """The type of ``expr``, reported if it is not ``want``; ``what`` is the clause key it stands in."""
        roots: set[str] = set()
        t = self._infer(expr, file, context, roots, counters=counters)
        if t == ERROR:
            return t
        if allow_unstated and t == "opt:" + want:
            return t
        if t != want and not (want.startswith("enum:") and self._unify(t, want)):
            self.error(msg("E204.expect", what=what, want=want, got=t), expr.span, help=_type_help(want, t))
            return ERROR
        return t

    def _infer(self, e: ast.Expr, file: str, context, roots: set, counters=False) -> str:
        infer = lambda x: self._infer(x, file, context, roots, counters)  # noqa: E731
        if isinstance(e, ast.Literal):
            return {"money": "money", "percent": "percent", "months": "months", "days": "days", "date": "date",
                    "number": "number", "text": "text", "bool": "bool"}[e.kind]
        if isinstance(e, ast.Name):
            return self._infer_name(e, file, context, roots, counters)
        if isinstance(e, ast.Attribute):
            return self._infer_attribute(e, file, context, roots, counters)
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
                    self.error(msg("E204.not", type=t), e.operand.span)
                    return ERROR
                return "bool"
            if t not in ("money", "percent", "number", "months", "days"):
                self.error(msg("E204.negate", type=t), e.span)
                return ERROR
            return t
        if isinstance(e, ast.Binary):
            lt, rt = infer(e.left), infer(e.right)
            if ERROR in (lt, rt):
                return ERROR
            op = OPERATIONS.get((e.op, lt, rt))
            if op is None:
                self.error(msg("E204.compute", left=lt, op=e.op, right=rt), e.span, help=_binary_help(e.op, lt, rt))
                return ERROR
            return op[0]
        if isinstance(e, ast.Compare):
            lt, rt = infer(e.left), infer(e.right)
            if ERROR in (lt, rt):
                return "bool"
            if e.op in ("==", "!="):
                if self._unify(lt, rt, e.left, e.right) is None:
                    self.error(msg("E204.compare", left=lt, right=rt), e.span)
            else:
                if lt.startswith("opt:") or rt.startswith("opt:"):
                    self.error(msg("E205.compare"), e.span, help=msg("E205.compare.help"))
                elif lt != rt or lt not in ORDERED:
                    help_ = msg("E204.order.days") if {lt, rt} == {"days", "number"} else None
                    self.error(msg("E204.order", left=lt, right=rt), e.span, help=help_)
            return "bool"
        if isinstance(e, ast.Member):
            it, ct = infer(e.item), infer(e.collection)
            if ERROR in (it, ct):
                return "bool"
            if not ct.startswith("list:"):
                self.error(msg("E204.in_list", type=ct), e.collection.span)
            elif self._unify(base_type(it), ct[5:], e.item, e.collection) is None:
                self.error(msg("E204.in_type", item=it, list=ct), e.span)
            return "bool"
        if isinstance(e, ast.Logic):
            for x in e.operands:
                t = infer(x)
                if t not in ("bool", ERROR):
                    self.error(msg("E204.logic", op=e.op, type=t), x.span)
            return "bool"
        if isinstance(e, ast.IfElse):
            ct = infer(e.condition)
            if ct not in ("bool", ERROR):
                self.error(msg("E204.if", type=ct), e.condition.span)
            return self._join([infer(e.then), infer(e.otherwise)], [e.then, e.otherwise], e.span)
        if isinstance(e, ast.Default):
            vt, ft = infer(e.value), infer(e.fallback)
            if ERROR in (vt, ft):
                return ERROR
            if not vt.startswith("opt:"):
                self.warning(msg("W201"), e.span)
            if base_type(vt) != base_type(ft):
                self.error(msg("E204.fallback", fallback=ft, value=base_type(vt)), e.fallback.span)
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
                    self.error(msg("E204.when", type=ct), b.condition.span)
                self._check_cite(b.cite, file)
            self._check_cite(e.default_cite, file)
            values = [b.value for b in e.branches] + [e.default]
            return self._join([infer(v) for v in values], values, e.span)
        raise AssertionError(type(e))  # pragma: no cover

    def _infer_name(self, e: ast.Name, file, context, roots, counters) -> str:
        scope = self.scopes[file]
        binding = scope.get(e.name)
        if binding is None:
            if e.name in FACT_ROOTS or e.name == "earlier":
                self.error(msg("E206", name=e.name, field=next(iter(FACT_ROOTS.get(e.name, EARLIER_FIELDS)))), e.span)
                return ERROR
            self.error(msg("E200.name", name=e.name), e.span, help=did_you_mean(e.name, list(scope)))
            return ERROR
        if binding.kind == "member":
            return _sym(binding.kinds)
        if binding.kind in ("param", "let", "list"):
            t = self._type_definition(file, e.name)
            used = self.roots_of.get((file, e.name), frozenset())
            roots.update(used)
            bad = used - context
            if bad:
                self.error(msg("E207.reads", name=e.name, facts=sorted(bad), context=_context_key(context)), e.span)
                return ERROR
            return t
        if binding.kind in ("counter", "history") and "earlier" in context:
            self.error(msg("E207.history_reads", name=e.name), e.span, help=msg("E207.history_reads.help"))
            return ERROR
        if binding.kind == "counter":
            if not counters:
                self.error(msg("E207.counter", name=e.name), e.span, help=msg("E207.counter.help"))
                return ERROR
            roots.add("counter")
            return "number"
        if binding.kind == "history":
            if not counters:
                self.error(msg("E207.history", name=e.name), e.span, help=msg("E207.history.help"))
                return ERROR
            roots.add("history")
            return self._type_history(binding.file, e.name)
        if binding.kind == "cap":
            self.error(msg("E204.shared_cap", name=e.name), e.span, help=msg("E204.shared_cap.help", name=e.name))
            return ERROR
        if binding.kind in ("deductible", "measure"):
            self.error(msg({"deductible": "E204.pool", "measure": "E204.measure"}[binding.kind], name=e.name), e.span)
            return ERROR
        self.error(msg("E204.module", name=e.name), e.span)
        return ERROR

    def _infer_attribute(self, e: ast.Attribute, file, context, roots, counters=False) -> str:
        target = e.target
        if isinstance(target, ast.Name) and target.name == "earlier":  # a reserved name: never a definition
            return self._infer_earlier(e, context, roots)
        if isinstance(target, ast.Name) and target.name in FACT_ROOTS and target.name not in self.scopes[file]:
            fields = FACT_ROOTS[target.name]
            if target.name not in context:
                self.error(msg("E207.fact", root=target.name, field=e.name, context=_context_key(context)), e.span,
                           help=msg("E207.fact.help"))
                return ERROR
            if e.name not in fields:
                self.error(msg("E200.field", root=target.name, field=e.name), e.span,
                           help=did_you_mean(e.name, fields) or msg("E200.field.help", fields=list(fields)))
                return ERROR
            if (target.name, e.name) == ("policy", "collection_end") and self._no_collection():
                self.error(msg("E207.collection_end"), e.span, help=msg("E207.collection_end.help"))
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
                    self.error(msg("E200.module", module=target.name, name=e.name), e.span,
                               help=did_you_mean(e.name, defs))
                    return ERROR
                return self._infer_name(ast.Name(e.name, span=e.span), binding.file, context, roots,
                                        counters and inner.kind == "history")
            if binding is None:
                self.error(msg("E200.name", name=target.name), target.span,
                           help=did_you_mean(target.name, list(self.scopes[file]) + list(FACT_ROOTS)))
                return ERROR
        self.error(msg("E204.attribute", name=e.name), e.span)
        return ERROR

    def _infer_earlier(self, e: ast.Attribute, context, roots) -> str:
        """``earlier.FIELD``: a field of one earlier claim, only inside a ``history`` declaration."""
        if "earlier" not in context:
            self.error(msg("E207.earlier", field=e.name), e.span, help=msg("E207.earlier.help", field=e.name))
            return ERROR
        if e.name not in EARLIER_FIELDS:
            self.error(msg("E200.field", root="earlier", field=e.name), e.span,
                       help=did_you_mean(e.name, EARLIER_FIELDS) or msg("E200.field.help",
                                                                         fields=list(EARLIER_FIELDS)))
            return ERROR
        roots.add("earlier")
        return EARLIER_FIELDS[e.name]

    def _type_history(self, file: str, name: str) -> str:
        """The type of a ``history`` declaration, checked once: ``count`` a number, ``sum`` the
        type it adds up (money, number or days), ``last`` the optional type of what it gives."""
        key = (file, name)
        if key in self.types:
            return self.types[key]
        node: ast.History = self.scopes[file][name].node
        if node.where is not None:
            self._expect(node.where, "bool", file, HISTORY_CONTEXT, "history_where")
        self._check_cite(node.cite, file)
        t = "number" if node.value is None else self._infer(node.value, file, HISTORY_CONTEXT, set())
        if t != ERROR and node.measure == "last":
            t = "opt:" + base_type(t)
        elif t != ERROR and node.measure == "sum" and t not in SUMMABLE:
            self.error(msg("E204.history_sum", type=t), node.value.span, help=msg("E204.history_sum.help"))
            t = ERROR
        self.types[key] = t
        return t

    def _no_collection(self) -> bool:
        header = self.program.main.header
        return isinstance(header, ast.PolicyHeader) and header.collection is None

    def _infer_call(self, e: ast.Call, types: list[str]) -> str:
        if e.function not in FUNCTIONS:
            self.error(msg("E200.function", name=e.function), e.span,
                       help=did_you_mean(e.function, FUNCTIONS) or msg("E200.function.help"))
            return ERROR
        if ERROR in types:
            return ERROR
        if e.function == "known":
            if len(types) != 1:
                self.error(msg("E208.known"), e.span)
            return "bool"
        if e.function == "end_of_year":
            if len(types) != 1:
                self.error(msg("E208.one", function=e.function), e.span)
                return ERROR
            if types[0] != "date":
                self.error(msg("E204.end_of_year", type=types[0]), e.span)
                return ERROR
            return "date"
        if e.function == "age":
            return self._infer_age(e, types)
        if len(types) < 2:
            self.error(msg("E208.count", function=e.function), e.span)
            return ERROR
        if any(t.startswith("opt:") for t in types):
            self.error(msg("E205.call", function=e.function), e.span)
            return ERROR
        if len(set(types)) != 1 or types[0] not in ORDERED:
            self.error(msg("E204.values", function=e.function, types=list(types)), e.span)
            return ERROR
        return types[0]

    def _infer_age(self, e: ast.Call, types: list[str]) -> str:
        """``age(birth, on)``: two dates, neither of which may be absent."""
        if len(types) != 2:
            self.error(msg("E208.age"), e.span)
            return ERROR
        if any(t.startswith("opt:") for t in types):
            self.error(msg("E205.call", function=e.function), e.span,
                       help=msg("E205.age.help"))
            return ERROR
        if types != ["date", "date"]:
            self.error(msg("E204.age", types=list(types)), e.span)
            return ERROR
        return "number"

    def _infer_lookup(self, e: ast.Lookup, infer) -> str:
        kt = infer(e.key)
        if kt == ERROR:
            return ERROR
        base = base_type(kt)
        if not base.startswith("enum:"):
            self.error(msg("E204.lookup", type=kt), e.key.span)
            return ERROR
        kind = base[5:]
        members = self._enum_members(kind)
        for entry in e.entries:
            if entry.key not in members:
                shown = [f'"{m}"' for m in members] if kind == "level" else list(members)
                self.error(msg("E209.member", key=entry.key, kind=kind), entry.span,
                           help=did_you_mean(entry.key, members) or msg("E209.member.help", kind=kind, members=shown))
        values = [x.value for x in e.entries] + ([e.default] if e.default is not None else [])
        return self._join([infer(v) for v in values], values, e.span)

    def _enum_members(self, kind: str) -> list[str]:
        if kind == "level":
            return list(self.levels)
        if kind == "condition":
            return list(self.conditions)
        if kind == "category":
            return list(self.categories)
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
                self.error(msg("E209.level", level=item.value), item.span,
                           help=did_you_mean(item.value, self.levels) or
                           msg("E209.level.help", levels=[f'"{x}"' for x in self.levels]))

    def _join(self, types: list[str], nodes: list, span) -> str:
        if ERROR in types:
            return ERROR
        result = types[0]
        for t, node in zip(types[1:], nodes[1:]):
            joined = self._unify(result, t, nodes[0], node)
            if joined is None:
                self.error(msg("E204.mixed", type=t, first=result), node.span, help=msg("E204.mixed.help"))
                return ERROR
            result = joined if not (t.startswith("opt:") or result.startswith("opt:")) else "opt:" + joined
        return result

    # -- benefits


def _context_key(context) -> str:
    """How a context is named in messages (``{x:context}``)."""
    if context == CONSTANT_CONTEXT:
        return "constant"
    if "claim" not in context:
        return "person"
    return "claim"


def _type_help(want: str, got: str):
    if want == "percent" and got == "number":
        return msg("E204.expect.percent")
    if want == "money" and got == "number":
        return msg("E204.expect.money")
    if want == "money" and got == "percent":
        return msg("E204.expect.share")
    return None


def _binary_help(op: str, lt: str, rt: str):
    if {lt, rt} == {"money", "percent"} and op in "+-":
        return msg("E204.compute.share")
    if {lt, rt} == {"percent", "number"} and op in "+-":
        return msg("E204.compute.points")
    if {lt, rt} == {"date", "number"} and op in "+-":
        return msg("E204.compute.duration")
    if (lt, rt) == ("date", "date"):
        return msg("E204.compute.dates")
    if "days" in (lt, rt):
        return msg("E204.compute.days")
    return None
