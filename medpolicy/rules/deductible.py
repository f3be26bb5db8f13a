"""Deductibles (起付线).

Syntax: ``deductible per visit|admission AMOUNT``, ``deductible per year
AMOUNT accumulating|highest``, ``no deductible`` (benefit clauses
``b_deductible_visit``, ``b_deductible_year``, ``b_no_deductible``;
:class:`medpolicy.ast.Deductible`).  Checks (:func:`check_deductible`): the
amount is money (it may read counters), not negative (E129); a yearly deductible
without a mode names a shared pool (E200).

Declaration: ``deductible ID "label" AMOUNT per year accumulating|highest``
(:class:`medpolicy.ast.DeductiblePool`), checked by :func:`check_deductible_pool`.
Every benefit writing ``deductible per year ID`` charges toward that one pool,
each at its own ratio (outpatient and emergency care meeting one 起付线).

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
from ..diagnostics import did_you_mean
from ..explain import Citation, Event
from ..localize import msg
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
    shared: Optional[str] = None
    """The label of the shared deductible this is, when several benefits meet it together."""

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
                "all_deductible": charged < due, "shared": self.shared, "details": fr.take()}, charged, self.rule,
                self.source, self.cite))
        return charged


def check_deductible(ck: Checker, benefit: ast.Benefit, file: str) -> None:
    """A paying benefit's deductible, if it has one (``no deductible`` is an amount of zero)."""
    ded = benefit.deductible
    if ded is None:
        return
    pool = ded.amount.name if isinstance(ded.amount, ast.Name) else None
    if pool is not None and ck.kind(file, pool) == "deductible":
        # The shared pool states its amount and mode once, for every benefit naming it.
        if ded.mode != "pool":
            ck.error(msg("E200.pool_mode", name=pool, mode=ded.mode), ded.span)
        ck.check_cite(ded.cite, file)
        return
    if ded.mode == "pool":
        if pool is None:
            ck.error(msg("E200.no_mode"), ded.span, help=msg("E200.pool.help"))
        else:
            ck.error(msg("E200.pool", name=pool), ded.amount.span,
                     help=did_you_mean(pool, ck.names(file, "deductible")) or msg("E200.pool.help"))
        return
    check_sign(ck, ded.amount, "deductible")
    ck.expect(ded.amount, "money", file, CLAIM_CONTEXT, "deductible", counters=True)
    ck.check_cite(ded.cite, file)


def check_deductible_pool(ck: Checker, pool: ast.DeductiblePool, file: str) -> None:
    """A shared ``deductible`` declaration: an amount of money like a benefit's own."""
    check_sign(ck, pool.amount, "deductible")
    ck.expect(pool.amount, "money", file, CLAIM_CONTEXT, "deductible_pool", counters=True)
    ck.check_cite(pool.cite, file)


def compile_deductible(cx: CompileContext, benefit: ast.Benefit) -> DeductibleRule:
    ded = benefit.deductible
    rule = f"{benefit.id}.deductible"
    if ded is None or ded.mode == "none":
        span = ded.span if ded is not None else benefit.span
        return DeductibleRule("none", None, benefit.id, rule, span, cx.cite(ded.cite) if ded else None)
    if ded.mode == "pool":
        pool = cx.policy.deductible_pools[ded.amount.name]
        # Its pool key is the declaration's id: every benefit naming it meets one deductible.
        return DeductibleRule(pool.mode, cx.expr(pool.amount), f"deductible:{pool.id}", f"deductible.{pool.id}",
                              ded.span, cx.cite(pool.cite or ded.cite), pool.label)
    return DeductibleRule(ded.mode, cx.expr(ded.amount), benefit.id, rule, ded.span, cx.cite(ded.cite))
