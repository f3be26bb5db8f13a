"""`medpolicy test`: the report (golden, both languages), exit codes, JSON, --update and --policy."""
from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from medpolicy.cli import main

from conftest import ROOT, golden_file

FIXTURES = ROOT / "tests" / "policytests" / "fixtures"
GOLDEN = ROOT / "tests" / "golden" / "cli"


def invoke(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)




@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_failing_run_matches_golden_and_exits_1(monkeypatch, lang):
    monkeypatch.chdir(ROOT)
    result = invoke("test", "tests/policytests/fixtures", "--coverage", "--lang", lang)
    assert result.exit_code == 1
    golden_file(GOLDEN / f"test-fixtures.{lang}.txt", result.stdout)


def test_a_passing_run_exits_0_with_its_summary(folder, monkeypatch):
    monkeypatch.chdir(folder)
    result = invoke("test", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["t.test.yaml: 1 passed", "1 passed, 0 failed"]


def test_json_report(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = invoke("test", "tests/policytests/fixtures", "--format", "json", "--coverage", "--lang", "en")
    data = json.loads(result.stdout)
    assert (data["passed"], data["failed"]) == (1, 2)
    failed = next(c for c in data["cases"] if c["status"] == "failed")
    assert failed["mismatches"] == [{"path": ["claims", "c", "basic_fund"], "line": 22, "expected": "850.00",
                                     "actual": "800.00",
                                     "rules": [f"tests/policytests/fixtures/t.mpol:{line}" for line in (9, 10, 11, 11, 12)]}]
    error = next(c for c in data["cases"] if c["status"] == "error")
    assert "'z'" in error["error"]
    # the ¥1,000 cap limits no payment of the fixtures (case c's is 800.00 of it)
    assert data["coverage"]["tests/policytests/fixtures/t.mpol"]["not_exercised"] == [
        {"kind": "annual_cap", "owner": "住院", "row": None, "file": "tests/policytests/fixtures/t.mpol", "line": 12}]


def test_update_then_the_run_passes(tmp_path, monkeypatch):
    for name in ("t.mpol", "t.test.yaml"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    path = tmp_path / "t.test.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("        z: {patient: 0}\n", "        {}\n"),
                    encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = invoke("test", "--update", "--lang", "en")
    assert "t.test.yaml: 1 figure(s) updated" in result.stderr
    assert result.exit_code == 0, result.output
    assert "c: {deductible: 200.00, basic_fund: 800.00}" in path.read_text(encoding="utf-8")
    assert "# (1200 − 200) × 80% = 800.00" in path.read_text(encoding="utf-8")


def test_policy_option_runs_a_draft(folder, monkeypatch):
    draft = folder / "draft.mpol"
    draft.write_text((folder / "t.mpol").read_text(encoding="utf-8").replace("ratio 50%", "ratio 60%"),
                     encoding="utf-8")
    monkeypatch.chdir(folder)
    result = invoke("test", "t.test.yaml", "--policy", "draft.mpol", "--lang", "en")
    assert result.exit_code == 1
    # 100 × 60% = 60.00
    assert "expect.claims.b.basic_fund (line 13): expected 50.00, got 60.00" in result.stdout


def test_no_test_files_and_unreadable_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("test", "--lang", "en")
    # Finding no test fails: a mistyped path in a CI job must not pass.
    assert result.exit_code == 1
    assert result.stdout.splitlines() == ["no test files found (*.test.yaml, or scenario files with `expect`)",
                                          "0 passed, 0 failed"]
    result = invoke("test", "missing.test.yaml", "--lang", "en")
    assert result.exit_code == 1
    assert "✗ missing.test.yaml: cannot read the test file: No such file or directory" in result.stdout
    (tmp_path / "gbk.test.yaml").write_bytes("cases: []  # 门诊\n".encode("gbk"))
    result = invoke("test", "gbk.test.yaml", "--lang", "en")
    assert "gbk.test.yaml: the test file is not UTF-8 text (save it as UTF-8)" in result.stdout
    (tmp_path / "p.mpol").write_text("policy p {}\n", encoding="utf-8")
    result = invoke("test", "p.mpol", "--lang", "en")
    assert "p.mpol is a policy, not a test file: give its tests (p.test.yaml) or their folder" in result.stdout


def test_a_policy_that_does_not_check_is_shown_once_with_its_diagnostics(folder, monkeypatch):
    monkeypatch.chdir(folder)
    broken = (folder / "t.mpol").read_text(encoding="utf-8") + "let = 3\n"
    (folder / "draft.mpol").write_text(broken, encoding="utf-8")
    # --policy: the draft is reported before any case runs, as `check` reports it
    result = invoke("test", "t.test.yaml", "--policy", "draft.mpol", "--lang", "en")
    assert result.exit_code == 1 and "passed" not in result.stdout
    assert "draft.mpol:20:5: error[E001]: unexpected '='" in result.stderr and "^" in result.stderr
    # the policy beside the tests: its diagnostics under the first case it fails, one line for the others
    (folder / "t.mpol").write_text(broken, encoding="utf-8")
    tests = folder / "t.test.yaml"
    tests.write_text(tests.read_text(encoding="utf-8") + "  - name: another\n    claims: []\n    expect: {}\n",
                     encoding="utf-8")
    result = invoke("test", "t.test.yaml", "--lang", "en")
    assert result.stdout.count("error[E001]: unexpected '='") == 1 and result.stdout.count("could not run") == 2
    assert result.stdout.splitlines()[-1] == "0 passed, 2 failed"
