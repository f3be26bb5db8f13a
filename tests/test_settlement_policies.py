"""What the bundled policies tell a student who settles a claim by hand, and which sentence says so.

The documents attach materials, a place, a deadline and a processing time to
reimbursement by hand (Karamay 校区学生自费就医报销流程; Shanghai 问题 4–6;
Lanzhou 问答 九（二））.  Each figure of a claim settled by hand is the one
direct settlement gives; the statement adds the guidance, each step citing a
sentence that is in the source document word for word.

The figures, materials, places and deadlines themselves are hand-checked in the
policy tests (``policies/*.test.yaml`` and the examples' ``expect`` blocks, run by
``medpolicy test``); this file holds what a test file cannot state: the citations
behind the steps, and properties over several runs.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest

import medpolicy
from conftest import ROOT, SOURCES, by_id, cited, run, run_example, squeeze, steps_of


def guidance(claim) -> list:
    return list(claim.guidance)


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

def test_karamay_manual_example_cites_the_guide():
    # figures and guidance: examples/karamay-manual-reimbursement.yaml's expect block
    c = by_id(run_example("karamay-manual-reimbursement.yaml"))
    for cid in ("er-break", "adm-break", "er-term"):
        assert "当年就诊票据仅能当年报销" in cited(steps_of(c[cid], "deadline")[0])
        assert "60 个工作日" in cited(steps_of(c[cid], "processing_time")[0])
    # the 克外就诊证明 is asked for only during breaks, and says so
    assert "仅限寒暑假期间" in cited(steps_of(c["er-break"], "material")[-1])
    late = steps_of(c["dec-late"], "late")[0]
    assert late.data["deadline"] == dt.date(2026, 12, 31) and "当年就诊票据仅能当年报销" in cited(late)


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

def test_shanghai_no_card_example_cites_the_questions():
    # figures and guidance: examples/shanghai-no-card.yaml's expect block
    c = by_id(run_example("shanghai-no-card.yaml"))
    assert "6 个月内" in cited(steps_of(c["er-cash"], "deadline")[0])
    assert "不予结算" in cited(steps_of(c["op-no-card"], "excluded")[0])


# ------------------------------------------------------------------ Lanzhou

def test_lanzhou_offsite_example_cites_the_letter():
    # figures and guidance: examples/lanzhou-offsite-manual.yaml's expect block
    c = by_id(run_example("lanzhou-offsite-manual.yaml"))
    assert "不降低报销比例" in cited(steps_of(c["home-break"], "settlement")[0])


# ------------------------------------------------------------------ what makes a claim pay ¥0

def test_karamay_unfiled_off_site_care_cites_the_filing_rule():
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
    # figures: policies/karamay.test.yaml, 'unfiled off-site care pays nothing, but an admission during leave'
    assert "转院转诊或异地就医登记备案" in cited(steps_of(by_id(st)["adm-term"], "excluded")[0])


def test_lanzhou_graduate_example_cites_the_extended_cover():
    # figures: examples/lanzhou-graduate.yaml's expect block
    st = run_example("lanzhou-graduate.yaml")
    ended = steps_of(by_id(st)["jan"], "coverage_ended")[0]
    assert ended.data["end"] == dt.date(2026, 12, 31) and "毕业当年的12月31日" in cited(ended)
    note = [n for n in st.notes if n.kind == "coverage_end"][0]
    assert note.data["end"] == dt.date(2026, 12, 31)


@pytest.mark.parametrize("policy_file", ["karamay.mpol", "lanzhou.mpol", "shanghai.mpol",
                                         "shared/national_waiting_period.mpol"])
def test_every_reading_of_every_policy_is_listed_in_docs_readings(policy_file):
    text = (ROOT / "policies" / policy_file).read_text(encoding="utf-8").splitlines()
    readings = [n for n, line in enumerate(text, 1) if line.strip().startswith("# READING:")]
    doc = (ROOT / "docs" / "readings.md").read_text(encoding="utf-8")
    name = policy_file.rsplit("/", 1)[-1]
    listed = sorted({int(n) for n in re.findall(rf"{re.escape(name)}:(\d+)`? ", doc)})
    assert readings and listed == readings, (policy_file, readings, listed)


def test_lanzhou_emergency_rescue_before_an_admission_cites_the_letter():
    # figures: policies/lanzhou.test.yaml, 'emergency care joined to an admission counts as that admission'
    st = run("lanzhou", {"id": "s"}, [
        {"id": "er", "date": "2026-03-09", "care": "emergency", "level": "2", "institution": "兰大一院",
         "total": "800.00"},
        {"id": "adm", "date": "2026-03-10", "care": "inpatient", "level": "2", "institution": "兰大一院",
         "total": "5000.00"}])
    joined = steps_of(by_id(st)["er"], "joined")[0]
    assert joined.data["admission"] == "adm" and "入院前急救抢救" in cited(joined)


def test_shanghai_claims_handed_in_after_6_months_cite_the_deadline():
    # figures: policies/shanghai.test.yaml, 'emergency care paid in cash and handed in after 6 months pays nothing'
    st = run("shanghai", {"id": "s", "enrolled_on": "2024-11-20"}, [
        {"id": "late", "date": "2025-03-10", "care": "emergency", "level": "2", "total": "500.00",
         "settlement": "manual", "submitted_on": "2025-09-11"}])
    assert "6 个月内" in cited(steps_of(st.claims[0], "late")[0])
