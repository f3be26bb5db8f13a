"""Banded ratios for the basic fund (分段累进): a rate per band of a year-to-date amount.

Syntax: the declaration ``measure ID "label"`` (:class:`medpolicy.ast.Measure`)
and the benefit clause ``ratio banded over MEASURE { band LOW .. HIGH pays
RATE; …; band above LOW pays RATE }`` (:class:`medpolicy.ast.RatioBands`),
in place of ``ratio``.  Checks (:func:`check_ratio_bands`): the measure is
declared (E200); the bands are constants that start at ¥0 and follow each
other without gap or overlap (E122–E127, through :mod:`.bands`); no
``ratio`` beside them (E113) and no adjustment of them (E113: a shifted band
table is a table of its own, written as one).

The measure starts the year at ¥0.  A visit's eligible amount (covered −
deductible) occupies the measure from its year-to-date value on; each band
pays its rate on the part of the visit that falls in it, so the visit that
crosses a threshold is paid partly at each rate.  Every benefit banded over
the same measure adds to it.  The sum is rounded as the policy says; caps
apply after.

Events: ``measure`` (the year-to-date amount before and after), ``ratio_band``
(one per band the visit reaches); the benefit adds ``bands_fund`` (their sum,
rounded as the policy says).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

import attrs

from .. import ast
from ..diagnostics import did_you_mean
from ..explain import Citation, Event
from ..localize import msg
from ..span import Span
from ..values import Money, Percent
from .bands import Band, band_parts, check_band_sequence, compile_bands
from .checking import Checker
from .context import HUNDRED, ZERO, CompileContext, Year


@attrs.frozen
class BandedRatio:
    measure: str
    label: str
    bands: tuple[Band, ...]
    rule: str
    source: Optional[Span]
    cite: Optional[Citation]
    """The measure's citation: the sentence saying the year's amount is banded."""

    @property
    def size(self) -> int:
        return len(self.bands)

    def pay(self, year: Year, eligible: Decimal, ev: Optional[list]) -> Decimal:
        """The exact fund on a visit's ``eligible`` amount (the benefit rounds it), adding it to the measure."""
        before = year.measured[self.measure]
        after = before + eligible
        year.measured[self.measure] = after
        if ev is not None:
            ev.append(Event("measure", {"measure": self.measure, "label": self.label, "before": before,
                                        "eligible": eligible, "after": after}, None, self.rule, self.source,
                            self.cite))
        raw = ZERO
        for band, part in band_parts(self.bands, before, after):
            pay = part * band.rate / HUNDRED
            raw += pay
            if ev is not None:
                ev.append(Event("ratio_band", {"low": band.low, "high": band.high, "rate": Percent(band.rate),
                                               "part": part, "pay": pay}, pay, self.rule, band.source, band.cite))
        return raw


def check_ratio_bands(ck: Checker, benefit: ast.Benefit, file: str, adjusted: bool) -> None:
    """A benefit's banded ratio; ``adjusted``: whether an adjustment would apply to it."""
    banded = benefit.ratio_bands
    measure = banded.measure
    if ck.kind(file, measure.name) != "measure":
        ck.error(msg("E200.measure", name=measure.name), measure.span,
                 help=did_you_mean(measure.name, ck.names(file, "measure")) or msg("E200.measure.help"))
    if benefit.ratio is not None:
        ck.error(msg("E113.two_ratios", benefit=benefit.id), banded.span, help=msg("E113.two_ratios.help"))
    if adjusted:
        ck.error(msg("E113.bands_adjusted", benefit=benefit.id), banded.span, help=msg("E113.bands_adjusted.help"))
    if not banded.bands:
        ck.error(msg("E123.ratio", benefit=benefit.id), banded.span)
        return
    check_band_sequence(ck, banded.bands, file, Money(ZERO), "zero")


def compile_ratio_bands(cx: CompileContext, benefit: ast.Benefit) -> Optional[BandedRatio]:
    banded = benefit.ratio_bands
    if banded is None:
        return None
    measure = cx.policy.measures[banded.measure.name]
    return BandedRatio(measure.id, measure.label, compile_bands(cx, banded.bands, ZERO), f"{benefit.id}.ratio",
                       banded.span, cx.cite(measure.cite))
