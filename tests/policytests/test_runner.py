"""Running cases: figures compared exactly, the rules behind a differing figure, errors kept per case."""
from __future__ import annotations

from decimal import Decimal

from medpolicy.policytests import run


def _rewrite(folder, old, new):
    path = folder / "t.test.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_hand_checked_figures_pass(folder):
    report = run([folder])
    assert (report.passed, report.failed, report.ok) == (1, 0, True)


def test_a_wrong_figure_fails_naming_the_rules_that_produced_it(folder):
    _rewrite(folder, "basic_fund: 400.00", "basic_fund: 410.00")
    report = run([folder])
    assert (report.passed, report.failed) == (0, 1)
    [mismatch] = report.results[0].mismatches
    assert mismatch.path == ("claims", "a", "basic_fund")
    assert (mismatch.expected, mismatch.actual, mismatch.place.line) == (Decimal("410.00"), Decimal("400.00"), 11)
    kinds = [e.kind for e in mismatch.steps]
    assert {"benefit", "deductible", "ratio", "fund", "annual_cap"} <= set(kinds)
    ratio = next(e for e in mismatch.steps if e.kind == "ratio")
    assert ratio.source.file.endswith("t.mpol") and ratio.source.line == 11


def test_ratio_deductible_and_status_are_compared_as_the_statement_has_them(folder):
    _rewrite(folder, "deductible: 100.00, ratio: 80%, basic_fund", "deductible: 200, ratio: 75 %, basic_fund")
    _rewrite(folder, "status: paid", "status: excluded")
    [result] = run([folder]).results
    got = {m.path[-1]: (m.expected, m.actual) for m in result.mismatches}
    assert got == {"deductible": (Decimal(200), Decimal("100.00")), "ratio": (Decimal(75), Decimal(80)),
                   "status": ("excluded", "paid")}


def test_a_claim_the_scenario_does_not_have_is_an_error_of_the_case(folder):
    _rewrite(folder, "        b:\n", "        c:\n")
    [result] = run([folder]).results
    assert not result.passed and result.error is not None
    assert "'c'" in result.error.text("en") and result.error_place.line == 12


def test_a_benefit_or_field_that_does_not_exist_is_an_error_with_a_suggestion(folder):
    _rewrite(folder, "benefit: inp,", "benefit: inpt,")
    [result] = run([folder]).results
    assert "did you mean 'inp'" in result.error.text("en")
    _rewrite(folder, "benefit: inpt,", "benefit: inp, basic_fnd: 1,")
    [result] = run([folder]).results
    assert "did you mean 'basic_fund'" in result.error.text("en")


def test_a_thousands_separator_in_a_flow_mapping_says_so_instead_of_crashing(folder):
    # `{basic_fund: 8,820.00}` is `basic_fund: 8` and a key `820.00` to YAML; it used to end in a KeyError.
    _rewrite(folder, "basic_fund: 400.00", "basic_fund: 4,000.00")
    [result] = run([folder]).results
    assert not result.passed and result.error_place.line == 11
    assert "`claims.a.000.00` names no figure" in result.error.text("en")
    assert "not 8,820.00" in result.error.text("en") and "千位分隔符" in result.error.text("zh")


def test_a_bad_scenario_or_policy_fails_its_case_only(folder):
    _rewrite(folder, 'level: "1", total: 600.00', 'level: "9", total: 600.00')
    (folder / "u.test.yaml").write_text(
        "policy: nowhere.mpol\ncases:\n  - {name: n, claims: [], expect: {totals: {patient: 0}}}\n", encoding="utf-8")
    (folder / "v.test.yaml").write_text(
        "policy: t.mpol\ncases:\n  - {name: v, person: {id: q}, claims: [], expect: {totals: {patient: 0}}}\n",
        encoding="utf-8")
    report = run([folder])
    outcome = {r.case.name: (r.passed, r.error is not None) for r in report.results}
    assert outcome == {"inpatient then outpatient": (False, True), "n": (False, True), "v": (True, False)}
    assert "level" in next(r for r in report.results if r.case.name.startswith("inp")).error.text("en")


def test_a_draft_policy_runs_against_the_published_tests(folder):
    draft = folder / "draft.mpol"
    draft.write_text((folder / "t.mpol").read_text(encoding="utf-8").replace("ratio 80%", "ratio 90%"),
                     encoding="utf-8")
    assert run([folder / "t.test.yaml"]).ok
    report = run([folder / "t.test.yaml"], policy=str(draft))
    [result] = report.results
    # (600 − 100) × 90% = 450.00
    assert {m.path: m.actual for m in result.mismatches}[("claims", "a", "basic_fund")] == Decimal("450.00")


def test_premium_and_settlement_expectations(tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "policy: shanghai\nperson: {id: p}\nclaims:\n"
        "  - {id: e, date: 2025-09-10, care: emergency, level: \"2\", total: 100.00, settlement: manual}\n"
        "expect:\n  premium: 0\n  settlement:\n    e: {path: nobody}\n", encoding="utf-8")
    [result] = run([scenario]).results
    paths = {m.path for m in result.mismatches}
    assert ("premium",) in paths and ("settlement", "e") in paths


def test_an_expected_figure_with_more_than_cents_is_shown_as_written(folder):
    from medpolicy.policytests.expectations import shown

    _rewrite(folder, "basic_fund: 400.00", "basic_fund: 400.001")
    [mismatch] = run([folder]).results[0].mismatches
    assert (shown(mismatch.expected, mismatch.kind), shown(mismatch.actual, mismatch.kind)) == ("400.001", "400.00")


def test_an_unknown_figure_lists_each_figure_once(tmp_path):
    # Karamay's second payer is `critical_illness`, also the name of a statement figure.
    (tmp_path / "k.test.yaml").write_text(
        "policy: karamay\nperson: {id: p}\ncases:\n  - name: x\n    claims: [{id: a, date: 2026-03-01, care: outpatient, level: '1',"
        " total: 100.00}]\n    expect: {claims: {a: {zzz: 1}}}\n", encoding="utf-8")
    [result] = run([tmp_path]).results
    listed = result.error.text("en")
    assert "names no figure" in listed and listed.count("critical_illness") == 1
