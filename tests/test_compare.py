"""One year of care under several policies (medpolicy/compare.py)."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings, strategies as st

import medpolicy
from medpolicy.compare import compare, map_level
from medpolicy.errors import ScenarioError

from conftest import EXAMPLES, D

KARAMAY, LANZHOU, SHANGHAI = (medpolicy.load_policy(c) for c in ("karamay", "lanzhou", "shanghai"))
ALL = (KARAMAY, LANZHOU, SHANGHAI)


def scenario(*claims, policy="karamay", **person):
    return {"policy": policy, "person": {"id": "s", **person}, "claims": list(claims)}


def claim(cid, date, level, total, care="inpatient", **more):
    return {"id": cid, "date": date, "care": care, "level": level, "total": total, **more}


def test_each_policy_gets_the_same_care_in_its_own_year():
    result = compare(scenario(claim("c1", "2026-03-02", "3", "20000")), ALL)
    assert result.home == "karamay"
    by_id = {o.policy.id: o for o in result.outcomes}
    # Karamay's year starts 2026-01-01: day 60 of it is 2026-03-02; each other year's day 60 likewise.
    for outcome in result.outcomes:
        (c,) = outcome.statement.claims
        assert (c.date - outcome.policy.start).days == 60
    assert [n.kind for n in by_id["karamay"].notes] == []
    shift = next(n for n in by_id["shanghai"].notes if n.kind == "date_shift")
    assert shift.data == {"days": (SHANGHAI.start - KARAMAY.start).days, "home": "karamay",
                          "home_name": KARAMAY.jurisdiction}


def test_each_outcome_equals_evaluating_the_moved_scenario_directly():
    # 2026-03-02 in Karamay's year is 2025-03-01 in Shanghai's (both years start on 1 January; 2025 is
    # 365 days before 2026), and level 3 is declared by both.
    result = compare(scenario(claim("c1", "2026-03-02", "3", "20000")), ALL)
    shanghai = next(o for o in result.outcomes if o.policy.id == "shanghai")
    direct = medpolicy.evaluate(SHANGHAI, scenario(claim("c1", "2025-03-01", "3", "20000"), policy="shanghai"))
    assert shanghai.statement.totals == direct.totals
    assert shanghai.statement.claims[0].basic_fund == direct.claims[0].basic_fund


def test_levels_are_mapped_by_the_documented_rule_and_said():
    assert map_level("3A", ["1", "2", "3"]) == "3"
    assert map_level("3", ["1", "2", "3A", "3B"]) == "3A"  # the first declared level that starts with 3
    assert map_level("2", ["1", "2", "3A", "3B"]) == "2"
    assert map_level("campus", ["1", "2", "3A", "3B"]) is None
    result = compare(scenario(claim("c1", "2026-03-02", "3", "20000")), ALL)
    lanzhou = next(o for o in result.outcomes if o.policy.id == "lanzhou")
    assert [n.data for n in lanzhou.notes if n.kind == "level_mapped"] == [
        {"claim": "c1", "level": "3", "level_name": "三级医疗机构", "to": "3A", "to_name": "三级甲等医疗机构"}]
    assert lanzhou.statement.claims[0].total == D("20000.00")


def test_a_claim_no_level_fits_is_reported_never_dropped_silently():
    data = scenario(claim("school", "2025-03-02", "campus", "300", care="outpatient"),
                    claim("c2", "2025-04-01", "2", "1000"), policy="shanghai")
    result = compare(data, ALL)
    karamay = next(o for o in result.outcomes if o.policy.id == "karamay")
    assert karamay.unplaced == ("school",) and not karamay.complete
    assert [c.id for c in karamay.statement.claims] == ["c2"]
    assert {"claim": "school", "level": "campus", "level_name": "院校内部医疗机构（校医院）"} in [
        n.data for n in karamay.notes if n.kind == "level_unplaced"]
    shanghai = next(o for o in result.outcomes if o.policy.id == "shanghai")
    assert shanghai.complete and len(shanghai.statement.claims) == 2


def test_conditions_a_policy_does_not_declare_are_dropped_and_said():
    data = scenario(claim("c1", "2026-02-01", "2", "500", care="outpatient", condition="pku"), certified=["pku"])
    result = compare(data, ALL)
    shanghai = next(o for o in result.outcomes if o.policy.id == "shanghai")
    notes = [(n.kind, n.data) for n in shanghai.notes]
    assert ("certified_dropped", {"condition": "pku", "condition_name": "苯丙酮尿症"}) in notes
    assert ("condition_dropped", {"claim": "c1", "condition": "pku", "condition_name": "苯丙酮尿症"}) in notes


def test_net_cost_is_premium_plus_patient_share():
    result = compare(scenario(claim("c1", "2026-03-02", "3", "20000")), ALL)
    for outcome in result.outcomes:
        if outcome.premium is None:
            assert outcome.net is None
        else:
            assert outcome.net == outcome.premium + outcome.statement.totals.patient


def test_bad_scenarios_are_scenario_errors_with_their_path():
    with pytest.raises(ScenarioError) as err:
        compare(scenario(claim("c1", "2026-03-02", "9", "100")), ALL)
    assert err.value.path.startswith("claims[0]")
    with pytest.raises(ScenarioError) as err:
        compare(scenario(claim("c1", "2026-03-02", "3", "100"), policy="beijing"), ALL)
    assert err.value.path == "policy"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 364), st.sampled_from(["1", "2", "3"]),
                          st.decimals(min_value=0, max_value=50000, places=2)), min_size=1, max_size=6))
def test_every_claim_is_in_each_statement_or_reported(claims):
    data = scenario(*(claim(f"c{i}", (KARAMAY.start + dt.timedelta(days=day)).isoformat(), level, str(total))
                      for i, (day, level, total) in enumerate(claims)))
    for outcome in compare(data, ALL, explain=False).outcomes:
        shown = {c.id for c in outcome.statement.claims}
        assert shown | set(outcome.unplaced) == {c["id"] for c in data["claims"]}
        t = outcome.statement.totals
        assert t.basic_fund + sum(p.amount for p in t.payers) + t.patient == t.total


def test_comparison_json_carries_notes_as_data_and_words():
    from medpolicy.render_json import comparison_dict

    result = compare(scenario(claim("c1", "2026-03-02", "3", "20000")), ALL)
    for lang in ("zh", "en"):
        shape = comparison_dict(result, lang)
        assert shape["home"] == "karamay" and [p["policy"] for p in shape["policies"]] == ["karamay", "lanzhou",
                                                                                          "shanghai"]
        lanzhou = shape["policies"][1]
        mapped = next(n for n in lanzhou["notes"] if n["kind"] == "level_mapped")
        assert mapped["data"]["to"] == "3A" and "三级甲等医疗机构" in mapped["text"]
        assert lanzhou["statement"]["totals"]["patient"] == lanzhou["patient"]
    assert "按“三级甲等医疗机构”计算" in comparison_dict(result, "zh")["policies"][1]["notes"][1]["text"]


COMPARE_EXAMPLES = sorted((EXAMPLES / "compare").glob("*.yaml"))


@pytest.mark.parametrize("path", COMPARE_EXAMPLES, ids=lambda p: p.stem)
def test_each_comparison_example_runs_under_every_policy(path):
    from medpolicy.render_compare import render_compare_md
    from medpolicy.render_html import render_compare_html

    data = medpolicy.read_scenario(path)
    result = compare(data, ALL)
    for outcome in result.outcomes:
        assert {c.id for c in outcome.statement.claims} | set(outcome.unplaced) == {c["id"] for c in data["claims"]}
        for c in outcome.statement.claims:
            assert c.basic_fund + sum(p.amount for p in c.payers) + c.patient == c.total
    assert render_compare_md(result, "zh") and render_compare_html(result, "zh")


def test_the_comparison_examples_cover_the_realistic_cases():
    assert {p.stem for p in COMPARE_EXAMPLES} >= {"healthy-student", "chronic-condition", "major-hospitalization",
                                                  "vacation-care"}


def test_colour_changes_nothing_but_the_look():
    import re

    from medpolicy.render_compare import render_compare_text

    result = compare(scenario(claim("c1", "2026-03-02", "3", "20000")), ALL)
    coloured = render_compare_text(result, "zh", colour=True)
    assert "\x1b[1m" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == render_compare_text(result, "zh")


# ------------------------------------------------------------------ what-if

def test_what_if_raises_a_shared_cap_and_shows_baseline_against_changed():
    from medpolicy.whatif import apply_overrides

    data = medpolicy.read_scenario(EXAMPLES / "karamay-outpatient-year-cap.yaml")
    changed = apply_overrides(KARAMAY, ["general_outpatient_year=¥1200"], "zh")
    assert "普通门诊年度限额改为 ¥1200.00" in changed.jurisdiction and changed.content_hash != KARAMAY.content_hash
    base, after = compare(data, [KARAMAY, changed]).outcomes
    # The example's general outpatient year stops at the ¥900 cap; raised to ¥1200 the fund pays
    # everything its ratios give (¥980 here), and the patient the difference.
    assert base.statement.totals.basic_fund == D("900.00")
    assert after.statement.totals.basic_fund == D("980.00")
    assert after.statement.totals.patient == base.statement.totals.patient - D("80.00")
    assert after.notes == () and KARAMAY.model.caps["general_outpatient_year"].amount != \
        changed.model.caps["general_outpatient_year"].amount  # the original is untouched


@pytest.mark.parametrize("setting, message_id", [
    ("general_outpatient_yer=¥1", "whatif.unknown.hint"), ("needy=¥1", "whatif.type"),
    ("general_outpatient_year=75%", "whatif.type"), ("general_outpatient_year", "whatif.form"),
    ("general_outpatient_year=claim.total", "whatif.value"), ("general_outpatient_year=¥", "whatif.value")])
def test_what_if_refuses_clearly(setting, message_id):
    from medpolicy.whatif import WhatIfError, apply_overrides

    with pytest.raises(WhatIfError) as err:
        apply_overrides(KARAMAY, [setting])
    assert err.value.message_id == message_id and err.value.text("zh") != str(err.value)


def test_what_to_do_for_claims_settled_by_hand_is_listed_per_policy():
    from medpolicy.messages import describe, describe_cite, word
    from medpolicy.render_compare import render_compare_md, render_compare_text

    data = medpolicy.read_scenario(EXAMPLES / "compare" / "vacation-care.yaml")
    comparison = compare(data, ALL)
    for lang in ("zh", "en"):
        text, md = render_compare_text(comparison, lang), render_compare_md(comparison, lang)
        assert word("compare.guidance", lang) in text and word("compare.guidance", lang) in md
        for o in comparison.outcomes:
            for c in o.statement.claims:
                for event in c.guidance:
                    said = describe(event, lang, o.statement.policy.labels)
                    assert said in text and said in md
                    if event.cite:
                        assert describe_cite(event.cite, lang) in text
    karamay = {c.id: c for c in comparison.outcomes[0].statement.claims}
    # unfiled off-site care: Karamay pays the admission during the break, not the emergency visit
    assert karamay["er"].status == "excluded" and karamay["er"].guidance == ()
    # 寒暑假 off-site care: the 克外就诊证明 is on Karamay's list, the deadline is the year end
    assert any("克外就诊证明" in e.data["text"] for e in karamay["adm"].guidance if e.kind == "material")
    assert [e.data["deadline"] for e in karamay["adm"].guidance if e.kind == "deadline"] == [dt.date(2026, 12, 31)]
    # claims settled directly: no such section at all
    direct = compare(scenario(claim("a", "2026-03-01", "2", "1000.00")), ALL)
    assert word("compare.guidance", "en") not in render_compare_text(direct, "en")
