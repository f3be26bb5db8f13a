"""The medpolicy command: output shapes, exit codes, and no tracebacks for user errors."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from medpolicy.cli import main

from conftest import ROOT

GOLDEN = ROOT / "tests" / "golden" / "cli"
UPDATE = os.environ.get("MEDPOLICY_UPDATE_GOLDEN") == "1"


def invoke(*args, env=None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"missing golden file {path}; run with MEDPOLICY_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


def test_eval_text_matches_golden(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = invoke("eval", "examples/karamay-pku-case3.yaml")
    assert result.exit_code == 0, result.output
    golden("karamay-pku-case3.txt", result.stdout)


def test_eval_json_has_the_contract_shape(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = invoke("eval", "examples/karamay-pku-case3.yaml", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert set(data) == {"policy", "person", "claims", "totals", "premium"}
    assert data["policy"] == {"id": "karamay", "title": data["policy"]["title"],
                              "period": ["2026-01-01", "2026-12-31"]}
    assert data["person"] == "stu-pku"
    claim = data["claims"][0]
    assert set(claim) == {"id", "benefit", "total", "covered", "basic_fund", "critical_illness", "patient",
                          "explanation"}
    assert claim["basic_fund"] == "2600.00"  # 4000 × 65%: the guide's case 3
    for step in claim["explanation"]:
        assert set(step) == {"step", "amount", "source", "cite"}
    assert claim["explanation"][0]["step"].startswith("claim 1 of 3 in processing order (claims are processed by date")
    sources = [s["source"] for s in claim["explanation"] if s["source"]]
    assert all(s.startswith("policies/karamay.mpol:") for s in sources)
    assert set(data["totals"]) == {"total", "covered", "basic_fund", "critical_illness", "fund", "patient"}
    assert data["totals"]["fund"] == "7800.00"  # 3 × 2600
    assert data["premium"]["personal"] == "400.00"


def test_policy_resolves_from_any_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    scenario = write(tmp_path, "s.json", json.dumps({
        "policy": "lanzhou", "person": {"id": "x"},
        "claims": [{"id": "a", "date": "2025-10-01", "care": "inpatient", "level": "2", "total": 1400}]}))
    result = invoke("eval", str(scenario), "--format", "json")
    assert result.exit_code == 0, result.output
    # (1400 − 400) × 85% = 850.00
    assert json.loads(result.stdout)["claims"][0]["basic_fund"] == "850.00"


def test_policy_option_and_search_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = (ROOT / "policies" / "lanzhou.mpol").read_text(encoding="utf-8")
    folder = tmp_path / "mine"
    folder.mkdir()
    write(folder, "gansu.mpol", source.replace("policy lanzhou", "policy gansu").replace("¥400\n", "¥380\n"))
    scenario = write(tmp_path, "s.yaml", "policy: gansu\nperson: {id: x}\nclaims: []\n")
    missing = invoke("eval", str(scenario))
    assert missing.exit_code == 2 and "no policy named 'gansu'" in missing.stderr
    found = invoke("eval", str(scenario), "--format", "json", env={"MEDPOLICY_PATH": str(folder)})
    assert found.exit_code == 0, found.output
    assert json.loads(found.stdout)["premium"]["personal"] == "380.00"
    by_path = invoke("eval", str(scenario), "--policy", str(folder / "gansu.mpol"), "--format", "json")
    assert json.loads(by_path.stdout)["policy"]["id"] == "gansu"
    listing = invoke("policies", env={"MEDPOLICY_PATH": str(folder)})
    assert "gansu" in listing.stdout and "karamay" in listing.stdout


def test_unknown_policy_suggests_a_name(tmp_path):
    scenario = write(tmp_path, "s.yaml", "policy: karamy\nperson: {id: x}\nclaims: []\n")
    result = invoke("eval", str(scenario))
    assert result.exit_code == 2
    assert "did you mean 'karamay'?" in result.stderr


@pytest.mark.parametrize("claim, words", [
    ("{id: a, date: 2026-01-05, care: outpatient, level: '9', total: 10}", "claims[0] (id a).level: unknown level"),
    ("{id: a, date: 2026-01-05, care: outpatient, level: '1', total: -5}", "claims[0] (id a).total: must not be negative"),
    ("{id: a, date: 2026-01-05, care: outpatient, level: '1', total: 5, covered: 6}", "claims[0] (id a).covered"),
    ("{id: a, date: 2026-13-05, care: outpatient, level: '1', total: 5}", "claims[0] (id a).date"),
    ("{id: a, date: 2026-01-05, care: outpatient, level: '1', total: 5, extra: 1}", "claims[0] (id a).extra: unknown field"),
])
def test_bad_scenarios_exit_2_with_one_line(tmp_path, claim, words):
    scenario = write(tmp_path, "bad.yaml", f"policy: karamay\nperson: {{id: x}}\nclaims:\n  - {claim}\n")
    result = invoke("eval", str(scenario))
    assert result.exit_code == 2
    assert words in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_unreadable_scenarios(tmp_path):
    assert invoke("eval", str(write(tmp_path, "x.txt", "hi"))).exit_code == 2
    assert invoke("eval", str(tmp_path / "absent.yaml")).exit_code == 2
    result = invoke("eval", str(write(tmp_path, "x.yaml", "person: [unclosed\n")))
    assert result.exit_code == 2 and "not valid YAML" in result.stderr


def test_no_traceback_without_debug_but_with_it(tmp_path):
    scenario = write(tmp_path, "bad.yaml", "policy: karamay\nperson: {id: x}\nclaims: [{id: a}]\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    plain = subprocess.run([sys.executable, "-m", "medpolicy.cli", "eval", str(scenario)],
                           capture_output=True, text=True, env=env)
    assert plain.returncode == 2
    assert "Traceback" not in plain.stderr and "claims[0] (id a).date: is missing" in plain.stderr
    debug = subprocess.run([sys.executable, "-m", "medpolicy.cli", "--debug", "eval", str(scenario)],
                           capture_output=True, text=True, env=env)
    assert debug.returncode != 0 and "Traceback" in debug.stderr


def test_check_passes_the_bundled_policies():
    result = invoke("check", "karamay", "lanzhou", "shanghai")
    assert result.exit_code == 0
    assert result.stdout.count(": ok") == 3


def test_check_fails_with_diagnostics(tmp_path):
    bad = write(tmp_path, "bad.mpol", 'policy bad {\n  title "B"\n  year 2026-01-01 .. 2026-12-31\n}\n'
                'levels { "1" "一级" }\n'
                'benefit b "B" {\n  priority 1\n  when claim.care == inpatiant\n  ratio 50%\n}\n')
    result = invoke("check", str(bad))
    assert result.exit_code == 1
    assert "error[E200]: unknown name 'inpatiant'" in result.stderr
    assert "help: did you mean 'inpatient'?" in result.stderr
    as_json = invoke("check", str(bad), "--format", "json")
    report = json.loads(as_json.stdout)
    assert report[0]["ok"] is False and report[0]["diagnostics"][0]["code"] == "E200"
    assert report[0]["diagnostics"][0]["line"] == 8


def test_policies_lists_the_bundled_ones():
    result = invoke("policies")
    names = [line.split("\t")[0] for line in result.stdout.splitlines()]
    assert {"karamay", "lanzhou", "shanghai"} <= set(names)
