"""What the bundled policies tell a student who settles a claim by hand.

The documents attach materials, a place, a deadline and a processing time to
reimbursement by hand (Karamay 校区学生自费就医报销流程; Shanghai 问题 4–6;
Lanzhou 问答 九（二））.  Each figure of a claim settled by hand is the one
direct settlement gives; the statement adds the guidance, each step citing a
sentence that is in the source document word for word.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest

import medpolicy
from conftest import D, ROOT, SOURCES, by_id, cited, run, run_example, squeeze, steps_of

def guidance(claim) -> list:
    return list(claim.guidance)


def materials(claim) -> list[str]:
    return [e.data["text"] for e in steps_of(claim, "material")]


@pytest.mark.parametrize("policy_id", ["karamay", "lanzhou", "shanghai"])
def test_every_settlement_citation_is_a_sentence_of_its_source(policy_id):
    policy = medpolicy.load_policy(policy_id)
    model = policy.model
    cites = []
    for decl in model.settlements:
        cites += [decl.when_cite, decl.submit_cite, decl.deadline_cite, decl.takes_cite]
        cites += [m.cite for m in decl.materials]
    cites = [c for c in cites if c is not None]
    assert cites, f"{policy_id} declares no cited settlement path"
    for cite in cites:
        source = model.sources[(cite.span.file, cite.source)]
        document = (SOURCES / source.file).read_text(encoding="utf-8")
        assert cite.quote and squeeze(cite.quote) in squeeze(document), (policy_id, cite.section, cite.quote)


# ------------------------------------------------------------------ Karamay

def test_karamay_manual_example():
    st = run_example("karamay-manual-reimbursement.yaml")
    c = by_id(st)
    # figures as direct settlement: L2 emergency (400 − 20) × 60% = 228, visit cap ¥200
    assert (c["er-break"].basic_fund, c["er-break"].patient) == (D("200.00"), D("200.00"))
    # L2 admission (12000 − 200) × 75% = 8850
    assert c["adm-break"].basic_fund == D("8850.00")
    outpatient_list = ["正规医院开具发票（可电子发票，打印出来）", "医院开具的发票上内容明细单", "处方或诊断报告（原件）",
                       "银行卡带卡号面和身份证带人像面复印在一页纸上（身份证无需国徽面）"]
    certificate = "克外就诊证明材料（模板详见指南附件）"
    # 寒暑假: the 克外就诊证明 is added; in term it is not asked for
    assert materials(c["er-break"]) == outpatient_list + [certificate]
    assert materials(c["er-term"]) == outpatient_list
    assert materials(c["adm-break"]) == [
        "正规医院开具发票（可电子发票，打印出来）", "医院开具的发票上内容明细单", "病例案首页（原件）", "入院记录（原件）",
        "出院记录、证明（原件）", "银行卡带卡号面和身份证带人像面复印在一页纸上（身份证无需国徽面）", certificate]
    for cid in ("er-break", "adm-break", "er-term"):
        deadline = steps_of(c[cid], "deadline")[0]
        assert deadline.data["deadline"] == dt.date(2026, 12, 31)   # 当年就诊票据仅能当年报销
        assert "当年就诊票据仅能当年报销" in cited(deadline)
        assert "J1-II-702" in steps_of(c[cid], "submit")[0].data["to"]
        assert "60 个工作日" in cited(steps_of(c[cid], "processing_time")[0])
    assert "仅限寒暑假期间" in cited(steps_of(c["er-break"], "material")[-1])
    # er-term: referral filed 2026-10-18, level 1, the year's 2nd visit (deductible halved):
    # (150 − 5) × 70% = 101.50, over the level-1 per-visit cap: 100.00
    assert c["er-term"].basic_fund == D("100.00")
    # handed in 2027-01-08, after 当年 (2026-12-31): nothing, citing the deadline
    late = c["dec-late"]
    assert late.status == "late" and late.basic_fund == D("0.00") and late.patient == D("90.00")
    assert steps_of(late, "late")[0].data["deadline"] == dt.date(2026, 12, 31)
    assert "当年就诊票据仅能当年报销" in cited(steps_of(late, "late")[0])
    local = c["local-cash"]
    assert steps_of(local, "settlement")[0].data["path"] == "local"
    assert "结算窗口" in steps_of(local, "submit")[0].data["to"]
    assert not steps_of(local, "deadline")   # 近期: the guide gives no date
    assert steps_of(local, "processing_time")[0].data["time"] == "当场结算"


def test_karamay_direct_and_excluded_claims_get_no_guidance():
    st = run("karamay", {"id": "s"}, [
        {"id": "direct", "date": "2026-03-01", "care": "outpatient", "level": "1", "total": "100.00",
         "location": "out_of_province"},
        # 三级医院门诊无法报销: nothing to hand in
        {"id": "l3", "date": "2026-03-02", "care": "outpatient", "level": "3", "total": "100.00",
         "location": "out_of_province", "settlement": "manual"},
    ])
    c = by_id(st)
    assert guidance(c["direct"]) == [] and guidance(c["l3"]) == []
    assert c["l3"].status == "excluded"


def test_settling_by_hand_changes_no_figure():
    claims = [{"id": f"c{i}", "date": f"2026-0{i}-10", "care": care, "level": level, "total": total,
               "location": location, "absence": "break", "filing": "long_term"}
              for i, (care, level, total, location) in enumerate([
                  ("outpatient", "1", "120.00", "local"), ("emergency", "3", "900.00", "in_province"),
                  ("inpatient", "2", "30000.00", "out_of_province")], 1)]
    direct = run("karamay", {"id": "s"}, claims)
    manual = run("karamay", {"id": "s"}, [{**c, "settlement": "manual"} for c in claims])
    assert [(c.basic_fund, c.other_payers, c.patient) for c in direct.claims] == \
        [(c.basic_fund, c.other_payers, c.patient) for c in manual.claims]
    assert all(guidance(c) for c in manual.claims) and not any(guidance(c) for c in direct.claims)
    unexplained = medpolicy.evaluate(medpolicy.load_policy("karamay"),
                                     {"person": {"id": "s"}, "claims": [{**c, "settlement": "manual"} for c in claims]},
                                     explain=False)
    assert unexplained.totals == manual.totals


# ------------------------------------------------------------------ Shanghai

def test_shanghai_no_card_example():
    st = run_example("shanghai-no-card.yaml")
    c = by_id(st)
    # emergency paid in cash: (500 − 300) × 60% = 120, as if settled directly
    assert c["er-cash"].basic_fund == D("120.00")
    assert materials(c["er-cash"]) == ["本人就医凭证", "医疗费收据", "相关病史资料"]
    deadline = steps_of(c["er-cash"], "deadline")[0]
    assert deadline.data["deadline"] == dt.date(2025, 9, 10)        # 2025-03-10 + 6 months
    assert "6 个月内" in cited(deadline)
    # outpatient without the card: 不予结算
    assert c["op-no-card"].status == "excluded" and c["op-no-card"].basic_fund == D("0.00")
    assert "不予结算" in cited(steps_of(c["op-no-card"], "excluded")[0])
    assert guidance(c["op-no-card"]) == []
    # the same visit with the card: the deductible is met, 200 × 70% = 140
    assert c["op-card"].basic_fund == D("140.00")
    # off-site, settled by hand: handed in to the city's office, nothing else stated
    off = c["offsite-cash"]
    assert off.basic_fund == D("4620.00")                            # (8000 − 300) × 60%
    assert steps_of(off, "submit")[0].data["to"] == "本市医保经办机构"
    assert not materials(off) and not steps_of(off, "deadline")


def test_shanghai_deadline_clamps_to_the_month_end():
    st = run("shanghai", {"id": "s", "enrolled_on": "2024-11-20"}, [
        {"id": "e", "date": "2025-08-31", "care": "emergency", "level": "1", "total": "400.00",
         "settlement": "manual"}])
    assert steps_of(st.claims[0], "deadline")[0].data["deadline"] == dt.date(2026, 2, 28)  # 08-31 + 6 months


# ------------------------------------------------------------------ Lanzhou

def test_lanzhou_offsite_example():
    st = run_example("lanzhou-offsite-manual.yaml")
    c = by_id(st)
    home = c["home-break"]
    assert steps_of(home, "settlement")[0].data["path"] == "out_of_province_absent"
    assert "县区经办机构" in steps_of(home, "submit")[0].data["to"]
    assert "不降低报销比例" in cited(steps_of(home, "settlement")[0])
    # in term: filed and settled directly; the letter states nothing for a claim settled by hand
    assert [e.kind for e in guidance(c["away-term"])] == ["settlement_unstated"]


# ------------------------------------------------------------------ what makes a claim pay ¥0

def test_karamay_unfiled_off_site_care_pays_nothing_but_an_admission_during_a_break():
    def offsite(cid, date, care, **more):
        return {"id": cid, "date": date, "care": care, "level": "2", "total": "1200.00",
                "location": "out_of_province", **more}
    st = run("karamay", {"id": "s"}, [
        offsite("er-unfiled", "2026-02-01", "emergency"),
        offsite("adm-term", "2026-03-01", "inpatient"),
        offsite("adm-leave", "2026-04-01", "inpatient", absence="leave"),
        offsite("adm-filed-after", "2026-05-01", "inpatient", filing="long_term", filed_on="2026-05-02"),
        offsite("adm-referral-old", "2026-11-02", "inpatient", filing="referral", filed_on="2026-05-01"),
        offsite("adm-referral", "2026-11-20", "inpatient", filing="referral", filed_on="2026-06-01"),
    ])
    c = by_id(st)
    for cid in ("er-unfiled", "adm-term", "adm-filed-after", "adm-referral-old"):
        assert (c[cid].status, c[cid].benefit, c[cid].basic_fund) == ("excluded", "offsite_unfiled", D("0.00")), cid
    assert "转院转诊或异地就医登记备案" in cited(steps_of(c["adm-term"], "excluded")[0])
    # leave: the exception, full local ratio, first admission at level 2: (1200 − 200) × 75% = 750.00
    assert c["adm-leave"].basic_fund == D("750.00")
    # referral filed 2026-06-01 covers care until 2026-11-30; 2026-05-01's ended 2026-10-31.
    # Same level again: no second deductible (highest mode): 1200 × 75% = 900.00
    assert c["adm-referral"].basic_fund == D("900.00")


def test_lanzhou_graduate_example():
    st = run_example("lanzhou-graduate.yaml")
    c = by_id(st)
    assert c["may"].basic_fund == D("3910.00")      # (5000 − 400) × 85%
    assert c["oct"].basic_fund == D("1700.00")      # 2nd admission: (2320 − 400 × 80%) × 85%
    assert c["jan"].status == "outside_period" and c["jan"].basic_fund == D("0.00")
    ended = steps_of(c["jan"], "coverage_ended")[0]
    assert ended.data["end"] == dt.date(2026, 12, 31) and "毕业当年的12月31日" in cited(ended)
    note = [n for n in st.notes if n.kind == "coverage_end"][0]
    assert note.data["end"] == dt.date(2026, 12, 31)


def test_lanzhou_without_graduation_cover_ends_with_the_year():
    st = run("lanzhou", {"id": "s"}, [{"id": "oct", "date": "2026-10-08", "care": "inpatient", "level": "2",
                                      "total": "2320.00"}])
    assert st.claims[0].status == "outside_period"


def test_shanghai_observation_stays_are_settled_like_admissions_elsewhere_emergency():
    stay = {"id": "obs", "date": "2025-03-01", "care": "observation", "level": "2", "total": "600.00"}
    sh = run("shanghai", {"id": "s", "enrolled_on": "2024-11-20"}, [stay])
    # Shanghai: the inpatient standard, (600 − 100) × 75% = 375.00
    assert (sh.claims[0].benefit, sh.claims[0].basic_fund) == ("inpatient", D("375.00"))
    ka = run("karamay", {"id": "s"}, [dict(stay, date="2026-03-01")])
    # Karamay: emergency care at level 2, (600 − 20) × 60% = 348 over the ¥200 visit cap: 200.00
    assert (ka.claims[0].benefit, ka.claims[0].basic_fund) == ("general_outpatient", D("200.00"))


@pytest.mark.parametrize("policy_file", ["karamay.mpol", "lanzhou.mpol", "shanghai.mpol",
                                         "shared/national_waiting_period.mpol"])
def test_every_reading_of_every_policy_is_listed_in_docs_readings(policy_file):
    text = (ROOT / "policies" / policy_file).read_text(encoding="utf-8").splitlines()
    readings = [n for n, line in enumerate(text, 1) if line.strip().startswith("# READING:")]
    doc = (ROOT / "docs" / "readings.md").read_text(encoding="utf-8")
    name = policy_file.rsplit("/", 1)[-1]
    listed = sorted({int(n) for n in re.findall(rf"{re.escape(name)}:(\d+)`? ", doc)})
    assert readings and listed == readings, (policy_file, readings, listed)


def test_lanzhou_emergency_rescue_before_an_admission_is_settled_with_it():
    st = run("lanzhou", {"id": "s"}, [
        {"id": "er", "date": "2026-03-09", "care": "emergency", "level": "2", "institution": "兰大一院",
         "total": "800.00"},
        {"id": "adm", "date": "2026-03-10", "care": "inpatient", "level": "2", "institution": "兰大一院",
         "total": "5000.00"},
        {"id": "er-other", "date": "2026-03-10", "care": "emergency", "level": "2", "institution": "省人民医院",
         "total": "300.00"}])
    c = by_id(st)
    # one admission: (800 + 5000 − 400) × 85% = 4590.00; er's share 4590 × 800 / 5800 = 633.103… → 633.10
    assert (c["er"].benefit, c["er"].basic_fund) == ("inpatient", D("633.10"))
    assert c["adm"].basic_fund == D("3956.90")                    # 4590.00 − 633.10
    assert c["er-other"].status == "excluded"                     # another hospital: the school's
    joined = steps_of(c["er"], "joined")[0]
    assert joined.data["admission"] == "adm" and "入院前急救抢救" in cited(joined)
    # a single admission counted: the next admission's deductible is the 2nd's (80%)
    later = run("lanzhou", {"id": "s"}, [
        {"id": "er", "date": "2026-03-09", "care": "emergency", "level": "2", "institution": "A", "total": "800.00"},
        {"id": "adm", "date": "2026-03-10", "care": "inpatient", "level": "2", "institution": "A", "total": "5000.00"},
        {"id": "adm2", "date": "2026-05-10", "care": "inpatient", "level": "2", "institution": "A",
         "total": "1320.00"}])
    assert by_id(later)["adm2"].basic_fund == D("850.00")         # (1320 − 400 × 80%) × 85%


def test_shanghai_emergency_claims_handed_in_after_6_months_pay_nothing():
    def er(cid, submitted):
        return {"id": cid, "date": "2025-03-10", "care": "emergency", "level": "2", "total": "500.00",
                "settlement": "manual", "submitted_on": submitted}
    st = run("shanghai", {"id": "s", "enrolled_on": "2024-11-20"}, [er("on-time", "2025-09-10"),
                                                                      er("late", "2025-09-11")])
    c = by_id(st)
    # deadline 2025-03-10 + 6 months = 2025-09-10: on time (500 − 300) × 60% = 120.00
    assert c["on-time"].basic_fund == D("120.00")
    assert c["late"].status == "late" and c["late"].basic_fund == D("0.00")
    assert "6 个月内" in cited(steps_of(c["late"], "late")[0])
