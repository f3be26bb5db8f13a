"""Karamay 2026 (policies/karamay.mpol): what a policy test file cannot state.

The hand-checked figures (status, benefit, amounts, deductibles, ratios,
totals, premiums, settlement guidance) are in policies/karamay.test.yaml and in
the `expect` blocks of examples/karamay-*.yaml, each with its arithmetic, run
by `medpolicy test` (docs/testing.md; tests/test_policy_tests.py runs them in
the suite). This file keeps what those files cannot state: that every quote is
the guide's words and supports its step, that every reading that moves money
is marked READING (and listed in docs/readings.md), how the explanation words
and cites each step, its notes, and the order of claims in a statement.
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


# ---------------------------------------------------------------- helpers

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


def paid_claim(cid, date):
    return outpatient(cid, date, "2", "120.00")


# ================================================================ examples
#
# The examples' figures are their `expect` blocks; here, what a block cannot say.

def test_outpatient_visits_example_lists_claims_by_date_then_file_order():
    # processed by date, then file order (v2, v3, v3b share 2026-02-10)
    s = run_example("karamay-outpatient-visits.yaml")
    assert [x.id for x in s.claims] == ["l3-clinic", "v1-reg", "v1-lab", "v1-drugs", "v2", "v3", "v3b",
                                        "v4-capped", "er", "er2", "er-l1"]


def test_orphans_premium_has_both_items_at_zero():
    # examples/karamay-outpatient-year-cap.yaml: an orphan with long-term care: basic ¥0 + long-term care ¥0
    s = run_example("karamay-outpatient-year-cap.yaml")
    assert [st.amount for st in s.premium.events] == [D("0"), D("0")]


def test_critical_illness_cap_step_names_the_cap():
    # examples/karamay-critical-illness.yaml: the transplant meets the ¥300,000 cap, and the step says so
    c = by_id(run_example("karamay-critical-illness.yaml"))
    cap = [st for st in steps(c["bmt"], "payer_cap") if st.data["cap"] == D("300000")]
    assert cap and cap[0].amount == D("204600.00")


def test_late_payer_example_notes_when_benefits_start():
    # examples/karamay-late-payer.yaml: 3 + max(3 − 1, 0) = 5 months from 2026-02-20 → 2026-07-20
    s = run_example("karamay-late-payer.yaml")
    coverage = [n for n in s.notes if n.kind == "coverage"]
    assert coverage and coverage[0].data["start"] == dt.date(2026, 7, 20) and "2026-07-20" in say(coverage[0])


# ================================================================ general outpatient edge cases

def test_excluded_level3_claim_is_not_counted_as_a_visit():
    # policies/karamay.test.yaml, case 'excluded level-3 claim does not advance the halving counter'
    s = run("karamay", {"id": "p"}, [
        outpatient("x", "2026-01-05", "3", institution="市中心医院"),
        outpatient("a", "2026-01-06", "1"),
    ])
    a = by_id(s)["a"]
    assert [st.data["count"] for st in steps(a, "visit_count")] == [1]
    assert "visit 1 of the year" in say(steps(a, "visit_count")[0])


def test_claims_are_listed_by_date_then_file_order():
    # the figures: policies/karamay.test.yaml, case 'claims are processed by date, then file order'
    s = run("karamay", {"id": "p"}, [
        outpatient("late", "2026-03-01", "1"),
        outpatient("early", "2026-02-01", "1"),
        outpatient("early2", "2026-02-01", "2"),
    ])
    assert [x.id for x in s.claims] == ["early", "early2", "late"]


# ================================================================ waiting period

def test_waiting_period_past_the_year_end_is_noted():
    # 2026-11-30 + 3 months = "2027-02-30" → 2027-02-28 (the figures: case 'a waiting period past the year end')
    s = run("karamay", {"id": "p", "enrolled_on": "2026-11-30"}, [paid_claim("dec", "2026-12-31")])
    assert [n.data["start"] for n in s.notes if n.kind == "coverage"] == [dt.date(2027, 2, 28)]


def test_calendar_month_clamping_helper():
    # the date arithmetic behind `date + months`: 31 Jan + 1 month = 28 Feb (2026 is no leap year)
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2028, 1, 31), 1) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)


# ================================================================ premium

@pytest.mark.parametrize("person", [
    {}, {"long_term_care": True}, {"enrolled_on": "2026-01-11"}, {"enrolled_on": "2026-06-01", "long_term_care": True},
    {"assistance": "tekun", "long_term_care": True}, {"assistance": "orphan", "enrolled_on": "2026-05-01"},
    {"assistance": "dibao"}, {"assistance": "severe_disability", "long_term_care": True},
    {"assistance": "low_income", "long_term_care": True},
])
def test_premium_steps_carry_cites_and_sources(person):
    # the amounts: policies/karamay.test.yaml, the cases 'premium, …'
    s = run("karamay", {"id": "p", **person}, [])
    assert s.premium.events
    for step in s.premium.events:
        assert step.cite and step.source is not None


# ================================================================ explanations

def test_excluded_claim_says_why():
    s = run("karamay", {"id": "p"}, [outpatient("x", "2026-02-01", "3")])
    (step,) = steps(s.claims[0], "excluded")
    assert step.data["reason"] == "三级医疗机构普通门诊限急诊、儿科门诊"
    assert step.amount == D("0")
    assert "三级医院门诊无法报销" in cited(step)
    assert step.source.file == POLICY_FILE


def test_waiting_claim_says_why():
    s = run("karamay", {"id": "p", "enrolled_on": "2026-03-01"}, [paid_claim("w", "2026-04-01")])
    (step,) = steps(s.claims[0], "waiting")
    assert step.data["coverage_start"] == dt.date(2026, 6, 1)   # 2026-03-01 + 3 months
    assert "waiting period" in say(step) and "待遇等待期" in say(step, "zh")
    assert "等待期" in cited(step)
    assert rule_text(step).startswith("coverage starts")


def test_outside_period_claim_says_why():
    s = run("karamay", {"id": "p"}, [paid_claim("old", "2025-12-31"), paid_claim("new", "2027-01-01")])
    for claim in s.claims:
        (step,) = steps(claim, "outside_period")
        assert str(claim.date) in say(step) and "2026-01-01 .. 2026-12-31" in say(step)


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
    # the figures: policies/karamay.test.yaml, case "a needy person's critical illness from ¥10,500"
    s = run("karamay", {"id": "p", "assistance": "dibao"}, [
        outpatient("htn", "2026-02-01", "1", "100.00", condition="hypertension"),
        inpatient("adm", "2026-03-01", "3", "60600.00"),
    ])
    c = by_id(s)
    (cap,) = steps(c["htn"], "annual_cap")
    assert cap.cite.section.endswith("居民“两病”保障 · 年度限额")
    assert "高血压 0 0 50% 700 元" in cited(cap) and rule_text(cap).startswith("annual cap by claim.condition")
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
    # the figures of both readings: policies/karamay.test.yaml, the cases '… (S5, the reading taken)'
    # and '… (S5, the alternative)'; the visit step of the alternative's one visit:
    s = run("karamay", {"id": "p"}, [outpatient("a", "2026-02-01", "1", institution="L1"),
                                     outpatient("b", "2026-02-01", "1", institution="L1")])
    (visit,) = steps(by_id(s)["a"], "visit")
    # the cite is the sentence as the shipped extraction prints it
    assert visit.cite.quote == "一天内在同一级医疗机构发生的门诊费用按照一次门诊就医计算"
    assert visit.cite.section == "居民基本医疗保险待遇标准表 · 备注"


def test_chronic_and_inpatient_care_share_the_limit_and_each_cites_its_own_row():
    reading = comments_above("cap chronic_and_inpatient_year")
    assert reading.startswith("READING:") and "16 万元" in reading and "no annual limit for inpatient care" in reading
    # the figures: policies/karamay.test.yaml, case 'chronic outpatient and inpatient care share the ¥160,000 limit'
    s = run("karamay", {"id": "p", "certified": ["pku"]}, [
        outpatient("pku", "2026-02-01", "1", "200000.00", condition="pku"),
        inpatient("adm", "2026-03-01", "1", "50000.00"),
    ])
    c = by_id(s)
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
    # the figures: policies/karamay.test.yaml, cases 'a 重度残疾人 paying late is a medical-assistance
    # recipient' and 'the same late payer without assistance waits'
    reading = comments_above("let assistance_recipient")
    assert reading.startswith("READING:") and "person.assistance in [dibao, tekun, orphan]" in reading


def test_medical_assistance_recipients_are_covered_from_the_year_start():
    reading = comments_above("coverage starts")
    assert "then max(person.enrolled_on otherwise policy.start, policy.start)" in reading
    # a 低保 student paying on 2026-03-01 is covered from 2026-01-01 (the figures: case '… from the year start (S2)')
    s = run("karamay", {"id": "p", "assistance": "dibao", "enrolled_on": "2026-03-01"},
            [paid_claim("feb", "2026-02-01")])
    assert [n.data["start"] for n in s.notes if n.kind == "coverage"] == [dt.date(2026, 1, 1)]


def test_who_is_needy_is_a_marked_reading():
    # the figures are policies/karamay.test.yaml's 'critical illness, …' cases: 低收入 counts (CI 390),
    # 重度残疾人 does not (CI 0)
    reading = comments_above("let needy")
    assert reading.startswith("READING:") and "low_income" in reading and "severe_disability" in reading


def test_level3_outpatient_has_no_per_visit_cap():
    reading = comments_above("benefit general_outpatient_level3 ")
    assert "READING:" in reading and "`visit cap ¥200`" in reading
    # (1000 − 20) × 70% = 686 (policies/karamay.test.yaml, case 'level-3 outpatient has no per-visit cap'), and no step
    s = run("karamay", {"id": "p"}, [outpatient("ped", "2026-02-01", "3", "1000.00", pediatric=True)])
    assert not steps(s.claims[0], "visit_cap")


def test_continuity_bonus_scope_is_a_marked_reading():
    reading = comments_above("adjustment continuity_bonus")
    assert reading.startswith("READING:") and "`applies to [inpatient]`" in reading
    # the reading taken: the bonus also raises chronic outpatient care (pku, 8 years: 2800, policies/karamay.test.yaml,
    # case "case 3, one month at the guide's 8 years in a row (70%; S3)"); its step cites both worked cases
    s = run("karamay", {"id": "p", "continuous_years": 8, "certified": ["pku"]},
            [outpatient("pku", "2026-02-01", "1", "4000.00", condition="pku")])
    (bonus,) = steps(s.claims[0], "adjustment")
    assert "从 65% 提高到 70%" in bonus.cite.quote and "最高封顶 5 个百分点" in bonus.cite.quote


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


@pytest.mark.parametrize("enrolled_on, late", [
    ("2026-01-10", False),  # the collection period's last day: ¥400
    ("2026-01-11", True),   # after 2026-01-10, the cutoff the policy reads: ¥1200
    ("2026-06-30", True),   # still after 2026-01-10 (¥400 under the 2026-06-30 alternative)
    ("2026-07-01", True),   # after either date: ¥1200
])
def test_late_premium_cutoff_is_the_collection_end(enrolled_on, late):
    # the amounts: policies/karamay.test.yaml, the cases 'premium, paid …'; here the reading and the quote
    reading = comments_above("when person.assistance == none")
    assert reading.startswith("READING:") and "2026-01-10" in reading and "`> 2026-06-30`" in reading
    s = run("karamay", {"id": "p", "enrolled_on": enrolled_on}, [])
    (step,) = s.premium.events
    assert ("1200 元" in step.cite.quote) == late


def test_every_reading_is_listed_in_docs_readings():
    # docs/readings.md lists each READING comment of karamay.mpol, by line, in its Karamay section
    lines = [n for n, line in enumerate(POLICY_LINES, 1) if line.strip().startswith("# READING:")]
    doc = (ROOT / "docs" / "readings.md").read_text(encoding="utf-8")
    karamay = doc.split("\n## Karamay", 1)[1].split("\n## ", 1)[0]
    listed = [int(m) for m in re.findall(r"^\| karamay\.mpol:(\d+)", karamay, re.M)]
    assert listed == lines
