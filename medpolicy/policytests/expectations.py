"""Comparing a statement with what a case expects.

Each expected figure is read off the statement the way a reader of the
statement would read it: a claim's status, benefit and amounts, what its
deductible charged (the sum of its ``deductible`` steps), the ratio its fund
step applied, a payer's amount by the payer's id; the year's totals; the
premium; and for claims settled by hand, what the student is told to do.
A difference is a :class:`Mismatch` carrying the explanation steps that
produced the actual figure, so that a report can name the rule behind it.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any, Optional

import attrs

from ..diagnostics import closest
from ..explain import STATUSES, ClaimResult, Event, Statement
from ..localize import Message, msg
from ..values import Percent
from .files import CLAIM_FIELDS, SETTLEMENT_FIELDS, TOTAL_FIELDS, Expected, Place, TestCase

MONEY = "money"
PERCENT = "percent"
TEXT = "text"

_FIELD_KINDS = {"status": TEXT, "benefit": TEXT, "ratio": PERCENT}
_NOT_A_FIGURE = {MONEY: "ptest.not_amount", PERCENT: "ptest.not_percent"}

# The explanation steps that decide each figure, shown when it differs.
_WHERE_A_CLAIM_LANDS = ("benefit", "no_benefit", "excluded", "outside_period", "waiting", "coverage_ended", "late",
                        "joined", "visit")
_BASIC_FUND_STEPS = _WHERE_A_CLAIM_LANDS + ("deductible", "no_deductible", "ratio", "adjustment", "ratio_clamped",
                                            "fund", "visit_cap", "annual_cap", "annual_cap_unstated", "split")
_PAYER_STEPS = ("payer_no_table", "payer_burden", "band", "payer_cap", "payer_cap_unstated", "payer")
_STEPS_BEHIND = {
    "status": _WHERE_A_CLAIM_LANDS, "benefit": _WHERE_A_CLAIM_LANDS,
    "covered": ("visit", "joined"),
    "basic_fund": _BASIC_FUND_STEPS,
    "deductible": ("deductible", "no_deductible"),
    "ratio": ("ratio", "adjustment", "ratio_clamped", "fund"),
    "patient": _BASIC_FUND_STEPS + _PAYER_STEPS,
}


@attrs.frozen
class Mismatch:
    """An expected figure the statement does not give."""

    path: tuple[str, ...]
    expected: Any
    actual: Any
    """Typed as the statement has it: Decimal, Percent, a status or benefit id, None, a guidance mapping."""
    place: Place
    kind: str = MONEY
    """``money``, ``percent`` or ``text`` (see :func:`kind_of`)."""
    steps: tuple[Event, ...] = ()
    """The explanation steps that produced ``actual`` (empty for totals and the premium)."""


class ExpectationError(Exception):
    """An expectation that cannot be compared (an unknown field or claim, a figure that is no amount)."""

    def __init__(self, message: Message, place: Place):
        super().__init__(message.text("en"))
        self.message = message
        self.place = place


def compare(case: TestCase, statement: Statement, benefits: tuple[str, ...]) -> list[Mismatch]:
    """Every expected figure of ``case`` that ``statement`` does not give; raise ExpectationError
    for an expectation that names nothing the statement has."""
    claims = {c.id: c for c in statement.claims}
    payer_ids = tuple(p.id for p in statement.totals.payers)
    for claim_id, place in case.claim_places.items():
        _claim(claims, claim_id, place)
    found = []
    for want in case.expected:
        actual, steps = _actual(want, statement, claims, payer_ids, benefits)
        expected = _typed(want, kind_of(want.path))
        if expected != actual:
            found.append(Mismatch(want.path, expected, actual, want.place, kind_of(want.path), steps))
    for claim_id, want in case.settlement.items():
        place = case.settlement_places[claim_id]
        claim = _claim(claims, claim_id, place)
        got = guidance(claim)
        if want is not None:
            want = {**dict.fromkeys(SETTLEMENT_FIELDS), "materials": [], **want}
            want["deadline"] = None if want["deadline"] is None else str(want["deadline"])
        if got != want:
            found.append(Mismatch(("settlement", claim_id), want, got, place, TEXT, claim.guidance))
    return found


def guidance(claim: ClaimResult) -> Optional[dict]:
    """What the statement tells the student to do for a claim settled by hand, in the test files' shape."""
    events = claim.guidance
    if not events:
        return None
    got: dict = {**dict.fromkeys(SETTLEMENT_FIELDS), "materials": []}
    for e in events:
        if e.kind == "settlement":
            got["path"] = e.data["path"]
        elif e.kind == "material":
            got["materials"].append(e.data["text"])
        elif e.kind == "submit":
            got["submit"] = e.data["to"]
        elif e.kind == "deadline":
            got["deadline"] = e.data["deadline"].isoformat()
        elif e.kind == "processing_time":
            got["takes"] = e.data["time"]
    return got


def kind_of(path: tuple[str, ...]) -> str:
    """How a figure is typed: ``money``, ``percent`` or ``text``."""
    return _FIELD_KINDS.get(path[-1], MONEY) if path[0] != "settlement" else TEXT


def _actual(want: Expected, statement: Statement, claims: dict, payer_ids: tuple[str, ...],
            benefits: tuple[str, ...]) -> tuple[Any, tuple[Event, ...]]:
    head = want.path[0]
    if head == "premium":
        return statement.premium.personal, ()
    field = want.path[-1]
    if head == "totals":
        if field in TOTAL_FIELDS:
            return getattr(statement.totals, field), ()
        if field in payer_ids:
            return _payer(statement.totals.payers, field), ()
        raise _unknown_field(want, TOTAL_FIELDS + payer_ids)
    claim = _claim(claims, want.path[1], want.place)
    if field in ("status", "benefit"):
        _check_member(want, STATUSES if field == "status" else benefits)
    if field in ("status", "benefit", "covered", "basic_fund", "critical_illness", "patient"):
        value = getattr(claim, field)
    elif field == "deductible":
        value = sum((e.amount for e in claim.events if e.kind == "deductible" and e.amount is not None), Decimal(0))
    elif field == "ratio":
        value = next((e.data["ratio"].points for e in claim.events if e.kind == "fund"), None)
    elif field in payer_ids:
        value = _payer(claim.payers, field)
    else:
        raise _unknown_field(want, CLAIM_FIELDS + payer_ids)
    kinds = _STEPS_BEHIND.get(field, _PAYER_STEPS)
    return value, tuple(e for e in claim.events if e.kind in kinds)


def _payer(payers, payer_id: str) -> Decimal:
    return sum((p.amount for p in payers if p.id == payer_id), Decimal(0))


def _claim(claims: dict, claim_id: str, place: Place) -> ClaimResult:
    if not claims:
        raise ExpectationError(msg("ptest.no_such_claim.none", claim=claim_id), place)
    if claim_id not in claims:
        raise ExpectationError(msg("ptest.no_such_claim", claim=claim_id, claims=sorted(claims)), place)
    return claims[claim_id]


def _check_member(want: Expected, allowed) -> None:
    if want.value is None and want.path[-1] == "benefit":
        return
    if want.value not in allowed:
        hint = closest(str(want.value), list(allowed))
        if hint:
            raise ExpectationError(msg("ptest.member", field=want.path[-1], value=str(want.value), name=hint),
                                   want.place)
        raise ExpectationError(msg("ptest.member.list", field=want.path[-1], value=str(want.value),
                                   allowed=list(allowed)), want.place)


def _unknown_field(want: Expected, allowed: tuple[str, ...]) -> ExpectationError:
    allowed = tuple(dict.fromkeys(allowed))  # a payer's id may also be a figure's name (critical_illness)
    hint = closest(want.path[-1], list(allowed))
    where = ".".join(want.path)
    if re.fullmatch(r"\d+(\.\d*)?", want.path[-1]):
        return ExpectationError(msg("ptest.thousands", key=where), want.place)
    if hint:
        return ExpectationError(msg("ptest.unknown_field", key=where, name=hint), want.place)
    return ExpectationError(msg("ptest.unknown_field.list", key=where, keys=list(allowed)), want.place)


def _typed(want: Expected, kind: str) -> Any:
    """The expected value as the statement types it: Decimal amounts, percentage points, text."""
    value = want.value
    if value is None or kind == TEXT:
        return value
    text = str(value).strip()
    if kind == PERCENT:
        text = text.removesuffix("%").strip()
    try:
        number = Decimal(text.replace(",", "").removeprefix("¥"))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or isinstance(value, bool):
        raise ExpectationError(msg(_NOT_A_FIGURE[kind], key=".".join(want.path), value=str(value)), want.place)
    return number


def shown(value: Any, kind: str) -> str:
    """A figure as a test file writes it: amounts with two decimals, ratios with %, null."""
    if value is None:
        return "null"
    if kind == PERCENT:
        return str(Percent(value))
    if kind == MONEY and isinstance(value, Decimal):
        # More than two decimals stay: `expected 8415.00, got 8415.00` would hide why 8415.001 failed.
        return f"{value:.2f}" if value == value.quantize(Decimal("0.01")) else format(value, "f")
    return str(value)
