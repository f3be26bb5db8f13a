"""A benefit: the clauses of the basic fund, in the order they apply.

Syntax: ``benefit ID "title" { priority; when; visits grouped …; counts
COUNTER; deductible …; ratio …; adjust …; visit cap …; annual cap …; pays
nothing "reason" }`` (:class:`medpolicy.ast.Benefit`).  Checks: a ratio
unless it pays nothing (E113), nothing else when it pays nothing (E113),
known counters (E200).

For a visit the benefit took: the visit counts on its counters; the
deductible is charged; the ratio (with adjustments) applies to what is left;
the result is rounded as the policy says; then the per-visit cap and the
annual caps.  A benefit that ``pays nothing`` pays nothing, with its reason.

Events: ``benefit``, ``excluded``, ``visit_count``, ``eligible``, ``fund``
(and those of :mod:`.deductible`, :mod:`.ratio`, :mod:`.caps`).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Callable, Optional

import attrs

from .. import ast
from ..compiled_expr import Code, Frame
from ..explain import Citation, Event
from ..span import Span
from ..values import Percent
from .caps import AnnualCap, VisitCap, apply_annual_caps, compile_annual_caps, compile_visit_cap
from .context import HUNDRED, CompileContext, Year
from .deductible import DeductibleRule, compile_deductible
from .ratio import RatioRule, compile_ratio


@attrs.frozen
class CompiledBenefit:
    index: int
    """Position in priority order (0 is the highest)."""
    id: str
    title: str
    priority: int
    when: Code
    when_text: str
    """The condition as written in the policy."""
    when_source: Optional[Span]
    when_cite: Optional[Citation]
    grouping: bool
    grouping_cite: Optional[Citation]
    counts: tuple[tuple[str, str, Optional[Span]], ...]
    """(counter id, label, span) of each counter a visit adds to."""
    excluded: Optional[str]
    excluded_cite: Optional[Citation]
    deductible: Optional[DeductibleRule]
    ratio: Optional[RatioRule]
    visit_cap: Optional[VisitCap]
    annual_caps: tuple[AnnualCap, ...]
    source: Optional[Span]
    round: Callable[[Decimal], Decimal] = attrs.field(eq=False, repr=False)
    rounding: tuple[str, Decimal] = ("half_up", Decimal("0.01"))
    rounding_cite: Optional[Citation] = None

    visit_cost: int = attrs.field(init=False, eq=False, repr=False)
    """Evaluation steps one visit may take, for the step budget."""

    @visit_cost.default
    def _cost(self) -> int:
        size = 1 + len(self.counts)
        for part in (self.deductible, self.ratio):
            size += part.size if part is not None else 0
        size += self.visit_cap.amount.size if self.visit_cap else 0
        size += sum(c.amount.size + (c.per.size if c.per else 0) for c in self.annual_caps)
        return size

    def benefit_event(self, facts) -> Event:
        return Event("benefit", {"benefit": self.id, "priority": self.priority, "condition": self.when_text,
                                 "care": facts.care, "level": facts.level, "claim_condition": facts.condition},
                     None, f"{self.id}.when", self.when_source, self.when_cite)

    def count_visit(self, year: Year, ev: Optional[list]) -> None:
        for counter, label, span in self.counts:
            year.counters[counter] += 1
            if ev is not None:
                ev.append(Event("visit_count", {"counter": counter, "label": label,
                                                "count": year.counters[counter]}, None, f"{self.id}.counts", span))

    def basic_fund(self, year: Year, fr: Frame, covered: Decimal, visit_id: str, pools: list,
                   ev: Optional[list]) -> Decimal:
        """What the basic fund pays on a visit's covered amount."""
        charged = self.deductible.charge(year, fr, covered, ev)
        base = covered - charged
        if ev is not None:
            ev.append(Event("eligible", {"covered": covered, "deductible": charged, "eligible": base}, base,
                            f"{self.id}.deductible"))
        points = self.ratio.apply(fr, ev)
        raw = base * points / HUNDRED
        fund = self.round(raw)
        if ev is not None:
            rounded = raw != fund
            ev.append(Event("fund", {"ratio": Percent(points), "eligible": base, "exact": raw, "fund": fund,
                                     "rounded": rounded, "rounding": self.rounding[0], "unit": self.rounding[1]},
                            fund, f"{self.id}.ratio", self.ratio.source, self.rounding_cite if rounded else None))
        if self.visit_cap is not None:
            fund = self.visit_cap.apply(fr, fund, visit_id, pools, ev)
        if self.annual_caps:
            fund = apply_annual_caps(self.annual_caps, year, fr, fund, pools, ev)
        return fund


def compile_benefit(cx: CompileContext, benefit: ast.Benefit, index: int) -> CompiledBenefit:
    counts = tuple((c.name, cx.policy.counters[c.name].label, c.span) for c in benefit.counts)
    paying = benefit.excluded is None
    p = cx.policy
    return CompiledBenefit(
        index=index, id=benefit.id, title=benefit.title, priority=benefit.priority, when=cx.expr(benefit.when),
        when_text=cx.source_text(benefit.when.span), when_source=benefit.when.span,
        when_cite=cx.cite(benefit.when_cite), grouping=benefit.grouping, grouping_cite=cx.cite(benefit.grouping_cite),
        counts=counts, excluded=benefit.excluded, excluded_cite=cx.cite(benefit.excluded_cite),
        deductible=compile_deductible(cx, benefit) if paying else None,
        ratio=compile_ratio(cx, benefit) if paying else None,
        visit_cap=compile_visit_cap(cx, benefit) if paying else None,
        annual_caps=compile_annual_caps(cx, benefit) if paying else (),
        source=benefit.span, round=cx.round, rounding=(p.rounding_mode, p.rounding_unit),
        rounding_cite=cx.rounding_cite,
    )
