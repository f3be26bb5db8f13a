"""What the rule units' checks share: the checker as they see it, and two helpers.

Each rule unit checks its own clauses with a ``check_*(ck, node, file)``
function, where ``file`` is the path of the file ``node`` is in (its names
resolve in that file's scope, its citations among that file's sources) and
``ck`` is the checker of :mod:`medpolicy.checker` seen through
:class:`Checker`.  The checker imports the units and calls them in order; a
unit never imports the checker, only this protocol, so a unit can be run
alone against any object that has these methods.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Optional, Protocol

from .. import ast
from ..localize import Message, msg
from ..span import Span


class Checker(Protocol):
    """The checker's methods a unit's check calls."""

    def error(self, message: Message, span: Span, help: Optional[Message] = None) -> None:
        """Report an error at ``span``."""

    def warning(self, message: Message, span: Span, help: Optional[Message] = None) -> None:
        """Report a warning at ``span``."""

    def expect(self, expr: ast.Expr, want: str, file: str, context: frozenset, what: str,
               allow_unstated: bool = False, counters: bool = False) -> str:
        """The type of ``expr`` read in ``context`` (fact roots); E204 unless ``want``, then ``"error"``."""

    def infer(self, expr: ast.Expr, file: str, context: frozenset) -> str:
        """The type of ``expr`` read in ``context``; ``"error"`` once a problem in it is reported."""

    def check_cite(self, cite: Optional[ast.Cite], file: str) -> None:
        """Report a citation of a source ``file`` does not declare (E201); None cites nothing."""

    def kind(self, file: str, name: str) -> Optional[str]:
        """What ``name`` is bound to in ``file`` (``param``, ``let``, ``list``, ``counter``, ``cap``, …), or None."""

    def names(self, file: str, kind: str) -> list[str]:
        """The names of that kind in ``file``'s scope, in the scope's order (for did-you-mean)."""

    def benefits(self) -> list[str]:
        """The ids of the policy's benefits, in declaration order."""

    def adjustments(self) -> list[ast.Adjustment]:
        """The policy's ``adjustment`` declarations."""

    def constant(self, expr: ast.Expr, file: str):
        """A constant's value; raises EvaluationError if it is not constant, ArithmeticError/ValueError if it fails."""

    def error_count(self) -> int:
        """How many errors have been reported so far."""


def check_sign(ck: Checker, expr: ast.Expr, what: str = "amount") -> None:
    """Report negative money written where only a non-negative amount makes sense (E129); ``what`` is a clause key."""
    for leaf in value_leaves(expr):
        if leaf.kind == "money" and leaf.value < 0:
            ck.error(msg("E129", what=what, value=str(leaf.value)), leaf.span, help=msg("E129.help"))


def value_leaves(e: ast.Expr) -> list[ast.Literal]:
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
    return [leaf for v in values for leaf in value_leaves(v)]
