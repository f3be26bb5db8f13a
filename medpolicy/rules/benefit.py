"""A benefit: the clauses of the basic fund, in the order they apply.

Syntax: ``benefit ID "title" { priority; when; visits grouped …; counts
COUNTER; deductible …; ratio …; adjust …; visit cap …; annual cap …; pays
nothing "reason" }`` (:class:`medpolicy.ast.Benefit`).  Checks
(:func:`check_benefit`): nothing else when it pays nothing (E113), known
counters (E200); each clause is checked by its own unit.

For a visit the benefit took: the visit counts on its counters; the
deductible is charged; the ratio (with adjustments) applies to what is left,
or its bands over a year-to-date measure (:mod:`.ratio_bands`); the result is
rounded as the policy says; or, instead of all that, the benefit pays a fixed
amount (:mod:`.fixed`); then the per-visit cap and the annual caps.  A benefit that ``pays nothing`` pays nothing, with its reason.

Events: ``benefit``, ``excluded``, ``visit_count``, ``eligible``, ``fund``
(and those of :mod:`.deductible`, :mod:`.ratio`, :mod:`.caps`).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Callable, Optional

import attrs

from .. import ast
from ..compiled_expr import Code, Frame
from ..diagnostics import did_you_mean
from ..explain import Citation, Event
from ..localize import msg
from ..span import Span
from ..values import Percent
from .caps import AnnualCap, VisitCap, apply_annual_caps, compile_annual_caps, compile_visit_cap
from .checking import Checker
from .context import HUNDRED, CompileContext, Year
from .deductible import DeductibleRule, compile_deductible
from .grouping import Joining, compile_grouping
from .fixed import FixedPayment, compile_pays
from .ratio import RatioRule, compile_ratio
from .ratio_bands import BandedRatio, compile_ratio_bands


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
    joining: Optional[Joining]
    """``includes``: earlier care at the same institution settled with the claim this benefit takes."""
    counts: tuple[tuple[str, str, Optional[Span]], ...]
    """(counter id, label, span) of each counter a visit adds to."""
    excluded: Optional[str]
    excluded_cite: Optional[Citation]
    deductible: Optional[DeductibleRule]
    ratio: Optional[RatioRule]
    """None when the benefit pays by bands or a fixed amount."""
    visit_cap: Optional[VisitCap]
    annual_caps: tuple[AnnualCap, ...]
    source: Optional[Span]
    round: Callable[[Decimal], Decimal] = attrs.field(eq=False, repr=False)
    rounding: tuple[str, Decimal] = ("half_up", Decimal("0.01"))
    rounding_cite: Optional[Citation] = None
    banded: Optional[BandedRatio] = None
    """``ratio banded over``: the rate by bands of a year-to-date measure."""
    fixed: Optional[FixedPayment] = None
    """``pays``: a fixed amount instead of deductible × ratio."""

    visit_cost: int = attrs.field(init=False, eq=False, repr=False)
    """Evaluation steps one visit may take, for the step budget."""

    @visit_cost.default
    def _cost(self) -> int:
        size = 1 + len(self.counts)
        for part in (self.deductible, self.ratio, self.banded, self.fixed):
            size += part.size if part is not None else 0
        size += self.visit_cap.amount.size if self.visit_cap else 0
        size += sum(c.amount.size + (c.per.size if c.per else 0) for c in self.annual_caps)
        return size

    def benefit_event(self, facts) -> Event:
        return Event("benefit", {"benefit": self.id, "priority": self.priority, "condition": self.when_text,
                                 "care": facts.care, "level": facts.level, "claim_condition": facts.condition,
                                 "category": facts.category},
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
        if self.fixed is not None:
            fund = self.fixed.pay(fr, covered, ev)
        else:
            fund = self._share(year, fr, covered, ev)
        if self.visit_cap is not None:
            fund = self.visit_cap.apply(fr, fund, visit_id, pools, ev)
        if self.annual_caps:
            fund = apply_annual_caps(self.annual_caps, year, fr, fund, pools, ev)
        return fund

    def _share(self, year: Year, fr: Frame, covered: Decimal, ev: Optional[list]) -> Decimal:
        """Deductible, then the ratio (or the bands) on what is left, rounded."""
        charged = self.deductible.charge(year, fr, covered, ev)
        base = covered - charged
        if ev is not None:
            ev.append(Event("eligible", {"covered": covered, "deductible": charged, "eligible": base}, base,
                            f"{self.id}.deductible"))
        if self.banded is not None:
            raw, kind, said, source = self.banded.pay(year, base, ev), "bands_fund", {}, self.banded.source
        else:
            points = self.ratio.apply(fr, ev)
            raw, kind, said, source = base * points / HUNDRED, "fund", {"ratio": Percent(points)}, self.ratio.source
        # One rounding, as the policy says, whether one ratio or several bands gave the exact amount.
        fund = self.round(raw)
        if ev is not None:
            rounded = raw != fund
            ev.append(Event(kind, {**said, "eligible": base, "exact": raw, "fund": fund, "rounded": rounded,
                                   "rounding": self.rounding[0], "unit": self.rounding[1]},
                            fund, f"{self.id}.ratio", source, self.rounding_cite if rounded else None))
        return fund


def check_benefit(ck: Checker, benefit: ast.Benefit, file: str) -> bool:
    """The benefit's own clauses; whether it pays (when it pays nothing, its payment clauses are not checked)."""
    ck.check_cite(benefit.excluded_cite, file)
    if benefit.excluded is not None:
        # The citations the benefit node holds are checked all the same; E113 asks to remove the rest.
        ck.check_cite(benefit.ratio_cite, file)
        ck.check_cite(benefit.visit_cap_cite, file)
        paying = [name for name, value in (("deductible", benefit.deductible), ("ratio", benefit.ratio),
                                           ("ratio banded", benefit.ratio_bands), ("pays", benefit.pays),
                                           ("visit cap", benefit.visit_cap)) if value is not None]
        if paying or benefit.annual_caps or benefit.adjustments or benefit.counts:
            ck.error(msg("E113.pays_nothing", benefit=benefit.id), benefit.span, help=msg("E113.pays_nothing.help"))
        return False
    for counter in benefit.counts:
        if ck.kind(file, counter.name) != "counter":
            ck.error(msg("E200.counter", name=counter.name), counter.span,
                     help=did_you_mean(counter.name, ck.names(file, "counter")) or msg("E200.counter.help"))
    return True


def compile_benefit(cx: CompileContext, benefit: ast.Benefit, index: int) -> CompiledBenefit:
    counts = tuple((c.name, cx.policy.counters[c.name].label, c.span) for c in benefit.counts)
    paying = benefit.excluded is None
    p = cx.policy
    grouping, grouping_cite, joining = compile_grouping(cx, benefit)
    return CompiledBenefit(
        index=index, id=benefit.id, title=benefit.title, priority=benefit.priority, when=cx.expr(benefit.when),
        when_text=cx.source_text(benefit.when.span), when_source=benefit.when.span,
        when_cite=cx.cite(benefit.when_cite), grouping=grouping, grouping_cite=grouping_cite,
        joining=joining, counts=counts, excluded=benefit.excluded, excluded_cite=cx.cite(benefit.excluded_cite),
        deductible=compile_deductible(cx, benefit) if paying else None,
        ratio=compile_ratio(cx, benefit) if paying and benefit.ratio is not None else None,
        banded=compile_ratio_bands(cx, benefit) if paying else None,
        fixed=compile_pays(cx, benefit) if paying else None,
        visit_cap=compile_visit_cap(cx, benefit) if paying else None,
        annual_caps=compile_annual_caps(cx, benefit) if paying else (),
        source=benefit.span, round=cx.round, rounding=(p.rounding_mode, p.rounding_unit),
        rounding_cite=cx.rounding_cite,
    )
