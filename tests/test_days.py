"""Day arithmetic: the ``days`` literal, its type, its values and how explanations show them.

The conformance cases (tests/language/dates_and_months/days_*.yaml) pin whole
policies; these tests pin the pieces: how the parser reads each spelling, that
the benefit clause `up to N days before` still reads `days` as its keyword,
that both value representations (typed ``Days``, raw ``int``) agree, and the
round trip of adding and subtracting days.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medpolicy import ast
from medpolicy.errors import PolicyError
from medpolicy.messages import show_value
from medpolicy.parser import MAX_DAYS, parse
from medpolicy.values import OPERATIONS, RAW_OPERATIONS, Days, raw, typed

HEAD = 'policy p {\n  title "t"\n  year 2026-01-01 .. 2026-12-31\n}\nlevels { "1" "一级" }\n'


def param_value(literal: str):
    """The value the parser gives ``param x = LITERAL``."""
    file = parse(HEAD + f'param x "x" = {literal}\n', "p.mpol")
    (param,) = [d for d in file.decls if isinstance(d, ast.Param)]
    return param.value


@pytest.mark.parametrize("text, count", [
    ("15 days", 15), ("1 day", 1), ("15days", 15), ("15 天", 15), ("15天", 15), ("15 日", 15), ("0 days", 0),
])
def test_each_spelling_of_a_days_literal_is_a_days_literal(text, count):
    literal = param_value(text)
    assert (literal.kind, literal.value) == ("days", count)


def test_months_stay_months_next_to_days():
    assert param_value("3 months").kind == "months"
    assert param_value("3 个月").kind == "months"


def test_the_benefit_clause_still_reads_days_as_its_keyword():
    text = HEAD + ('benefit b "B" {\n  priority 1\n  when claim.care == inpatient\n'
                   '  includes outpatient care at the same institution up to 3 days before\n  ratio 70%\n}\n'
                   'benefit c "C" {\n  priority 2\n  when claim.care == inpatient\n'
                   '  includes outpatient care at the same institution up to 1 day before\n  ratio 70%\n}\n')
    benefits = [d for d in parse(text, "p.mpol").decls if isinstance(d, ast.Benefit)]
    assert [b.includes.days for b in benefits] == [3, 1]


def test_a_date_minus_days_parses_as_a_subtraction():
    value = parse(HEAD + 'let x "x" = claim.date - 15 days\n', "p.mpol").decls[-1].value
    assert isinstance(value, ast.Binary) and value.op == "-"
    assert (value.right.kind, value.right.value) == ("days", 15)


def test_a_days_literal_over_the_bound_is_refused():
    param_value(f"{MAX_DAYS} days")
    with pytest.raises(PolicyError) as info:
        param_value(f"{MAX_DAYS + 1} days")
    assert [d.code for d in info.value.diagnostics] == ["E007"]


def test_days_are_shown_in_each_language():
    assert show_value(Days(15), "zh") == "15 天"
    assert show_value(Days(15), "en") == "15 days"
    assert show_value(Days(1), "en") == "1 day"
    assert show_value(Days(-1), "en") == "-1 day"


def test_a_fraction_of_days_is_truncated_toward_zero_like_months():
    _, times = OPERATIONS[("*", "days", "number")]
    assert times(Days(61), Decimal("0.5")) == Days(30)
    assert times(Days(-61), Decimal("0.5")) == Days(-30)
    assert RAW_OPERATIONS[("*", "number", "days")](Decimal("0.5"), 61) == 30


DATES = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))
COUNTS = st.integers(min_value=0, max_value=3650)


@given(DATES, COUNTS)
def test_adding_then_subtracting_days_is_the_identity(day, n):
    plus = OPERATIONS[("+", "date", "days")][1]
    minus = OPERATIONS[("-", "date", "days")][1]
    between = OPERATIONS[("-", "date", "date")][1]
    later = plus(day, Days(n))
    assert between(later, day) == Days(n)
    assert minus(later, Days(n)) == day
    assert between(day, later) == Days(-n)


@given(DATES, COUNTS)
def test_the_raw_operations_agree_with_the_typed_ones(day, n):
    for op, right in (("+", "days"), ("-", "days")):
        typed_result = OPERATIONS[(op, "date", right)][1](day, Days(n))
        assert RAW_OPERATIONS[(op, "date", right)](day, n) == typed_result
    later = RAW_OPERATIONS[("+", "date", "days")](day, n)
    assert typed("days", RAW_OPERATIONS[("-", "date", "date")](later, day)) == Days(n)
    assert raw(Days(n)) == n


def test_the_json_statement_types_a_days_value_as_days():
    """A detail holding days (a named value such as 已参保天数) is ``{"type": "days", "value": N}`` in JSON,
    a type the statement schema lists."""
    import json

    from medpolicy.render_json import _typed

    assert _typed(Days(90)) == {"type": "days", "value": 90}
    assert _typed(Days(-3)) == {"type": "days", "value": -3}
    schema = json.loads((Path(__file__).parent.parent / "schemas" / "statement.schema.json").read_text("utf-8"))
    assert "days" in json.dumps(schema)
