"""What the Shanghai student policy (policies/shanghai.mpol) says, beyond its figures.

The hand-checked figures (amounts, statuses, deductibles, ratios, totals,
premiums, settlement guidance) are in policies/shanghai.test.yaml and in the
`expect` blocks of examples/shanghai-*.yaml, with their arithmetic; the pytest
suite runs them through `medpolicy test`. What stays here is what a figure
cannot state: the explanation's words and citations, the date benefits start
as the coverage note gives it, the quotes against their source, and the
READING alternatives, which edit the policy.

Source: docs/sources/shanghai-student-qa-2025.txt and the national
waiting-period rule (国办发〔2024〕38号, policies/shared/
national_waiting_period.mpol). Rules as read: see the comment block at the top
of policies/shanghai.test.yaml.

READING tests apply the alternative a READING comment names (one line) to a
copy of the policies folder and check the figures under it, by hand; the
figures under the reading taken are cases of policies/shanghai.test.yaml.
"""
from __future__ import annotations

import medpolicy
import pytest
from medpolicy.parser import parse
from medpolicy.scenario import load_scenario

from conftest import EXAMPLES, POLICIES, cited, say, D, amounts, by_id, run, run_example, steps_of
from conftest import make_claim as sh_claim
from conftest import ast_nodes, cites_and_sources, policy_variant, quote_in_source

NO_CAP = "the document states no amount, so no cap applies"


def coverage_note(statement):
    return [n for n in statement.notes if n.kind == "coverage"][0]


# ------------------------------------------------------------------ examples
# Their figures are the examples' `expect` blocks; here, what the explanation says.

def test_outpatient_deductible_example_lists_every_claim_and_the_unstated_premium():
    st = run_example("shanghai-outpatient-deductible.yaml")
    assert [r.id for r in st.claims] == ["o0", "o1", "o2", "o3", "o4", "o5", "o6", "o7", "o8", "o9"]
    unstated = st.premium.events[0]
    assert unstated.kind == "premium_unstated" and "states no amount" in say(unstated)
    assert "按照年度标准缴费后" in cited(unstated) and "问题 2" in cited(unstated)


def test_inpatient_critical_illness_example_explains_no_deductible_and_no_cap():
    c = by_id(run_example("shanghai-inpatient-critical-illness.yaml"))
    for cid in ("i1", "i2", "i5", "i6", "i7", "i8"):
        assert steps_of(c[cid], "payer_burden")[0].data["deductible"] == D(0)
        assert "deductible ¥0.00" in say(steps_of(c[cid], "payer_burden")[0])
        assert any(NO_CAP in say(s) for s in steps_of(c[cid], "payer_cap_unstated"))
    assert steps_of(c["i3"], "payer_burden") == []


def test_dibao_critical_illness_example_cites_the_65_percent_table():
    c = by_id(run_example("shanghai-dibao-critical-illness.yaml"))
    band = steps_of(c["k1"], "band")[0]
    assert band.cite and "65%" in cited(band)
    assert "低保" in steps_of(c["k1"], "payer_burden")[0].data["table"]
    cap = [s for s in steps_of(c["k1"], "payer_cap_unstated") if NO_CAP in say(s)][0]
    assert cap.cite and "最高支付限额" in cited(cap)


# ----------------------------------------------------- waiting-period edges
# The claims on either side of each date are cases of policies/shanghai.test.yaml
# (section "waiting / coverage") and of the examples; here, the date the note gives.
# No payment date and the long-gap example: the READING tests below.

@pytest.mark.parametrize("person, start", [
    ({"assistance": "dibao", "enrolled_on": "2024-12-31"}, "2025-01-01"),  # dibao example: within collection
    ({"enrolled_on": "2025-03-15"}, "2025-06-15"),                       # late-payer example: gap 0, 3 months
    ({"enrolled_on": "2025-02-10", "gap_years": 3, "back_paid_years": 1}, "2025-07-10"),  # 3 + (3 − 1) = 5 months
    ({"enrolled_on": "2025-01-31"}, "2025-04-30"),                       # + 3 months: 2025-04-31 → 2025-04-30
    ({"enrolled_on": "2025-08-31"}, "2025-11-30"),                       # + 3 months: 2025-11-31 → 2025-11-30
    ({"enrolled_on": "2024-10-01", "gap_years": 1}, "2025-05-01"),       # on time, 1-year gap: 3 + 1 = 4 months
    # back-paid more years than the gap: variable part max(2 − 5, 0) = 0 → 3 months
    ({"enrolled_on": "2024-10-01", "gap_years": 2, "back_paid_years": 5}, "2025-04-01"),
    ({"gap_years": 4, "back_paid_years": 4}, "2025-07-01"),              # 3 + 0 = 3, raised to 6 (gap ≥ 4)
    ({"gap_years": 3, "back_paid_years": 3}, "2025-04-01"),              # 3 + 0 = 3 (under 4 years, no minimum)
    ({"gap_years": 7}, "2025-11-01"),                                    # 3 + 7 = 10 months
    ({"enrolled_on": "2025-11-30"}, "2026-02-28"),                       # + 3 months, clamped: past the year's end
])
def test_the_coverage_note_gives_the_day_benefits_start(person, start):
    assert start in benefits_start(person)


def benefits_start(person):
    return say(coverage_note(run("shanghai", {"id": "s", **person}, [])))


# ------------------------------------------------------ benefit edge cases

def test_critical_illness_is_for_care_in_shanghai_only():
    # 问题 2（2）: 在本市医保定点医疗机构发生 — off-site care keeps the basic ratios, no critical illness
    # (the figures: policies/shanghai.test.yaml, the cases '…, in Shanghai and off-site').
    for cond in ("dialysis", "kidney_transplant", "cancer", "mental_illness", "hemophilia", "aplastic_anemia"):
        c = by_id(run("shanghai", {"id": "s"}, [
            sh_claim("here", "2025-06-01", "inpatient", "2", "1100.00", condition=cond),
            sh_claim("far", "2025-06-02", "inpatient", "2", "1100.00", condition=cond, location="out_of_province",
                     filing="long_term"),
            sh_claim("near", "2025-06-03", "inpatient", "2", "1100.00", condition=cond, location="in_province"),
        ]))
        assert steps_of(c["here"], "payer_burden"), cond
        for cid in ("far", "near"):
            assert steps_of(c[cid], "payer_burden") == [], (cond, cid)
    covers = steps_of(by_id(run("shanghai", {"id": "s"}, [
        sh_claim("x", "2025-06-01", "inpatient", "2", "1100.00", condition="cancer")]))["x"], "payer_burden")[0]
    assert "在本市医保定点医疗机构发生" in cited(covers) and "再报销 60%" in cited(covers)


# ------------------------------------------------------------- explanations

def test_explanation_of_waiting_claims():
    st = run_example("shanghai-waiting-late-payer.yaml")
    c = by_id(st)
    for cid in ("w1", "w2"):
        step = steps_of(c[cid], "waiting")[0]
        assert "before benefits start on 2025-06-15" in say(step)
        assert "waiting period" in say(step)
        assert step.cite and "固定待遇等待期 3 个月" in cited(step)
        assert step.source is not None and step.source.file.endswith("shanghai.mpol")
    note = coverage_note(st)
    assert "待遇等待期" in say(note) and "waiting_period = 3 months" in say(note)


def test_explanation_of_excluded_and_outside_claims():
    c = by_id(run_example("shanghai-outpatient-deductible.yaml"))
    step = steps_of(c["o8"], "excluded")[0]
    assert "院校内部医疗机构只提供门诊服务" in say(step)
    assert step.cite and "门诊就医" in cited(step)
    assert step.source is not None and step.source.file.endswith("shanghai.mpol")
    for cid, date in (("o0", "2024-12-30"), ("o9", "2026-01-02")):
        step = steps_of(c[cid], "outside_period")[0]
        assert date in say(step) and "2025-01-01 .. 2025-12-31" in say(step) and "pays nothing" in say(step)


def test_cites_on_deductible_ratio_and_band_steps():
    c = by_id(run_example("shanghai-outpatient-deductible.yaml"))
    for cid in ("o1", "o3", "o4", "o5", "o6"):
        ded = steps_of(c[cid], "deductible")[0]
        assert ded.cite and "起付线 300 元" in cited(ded)
        ratio = steps_of(c[cid], "ratio")[0]
        assert ratio.cite and "70%" in cited(ratio)
    assert "¥120.00 met earlier this year" in say(steps_of(c["o3"], "deductible")[0])
    for cid in ("o2", "o7"):
        assert "80%" in cited(steps_of(c[cid], "ratio")[0])
    c = by_id(run_example("shanghai-inpatient-critical-illness.yaml"))
    for cid in ("i1", "i2", "i3", "i4", "i5", "i8"):
        ded = steps_of(c[cid], "deductible")[0]
        assert ded.cite and "每次住院" in cited(ded)
        assert steps_of(c[cid], "ratio")[0].cite
    band = steps_of(c["i1"], "band")[0]
    assert band.cite and "再报销 60%" in cited(band)


def test_campus_no_deductible_step_carries_its_cite():
    # shanghai.mpol writes `no deductible cite qa "问题 2（1）" "……不计入起付标准"` for the
    # campus clinic; the explanation should carry why campus visits skip the ¥300.
    c = by_id(run_example("shanghai-outpatient-deductible.yaml"))
    step = steps_of(c["o2"], "no_deductible")[0]
    assert say(step) == "no deductible" and say(step, "zh") == "不设起付线"
    assert step.cite and "不计入起付标准" in cited(step)


# ------------------------------------------------------------------ premium
# The premiums themselves: policies/shanghai.test.yaml, section "premium".

def test_premium_severely_disabled_students_pay_nothing_cites_its_source():
    # 问题 11: 本市重残大学生个人不缴费 → ¥0, cited.
    event = run("shanghai", {"id": "s", "assistance": "severe_disability"}, []).premium.events[0]
    assert event.kind == "premium"
    assert "本市重残大学生个人不缴费" in cited(event) and "问题 11" in cited(event)


def test_premium_is_unstated_for_everyone_else_and_says_why():
    # 低保: subsidised on application (申请减免), no amount: unstated, citing that sentence.
    st = run("shanghai", {"id": "s", "assistance": "dibao"}, [])
    assert st.premium.events[0].kind == "premium_unstated"
    assert "本市低保家庭大学生的个人参保缴费" in cited(st.premium.events[0])
    # The others: the Q&A names a yearly standard (按照年度标准缴费) but no amount.
    for assistance in ("none", "tekun", "orphan", "low_income"):
        st = run("shanghai", {"id": "s", "assistance": assistance}, [])
        assert st.premium.events[0].kind == "premium_unstated", assistance
        assert "按照年度标准缴费后" in cited(st.premium.events[0])


# ------------------------------------------------------- citations and readings

def test_every_quote_is_in_its_source():
    for relative in ("shanghai.mpol", "shared/national_waiting_period.mpol"):
        cites, sources = cites_and_sources(relative)
        assert cites
        for cite in cites:
            assert cite.source in sources, (relative, cite)
            if sources[cite.source] is None:
                assert cite.quote is None, (relative, cite)  # the text is not shipped: nothing to quote
            else:
                assert cite.quote and quote_in_source(cite.quote, sources[cite.source]), (relative, cite.quote)


def test_the_national_module_cites_the_national_rule():
    cites, sources = cites_and_sources("shared/national_waiting_period.mpol")
    assert set(sources) == {"gbf38"} and sources["gbf38"] is None  # 国办发〔2024〕38号, not shipped
    assert {c.source for c in cites} == {"gbf38"} and all(c.quote is None for c in cites)
    assert len(cites) == 6  # fixed 3 months, +1 per gap year, −1 per year paid, 4 years, 6 months, who waits
    # Shanghai's own statement of the rule stays on its coverage declaration.
    note = coverage_note(run("shanghai", {"id": "s", "enrolled_on": "2025-03-15"}, []))
    assert "问题 1" in cited(note) and "固定待遇等待期 3 个月" in cited(note)


def test_the_collection_period_cites_nothing_it_does_not_state():
    # 问题 10's 2024-12-20 is the family-fund deadline, not the collection period: no citation on it.
    tree = parse((POLICIES / "shanghai.mpol").read_text(encoding="utf-8"), "shanghai.mpol")
    header = next(n for n in ast_nodes(tree) if hasattr(n, "collection_cite"))
    assert header.collection_cite is None


def test_ratio_citations_quote_the_whole_sentence():
    c = by_id(run("shanghai", {"id": "s"}, [
        sh_claim("op", "2025-02-01", "outpatient", "2", "400.00"),
        sh_claim("ip", "2025-02-02", "inpatient", "1", "150.00"),
    ]))
    assert "在二级医疗机构就医的，由居民医保基金支付 60%，个人自负 40%" in cited(steps_of(c["op"], "ratio")[0])
    assert "在一级医疗机构住院的，居民医保基金支付 80%，个人自负 20%" in cited(steps_of(c["ip"], "ratio")[0])


def variant(tmp_path, relative, old, new):
    """shanghai.mpol with one line of `relative` replaced by a READING's alternative (see conftest.policy_variant)."""
    return policy_variant(tmp_path, "shanghai.mpol", old, new, edited=relative)


def evaluate(policy, example=None, person=None, claims=()):
    data = load_scenario(EXAMPLES / example) if example else {"person": person, "claims": list(claims)}
    return medpolicy.evaluate(policy, data)


def test_reading_collection_period_ends_with_2024(tmp_path):
    claim = [sh_claim("x", "2025-02-01", "inpatient", "3", "20000.00", condition="cancer")]
    # Read as ending 2024-12-31: paid 2024-12-25 (after the family-fund deadline) is on time
    # (the figures, 11820.00 / 4908.00 / 3272.00: policies/shanghai.test.yaml, case
    # 'paid after the family-fund deadline, still on time', and its neighbours).
    for paid in ("2024-12-20", "2024-12-25", "2024-12-31"):
        assert "2025-01-01" in benefits_start({"enrolled_on": paid}), paid
    # paid 2025-01-01: late, 3 months from the year start → 2025-04-01
    assert "2025-04-01" in benefits_start({"enrolled_on": "2025-01-01"})
    # Alternative: the family-fund deadline ends the period; 2024-12-25 is then late.
    alt = variant(tmp_path, "shanghai.mpol", "collection .. 2024-12-31", "collection .. 2024-12-20")
    st = evaluate(alt, person={"id": "s", "enrolled_on": "2024-12-25"}, claims=claim)
    assert "2025-04-01" in say(coverage_note(st))  # max(2024-12-25, 2025-01-01) + 3 months
    assert by_id(st)["x"].status == "waiting"
    assert amounts(by_id(st)["x"]) == (D("0.00"), D("0.00"), D("20000.00"))
    # On the dibao example (paid 2024-12-31): k1 on 2025-01-01 now waits.
    st = evaluate(alt, "shanghai-dibao-critical-illness.yaml")
    assert by_id(st)["k1"].status == "waiting"
    t = st.totals
    assert t.basic_fund == D("2746.66")        # 120 + 2626.66 (k1 no longer paid: 5820 less)
    assert t.critical_illness == D("706.34")   # 247 + 459.34 (2717 less)
    assert t.patient == D("10380.33")          # 13833.33 − 2746.66 − 706.34


def test_reading_critical_conditions_list_is_closed(tmp_path):
    # As read (closed): 600.00 / 0.00 / 700.00, policies/shanghai.test.yaml, case
    # 'the condition list is read as closed'. The alternative leaves it open:
    claim = [sh_claim("x", "2025-05-01", "inpatient", "3", "1300.00", condition="other_critical")]
    alt = variant(tmp_path, "shanghai.mpol",
                  "dialysis, kidney_transplant, cancer, mental_illness, hemophilia, aplastic_anemia",
                  "dialysis, kidney_transplant, cancer, mental_illness, hemophilia, aplastic_anemia, other_critical")
    x = by_id(evaluate(alt, person={"id": "s"}, claims=claim))["x"]
    assert amounts(x) == (
        D("600.00"),  # (1300 − 300) × 60%
        D("420.00"),  # burden 700 × 60%
        D("280.00"),  # 1300 − 600 − 420
    )


def test_reading_no_payment_date_is_on_time(tmp_path):
    # No enrolled_on: read as paid on time → no wait (the inpatient example's figures).
    st = run_example("shanghai-inpatient-critical-illness.yaml")
    assert "2025-01-01" in say(coverage_note(st))
    alt = variant(tmp_path, "shared/national_waiting_period.mpol",
                  "(person.enrolled_on otherwise policy.collection_end) <= policy.collection_end",
                  "(person.enrolled_on otherwise policy.end) <= policy.collection_end")
    st = evaluate(alt, "shanghai-inpatient-critical-illness.yaml")
    assert "2025-04-01" in say(coverage_note(st))  # not on time: 2025-01-01 + 3 months
    c = by_id(st)
    assert [c[i].status for i in ("i1", "i2", "i3")] == ["waiting", "waiting", "paid"]
    t = st.totals
    assert t.basic_fund == D("16219.26")        # 36859.26 − 11820 (i1) − 8820 (i2)
    assert t.critical_illness == D("2430.85")   # 11046.85 − 4908 − 3708 (no deductible: the rest unchanged)
    assert t.patient == D("38835.57")           # 57485.68 − 16219.26 − 2430.85


def test_reading_wait_runs_from_the_year_start_at_the_earliest(tmp_path):
    # Long-gap example: paid 2024-12-15, gap 5, 3 back-paid: 6 months from max(2024-12-15, 2025-01-01).
    st = run_example("shanghai-waiting-long-gap.yaml")
    assert "2025-07-01" in say(coverage_note(st))
    alt = variant(tmp_path, "shared/national_waiting_period.mpol",
                  "else max(person.enrolled_on otherwise policy.start, policy.start) + waiting_period",
                  "else (person.enrolled_on otherwise policy.start) + waiting_period")
    st = evaluate(alt, "shanghai-waiting-long-gap.yaml")
    assert "2025-06-15" in say(coverage_note(st))  # 2024-12-15 + 6 months
    c = by_id(st)
    for cid in ("l1", "l2"):
        assert amounts(c[cid]) == (
            D("2360.00"),  # (3000 − 50) × 80%
            D("384.00"),   # hemophilia: burden 640 × 60%
            D("256.00"),   # 3000 − 2360 − 384
        ), cid
    assert (st.totals.basic_fund, st.totals.critical_illness, st.totals.patient) == (
        D("4720.00"), D("768.00"), D("512.00"))  # 2 × 2360, 2 × 384, 6000 − 4720 − 768
