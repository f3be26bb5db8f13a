"""Fixed payments (定额): a benefit that pays an amount rather than a share of the cost.

Syntax: the benefit clause ``pays AMOUNT [even above covered]``
(:class:`medpolicy.ast.Pays`).  Checks (:func:`check_pays`): the amount is
money (it may read counters and year history, as a deductible may), not
negative (E129); no ratio, deductible or ``adjust`` beside it (E113), since
the amount replaces them.

* ``pays ¥1,500``: a quota.  The fund pays the amount, or the visit's covered
  amount when that is lower (paid at actual cost, 实际费用低于定额的按实际费用).
* ``pays ¥300 even above covered``: an allowance (定额补助).  The fund pays the
  whole amount whatever the cost; what it pays above the visit's charge is the
  patient's to receive, so the patient's share is negative by that much and the
  statement says so (``total = basic fund + other payers + patient`` still holds).

Visit and annual caps then apply as to any payment.  Events: ``fixed``.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Callable, Optional

import attrs

from .. import ast
from ..compiled_expr import Code, Frame
from ..explain import Citation, Event
from ..localize import msg
from ..span import Span
from ..typecheck import CLAIM_CONTEXT
from .checking import Checker, check_sign
from .context import ZERO, CompileContext


@attrs.frozen
class FixedPayment:
    amount: Code
    above_covered: bool
    """Whether the fund pays the amount even where it exceeds the covered amount."""
    rule: str
    source: Optional[Span]
    cite: Optional[Citation]
    round: Callable[[Decimal], Decimal] = attrs.field(eq=False, repr=False)

    @property
    def size(self) -> int:
        return self.amount.size

    def pay(self, fr: Frame, covered: Decimal, ev: Optional[list]) -> Decimal:
        """What the basic fund pays on a visit whose covered amount is ``covered``."""
        amount = max(self.round(self.amount.fn(fr)), ZERO)
        fund = amount if self.above_covered else min(amount, covered)
        if ev is not None:
            ev.append(Event("fixed", {"amount": amount, "covered": covered, "fund": fund, "at_cost": fund < amount,
                                      "above": max(fund - covered, ZERO), "details": fr.take()},
                            fund, self.rule, self.source, self.cite))
        return fund


def check_pays(ck: Checker, benefit: ast.Benefit, file: str) -> None:
    """A paying benefit's ``pays`` clause, if it has one, and the clauses it replaces."""
    pays = benefit.pays
    if pays is None:
        return
    replaced = (("ratio", benefit.ratio is not None or benefit.ratio_bands is not None),
                ("deductible", benefit.deductible is not None and benefit.deductible.mode != "none"),
                ("adjust", bool(benefit.adjustments)),
                # An adjustment for every benefit passes a fixed amount by; one naming this benefit cannot.
                ("adjustment", any(a.benefits and any(n.name == benefit.id for n in a.benefits)
                                   for a in ck.adjustments())))
    for clause, present in replaced:
        if present:
            ck.error(msg("E113.fixed", benefit=benefit.id, clause=clause), pays.span,
                     help=msg("E113.fixed.help", clause=clause))
    check_sign(ck, pays.amount, "pays")
    ck.expect(pays.amount, "money", file, CLAIM_CONTEXT, "pays", counters=True)
    ck.check_cite(pays.cite, file)


def compile_pays(cx: CompileContext, benefit: ast.Benefit) -> Optional[FixedPayment]:
    pays = benefit.pays
    if pays is None:
        return None
    return FixedPayment(cx.expr(pays.amount), pays.above_covered, f"{benefit.id}.pays", pays.span,
                        cx.cite(pays.cite), cx.round)
