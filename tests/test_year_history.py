"""`history` declarations: which claims are earlier, how a history is explained, and what it costs.

The figures of the construct are in tests/language/year_history/; here is what a figure does not show:
the claims a history reads, the explanation in both languages, one scan per claim, and that a policy
without histories keeps no list of earlier claims.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import attrs
import pytest
import yaml

import medpolicy
from medpolicy.errors import PolicyError
from medpolicy.render_json import statement_dict

CASES = Path(__file__).resolve().parent / "language" / "year_history"
HEAD = 'policy t {\n  title "T"\n  year 2026-01-01 .. 2026-12-31\n  rounding half_up to ¥0.01\n}\nlevels { "1" "一级" }\n'

READMISSION = '''policy t {
  title "T"
  year 2026-01-01 .. 2026-12-31
}
levels { "1" "一级" }
history readmission "15日内再次住院" = count where earlier.care == inpatient and claim.date - earlier.date <= 15 days
benefit inpatient "住院" {
  priority 1
  when claim.care == inpatient
  deductible per admission if readmission > 0 then ¥0 else ¥500
  ratio 80%
}
'''
"""The re-admission rule alone (the editor's and `diff`'s tests read it too)."""

POLICY = HEAD + '''
history readmission "15日内再次住院" = count where earlier.care == inpatient and claim.date - earlier.date <= 15 days
history spent "本年已报销" = sum earlier.basic_fund
benefit inpatient "住院" {
  priority 3
  when claim.care == inpatient
  deductible per admission if readmission > 0 then ¥0 else ¥500
  ratio 80%
}
benefit cosmetic "美容" {
  priority 2
  when claim.care == observation
  pays nothing "不予支付"
}
benefit clinic "门诊" {
  priority 1
  when claim.care == outpatient
  no deductible
  ratio if spent > ¥1000 then 40% else 50%
}
'''


def claim(id_, date, care, total="2000.00", **more):
    return {"id": id_, "date": date, "care": care, "level": "1", "total": total, **more}


def run(policy_text, claims, explain=True):
    policy = medpolicy.check_source(policy_text, "t.mpol")
    return medpolicy.evaluate(policy, {"person": {"id": "p"}, "claims": claims}, explain=explain)


def details(statement, claim_id, kind):
    result = next(c for c in statement.claims if c.id == claim_id)
    return [d for e in result.events for d in e.data.get("details", ()) if d.kind == "history"
            and e.kind == kind]


def test_the_explanation_names_the_earlier_claims_a_history_matched_in_both_languages():
    statement = run(POLICY, [claim("a1", "2026-03-01", "inpatient"), claim("a2", "2026-03-10", "inpatient")])
    (detail,) = details(statement, "a2", "deductible")
    assert (detail.name, detail.label, detail.claims) == ("readmission", "15日内再次住院", ("a1",))
    zh, en = medpolicy.render_text(statement, "zh"), medpolicy.render_text(statement, "en")
    assert "15日内再次住院：1，依据此前费用 a1" in zh
    assert "15日内再次住院: 1, from earlier claims a1" in en
    assert "15日内再次住院：0，本年此前没有相符的费用" in zh
    assert "readmission" not in zh and "readmission" not in en  # the label, never the internal name
    json_detail = statement_dict(statement, "en")["claims"][1]["explanation"]
    found = [d for e in json_detail for d in e["data"].get("details", ()) if d["kind"] == "history"]
    assert found == [{"kind": "history", "name": "readmission", "label": "15日内再次住院",
                      "value": {"type": "number", "value": "1"}, "key": None, "key_kind": None,
                      "otherwise": False, "claims": ["a1"]}]


def test_claims_a_benefit_excluded_are_earlier_and_refused_claims_are_not():
    statement = run(POLICY, [
        claim("x1", "2025-12-01", "outpatient"),                       # before the year: outside_period
        claim("c1", "2026-02-01", "observation", total="300.00"),      # a benefit took it, paid nothing
        claim("e1", "2026-02-02", "emergency", total="300.00"),        # no benefit
        claim("a1", "2026-03-01", "inpatient"),                        # 1200.00 paid
        claim("o1", "2026-03-02", "outpatient", total="100.00"),       # spent 1200 > 1000 → 40%
    ])
    statuses = {c.id: c.status for c in statement.claims}
    assert statuses == {"x1": "outside_period", "c1": "excluded", "e1": "no_benefit", "a1": "paid", "o1": "paid"}
    (detail,) = details(statement, "o1", "ratio")
    assert detail.claims == ("c1", "a1") and detail.value.amount == Decimal("1200.00")
    assert next(c for c in statement.claims if c.id == "o1").basic_fund == Decimal("40.00")  # 100 × 40%


def test_the_figures_are_the_same_without_an_explanation():
    claims = [claim("a1", "2026-03-01", "inpatient"), claim("a2", "2026-03-10", "inpatient"),
              claim("o1", "2026-03-12", "outpatient", total="100.00")]
    explained, plain = run(POLICY, claims), run(POLICY, claims, explain=False)
    assert [c.basic_fund for c in explained.claims] == [c.basic_fund for c in plain.claims] == [
        Decimal("1200.00"), Decimal("1600.00"), Decimal("40.00")]


def test_one_claim_scans_the_earlier_claims_once_per_history(monkeypatch):
    # The deductible and the ratio both read `readmission`: one scan of the earlier claims serves both.
    import medpolicy.evaluator as evaluator

    text = POLICY.replace("ratio 80%", "ratio if readmission > 0 then 90% else 80%")
    policy = medpolicy.check_source(text, "t.mpol")
    scanned: dict = {}

    class Spy(list):
        """The earlier claims, counting how many a claim's scans go through."""

        def __init__(self, items, claim_id):
            super().__init__(items)
            self.claim_id = claim_id

        def __iter__(self):
            scanned[self.claim_id] = scanned.get(self.claim_id, 0) + len(self)
            return super().__iter__()

    real_frame = evaluator._Run.frame

    def frame(self, claim=None, benefit=None):
        fr = real_frame(self, claim, benefit)
        if claim is not None:
            fr.earlier = Spy(self.year.earlier, claim.id)
        return fr

    monkeypatch.setattr(evaluator._Run, "frame", frame)
    statement = medpolicy.evaluate(policy, {"person": {"id": "p"}, "claims": [
        claim("a1", "2026-03-01", "inpatient"), claim("a2", "2026-03-10", "inpatient")]}, explain=False)
    assert [c.basic_fund for c in statement.claims] == [Decimal("1200.00"), Decimal("1800.00")]  # 2000 × 90%
    assert scanned == {"a1": 0, "a2": 1}


def test_a_policy_without_histories_keeps_no_earlier_claims(monkeypatch):
    import medpolicy.evaluator as evaluator

    made = []
    monkeypatch.setattr(evaluator, "Earlier", lambda *args: made.append(args))
    run(HEAD + 'benefit b "B" {\n  priority 1\n  when claim.care == inpatient\n  no deductible\n  ratio 50%\n}\n',
        [claim("a1", "2026-03-01", "inpatient"), claim("a2", "2026-03-10", "inpatient")])
    assert made == []


def test_a_history_declared_in_a_module_is_read_through_its_alias(tmp_path):
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "history.mpol").write_text(
        'module history_rules "历史"\n'
        'history admissions "本年住院次数" = count where earlier.care == inpatient\n', encoding="utf-8")
    text = HEAD + '''import "shared/history.mpol" as h
benefit inpatient "住院" {
  priority 1
  when claim.care == inpatient
  deductible per admission if h.admissions > 0 then ¥0 else ¥500
  ratio 80%
}
'''
    policy = medpolicy.check_source(text, "t.mpol", tmp_path)
    statement = medpolicy.evaluate(policy, {"person": {"id": "p"}, "claims": [
        claim("a1", "2026-03-01", "inpatient"), claim("a2", "2026-09-10", "inpatient")]})
    assert [c.basic_fund for c in statement.claims] == [Decimal("1200.00"), Decimal("1600.00")]


@pytest.mark.parametrize("declaration, code, message", [
    ('let earlier "x" = 1', "E101", "E101.reserved"),
    ('history h "h" = last earlier.dat', "E200", "E200.field"),
    ('history h "h" = count where earlier.total', "E204", "E204.expect"),
    ('history h "h" = sum earlier', "E206", "E206"),
    ('history h "h" = count\nhistory g "g" = count where h > 0', "E207", "E207.history_reads"),
])
def test_what_a_history_may_not_say(declaration, code, message):
    text = HEAD + declaration + '\nbenefit b "B" {\n  priority 1\n  when claim.care == inpatient\n' \
                                '  no deductible\n  ratio 50%\n}\n'
    with pytest.raises(PolicyError) as caught:
        medpolicy.check_source(text, "t.mpol")
    assert [(d.code, d.message_id) for d in caught.value.diagnostics] == [(code, message)]


@pytest.mark.parametrize("case", ["readmission_within_15_days", "sum_of_earlier_payments_as_limit",
                                  "last_with_otherwise", "grouped_visit_claims_do_not_see_each_other"])
def test_the_invariants_hold_for_policies_that_read_earlier_claims(case):
    from medpolicy.verify import verify

    text = yaml.safe_load((CASES / f"{case}.yaml").read_text(encoding="utf-8"))["policy"]
    assert verify(medpolicy.check_source(text, "t.mpol"), examples=60, shrink=False) is None


def test_reading_history_counts_against_the_step_limit():
    # Every visit scans the claims settled before it: 2,000 claims of one year cost about 2 × 2000² / 2
    # steps with two histories, far past a budget of 100,000, so the evaluation stops with a message.
    from medpolicy.errors import EvaluationError
    from medpolicy.limits import DEFAULT_LIMITS

    policy = medpolicy.check_source(POLICY, "t.mpol")
    claims = [claim(f"c{i}", "2026-03-01", "outpatient", "1.00") for i in range(2000)]
    limits = attrs.evolve(DEFAULT_LIMITS, max_steps=100_000)
    with pytest.raises(EvaluationError):
        medpolicy.evaluate(policy, {"person": {"id": "p"}, "claims": claims}, limits=limits, explain=False)
    # The same year fits the default budget of 2,000,000 steps for 100 claims.
    assert medpolicy.evaluate(policy, {"person": {"id": "p"}, "claims": claims[:100]}, explain=False)
