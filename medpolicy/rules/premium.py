"""The personal contribution (个人缴费).

Syntax: ``premium { item "title" [when COND] { when COND: AMOUNT … else:
AMOUNT | unstated } }`` (:class:`medpolicy.ast.Premium`).  Checks
(:func:`check_premium`): every item ends with ``else`` (E130), nothing after
it (E131), amounts are money about the person only, not negative (E129).

Each item whose ``when`` holds adds the amount of its first case that holds;
an item whose amount the document does not state makes the personal total
unknown (None), and the statement says so.

Events: ``premium_none``, ``premium``, ``premium_unstated``.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

import attrs

from .. import ast
from ..compiled_expr import Code, Frame
from ..explain import Citation, Event, PremiumResult
from ..localize import msg
from ..span import Span
from ..typecheck import PERSON_CONTEXT
from .checking import Checker, check_sign
from .context import ZERO, CompileContext


@attrs.frozen
class Case:
    when: Optional[Code]
    value: Code
    source: Optional[Span]
    cite: Optional[Citation]


@attrs.frozen
class Item:
    title: str
    when: Optional[Code]
    cases: tuple[Case, ...]


@attrs.frozen
class PremiumRule:
    items: Optional[tuple[Item, ...]]
    """None when the policy has no ``premium`` declaration."""

    def personal(self, fr: Frame, explain: bool) -> PremiumResult:
        if self.items is None:
            return PremiumResult(None, (Event("premium_none", {}, None, "premium"),) if explain else ())
        ev: list = []
        total: Optional[Decimal] = ZERO
        for item in self.items:
            if item.when is not None and not item.when.fn(fr):
                fr.take()
                continue
            case = next(c for c in item.cases if c.when is None or c.when.fn(fr))
            value = case.value.fn(fr)
            if value is None:
                total = None
                if explain:
                    ev.append(Event("premium_unstated", {"item": item.title, "details": fr.take()}, None,
                                    "premium", case.source, case.cite))
                continue
            if total is not None:
                total += value
            if explain:
                ev.append(Event("premium", {"item": item.title, "amount": value, "details": fr.take()}, value,
                                "premium", case.source, case.cite))
        return PremiumResult(total, tuple(ev))


def check_premium(ck: Checker, premium: ast.Premium, file: str) -> None:
    """The items and their cases: conditions and amounts about the person, an ``else`` last in each item."""
    for item in premium.items:
        if item.when is not None:
            ck.expect(item.when, "bool", file, PERSON_CONTEXT, "premium_item_when")
        if not any(case.when is None for case in item.cases):
            ck.error(msg("E130", title=item.title), item.span, help=msg("E130.help"))
        seen_else = False
        for case in item.cases:
            if seen_else:
                ck.error(msg("E131"), case.span, help=msg("E131.help"))
            seen_else = seen_else or case.when is None
            if case.when is not None:
                ck.expect(case.when, "bool", file, PERSON_CONTEXT, "premium_case_when")
            if not isinstance(case.value, ast.Unstated):
                ck.expect(case.value, "money", file, PERSON_CONTEXT, "premium")
                check_sign(ck, case.value, "premium")
            ck.check_cite(case.cite, file)


def compile_premium(cx: CompileContext, premium: Optional[ast.Premium]) -> PremiumRule:
    if premium is None:
        return PremiumRule(None)
    items = []
    for item in premium.items:
        cases = tuple(Case(cx.expr(c.when) if c.when is not None else None, cx.expr(c.value), c.span,
                           cx.cite(c.cite)) for c in item.cases)
        items.append(Item(item.title, cx.expr(item.when) if item.when is not None else None, cases))
    return PremiumRule(tuple(items))
