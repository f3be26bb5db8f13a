"""Payers after the basic fund are a list: a third (medical assistance) is declared, not built in."""
from __future__ import annotations

import medpolicy
from medpolicy.verify import verify

from conftest import D, steps_of

POLICY = """
policy three_payers {
  title "三重保障"
  year 2026-01-01 .. 2026-12-31
  rounding half_up to ¥0.01
}
levels { "1" "一级" }
benefit hospital "住院" {
  priority 1
  when claim.care == inpatient
  no deductible
  ratio 50%
}
critical_illness "大病保险" {
  covers claim.benefit in [hospital]
  table "所有人" otherwise {
    deductible ¥1000
    bands measured absolute
    band ¥1000 .. ¥5000 pays 50%
    band above ¥5000 pays 60%
  }
}
payer assistance "医疗救助" {
  covers claim.benefit in [hospital]
  table "低保对象" when person.assistance == dibao {
    band above ¥0 pays 70%
    annual cap ¥2000
  }
}
"""

CLAIMS = [{"id": "c1", "date": "2026-03-01", "care": "inpatient", "level": "1", "total": "10000.00"},
          {"id": "c2", "date": "2026-04-01", "care": "inpatient", "level": "1", "total": "1000.00"}]


def payers(claim) -> dict:
    return {p.id: p.amount for p in claim.payers}


def test_a_third_payer_takes_what_the_first_two_leave():
    policy = medpolicy.check_source(POLICY)
    s = medpolicy.evaluate(policy, {"person": {"id": "p", "assistance": "dibao"}, "claims": CLAIMS})
    c1, c2 = s.claims
    # c1: basic 10000 × 50% = 5000; 大病 burden 10000 − 5000 = 5000, band 1000..5000: 4000 × 50% = 2000;
    # 救助 burden 10000 − 5000 − 2000 = 3000 × 70% = 2100, capped at ¥2000; patient 10000 − 9000 = 1000
    assert c1.basic_fund == D("5000.00")
    assert payers(c1) == {"critical_illness": D("2000.00"), "assistance": D("2000.00")}
    assert c1.patient == D("1000.00") and c1.critical_illness == D("2000.00")
    # c2: basic 500; 大病 year 5000 → 5500, above 5000: 500 × 60% = 300;
    # 救助 burden 1000 − 500 − 300 = 200 × 70% = 140, but the ¥2000 cap is used up: 0; patient 200
    assert payers(c2) == {"critical_illness": D("300.00"), "assistance": D("0.00")}
    assert c2.patient == D("200.00")
    t = s.totals
    assert t.fund == D("9800.00") and t.patient == D("1200.00")  # 5500 + 2300 + 2000; 11000 − 9800
    burden = [e for e in steps_of(c1, "payer_burden") if e.data["payer"] == "assistance"][0]
    assert burden.data["paid_before"] == D("7000.00") and burden.data["burden"] == D("3000.00")
    assert [e.data["payer"] for e in steps_of(c2, "payer_cap")] == ["assistance"]
    text = medpolicy.render_text(s, "zh")
    assert "医疗救助" in text.splitlines()[3]  # a column of its own
    data = medpolicy.statement_dict(s)
    assert [p["id"] for p in data["totals"]["payers"]] == ["critical_illness", "assistance"]
    assert data["totals"]["payers"][1]["amount"] == "2000.00"


def test_a_person_no_table_admits_gets_nothing_from_that_payer():
    policy = medpolicy.check_source(POLICY)
    s = medpolicy.evaluate(policy, {"person": {"id": "p"}, "claims": CLAIMS[:1]})
    (c1,) = s.claims
    assert payers(c1) == {"critical_illness": D("2000.00"), "assistance": D("0.00")}
    assert c1.patient == D("3000.00")  # 10000 − 5000 − 2000
    assert [e.data["payer"] for e in steps_of(c1, "payer_no_table")] == ["assistance"]
    assert [w.code for w in policy.warnings] == ["W120"]


def test_the_invariants_hold_with_three_payers():
    assert verify(medpolicy.check_source(POLICY), examples=60) is None


def test_two_payers_with_one_id_are_refused():
    twice = POLICY + POLICY[POLICY.index("payer assistance"):]
    try:
        medpolicy.check_source(twice)
    except medpolicy.PolicyError as err:
        assert [d.code for d in err.diagnostics if d.severity == "error"] == ["E101"]
    else:  # pragma: no cover - the assertion below explains
        raise AssertionError("a duplicate payer id was accepted")
