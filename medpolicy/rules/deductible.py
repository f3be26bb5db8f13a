"""Deductibles (起付线).

Syntax: ``deductible per visit|admission AMOUNT``, ``deductible per year
AMOUNT accumulating|highest``, ``no deductible`` (benefit clauses
``b_deductible_visit``, ``b_deductible_year``, ``b_no_deductible``;
:class:`medpolicy.ast.Deductible`).  Checks (:func:`check_deductible`): the
amount is money (it may read counters), not negative (E129).

* ``visit`` / ``admission``: every visit owes the amount.
* ``accumulating``: the year's visits pay toward the amount until it is met.
* ``highest``: a visit owes only what its amount exceeds the highest amount
  charged earlier in the year (a later visit at a higher level pays the difference).
* none: nothing is owed.

Events: ``no_deductible``; ``deductible`` (mode, the standard amount, what
was met or charged before, what is due, what is charged, whether the covered
amount was all deductible, and the table rows/counters that decided it).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

import attrs

from .. import ast
from ..compiled_expr import Code, Frame
from ..explain import Citation, Event
from ..span import Span
from ..typecheck import CLAIM_CONTEXT
from .checking import Checker, check_sign
from .context import ZERO, CompileContext, Year


@attrs.frozen
class DeductibleRule:
    mode: str
    """``none``, ``visit``, ``admission``, ``accumulating`` or ``highest``."""
    amount: Optional[Code]
    pool: str
    """Whose year-to-date deductible this is (the benefit's id)."""
    rule: str
    source: Optional[Span]
    cite: Optional[Citation]

    @property
    def size(self) -> int:
        return self.amount.size if self.amount is not None else 1

    def charge(self, year: Year, fr: Frame, base: Decimal, ev: Optional[list]) -> Decimal:
        """Charge the deductible on a visit's covered ``base``; return what it takes."""
        mode = self.mode
        if mode == "none":
            if ev is not None:
                ev.append(Event("no_deductible", {}, ZERO, self.rule, self.source, self.cite))
            return ZERO
        standard = self.amount.fn(fr)
        before = None
        if mode == "accumulating":
            before = year.deductible_paid[self.pool]
            due = max(standard - before, ZERO)
        elif mode == "highest":
            before = year.deductible_highest.get(self.pool)
            due = max(standard - (before or ZERO), ZERO)
            year.deductible_highest[self.pool] = max(before or ZERO, standard)
        else:
            due = standard
        charged = min(due, base)
        if mode == "accumulating":
            year.deductible_paid[self.pool] += charged
        if ev is not None:
            ev.append(Event("deductible", {
                "mode": mode, "standard": standard, "before": before, "due": due, "charged": charged,
                "all_deductible": charged < due, "details": fr.take()}, charged, self.rule, self.source, self.cite))
        return charged


def check_deductible(ck: Checker, benefit: ast.Benefit, file: str) -> None:
    """A paying benefit's deductible, if it has one (``no deductible`` is an amount of zero)."""
    ded = benefit.deductible
    if ded is None:
        return
    check_sign(ck, ded.amount, "deductible")
    ck.expect(ded.amount, "money", file, CLAIM_CONTEXT, "deductible", counters=True)
    ck.check_cite(ded.cite, file)


def compile_deductible(cx: CompileContext, benefit: ast.Benefit) -> DeductibleRule:
    ded = benefit.deductible
    rule = f"{benefit.id}.deductible"
    if ded is None or ded.mode == "none":
        span = ded.span if ded is not None else benefit.span
        return DeductibleRule("none", None, benefit.id, rule, span, cx.cite(ded.cite) if ded else None)
    return DeductibleRule(ded.mode, cx.expr(ded.amount), benefit.id, rule, ded.span, cx.cite(ded.cite))
