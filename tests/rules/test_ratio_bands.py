"""Banded ratios (rules/ratio_bands.py): however a year's amount is split into visits, the bands pay
the same in all, to the rounding of each visit (分段累进 measures the year, not the visit)."""
from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings, strategies as st

import medpolicy

POLICY = """
policy t {
  title "T"
  year 2026-01-01 .. 2026-12-31
}
levels { "1" "一级" }
measure ytd "住院累计"
benefit inpatient "住院" {
  priority 1
  when claim.care == inpatient
  no deductible
  ratio banded over ytd {
    band ¥0 .. ¥1,000 pays 50%
    band ¥1,000 .. ¥5,000 pays 70%
    band above ¥5,000 pays 90%
  }
}
"""


def _by_hand(amount: Decimal) -> Decimal:
    """The bands on one amount of the year, exactly."""
    parts = ((Decimal(0), Decimal(1000), Decimal("0.5")), (Decimal(1000), Decimal(5000), Decimal("0.7")),
             (Decimal(5000), None, Decimal("0.9")))
    return sum((max(min(amount, high if high is not None else amount) - low, Decimal(0)) * rate
                for low, high, rate in parts), Decimal(0))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=400_000), min_size=1, max_size=12))
def test_the_year_pays_the_same_however_it_is_split_into_visits(cents):
    policy = medpolicy.check_source(POLICY, "t.mpol")
    amounts = [Decimal(c) / 100 for c in cents]
    claims = [{"id": f"c{i}", "date": f"2026-{1 + i:02d}-01", "care": "inpatient", "level": "1", "total": str(a)}
              for i, a in enumerate(amounts)]
    statement = medpolicy.evaluate(policy, {"person": {"id": "p"}, "claims": claims}, explain=False)
    paid = statement.totals.basic_fund
    exact = _by_hand(sum(amounts, Decimal(0)))
    # each visit is rounded to the cent once: the year is off by at most half a cent a visit
    assert abs(paid - exact) <= Decimal("0.005") * len(amounts)
    # and the fund never pays more than the rate of the top band allows
    assert paid <= sum(amounts, Decimal(0)) * Decimal("0.9") + Decimal("0.005") * len(amounts)
