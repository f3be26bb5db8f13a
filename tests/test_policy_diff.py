"""medpolicy.policy_diff: what differs between two policies, and what it changes in scenarios, as data."""
from __future__ import annotations

import functools
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

import medpolicy
from medpolicy.errors import ScenarioError
from medpolicy.policy_diff import Change, Member, diff_policies, diff_scenario, diff_scenarios, scenario_files

from conftest import D, EXAMPLES, POLICIES
from test_year_history import READMISSION

BUNDLED = ("karamay", "lanzhou", "shanghai")

# One edit of the Karamay text each, and the one change it must make: (the path's ids, the field).
EDITS = {
    "deductible": (('"3": ¥600 }', '"3": ¥800 }'), ((("benefit", "inpatient"),), "deductible")),
    "ratio": (('"2": 75%', '"2": 80%'), ((("benefit", "inpatient"),), "ratio")),
    "band": (("band ¥50000 .. ¥100000 pays 65%", "band ¥50000 .. ¥100000 pays 70%"),
             ((("payer", "critical_illness"), ("table", "一般人员"), ("band", "2")), "rate")),
    "premium": (("else: ¥400", "else: ¥450"), ((("item", "居民医保个人缴费"), ("case", "else")), "value")),
    "level": (('"3" "三级医疗机构"', '"3" "三级定点医疗机构"'), ((("level", "3"),), "name")),
    "cap": (('"普通门诊年度限额" ¥900', '"普通门诊年度限额" ¥1000'),
            ((("cap", "general_outpatient_year"),), "value")),
    "priority": (("  priority 41", "  priority 42"), ((("benefit", "general_outpatient_level3"),), "priority")),
}


def edited_text(names) -> str:
    text = (POLICIES / "karamay.mpol").read_text(encoding="utf-8")
    for name in names:
        old, new = EDITS[name][0]
        assert text.count(old) == 1, old  # each edit changes exactly one place
        text = text.replace(old, new)
    return text


@functools.lru_cache(maxsize=None)
def edited(names: frozenset) -> medpolicy.CompiledPolicy:
    return medpolicy.check_source(edited_text(sorted(names)), "edited.mpol", POLICIES)


@functools.lru_cache(maxsize=None)
def bundled(policy_id: str) -> medpolicy.CompiledPolicy:
    return medpolicy.load_policy(policy_id)


def where(change: Change) -> tuple:
    return tuple((p.kind, p.id) for p in change.path), change.field


# ------------------------------------------------------------------ properties

POLICY = st.one_of(st.sampled_from(BUNDLED).map(bundled),
                   st.frozensets(st.sampled_from(sorted(EDITS)), max_size=3).map(edited))


@settings(max_examples=12, deadline=None)
@given(st.sampled_from(BUNDLED))
def test_a_policy_has_no_difference_with_itself_loaded_again(policy_id):
    again = medpolicy.check_source((POLICIES / f"{policy_id}.mpol").read_text(encoding="utf-8"), "again.mpol",
                                   POLICIES)
    assert diff_policies(bundled(policy_id), bundled(policy_id)).changes == ()
    assert diff_policies(bundled(policy_id), again).identical


@settings(max_examples=15, deadline=None)
@given(POLICY, POLICY)
def test_swapping_the_policies_swaps_the_sides_of_the_same_items(a, b):
    forth, back = diff_policies(a, b).changes, diff_policies(b, a).changes
    assert len(forth) == len(back)
    assert set(back) == {c.swapped() for c in forth}
    assert all(c.a != c.b for c in forth)


@settings(max_examples=12, deadline=None)
@given(st.frozensets(st.sampled_from(sorted(EDITS)), max_size=4))
def test_each_edit_is_one_change_where_it_was_made(names):
    changes = diff_policies(bundled("karamay"), edited(names)).changes
    assert sorted(where(c) for c in changes) == sorted(EDITS[name][1] for name in names)


# ------------------------------------------------------------------ what a change says

def test_a_change_shows_both_sides_as_written_with_the_declared_labels():
    changes = {where(c): c for c in diff_policies(bundled("karamay"), edited(frozenset(EDITS))).changes}
    deductible = changes[EDITS["deductible"][1]]
    assert deductible.a == 'by claim.level { "1": ¥100, "2": ¥200, "3": ¥600 }'
    assert deductible.b == 'by claim.level { "1": ¥100, "2": ¥200, "3": ¥800 }'
    assert (deductible.path[0].a, deductible.path[0].b) == ("普通住院", "普通住院")
    band = changes[EDITS["band"][1]]
    assert (band.a, band.b) == ("65%", "70%") and band.section == "payer"
    assert [p.a for p in band.path] == ["居民大病保险", "一般人员", None]
    premium = changes[EDITS["premium"][1]]
    assert (premium.a, premium.b) == ("¥400", "¥450")
    level = changes[EDITS["level"][1]]
    assert (level.a, level.b) == ("三级医疗机构", "三级定点医疗机构")
    assert (level.path[0].a, level.path[0].b) == ("三级医疗机构", "三级定点医疗机构")


def test_rewrapping_a_rule_or_adding_a_comment_is_no_change():
    text = (POLICIES / "karamay.mpol").read_text(encoding="utf-8")
    old = 'ratio by claim.level { "1": 85%, "2": 75%, "3": 65% }'
    assert text.count(old) == 1
    text = text.replace(old, 'ratio by claim.level {\n      # by level\n      "1": 85%,\n      "2": 75%, "3": 65%\n  }')
    rewrapped = medpolicy.check_source(text, "rewrapped.mpol", POLICIES)
    assert diff_policies(bundled("karamay"), rewrapped).identical


def karamay_with(*edits) -> medpolicy.CompiledPolicy:
    text = (POLICIES / "karamay.mpol").read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) >= 1, old
        text = text.replace(old, new)
    return medpolicy.check_source(text, "rewritten.mpol", POLICIES)


def test_what_means_the_same_written_otherwise_is_no_change():
    """Amounts, percentages and months by value; lists, and/or operands and table rows in any order."""
    rewritten = karamay_with(
        ("¥160000 per year", "¥160,000.00 per year"),                                # an amount, grouped, with fen
        ("applies to [chronic_outpatient, inpatient]", "applies to [inpatient, chronic_outpatient]"),
        ("covers claim.benefit in [chronic_outpatient, inpatient]",
         "covers claim.benefit in [inpatient, chronic_outpatient]"),
        ('{ "1": ¥100, "2": ¥200, "3": ¥600 }', '{ "3": ¥600.00, "1": ¥100, "2": ¥200 }'),  # table rows
        ('ratio by claim.level { "1": 85%,', 'ratio by claim.level { "1": 85.0%,'),
        ('claim.level == "1" and claim.condition in [hypertension, diabetes]',     # and-operands, a list
         'claim.condition in [diabetes, hypertension] and claim.level == "1"'),
        ("person.assistance in [dibao, tekun, orphan, low_income]",
         "person.assistance in [low_income, dibao, orphan, tekun]"),
        ("when person.assistance in [tekun, orphan]: ¥0", "when person.assistance in [orphan, tekun]: ¥0"))  # a case
    assert diff_policies(bundled("karamay"), rewritten).changes == ()
    # Two cities that list the same benefits in another order.
    assert not [c for c in diff_policies(bundled("karamay"), bundled("lanzhou")).changes if c.field == "covers"]


def test_what_is_read_in_order_is_compared_in_order():
    # Materials are handed in in the order the document lists them; premium cases: the first that holds.
    first = '  material "正规医院开具发票（可电子发票，打印出来）"\n  material "医院开具的发票上内容明细单"\n'
    swapped = '  material "医院开具的发票上内容明细单"\n  material "正规医院开具发票（可电子发票，打印出来）"\n'
    cases = "    when person.assistance == dibao: ¥100\n"
    reordered = karamay_with((first + '  material "处方', swapped + '  material "处方'))
    changes = diff_policies(bundled("karamay"), reordered).changes
    assert [(where(c), c.a.split(" → ")[:2], c.b.split(" → ")[:2]) for c in changes] == [
        (((("settlement", "offsite_outpatient"),), "material_order"),
         ["正规医院开具发票（可电子发票，打印出来）", "医院开具的发票上内容明细单"],
         ["医院开具的发票上内容明细单", "正规医院开具发票（可电子发票，打印出来）"])]
    text = (POLICIES / "karamay.mpol").read_text(encoding="utf-8")
    at = text.index(cases)
    cite_end = text.index("\n    when", at + len(cases))  # the dibao case with its citation, moved below the next
    following_end = text.index("\n    when", cite_end + 1)
    moved = text[:at] + text[cite_end + 1:following_end + 1] + text[at:cite_end + 1] + text[following_end + 1:]
    changes = diff_policies(bundled("karamay"), medpolicy.check_source(moved, "moved.mpol", POLICIES)).changes
    assert [where(c) for c in changes] == [((("item", "居民医保个人缴费"),), "case_order")]
    # A material added (to both paths that list these two) is that change; the order of those both have is the same.
    added = karamay_with((first, first + '  material "学生证复印件"\n'))
    assert [(where(c), c.added) for c in diff_policies(bundled("karamay"), added).changes] == [
        (((("settlement", path), ("material", "学生证复印件")), ""), True)
        for path in ("offsite_outpatient", "offsite_inpatient")]


def test_a_list_that_lost_or_gained_members_says_which():
    changed = karamay_with(("diabetes_complications, tuberculosis, drug_resistant_tb",
                            "diabetes_complications, drug_resistant_tb"),
                           ("person.assistance in [dibao, tekun, orphan, low_income]",
                            "person.assistance in [dibao, tekun, orphan, low_income, severe_disability]"))
    found = {where(c): c for c in diff_policies(bundled("karamay"), changed).changes}
    listed = found[((("name", "chronic_diseases"),), "value")]
    assert listed.members_removed == (Member("condition", "tuberculosis", "结核"),) and listed.members_added == ()
    needy = found[((("name", "needy"),), "value")]
    assert needy.members_added == (Member("assistance", "severe_disability"),) and needy.members_removed == ()
    assert needy.a == "person.assistance in [dibao, tekun, orphan, low_income]"  # the sides, as written
    # Two cities: a benefit's counters, by the label the policy declares.
    counts = next(c for c in diff_policies(bundled("karamay"), bundled("lanzhou")).changes if c.field == "counts")
    assert (counts.a, counts.b) == (None, "admissions")
    assert counts.b_words.fields[0][1] == (Member("counter", "admissions", "住院次数"),)
    # More than the members changed: both sides, no members.
    other = karamay_with(("person.assistance in [dibao, tekun, orphan, low_income]",
                          "person.assistance not in [dibao, tekun, orphan]"))
    (change,) = diff_policies(bundled("karamay"), other).changes
    assert change.members_added == change.members_removed == ()


def test_a_modules_names_are_matched_by_the_alias_that_imports_it(tmp_path):
    # The same policy beside its own copy of the national module, one parameter changed.
    (tmp_path / "shared").mkdir()
    module = (POLICIES / "shared" / "national_waiting_period.mpol").read_text(encoding="utf-8")
    old = 'param fixed_wait "固定待遇等待期" = 3 months'
    assert module.count(old) == 1
    (tmp_path / "shared" / "national_waiting_period.mpol").write_text(
        module.replace(old, old.replace("3 months", "4 months")), encoding="utf-8")
    shutil.copy(POLICIES / "karamay.mpol", tmp_path / "karamay.mpol")
    changes = diff_policies(bundled("karamay"), medpolicy.load_policy(tmp_path / "karamay.mpol")).changes
    assert [(where(c), c.a, c.b) for c in changes] == [
        (((("name", "national.fixed_wait"),), "value"), "3 months", "4 months")]
    assert changes[0].path[0].a == "固定待遇等待期"


def test_what_only_one_policy_has_is_one_item_and_nothing_inside_it_is_listed():
    changes = diff_policies(bundled("karamay"), bundled("lanzhou")).changes
    found = {where(c): c for c in changes}
    removed = found[((("payer", "critical_illness"), ("table", "一般人员")), "")]
    assert removed.removed and (removed.a, removed.b) == ("一般人员", None)
    assert not any(len(c.path) > 2 and c.path[1].id == "一般人员" for c in changes)
    added = found[((("benefit", "school_outpatient"),), "")]
    assert added.added and added.b == "普通门诊（由高校自定）"
    assert found[((("level", "3A"),), "")].added and found[((("level", "3"),), "")].removed
    # A named value only one policy has shows its value, not just its name.
    assert found[((("name", "chronic_special"),), "")].b.startswith("[dialysis, hypertension")
    # In both, relabelled: each side's label.
    title = found[((("benefit", "inpatient"),), "title")]
    assert (title.a, title.b) == ("普通住院", "住院") == (title.path[0].a, title.path[0].b)
    mode = found[((("benefit", "inpatient"),), "deductible_mode")]
    assert (mode.a, mode.b) == ("highest", "admission")
    header = {c.field: (c.a, c.b) for c in changes if c.section == "policy"}
    assert header["year"] == ("2026-01-01 .. 2026-12-31", "2025-09-01 .. 2026-08-31")
    assert header["collection"] == ("2025-09-01 .. 2026-01-10", None)
    assert "rounding" not in header  # both round half up to the fen


# ------------------------------------------------------------------ scenarios under both

EDITED = frozenset({"deductible", "ratio", "band", "premium"})


def figures(delta, claim_id: str) -> dict:
    claim = next(c for c in delta.claims if c.id == claim_id)
    return {(f.kind, f.payer): f.delta for f in claim.figures}


def test_a_scenario_shows_the_claims_that_change_by_how_much():
    a, b = bundled("karamay"), edited(EDITED)
    delta = diff_scenario("levels", medpolicy.read_scenario(EXAMPLES / "karamay-inpatient-levels.yaml"), a, b)
    # Insured 6 years: +3 points on every inpatient ratio.
    # adm-l2 (level 2, ¥10000, first admission: deductible ¥200): (10000 − 200) × (83% − 78%) = +490.00
    assert figures(delta, "adm-l2") == {("basic_fund", ""): D("490.00"), ("patient", ""): D("-490.00")}
    # adm-l3 (first level-3 admission, covered ¥20000): deductible 600 − 200 = 400 under A, 800 − 200 = 600
    # under B: (20000 − 600) × 68% − (20000 − 400) × 68% = 13192.00 − 13328.00 = −136.00
    assert figures(delta, "adm-l3") == {("basic_fund", ""): D("-136.00"), ("patient", ""): D("136.00")}
    # adm-l2b (level 2, ¥3000, deductible already met): 3000 × 5% = +150.00
    assert figures(delta, "adm-l2b") == {("basic_fund", ""): D("150.00"), ("patient", ""): D("-150.00")}
    assert [c.id for c in delta.claims] == ["adm-l2", "adm-l3", "adm-l2b"]  # adm-l1, adm-l3b: level 1 and 3 ratios
    # The year: 490 − 136 + 150 = +504.00; the premium ¥400 → ¥450.
    assert {f.kind: (f.a, f.b, f.delta) for f in delta.totals} == {
        "basic_fund": (D("29752.00"), D("30256.00"), D("504.00")),
        "patient": (D("12748.00"), D("12244.00"), D("-504.00")),
        "premium": (D("400.00"), D("450.00"), D("50.00"))}


def test_a_band_rate_changes_what_critical_illness_pays():
    delta = diff_scenario("ci", medpolicy.read_scenario(EXAMPLES / "karamay-critical-illness.yaml"),
                          bundled("karamay"), edited(EDITED))
    # adm1 (first level-3 admission) owes ¥200 more deductible: 200 × 70% = −140.00 from the fund, and the
    # burden after it is 140 higher (36420 → 36560).  adm2's burden of 30000 crosses ¥50000: A pays
    # 13580 × 60% + 16420 × 65% = 8148 + 10673 = 18821; B 13440 × 60% + 16560 × 70% = 8064 + 11592 = 19656: +835.
    assert figures(delta, "adm1")[("basic_fund", "")] == D("-140.00")
    adm2 = figures(delta, "adm2")
    assert adm2[("payer", "critical_illness")] == D("835.00") and adm2[("patient", "")] == D("-835.00")
    # The ¥300,000 annual cap is reached either way: critical illness pays the same in the year.
    assert "payer" not in {f.kind for f in delta.totals}


def test_identical_policies_change_no_scenario():
    paths = scenario_files([EXAMPLES])
    report = diff_scenarios(bundled("karamay"), edited(frozenset()), paths)
    assert report.same + len(report.changed) == len(paths)
    # Listed only when neither policy can take it (another city's level), with the same error.
    assert all(d.errors[0] is not None and d.errors[1] is not None for d in report.changed)
    assert report.same >= len([p for p in paths if p.name.startswith("karamay-")])


def test_a_scenario_one_policy_cannot_take_is_reported_with_its_error():
    report = diff_scenarios(bundled("karamay"), bundled("lanzhou"), [EXAMPLES / "karamay-inpatient-levels.yaml"])
    (delta,) = report.changed
    assert delta.errors[0] is None and isinstance(delta.errors[1], ScenarioError)
    assert delta.errors[1].path == "claims[2] (id adm-l3).level" and delta.claims == ()


def test_a_file_that_is_no_scenario_is_reported_not_raised(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("person: [\n", encoding="utf-8")
    listed = tmp_path / "list.json"
    listed.write_text("[1, 2]", encoding="utf-8")
    report = diff_scenarios(bundled("karamay"), bundled("lanzhou"), scenario_files([tmp_path]))
    assert [d.name for d in report.changed] == [str(broken), str(listed)] and report.same == 0
    assert all(isinstance(e, ScenarioError) for d in report.changed for e in d.errors)


def test_a_version_a_year_later_gives_the_same_figures_for_the_same_care():
    text = (POLICIES / "karamay.mpol").read_text(encoding="utf-8")
    for old, new in (("year 2026-01-01 .. 2026-12-31", "year 2027-01-01 .. 2027-12-31"),
                     ("collection 2025-09-01 .. 2026-01-10", "collection 2026-09-01 .. 2027-01-10")):
        assert text.count(old) == 1
        text = text.replace(old, new)
    later = medpolicy.check_source(text, "later.mpol", POLICIES)
    diff = diff_policies(bundled("karamay"), later)
    assert {c.field for c in diff.changes} == {"year", "collection"}
    paths = sorted(EXAMPLES.glob("karamay-*.yaml"))
    report = diff_scenarios(bundled("karamay"), later, paths)
    assert report.changed == () and report.same == len(paths)
    # Each claim moved 365 days into the later year; as written, every claim is outside it.
    moved = diff_scenario("x", {"person": {"id": "p"}, "claims": [
        {"id": "c", "date": "2026-03-02", "care": "inpatient", "level": "1", "total": "1000.00"}]},
        bundled("karamay"), later)
    assert moved is None


def test_a_scenario_that_names_b_is_written_in_bs_year():
    data = medpolicy.read_scenario(EXAMPLES / "lanzhou-graduate.yaml")
    delta = diff_scenario("g", data, bundled("karamay"), bundled("lanzhou"))
    assert delta.shifts == (122, 0)  # 2025-09-01 → 2026-01-01 under A; as written under B
    assert [str(c.date) for c in delta.claims][:1] == ["2026-05-12"]  # the scenario's own date


def test_a_policy_test_files_cases_are_scenarios():
    paths = scenario_files([POLICIES])
    assert POLICIES / "karamay.test.yaml" in paths
    report = diff_scenarios(bundled("karamay"), edited(EDITED), paths)
    names = [d.name for d in report.changed]
    # No test file is refused as a scenario ("cases: unknown field"): its cases run, each named by it.
    assert not any(e is not None and "cases" in e.text("en") for d in report.changed for e in d.errors)
    assert f"{POLICIES / 'karamay.test.yaml'}: level-3 deductible charged in full on a cheap first visit (S6)" in names
    # Another city's cases (levels 3A, campus …) cannot run: not counted among those compared.
    assert report.failed == sum(1 for d in report.changed if d.errors != (None, None)) > 0
    assert report.compared == report.same + len(report.changed) - report.failed
    # A case of lanzhou.test.yaml is written in Lanzhou's year: under Karamay its dates move.
    delta = next(d for d in diff_scenarios(bundled("karamay"), bundled("lanzhou"), [POLICIES / "lanzhou.test.yaml"]
                                           ).changed if d.errors == (None, None))
    assert delta.shifts == (122, 0)


def test_scenarios_that_cannot_run_are_not_compared(tmp_path):
    (tmp_path / "broken.yaml").write_text("person: [\n", encoding="utf-8")
    (tmp_path / "bad.test.yaml").write_text("cases: 3\n", encoding="utf-8")
    report = diff_scenarios(bundled("karamay"), bundled("karamay"), scenario_files([tmp_path]))
    assert (report.same, report.failed, report.compared) == (0, 2, 0)


def test_a_folder_stands_for_its_scenario_files(tmp_path):
    for name in ("b.yaml", "a.json", "c.yml", "notes.md"):
        (tmp_path / name).write_text("", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    assert [p.name for p in scenario_files([tmp_path, Path("x.yaml")])] == ["a.json", "b.yaml", "c.yml", "x.yaml"]


@pytest.mark.parametrize("policy_id", BUNDLED)
def test_every_part_a_policy_declares_is_compared(policy_id):
    """Against a policy of one benefit, every part a bundled policy declares is an item only it has."""
    empty = medpolicy.check_source('policy empty {\n  title "空"\n  year 2026-01-01 .. 2026-12-31\n}\n'
                                   'levels { "1" "一级" }\n'
                                   'benefit clinic "门诊" {\n  priority 1\n  when claim.care == outpatient\n'
                                   '  no deductible\n  ratio 50%\n}\n', "empty.mpol", POLICIES)
    policy = bundled(policy_id)
    kinds = {c.section for c in diff_policies(policy, empty).changes if c.removed}
    model = policy.model
    named = any(b.kind in ("param", "let", "list") for scope in model.scopes.values() for b in scope.values())
    expected = {"level", "benefit"} | ({"condition"} if model.conditions else set()) \
        | ({"payer"} if model.payers or model.critical else set()) | ({"item"} if model.premium else set()) \
        | ({"settlement"} if model.settlements else set()) | ({"coverage"} if model.coverage else set()) \
        | ({"adjustment"} if model.adjustments else set()) | ({"cap"} if model.caps else set()) \
        | ({"name"} if named else set())
    assert expected <= kinds


def test_a_changed_history_is_one_change_with_its_query_as_written():
    a = medpolicy.check_source(READMISSION, "a.mpol")
    b = medpolicy.check_source(READMISSION.replace("<= 15 days", "< 15 days"), "b.mpol")
    changes = diff_policies(a, b).changes
    assert [(where(c), c.a, c.b) for c in changes] == [
        (((("name", "readmission"),), "value"),
         "count where earlier.care == inpatient and claim.date - earlier.date <= 15 days",
         "count where earlier.care == inpatient and claim.date - earlier.date < 15 days")]
    assert changes[0].path[0].a == "15日内再次住院"


# ---------------------------------------- shared deductibles, measures, fixed payments, banded ratios, guarded caps

FOUR = (Path(__file__).parent / "show" / "four_constructs.mpol").read_text(encoding="utf-8")
FOUR_EDITS = {
    "pool amount": ("¥300 per year accumulating", "¥400 per year accumulating"),
    "pool mode": ("¥300 per year accumulating", "¥300 per year highest"),
    "measure": ('measure inpatient_ytd "住院累计（起付线以上）"', 'measure inpatient_ytd "住院累计"'),
    "pays": ("pays ¥300 even above covered", "pays ¥300"),
    "band": ("band above ¥10,000 pays 80%", "band above ¥10,000 pays 85%"),
    "cap when": ('annual cap ¥2,000 when claim.level != "1"', 'annual cap ¥2,000 when claim.level == "2"'),
}


def four_constructs_edited(edit: str) -> medpolicy.CompiledPolicy:
    old, new = FOUR_EDITS[edit]
    assert FOUR.count(old) == 1
    return medpolicy.check_source(FOUR.replace(old, new), "tests/show/four_constructs.mpol")


@pytest.mark.parametrize("edit, expected", [
    ("pool amount", [((("pool", "clinic"),), "amount", "¥300", "¥400")]),
    ("pool mode", [((("pool", "clinic"),), "deductible_mode", "accumulating", "highest")]),
    ("measure", [((("measure", "inpatient_ytd"),), "label", "住院累计（起付线以上）", "住院累计")]),
    ("pays", [((("benefit", "newborn"),), "pays", "¥300 even above covered", "¥300")]),
    ("band", [((("benefit", "inpatient"), ("band", "2")), "rate", "80%", "85%")]),
    ("cap when", [((("benefit", "outpatient"),), "annual_caps",
                   'community when claim.level == "1"; ¥2,000 when claim.level != "1"',
                   'community when claim.level == "1"; ¥2,000 when claim.level == "2"')]),
])
def test_each_new_construct_changed_is_one_change(edit, expected):
    a = medpolicy.check_source(FOUR, "tests/show/four_constructs.mpol")
    changes = diff_policies(a, four_constructs_edited(edit)).changes
    assert [(where(c), c.a, c.b) for c in changes] == [((path, field), x, y) for path, field, x, y in expected]


def test_a_renamed_measure_is_named_by_its_label_in_the_diff():
    a = medpolicy.check_source(FOUR, "tests/show/four_constructs.mpol")
    change, = diff_policies(a, four_constructs_edited("measure")).changes
    assert change.section == "measure" and change.path[0].a == "住院累计（起付线以上）"
