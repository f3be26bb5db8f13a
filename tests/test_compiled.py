"""The compiled program, and what compiling buys.

The compiled runner replaced a tree-walking reference interpreter after every
example, the language suite and generated scenarios for every bundled policy
agreed to the cent between the two.  What stays: evaluation with and without
explanation must agree, figures and capped pools alike.
"""
from __future__ import annotations

import threading
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import medpolicy
from medpolicy.scenario import load_scenario
from medpolicy.verify import scenario_strategy

from conftest import EXAMPLES

CASES = sorted(p.name for p in EXAMPLES.glob("*.yaml"))
POLICIES = {pid: medpolicy.load_policy(pid) for pid in ("karamay", "lanzhou", "shanghai")}


def figures(statement) -> list:
    claims = [(c.id, c.status, c.benefit, c.basic_fund, c.critical_illness, c.patient) for c in statement.claims]
    t = statement.totals
    return claims + [(t.total, t.covered, t.basic_fund, t.critical_illness, t.patient, statement.premium.personal)]


def agree(policy, data) -> None:
    compiled = medpolicy.evaluate(policy, data)
    bare = medpolicy.evaluate(policy, data, explain=False)
    assert figures(bare) == figures(compiled)
    assert [c.charges for c in bare.claims] == [c.charges for c in compiled.claims]


@pytest.mark.parametrize("name", CASES)
def test_examples_agree_with_and_without_explanation(name):
    data = load_scenario(EXAMPLES / name)
    agree(medpolicy.load_policy(data["policy"], base=EXAMPLES), data)


@pytest.mark.parametrize("policy_id", sorted(POLICIES))
def test_generated_scenarios_agree_with_and_without_explanation(policy_id):
    policy = POLICIES[policy_id]

    @settings(max_examples=60, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(scenario_strategy(policy))
    def check(data):
        agree(policy, data)

    check()


def test_without_explanation_no_event_is_built():
    data = load_scenario(EXAMPLES / "karamay-outpatient-visits.yaml")
    statement = medpolicy.evaluate(POLICIES["karamay"], data, explain=False)
    assert not statement.explained and statement.notes == ()
    assert all(c.events == () for c in statement.claims) and statement.premium.events == ()
    text = medpolicy.render_text(statement, "en")
    assert "evaluated without explanation" in text and "←" not in text
    assert medpolicy.statement_dict(statement)["claims"][0]["explanation"] is None


CHAIN = """
policy chain {
  title "A chain of lets"
  year 2026-01-01 .. 2026-12-31
}
levels { "1" "一级" }
let l0 "基数" = person.continuous_years * ¥1
%s
benefit all "全部" {
  priority 1
  when claim.care == outpatient
  deductible per visit min(l%d, ¥10)
  ratio 50%%
}
"""


def chain_policy(n: int):
    lets = "\n".join(f'let l{i} "第 {i} 层" = l{i - 1} + l{i - 1} - l{i - 1}' for i in range(1, n + 1))
    return medpolicy.check_source(CHAIN % (lets, n))


class CountingPerson:
    """A person whose continuous_years counts how often it is read."""

    def __init__(self, person):
        self._person, self.reads = person, 0

    def __getattr__(self, name):
        return getattr(self._person, name)

    @property
    def continuous_years(self):
        self.reads += 1
        return self._person.continuous_years


@pytest.mark.parametrize("explain", [True, False])
def test_a_let_chain_is_computed_once_per_scenario(explain):
    """30 lets that each read the previous one three times: l0 is computed once, not 3^30 times."""
    import attrs

    from medpolicy.evaluator import evaluate_scenario
    from medpolicy.scenario import validate

    policy = chain_policy(30)
    data = {"person": {"id": "p", "continuous_years": 10}, "claims": [
        {"id": f"c{i}", "date": "2026-02-01", "care": "outpatient", "level": "1", "total": "1000.00"}
        for i in range(3)]}
    scenario = validate(data, policy.levels, policy.conditions)
    person = CountingPerson(scenario.person)
    statement = evaluate_scenario(policy, attrs.evolve(scenario, person=person), explain=explain)
    assert person.reads == 1
    # l0 = 10 × ¥1 = ¥10 and every l(i) = l(i−1): deductible min(10, 10) = 10; (1000 − 10) × 50% = 495
    assert [c.basic_fund for c in statement.claims] == [Decimal("495.00")] * 3
    if explain:
        deductible = next(e for e in statement.claims[2].events if e.kind == "deductible")
        lets = [d.name for d in deductible.data["details"] if d.kind == "let"]
        assert lets == [f"l{i}" for i in range(31)]  # each named value once, in order, on every claim


def test_a_long_let_chain_stays_within_the_step_budget():
    policy = chain_policy(30)
    data = {"person": {"id": "p"}, "claims": [
        {"id": f"c{i}", "date": "2026-02-01", "care": "outpatient", "level": "1", "total": "100.00"}
        for i in range(50)]}
    statement = medpolicy.evaluate(policy, data, limits=medpolicy.Limits(max_steps=20_000))
    assert len(statement.claims) == 50


def test_a_compiled_policy_is_shared_by_threads():
    policy = POLICIES["karamay"]
    data = load_scenario(EXAMPLES / "karamay-critical-illness.yaml")
    expected = figures(medpolicy.evaluate(policy, data))
    results, errors = [], []

    def work():
        try:
            for _ in range(20):
                results.append(figures(medpolicy.evaluate(policy, data)))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 80 and all(r == expected for r in results)


def test_benefit_choice_is_remembered_by_finite_facts():
    policy = POLICIES["karamay"]
    chooser = policy.chooser
    # Only the off-site benefit reads a date (the filing's): it is tried per claim, the rest remembered.
    assert chooser.tried == {"offsite_unfiled"}
    assert "certified:claim.condition" in chooser.facts and "claim.total" not in chooser.facts
    assert not {"claim.date", "claim.filed_on"} & set(chooser.facts)
    assert POLICIES["lanzhou"].chooser.tried == frozenset()


def test_a_remembered_choice_still_tries_the_benefits_that_read_dates():
    # Two claims with the same finite facts, one filed in time and one filed after the care:
    # the remembered plan must not carry the first claim's answer over to the second.
    st = medpolicy.evaluate(POLICIES["karamay"], {"person": {"id": "s"}, "claims": [
        {"id": "in-time", "date": "2026-03-10", "care": "outpatient", "level": "1", "total": "100.00",
         "location": "out_of_province", "filing": "long_term", "filed_on": "2026-03-01"},
        {"id": "too-late", "date": "2026-03-11", "care": "outpatient", "level": "1", "total": "100.00",
         "location": "out_of_province", "filing": "long_term", "filed_on": "2026-03-20"},
        {"id": "in-time-again", "date": "2026-03-12", "care": "outpatient", "level": "1", "total": "100.00",
         "location": "out_of_province", "filing": "long_term", "filed_on": "2026-03-01"}]})
    assert [(c.id, c.status, c.benefit) for c in st.claims] == [
        ("in-time", "paid", "general_outpatient"), ("too-late", "excluded", "offsite_unfiled"),
        ("in-time-again", "paid", "general_outpatient")]


def test_content_hash_depends_on_text_and_imports_only(tmp_path):
    karamay = POLICIES["karamay"]
    copy = tmp_path / "karamay.mpol"
    copy.write_text((Path(medpolicy.__file__).parent.parent / "policies" / "karamay.mpol").read_text(
        encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "national_waiting_period.mpol").write_text(
        (Path(medpolicy.__file__).parent.parent / "policies" / "shared" / "national_waiting_period.mpol").read_text(
            encoding="utf-8"), encoding="utf-8")
    changed = medpolicy.load_policy(copy)
    assert changed.content_hash != karamay.content_hash
    assert medpolicy.load_policy("karamay").content_hash == karamay.content_hash
    assert karamay.content_hash.startswith("sha256:") and len(karamay.content_hash) == 71


def test_evaluation_leaves_the_cyclic_collector_as_it_found_it():
    import gc

    policy, data = POLICIES["karamay"], load_scenario(EXAMPLES / "karamay-pku-case3.yaml")
    assert gc.isenabled()
    medpolicy.evaluate(policy, data)
    assert gc.isenabled()
    gc.disable()
    try:
        medpolicy.evaluate(policy, data)
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(medpolicy.EvaluationError):  # raised inside the evaluation: the step limit
        medpolicy.evaluate(policy, data, medpolicy.Limits(max_steps=1))
    assert gc.isenabled()


def test_a_grouped_visit_reads_every_claim_fact_of_its_first_claim():
    from medpolicy.evaluator import VisitFacts
    from medpolicy.facts import SCENARIO_CLAIM_FIELDS
    from medpolicy.scenario import Claim
    import datetime as dt
    from decimal import Decimal
    claim = Claim("c", dt.date(2026, 1, 2), "outpatient", "1", Decimal(5), Decimal(4), "A", None, True,
                  "in_province", "referral", "manual", "break", dt.date(2026, 1, 1), dt.date(2026, 2, 1))
    visit = VisitFacts(claim, Decimal(9), Decimal(10))
    assert {name: getattr(visit, name) for name in SCENARIO_CLAIM_FIELDS} == \
        {**{name: getattr(claim, name) for name in SCENARIO_CLAIM_FIELDS}, "total": Decimal(10), "covered": Decimal(9)}
