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
    # The scenario that could not run is counted apart, not among those compared.
    assert "1 of 1 scenario(s) have the same figures under both\n" \
           "  1 more scenario(s) cannot be evaluated under A or B (above) and are not compared\n" in result.stdout


def test_the_readme_command_runs(edited):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    line = next(x for x in readme.splitlines() if x.startswith("medpolicy diff "))
    result = invoke(*line.split("#")[0].split()[1:], "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "4 difference(s)" in result.stdout and "Scenarios (A | B" in result.stdout


# ------------------------------------------------------------------ words, not keywords or ids

def copy_with(folder, name, policy_id, *edits):
    text = (POLICIES / f"{policy_id}.mpol").read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) >= 1, old
        text = text.replace(old, new)
    (folder / name).write_text(text, encoding="utf-8")
    return name


def test_clauses_that_are_no_rule_are_said_in_words(monkeypatch, tmp_path):
    monkeypatch.chdir(ROOT)
    zh = invoke("diff", "karamay", "lanzhou", "--lang", "zh").stdout
    assert "计入次数：— | 住院次数 (admissions)\n" in zh  # the counter's declared label
    assert "一并结算：— | 同一医疗机构此前 1 天内的急诊费用一并结算\n" in zh
    # A shared cap by its label.
    assert "年度限额：门诊慢病与住院年度限额 (chronic_and_inpatient_year) | ¥80000\n" in zh
    en = invoke("diff", "karamay", "lanzhou", "--lang", "en").stdout
    assert "counts: — | 住院次数 (admissions)\n" in en
    assert "includes: — | emergency care at the same institution up to 1 day before\n" in en
    monkeypatch.chdir(tmp_path)
    a = copy_with(tmp_path, "a.mpol", "lanzhou")
    b = copy_with(tmp_path, "b.mpol", "lanzhou", ("bands measured above_deductible", "bands measured absolute"),
                  ("band ¥0 .. ¥10000 pays 60%", "band ¥5000 .. ¥10000 pays 60%"),
                  ("rounding half_up to ¥0.01", "rounding half_even to ¥0.01"))
    zh = invoke("diff", a, b, "--lang", "zh").stdout
    assert "  舍入：四舍五入，保留至 ¥0.01 | 四舍六入五成双，保留至 ¥0.01\n" in zh
    assert "分段计算方式：按超过起付线的部分分段 | 按全年累计个人负担分段\n" in zh
    en = invoke("diff", a, b, "--lang", "en").stdout
    assert "  rounding: half_up to ¥0.01 | half_even to ¥0.01\n" in en
    assert "bands measured: above the deductible | on the year's whole burden\n" in en


def test_a_list_that_lost_a_member_says_which(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    b = copy_with(tmp_path, "b.mpol", "karamay", ("diabetes_complications, tuberculosis, drug_resistant_tb",
                                                 "diabetes_complications, drug_resistant_tb"),
                  ("applies to [chronic_outpatient, inpatient]", "applies to [inpatient]"))
    zh = invoke("diff", "karamay", b, "--lang", "zh").stdout
    assert "  ~ 居民门诊慢病 15 种疾病 (chronic_diseases)\n      值：删除 结核 (tuberculosis)\n" in zh
    assert "适用待遇：删除 居民门诊慢病 (chronic_outpatient)\n" in zh
    en = invoke("diff", "karamay", b, "--lang", "en").stdout
    assert "      value: removed 结核 (tuberculosis)\n" in en
    data = json.loads(invoke("diff", "karamay", b, "--format", "json").stdout)
    listed = next(c for c in data["changes"] if c["path"][0]["id"] == "chronic_diseases")
    assert listed["members_removed"] == [{"kind": "condition", "id": "tuberculosis", "label": "结核"}]
    assert listed["members_added"] == [] and "tuberculosis" in listed["a"] and "tuberculosis" not in listed["b"]


# ------------------------------------------------------------------ which file is which

def test_a_bundled_policy_and_a_local_file_of_the_same_name_are_told_apart(monkeypatch, tmp_path):
    monkeypatch.delenv("MEDPOLICY_PATH", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "policies").mkdir()
    copy_with(tmp_path / "policies", "karamay.mpol", "karamay", ("else: ¥400", "else: ¥450"))
    result = invoke("diff", "karamay", "policies/karamay.mpol", "--lang", "en")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].endswith(f"(karamay, {(POLICIES / 'karamay.mpol').resolve()})")  # the bundled one, where it is
    assert lines[1].endswith("(karamay, policies/karamay.mpol)")                       # the one in this folder
    data = json.loads(invoke("diff", "karamay", "policies/karamay.mpol", "--format", "json").stdout)
    assert data["a"]["path"] != data["b"]["path"] == "policies/karamay.mpol"


# ------------------------------------------------------------------ policy test files as scenarios

def test_a_folder_of_policy_test_files_runs_their_cases(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = invoke("diff", "karamay", "lanzhou", "--scenarios", "policies/", "--lang", "en")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "cases: unknown field" not in text and "policies/karamay.test.yaml\n" not in text
    assert "  policies/lanzhou.test.yaml: first admission at level 2\n" \
           "    under A every date moves +122 days, into A's policy year\n" in text
    data = json.loads(invoke("diff", "karamay", "lanzhou", "--scenarios", "policies/", "--format", "json").stdout)
    scenarios = data["scenarios"]
    failed = [s for s in scenarios["changed"] if s["errors"] != {"a": None, "b": None}]
    assert scenarios["failed"] == len(failed) > 0
    assert scenarios["compared"] == scenarios["same"] + len(scenarios["changed"]) - len(failed)
    assert f"  {scenarios['same']} of {scenarios['compared']} scenario(s) have the same figures under both\n" \
           f"  {len(failed)} more scenario(s) cannot be evaluated under A or B (above) and are not compared\n" in text
