"""The ratio (报销比例) and its adjustments.

Syntax: the benefit clause ``ratio EXPR``, the benefit clause ``adjust "label"
by POINTS [when COND]``, and the declaration ``adjustment ID "label" { applies
to [benefits] | all; when COND; ratio POINTS }`` (:class:`medpolicy.ast.RatioAdjust`,
:class:`medpolicy.ast.Adjustment`).  Checks: a ratio in each paying benefit
(E113), a percentage, its literals within 0..100% (E128) (:func:`check_ratio`);
``adjust`` points and conditions (:func:`check_adjust_clauses`); adjustment
declarations naming known benefits (E200) (:func:`check_adjustment`).

The benefit's ratio is computed, then each adjustment whose ``when`` holds
adds its points (a negative number lowers it); the result is kept within
0%..100%.  Events: ``ratio`` (with the rows that decided it),
``adjustment`` (for each adjustment that moved the ratio), ``ratio_clamped``.
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
from ..values import Percent
from .checking import Checker, value_leaves
from .context import HUNDRED, ZERO, CompileContext
from .ratio_bands import check_ratio_bands


@attrs.frozen
class Adjust:
    id: str
    label: str
    points: Code
    when: Optional[Code]
    rule: str
    source: Optional[Span]
    cite: Optional[Citation]


@attrs.frozen
class RatioRule:
    ratio: Code
    adjustments: tuple[Adjust, ...]
    rule: str
    source: Optional[Span]
    cite: Optional[Citation]

    @property
    def size(self) -> int:
        return self.ratio.size + sum(a.points.size + (a.when.size if a.when else 0) for a in self.adjustments)

    def apply(self, fr: Frame, ev: Optional[list]) -> Decimal:
        """The visit's ratio in percentage points."""
        points = self.ratio.fn(fr)
        if ev is not None:
            ev.append(Event("ratio", {"ratio": Percent(points), "details": fr.take()}, None, self.rule,
                            self.source, self.cite))
        for adj in self.adjustments:
            if adj.when is not None and not adj.when.fn(fr):
                fr.take()
                continue
            delta = adj.points.fn(fr)
            if delta == 0:
                fr.take()
                continue
            points += delta
            if ev is not None:
                ev.append(Event("adjustment", {
                    "adjustment": adj.id, "label": adj.label, "points": Percent(delta), "ratio": Percent(points),
                    "details": fr.take()}, None, adj.rule, adj.source, adj.cite))
        if points < 0 or points > HUNDRED:
            clamped = min(max(points, ZERO), HUNDRED)
            if ev is not None:
                ev.append(Event("ratio_clamped", {"before": Percent(points), "after": Percent(clamped)},
                                None, self.rule))
            points = clamped
        return points


def check_ratio(ck: Checker, benefit: ast.Benefit, file: str) -> None:
    """A paying benefit's ratio: present, a percentage (it may read counters), literals within 0..100%."""
    ck.check_cite(benefit.ratio_cite, file)
    if benefit.ratio_bands is not None:
        adjusted = bool(benefit.adjustments) or any(adjusts(a, benefit.id) for a in ck.adjustments())
        check_ratio_bands(ck, benefit, file, adjusted)
    if benefit.ratio is None:
        if benefit.ratio_bands is None and benefit.pays is None:
            ck.error(msg("E113.no_ratio", benefit=benefit.id), benefit.span, help=msg("E113.no_ratio.help"))
        return
    ck.expect(benefit.ratio, "percent", file, CLAIM_CONTEXT, "ratio", counters=True)
    # Only literals are judged here: the adjusted ratio is kept within 0..100% when it is applied.
    for leaf in value_leaves(benefit.ratio):
        if leaf.kind == "percent" and not (0 <= leaf.value <= 100):
            ck.error(msg("E128", value=str(leaf.value)), leaf.span, help=msg("E128.help"))


def check_adjust_clauses(ck: Checker, benefit: ast.Benefit, file: str) -> None:
    """A paying benefit's own ``adjust`` clauses: points a percentage, ``when`` a condition (both may read counters)."""
    for adj in benefit.adjustments:
        ck.expect(adj.points, "percent", file, CLAIM_CONTEXT, "adjustment", counters=True)
        if adj.when is not None:
            ck.expect(adj.when, "bool", file, CLAIM_CONTEXT, "adjustment_when", counters=True)
        ck.check_cite(adj.cite, file)


def check_adjustment(ck: Checker, adj: ast.Adjustment, file: str) -> None:
    """An ``adjustment`` declaration: the benefits it names exist, its ``when`` and ratio are typed."""
    benefits = ck.benefits()
    for name in adj.benefits or ():
        if name.name not in benefits:
            ck.error(msg("E200.benefit", name=name.name), name.span, help=did_you_mean(name.name, benefits))
    if adj.when is not None:
        ck.expect(adj.when, "bool", file, CLAIM_CONTEXT, "adjustment_when")
    ck.expect(adj.ratio, "percent", file, CLAIM_CONTEXT, "adjustment_ratio")
    ck.check_cite(adj.cite, file)


def adjusts(adjustment: ast.Adjustment, benefit_id: str) -> bool:
    """Whether an ``adjustment`` declaration applies to the benefit (``applies to all``, or it names it)."""
    return adjustment.benefits is None or any(n.name == benefit_id for n in adjustment.benefits)


def compile_ratio(cx: CompileContext, benefit: ast.Benefit) -> RatioRule:
    adjustments = [Adjust("", a.label, cx.expr(a.points), cx.expr(a.when) if a.when is not None else None,
                          f"{benefit.id}.adjust", a.span, cx.cite(a.cite)) for a in benefit.adjustments]
    for a in cx.policy.adjustments:
        if adjusts(a, benefit.id):
            adjustments.append(Adjust(a.id, a.label, cx.expr(a.ratio), cx.expr(a.when) if a.when is not None else None,
                                      f"adjustment.{a.id}", a.span, cx.cite(a.cite)))
    return RatioRule(cx.expr(benefit.ratio), tuple(adjustments), f"{benefit.id}.ratio", benefit.ratio.span,
                     cx.cite(benefit.ratio_cite))
