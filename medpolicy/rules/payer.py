"""Payers after the basic fund: banded, on the burden it leaves (大病保险).

Syntax: ``critical_illness "title" { covers COND; table "title" when COND |
otherwise { deductible A; bands measured absolute|above_deductible; band LOW ..
HIGH pays RATE; band above LOW pays RATE; annual cap A } }``
(:class:`medpolicy.ast.CriticalIllness`).  Checks: one ``covers``, tables
with bands that are constant, follow each other without gap or overlap
(E126), start at the deductible, pay 0..100% (E124); an ``otherwise`` table last.

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
from ..explain import CRITICAL_ILLNESS, Citation, Event
from ..span import Span
from ..values import Percent
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
