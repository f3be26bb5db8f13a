"""Payers after the basic fund: banded, on the burden it leaves (大病保险).

Syntax: ``critical_illness "title" { covers COND; table "title" when COND |
otherwise { deductible A; bands measured absolute|above_deductible; band LOW ..
HIGH pays RATE; band above LOW pays RATE; annual cap A } }``
(:class:`medpolicy.ast.CriticalIllness`).  Checks (:func:`check_payer`): one
``covers`` (E120), a table at least (E120), an ``otherwise`` table last (E121;
W120 when there is none), bands that are constant (E122, E127), follow each
other without gap or overlap and start at the deductible (E126), pay 0..100%
(E124).

A payer takes part of the personal compliant burden a claim leaves —
covered − basic fund − what earlier payers paid — once its ``covers``
condition holds.  It measures the year's cumulative burden, and pays each
band's rate on the part of this claim's burden that falls in the band, up
to its annual cap.  The payers form a list, in declaration order; the
critical-illness payer is one of them, with the id ``critical_illness``.

Events: ``payer_no_table``, ``payer_burden``, ``band``, ``payer_cap``,
``payer_cap_unstated``, ``payer``.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Callable, Optional

import attrs

from .. import ast
from ..compiled_expr import Code, Frame, evaluate_constant
from ..errors import EvaluationError
from ..explain import CRITICAL_ILLNESS, Citation, Event
from ..localize import msg
from ..span import Span
from ..typecheck import CLAIM_CONTEXT, CONSTANT_CONTEXT, ERROR, PERSON_CONTEXT, HeaderFactMissing
from ..values import Money, Percent
from .checking import Checker, check_sign
from .context import HUNDRED, ZERO, CompileContext, Year


@attrs.frozen
class Band:
    low: Decimal
    """Where the band starts, in cumulative burden (the deductible already added)."""
    high: Optional[Decimal]
    rate: Decimal
    """Percentage points."""
    source: Optional[Span]
    cite: Optional[Citation]


@attrs.frozen
class Table:
    title: str
    when: Optional[Code]
    deductible: Decimal
    bands: tuple[Band, ...]
    cap: Optional[Decimal]
    has_cap: bool
    """Whether the table names a cap (which may be unstated: ``cap`` None)."""
    cap_source: Optional[Span]
    cap_cite: Optional[Citation]
    deductible_cite: Optional[Citation]
    source: Optional[Span]


@attrs.frozen
class BandedPayer:
    id: str
    title: str
    covers: Code
    covers_source: Optional[Span]
    covers_cite: Optional[Citation]
    tables: tuple[Table, ...]
    round: Callable[[Decimal], Decimal] = attrs.field(eq=False, repr=False)
    """The policy's rounding."""
    pool: str = attrs.field(init=False, eq=False, repr=False)
    """The pool its payments count toward, as a :class:`~medpolicy.explain.Charge` names it."""

    @pool.default
    def _pool(self) -> str:
        return f"payer:{self.id}"

    def pay(self, year: Year, fr: Frame, covered: Decimal, paid_before: Decimal, ev: Optional[list],
            charges: list) -> Decimal:
        """What this payer pays on a claim whose basic fund and earlier payers paid ``paid_before``."""
        if not self.covers.fn(fr):
            fr.take()
            return ZERO
        fr.take()
        burden = covered - paid_before
        if burden <= 0:
            return ZERO
        table = None
        for candidate in self.tables:
            if candidate.when is None or candidate.when.fn(fr):
                table = candidate
                break
        details = fr.take()
        if table is None:
            if ev is not None:
                ev.append(Event("payer_no_table", {"payer": self.id, "title": self.title, "details": details},
                                ZERO, f"{self.id}.table", self.covers_source))
            return ZERO
        before = year.burden[self.id]
        after = before + burden
        year.burden[self.id] = after
        if ev is not None:
            ev.append(Event("payer_burden", {
                "payer": self.id, "title": self.title, "table": table.title, "covered": covered,
                "paid_before": paid_before, "burden": burden, "year_before": before, "year_after": after,
                "deductible": table.deductible, "details": details}, burden, f"{self.id}.covers",
                self.covers_source, self.covers_cite or table.deductible_cite))
        raw = ZERO
        for band in table.bands:
            top = after if band.high is None else min(after, band.high)
            part = top - max(before, band.low)
            if part <= 0:
                continue
            pay = part * band.rate / HUNDRED
            raw += pay
            if ev is not None:
                ev.append(Event("band", {"payer": self.id, "low": band.low, "high": band.high,
                                         "rate": Percent(band.rate), "part": part, "pay": pay}, pay,
                                f"{self.id}.band", band.source, band.cite))
        paid = self.round(raw)
        if table.has_cap:
            if table.cap is None:
                if ev is not None:
                    ev.append(Event("payer_cap_unstated", {"payer": self.id, "title": self.title}, None,
                                    f"{self.id}.cap", table.cap_source, table.cap_cite))
            else:
                left = max(table.cap - year.paid[self.id], ZERO)
                if paid > left:
                    if ev is not None:
                        ev.append(Event("payer_cap", {"payer": self.id, "title": self.title, "cap": table.cap,
                                                      "paid_before": year.paid[self.id], "left": left,
                                                      "before": paid}, left, f"{self.id}.cap", table.cap_source,
                                        table.cap_cite))
                    paid = left
        year.paid[self.id] += paid
        charges.append((self.pool, table.cap, paid))
        if ev is not None:
            ev.append(Event("payer", {"payer": self.id, "title": self.title, "amount": paid}, paid,
                            f"{self.id}.table", table.source))
        return paid


def check_payer(ck: Checker, decl: ast.CriticalIllness, file: str) -> None:
    """A banded payer: what it covers, and its tables."""
    if decl.covers is None:
        ck.error(msg("E120.covers"), decl.span, help=msg("E120.covers.help"))
    else:
        ck.expect(decl.covers, "bool", file, CLAIM_CONTEXT, "covers")
    ck.check_cite(decl.covers_cite, file)
    if not decl.tables:
        ck.error(msg("E120.no_table"), decl.span)
    for i, table in enumerate(decl.tables):
        if table.when is None and i != len(decl.tables) - 1:
            ck.error(msg("E121"), table.span)
        if table.when is not None:
            ck.expect(table.when, "bool", file, PERSON_CONTEXT, "table_when")
        _check_table(ck, table, file)
    if decl.tables and all(t.when is not None for t in decl.tables):
        ck.warning(msg("W120"), decl.span)


def _check_table(ck: Checker, table: ast.CITable, file: str) -> None:
    """A table's deductible, cap and bands: constants, the bands in order from where the table starts paying."""
    for cite in (table.deductible_cite, table.cap_cite):
        ck.check_cite(cite, file)
    deductible = Money(Decimal(0))
    if table.deductible is not None:
        deductible = _constant(ck, table.deductible, file, "money", "deductible")
        check_sign(ck, table.deductible, "deductible")
    if table.cap is not None:
        _constant(ck, table.cap, file, "money", "cap", allow_unstated=True)
        check_sign(ck, table.cap, "cap")
    if not table.bands:
        ck.error(msg("E123", title=table.title), table.span)
        return
    # When the deductible itself is in error, where the bands start cannot be judged.
    expected = Money(Decimal(0)) if table.measure == "above_deductible" else deductible
    for i, band in enumerate(table.bands):
        ck.check_cite(band.cite, file)
        low = _constant(ck, band.low, file, "money", "band_low")
        high = _constant(ck, band.high, file, "money", "band_high") if band.high is not None else None
        rate = _constant(ck, band.rate, file, "percent", "band_rate")
        if rate is not None and not (Decimal(0) <= rate.points <= Decimal(100)):
            ck.error(msg("E124", rate=str(rate)), band.rate.span)
        if low is None or (band.high is not None and high is None):
            continue
        if high is not None and high <= low:
            ck.error(msg("E125", low=str(low), high=str(high)), band.span)
        if expected is not None and low != expected:
            where = ("deductible" if table.measure == "absolute" else "above") if i == 0 else "previous"
            kind = "overlaps" if low < expected else "gap"
            ck.error(msg(_BAND_START[kind, where], low=str(low), expected=str(expected)), band.low.span,
                     help=msg("E126.help"))
        if high is None and i != len(table.bands) - 1:
            ck.error(msg("E126.open"), band.span)
        expected = high


# Where a band that does not start where it should (E126) overlaps or leaves a gap, by (kind, where).
_BAND_START = {
    ("overlaps", "deductible"): "E126.overlaps.deductible", ("gap", "deductible"): "E126.gap.deductible",
    ("overlaps", "above"): "E126.overlaps.above", ("gap", "above"): "E126.gap.above",
    ("overlaps", "previous"): "E126.overlaps.previous", ("gap", "previous"): "E126.gap.previous",
}


def _constant(ck: Checker, expr: ast.Expr, file: str, want: str, what: str, allow_unstated: bool = False):
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


def compile_payer(cx: CompileContext, decl: ast.CriticalIllness) -> BandedPayer:
    tables = []
    for table in decl.tables:
        deductible = evaluate_constant(cx.expr(table.deductible)) if table.deductible is not None else ZERO
        offset = deductible if table.measure == "above_deductible" else ZERO
        bands = []
        for band in table.bands:
            low = evaluate_constant(cx.expr(band.low)) + offset
            high = evaluate_constant(cx.expr(band.high)) + offset if band.high is not None else None
            bands.append(Band(low, high, evaluate_constant(cx.expr(band.rate)), band.span, cx.cite(band.cite)))
        cap = evaluate_constant(cx.expr(table.cap)) if table.cap is not None else None
        tables.append(Table(table.title, cx.expr(table.when) if table.when is not None else None, deductible,
                            tuple(bands), cap, table.cap is not None, table.cap.span if table.cap else None,
                            cx.cite(table.cap_cite), cx.cite(table.deductible_cite), table.span))
    return BandedPayer(getattr(decl, "id", CRITICAL_ILLNESS), decl.title, cx.expr(decl.covers),
                       decl.covers.span, cx.cite(decl.covers_cite), tuple(tables), cx.round)
