"""Karamay 2026 (policies/karamay.mpol): hand-checked figures.

Every expected amount below was computed by hand from the student guide
(docs/sources/karamay-student-guide-2025.md) under the readings the product
owner fixed for Karamay (each marked READING in the policy and listed, with
its alternative, in docs/readings.md); the arithmetic sits in a comment beside
each figure.
Abbreviations in the comments: ded = deductible, cap = fund limit,
burden = personal compliant burden (covered − basic fund) counted by 居民大病保险,
cum = the year's cumulative burden, CI = critical illness (大病保险).

Rules (document → reading):
  普通门诊  L1 ded ¥10/visit, 70%, ¥100/visit; L2 ¥20/visit, 60%, ¥200/visit;
            ded halved from the year's 2nd visit; L3 only emergency/pediatric:
            ¥20 once a year (never halved), 70%, no per-visit cap (blank cell);
            ¥900 a year shared by L1–L3.  Same day + same institution = one
            visit (同一家; the shipped extraction says 同一级).
  两病      L1 outpatient, not certified: no ded, 50%, ¥700 (高血压) / ¥1000 (糖尿病).
  门诊慢病  certified, a condition of either declared list (15 门诊慢病 + the
            "13 种" 门诊大病, 15 ids): no ded, 65% at every level; ¥160,000
            shared with 住院.
  住院      ¥100/200/600 a year by the highest level reached; 85/75/65%.
  bonus     inpatient & chronic ratios + min(max(years − 3, 0), 5) points.
  waiting   the national rule (国办发〔2024〕38号); every assistance status
            (医疗救助对象) has none and is covered from 2026-01-01.
  premium   ¥400; ¥1200 without assistance, paid after 2026-01-10.
  异地      off-site with temporary filing: −20 points.
  大病      一般 21,000–50,000 60%, –100,000 65%, above 70%, cap ¥300,000;
            困难 (低保, 特困, 孤儿, 低收入) 10,500–50,000 65%, –100,000 70%,
            above 75%, no cap.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest

from conftest import cited, say, D, POLICIES, ROOT, by_id, run, run_example
from conftest import steps_of as steps
from conftest import quote_in_source, squeeze
from medpolicy.values import add_months

POLICY_FILE = "policies/karamay.mpol"
POLICY_TEXT = (POLICIES / "karamay.mpol").read_text(encoding="utf-8")
POLICY_LINES = POLICY_TEXT.splitlines()
GUIDE = (ROOT / "docs" / "sources" / "karamay-student-guide-2025.md").read_text(encoding="utf-8")
PAID, EXCLUDED, WAITING, OUTSIDE = "paid", "excluded", "waiting", "outside_period"


# ---------------------------------------------------------------- helpers

def check(claim, basic_fund, critical_illness, patient, status=PAID):
    """One claim's status and its three figures, as exact Decimals."""
    assert claim.status == status, (claim.id, claim.status)
    got = (claim.basic_fund, claim.critical_illness, claim.patient)
    assert got == (D(basic_fund), D(critical_illness), D(patient)), (claim.id, got)
    # patient = total − basic fund − critical illness, exactly
    assert claim.patient == claim.total - claim.basic_fund - claim.critical_illness


def check_totals(statement, total, covered, basic_fund, critical_illness, patient):
    t = statement.totals
    assert (t.total, t.covered, t.basic_fund, t.critical_illness, t.patient) == (
        D(total), D(covered), D(basic_fund), D(critical_illness), D(patient))


def rule_text(step):
    """The policy line a step's source points to (stripped)."""
    assert step.source is not None, step
    assert step.source.file == POLICY_FILE, step.source
    return POLICY_LINES[step.source.line - 1].strip()


def policy_cites():
    """Every `cite SOURCE "section" "quote"` of karamay.mpol outside comments: (line, section, quote)."""
    found = []
    for m in re.finditer(r'cite\s+(\w+)\s+"([^"]*)"(?:\s+"([^"]*)")?', POLICY_TEXT):
        line = POLICY_TEXT.count("\n", 0, m.start()) + 1
        if not POLICY_LINES[line - 1].lstrip().startswith("#"):
            found.append((line, m.group(2), m.group(3)))
    return found


def comments_above(prefix, after=None):
    """The comment block right above the policy line starting with ``prefix`` (the only one, or
    the first after the line starting with ``after``), its lines joined by spaces."""
    start = 0 if after is None else next(i for i, line in enumerate(POLICY_LINES) if line.startswith(after))
    found = [i for i, line in enumerate(POLICY_LINES) if i >= start and line.strip().startswith(prefix)]
    index = found[0] if after is not None else found[0] if len(found) == 1 else None
    assert index is not None, (prefix, found)
    block = []
    while index > 0 and POLICY_LINES[index - 1].strip().startswith("#"):
        index -= 1
        block.insert(0, POLICY_LINES[index].strip().lstrip("#").strip())
    return " ".join(block)


def outpatient(cid, date, level="1", total="100.00", **more):
    return {"id": cid, "date": date, "care": "outpatient", "level": level, "total": total, **more}


def inpatient(cid, date, level, total, **more):
    return {"id": cid, "date": date, "care": "inpatient", "level": level, "total": total, **more}


# ================================================================ examples

def test_example_pku_case3():
    # The guide's case 3 (苯丙酮尿症, 门诊慢病). The guide's child (born 2017) has
    # been insured 8 years in a row, but the example says continuous_years 3, on
    # purpose: the guide prints 65% and "每个月大概可报销 2600 多元" (4000 × 65%),
    # which is the ratio WITHOUT the continuity bonus. With 3 years the bonus is
    # min(max(3 − 3, 0), 5) = 0 and the policy reproduces the printed figures;
    # with the guide's 8 years it would be +5 → 70% → 2800 a month (the same
    # case's own parenthesis, and case 1's "65% → 70%" after 8 years, say so).
    # The guide contradicts itself; see test_case3_as_the_document_states_it
    # and docs/worked-cases.md. 65% at levels 1, 2 and 3 alike.
    s = run_example("karamay-pku-case3.yaml")
    c = by_id(s)
    assert [x.id for x in s.claims] == ["jan", "feb", "mar"]
    check(c["jan"], "2600.00", "0.00", "1400.00")  # 4000 × 65% = 2600; burden 1400, cum 1400 < 21000
    check(c["feb"], "2600.00", "0.00", "1400.00")  # 4000 × 65% = 2600; cum 2800 < 21000
    check(c["mar"], "2600.00", "0.00", "1400.00")  # 4000 × 65% = 2600; cum 4200 < 21000
    assert {x.benefit for x in s.claims} == {"chronic_outpatient"}
    check_totals(s, "12000.00", "12000.00", "7800.00", "0.00", "4200.00")  # 3 × 2600 = 7800
    assert s.premium.personal == D("400.00")  # on time, no assistance: ¥400


def test_case3_as_the_document_states_it():
    # 案例三: "平均每个月 4000 多元门诊大病费用，医保报销 65%(连续缴费 3 年以上，第 4 年每多交
    # 1 年提高一个百分点，最高封顶 5 个百分点)，每个月大概可报销 2600 多元，8 年门诊大病医保基金
    # 支付 25 万元". The printed 65% / 2600 is the base ratio with no bonus, i.e. at most
    # 3 years in a row; the child of the case has 8 (2017–2024), for which the
    # parenthesis itself (and case 1: 8 years, "从 65% 提高到 70%") gives 65 + 5 = 70%.
    # A whole year of it: 12 × (4000 × 65% = 2600) = 31,200; the burden
    # 12 × 1400 = 16,800 stays under the ¥21,000 critical-illness threshold.
    months = [{"id": f"m{m:02d}", "date": f"2026-{m:02d}-15", "care": "outpatient", "level": "1",
               "condition": "pku", "total": "4000.00"} for m in range(1, 13)]
    s = run("karamay", {"id": "pku", "continuous_years": 3, "certified": ["pku"]}, months)
    for claim in s.claims:
        check(claim, "2600.00", "0.00", "1400.00")  # 4000 × 65% = 2600 a month
    check_totals(s, "48000.00", "48000.00", "31200.00", "0.00", "16800.00")
    # One more year insured (4 years in a row) adds one point: 4000 × 66% = 2640 ("2600 多元").
    s4 = run("karamay", {"id": "pku", "continuous_years": 4, "certified": ["pku"]}, months[:1])
    check(s4.claims[0], "2640.00", "0.00", "1360.00")
    # The guide's 8 years: bonus min(max(8 − 3, 0), 5) = 5 → 65 + 5 = 70%:
    # 4000 × 70% = 2800 a month ("2800 多元", not the printed "2600 多元"); patient 1200.
    s8 = run("karamay", {"id": "pku", "continuous_years": 8, "certified": ["pku"]}, months[:1])
    check(s8.claims[0], "2800.00", "0.00", "1200.00")
    # A year at 70%: 12 × 2800 = 33,600; burden 12 × 1200 = 14,400 < 21,000: no CI.
    s8y = run("karamay", {"id": "pku", "continuous_years": 8, "certified": ["pku"]}, months)
    check_totals(s8y, "48000.00", "48000.00", "33600.00", "0.00", "14400.00")
    # "8 年 … 25 万元": 8 × 12 × 2600 = 249,600 ≈ 25 万 at a flat 65%; with the bonus
    # rising year by year (65, 65, 65, 66, 67, 68, 69, 70%) 8 × 12 months × 4000 at the
    # average 66.875% = 256,800, also "25 万" and some: the total decides nothing.


def test_example_outpatient_visits():
    s = run_example("karamay-outpatient-visits.yaml")
    c = by_id(s)
    # processed by date, then file order (v2, v3, v3b share 2026-02-10)
    assert [x.id for x in s.claims] == ["l3-clinic", "v1-reg", "v1-lab", "v1-drugs", "v2", "v3", "v3b",
                                        "v4-capped", "er", "er2", "er-l1"]
    # L3 outpatient, not emergency, not pediatric: excluded, not a visit
    check(c["l3-clinic"], "0.00", "0.00", "200.00", EXCLUDED)
    # visit 1 (the excluded claim did not count): covered 60 + 60 + 60 = 180;
    # (180 − 10) × 70% = 119 → per-visit cap ¥100; split by covered amount:
    check(c["v1-reg"], "33.33", "0.00", "26.67")    # 100 × 60/180 = 33.333… → 33.33; 60 − 33.33
    check(c["v1-lab"], "33.33", "0.00", "26.67")    # 100 × 60/180 = 33.333… → 33.33
    check(c["v1-drugs"], "33.34", "0.00", "36.66")  # remainder 100 − 33.33 − 33.33 = 33.34; 70 − 33.34
    # visit 2 (L2): (150 − 20 × 50%) × 60% = 140 × 60% = 84; under ¥200        year: 184
    check(c["v2"], "84.00", "0.00", "66.00")
    # visit 3 (no institution): (30 − 10 × 50%) × 70% = 25 × 70% = 17.50        year: 201.50
    check(c["v3"], "17.50", "0.00", "12.50")
    # visit 4 (no institution, so not grouped with v3): (20 − 5) × 70% = 10.50   year: 212
    check(c["v3b"], "10.50", "0.00", "9.50")
    # visit 5 (L2): (500 − 10) × 60% = 294 → per-visit cap ¥200                 year: 412
    check(c["v4-capped"], "200.00", "0.00", "300.00")
    # visit 6 (L3 emergency): ¥20 annual ded, first: (300 − 20) × 70% = 196, no per-visit cap; year: 608
    check(c["er"], "196.00", "0.00", "104.00")
    # visit 7 (L3 emergency): ¥20 already charged: 50 × 70% = 35                 year: 643
    check(c["er2"], "35.00", "0.00", "15.00")
    # visit 8 (L1 emergency): (12.15 − 5) × 70% = 5.005 → half-up 5.01          year: 648.01
    check(c["er-l1"], "5.01", "0.00", "7.14")
    # total 200 + 60 + 60 + 70 + 150 + 30 + 20 + 500 + 300 + 50 + 12.15 = 1452.15; covered 10 less
    check_totals(s, "1452.15", "1442.15", "648.01", "0.00", "804.14")
    assert s.premium.personal == D("400.00")  # paid 2025-11-15, in the collection period

    # the halving shows in the deductible steps: ¥10 on visit 1, ¥10 (= 20 × 50%) on visit 2, ¥5 on visit 3
    assert steps(c["v1-reg"], "deductible")[0].amount == D("10.00")
    assert steps(c["v2"], "deductible")[0].amount == D("10.00")
    assert steps(c["v3"], "deductible")[0].amount == D("5.00")
    assert steps(c["er"], "deductible")[0].amount == D("20.00")
    assert steps(c["er2"], "deductible")[0].amount == D("0.00")


def test_example_outpatient_year_cap():
    s = run_example("karamay-outpatient-year-cap.yaml")
    c = by_id(s)
    # visit 1 (L1): (200 − 10) × 70% = 133 → per-visit cap ¥100                 year: 100
    check(c["l1"], "100.00", "0.00", "100.00")
    # visit 2 (L3 pediatric): ¥20 once a year, NOT halved: (400 − 20) × 70% = 266   year: 366
    check(c["ped1"], "266.00", "0.00", "134.00")
    # visit 3 (L3 pediatric): 500 × 70% = 350                                   year: 716
    check(c["ped2"], "350.00", "0.00", "150.00")
    # visit 4 (L3 emergency): 300 × 70% = 210 → ¥900 − 716 = 184 left          year: 900
    check(c["er"], "184.00", "0.00", "116.00")
    # visit 5 (L2): (100 − 10) × 60% = 54 → nothing left of the ¥900
    check(c["l2"], "0.00", "0.00", "100.00")
    check_totals(s, "1500.00", "1500.00", "900.00", "0.00", "600.00")
    assert steps(c["ped1"], "deductible")[0].amount == D("20.00")
    # orphan: basic ¥0 + long-term care ¥0
    assert s.premium.personal == D("0.00")
    assert [st.amount for st in s.premium.events] == [D("0"), D("0")]


def test_example_two_diseases():
    s = run_example("karamay-two-diseases.yaml")
    c = by_id(s)
    check(c["htn1"], "300.00", "0.00", "300.00")   # 600 × 50% = 300; 高血压 year 300
    check(c["dm1"], "750.00", "0.00", "750.00")    # 1500 × 50% = 750; 糖尿病 year 750
    check(c["htn2"], "300.00", "0.00", "300.00")   # 600 × 50% = 300; 高血压 year 600
    check(c["htn3"], "100.00", "0.00", "500.00")   # 600 × 50% = 300 → ¥700 − 600 = 100 left
    check(c["dm2"], "250.00", "0.00", "750.00")    # 1000 × 50% = 500 → ¥1000 − 750 = 250 left
    check(c["htn4"], "0.00", "0.00", "100.00")     # 100 × 50% = 50 → nothing left of ¥700
    # emergency: general outpatient, the year's 1st visit: (100 − 10) × 70% = 63
    check(c["htn-er"], "63.00", "0.00", "37.00")
    # level 2: general outpatient, 2nd visit: (100 − 20 × 50%) × 60% = 54
    check(c["htn-l2"], "54.00", "0.00", "46.00")
    for cid in ("htn1", "dm1", "htn2", "htn3", "dm2", "htn4"):
        assert c[cid].benefit == "two_diseases"
    assert c["htn-er"].benefit == c["htn-l2"].benefit == "general_outpatient"
    # 300 + 750 + 300 + 100 + 250 + 0 + 63 + 54 = 1817
    check_totals(s, "4600.00", "4600.00", "1817.00", "0.00", "2783.00")
    assert s.premium.personal == D("100.00")  # 重度残疾人个人缴纳 100 元 (paid late, still ¥100)


def test_example_inpatient_levels():
    s = run_example("karamay-inpatient-levels.yaml")
    c = by_id(s)
    # bonus min(max(6 − 3, 0), 5) = 3 points: L1 88%, L2 78%, L3 68%
    check(c["adm-l2"], "7644.00", "0.00", "2356.00")   # (10000 − 200) × 78% = 7644; cum 2356
    check(c["adm-l1"], "4400.00", "0.00", "600.00")    # lower level: no ded; 5000 × 88% = 4400; cum 2956
    # higher level: ded 600 − 200 = 400; (20000 − 400) × 68% = 13328; patient 21500 − 13328; burden 6672
    check(c["adm-l3"], "13328.00", "0.00", "8172.00")
    check(c["adm-l3b"], "2040.00", "0.00", "960.00")   # same level: no ded; 3000 × 68% = 2040
    check(c["adm-l2b"], "2340.00", "0.00", "660.00")   # lower level: no ded; 3000 × 78% = 2340
    # cum burden 2356 + 600 + 6672 + 960 + 660 = 11248 < 21000: no critical illness
    # basic 7644 + 4400 + 13328 + 2040 + 2340 = 29752; patient 42500 − 29752 = 12748
    check_totals(s, "42500.00", "41000.00", "29752.00", "0.00", "12748.00")
    assert [st.amount for st in steps(c["adm-l2"], "deductible")] == [D("200.00")]
    assert [st.amount for st in steps(c["adm-l1"], "deductible")] == [D("0.00")]
    assert [st.amount for st in steps(c["adm-l3"], "deductible")] == [D("400.00")]
    assert [st.amount for st in steps(c["adm-l3b"], "deductible")] == [D("0.00")]
    assert s.premium.personal == D("400.00")


def test_example_critical_illness():
    s = run_example("karamay-critical-illness.yaml")
    c = by_id(s)
    # bonus min(max(12 − 3, 0), 5) = 5 (the ceiling): chronic 65 + 5 = 70%, L3 inpatient 65 + 5 = 70%
    # chronic: 20000 × 70% = 14000; shared limit used 14000; burden 6000, cum 6000 < 21000
    check(c["chemo1"], "14000.00", "0.00", "6000.00")
    # (100000 − 600) × 70% = 69580; used 83580; burden 30420, cum 36420;
    # CI (36420 − 21000) × 60% = 9252; patient 100000 − 69580 − 9252
    check(c["adm1"], "69580.00", "9252.00", "21168.00")
    # 100000 × 70% = 70000; used 153580; burden 30000, cum 66420;
    # CI (50000 − 36420) × 60% + (66420 − 50000) × 65% = 8148 + 10673 = 18821
    check(c["adm2"], "70000.00", "18821.00", "11179.00")
    # 100000 × 70% = 70000 → ¥160000 − 153580 = 6420 left; burden 93580, cum 160000;
    # CI (100000 − 66420) × 65% + (160000 − 100000) × 70% = 21827 + 42000 = 63827; CI year 91900
    check(c["adm3"], "6420.00", "63827.00", "29753.00")
    # chronic, limit exhausted: 5000 × 70% = 3500 → 0 left; burden 5000, cum 165000;
    # CI 5000 × 70% = 3500; CI year 95400
    check(c["chemo2"], "0.00", "3500.00", "1500.00")
    # 300000 × 70% = 210000 → 0 left; burden 300000, cum 465000; CI 300000 × 70% = 210000
    # → ¥300000 − 95400 = 204600 left of the CI cap
    check(c["bmt"], "0.00", "204600.00", "95400.00")
    # L1 after L3: no ded; 1000 × (85 + 5)% = 900 → 0 left; CI 1000 × 70% = 700 → 0 left
    check(c["adm4"], "0.00", "0.00", "1000.00")
    # basic 14000 + 69580 + 70000 + 6420 = 160000; CI 9252 + 18821 + 63827 + 3500 + 204600 = 300000
    check_totals(s, "626000.00", "626000.00", "160000.00", "300000.00", "166000.00")
    assert c["chemo1"].benefit == c["chemo2"].benefit == "chronic_outpatient"
    # the CI cap step says so
    cap = [st for st in steps(c["bmt"], "payer_cap") if st.data["cap"] == D("300000")]
    assert cap and cap[0].amount == D("204600.00")


def test_example_needy_critical_illness():
    s = run_example("karamay-needy-critical-illness.yaml")
    c = by_id(s)
    # dibao: never waits, though paid on 2026-02-25 after a 2-year gap
    # (without assistance: 3 + 2 = 5 months → 2026-07-25)
    # (40000 − 200) × 75% = 29850; burden 10150, cum 10150 < 10500
    check(c["adm1"], "29850.00", "0.00", "10150.00")
    # ded 600 − 200 = 400; (150000 − 400) × 65% = 97240; used 127090; burden 52760, cum 62910;
    # CI (50000 − 10500) × 65% + (62910 − 50000) × 70% = 25675 + 9037 = 34712
    check(c["adm2"], "97240.00", "34712.00", "18048.00")
    # 200000 × 65% = 130000 → ¥160000 − 127090 = 32910 left; burden 167090, cum 230000;
    # CI (100000 − 62910) × 70% + (230000 − 100000) × 75% = 25963 + 97500 = 123463
    check(c["adm3"], "32910.00", "123463.00", "43627.00")
    # limit exhausted: 0; burden 500000, cum 730000; CI 500000 × 75% = 375000 — no cap for 困难人员
    check(c["adm4"], "0.00", "375000.00", "125000.00")
    # CI year 34712 + 123463 + 375000 = 533175 > 300000
    check_totals(s, "890000.00", "890000.00", "160000.00", "533175.00", "196825.00")
    assert s.premium.personal == D("153.00")  # 低保 ¥100 + long-term care ¥53


def test_example_late_payer():
    s = run_example("karamay-late-payer.yaml")
    c = by_id(s)
    # waiting: 3 + max(3 − 1, 0) = 5 months from max(2026-02-20, 2026-01-01) → 2026-07-20
    check(c["dec-2025"], "0.00", "0.00", "100.00", OUTSIDE)
    check(c["mar-adm"], "0.00", "0.00", "8000.00", WAITING)
    check(c["jul19"], "0.00", "0.00", "50.00", WAITING)       # the day before benefits start
    check(c["jul20"], "28.00", "0.00", "22.00")               # visit 1: (50 − 10) × 70% = 28
    check(c["aug"], "31.50", "0.00", "18.50")                 # visit 2: (50 − 5) × 70% = 31.50
    check(c["jan-2027"], "0.00", "0.00", "3000.00", OUTSIDE)
    # outside-period and waiting claims count in the totals: 100 + 8000 + 50 + 50 + 50 + 3000
    check_totals(s, "11250.00", "11250.00", "59.50", "0.00", "11190.50")
    assert s.premium.personal == D("1253.00")  # paid after 2026-01-10: ¥1200 + long-term care ¥53
    coverage = [n for n in s.notes if n.kind == "coverage"]
    assert coverage and coverage[0].data["start"] == dt.date(2026, 7, 20) and "2026-07-20" in say(coverage[0])


def test_example_offsite():
    s = run_example("karamay-offsite.yaml")
    c = by_id(s)
    # L2 emergency, temporary: visit 1, (300 − 20) × (60 − 20)% = 280 × 40% = 112; under ¥200
    check(c["home-er"], "112.00", "0.00", "188.00")
    # L2 outpatient, long-term filing: ratio unchanged; visit 2, (300 − 10) × 60% = 174
    check(c["lt-visit"], "174.00", "0.00", "126.00")
    # L2 inpatient, temporary: (75 + 1 − 20)% = 56%; (10000 − 200) × 56% = 5488; burden 4512
    check(c["tmp-adm"], "5488.00", "0.00", "4512.00")
    # L3 inpatient, referral: ratio unchanged 65 + 1 = 66%; ded 600 − 200 = 400;
    # (20000 − 400) × 66% = 12936; burden 7064, cum 11576 < 21000
    check(c["ref-adm"], "12936.00", "0.00", "7064.00")
    # 两病, in-province temporary: (50 − 20)% = 30%; 200 × 30% = 60
    check(c["tmp-htn"], "60.00", "0.00", "140.00")
    # local care with a temporary filing: no cut; visit 3, (100 − 5) × 70% = 66.50
    check(c["local-temp"], "66.50", "0.00", "33.50")
    # 112 + 174 + 5488 + 12936 + 60 + 66.50 = 18836.50
    check_totals(s, "30900.00", "30900.00", "18836.50", "0.00", "12063.50")
    assert s.premium.personal == D("400.00")
    assert [st.data["points"].points for st in steps(c["tmp-adm"], "adjustment")][-1:] == [D(-20)]
    assert not steps(c["lt-visit"], "adjustment")
    assert not [st for st in steps(c["ref-adm"], "adjustment") if st.data["points"].points < 0]
    assert not steps(c["local-temp"], "adjustment")


# ================================================================ general outpatient edge cases

def test_level3_deductible_charged_in_full_on_a_cheap_first_visit():
    # the ¥20 level-3 deductible is used up by a ¥5 first visit; the next visit pays from the first yuan
    s = run("karamay", {"id": "p"}, [
        {"id": "er5", "date": "2026-01-10", "care": "emergency", "level": "3", "total": "5.00"},
        {"id": "er100", "date": "2026-01-20", "care": "emergency", "level": "3", "total": "100.00"},
    ])
    c = by_id(s)
    check(c["er5"], "0.00", "0.00", "5.00")     # 5 − 5 (all deductible) = 0 × 70% = 0
    check(c["er100"], "70.00", "0.00", "30.00")  # no deductible left: 100 × 70% = 70
    assert steps(c["er5"], "deductible")[0].amount == D("5.00")
    assert steps(c["er100"], "deductible")[0].amount == D("0.00")


def test_level3_emergency_counts_as_a_visit_for_the_halving():
    s = run("karamay", {"id": "p"}, [
        {"id": "er", "date": "2026-01-10", "care": "emergency", "level": "3", "total": "100.00"},
        outpatient("l1", "2026-01-20", "1"),
        outpatient("l2", "2026-01-21", "2"),
    ])
    c = by_id(s)
    check(c["er"], "56.00", "0.00", "44.00")   # visit 1: (100 − 20) × 70% = 56
    check(c["l1"], "66.50", "0.00", "33.50")   # visit 2: (100 − 10 × 50%) × 70% = 66.50
    check(c["l2"], "54.00", "0.00", "46.00")   # visit 3: (100 − 20 × 50%) × 60% = 54


def test_level3_deductible_never_halved():
    s = run("karamay", {"id": "p"}, [
        outpatient("l1", "2026-01-05", "1"),
        outpatient("ped", "2026-01-06", "3", pediatric=True),
    ])
    c = by_id(s)
    check(c["l1"], "63.00", "0.00", "37.00")    # visit 1: (100 − 10) × 70% = 63
    check(c["ped"], "56.00", "0.00", "44.00")   # visit 2, L3: (100 − 20) × 70% = 56 (not 100 − 10)


def test_excluded_level3_claim_does_not_advance_the_halving_counter():
    s = run("karamay", {"id": "p"}, [
        outpatient("x", "2026-01-05", "3", institution="市中心医院"),
        outpatient("a", "2026-01-06", "1"),
        outpatient("b", "2026-01-07", "1"),
    ])
    c = by_id(s)
    check(c["x"], "0.00", "0.00", "100.00", EXCLUDED)
    check(c["a"], "63.00", "0.00", "37.00")     # still visit 1: (100 − 10) × 70% = 63
    check(c["b"], "66.50", "0.00", "33.50")     # visit 2: (100 − 5) × 70% = 66.50
    assert [st.data["count"] for st in steps(c["a"], "visit_count")] == [1]
    assert "visit 1 of the year" in say(steps(c["a"], "visit_count")[0])


def test_level3_pediatric_and_emergency_same_day_same_institution_are_one_visit():
    s = run("karamay", {"id": "p"}, [
        outpatient("ped", "2026-02-01", "3", institution="市中心医院", pediatric=True),
        {"id": "er", "date": "2026-02-01", "care": "emergency", "level": "3", "institution": "市中心医院",
         "total": "100.00"},
    ])
    c = by_id(s)
    # one visit: (200 − 20) × 70% = 126, split 100/200 → 63 and the remainder 63
    check(c["ped"], "63.00", "0.00", "37.00")
    check(c["er"], "63.00", "0.00", "37.00")


def test_visit_grouping_needs_same_day_and_same_institution():
    s = run("karamay", {"id": "p"}, [
        outpatient("a", "2026-02-01", "1", institution="A"),
        outpatient("b", "2026-02-01", "1", institution="B"),
        outpatient("c", "2026-02-02", "1", institution="A"),
    ])
    c = by_id(s)
    check(c["a"], "63.00", "0.00", "37.00")    # visit 1: (100 − 10) × 70% = 63
    check(c["b"], "66.50", "0.00", "33.50")    # visit 2 (other institution): (100 − 5) × 70%
    check(c["c"], "66.50", "0.00", "33.50")    # visit 3 (other day): (100 − 5) × 70%


def test_visit_split_rounds_half_up_and_the_last_claim_takes_the_remainder():
    s = run("karamay", {"id": "p"}, [
        outpatient("a", "2026-02-01", "1", "15.15", institution="A"),
        outpatient("b", "2026-02-01", "1", "15.15", institution="A"),
    ])
    c = by_id(s)
    # one visit: (30.30 − 10) × 70% = 14.21; a: 14.21 × 15.15/30.30 = 7.105 → half-up 7.11
    check(c["a"], "7.11", "0.00", "8.04")
    check(c["b"], "7.10", "0.00", "8.05")      # remainder 14.21 − 7.11 = 7.10


def test_claims_are_processed_by_date_then_file_order():
    s = run("karamay", {"id": "p"}, [
        outpatient("late", "2026-03-01", "1"),
        outpatient("early", "2026-02-01", "1"),
        outpatient("early2", "2026-02-01", "2"),
    ])
    assert [x.id for x in s.claims] == ["early", "early2", "late"]
    c = by_id(s)
    check(c["early"], "63.00", "0.00", "37.00")   # visit 1: (100 − 10) × 70%
    check(c["early2"], "54.00", "0.00", "46.00")  # visit 2: (100 − 10) × 60%
    check(c["late"], "66.50", "0.00", "33.50")    # visit 3: (100 − 5) × 70%


def test_level3_outpatient_for_a_certified_chronic_condition_is_chronic_care():
    # the exclusion of level-3 outpatient care is for general outpatient care only
    s = run("karamay", {"id": "p", "certified": ["hypertension"]}, [
        outpatient("htn", "2026-02-01", "3", "1000.00", condition="hypertension"),
    ])
    check(s.claims[0], "650.00", "0.00", "350.00")  # 1000 × 65% = 650
    assert s.claims[0].benefit == "chronic_outpatient"


# ================================================================ 两病 and chronic outpatient

def test_certified_condition_is_chronic_outpatient_not_two_diseases():
    s = run("karamay", {"id": "p", "certified": ["diabetes"]}, [
        outpatient("dm", "2026-02-01", "1", "1000.00", condition="diabetes"),
        outpatient("htn", "2026-02-02", "1", "1000.00", condition="hypertension"),
    ])
    c = by_id(s)
    check(c["dm"], "650.00", "0.00", "350.00")    # certified: 门诊慢病 1000 × 65% = 650
    check(c["htn"], "500.00", "0.00", "500.00")   # not certified: 两病 1000 × 50% = 500
    assert c["dm"].benefit == "chronic_outpatient" and c["htn"].benefit == "two_diseases"


def test_chronic_outpatient_emergency_and_bonus_and_offsite():
    s = run("karamay", {"id": "p", "continuous_years": 5, "certified": ["hypertension"]}, [
        {"id": "er", "date": "2026-02-01", "care": "emergency", "level": "2", "condition": "hypertension",
         "total": "1000.00"},
        outpatient("away", "2026-03-01", "2", "1000.00", condition="hypertension",
                   location="out_of_province", filing="temporary"),
    ])
    c = by_id(s)
    check(c["er"], "670.00", "0.00", "330.00")    # (65 + min(5 − 3, 5))% = 67%; 1000 × 67% = 670
    check(c["away"], "470.00", "0.00", "530.00")  # (65 + 2 − 20)% = 47%; 1000 × 47% = 470


def test_two_diseases_is_level1_outpatient_only():
    s = run("karamay", {"id": "p"}, [
        outpatient("dm-l2", "2026-02-01", "2", "100.00", condition="diabetes"),
    ])
    check(s.claims[0], "48.00", "0.00", "52.00")  # general outpatient visit 1: (100 − 20) × 60% = 48
    assert s.claims[0].benefit == "general_outpatient"


# ================================================================ continuity bonus

@pytest.mark.parametrize("years, fund", [
    (1, "850.00"),    # bonus 0: (1100 − 100) × 85% = 850
    (3, "850.00"),    # min(max(3 − 3, 0), 5) = 0
    (4, "860.00"),    # +1: 1000 × 86%
    (7, "890.00"),    # +4: 1000 × 89%
    (8, "900.00"),    # +5: 1000 × 90%
    (9, "900.00"),    # min(6, 5) = 5: ceiling
    (30, "900.00"),   # min(27, 5) = 5: ceiling
])
def test_continuity_bonus_on_inpatient(years, fund):
    s = run("karamay", {"id": "p", "continuous_years": years}, [inpatient("a", "2026-02-01", "1", "1100.00")])
    check(s.claims[0], fund, "0.00", str(D("1100.00") - D(fund)))


def test_continuity_bonus_not_on_general_outpatient():
    s = run("karamay", {"id": "p", "continuous_years": 10}, [outpatient("a", "2026-02-01", "1")])
    check(s.claims[0], "63.00", "0.00", "37.00")  # (100 − 10) × 70%, no bonus


# ================================================================ critical illness

@pytest.mark.parametrize("assistance, ci", [
    # L3 inpatient 30600: (30600 − 600) × 65% = 19500; burden 11100
    ("none", "0.00"),                 # 11100 < 21000
    ("severe_disability", "0.00"),    # not 困难人员: general table
    ("low_income", "390.00"),         # (11100 − 10500) × 65% = 390
    ("dibao", "390.00"),
    ("tekun", "390.00"),
    ("orphan", "390.00"),
])
def test_needy_threshold(assistance, ci):
    s = run("karamay", {"id": "p", "assistance": assistance}, [inpatient("a", "2026-02-01", "3", "30600.00")])
    check(s.claims[0], "19500.00", ci, str(D("11100.00") - D(ci)))


def test_general_outpatient_and_two_diseases_are_not_critical_illness_care():
    s = run("karamay", {"id": "p"}, [
        inpatient("big", "2026-02-01", "3", "80600.00"),        # (80600 − 600) × 65% = 52000; burden 28600
        outpatient("go", "2026-02-10", "1", "5000.00"),          # general outpatient: capped ¥100, no CI
        outpatient("htn", "2026-02-11", "1", "1000.00", condition="hypertension"),  # 两病: 500, no CI
    ])
    c = by_id(s)
    check(c["big"], "52000.00", "4560.00", "24040.00")  # CI (28600 − 21000) × 60% = 4560
    check(c["go"], "100.00", "0.00", "4900.00")         # (5000 − 10) × 70% = 3493 → ¥100 per visit
    check(c["htn"], "500.00", "0.00", "500.00")         # 1000 × 50%


# ================================================================ waiting period

def paid_claim(cid, date):
    return outpatient(cid, date, "2", "120.00")


def _start_is(person, before, on):
    """A claim the day before benefits start waits; a claim on that day is paid."""
    s = run("karamay", person, [paid_claim("before", before), paid_claim("on", on)])
    c = by_id(s)
    check(c["before"], "0.00", "0.00", "120.00", WAITING)
    check(c["on"], "60.00", "0.00", "60.00")  # visit 1 (waiting claims are no visits): (120 − 20) × 60% = 60
    return s


def test_on_time_payer_without_gap_does_not_wait():
    # paid in 2025, in the collection period, no gap: no waiting period, benefits from 2026-01-01
    s = run("karamay", {"id": "p", "enrolled_on": "2025-12-01"}, [paid_claim("a", "2026-01-01")])
    check(s.claims[0], "60.00", "0.00", "60.00")
    assert s.premium.personal == D("400.00")


def test_on_time_payer_in_january_is_covered_from_the_year_start():
    # paid 2026-01-10, the collection period's last day, no gap: no waiting period, so
    # benefits run from the policy-year start 2026-01-01 (the reading), and a
    # claim dated before the payment is paid: visit 1: (120 − 20) × 60% = 60.00
    s = run("karamay", {"id": "p", "enrolled_on": "2026-01-10"}, [paid_claim("a", "2026-01-02")])
    check(s.claims[0], "60.00", "0.00", "60.00")
    assert s.premium.personal == D("400.00")


def test_late_payer_waits_three_months():
    # paid 2026-01-11, one day after the collection period: 3 months → 2026-04-11
    s = _start_is({"id": "p", "enrolled_on": "2026-01-11"}, "2026-04-10", "2026-04-11")
    assert s.premium.personal == D("1200.00")


def test_on_time_payer_with_a_gap_waits():
    # paid on time (no date given) but 1 year uninsured: 3 + 1 = 4 months from 2026-01-01 → 2026-05-01
    _start_is({"id": "p", "gap_years": 1}, "2026-04-30", "2026-05-01")


def test_back_payment_shortens_only_the_variable_part():
    # gap 2, back-paid 1: 3 + (2 − 1) = 4 months from 2026-02-15 → 2026-06-15
    _start_is({"id": "p", "enrolled_on": "2026-02-15", "gap_years": 2, "back_paid_years": 1},
              "2026-06-14", "2026-06-15")
    # gap 1, back-paid 3: 3 + max(1 − 3, 0) = 3 months from 2026-03-15 → 2026-06-15
    _start_is({"id": "p", "enrolled_on": "2026-03-15", "gap_years": 1, "back_paid_years": 3},
              "2026-06-14", "2026-06-15")


def test_four_gap_years_wait_at_least_six_months():
    # gap 4, back-paid 3: 3 + 1 = 4 months, raised to the 6-month minimum: 2026-02-01 → 2026-08-01
    _start_is({"id": "p", "enrolled_on": "2026-02-01", "gap_years": 4, "back_paid_years": 3},
              "2026-07-31", "2026-08-01")
    # gap 5: 3 + 5 = 8 months ≥ 6: 2026-02-01 → 2026-10-01
    _start_is({"id": "p", "enrolled_on": "2026-02-01", "gap_years": 5}, "2026-09-30", "2026-10-01")


def test_waiting_period_month_end():
    # 2026-01-31 + (3 + 1) months = 2026-05-31 (May has 31 days)
    _start_is({"id": "p", "enrolled_on": "2026-01-31", "gap_years": 1}, "2026-05-30", "2026-05-31")
    # 2026-01-31 + 3 months = "2026-04-31" → clamps to 2026-04-30
    _start_is({"id": "p", "enrolled_on": "2026-01-31"}, "2026-04-29", "2026-04-30")
    # 2026-05-31 + 4 months = "2026-09-31" → 2026-09-30
    _start_is({"id": "p", "enrolled_on": "2026-05-31", "gap_years": 1}, "2026-09-29", "2026-09-30")


def test_waiting_period_past_the_year_end():
    # 2026-11-30 + 3 months = "2027-02-30" → 2027-02-28: nothing of 2026 is paid
    s = run("karamay", {"id": "p", "enrolled_on": "2026-11-30"}, [paid_claim("dec", "2026-12-31")])
    check(s.claims[0], "0.00", "0.00", "120.00", WAITING)
    assert [n.data["start"] for n in s.notes if n.kind == "coverage"] == [dt.date(2027, 2, 28)]


def test_calendar_month_clamping_helper():
    # the date arithmetic behind `date + months`: 31 Jan + 1 month = 28 Feb (2026 is no leap year)
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2028, 1, 31), 1) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)


@pytest.mark.parametrize("assistance", ["dibao", "tekun", "orphan", "severe_disability", "low_income"])
def test_assistance_recipients_never_wait(assistance):
    # paid late after a 6-year gap: without assistance max(3 + 6, 6) = 9 months
    s = run("karamay", {"id": "p", "assistance": assistance, "enrolled_on": "2026-03-01", "gap_years": 6},
            [paid_claim("a", "2026-03-02")])
    check(s.claims[0], "60.00", "0.00", "60.00")


# ================================================================ premium

@pytest.mark.parametrize("person, premium", [
    ({}, "400.00"),                                                          # 个人缴费标准 400
    ({"long_term_care": True}, "453.00"),                                    # 400 + 长护 53
    ({"enrolled_on": "2025-09-01"}, "400.00"),                               # first day of collection
    ({"enrolled_on": "2026-01-10"}, "400.00"),                               # last day of collection
    ({"enrolled_on": "2026-01-11"}, "1200.00"),                              # after it: 1200
    ({"enrolled_on": "2026-06-01", "long_term_care": True}, "1253.00"),      # 1200 + 53
    ({"assistance": "tekun", "long_term_care": True}, "0.00"),               # 特困: 0 + 0
    ({"assistance": "orphan", "enrolled_on": "2026-05-01"}, "0.00"),         # 孤儿: 0, even late
    ({"assistance": "dibao"}, "100.00"),                                     # 低保 100
    ({"assistance": "dibao", "enrolled_on": "2026-05-01", "long_term_care": True}, "153.00"),
    ({"assistance": "severe_disability", "long_term_care": True}, "153.00"),  # 重度残疾 100 + 53
    ({"assistance": "low_income", "enrolled_on": "2026-05-01"}, "400.00"),   # low income: 400, late too
    ({"assistance": "low_income", "long_term_care": True}, "453.00"),
])
def test_premium(person, premium):
    s = run("karamay", {"id": "p", **person}, [])
    assert s.premium.personal == D(premium)
    for step in s.premium.events:
        assert step.cite and step.source is not None


# ================================================================ explanations

def test_excluded_claim_says_why():
    s = run("karamay", {"id": "p"}, [outpatient("x", "2026-02-01", "3")])
    claim = s.claims[0]
    assert claim.status == EXCLUDED and claim.benefit == "level3_outpatient_excluded"
    (step,) = steps(claim, "excluded")
    assert step.data["reason"] == "三级医疗机构普通门诊限急诊、儿科门诊"
    assert step.amount == D("0")
    assert "三级医院门诊无法报销" in cited(step)
    assert step.source.file == POLICY_FILE


def test_waiting_claim_says_why():
    s = run("karamay", {"id": "p", "enrolled_on": "2026-03-01"}, [paid_claim("w", "2026-04-01")])
    claim = s.claims[0]
    assert claim.status == WAITING
    (step,) = steps(claim, "waiting")
    assert step.data["coverage_start"] == dt.date(2026, 6, 1)   # 2026-03-01 + 3 months
    assert "waiting period" in say(step) and "待遇等待期" in say(step, "zh")
    assert "等待期" in cited(step)
    assert rule_text(step).startswith("coverage starts")


def test_outside_period_claim_says_why():
    s = run("karamay", {"id": "p"}, [paid_claim("old", "2025-12-31"), paid_claim("new", "2027-01-01")])
    for claim in s.claims:
        assert claim.status == OUTSIDE
        (step,) = steps(claim, "outside_period")
        assert str(claim.date) in say(step) and "2026-01-01 .. 2026-12-31" in say(step)
    check_totals(s, "240.00", "240.00", "0.00", "0.00", "240.00")


def test_general_outpatient_steps_carry_cites_and_sources():
    s = run("karamay", {"id": "p"}, [
        outpatient("a", "2026-02-01", "1", "300.00", institution="A"),
        outpatient("b", "2026-02-01", "1", "100.00", institution="A"),
    ])
    claim = by_id(s)["a"]
    (visit,) = steps(claim, "visit")
    assert visit.data["claims"] == 2 and "same institution" in say(visit)
    assert "一天内" in cited(visit)
    (ded,) = steps(claim, "deductible")
    assert "起付线减半" in cited(ded) and rule_text(ded).startswith("deductible per visit")
    # the halving is a 备注 sentence, the amounts are the 普通门诊 row: the section names both
    assert ded.cite.section == "居民基本医疗保险待遇标准表 · 普通门诊 · 起付线；备注"
    (ratio,) = steps(claim, "ratio")
    assert "70%" in cited(ratio) and rule_text(ratio).startswith("ratio")
    (visit_cap,) = steps(claim, "visit_cap")
    (year_cap,) = steps(claim, "annual_cap")
    assert "单次支付限额" in cited(visit_cap) and rule_text(visit_cap).startswith("visit cap")
    assert "900" in cited(year_cap) and rule_text(year_cap).startswith("cap general_outpatient_year")


def test_level3_and_inpatient_steps_carry_cites_and_sources():
    s = run("karamay", {"id": "p", "continuous_years": 5}, [
        {"id": "er", "date": "2026-02-01", "care": "emergency", "level": "3", "total": "100.00"},
        inpatient("adm", "2026-03-01", "2", "1000.00", location="out_of_province", filing="temporary"),
    ])
    c = by_id(s)
    (ded,) = steps(c["er"], "deductible")
    assert "20 元( 年度 )" in cited(ded) and rule_text(ded).startswith("deductible per year ¥20")
    (ded,) = steps(c["adm"], "deductible")
    assert "补足" in cited(ded) and rule_text(ded).startswith("deductible per year by claim.level")
    assert "200 元（年度）" in ded.cite.quote and "备注" in ded.cite.section
    (ratio,) = steps(c["adm"], "ratio")
    assert "75%" in cited(ratio) and rule_text(ratio).startswith("ratio by claim.level")
    bonus, offsite = steps(c["adm"], "adjustment")
    assert "最高封顶 5 个百分点" in cited(bonus) and rule_text(bonus).startswith("adjustment continuity_bonus")
    assert "降低 20%" in cited(offsite) and rule_text(offsite).startswith("adjustment offsite_temporary")
    (cap,) = steps(c["adm"], "annual_cap")
    # an inpatient claim prints the 普通住院 row (its 年度限额 cell is blank), not the chronic row
    assert cap.cite.section.startswith("居民基本医疗保险待遇标准表 · 普通住院 · 年度限额")
    assert cap.cite.quote.startswith("普通住院") and "门诊慢病" not in cap.cite.quote
    assert rule_text(cap).startswith("cap chronic_and_inpatient_year")


def test_two_diseases_and_critical_illness_steps_carry_cites_and_sources():
    s = run("karamay", {"id": "p", "assistance": "dibao"}, [
        outpatient("htn", "2026-02-01", "1", "100.00", condition="hypertension"),
        inpatient("adm", "2026-03-01", "3", "60600.00"),
    ])
    c = by_id(s)
    (cap,) = steps(c["htn"], "annual_cap")
    assert cap.cite.section.endswith("居民“两病”保障 · 年度限额")
    assert "高血压 0 0 50% 700 元" in cited(cap) and rule_text(cap).startswith("annual cap by claim.condition")
    # (60600 − 600) × 65% = 39000; burden 21600; needy CI (21600 − 10500) × 65% = 7215
    check(c["adm"], "39000.00", "7215.00", "14385.00")
    (band,) = steps(c["adm"], "band")
    assert "10500 元至 50000 元 65%" in cited(band) and rule_text(band).startswith("band ¥10500 .. ¥50000")


def test_no_deductible_step_carries_its_cite():
    # karamay.mpol writes `no deductible cite guide "…居民门诊慢病 · 起付线" "苯丙酮尿症 15 种疾病 0"`
    # for chronic outpatient care (the row's 起付线 cell, right after the list, is 0); the
    # explanation should quote it and point at that line.
    s = run("karamay", {"id": "p", "certified": ["pku"]}, [outpatient("pku", "2026-02-01", "1", condition="pku")])
    (ded,) = steps(s.claims[0], "no_deductible")
    assert ded.amount == D("0")
    assert ded.cite is not None and ded.cite.section.endswith("居民门诊慢病 · 起付线")
    assert ded.cite.quote == "苯丙酮尿症 15 种疾病 0"
    assert rule_text(ded).startswith("no deductible")


# ================================================================ fidelity to the guide
#
# Each test below checks one point of the "Fidelity" issue: a quote that is the
# guide's words and supports the step it is printed beside, and every reading
# that moves money marked READING (its alternative one line away, and listed in
# docs/readings.md).

def test_every_quote_is_the_guides_words():
    # Whitespace removed from both, each quote is a piece of the guide; "……" joins
    # several pieces, found in that order.
    cites = policy_cites()
    assert len(cites) >= 50
    for line, section, quote in cites:
        assert quote, (line, section)
        assert quote_in_source(quote, "karamay-student-guide-2025.md"), (line, section, quote)


def test_a_quote_from_the_benefit_tables_remark_names_the_remark():
    # The section of a cite names where its quote is: 备注 exactly when a piece comes from it.
    remark = squeeze(next(line for line in GUIDE.splitlines() if line.startswith("备注\t普通门诊")))
    for line, section, quote in policy_cites():
        from_remark = any(squeeze(piece) in remark for piece in quote.split("……"))
        assert from_remark == ("备注" in section), (line, section, quote)


def test_visit_grouping_cites_the_shipped_extraction_and_marks_the_reading():
    reading = comments_above("visits grouped by day and institution", after="benefit general_outpatient ")
    assert reading.startswith("READING:")
    assert "同一级" in reading and "同一家" in reading and "not expressible today" in reading
    # two level-1 claims the same day at two institutions: two visits (同一家)
    s = run("karamay", {"id": "p"}, [outpatient("a", "2026-02-01", "1", institution="A"),
                                     outpatient("b", "2026-02-01", "1", institution="B")])
    c = by_id(s)
    check(c["a"], "63.00", "0.00", "37.00")    # visit 1: (100 − 10) × 70% = 63
    check(c["b"], "66.50", "0.00", "33.50")    # visit 2: (100 − 10 × 50%) × 70% = 66.50; year 129.50
    # the 同一级 reading, by the workaround the READING gives (one institution for the level):
    s = run("karamay", {"id": "p"}, [outpatient("a", "2026-02-01", "1", institution="L1"),
                                     outpatient("b", "2026-02-01", "1", institution="L1")])
    c = by_id(s)
    # one visit: (200 − 10) × 70% = 133 → per-visit cap ¥100, split 100/200 → 50 and the remainder 50
    check(c["a"], "50.00", "0.00", "50.00")
    check(c["b"], "50.00", "0.00", "50.00")
    (visit,) = steps(c["a"], "visit")
    # the cite is the sentence as the shipped extraction prints it
    assert visit.cite.quote == "一天内在同一级医疗机构发生的门诊费用按照一次门诊就医计算"
    assert visit.cite.section == "居民基本医疗保险待遇标准表 · 备注"


def test_chronic_and_inpatient_care_share_the_limit_and_each_cites_its_own_row():
    reading = comments_above("cap chronic_and_inpatient_year")
    assert reading.startswith("READING:") and "16 万元" in reading and "no annual limit for inpatient care" in reading
    s = run("karamay", {"id": "p", "certified": ["pku"]}, [
        outpatient("pku", "2026-02-01", "1", "200000.00", condition="pku"),
        inpatient("adm", "2026-03-01", "1", "50000.00"),
    ])
    c = by_id(s)
    # chronic: 200000 × 65% = 130000 (limit used 130000); burden 70000, cum 70000;
    # CI (50000 − 21000) × 60% + (70000 − 50000) × 65% = 17400 + 13000 = 30400;
    # patient 200000 − 130000 − 30400 = 39600
    check(c["pku"], "130000.00", "30400.00", "39600.00")
    # inpatient L1: (50000 − 100) × 85% = 42415 → ¥160000 − 130000 = 30000 left;
    # burden 50000 − 30000 = 20000, cum 90000; CI 20000 × 65% = 13000; patient 50000 − 30000 − 13000 = 7000
    check(c["adm"], "30000.00", "13000.00", "7000.00")
    (chronic_cap,) = steps(c["pku"], "annual_cap")
    (inpatient_cap,) = steps(c["adm"], "annual_cap")
    assert chronic_cap.data["limit"] == inpatient_cap.data["limit"] == D("160000")
    assert chronic_cap.cite.section == "居民基本医疗保险待遇标准表 · 居民门诊慢病 · 年度限额"
    assert chronic_cap.cite.quote.endswith("16 万元")
    assert inpatient_cap.cite.section.startswith("居民基本医疗保险待遇标准表 · 普通住院 · 年度限额")
    assert inpatient_cap.cite.quote.startswith("普通住院") and "万元" not in inpatient_cap.cite.quote


def test_coverage_cites_the_guides_own_waiting_period_sentences():
    s = run("karamay", {"id": "p", "enrolled_on": "2026-03-01"}, [paid_claim("w", "2026-04-01")])
    (step,) = steps(s.claims[0], "waiting")
    assert "待遇等待期按照自治区有关规定执行" in step.cite.quote
    assert "医疗救助对象参保缴费不受集中缴费期的限制，不设待遇等待期" in step.cite.quote
    readings = comments_above("coverage starts")
    assert readings.count("READING:") == 2
    assert "国办发〔2024〕38号" in readings and "national.fixed_wait" in readings


def test_who_is_a_medical_assistance_recipient_is_a_marked_reading():
    reading = comments_above("let assistance_recipient")
    assert reading.startswith("READING:") and "person.assistance in [dibao, tekun, orphan]" in reading
    # paid 2026-01-20, after the collection period (ends 2026-01-10), no gap; claim on 2026-01-25
    late = {"id": "p", "enrolled_on": "2026-01-20"}
    # 重度残疾人 count as 医疗救助对象 (the reading taken): no wait; visit 1: (120 − 20) × 60% = 60
    s = run("karamay", {**late, "assistance": "severe_disability"}, [paid_claim("a", "2026-01-25")])
    check(s.claims[0], "60.00", "0.00", "60.00")
    # without assistance: 3 months from 2026-01-20 → 2026-04-20, the claim waits
    s = run("karamay", late, [paid_claim("a", "2026-01-25")])
    check(s.claims[0], "0.00", "0.00", "120.00", WAITING)


def test_medical_assistance_recipients_are_covered_from_the_year_start():
    reading = comments_above("coverage starts")
    assert "then max(person.enrolled_on otherwise policy.start, policy.start)" in reading
    # a 低保 student paying on 2026-03-01 is paid for a February visit (back-dated to 2026-01-01):
    # visit 1: (120 − 20) × 60% = 60
    s = run("karamay", {"id": "p", "assistance": "dibao", "enrolled_on": "2026-03-01"},
            [paid_claim("feb", "2026-02-01")])
    check(s.claims[0], "60.00", "0.00", "60.00")
    assert [n.data["start"] for n in s.notes if n.kind == "coverage"] == [dt.date(2026, 1, 1)]


def test_who_is_needy_is_a_marked_reading():
    # the figures are test_needy_threshold's: 低收入 counts (CI 390), 重度残疾人 does not (CI 0)
    reading = comments_above("let needy")
    assert reading.startswith("READING:") and "low_income" in reading and "severe_disability" in reading


def test_level3_outpatient_has_no_per_visit_cap():
    reading = comments_above("benefit general_outpatient_level3 ")
    assert "READING:" in reading and "`visit cap ¥200`" in reading
    s = run("karamay", {"id": "p"}, [outpatient("ped", "2026-02-01", "3", "1000.00", pediatric=True)])
    # (1000 − 20) × 70% = 686, more than the level-2 ¥200, and under the ¥900 of the year
    check(s.claims[0], "686.00", "0.00", "314.00")
    assert not steps(s.claims[0], "visit_cap")


def test_continuity_bonus_scope_is_a_marked_reading():
    reading = comments_above("adjustment continuity_bonus")
    assert reading.startswith("READING:") and "`applies to [inpatient]`" in reading
    # the reading taken: the bonus also raises chronic outpatient care (pku, 8 years):
    # 4000 × (65 + min(max(8 − 3, 0), 5))% = 4000 × 70% = 2800
    s = run("karamay", {"id": "p", "continuous_years": 8, "certified": ["pku"]},
            [outpatient("pku", "2026-02-01", "1", "4000.00", condition="pku")])
    check(s.claims[0], "2800.00", "0.00", "1200.00")
    (bonus,) = steps(s.claims[0], "adjustment")
    assert "从 65% 提高到 70%" in bonus.cite.quote and "最高封顶 5 个百分点" in bonus.cite.quote


@pytest.mark.parametrize("condition", ["dialysis", "sle", "lupus_nephritis", "malignant_lymphoma",
                                       "langerhans_histiocytosis", "chronic_active_ebv",
                                       "autoimmune_hemolytic_anemia"])
def test_major_outpatient_diseases_are_chronic_outpatient_care(condition):
    # in the "13 种" list only (not among the 15 门诊慢病), certified: 1000 × 65% = 650 at level 2
    s = run("karamay", {"id": "p", "certified": [condition]},
            [outpatient("x", "2026-02-01", "2", "1000.00", condition=condition)])
    check(s.claims[0], "650.00", "0.00", "350.00")
    assert s.claims[0].benefit == "chronic_outpatient"


def test_chronic_outpatient_uses_the_declared_lists():
    assert "certifiable" not in POLICY_TEXT
    assert "and (claim.condition in chronic_diseases or claim.condition in major_outpatient_diseases)" in POLICY_TEXT
    reading = comments_above("benefit chronic_outpatient ")
    assert reading.startswith("READING:") and "`and claim.condition in chronic_diseases`" in reading
    # the "13 种" list holds 15 ids, and says why: the guide's item 3 (血液病) is three conditions
    listed = re.search(r'list major_outpatient_diseases "门诊大病 13 种病种" = \[(.*?)\]', POLICY_TEXT, re.S)
    ids = [x.strip() for x in listed.group(1).split(",")]
    assert len(ids) == 15 and {"hemophilia", "leukemia", "aplastic_anemia"} <= set(ids)
    why = squeeze(comments_above("list major_outpatient_diseases"))
    assert "血液病（包括血友病、白血病、再生障碍性贫血）" in why and "13−1+3=15" in why
    # the guide's list has 13 numbered items
    (sentence,) = [line for line in GUIDE.splitlines() if line.startswith("门诊大病病种：")]
    assert re.findall(r"(\d+)\.", sentence) == [str(n) for n in range(1, 14)]


@pytest.mark.parametrize("enrolled_on, premium", [
    ("2026-01-10", "400.00"),   # the collection period's last day: ¥400
    ("2026-01-11", "1200.00"),  # after 2026-01-10, the cutoff the policy reads: ¥1200
    ("2026-06-30", "1200.00"),  # still after 2026-01-10 (¥400 under the 2026-06-30 alternative)
    ("2026-07-01", "1200.00"),  # after either date: ¥1200
])
def test_late_premium_cutoff_is_the_collection_end(enrolled_on, premium):
    reading = comments_above("when person.assistance == none")
    assert reading.startswith("READING:") and "2026-01-10" in reading and "`> 2026-06-30`" in reading
    s = run("karamay", {"id": "p", "enrolled_on": enrolled_on}, [])
    assert s.premium.personal == D(premium)
    (step,) = s.premium.events
    assert ("1200 元" in step.cite.quote) == (premium == "1200.00")


def test_every_reading_is_listed_in_docs_readings():
    # docs/readings.md lists each READING comment of karamay.mpol, by line, in its Karamay section
    lines = [n for n, line in enumerate(POLICY_LINES, 1) if line.strip().startswith("# READING:")]
    doc = (ROOT / "docs" / "readings.md").read_text(encoding="utf-8")
    karamay = doc.split("\n## Karamay", 1)[1].split("\n## ", 1)[0]
    listed = [int(m) for m in re.findall(r"^\| karamay\.mpol:(\d+)", karamay, re.M)]
    assert listed == lines


# ================================================================ the guide's worked cases 1 and 2
#
# docs/worked-cases.md: cases 1 and 2 cannot be reproduced from the stated rules.
# These are the figures that page gives, each worked out by hand.

@pytest.mark.parametrize("covered, fund, ci, patient", [
    # all compliant: (189700 − 600) × 70% = 132370; burden 57330;
    # CI (50000 − 21000) × 60% + (57330 − 50000) × 65% = 17400 + 4764.50 = 22164.50; patient 189700 − 132370 − 22164.50
    ("189700.00", "132370.00", "22164.50", "35165.50"),
    # the guide's basic fund: 112000 / 70% + 600 = 160600 compliant; burden 48600;
    # CI (48600 − 21000) × 60% = 16560 (the guide: 31900); patient 189700 − 112000 − 16560
    ("160600.00", "112000.00", "16560.00", "61140.00"),
    # the guide's CI 31900 needs burden 50000 + 14500 / 65% = 72307.69, compliant 112000 + 72307.69;
    # but (184307.69 − 600) × 70% = 128595.383 → 128595.38 (the guide: 112000); burden 55712.31;
    # CI 17400 + 5712.31 × 65% = 17400 + 3713.0015 → 21113.00; patient 189700 − 128595.38 − 21113.00
    ("184307.69", "128595.38", "21113.00", "39991.62"),
])
def test_guide_case1_is_not_reproducible(covered, fund, ci, patient):
    # 案例一: 18.97 万, 8 years (70%), basic 11.2 万 and CI 3.19 万 together: no compliant amount gives both
    s = run("karamay", {"id": "case1", "continuous_years": 8},
            [inpatient("icu", "2026-11-01", "3", "189700.00", covered=covered)])
    check(s.claims[0], fund, ci, patient)
    assert (s.claims[0].basic_fund, s.claims[0].critical_illness) != (D("112000.00"), D("31900.00"))


def test_guide_case2_is_out_of_reach_for_general_people_and_only_fits_for_the_needy():
    # 案例二: basic 29.45 万, CI 71.59 万 over several years; at most one year reaches the ¥160,000 limit.
    general = {"id": "case2", "continuous_years": 3}
    # the year at the limit: 160000 of basic fund; CI at its ¥300,000 cap
    s = run("karamay", general, [inpatient("a", "2026-06-01", "3", "2000000.00")])
    check(s.claims[0], "160000.00", "300000.00", "1540000.00")  # 2000000 − 160000 − 300000
    # the other years' 294500 − 160000 = 134500 in one year: (207523.08 − 600) × 65% = 134500.002 → 134500.00;
    # burden 73023.08; CI 17400 + 23023.08 × 65% = 17400 + 14965.002 → 32365.00; patient 207523.08 − 134500 − 32365
    s = run("karamay", general, [inpatient("b", "2026-06-01", "3", "207523.08")])
    check(s.claims[0], "134500.00", "32365.00", "40658.08")
    # 300000 + 32365 = 332365 < 715900. At 45% (65 − 20, temporary off-site filing): (299488.89 − 600) × 45%
    # = 134500.0005 → 134500.00; burden 164988.89; CI 17400 + 32500 + 64988.89 × 70% = 49900 + 45492.223 → 95392.22
    s = run("karamay", general, [inpatient("b", "2026-06-01", "3", "299488.89", location="out_of_province",
                                           filing="temporary")])
    check(s.claims[0], "134500.00", "95392.22", "69596.67")  # 299488.89 − 134500 − 95392.22; 300000 + 95392.22 < 715900
    # 困难人员 (no CI cap): a chosen split fits every figure of the case
    needy = {"id": "case2", "continuous_years": 3, "assistance": "dibao"}
    # year A: burden 1077911.79 − 160000 = 917911.79; CI 25675 + 35000 + 817911.79 × 75% = 60675 + 613433.8425
    # → 674108.84; patient 1270876.92 − 160000 − 674108.84 = 436768.08
    a = run("karamay", needy, [inpatient("a", "2026-06-01", "3", "1270876.92", covered="1077911.79")]).claims[0]
    check(a, "160000.00", "674108.84", "436768.08")
    # year B: 134500.00 as above; CI 25675 + 23023.08 × 70% = 25675 + 16116.156 → 41791.16; patient 31231.92
    b = run("karamay", needy, [inpatient("b", "2026-06-01", "3", "207523.08")]).claims[0]
    check(b, "134500.00", "41791.16", "31231.92")
    # 160000 + 134500 = 294500 (29.45 万); 674108.84 + 41791.16 = 715900 (71.59 万); 1270876.92 + 207523.08 = 1478400
    assert (a.basic_fund + b.basic_fund, a.critical_illness + b.critical_illness, a.total + b.total) == (
        D("294500.00"), D("715900.00"), D("1478400.00"))
