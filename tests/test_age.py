"""``age(birth, on)``: whole years completed (周岁), its rule for 29 February, and both evaluators.

The conformance cases (tests/language/person_age/) pin whole policies; these
tests pin the function: its properties over any dates (never decreasing, one
more year exactly on each birthday), the 1 March birthday of a 29 February
birth in a non-leap year, and that the tree evaluator (constants) agrees with
the compiled program.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medpolicy import ast
from medpolicy.expressions import Environment, evaluate
from medpolicy.parser import parse
from medpolicy.values import age

DATES = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))


def birthday(birth: dt.date, year: int) -> dt.date:
    """The day ``birth`` has its birthday in ``year`` (29 February → 1 March in a non-leap year)."""
    try:
        return birth.replace(year=year)
    except ValueError:
        return dt.date(year, 3, 1)


@given(DATES, DATES, st.integers(1, 800))
def test_age_never_decreases_as_the_day_moves_on(birth, on, later):
    assert age(birth, on) <= age(birth, on + dt.timedelta(days=later))


@given(DATES, st.integers(1, 120))
def test_age_goes_up_by_exactly_one_on_each_birthday(birth, years):
    day = birthday(birth, birth.year + years)
    assert age(birth, day) == Decimal(years)
    assert age(birth, day - dt.timedelta(days=1)) == Decimal(years - 1)


@pytest.mark.parametrize("on, expected", [
    (dt.date(2026, 2, 28), 17), (dt.date(2026, 3, 1), 18),   # non-leap year: birthday on 1 March
    (dt.date(2028, 2, 28), 19), (dt.date(2028, 2, 29), 20),  # leap year: birthday on 29 February
    (dt.date(2008, 2, 29), 0), (dt.date(2008, 2, 28), -1),   # born that day; the day before is before birth
])
def test_a_29_february_birth(on, expected):
    assert age(dt.date(2008, 2, 29), on) == Decimal(expected)


def test_age_is_a_whole_decimal_number():
    value = age(dt.date(1966, 3, 10), dt.date(2026, 3, 10))
    assert type(value) is Decimal and value == 60


class _NoFacts(Environment):
    """Constants only: a literal call needs no name and no fact."""


def _call(text: str):
    file = parse('policy p {\n  title "t"\n  year 2026-01-01 .. 2026-12-31\n}\nlevels { "1" "一级" }\n'
                 f"let x = {text}\n", "p.mpol")
    (let,) = [d for d in file.decls if isinstance(d, ast.Let)]
    return let.value


def test_the_tree_evaluator_counts_ages_like_the_compiled_program():
    assert evaluate(_call("age(2008-02-29, 2026-03-01)"), _NoFacts()) == Decimal(18)
    assert evaluate(_call("age(2008-02-29, 2026-02-28)"), _NoFacts()) == Decimal(17)
