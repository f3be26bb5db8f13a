"""Shared deductibles (rules/deductible.py): benefits meeting one pool together never charge more
than the pool, and once it is met none of them charges anything more."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings, strategies as st

import medpolicy

POLICY = """
policy t {
  title "T"
  year 2026-01-01 .. 2026-12-31
}
levels { "1" "一级" }
deductible clinic "门急诊起付线" ¥200 per year accumulating
benefit outpatient "门诊" {
  priority 2
  when claim.care == outpatient
  deductible per year clinic
  ratio 50%
}
benefit emergency "急诊" {
  priority 1
  when claim.care == emergency
  deductible per year clinic
  ratio 60%
}
"""
RATIO = {"outpatient": Decimal("0.5"), "emergency": Decimal("0.6")}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["outpatient", "emergency"]), st.integers(min_value=1, max_value=50_000)),
                min_size=1, max_size=10))
def test_two_benefits_meet_one_deductible(visits):
    policy = medpolicy.check_source(POLICY, "t.mpol")
    claims = [{"id": f"c{i}", "date": f"2026-{1 + i:02d}-01", "care": care, "level": "1", "total": str(Decimal(c) / 100)}
              for i, (care, c) in enumerate(visits)]
    statement = medpolicy.evaluate(policy, {"person": {"id": "p"}, "claims": claims})
    charged = [next(e.data["charged"] for e in c.events if e.kind == "deductible") for c in statement.claims]
    left = Decimal(200)
    for (care, cents), claim, due in zip(visits, statement.claims, charged):
        total = Decimal(cents) / 100
        # by hand: the pool takes what is left of ¥200, the ratio of the benefit pays the rest
        assert due == min(left, total)
        assert claim.basic_fund == ((total - due) * RATIO[care]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)  # the policy rounds half up
        left -= due
    assert sum(charged, Decimal(0)) <= 200
