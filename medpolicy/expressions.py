"""Evaluating one expression.

:func:`evaluate` computes the value of a checked expression in an
environment that supplies names and facts (see :class:`Environment`).  The
checker uses it to fold constants and to test benefit conditions over every
combination of finite facts; the evaluator uses it on real claims.  While
evaluating, the environment is told which table row, branch or counter
decided the value (:meth:`Environment.note`), which is what the statement
prints as the step's detail.

Evaluation always terminates: expressions are trees, names cannot be
defined in terms of themselves (the checker rejects cycles), and every node
visited counts against the step budget (:class:`StepBudget`) that the
environments of one top-level evaluation share.
"""
from __future__ import annotations

from decimal import Decimal

from . import ast
from .errors import EvaluationError
from .localize import msg
from .values import NEGATE, OPERATIONS, ZERO, Days, Money, Months, Percent, age, end_of_year, show


class StepBudget:
    """The steps left to one top-level evaluation.

    An environment derived from another (:meth:`ScopedEnvironment.in_file`,
    used for every definition read) must hand on the same budget, so that the
    limit bounds the whole evaluation rather than restarting in each file or
    definition.
    """

    def __init__(self, steps: int):
        self.left = steps

    def spend(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise EvaluationError(msg("eval.steps"))


class Environment:
    """What an expression can see.  Subclasses supply the three lookups."""

    budget: int = 100_000
    """Steps allowed to one top-level evaluation (the size of a fresh :class:`StepBudget`)."""
    steps: "StepBudget | None" = None
    """The budget being spent; environments derived from this one share it."""

    def name(self, node: ast.Name):  # pragma: no cover - abstract
        raise NotImplementedError

    def fact(self, root: str, field: str):  # pragma: no cover - abstract
        raise NotImplementedError

    def qualified(self, alias: str, name: str, node: ast.Attribute):  # pragma: no cover - abstract
        raise NotImplementedError

    def note(self, text: str) -> None:
        """Record what decided a value; the default forgets it."""

    def tick(self) -> None:
        if self.steps is None:
            self.steps = StepBudget(self.budget)
        self.steps.spend()


class ScopedEnvironment(Environment):
    """Resolves names through the scopes the checker builds (file → name → binding).

    Parameters, lets and lists are evaluated in the scope of the file that
    declares them, so a module's definitions see the module's names.
    Subclasses say where facts come from (:meth:`fact`), how to look at
    another file's scope (:meth:`in_file`, which hands on the step budget)
    and what other bindings (such as counters) are worth (:meth:`other`).
    """

    scopes: dict
    file: str

    def in_file(self, file: str) -> "ScopedEnvironment":  # pragma: no cover - abstract
        raise NotImplementedError

    def other(self, binding, node: ast.Name):
        raise EvaluationError(msg("eval.no_value", name=node.name))

    def name(self, node: ast.Name):
        binding = self.scopes[self.file].get(node.name)
        if binding is None:  # the checker reports unknown names first
            raise EvaluationError(msg("eval.unknown_name", name=node.name))
        if binding.kind == "member":
            return node.name
        if binding.kind == "param":
            return None if binding.node.value is None else evaluate(binding.node.value, self.in_file(binding.file))
        if binding.kind == "let":
            value = evaluate(binding.node.value, self.in_file(binding.file))
            self.note(f"{node.name} = {show(value)}")
            return value
        if binding.kind == "list":
            return evaluate(binding.node.items, self.in_file(binding.file))
        return self.other(binding, node)

    def qualified(self, alias: str, name: str, node: ast.Attribute):
        return self.in_file(self.scopes[self.file][alias].file).name(ast.Name(name, span=node.span))


def type_of(value) -> str:
    if isinstance(value, Money):
        return "money"
    if isinstance(value, Percent):
        return "percent"
    if isinstance(value, Months):
        return "months"
    if isinstance(value, Days):
        return "days"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, Decimal):
        return "number"
    return type(value).__name__


def evaluate(expr: ast.Expr, env: Environment):
    env.tick()
    method = _DISPATCH.get(type(expr))
    if method is None:  # pragma: no cover - the parser builds no other node
        raise EvaluationError(msg("eval.unknown_node", node=type(expr).__name__))
    return method(expr, env)


def _literal(e: ast.Literal, env):
    if e.kind == "money":
        return Money(e.value)
    if e.kind == "percent":
        return Percent(e.value)
    if e.kind == "months":
        return Months(e.value)
    if e.kind == "days":
        return Days(e.value)
    return e.value


def _name(e: ast.Name, env):
    return env.name(e)


def _attribute(e: ast.Attribute, env):
    target = e.target
    # `earlier` (inside a history) is a fact no environment here has: never a constant.
    if isinstance(target, ast.Name) and target.name in ("person", "claim", "policy", "earlier"):
        return env.fact(target.name, e.name)
    if isinstance(target, ast.Name):
        return env.qualified(target.name, e.name, e)
    raise EvaluationError(msg("eval.attribute", name=e.name))  # the checker forbids it


def _call(e: ast.Call, env):
    args = [evaluate(a, env) for a in e.args]
    if e.function in ("min", "max"):
        pick = min if e.function == "min" else max
        return pick(args)
    if e.function == "known":
        return args[0] is not None
    if e.function == "end_of_year":
        return end_of_year(args[0])
    if e.function == "age":
        return age(*args)
    raise EvaluationError(msg("eval.unknown_function", name=e.function))  # the checker forbids it


def _unary(e: ast.Unary, env):
    value = evaluate(e.operand, env)
    if e.op == "not":
        return not value
    return NEGATE[type_of(value)](value)


def _binary(e: ast.Binary, env):
    left, right = evaluate(e.left, env), evaluate(e.right, env)
    _, fn = OPERATIONS[(e.op, type_of(left), type_of(right))]
    return fn(left, right)


_COMPARE = {
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}


def _compare(e: ast.Compare, env):
    left, right = evaluate(e.left, env), evaluate(e.right, env)
    if e.op in ("==", "!="):
        return _COMPARE[e.op](left, right)
    if left is None or right is None:
        return False
    return _COMPARE[e.op](left, right)


def _member(e: ast.Member, env):
    item = evaluate(e.item, env)
    collection = evaluate(e.collection, env)
    found = item is not None and item in collection
    return not found if e.negated else found


def _logic(e: ast.Logic, env):
    if e.op == "and":
        return all(evaluate(x, env) for x in e.operands)
    return any(evaluate(x, env) for x in e.operands)


def _if(e: ast.IfElse, env):
    if evaluate(e.condition, env):
        return evaluate(e.then, env)
    return evaluate(e.otherwise, env)


def _default(e: ast.Default, env):
    value = evaluate(e.value, env)
    return evaluate(e.fallback, env) if value is None else value


def _list(e: ast.ListExpr, env):
    return tuple(evaluate(x, env) for x in e.items)


def _lookup(e: ast.Lookup, env):
    key = evaluate(e.key, env)
    for entry in e.entries:
        if entry.key == key:
            value = evaluate(entry.value, env)
            env.note(f"{_describe_key(e.key)} {show(key)} → {show(value)}")
            return value
    if e.default is None:
        raise EvaluationError(msg("eval.no_row", key=show(key)))  # the checker proves this unreachable
    value = evaluate(e.default, env)
    env.note(f"{_describe_key(e.key)} {show(key)} → {show(value)} (else)")
    return value


def _cases(e: ast.Cases, env):
    for branch in e.branches:
        if evaluate(branch.condition, env):
            return evaluate(branch.value, env)
    return evaluate(e.default, env)


def _unstated(e: ast.Unstated, env):
    return None


def _describe_key(expr: ast.Expr) -> str:
    if isinstance(expr, ast.Attribute):
        return expr.name
    if isinstance(expr, ast.Name):
        return expr.name
    return "key"


_DISPATCH = {
    ast.Literal: _literal, ast.Name: _name, ast.Attribute: _attribute, ast.Call: _call,
    ast.Unary: _unary, ast.Binary: _binary, ast.Compare: _compare, ast.Member: _member,
    ast.Logic: _logic, ast.IfElse: _if, ast.Default: _default, ast.ListExpr: _list,
    ast.Lookup: _lookup, ast.Cases: _cases, ast.Unstated: _unstated,
}

__all__ = ["Environment", "ScopedEnvironment", "StepBudget", "evaluate", "type_of", "ZERO"]
