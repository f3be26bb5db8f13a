"""The invariants, as hypothesis properties over generated scenarios.

Each bundled policy must satisfy every invariant; and each invariant is shown
to catch a deliberately broken evaluator, so none of these tests can pass
vacuously.
"""
from __future__ import annotations

import itertools
from collections import defaultdict
from decimal import Decimal

import attrs
import pytest
from click.testing import CliRunner

import medpolicy
from medpolicy import evaluator
from medpolicy.cli import main
from medpolicy.explain import Event
from medpolicy.rules.benefit import CompiledBenefit
from medpolicy.verify import scenario_violations, verify, violations

EXAMPLES = 80


@pytest.mark.parametrize("policy_id", ["karamay", "lanzhou", "shanghai"])
def test_bundled_policies_satisfy_every_invariant(policy_id):
    assert verify(medpolicy.load_policy(policy_id), examples=EXAMPLES) is None


def broken(monkeypatch, name, replacement):
    monkeypatch.setattr(evaluator._Run, name, replacement)


def find(policy_id="shanghai", examples=EXAMPLES):
    result = verify(medpolicy.load_policy(policy_id), examples=examples, shrink=False)
    assert result is not None, "the broken evaluator went unnoticed"
    return result[1]


def test_conservation_is_checked(monkeypatch):
    finish = evaluator._Run.finish

    def leaky(self, *args, **kwargs):
        result = finish(self, *args, **kwargs)
        return result._replace(patient=result.patient + Decimal("0.01"))

    broken(monkeypatch, "finish", leaky)
    assert any("≠ total" in v for v in find())


SMALL_CAPS = """
policy capped {
  title "A policy with small caps"
  year 2026-01-01 .. 2026-12-31
}
levels { "1" "一级" }
cap shared "共享限额" ¥500 per year
benefit all_care "所有就医" {
  priority 1
  when true
  ratio 90%
  annual cap shared
  annual cap ¥300 for each claim.care
}
"""


def test_annual_caps_are_checked(monkeypatch, tmp_path):
    path = tmp_path / "capped.mpol"
    path.write_text(SMALL_CAPS, encoding="utf-8")
    policy = medpolicy.load_policy(path)
    assert verify(policy, examples=EXAMPLES, shrink=False) is None

    class Forgetful(defaultdict):
        def __setitem__(self, key, value):
            pass  # never remembers what a cap has paid

    class ForgetfulYear(evaluator.Year):
        __slots__ = ()

        def __init__(self):
            super().__init__()
            self.cap_used = Forgetful(Decimal)

    monkeypatch.setattr(evaluator, "Year", ForgetfulYear)
    result = verify(policy, examples=EXAMPLES, shrink=False)
    assert result is not None and any("over its limit" in v for v in result[1])


def test_monotonicity_is_checked(monkeypatch):
    basic_fund = CompiledBenefit.basic_fund

    def fickle(self, year, frame, covered, *rest):
        # Pays only when the covered amount's whole yuan are even: raising a
        # claim can lower what the fund pays, and nothing else is broken.
        fund = basic_fund(self, year, frame, covered, *rest)
        return fund if int(covered) % 2 == 0 else Decimal(0)

    monkeypatch.setattr(CompiledBenefit, "basic_fund", fickle)
    # Only claims a benefit pays can show it, and only a raise that crosses to an odd yuan:
    # rarer than the other breaks, so the search is given more scenarios.
    assert any(v.startswith("monotonicity") for v in find(examples=400))


def test_determinism_is_checked(monkeypatch):
    ticks = itertools.count()
    run = evaluator._Run.run

    def restless(self):
        statement = run(self)
        return attrs.evolve(statement, notes=statement.notes + (Event("order", {"position": next(ticks), "count": 0}),))

    broken(monkeypatch, "run", restless)
    assert any(v.startswith("determinism") for v in find())


def test_unpaid_claims_must_say_why(monkeypatch):
    unpaid = evaluator._Run.unpaid

    def silent(self, claim, status, events):
        return unpaid(self, claim, status, ())

    broken(monkeypatch, "unpaid", silent)
    assert any("without a step saying why" in v for v in find())


def test_same_date_claims_keep_file_order():
    """Two same-day general-outpatient visits at different institutions: the first
    in the file is visit 1 (full ¥10 deductible), the second visit 2 (halved)."""
    policy = medpolicy.load_policy("karamay")
    a = {"id": "a", "date": "2026-04-01", "care": "outpatient", "level": "1", "institution": "X", "total": "50.00"}
    b = {"id": "b", "date": "2026-04-01", "care": "outpatient", "level": "1", "institution": "Y", "total": "50.00"}
    first = medpolicy.evaluate(policy, {"person": {"id": "s"}, "claims": [a, b]})
    swapped = medpolicy.evaluate(policy, {"person": {"id": "s"}, "claims": [b, a]})
    # a first: (50 − 10) × 70% = 28.00; b second: (50 − 5) × 70% = 31.50
    assert [(c.id, c.basic_fund) for c in first.claims] == [("a", Decimal("28.00")), ("b", Decimal("31.50"))]
    assert [(c.id, c.basic_fund) for c in swapped.claims] == [("b", Decimal("28.00")), ("a", Decimal("31.50"))]
    assert first.claims[0].events[0].kind == "order" and first.claims[0].events[0].data == {"position": 1, "count": 2}


def test_violations_of_a_sound_statement_are_empty():
    policy = medpolicy.load_policy("lanzhou")
    data = {"person": {"id": "s"}, "claims": [
        {"id": "a", "date": "2025-10-01", "care": "inpatient", "level": "3A", "total": "90000.00"},
        {"id": "b", "date": "2025-11-01", "care": "inpatient", "level": "3A", "total": "90000.00"}]}
    assert violations(medpolicy.evaluate(policy, data)) == []
    assert scenario_violations(policy, data, raise_claim=0) == []


def test_verify_command(monkeypatch):
    ok = CliRunner().invoke(main, ["verify", "lanzhou", "--examples", "20", "--lang", "en"])
    assert ok.exit_code == 0 and "every invariant holds" in ok.stdout
    finish = evaluator._Run.finish

    def leaky(self, *args, **kwargs):
        result = finish(self, *args, **kwargs)
        return result._replace(basic_fund=result.basic_fund + Decimal("0.01"))

    broken(monkeypatch, "finish", leaky)
    bad = CliRunner().invoke(main, ["verify", "lanzhou", "--examples", "50", "--lang", "en"])
    assert bad.exit_code == 1
    assert "counterexample found" in bad.stderr
    assert bad.stdout.startswith("policy: lanzhou\nperson:")  # a scenario to reproduce it with


def test_processing_order_is_checked(monkeypatch):
    # An evaluator that takes claims in file order instead of by date.
    monkeypatch.setattr(evaluator, "sorted", lambda items, key=None: list(items), raising=False)
    assert any(v.startswith("order") for v in find("karamay"))


# A policy of the shapes other schemes use: a shared deductible, bands over a year-to-date measure,
# a quota, an allowance paid above the bill, and a cap chosen by a condition that grows with the years.
NEW_SHAPES = """
policy shapes {
  title "T"
  year 2026-01-01 .. 2026-12-31
}
levels { "1" "一级" "2" "二级" }
deductible clinic "门急诊起付线" ¥300 per year accumulating
measure stays "住院累计"
cap community "基层限额" ¥300 + ¥100 * person.continuous_years per year
cap hospital "医院限额" ¥2,000 per year
benefit outpatient "门诊" {
  priority 4
  when claim.care == outpatient
  deductible per year clinic
  ratio 50%
  annual cap community when claim.level == "1"
  annual cap hospital when claim.level != "1"
}
benefit emergency "急诊" {
  priority 3
  when claim.care == emergency
  deductible per year clinic
  ratio 60%
}
benefit inpatient "住院" {
  priority 2
  when claim.care == inpatient and claim.level == "2"
  deductible per admission ¥500
  ratio banded over stays {
    band ¥0 .. ¥10,000 pays 70%
    band above ¥10,000 pays 85%
  }
}
benefit birth "分娩" {
  priority 1
  when claim.care == inpatient and claim.level == "1"
  pays ¥1,500
}
benefit allowance "留观补助" {
  priority 0
  when claim.care == observation
  pays ¥200 even above covered
}
critical_illness "大病保险" {
  covers claim.care == inpatient
  table "标准" otherwise {
    deductible ¥5,000
    band above ¥5,000 pays 60%
    annual cap ¥10,000 * person.continuous_years
  }
}
"""


def test_the_invariants_hold_for_the_new_rule_shapes():
    policy = medpolicy.check_source(NEW_SHAPES, "shapes.mpol")
    assert verify(policy, examples=150, seed=7) is None


def test_an_allowance_may_pay_above_the_covered_amount_only_where_the_policy_says_so():
    policy = medpolicy.check_source(NEW_SHAPES, "shapes.mpol")
    data = {"person": {"id": "p"}, "claims": [
        {"id": "o", "date": "2026-03-01", "care": "observation", "level": "1", "total": "50.00"}]}
    statement = medpolicy.evaluate(policy, data)
    # the allowance pays 200 on a bill of 50: the patient's share is 50 − 200 = −150.00 (received)
    assert (statement.claims[0].basic_fund, statement.claims[0].patient) == (Decimal("200.00"), Decimal("-150.00"))
    assert scenario_violations(policy, data) == []
    assert violations(statement) == ["claim o: basic fund 200.00 outside 0..covered 50.00",
                                     "claim o: basic + later payers 200.00 > covered 50.00"]


def test_the_invariants_hold_for_the_example_policy_of_a_fourth_scheme():
    # examples/qinghe: categories, year history, pools, quotas, an allowance, bands, growing caps together.
    from conftest import EXAMPLES

    policy = medpolicy.load_policy(str(EXAMPLES / "qinghe" / "qinghe.mpol"))
    assert verify(policy, examples=80, seed=11) is None
