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
from ..explain import CRITICAL_ILLNESS, Citation, Event
from ..localize import msg
from ..span import Span
from ..typecheck import CLAIM_CONTEXT, PERSON_CONTEXT
from ..values import Money, Percent
from .bands import Band, band_parts, check_band_sequence, compile_bands, constant
from .checking import Checker, check_sign
from .context import HUNDRED, ZERO, CompileContext, Year


@attrs.frozen
class Table:
    title: str
    when: Optional[Code]
    deductible: Decimal
    bands: tuple[Band, ...]
    cap: Optional[Code]
    """The annual cap: it may read person facts (a cap that grows with insured years); None when the
    table names none; its value is None when the document does not state it (``unstated``)."""
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
        for band, part in band_parts(table.bands, before, after):
            pay = part * band.rate / HUNDRED
            raw += pay
            if ev is not None:
                ev.append(Event("band", {"payer": self.id, "low": band.low, "high": band.high,
                                         "rate": Percent(band.rate), "part": part, "pay": pay}, pay,
                                f"{self.id}.band", band.source, band.cite))
        paid = self.round(raw)
        cap = None
        if table.cap is not None:
            cap = table.cap.fn(fr)
            details = fr.take()
            if cap is None:
                if ev is not None:
                    ev.append(Event("payer_cap_unstated", {"payer": self.id, "title": self.title}, None,
                                    f"{self.id}.cap", table.cap_source, table.cap_cite))
            else:
                left = max(cap - year.paid[self.id], ZERO)
                if paid > left:
                    if ev is not None:
                        ev.append(Event("payer_cap", {"payer": self.id, "title": self.title, "cap": cap,
                                                      "paid_before": year.paid[self.id], "left": left,
                                                      "before": paid, "details": details}, left, f"{self.id}.cap",
                                        table.cap_source,
                                        table.cap_cite))
                    paid = left
        year.paid[self.id] += paid
        charges.append((self.pool, cap, paid))
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
        deductible = constant(ck, table.deductible, file, "money", "deductible")
        check_sign(ck, table.deductible, "deductible")
    if table.cap is not None:
        # A cap may grow with the person (years insured, age): it reads person facts, never the claim.
        ck.expect(table.cap, "money", file, PERSON_CONTEXT, "payer_cap", allow_unstated=True)
        check_sign(ck, table.cap, "cap")
    if not table.bands:
        ck.error(msg("E123", title=table.title), table.span)
        return
    # When the deductible itself is in error, where the bands start cannot be judged.
    start = Money(Decimal(0)) if table.measure == "above_deductible" else deductible
    check_band_sequence(ck, table.bands, file, start, "deductible" if table.measure == "absolute" else "above")


def compile_payer(cx: CompileContext, decl: ast.CriticalIllness) -> BandedPayer:
    tables = []
    for table in decl.tables:
        deductible = evaluate_constant(cx.expr(table.deductible)) if table.deductible is not None else ZERO
        offset = deductible if table.measure == "above_deductible" else ZERO
        bands = compile_bands(cx, table.bands, offset)
        cap = cx.expr(table.cap) if table.cap is not None else None
        tables.append(Table(table.title, cx.expr(table.when) if table.when is not None else None, deductible,
                            bands, cap, table.cap.span if table.cap else None,
                            cx.cite(table.cap_cite), cx.cite(table.deductible_cite), table.span))
    return BandedPayer(getattr(decl, "id", CRITICAL_ILLNESS), decl.title, cx.expr(decl.covers),
                       decl.covers.span, cx.cite(decl.covers_cite), tuple(tables), cx.round)
