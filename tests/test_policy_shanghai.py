"""Hand-checked figures for the Shanghai student policy (policies/shanghai.mpol).

Source: docs/sources/shanghai-student-qa-2025.txt (问题 1, 2, 10, 11) and the
national waiting-period rule (国办发〔2024〕38号, policies/shared/
national_waiting_period.mpol). Every expected amount below was computed by
hand from the document, with the arithmetic beside it; none was copied from
the program's output.

Rules (as fixed by the product owner):
  outpatient/emergency: ¥300 deductible accumulated over the year, then
  70/60/50% at level 1/2/3; campus clinic outpatient 80%, no deductible, not
  toward the ¥300; campus inpatient pays nothing. Inpatient: ¥50/100/300 per
  admission, then 80/75/60%. Critical illness for the listed conditions, for
  care in Shanghai only (在本市医保定点医疗机构发生): 60% (65% dibao/low_income)
  of covered − basic fund, no deductible, no cap (the maximum is unstated).
  Waiting period: collection ends 2024-12-31 (a READING: the Q&A states no
  collection period); none if paid by then (or no date) and gap 0; else 3 +
  gap − back-paid months (variable part ≥ 0), ≥ 6 when gap ≥ 4, from max(paid
  date, 2025-01-01), calendar months clamped to the month's end. Premium:
  ¥0 for severely disabled students (问题 11), otherwise not stated.

READING tests apply the alternative a READING comment names (one line) to a
copy of the policies folder and check the figures under both readings.
"""
from __future__ import annotations



import medpolicy
from medpolicy.parser import parse
from medpolicy.scenario import load_scenario

from conftest import EXAMPLES, POLICIES, cited, say, D, amounts, by_id, run, run_example, steps_of
from conftest import make_claim as sh_claim
from conftest import ast_nodes, cites_and_sources, policy_variant, quote_in_source

NO_CAP = "the document states no amount, so no cap applies"


def coverage_note(statement):
    return [n for n in statement.notes if n.kind == "coverage"][0]


# ------------------------------------------------------------------ examples

def test_outpatient_deductible_example():
    st = run_example("shanghai-outpatient-deductible.yaml")
    c = by_id(st)
    assert [r.id for r in st.claims] == ["o0", "o1", "o2", "o3", "o4", "o5", "o6", "o7", "o8", "o9"]
    assert c["o0"].status == "outside_period"
    assert amounts(c["o0"]) == (D("0.00"), D("0.00"), D("80.00"))      # 2024-12-30: before the year
    assert amounts(c["o1"]) == (D("0.00"), D("0.00"), D("120.00"))     # 120 toward 300 (0 met before)
    assert steps_of(c["o1"], "deductible")[0].amount == D("120.00")
    assert amounts(c["o2"]) == (D("40.00"), D("0.00"), D("10.00"))     # campus: 50 × 80%, no deductible
    assert amounts(c["o3"]) == (D("0.00"), D("0.00"), D("100.00"))     # 100 toward 300 (120 met, 180 due)
    assert steps_of(c["o3"], "deductible")[0].amount == D("100.00")
    assert amounts(c["o4"]) == (
        D("119.00"),    # 220 met, 80 due: (250 − 80) × 70% = 119.00 (campus 40 did not count)
        D("0.00"),
        D("131.00"),    # 250 − 119 = 131.00
    )
    assert steps_of(c["o4"], "deductible")[0].amount == D("80.00")
    assert amounts(c["o5"]) == (D("200.00"), D("0.00"), D("200.00"))   # met: 400 × 50%
    assert steps_of(c["o5"], "deductible")[0].amount == D("0.00")
    assert amounts(c["o6"]) == (
        D("200.00"),    # 333.33 × 60% = 199.998 → 200.00
        D("0.00"),
        D("133.33"),    # 333.33 − 200.00
    )
    assert amounts(c["o7"]) == (
        D("79.99"),     # campus 99.99 × 80% = 79.992 → 79.99
        D("0.00"),
        D("20.00"),     # 99.99 − 79.99
    )
    assert c["o8"].status == "excluded"
    assert amounts(c["o8"]) == (D("0.00"), D("0.00"), D("2000.00"))    # campus inpatient: nothing
    assert c["o9"].status == "outside_period"
    assert amounts(c["o9"]) == (D("0.00"), D("0.00"), D("500.00"))     # 2026-01-02: after the year
    t = st.totals
    assert t.total == D("3933.32")       # 80 + 120 + 50 + 100 + 250 + 400 + 333.33 + 99.99 + 2000 + 500
    assert t.basic_fund == D("638.99")   # 40 + 119 + 200 + 200 + 79.99
    assert t.critical_illness == D("0.00")
    assert t.patient == D("3294.33")     # 3933.32 − 638.99
    assert st.premium.personal is None  # no assistance: the Q&A states no amount
    unstated = st.premium.events[0]
    assert unstated.kind == "premium_unstated" and "states no amount" in say(unstated)
    assert "按照年度标准缴费后" in cited(unstated) and "问题 2" in cited(unstated)


def test_inpatient_critical_illness_example():
    st = run_example("shanghai-inpatient-critical-illness.yaml")
    c = by_id(st)
    assert amounts(c["i1"]) == (
        D("11820.00"),  # (20000 − 300) × 60% = 11820.00
        D("4908.00"),   # burden 20000 − 11820 = 8180; × 60% = 4908.00
        D("3272.00"),   # 20000 − 11820 − 4908
    )
    assert amounts(c["i2"]) == (
        D("8820.00"),   # per admission, 300 again: (15000 − 300) × 60% = 8820.00
        D("3708.00"),   # burden 6180 × 60%
        D("2472.00"),   # 15000 − 8820 − 3708
    )
    assert amounts(c["i3"]) == (
        D("5925.00"),   # (8000 − 100) × 75% = 5925.00
        D("0.00"),      # hypertension: not a critical condition
        D("2075.00"),   # 8000 − 5925
    )
    assert amounts(c["i4"]) == (D("0.00"), D("0.00"), D("40.00"))  # 40 < the ¥50 level-1 deductible
    assert steps_of(c["i4"], "deductible")[0].amount == D("40.00")
    assert amounts(c["i5"]) == (
        D("680.01"),    # (900.01 − 50) × 80% = 680.008 → 680.01
        D("132.00"),    # burden 900.01 − 680.01 = 220.00; × 60% = 132.00
        D("188.00"),    # 1000.01 − 680.01 − 132.00
    )
    assert amounts(c["i6"]) == (
        D("350.00"),    # outpatient: (1000 − 300) × 50% = 350.00
        D("390.00"),    # burden 650 × 60%
        D("260.00"),    # 1000 − 350 − 390
    )
    assert amounts(c["i7"]) == (
        D("80.00"),     # campus: 100 × 80%
        D("12.00"),     # burden 20 × 60%
        D("8.00"),      # 100 − 80 − 12
    )
    assert amounts(c["i8"]) == (
        D("9184.25"),   # (12345.67 − 100) × 75% = 9184.2525 → 9184.25
        D("1896.85"),   # burden 12345.67 − 9184.25 = 3161.42; × 60% = 1896.852 → 1896.85
        D("1264.57"),   # 12345.67 − 9184.25 − 1896.85
    )
    t = st.totals
    assert t.total == D("57485.68")       # 20000 + 15000 + 8000 + 40 + 1000.01 + 1000 + 100 + 12345.67
    assert t.covered == D("57385.68")     # 100 less (i5)
    assert t.basic_fund == D("36859.26")  # 11820 + 8820 + 5925 + 0 + 680.01 + 350 + 80 + 9184.25
    assert t.critical_illness == D("11046.85")  # 4908 + 3708 + 132 + 390 + 12 + 1896.85
    assert t.patient == D("9579.57")      # 57485.68 − 36859.26 − 11046.85
    assert st.premium.personal is None
    # no deductible for critical illness; the unstated maximum is explained
    for cid in ("i1", "i2", "i5", "i6", "i7", "i8"):
        assert steps_of(c[cid], "payer_burden")[0].data["deductible"] == D(0)
        assert "deductible ¥0.00" in say(steps_of(c[cid], "payer_burden")[0])
        assert any(NO_CAP in say(s) for s in steps_of(c[cid], "payer_cap_unstated"))
    assert steps_of(c["i3"], "payer_burden") == []


def test_dibao_critical_illness_example():
    st = run_example("shanghai-dibao-critical-illness.yaml")
    c = by_id(st)
    assert amounts(c["k1"]) == (
        D("5820.00"),   # (10000 − 300) × 60%
        D("2717.00"),   # burden 4180 × 65% (dibao)
        D("1463.00"),   # 10000 − 5820 − 2717
    )
    assert amounts(c["k2"]) == (
        D("120.00"),    # outpatient: (500 − 300) × 60%
        D("247.00"),    # burden 380 × 65%
        D("133.00"),    # 500 − 120 − 247
    )
    assert amounts(c["k3"]) == (
        D("2626.66"),   # (3333.33 − 50) × 80% = 2626.664 → 2626.66
        D("459.34"),    # burden 706.67 × 65% = 459.3355 → 459.34
        D("247.33"),    # 3333.33 − 2626.66 − 459.34
    )
    t = st.totals
    assert t.total == D("13833.33")
    assert t.basic_fund == D("8566.66")       # 5820 + 120 + 2626.66
    assert t.critical_illness == D("3423.34")  # 2717 + 247 + 459.34
    assert t.patient == D("1843.33")          # 13833.33 − 8566.66 − 3423.34
    assert st.premium.personal is None
    assert "2025-01-01" in say(coverage_note(st))  # paid 2024-12-31, within collection: no wait
    band = steps_of(c["k1"], "band")[0]
    assert band.cite and "65%" in cited(band)
    assert "低保" in steps_of(c["k1"], "payer_burden")[0].data["table"]
    cap = [s for s in steps_of(c["k1"], "payer_cap_unstated") if NO_CAP in say(s)][0]
    assert cap.cite and "最高支付限额" in cited(cap)


def test_waiting_late_payer_example():
    st = run_example("shanghai-waiting-late-payer.yaml")
    c = by_id(st)
    # paid 2025-03-15 > 2024-12-31, gap 0: 3 months → 2025-06-15
    assert "2025-06-15" in say(coverage_note(st))
    assert c["w1"].status == "waiting"
    assert amounts(c["w1"]) == (D("0.00"), D("0.00"), D("10000.00"))  # no critical illness while waiting
    assert c["w2"].status == "waiting"
    assert amounts(c["w2"]) == (D("0.00"), D("0.00"), D("500.00"))
    assert amounts(c["w3"]) == (
        D("140.00"),    # whole 300 due (w2 did not count): (500 − 300) × 70%
        D("0.00"),
        D("360.00"),    # 500 − 140
    )
    t = st.totals
    assert t.total == D("11000.00")      # 10000 + 500 + 500
    assert t.basic_fund == D("140.00")
    assert t.critical_illness == D("0.00")
    assert t.patient == D("10860.00")    # 11000 − 140
    assert st.premium.personal is None


def test_waiting_gap_years_example():
    st = run_example("shanghai-waiting-gap-years.yaml")
    c = by_id(st)
    # 3 + (3 gap − 1 back-paid) = 5 months from 2025-02-10 → 2025-07-10
    assert "2025-07-10" in say(coverage_note(st))
    assert c["g1"].status == "waiting"
    assert amounts(c["g1"]) == (D("0.00"), D("0.00"), D("5000.00"))
    assert amounts(c["g2"]) == (
        D("3675.00"),   # (5000 − 100) × 75%
        D("0.00"),
        D("1325.00"),   # 5000 − 3675
    )
    t = st.totals
    assert (t.total, t.basic_fund, t.critical_illness, t.patient) == (
        D("10000.00"), D("3675.00"), D("0.00"), D("6325.00"))  # 6325 = 10000 − 3675
    assert st.premium.personal is None


def test_waiting_long_gap_example():
    st = run_example("shanghai-waiting-long-gap.yaml")
    c = by_id(st)
    # gap 5 ≥ 4: max(3 + (5 − 3), 6) = 6 months from max(2024-12-15, 2025-01-01) → 2025-07-01
    assert "2025-07-01" in say(coverage_note(st))
    assert c["l1"].status == "waiting"
    assert amounts(c["l1"]) == (D("0.00"), D("0.00"), D("3000.00"))
    assert amounts(c["l2"]) == (
        D("2360.00"),   # (3000 − 50) × 80%
        D("384.00"),    # hemophilia: burden 640 × 60%
        D("256.00"),    # 3000 − 2360 − 384
    )
    t = st.totals
    assert (t.total, t.basic_fund, t.critical_illness, t.patient) == (
        D("6000.00"), D("2360.00"), D("384.00"), D("3256.00"))  # 6000 − 2360 − 384
    assert st.premium.personal is None


# ----------------------------------------------------- waiting-period edges

def benefits_start(person):
    return say(coverage_note(run("shanghai", {"id": "s", **person}, [])))


def test_waiting_month_end_is_clamped():
    # paid 2025-01-31 (late), gap 0: + 3 months → 2025-04-31 does not exist → 2025-04-30
    st = run("shanghai", {"id": "s", "enrolled_on": "2025-01-31"}, [
        sh_claim("before", "2025-04-29", "inpatient", "1", "1050.00"),
        sh_claim("on", "2025-04-30", "inpatient", "1", "1050.00"),
    ])
    assert "2025-04-30" in say(coverage_note(st))
    c = by_id(st)
    assert c["before"].status == "waiting"
    assert amounts(c["before"]) == (D("0.00"), D("0.00"), D("1050.00"))
    assert amounts(c["on"]) == (D("800.00"), D("0.00"), D("250.00"))  # (1050 − 50) × 80%


def test_waiting_other_edges():
    # no payment date, gap 0: on time, no wait
    assert "2025-01-01" in benefits_start({})
    # paid 2025-08-31 late: + 3 months → 2025-11-30
    assert "2025-11-30" in benefits_start({"enrolled_on": "2025-08-31"})
    # paid on time but a 1-year gap: 3 + 1 = 4 months from 2025-01-01 → 2025-05-01
    assert "2025-05-01" in benefits_start({"enrolled_on": "2024-10-01", "gap_years": 1})
    # back-paid more years than the gap: variable part max(2 − 5, 0) = 0 → 3 months → 2025-04-01
    assert "2025-04-01" in benefits_start({"enrolled_on": "2024-10-01", "gap_years": 2, "back_paid_years": 5})
    # gap 4 all back-paid: 3 + 0 = 3, raised to 6 (gap ≥ 4) → 2025-07-01
    assert "2025-07-01" in benefits_start({"gap_years": 4, "back_paid_years": 4})
    # gap 3 all back-paid: 3 + 0 = 3 (under 4 years, no minimum) → 2025-04-01
    assert "2025-04-01" in benefits_start({"gap_years": 3, "back_paid_years": 3})
    # gap 7, none back-paid: 3 + 7 = 10 months → 2025-11-01
    assert "2025-11-01" in benefits_start({"gap_years": 7})


def test_waiting_past_the_year_end():
    # paid 2025-11-30: + 3 months → 2026-02-28 (clamped); every 2025 claim waits
    st = run("shanghai", {"id": "s", "enrolled_on": "2025-11-30"}, [
        sh_claim("x", "2025-12-31", "outpatient", "campus", "100.00"),
    ])
    assert "2026-02-28" in say(coverage_note(st))
    c = by_id(st)
    assert c["x"].status == "waiting"
    assert amounts(c["x"]) == (D("0.00"), D("0.00"), D("100.00"))


# ------------------------------------------------------ benefit edge cases

def test_campus_before_and_after_the_deductible():
    c = by_id(run("shanghai", {"id": "s"}, [
        sh_claim("campus1", "2025-03-01", "outpatient", "campus", "1000.00"),
        sh_claim("campus_er", "2025-03-02", "emergency", "campus", "10.05"),
        sh_claim("l1a", "2025-03-03", "outpatient", "1", "300.00"),
        sh_claim("l1b", "2025-03-04", "outpatient", "1", "100.00"),
        sh_claim("campus2", "2025-03-05", "outpatient", "campus", "1000.00"),
    ]))
    assert amounts(c["campus1"]) == (D("800.00"), D("0.00"), D("200.00"))  # 1000 × 80%, nothing met yet
    assert amounts(c["campus_er"]) == (D("8.04"), D("0.00"), D("2.01"))    # 10.05 × 80% = 8.04
    assert amounts(c["l1a"]) == (D("0.00"), D("0.00"), D("300.00"))        # the whole ¥300 still due
    assert amounts(c["l1b"]) == (D("70.00"), D("0.00"), D("30.00"))        # met: 100 × 70%
    assert amounts(c["campus2"]) == (D("800.00"), D("0.00"), D("200.00"))  # unchanged after


def test_campus_inpatient_with_critical_condition_pays_nothing():
    c = by_id(run("shanghai", {"id": "s"}, [
        sh_claim("x", "2025-05-01", "inpatient", "campus", "5000.00", condition="cancer"),
    ]))
    assert c["x"].status == "excluded"
    assert amounts(c["x"]) == (D("0.00"), D("0.00"), D("5000.00"))


def test_critical_illness_rate_by_assistance():
    claim = [sh_claim("x", "2025-05-01", "inpatient", "3", "1300.00", condition="kidney_transplant")]
    for assistance, ci in (
        ("none", "420.00"),               # burden 1300 − (1300 − 300) × 60% = 700; × 60%
        ("dibao", "455.00"),              # 700 × 65%
        ("low_income", "455.00"),         # 700 × 65%
        ("tekun", "420.00"),              # not named by 问题 2（2）: 60%
        ("severe_disability", "420.00"),  # not named: 60%
    ):
        x = by_id(run("shanghai", {"id": "s", "assistance": assistance}, claim))["x"]
        assert x.basic_fund == D("600.00")  # (1300 − 300) × 60%
        assert x.critical_illness == D(ci), assistance
        assert x.patient == D("1300.00") - D("600.00") - D(ci)


def test_critical_illness_covers_every_listed_condition_in_shanghai_only():
    # 问题 2（2）: 在本市医保定点医疗机构发生 — off-site care keeps the basic ratios, no critical illness.
    for cond in ("dialysis", "kidney_transplant", "cancer", "mental_illness", "hemophilia", "aplastic_anemia"):
        c = by_id(run("shanghai", {"id": "s"}, [
            sh_claim("here", "2025-06-01", "inpatient", "2", "1100.00", condition=cond),
            sh_claim("far", "2025-06-02", "inpatient", "2", "1100.00", condition=cond, location="out_of_province",
                     filing="long_term"),
            sh_claim("near", "2025-06-03", "inpatient", "2", "1100.00", condition=cond, location="in_province"),
        ]))
        assert amounts(c["here"]) == (
            D("750.00"),  # (1100 − 100) × 75%
            D("210.00"),  # burden 1100 − 750 = 350; × 60%
            D("140.00"),  # 1100 − 750 − 210
        ), cond
        for cid in ("far", "near"):
            assert amounts(c[cid]) == (
                D("750.00"),  # (1100 − 100) × 75%, no off-site change (per admission: the ¥100 again)
                D("0.00"),    # not care in Shanghai: no critical illness
                D("350.00"),  # 1100 − 750
            ), (cond, cid)
            assert steps_of(c[cid], "payer_burden") == []
    covers = steps_of(by_id(run("shanghai", {"id": "s"}, [
        sh_claim("x", "2025-06-01", "inpatient", "2", "1100.00", condition="cancer")]))["x"], "payer_burden")[0]
    assert "在本市医保定点医疗机构发生" in cited(covers) and "再报销 60%" in cited(covers)
    x = by_id(run("shanghai", {"id": "s"}, [
        sh_claim("x", "2025-06-01", "inpatient", "2", "1100.00", condition="diabetes"),
    ]))["x"]
    assert amounts(x) == (D("750.00"), D("0.00"), D("350.00"))  # diabetes: not listed


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
    assert band.amount == D("4908.00")  # 8180 × 60%


def test_campus_no_deductible_step_carries_its_cite():
    # shanghai.mpol writes `no deductible cite qa "问题 2（1）" "……不计入起付标准"` for the
    # campus clinic; the explanation should carry why campus visits skip the ¥300.
    c = by_id(run_example("shanghai-outpatient-deductible.yaml"))
    step = steps_of(c["o2"], "no_deductible")[0]
    assert say(step) == "no deductible" and say(step, "zh") == "不设起付线"
    assert step.cite and "不计入起付标准" in cited(step)


# ------------------------------------------------------------------ premium

def test_premium_severely_disabled_students_pay_nothing():
    # 问题 11: 本市重残大学生个人不缴费 → ¥0, cited.
    st = run("shanghai", {"id": "s", "assistance": "severe_disability"}, [])
    assert st.premium.personal == D("0.00")
    event = st.premium.events[0]
    assert event.kind == "premium" and event.amount == D("0.00")
    assert "本市重残大学生个人不缴费" in cited(event) and "问题 11" in cited(event)


def test_premium_is_unstated_for_everyone_else():
    # 低保: subsidised on application (申请减免), no amount: unstated, citing that sentence.
    st = run("shanghai", {"id": "s", "assistance": "dibao"}, [])
    assert st.premium.personal is None
    assert st.premium.events[0].kind == "premium_unstated"
    assert "本市低保家庭大学生的个人参保缴费" in cited(st.premium.events[0])
    # The others: the Q&A names a yearly standard (按照年度标准缴费) but no amount.
    for assistance in ("none", "tekun", "orphan", "low_income"):
        st = run("shanghai", {"id": "s", "assistance": assistance}, [])
        assert st.premium.personal is None, assistance
        assert st.premium.events[0].kind == "premium_unstated"
        assert "按照年度标准缴费后" in cited(st.premium.events[0])


def test_premium_leaves_the_claims_alone():
    # A severely disabled student's claims pay as anyone's: inpatient level 3, cancer.
    c = by_id(run("shanghai", {"id": "s", "assistance": "severe_disability"}, [
        sh_claim("x", "2025-05-01", "inpatient", "3", "1300.00", condition="cancer"),
    ]))
    assert amounts(c["x"]) == (
        D("600.00"),  # (1300 − 300) × 60%
        D("420.00"),  # burden 700 × 60% (not a 65% group)
        D("280.00"),  # 1300 − 600 − 420
    )


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
    assert c["op"].basic_fund == D("60.00")  # (400 − 300) × 60%
    assert c["ip"].basic_fund == D("80.00")  # (150 − 50) × 80%


def variant(tmp_path, relative, old, new):
    """shanghai.mpol with one line of `relative` replaced by a READING's alternative (see conftest.policy_variant)."""
    return policy_variant(tmp_path, "shanghai.mpol", old, new, edited=relative)


def evaluate(policy, example=None, person=None, claims=()):
    data = load_scenario(EXAMPLES / example) if example else {"person": person, "claims": list(claims)}
    return medpolicy.evaluate(policy, data)


def test_reading_collection_period_ends_with_2024(tmp_path):
    claim = [sh_claim("x", "2025-02-01", "inpatient", "3", "20000.00", condition="cancer")]
    # Read as ending 2024-12-31: paid 2024-12-25 (after the family-fund deadline) is on time.
    for paid in ("2024-12-20", "2024-12-25", "2024-12-31"):
        st = run("shanghai", {"id": "s", "enrolled_on": paid}, claim)
        assert "2025-01-01" in say(coverage_note(st)), paid
        assert amounts(by_id(st)["x"]) == (
            D("11820.00"),  # (20000 − 300) × 60%
            D("4908.00"),   # burden 8180 × 60%
            D("3272.00"),   # 20000 − 11820 − 4908
        )
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
    claim = [sh_claim("x", "2025-05-01", "inpatient", "3", "1300.00", condition="other_critical")]
    x = by_id(run("shanghai", {"id": "s"}, claim))["x"]
    assert amounts(x) == (
        D("600.00"),  # (1300 − 300) × 60%
        D("0.00"),    # not a named condition: the list is read as closed
        D("700.00"),  # 1300 − 600
    )
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
