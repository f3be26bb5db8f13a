"""What the rule units share: the compile context and the year's running state.

:class:`CompileContext` is handed to every ``compile_*`` function: it compiles
expressions (through :class:`~medpolicy.compiled_expr.ExpressionCompiler`),
resolves citations and knows the policy's rounding.  :class:`Year` is what
one scenario's evaluation has used so far (counters, deductibles met, caps
used, payers' cumulative burden); a unit reads and updates it.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Optional

from .. import ast
from ..compiled_expr import Code, ExpressionCompiler
from ..explain import Citation
from ..model import Policy
from ..values import rounder

ZERO = Decimal(0)
HUNDRED = Decimal(100)


class CompileContext:
    def __init__(self, policy: Policy):
        self.policy = policy
        self.expressions = ExpressionCompiler(policy)
        self.expressions.prepare()
        self.main = policy.path
        self.round = rounder(policy.rounding_mode, policy.rounding_unit)
        self.rounding_cite = self.cite(policy.rounding_cite)

    def expr(self, e: ast.Expr, file: Optional[str] = None) -> Code:
        return self.expressions.compile(e, file or self.main)

    def cite(self, cite: Optional[ast.Cite]) -> Optional[Citation]:
        if cite is None:
            return None
        source = self.policy.sources.get((cite.span.file, cite.source))
        return Citation(cite.source, source.title if source else cite.source, cite.section, cite.quote)

    def source_text(self, span) -> str:
        return source_text(self.policy.texts, span)


def source_text(texts: dict[str, str], span) -> str:
    """The policy text a span covers, on one line (to show a condition as written)."""
    lines = texts.get(span.file, "").splitlines()
    if not (1 <= span.line <= span.end_line <= len(lines)):
        return ""
    chunk = lines[span.line - 1:span.end_line]
    chunk[-1] = chunk[-1][:span.end_column - 1]  # cut the end first: columns count from the line start
    chunk[0] = chunk[0][span.column - 1:]
    return " ".join(part.strip() for part in chunk)


class Year:
    """What the year so far has used."""

    __slots__ = ("counters", "deductible_paid", "deductible_highest", "cap_used", "burden", "paid", "earlier",
                 "measured")

    def __init__(self):
        self.counters: dict[str, int] = defaultdict(int)
        self.deductible_paid: dict[str, Decimal] = defaultdict(Decimal)
        self.deductible_highest: dict[str, Decimal] = {}
        self.cap_used: dict[object, Decimal] = defaultdict(Decimal)
        self.burden: dict[str, Decimal] = defaultdict(Decimal)
        """Per payer: the cumulative burden it has measured."""
        self.paid: dict[str, Decimal] = defaultdict(Decimal)
        """Per payer: what it has paid this year."""
        self.measured: dict[str, Decimal] = defaultdict(Decimal)
        """Per ``measure``: the year-to-date amount banded ratios have measured."""
        self.earlier: list = []
        """The claims settled so far (paid or excluded by a benefit), in processing order, as
        :class:`~medpolicy.compiled_expr.Earlier`; kept only when the policy declares a ``history``."""
