"""medpolicy diff: what changed between two policies, as text (golden files) and JSON, and its exit codes."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from medpolicy.cli import main

from conftest import EXAMPLES, POLICIES, ROOT, golden_file

GOLDEN = ROOT / "tests" / "golden" / "diff"

# One deductible, one ratio, one band and one premium of the Karamay policy, changed.
EDITS = (('"3": ¥600 }', '"3": ¥800 }'),                      # inpatient deductible at level 3
         ('"2": 75%', '"2": 80%'),                             # inpatient ratio at level 2
         ("band ¥50000 .. ¥100000 pays 65%", "band ¥50000 .. ¥100000 pays 70%"),  # 一般人员, band 2
         ("else: ¥400", "else: ¥450"))                         # the standard premium


@pytest.fixture(autouse=True)
def english_locale(monkeypatch):
    for var in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


def invoke(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def golden(name: str, text: str) -> None:
    golden_file(GOLDEN / name, text)


@pytest.fixture
def edited(tmp_path, monkeypatch):
    """A folder holding my-karamay.mpol (the bundled text with EDITS), policies/ and examples/ (the
    bundled ones), as the current folder: every path the output shows is then the same on every machine."""
    text = (POLICIES / "karamay.mpol").read_text(encoding="utf-8")
    for old, new in EDITS:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    (tmp_path / "my-karamay.mpol").write_text(text, encoding="utf-8")
    (tmp_path / "examples").symlink_to(EXAMPLES, target_is_directory=True)
    (tmp_path / "policies").symlink_to(POLICIES, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_two_cities_match_golden(monkeypatch, lang):
    monkeypatch.chdir(ROOT)
    result = invoke("diff", "karamay", "lanzhou", "--lang", lang)
    assert result.exit_code == 0, result.output
    golden(f"karamay-lanzhou.{lang}.txt", result.stdout)


def test_an_edited_copy_with_the_examples_matches_golden(edited):
    result = invoke("diff", "policies/karamay.mpol", "my-karamay.mpol", "--scenarios", "examples/",
                    "--lang", "zh")
    assert result.exit_code == 0, result.output
    golden("karamay-edited-examples.zh.txt", result.stdout)
    text = result.stdout
    assert "共 4 处不同" in text
    assert '起付线：by claim.level { "1": ¥100, "2": ¥200, "3": ¥600 } | by claim.level { "1": ¥100, "2": ¥200, ' \
           '"3": ¥800 }' in text
    assert "      ~ 第 2 段\n          支付比例：65% | 70%" in text
    levels = text[text.index("examples/karamay-inpatient-levels.yaml"):]
    # Insured 6 years (+3 points): adm-l2 (10000 − 200) × (83% − 78%) = +490.00; adm-l3 owes 800 − 200 instead
    # of 600 − 200: −200 × 68% = −136.00; adm-l2b 3000 × 5% = +150.00; the year +504.00; premium +50.00.
    for line in ("费用 adm-l2（2026-02-10）\n      基本医保：7644.00 | 8134.00（+490.00）",
                 "费用 adm-l3（2026-07-10）\n      基本医保：13328.00 | 13192.00（-136.00）",
                 "费用 adm-l2b（2026-10-10）\n      基本医保：2340.00 | 2490.00（+150.00）",
                 "全年合计\n      基本医保：29752.00 | 30256.00（+504.00）",
                 "个人缴费：400.00 | 450.00（+50.00）"):
        assert line in levels, line
    # adm2's burden crosses ¥50000: 13440 × 60% + 16560 × 70% − (13580 × 60% + 16420 × 65%) = 19656 − 18821.
    assert "大病保险：18821.00 | 19656.00（+835.00）" in text
    # Another city's scenario: neither policy declares its levels; it is reported, not a crash.
    assert "examples/lanzhou-chronic-outpatient.yaml\n    在 A 和 B 下都无法计算：claims[0] (id d1).level" in text


def test_identical_policies_say_so_and_exit_0(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = invoke("diff", "karamay", "policies/karamay.mpol", "--lang", "en", "--exit-code")
    assert result.exit_code == 0, result.output
    golden("identical.en.txt", result.stdout)
    assert "The two policies are identical." in result.stdout


@pytest.mark.parametrize("args, code", [
    (("karamay", "lanzhou"), 0),
    (("karamay", "lanzhou", "--exit-code"), 1),
    (("karamay", "karamay", "--exit-code"), 0),
])
def test_exit_code_only_when_asked(args, code):
    assert invoke("diff", *args).exit_code == code


def test_json_is_the_same_data(edited):
    result = invoke("diff", "policies/karamay.mpol", "my-karamay.mpol", "--format", "json", "--lang", "en",
                    "--scenarios", "examples/karamay-inpatient-levels.yaml", "examples/lanzhou-graduate.yaml")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["identical"] is False and data["b"]["path"] == "my-karamay.mpol"
    assert [(c["path"][-1]["id"], c["field"], c["a"], c["b"]) for c in data["changes"]] == [
        ("inpatient", "deductible", 'by claim.level { "1": ¥100, "2": ¥200, "3": ¥600 }',
         'by claim.level { "1": ¥100, "2": ¥200, "3": ¥800 }'),
        ("inpatient", "ratio", 'by claim.level { "1": 85%, "2": 75%, "3": 65% }',
         'by claim.level { "1": 85%, "2": 80%, "3": 65% }'),
        ("2", "rate", "65%", "70%"),
        ("else", "value", "¥400", "¥450")]
    # The files after --scenarios are scenarios too.
    scenarios = data["scenarios"]["changed"]
    assert [s["scenario"] for s in scenarios] == ["examples/karamay-inpatient-levels.yaml",
                                                  "examples/lanzhou-graduate.yaml"]
    first = scenarios[0]["claims"][0]
    assert first["id"] == "adm-l2" and first["changes"][0] == {"kind": "basic_fund", "a": "7644.00", "b": "8134.00",
                                                               "delta": "490.00"}
    # It names another policy, never loaded: its dates are read in A's year, and both policies take it.
    assert scenarios[1]["errors"] == {"a": None, "b": None} and scenarios[1]["shift_days"] == {"a": 0, "b": 0}


@pytest.mark.parametrize("args", [("karamay",), ("karamay", "lanzhou", "shanghai")])
def test_diff_takes_two_policies(args):
    result = invoke("diff", *args, "--lang", "en")
    assert result.exit_code == 2
    assert "diff compares two policies" in result.output and "Traceback" not in result.output


def test_an_unknown_policy_is_an_error_not_a_traceback():
    result = invoke("diff", "karamay", "lanzho", "--lang", "zh")
    assert result.exit_code == 2 and "lanzhou" in result.output and "Traceback" not in result.output


def test_a_missing_scenario_file_is_reported_in_the_diff(monkeypatch, tmp_path):
    monkeypatch.chdir(ROOT)
    present = tmp_path / "s.yaml"
    present.write_text("person: {id: p}\nclaims: []\n", encoding="utf-8")
    result = invoke("diff", "karamay", "lanzhou", "--scenarios", str(present), str(tmp_path / "gone.yaml"),
                    "--lang", "en")
    assert result.exit_code == 0, result.output
    assert f"{tmp_path / 'gone.yaml'}\n    cannot be evaluated under A or B: " in result.stdout
    assert "1 of 2 scenario(s) have the same figures under both" in result.stdout


def test_the_readme_command_runs(edited):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    line = next(x for x in readme.splitlines() if x.startswith("medpolicy diff "))
    result = invoke(*line.split("#")[0].split()[1:], "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "4 difference(s)" in result.stdout and "Scenarios (A | B" in result.stdout
