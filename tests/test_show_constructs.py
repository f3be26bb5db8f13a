"""``medpolicy show`` of shared deductibles, measures, fixed payments, banded ratios and guarded caps.

tests/show/four_constructs.mpol uses every one of them; its listing is a golden
file in both languages, and the JSON description carries each as data.
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from medpolicy.cli import main

from conftest import ROOT, golden_file

POLICY = "tests/show/four_constructs.mpol"


def invoke(*args):
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_show_of_the_four_constructs_matches_golden(monkeypatch, lang):
    monkeypatch.chdir(ROOT)
    result = invoke("show", POLICY, "--lang", lang)
    assert result.exit_code == 0, result.output
    golden_file(ROOT / "tests" / "golden" / "cli" / f"show-four-constructs.{lang}.txt", result.stdout)


def test_a_pool_deductible_is_shown_by_its_label_and_amount_not_its_id(monkeypatch):
    monkeypatch.chdir(ROOT)
    text = invoke("show", POLICY, "--lang", "en").stdout
    assert "deductible (pool)" not in text
    assert "deductible (shared 门急诊共用起付线, accumulating): ¥300" in text


def test_the_description_carries_each_construct_as_data(monkeypatch):
    monkeypatch.chdir(ROOT)
    data = json.loads(invoke("show", POLICY, "--format", "json").stdout)
    assert data["deductible_pools"] == [{
        "id": "clinic", "label": "门急诊共用起付线", "amount": "¥300", "mode": "accumulating",
        "cite": {"source": "guide", "title": "办理指南", "section": "第三条", "quote": None},
        "at": f"{POLICY}:8"}]
    assert [m["id"] for m in data["measures"]] == ["inpatient_ytd"]
    benefits = {b["id"]: b for b in data["benefits"]}
    assert benefits["newborn"]["pays"] == {"amount": "¥300", "above_covered": True, "cite": None}
    assert benefits["checkup"]["pays"]["above_covered"] is False
    banded = benefits["inpatient"]["ratio_bands"]
    assert banded["label"] == "住院累计（起付线以上）"
    assert [(b["low"], b["high"], b["rate"]) for b in banded["bands"]] == [
        ("¥0", "¥10,000", "70%"), ("¥10,000", None, "80%")]
    assert [c["when"] for c in benefits["outpatient"]["annual_caps"]] == ['claim.level == "1"', 'claim.level != "1"']
    assert benefits["emergency"]["deductible"]["pool"]["label"] == "门急诊共用起付线"
