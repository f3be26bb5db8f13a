"""Bands over a year-to-date amount: shared by critical-illness tables and banded ratios.

Syntax: ``band LOW .. HIGH pays RATE`` and ``band above LOW pays RATE``
(:class:`medpolicy.ast.Band`), inside a payer's ``table`` or a benefit's ``ratio
banded over MEASURE { … }``.  Checks (:func:`check_band_sequence`): bounds and
rates are constants (E122, E127), rates within 0..100% (E124), each band ends
above where it starts (E125), bands follow each other from where the owner
starts paying without gap or overlap (E126), an open band only last.

A payment on bands splits the part of the year's amount that one claim adds,
``before .. after``, across the bands it crosses (:func:`band_parts`): each
part is paid at its own band's rate, so a claim crossing a threshold is paid
partly at the lower and partly at the higher rate (分段累进).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Iterator, Optional

import attrs

from .. import ast
from ..compiled_expr import evaluate_constant
from ..errors import EvaluationError
from ..explain import Citation
from ..localize import msg
from ..span import Span
from ..typecheck import CONSTANT_CONTEXT, ERROR, HeaderFactMissing
from .checking import Checker
from .context import CompileContext


@attrs.frozen
class Band:
    low: Decimal
    """Where the band starts, in the year-to-date amount (for a payer, the deductible already added)."""
    high: Optional[Decimal]
    rate: Decimal
    """Percentage points."""
    source: Optional[Span]
    cite: Optional[Citation]


def band_parts(bands: tuple[Band, ...], before: Decimal, after: Decimal) -> Iterator[tuple[Band, Decimal]]:
    """Each band the year-to-date amount crosses going from ``before`` to ``after``, with the part in it."""
    for band in bands:
        top = after if band.high is None else min(after, band.high)
        part = top - max(before, band.low)
        if part > 0:
            yield band, part


def compile_bands(cx: CompileContext, bands: tuple[ast.Band, ...], offset: Decimal) -> tuple[Band, ...]:
    """The checked bands as numbers, each bound moved by ``offset``."""
    out = []
    for band in bands:
        low = evaluate_constant(cx.expr(band.low)) + offset
        high = evaluate_constant(cx.expr(band.high)) + offset if band.high is not None else None
        out.append(Band(low, high, evaluate_constant(cx.expr(band.rate)), band.span, cx.cite(band.cite)))
    return tuple(out)


def check_band_sequence(ck: Checker, bands: tuple[ast.Band, ...], file: str, start, first: str) -> None:
    """Constant bounds and rates, bands from ``start`` on without gap or overlap.

    ``first`` says in messages where the first band should start: ``deductible``, ``above``
    (the deductible, bands measured above it) or ``zero``; ``start`` is None when where the
    bands start cannot be judged (its own expression is in error).
    """
    expected = start
    for i, band in enumerate(bands):
        ck.check_cite(band.cite, file)
        low = constant(ck, band.low, file, "money", "band_low")
        high = constant(ck, band.high, file, "money", "band_high") if band.high is not None else None
        rate = constant(ck, band.rate, file, "percent", "band_rate")
        if rate is not None and not (Decimal(0) <= rate.points <= Decimal(100)):
            ck.error(msg("E124", rate=str(rate)), band.rate.span)
        if low is None or (band.high is not None and high is None):
            continue
        if high is not None and high <= low:
            ck.error(msg("E125", low=str(low), high=str(high)), band.span)
        if expected is not None and low != expected:
            kind = "overlaps" if low < expected else "gap"
            ck.error(msg(_BAND_START[kind, first if i == 0 else "previous"], low=str(low), expected=str(expected)),
                     band.low.span, help=msg("E126.help"))
        if high is None and i != len(bands) - 1:
            ck.error(msg("E126.open"), band.span)
        expected = high


# Where a band that does not start where it should (E126) overlaps or leaves a gap, by (kind, where).
_BAND_START = {
    ("overlaps", "deductible"): "E126.overlaps.deductible", ("gap", "deductible"): "E126.gap.deductible",
    ("overlaps", "above"): "E126.overlaps.above", ("gap", "above"): "E126.gap.above",
    ("overlaps", "zero"): "E126.overlaps.zero", ("gap", "zero"): "E126.gap.zero",
    ("overlaps", "previous"): "E126.overlaps.previous", ("gap", "previous"): "E126.gap.previous",
}


def constant(ck: Checker, expr: ast.Expr, file: str, want: str, what: str, allow_unstated: bool = False):
    """The value of a constant of type ``want``, or None once a problem with it is reported."""
    before = ck.error_count()
    t = ck.expect(expr, want, file, CONSTANT_CONTEXT, what, allow_unstated=allow_unstated)
    if t == ERROR or ck.error_count() > before:
        return None  # already reported: say nothing more about this expression
    try:
        return ck.constant(expr, file)
    except HeaderFactMissing:
        return None
    except EvaluationError:
        ck.error(msg("E122", what=what), expr.span)
        return None
    except (ArithmeticError, ValueError, OverflowError):
        ck.error(msg("E127", what=what), expr.span)
        return None
