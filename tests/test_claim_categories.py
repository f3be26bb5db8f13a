"""Claim categories (``categories { … }``, ``claim.category``) end to end: the scenario
contract, the explanation, show, diff, fmt, compare, batch, verify and the language server."""
from __future__ import annotations

import csv
import json

import pytest

import medpolicy
from medpolicy.compare import compare
from medpolicy.describe import describe
from medpolicy.errors import ScenarioError
from medpolicy.formatter import format_source
from medpolicy.lsp.analysis import analyze
from medpolicy.lsp.features import completions
from medpolicy.policy_diff import diff_policies
from medpolicy.render_diff import render_diff_text
from medpolicy.render_show import render_show
from medpolicy.render_text import render_text
from medpolicy.verify import scenario_violations

from conftest import D

HEADER = """policy cats {
  title "分类"
  year 2026-01-01 .. 2026-12-31
  rounding half_up to ¥0.01
}
levels { "1" "一级" }
"""
CATEGORIES = 'categories { drug "药品" pharmacy "定点零售药店购药" maternity "生育医疗费用" }\n'
BENEFITS = """benefit pharmacy_purchase "定点零售药店购药" {
  priority 2
  when claim.category == pharmacy
  no deductible
  ratio 50%
  annual cap ¥300
}
benefit outpatient "普通门诊" {
  priority 1
  when claim.care == outpatient
  no deductible
  ratio 70%
}
"""
TEXT = HEADER + CATEGORIES + BENEFITS


@pytest.fixture(scope="module")
def policy():
    return medpolicy.check_source(TEXT, "cats.mpol")


def scenario(**fields):
    claim = {"id": "c1", "date": "2026-03-01", "care": "outpatient", "level": "1", "total": "400.00"}
    claim.update(fields)
    return {"person": {"id": "p"}, "claims": [claim]}


# ------------------------------------------------------------------ the scenario contract

def test_a_declared_category_is_read_and_decides_the_benefit(policy):
    statement = medpolicy.evaluate(policy, scenario(category="pharmacy"))
    (claim,) = statement.claims
    assert (claim.benefit, claim.basic_fund, claim.patient) == ("pharmacy_purchase", D("200.00"), D("200.00"))
    (without,) = medpolicy.evaluate(policy, scenario()).claims
    assert (without.benefit, without.basic_fund) == ("outpatient", D("280.00"))


def test_an_unknown_category_is_refused_with_the_field_and_a_suggestion(policy):
    with pytest.raises(ScenarioError) as info:
        medpolicy.evaluate(policy, scenario(category="pharmcy"))
    assert info.value.path == "claims[0] (id c1).category"
    assert "did you mean 'pharmacy'?" in str(info.value)


def test_a_policy_without_categories_refuses_a_category_as_it_refuses_a_condition():
    plain = medpolicy.check_source(HEADER + BENEFITS.split("benefit outpatient")[0].replace(
        "claim.category == pharmacy", "claim.care == inpatient"), "plain.mpol")
    for field, value in (("category", "pharmacy"), ("condition", "pku")):
        with pytest.raises(ScenarioError) as info:
            medpolicy.evaluate(plain, scenario(**{field: value}))
        assert info.value.path == f"claims[0] (id c1).{field}"
        # Not an empty list of choices: the policy declares none of them.
        assert f"unknown {field} '{value}': this policy declares none" in str(info.value)


def test_a_category_that_is_no_text_is_refused(policy):
    with pytest.raises(ScenarioError) as info:
        medpolicy.evaluate(policy, scenario(category=3))
    assert info.value.path == "claims[0] (id c1).category"


# ------------------------------------------------------------------ the explanation

@pytest.mark.parametrize("lang, shown", [("zh", "，定点零售药店购药）"), ("en", "(category: 定点零售药店购药)")])
def test_the_benefit_step_shows_the_category_by_its_label_never_its_id(policy, lang, shown):
    statement = medpolicy.evaluate(policy, scenario(category="pharmacy"))
    (event,) = [e for e in statement.claims[0].events if e.kind == "benefit"]
    assert event.data["category"] == "pharmacy"
    text = render_text(statement, lang)
    line = next(line for line in text.splitlines() if "pharmacy_purchase" in line or "适用待遇" in line)
    assert shown in line and "pharmacy)" not in line and "，pharmacy" not in line


def test_the_statement_json_carries_the_category_of_the_benefit_step(policy):
    data = medpolicy.evaluate(policy, scenario(category="drug")).to_dict("en")
    (step,) = [e for e in data["claims"][0]["explanation"] if e["kind"] == "benefit"]
    assert step["data"]["category"] == "drug" and step["text"].endswith("(category: 药品)")
    (none,) = [e for e in medpolicy.evaluate(policy, scenario()).to_dict("en")["claims"][0]["explanation"]
               if e["kind"] == "benefit"]
    assert none["data"]["category"] is None


@pytest.mark.parametrize("lang, shown", [
    ("zh", "本政策没有适用于此笔费用的待遇（住院，一级，药品），基金不予支付"),
    ("en", "no benefit of this policy covers inpatient care at level 1 (category: 药品): the policy pays nothing"),
])
def test_a_claim_no_benefit_takes_says_its_category_by_label(policy, lang, shown):
    # Care no benefit takes, of a category: the student reads which kind of cost found no benefit.
    statement = medpolicy.evaluate(policy, scenario(care="inpatient", category="drug"))
    (claim,) = statement.claims
    assert (claim.status, claim.basic_fund, claim.patient) == ("no_benefit", D("0.00"), D("400.00"))
    (event,) = [e for e in claim.events if e.kind == "no_benefit"]
    assert event.data["category"] == "drug"
    assert shown in render_text(statement, lang)
    (plain,) = [e for e in medpolicy.evaluate(policy, scenario(care="inpatient")).claims[0].events
                if e.kind == "no_benefit"]
    assert plain.data["category"] is None


# ------------------------------------------------------------------ show, diff, fmt

@pytest.mark.parametrize("lang, line", [
    ("zh", "  费用类别（claim.category）：drug 药品、pharmacy 定点零售药店购药、maternity 生育医疗费用"),
    ("en", "  categories (claim.category): drug (药品), pharmacy (定点零售药店购药), maternity (生育医疗费用)"),
])
def test_show_lists_the_categories_with_their_labels(policy, lang, line):
    assert describe(policy)["categories"] == {"drug": "药品", "pharmacy": "定点零售药店购药",
                                              "maternity": "生育医疗费用"}
    shown = render_show(policy, describe(policy), lang)
    assert line in shown.splitlines()


def test_diff_reports_added_removed_and_relabelled_categories(policy):
    other = medpolicy.check_source(TEXT.replace('drug "药品" ', "").replace(
        'maternity "生育医疗费用"', 'maternity "生育医疗费用（产前检查）" device "医用耗材"'), "other.mpol")
    changes = {(c.path[0].kind, c.path[0].id, c.field): c for c in diff_policies(policy, other).changes}
    assert set(changes) == {("category", "drug", ""), ("category", "device", ""), ("category", "maternity", "name")}
    assert changes[("category", "drug", "")].removed and changes[("category", "device", "")].added
    relabelled = changes[("category", "maternity", "name")]
    assert (relabelled.a, relabelled.b) == ("生育医疗费用", "生育医疗费用（产前检查）")
    assert all(c.section == "category" for c in changes.values())
    text = render_diff_text(diff_policies(policy, other), lang="en")
    assert "Categories (claim.category)" in text


def test_fmt_puts_one_category_on_each_line():
    messy = HEADER + 'categories {   drug "药品"  pharmacy "定点零售药店购药" }\n' + BENEFITS
    formatted = format_source(messy)
    assert 'categories {\n  drug "药品"\n  pharmacy "定点零售药店购药"\n}\n' in formatted
    assert format_source(formatted) == formatted


# ------------------------------------------------------------------ compare, batch, verify

def test_compare_drops_a_category_the_other_policy_does_not_declare(policy):
    plain = medpolicy.check_source(TEXT.replace(CATEGORIES, "").replace(
        "claim.category == pharmacy", "claim.care == inpatient"), "plain.mpol")
    data = scenario(category="pharmacy")
    data["policy"] = "cats"
    comparison = compare(data, [policy, plain])
    notes = [(n.kind, n.data) for n in comparison.outcomes[1].notes]
    assert ("category_dropped", {"claim": "c1", "category": "pharmacy", "category_name": "定点零售药店购药"}) in notes
    assert comparison.outcomes[1].statement.claims[0].benefit == "outpatient"


def test_a_claims_table_may_have_a_category_column(tmp_path):
    from medpolicy.batch import run_batch

    (tmp_path / "cats.mpol").write_text(TEXT, encoding="utf-8")
    table = tmp_path / "claims.csv"
    with table.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["person_id", "id", "date", "care", "level", "total", "claim_category"])
        writer.writerow(["p", "c1", "2026-03-01", "outpatient", "1", "400.00", "pharmacy"])
    run_batch(table, tmp_path / "out.jsonl", policy=tmp_path / "cats.mpol", workers=1, progress=False)
    (line,) = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    claim = json.loads(line)["claims"][0]
    assert claim["benefit_id"] == "pharmacy_purchase"


def test_verify_generates_categories_the_policy_declares(policy):
    from hypothesis import given, settings

    from medpolicy.verify import scenario_strategy

    seen = set()

    @settings(max_examples=60, deadline=None, database=None)
    @given(scenario_strategy(policy, max_claims=4))
    def check(data):
        seen.update(c.get("category") for c in data["claims"])
        assert scenario_violations(policy, data) == []

    check()
    assert seen - {None} <= set(policy.categories) and seen - {None}


# ------------------------------------------------------------------ the language server

def test_completion_offers_the_categories_and_the_fact(tmp_path):
    path = tmp_path / "cats.mpol"
    analysis = analyze(TEXT, path)
    text = TEXT + "let x = claim."
    lines = text.split("\n")
    facts = completions(analysis.index, text, len(lines) - 1, len(lines[-1]), "en")
    category = next(item for item in facts if item.label == "category")
    assert "category" in category.detail
    text = TEXT + 'benefit b "b" {\n  when claim.category == '
    lines = text.split("\n")
    names = {item.label: item for item in completions(analysis.index, text, len(lines) - 1, len(lines[-1]), "en")}
    assert {"drug", "pharmacy", "maternity"} <= set(names)
    assert names["pharmacy"].kind == "category"
    text = HEADER + "categories {\n  "
    lines = text.split("\n")
    assert completions(analysis.index, text, len(lines) - 1, len(lines[-1]), "en") == []  # ids are new words
