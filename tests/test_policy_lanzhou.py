"""Hand-checked figures for the Lanzhou student policy (policies/lanzhou.mpol).

Source: docs/sources/lanzhou-student-letter-2025.txt (问答 三、六、七、八, 函 三).
Every expected amount below was computed by hand from the document, with the
arithmetic beside it; none was copied from the program's output.

Rules (as fixed by the product owner):
  inpatient deductible 3A 1400 / 3B 600 / 2 400 / 1 200, × max(1 − 20%·(n−1), 50%)
  for the n-th admission; ratios 3A 65% / 3B 75% / 2 85% / 1 90%; basic inpatient
  fund ≤ 80000 a year. Certified chronic outpatient: no deductible, dialysis
  90%, others 70%. General outpatient/emergency: nothing (left to the school).
  Critical illness on the cumulative burden (covered − basic fund) of inpatient
  and chronic claims: deductible 5000, bands above it 0–10k 60%, 10k–20k 65%,
  20k–50k 70%, 50k–100k 75%, above 80%. No waiting period. Premium 400.

READINGs (marked in lanzhou.mpol): the policy year 2025-09-01 .. 2026-08-31,
the declared chronic conditions, no chronic-outpatient deductible, emergency
care left to the school. Their tests apply the alternative each READING names
(one line) to a copy of the policies folder and check the figures both ways.
"""
from __future__ import annotations



import medpolicy
from medpolicy.scenario import load_scenario

from conftest import EXAMPLES, cited, say, D, amounts, by_id, run, run_example, steps_of
from conftest import make_claim as lz_claim
from conftest import cites_and_sources, policy_variant, quote_in_source


# ------------------------------------------------------------------ examples

def test_decreasing_deductible_example():
    st = run_example("lanzhou-decreasing-deductible.yaml")
    c = by_id(st)
    # processed by date: a0 (before the year) first
    assert [r.id for r in st.claims] == ["a0", "a1", "a2", "a3", "a4", "a5", "a6"]

    assert c["a0"].status == "outside_period"
    assert amounts(c["a0"]) == (D("0.00"), D("0.00"), D("3000.00"))  # dated 2025-08-20 < 2025-09-01: nothing

    # 1st admission, 3A: deductible 1400 × 100% = 1400
    assert amounts(c["a1"]) == (
        D("2990.00"),   # (6000 − 1400) × 65% = 2990.00
        D("0.00"),      # burden 6000 − 2990 = 3010; year 0 → 3010 < 5000
        D("3010.00"),   # 6000 − 2990 − 0 = 3010.00
    )
    # 2nd admission, level 2: deductible 400 × 80% = 320
    assert amounts(c["a2"]) == (
        D("2278.00"),   # (3000 − 320) × 85% = 2278.00
        D("0.00"),      # burden 3000 − 2278 = 722; year 3010 → 3732 < 5000
        D("722.00"),    # 3000 − 2278 = 722.00
    )
    # 3rd admission, 3B: deductible 600 × 60% = 360; covered 2000 of 2100
    assert amounts(c["a3"]) == (
        D("1230.00"),   # (2000 − 360) × 75% = 1230.00
        D("0.00"),      # burden 2000 − 1230 = 770; year 3732 → 4502 < 5000
        D("870.00"),    # 2100 − 1230 − 0 = 870.00
    )
    # 4th admission, level 1: deductible 200 × max(40%, 50%) = 100 (floor reached)
    assert amounts(c["a4"]) == (
        D("810.00"),    # (1000 − 100) × 90% = 810.00
        D("0.00"),      # burden 190; year 4502 → 4692 < 5000
        D("190.00"),    # 1000 − 810 = 190.00
    )
    # 5th admission, 3A: deductible 1400 × 50% = 700
    assert amounts(c["a5"]) == (
        D("2795.00"),   # (5000 − 700) × 65% = 2795.00
        D("1138.20"),   # burden 2205; year 4692 → 6897; (6897 − 5000) × 60% = 1138.20
        D("1066.80"),   # 5000 − 2795 − 1138.20 = 1066.80
    )
    # 6th admission, level 2: deductible 400 × 50% = 200
    assert amounts(c["a6"]) == (
        D("1105.43"),   # (1500.50 − 200) × 85% = 1105.425 → half-up 1105.43
        D("237.04"),    # burden 1500.50 − 1105.43 = 395.07; 395.07 × 60% = 237.042 → 237.04
        D("158.03"),    # 1500.50 − 1105.43 − 237.04 = 158.03
    )
    # deductible actually charged at each admission
    assert [steps_of(c[i], "deductible")[0].amount for i in ("a1", "a2", "a3", "a4", "a5", "a6")] == [
        D("1400"),  # 1400 × 100%
        D("320"),   # 400 × 80%
        D("360"),   # 600 × 60%
        D("100"),   # 200 × 50% (40% floored)
        D("700"),   # 1400 × 50%
        D("200"),   # 400 × 50%
    ]
    t = st.totals
    assert t.total == D("21600.50")        # 3000 + 6000 + 3000 + 2100 + 1000 + 5000 + 1500.50
    assert t.covered == D("21500.50")      # the same with a3 at 2000
    assert t.basic_fund == D("11208.43")   # 2990 + 2278 + 1230 + 810 + 2795 + 1105.43
    assert t.critical_illness == D("1375.24")  # 1138.20 + 237.04
    assert t.patient == D("9016.83")       # 21600.50 − 11208.43 − 1375.24
    assert st.premium.personal == D("400.00")  # 函 三: 每人400元


def test_cap_critical_illness_example():
    st = run_example("lanzhou-cap-critical-illness.yaml")
    c = by_id(st)
    # CI bands, measured above the 5000 deductible, on the year's cumulative burden:
    # 5000–15000 60%, 15000–25000 65%, 25000–55000 70%, 55000–105000 75%, >105000 80%
    assert amounts(c["c1"]) == (
        D("64090.00"),  # (100000 − 1400) × 65% = 64090.00; cap 80000 not reached
        D("20137.00"),  # burden 35910: 10000 × 60% + 10000 × 65% + (35910 − 25000) × 70% = 6000 + 6500 + 7637
        D("15773.00"),  # 100000 − 64090 − 20137 = 15773.00
    )
    assert amounts(c["c2"]) == (
        D("15910.00"),  # (40000 − 1400 × 80%) × 65% = 25272.00 > 80000 − 64090 = 15910.00 left
        D("17113.00"),  # burden 40000 − 15910 = 24090; 35910 → 60000: (55000 − 35910) × 70% + 5000 × 75% = 13363 + 3750
        D("6977.00"),   # 40000 − 15910 − 17113 = 6977.00
    )
    assert amounts(c["c3"]) == (
        D("0.00"),      # cap used up: (10000 − 400 × 60%) × 85% = 8296 → 0 left
        D("7500.00"),   # burden 10000; 60000 → 70000, all in 55000–105000: 10000 × 75%
        D("2500.00"),   # 10000 − 0 − 7500 = 2500.00
    )
    assert amounts(c["c4"]) == (
        D("0.00"),      # cap used up (600 × 50% deductible, 75% would be 37275)
        D("38250.00"),  # burden 50000; 70000 → 120000: 35000 × 75% + 15000 × 80% = 26250 + 12000
        D("11750.00"),  # 50000 − 38250 = 11750.00
    )
    assert amounts(c["c5"]) == (
        D("1800.00"),   # chronic dialysis, no deductible, not under the inpatient cap: 2000 × 90%
        D("160.00"),    # burden 200; 120000 → 120200, above 105000: 200 × 80%
        D("40.00"),     # 2000 − 1800 − 160 = 40.00
    )
    t = st.totals
    assert t.total == D("202000.00")          # 100000 + 40000 + 10000 + 50000 + 2000
    assert t.basic_fund == D("81800.00")      # 80000 inpatient + 1800 chronic
    assert t.critical_illness == D("83160.00")  # 20137 + 17113 + 7500 + 38250 + 160
    assert t.patient == D("37040.00")         # 202000 − 81800 − 83160
    assert st.premium.personal == D("400.00")
    # the cap step on c2 and c3 explains the reduction, with the document's words
    cap = steps_of(c["c2"], "annual_cap")[0]
    assert (cap.data["left"], cap.data["before"]) == (D("15910.00"), D("25272.00"))
    assert "15910.00" in say(cap) and "25272.00" in say(cap)
    assert cap.cite and "最高报销 8 万元" in cited(cap)
    # bands crossed by c1, c2 and c4
    assert [s.cite is not None for s in steps_of(c["c1"], "band")] == [True, True, True]
    assert len(steps_of(c["c2"], "band")) == 2
    assert len(steps_of(c["c4"], "band")) == 2
    assert "10 万元以上赔付 80%" in cited(steps_of(c["c4"], "band")[1])


def test_chronic_outpatient_example():
    st = run_example("lanzhou-chronic-outpatient.yaml")
    c = by_id(st)
    # by date, then file order: d6 (2025-12-24) before d8 (2026-03-01) though listed after it
    assert [r.id for r in st.claims] == ["d1", "d2", "d3", "d4", "d5", "d6", "d8", "d7"]
    assert amounts(c["d1"]) == (
        D("2700.00"),   # dialysis 90% of covered 3000, no deductible
        D("0.00"),      # burden 3000 − 2700 = 300; year 0 → 300
        D("500.00"),    # 3200 − 2700 = 500.00
    )
    assert amounts(c["d2"]) == (
        D("595.39"),    # diabetes 70%: 850.55 × 70% = 595.385 → half-up 595.39
        D("0.00"),      # burden 850.55 − 595.39 = 255.16; year 300 → 555.16
        D("255.16"),    # 850.55 − 595.39 = 255.16
    )
    for cid, total in (("d3", "120.00"), ("d4", "800.00"), ("d5", "500.00")):
        assert c[cid].status == "excluded"
        assert amounts(c[cid]) == (D("0.00"), D("0.00"), D(total))  # left to the school: all the patient's
    assert amounts(c["d6"]) == (
        D("900.00"),    # emergency dialysis, chronic 90%: 1000 × 90%
        D("0.00"),      # burden 100; year 555.16 → 655.16 (excluded claims add nothing)
        D("100.00"),
    )
    assert amounts(c["d8"]) == (
        D("54000.00"),  # 60000 × 90%
        D("993.10"),    # burden 6000; 655.16 → 6655.16; (6655.16 − 5000) × 60% = 993.096 → 993.10
        D("5006.90"),   # 60000 − 54000 − 993.10 = 5006.90
    )
    assert c["d7"].status == "outside_period"
    assert amounts(c["d7"]) == (D("0.00"), D("0.00"), D("3000.00"))  # 2026-09-01 > 2026-08-31
    t = st.totals
    assert t.total == D("69470.55")       # 3200 + 850.55 + 120 + 800 + 500 + 1000 + 60000 + 3000
    assert t.covered == D("69270.55")     # 200 less (d1)
    assert t.basic_fund == D("58195.39")  # 2700 + 595.39 + 900 + 54000
    assert t.critical_illness == D("993.10")
    assert t.patient == D("10282.06")     # 69470.55 − 58195.39 − 993.10
    assert st.premium.personal == D("400.00")


# ----------------------------------------------------- focused inline tests

def test_inpatient_claim_smaller_than_its_deductible_still_counts_as_an_admission():
    st = run("lanzhou", {"id": "s"}, [
        lz_claim("small", "2025-10-01", "inpatient", "3A", "1000.00"),
        lz_claim("next", "2025-11-01", "inpatient", "3A", "5000.00"),
    ])
    c = by_id(st)
    assert amounts(c["small"]) == (D("0.00"), D("0.00"), D("1000.00"))  # 1000 < 1400: all deductible
    assert steps_of(c["small"], "deductible")[0].amount == D("1000.00")  # only what there was
    assert amounts(c["next"]) == (
        D("2522.00"),   # 2nd admission: (5000 − 1400 × 80%) × 65% = 3880 × 65% = 2522.00
        D("0.00"),      # burden 1000 + 2478 = 3478 < 5000
        D("2478.00"),   # 5000 − 2522 = 2478.00
    )


def test_floor_sequence_at_level_1():
    dates = ["2025-09-05", "2025-10-05", "2025-11-05", "2025-12-05", "2026-01-05"]
    claims = [lz_claim(f"n{i}", dates[i - 1], "inpatient", "1", "1200.00") for i in range(1, 6)]
    c = by_id(run("lanzhou", {"id": "s"}, claims))
    assert [c[f"n{i}"].basic_fund for i in range(1, 6)] == [
        D("900.00"),  # (1200 − 200 × 100%) × 90%
        D("936.00"),  # (1200 − 200 × 80%) × 90% = 1040 × 90%
        D("972.00"),  # (1200 − 200 × 60%) × 90% = 1080 × 90%
        D("990.00"),  # (1200 − 200 × 50%) × 90% = 1100 × 90% (40% floored to 50%)
        D("990.00"),  # (1200 − 200 × 50%) × 90%
    ]
    # burden 300 + 264 + 228 + 210 + 210 = 1212 < 5000: no critical illness
    assert sum(c[f"n{i}"].critical_illness for i in range(1, 6)) == D("0.00")


def test_same_day_admissions_are_counted_in_file_order():
    c = by_id(run("lanzhou", {"id": "s"}, [
        lz_claim("first", "2025-10-01", "inpatient", "1", "1200.00"),
        lz_claim("second", "2025-10-01", "inpatient", "3A", "3000.00"),
    ]))
    assert c["first"].basic_fund == D("900.00")    # 1st admission: (1200 − 200) × 90%
    assert c["second"].basic_fund == D("1222.00")  # 2nd: (3000 − 1400 × 80%) × 65% = 1880 × 65%


def test_cap_uses_rounded_amounts():
    c = by_id(run("lanzhou", {"id": "s"}, [
        lz_claim("big", "2025-09-20", "inpatient", "3A", "123078.47"),
        lz_claim("after", "2025-12-20", "inpatient", "3A", "5000.00"),
    ]))
    assert amounts(c["big"]) == (
        D("79091.01"),  # (123078.47 − 1400) × 65% = 79091.0055 → 79091.01
        D("25791.22"),  # burden 43987.46: 6000 + 6500 + (43987.46 − 25000) × 70% = 25791.222 → 25791.22
        D("18196.24"),  # 123078.47 − 79091.01 − 25791.22
    )
    assert amounts(c["after"]) == (
        D("908.99"),    # (5000 − 1120) × 65% = 2522 > 80000 − 79091.01 = 908.99 left
        D("2863.71"),   # burden 5000 − 908.99 = 4091.01, all in 25000–55000: × 70% = 2863.707 → 2863.71
        D("1227.30"),   # 5000 − 908.99 − 2863.71
    )


def test_critical_illness_band_boundary():
    c = by_id(run("lanzhou", {"id": "s", "certified": ["diabetes"]}, [
        lz_claim("x", "2025-09-02", "outpatient", "3A", "50000.00", condition="diabetes"),
        lz_claim("y", "2025-09-03", "outpatient", "3A", "100.00", condition="diabetes"),
    ]))
    assert amounts(c["x"]) == (
        D("35000.00"),  # 50000 × 70% (not dialysis)
        D("6000.00"),   # burden 15000: (15000 − 5000) × 60% = 6000, exactly at the first band's top
        D("9000.00"),   # 50000 − 35000 − 6000
    )
    assert amounts(c["y"]) == (
        D("70.00"),     # 100 × 70%
        D("19.50"),     # burden 30, 15000 → 15030, second band: 30 × 65%
        D("10.50"),     # 100 − 70 − 19.50
    )


def test_uncertified_dialysis_is_general_outpatient():
    c = by_id(run("lanzhou", {"id": "s"}, [
        lz_claim("x", "2025-09-02", "outpatient", "3A", "2000.00", condition="dialysis"),
    ]))
    assert c["x"].status == "excluded"
    assert amounts(c["x"]) == (D("0.00"), D("0.00"), D("2000.00"))


def test_no_waiting_period_even_for_late_payer_with_gap_years():
    st = run("lanzhou", {"id": "s", "enrolled_on": "2025-10-20", "gap_years": 5}, [
        lz_claim("x", "2025-09-01", "inpatient", "1", "1200.00"),
    ])
    c = by_id(st)
    assert c["x"].status == "paid"
    assert amounts(c["x"]) == (D("900.00"), D("0.00"), D("300.00"))  # (1200 − 200) × 90%
    coverage = [n for n in st.notes if n.kind == "coverage"][0]
    assert "2025-09-01" in say(coverage)
    assert "不设待遇等待期" in cited(coverage)


def test_policy_year_bounds():
    c = by_id(run("lanzhou", {"id": "s"}, [
        lz_claim("first_day", "2025-09-01", "inpatient", "1", "300.00"),
        lz_claim("last_day", "2026-08-31", "inpatient", "1", "300.00"),
        lz_claim("day_after", "2026-09-01", "inpatient", "1", "300.00"),
    ]))
    assert c["first_day"].basic_fund == D("90.00")  # (300 − 200) × 90%
    assert c["last_day"].basic_fund == D("126.00")  # 2nd admission: (300 − 200 × 80%) × 90% = 140 × 90%
    assert c["day_after"].status == "outside_period"
    assert amounts(c["day_after"]) == (D("0.00"), D("0.00"), D("300.00"))


def test_premium_is_400_for_everyone():
    for assistance in ("none", "dibao", "severe_disability"):
        st = run("lanzhou", {"id": "s", "assistance": assistance}, [])
        assert st.premium.personal == D("400.00")  # 函 三: 每人400元
        assert "每人400元" in cited(st.premium.events[0])


def test_no_off_site_reduction():
    c = by_id(run("lanzhou", {"id": "s"}, [
        lz_claim("far", "2025-09-02", "inpatient", "3B", "1600.00", location="out_of_province", filing="temporary"),
    ]))
    assert c["far"].basic_fund == D("750.00")  # (1600 − 600) × 75%, as at home


# ------------------------------------------------------------- explanations

def test_explanation_of_excluded_claims():
    c = by_id(run_example("lanzhou-chronic-outpatient.yaml"))
    for cid in ("d3", "d4", "d5"):
        step = steps_of(c[cid], "excluded")[0]
        assert "普通门诊专项资金的支付比例由大中专院校自行确定" in say(step)
        assert step.amount == D("0.00")
        assert step.cite and "问答 六" in cited(step)
        assert step.source is not None and step.source.file.endswith("lanzhou.mpol")


def test_explanation_of_outside_period_claims():
    c = by_id(run_example("lanzhou-chronic-outpatient.yaml"))
    step = steps_of(c["d7"], "outside_period")[0]
    assert "2026-09-01" in say(step) and "2025-09-01 .. 2026-08-31" in say(step)
    assert "pays nothing" in say(step)
    c = by_id(run_example("lanzhou-decreasing-deductible.yaml"))
    assert "2025-08-20" in say(steps_of(c["a0"], "outside_period")[0])


def test_cites_on_deductible_ratio_and_band_steps():
    c = by_id(run_example("lanzhou-decreasing-deductible.yaml"))
    for cid in ("a1", "a2", "a3", "a4", "a5", "a6"):
        ded = steps_of(c[cid], "deductible")[0]
        assert ded.cite and "1400 元" in cited(ded) and "递减 20%" in cited(ded)
        assert ded.source is not None and ded.source.file.endswith("lanzhou.mpol")
        ratio = steps_of(c[cid], "ratio")[0]
        assert ratio.cite and "三级甲等医疗机构 65%" in cited(ratio)
    # the deductible step names the admission number
    assert "住院次数 5" in say(steps_of(c["a5"], "deductible")[0])
    band = steps_of(c["a5"], "band")[0]
    assert band.cite and "0-1 万元赔付 60%" in cited(band)
    assert band.amount == D("1138.20")  # 1897 × 60%
    ci = steps_of(c["a5"], "payer_burden")[0]
    assert ci.cite and "大病保险" in cited(ci)
    chronic = by_id(run_example("lanzhou-chronic-outpatient.yaml"))
    for cid in ("d1", "d2"):
        ratio = steps_of(chronic[cid], "ratio")[0]
        assert ratio.cite and "90%" in cited(ratio) and "70%" in cited(ratio)


# ------------------------------------------------------- citations and readings

def test_every_quote_is_in_its_source():
    cites, sources = cites_and_sources("lanzhou.mpol")
    assert sources == {"letter": "lanzhou-student-letter-2025.txt"} and len(cites) >= 15
    for cite in cites:
        assert cite.source == "letter"
        assert cite.quote and quote_in_source(cite.quote, sources["letter"]), cite.quote


def test_deductible_cite_quotes_both_sentences():
    # 问答 七（二） gives the amounts, 七（三） the decrease; the quote joins them with ……
    c = by_id(run("lanzhou", {"id": "s"}, [lz_claim("x", "2025-10-01", "inpatient", "2", "1000.00")]))
    ded = steps_of(c["x"], "deductible")[0]
    assert "一级医疗机构 200 元……在一个参保年度内多次住院，从第二次住院起" in cited(ded)
    assert c["x"].basic_fund == D("510.00")  # (1000 − 400) × 85%


def variant(tmp_path, old, new):
    """lanzhou.mpol with one line replaced by a READING's alternative (see conftest.policy_variant)."""
    return policy_variant(tmp_path, "lanzhou.mpol", old, new)


def evaluate(policy, example):
    return medpolicy.evaluate(policy, load_scenario(EXAMPLES / example))


def test_reading_policy_year(tmp_path):
    # Read as the school year 2025-09-01 .. 2026-08-31 (the decreasing-deductible example's figures above).
    alt = variant(tmp_path, "year 2025-09-01 .. 2026-08-31", "year 2025-01-01 .. 2025-12-31")
    st = evaluate(alt, "lanzhou-decreasing-deductible.yaml")
    c = by_id(st)
    assert amounts(c["a0"]) == (
        D("1040.00"),   # 2025-08-20 now inside: 1st admission, 3A: (3000 − 1400) × 65%
        D("0.00"),      # burden 1960 < 5000
        D("1960.00"),   # 3000 − 1040
    )
    assert amounts(c["a1"]) == (
        D("3172.00"),   # 2nd admission: (6000 − 1400 × 80%) × 65% = 4880 × 65%
        D("0.00"),      # burden 2828; year 1960 → 4788 < 5000
        D("2828.00"),   # 6000 − 3172
    )
    assert amounts(c["a2"]) == (
        D("2346.00"),   # 3rd admission, level 2: (3000 − 400 × 60%) × 85% = 2760 × 85%
        D("265.20"),    # burden 654; 4788 → 5442: (5442 − 5000) × 60%
        D("388.80"),    # 3000 − 2346 − 265.20
    )
    for cid in ("a3", "a4", "a5", "a6"):
        assert c[cid].status == "outside_period", cid  # 2026 claims: after 2025-12-31
    t = st.totals
    assert t.basic_fund == D("6558.00")        # 1040 + 3172 + 2346
    assert t.critical_illness == D("265.20")
    assert t.patient == D("14777.30")          # 21600.50 − 6558 − 265.20


def test_reading_declared_chronic_conditions(tmp_path):
    # Read: diabetes is one of the 45 → d2 pays 70% (595.39, see the chronic example above).
    alt = variant(tmp_path,
                  'list chronic_special "门诊慢特病（45 种）" = [dialysis, hypertension, diabetes, cancer, pku, other_chronic]',
                  'list chronic_special "门诊慢特病（45 种）" = [dialysis, other_chronic]')
    st = evaluate(alt, "lanzhou-chronic-outpatient.yaml")
    c = by_id(st)
    assert c["d2"].status == "excluded"  # diabetes left to the school
    assert amounts(c["d2"]) == (D("0.00"), D("0.00"), D("850.55"))
    assert amounts(c["d8"]) == (
        D("54000.00"),  # 60000 × 90%
        D("840.00"),    # burden 300 (d1) + 100 (d6) = 400 → 6400: (6400 − 5000) × 60%
        D("5160.00"),   # 60000 − 54000 − 840
    )
    t = st.totals
    assert t.basic_fund == D("57600.00")    # 2700 + 900 + 54000
    assert t.critical_illness == D("840.00")
    assert t.patient == D("11030.55")       # 69470.55 − 57600 − 840


def test_reading_no_chronic_outpatient_deductible(tmp_path):
    # Read: none (d1 2700.00 = 3000 × 90%). Alternative: the inpatient schedule once a year.
    alt = variant(tmp_path, "no deductible",
                  'deductible per year by claim.level { "3A": ¥1400, "3B": ¥600, "2": ¥400, "1": ¥200 } highest')
    st = evaluate(alt, "lanzhou-chronic-outpatient.yaml")
    c = by_id(st)
    assert amounts(c["d1"]) == (
        D("1440.00"),   # 3A, first: (3000 − 1400) × 90%
        D("0.00"),      # burden 3000 − 1440 = 1560
        D("1760.00"),   # 3200 − 1440
    )
    assert c["d2"].basic_fund == D("595.39")   # level 2: ¥400 ≤ ¥1400 already charged → nothing more
    assert c["d6"].basic_fund == D("900.00")   # 3B: ¥600 ≤ ¥1400 → nothing more: 1000 × 90%
    assert amounts(c["d8"]) == (
        D("54000.00"),  # 3A again: nothing more; 60000 × 90%
        D("1749.10"),   # burden 1560 + 255.16 + 100 = 1915.16 → 7915.16: (7915.16 − 5000) × 60% = 1749.096
        D("4250.90"),   # 60000 − 54000 − 1749.10
    )
    t = st.totals
    assert t.basic_fund == D("56935.39")       # 1440 + 595.39 + 900 + 54000
    assert t.patient == D("10786.06")          # 69470.55 − 56935.39 − 1749.10


def test_reading_emergency_care_is_left_to_the_school(tmp_path):
    c = by_id(run_example("lanzhou-chronic-outpatient.yaml"))
    step = steps_of(c["d4"], "excluded")[0]  # emergency, 3A, no chronic condition
    assert c["d4"].status == "excluded" and amounts(c["d4"]) == (D("0.00"), D("0.00"), D("800.00"))
    assert "问答 六" in cited(step) and "普通门诊医疗管理办法" in cited(step)
    alt = variant(tmp_path, "when claim.care in [outpatient, emergency, observation]", "when claim.care == outpatient")
    st = evaluate(alt, "lanzhou-chronic-outpatient.yaml")
    c = by_id(st)
    assert c["d4"].status == "no_benefit"  # no rule of the letter takes it
    assert amounts(c["d4"]) == (D("0.00"), D("0.00"), D("800.00"))  # the same money
    assert c["d6"].basic_fund == D("900.00")  # chronic emergency care still 90%
    assert (st.totals.basic_fund, st.totals.patient) == (D("58195.39"), D("10282.06"))  # unchanged
