"""What the Lanzhou student policy (policies/lanzhou.mpol) says and cites, beyond its figures.

Source: docs/sources/lanzhou-student-letter-2025.txt (问答 三、六、七、八, 函 三).
The hand-checked figures (rules as read, arithmetic beside each amount) are in
policies/lanzhou.test.yaml and in the `expect` blocks of examples/lanzhou-*.yaml,
run by `medpolicy test` (tests/test_policy_tests.py). What stays here is what a
test file cannot state: the order of the statement's claims, the explanation's
wording, data and citations, and the READING alternatives.

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

def test_claims_are_listed_by_date_then_file_order():
    st = run_example("lanzhou-decreasing-deductible.yaml")
    # processed by date: a0 (before the year) first
    assert [r.id for r in st.claims] == ["a0", "a1", "a2", "a3", "a4", "a5", "a6"]
    st = run_example("lanzhou-chronic-outpatient.yaml")
    # by date, then file order: d6 (2025-12-24) before d8 (2026-03-01) though listed after it
    assert [r.id for r in st.claims] == ["d1", "d2", "d3", "d4", "d5", "d6", "d8", "d7"]


def test_cap_critical_illness_example_explains_the_cap_and_the_bands():
    # figures: the example's expect block
    c = by_id(run_example("lanzhou-cap-critical-illness.yaml"))
    # the cap step on c2 explains the reduction, with the document's words:
    # (40000 − 1400 × 80%) × 65% = 25272.00 > 80000 − 64090 = 15910.00 left
    cap = steps_of(c["c2"], "annual_cap")[0]
    assert (cap.data["left"], cap.data["before"]) == (D("15910.00"), D("25272.00"))
    assert "15910.00" in say(cap) and "25272.00" in say(cap)
    assert cap.cite and "最高报销 8 万元" in cited(cap)
    # bands crossed by c1, c2 and c4
    assert [s.cite is not None for s in steps_of(c["c1"], "band")] == [True, True, True]
    assert len(steps_of(c["c2"], "band")) == 2
    assert len(steps_of(c["c4"], "band")) == 2
    assert "10 万元以上赔付 80%" in cited(steps_of(c["c4"], "band")[1])


# ----------------------------------------------------- focused inline tests

def test_no_waiting_period_note_cites_the_letter():
    # figures: policies/lanzhou.test.yaml, case 'no waiting period even for a late payer with gap years'
    st = run("lanzhou", {"id": "s", "enrolled_on": "2025-10-20", "gap_years": 5}, [
        lz_claim("x", "2025-09-01", "inpatient", "1", "1200.00"),
    ])
    coverage = [n for n in st.notes if n.kind == "coverage"][0]
    assert "2025-09-01" in say(coverage)
    assert "不设待遇等待期" in cited(coverage)


def test_premium_cites_the_letter_for_everyone():
    # figures: policies/lanzhou.test.yaml, the 'premium …' cases
    for assistance in ("none", "dibao", "severe_disability"):
        st = run("lanzhou", {"id": "s", "assistance": assistance}, [])
        assert "每人400元" in cited(st.premium.events[0])


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
    # (figures: policies/lanzhou.test.yaml, case 'first admission at level 2')
    c = by_id(run("lanzhou", {"id": "s"}, [lz_claim("x", "2025-10-01", "inpatient", "2", "1000.00")]))
    ded = steps_of(c["x"], "deductible")[0]
    assert "一级医疗机构 200 元……在一个参保年度内多次住院，从第二次住院起" in cited(ded)


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
    alt = variant(tmp_path, 'no deductible cite letter "问答 八（载明报销比例，未载明起付线：读作不设）" '
                            '"门诊慢特病“慢性肾衰竭透析”报销比例达 90%，其他病种报销比例为 70%"',
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
