"""Typed values and the operations on them.

The language has a small set of value types.  Each is named by a string so
that the checker (which reasons about types) and the expression evaluator
(which computes values) read the same table, :data:`OPERATIONS`:

=========  ================================  ==========================
type       runtime value                     literal
=========  ================================  ==========================
money      :class:`Money` (exact Decimal)    ``¥100``, ``¥1,400.50``, ``100元``
percent    :class:`Percent` (points)         ``70%``
number     ``Decimal``                       ``3``, ``0.5``
months     :class:`Months`                   ``3 months``
days       :class:`Days`                     ``15 days``, ``15 天``
date       ``datetime.date``                 ``2026-01-01``
bool       ``bool``                          ``true``, ``false``
text       ``str``                           ``"一级医疗机构"``
enum:K     ``str`` (the member id)           ``inpatient``, ``"3A"``
list:T     ``tuple``                         ``[a, b]``
opt:T      the T value, or ``None``          (facts the scenario may omit)
=========  ================================  ==========================
"""
from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation

import attrs

CENT = Decimal("0.01")
ONE = Decimal(1)
HUNDRED = Decimal(100)


@attrs.frozen(order=True)
class Money:
    """An amount in yuan, exact."""

    amount: Decimal

    def __str__(self) -> str:
        return f"¥{format_money(self.amount)}"


@attrs.frozen(order=True)
class Percent:
    """A percentage in points: ``Percent(Decimal(70))`` is 70%."""

    points: Decimal

    @property
    def fraction(self) -> Decimal:
        return self.points / HUNDRED

    def __str__(self) -> str:
        return f"{_plain(self.points)}%"


@attrs.frozen(order=True)
class Months:
    """A whole number of calendar months."""

    count: int

    def __str__(self) -> str:
        return f"{self.count} month" + ("" if self.count == 1 else "s")


@attrs.frozen(order=True)
class Days:
    """A whole number of days; ``date - date`` gives one, so it may be negative."""

    count: int

    def __str__(self) -> str:
        return f"{self.count} day" + ("" if abs(self.count) == 1 else "s")


def _plain(d: Decimal) -> str:
    text = format(d.normalize(), "f") if d == d.to_integral() else format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def format_money(amount: Decimal) -> str:
    """Two decimals, no grouping: ``2600.00``."""
    try:
        return format(amount.quantize(CENT, rounding=ROUND_HALF_UP), "f")
    except InvalidOperation:  # more digits than the context holds: still print it
        return format(amount, ".2f")


ROUNDING_MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "down": ROUND_DOWN}


def rounder(mode: str, unit: Decimal) -> Callable[[Decimal], Decimal]:
    """Rounding to a multiple of ``unit`` (more than zero) by ``mode``: ¥0.01, ¥1, but also ¥0.05 or ¥10."""
    how = ROUNDING_MODES[mode]
    step = unit.normalize()
    if step.as_tuple().digits == (1,) and step.as_tuple().exponent <= 0:
        # ¥1, ¥0.1, ¥0.01: one quantize, the common case on every claim's path.
        return lambda amount: amount.quantize(step, rounding=how)
    return lambda amount: (amount / unit).quantize(ONE, rounding=how) * unit


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus calendar months; a day past the month's end clamps to its last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def add_days(day: dt.date, days: int) -> dt.date:
    """``day`` plus ``days`` calendar days (leap days count like any other)."""
    return day + dt.timedelta(days=days)


def days_between(later: dt.date, earlier: dt.date) -> int:
    """Whole days from ``earlier`` to ``later``; negative when ``later`` is earlier."""
    return (later - earlier).days


def end_of_year(day: dt.date) -> dt.date:
    """31 December of ``day``'s year."""
    return dt.date(day.year, 12, 31)


def age(birth: dt.date, on: dt.date) -> Decimal:
    """Whole years completed on ``on`` by someone born on ``birth`` (周岁); negative before birth.

    A person born on 29 February has the birthday of a non-leap year on
    1 March: the year is complete only once 28 February has passed.
    """
    years = on.year - birth.year
    # Comparing (month, day) counts 29 February as later than 28 February,
    # so in a non-leap year the birthday falls on 1 March.
    if (on.month, on.day) < (birth.month, birth.day):
        years -= 1
    return Decimal(years)


def show(value) -> str:
    """A value as the statement prints it."""
    if value is None:
        return "absent"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return _plain(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(show(v) for v in value) + "]"
    return str(value)


# ------------------------------------------------------------------ operations

def _m(f):
    return lambda a, b: Money(f(a, b))


def _durations(kind: str, wrap, move) -> dict:
    """The operations of a duration type (months, days) on typed values.

    A number times a duration truncates toward zero to a whole count: a
    duration is whole months or whole days, and the checker cannot know a
    product's fraction before evaluation.
    """
    return {
        ("+", kind, kind): (kind, lambda a, b: wrap(a.count + b.count)),
        ("-", kind, kind): (kind, lambda a, b: wrap(a.count - b.count)),
        ("*", kind, "number"): (kind, lambda a, b: wrap(int(a.count * b))),
        ("*", "number", kind): (kind, lambda a, b: wrap(int(b.count * a))),
        ("+", "date", kind): ("date", lambda a, b: move(a, b.count)),
        ("-", "date", kind): ("date", lambda a, b: move(a, -b.count)),
    }


def _raw_durations(kind: str, move) -> dict:
    """:func:`_durations` on raw values (an ``int`` count)."""
    return {
        ("+", kind, kind): lambda a, b: a + b,
        ("-", kind, kind): lambda a, b: a - b,
        ("*", kind, "number"): lambda a, b: int(a * b),
        ("*", "number", kind): lambda a, b: int(b * a),
        ("+", "date", kind): lambda a, b: move(a, b),
        ("-", "date", kind): lambda a, b: move(a, -b),
    }


# (op, left type, right type) -> (result type, function)
OPERATIONS = {
    ("+", "money", "money"): ("money", lambda a, b: Money(a.amount + b.amount)),
    ("-", "money", "money"): ("money", lambda a, b: Money(a.amount - b.amount)),
    ("*", "money", "percent"): ("money", lambda a, b: Money(a.amount * b.fraction)),
    ("*", "percent", "money"): ("money", lambda a, b: Money(b.amount * a.fraction)),
    ("*", "money", "number"): ("money", lambda a, b: Money(a.amount * b)),
    ("*", "number", "money"): ("money", lambda a, b: Money(b.amount * a)),
    ("+", "percent", "percent"): ("percent", lambda a, b: Percent(a.points + b.points)),
    ("-", "percent", "percent"): ("percent", lambda a, b: Percent(a.points - b.points)),
    ("*", "percent", "percent"): ("percent", lambda a, b: Percent(a.points * b.fraction)),
    ("*", "percent", "number"): ("percent", lambda a, b: Percent(a.points * b)),
    ("*", "number", "percent"): ("percent", lambda a, b: Percent(b.points * a)),
    ("+", "number", "number"): ("number", lambda a, b: a + b),
    ("-", "number", "number"): ("number", lambda a, b: a - b),
    ("*", "number", "number"): ("number", lambda a, b: a * b),
    **_durations("months", Months, add_months),
    **_durations("days", Days, add_days),
    ("-", "date", "date"): ("days", lambda a, b: Days(days_between(a, b))),
}

NEGATE = {
    "money": lambda a: Money(-a.amount),
    "percent": lambda a: Percent(-a.points),
    "number": lambda a: -a,
    "months": lambda a: Months(-a.count),
    "days": lambda a: Days(-a.count),
}

# The same operations on raw values, for the compiled program: money, percent
# (points) and number are plain ``Decimal``, months and days an ``int``.  The checker
# has typed every operand, so the compiler picks the function once.
RAW_OPERATIONS = {
    ("+", "money", "money"): lambda a, b: a + b,
    ("-", "money", "money"): lambda a, b: a - b,
    ("*", "money", "percent"): lambda a, b: a * b / HUNDRED,
    ("*", "percent", "money"): lambda a, b: b * a / HUNDRED,
    ("*", "money", "number"): lambda a, b: a * b,
    ("*", "number", "money"): lambda a, b: b * a,
    ("+", "percent", "percent"): lambda a, b: a + b,
    ("-", "percent", "percent"): lambda a, b: a - b,
    ("*", "percent", "percent"): lambda a, b: a * b / HUNDRED,
    ("*", "percent", "number"): lambda a, b: a * b,
    ("*", "number", "percent"): lambda a, b: b * a,
    ("+", "number", "number"): lambda a, b: a + b,
    ("-", "number", "number"): lambda a, b: a - b,
    ("*", "number", "number"): lambda a, b: a * b,
    **_raw_durations("months", add_months),
    **_raw_durations("days", add_days),
    ("-", "date", "date"): days_between,
}


def typed(type_name: str, raw):
    """A raw value of a checked type as the typed value explanations show."""
    return typer(type_name)(raw)


def typer(type_name: str):
    """The function :func:`typed` applies for ``type_name``, to pick once where it runs often."""
    base = type_name[4:] if type_name.startswith("opt:") else type_name
    wrap = _WRAPPERS.get(base)
    if wrap is None:
        return _same
    return lambda raw: None if raw is None else wrap(raw)


def _same(raw):
    return raw


def raw(value):
    """The raw value of a typed value (inverse of :func:`typed`)."""
    if isinstance(value, Money):
        return value.amount
    if isinstance(value, Percent):
        return value.points
    if isinstance(value, (Months, Days)):
        return value.count
    return value


_WRAPPERS = {"money": Money, "percent": Percent, "months": Months, "days": Days}

ORDERED = {"money", "percent", "number", "months", "days", "date"}
"""Types that ``< <= > >=``, ``min`` and ``max`` accept."""

ZERO = {
    "money": Money(Decimal(0)),
    "percent": Percent(Decimal(0)),
    "number": Decimal(0),
    "months": Months(0),
    "days": Days(0),
}
