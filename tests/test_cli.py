"""The medpolicy command: output shapes, exit codes, and no tracebacks for user errors."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from medpolicy.cli import main

from conftest import ROOT, golden_file

GOLDEN = ROOT / "tests" / "golden" / "cli"


@pytest.fixture(autouse=True)
def english_locale(monkeypatch):
    """Commands default to the locale's language; these tests run in an English one unless they say otherwise."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


def invoke(*args, env=None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def golden(name: str, text: str) -> None:
    golden_file(GOLDEN / name, text)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_eval_text_matches_golden(monkeypatch, lang):
    monkeypatch.chdir(ROOT)
    result = invoke("eval", "examples/karamay-pku-case3.yaml", "--lang", lang)
    assert result.exit_code == 0, result.output
    golden(f"karamay-pku-case3.{lang}.txt", result.stdout)


def test_eval_without_explanation_matches_golden(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = invoke("eval", "examples/karamay-pku-case3.yaml", "--lang", "zh", "--no-explain")
    assert result.exit_code == 0, result.output
    golden("karamay-pku-case3.no-explain.zh.txt", result.stdout)
    explained = invoke("eval", "examples/karamay-pku-case3.yaml", "--lang", "zh").stdout
    # the same table and totals, without the steps
    assert explained.startswith(result.stdout.rsplit("\n", 2)[0])


@pytest.mark.parametrize("env, first_line", [
    ({"LC_ALL": "", "LC_MESSAGES": "", "LANG": "zh_CN.UTF-8", "LANGUAGE": ""}, "保险年度"),
    ({"LC_ALL": "", "LC_MESSAGES": "", "LANG": "en_US.UTF-8", "LANGUAGE": ""}, "policy year"),
])
def test_language_defaults_to_the_locale(monkeypatch, env, first_line):
    monkeypatch.chdir(ROOT)
    result = invoke("eval", "examples/karamay-pku-case3.yaml", env=env)
    assert first_line in result.stdout.splitlines()[0]


def test_chinese_statement_names_no_internal_identifier(monkeypatch):
    """What a Chinese reader sees: declared labels, never policy ids or English fact names."""
    monkeypatch.chdir(ROOT)
    for example in sorted((ROOT / "examples").glob("*.yaml")):
        text = invoke("eval", str(example.relative_to(ROOT)), "--lang", "zh").stdout
        scenario = yaml.safe_load(example.read_text(encoding="utf-8"))
        # The scenario's own ids (person, claims, institutions) are the user's words, not ours.
        ids = [scenario["person"]["id"]] + [c["id"] for c in scenario["claims"]] + [
            c["institution"] for c in scenario["claims"] if "institution" in c]
        for own in sorted(map(str, ids), key=len, reverse=True):
            text = text.replace(own, "")
        prose = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("←"))
        for internal in ("needy", "paid_on_time", "waiting_period", "benefits_start", "variable_wait",
                         "claim.level", "claim.", "person.", " = true", " = false", "absent", "inpatient",
                         "outpatient", "chronic_outpatient", "general_outpatient_visits"):
            assert internal not in prose, (example.name, internal)


def test_eval_json_has_the_contract_shape(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = invoke("eval", "examples/karamay-pku-case3.yaml", "--format", "json", "--lang", "en")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert set(data) == {"schema_version", "medpolicy_version", "lang", "policy", "person", "notes", "claims",
                         "totals", "premium"}
    assert data["schema_version"] == "2.0" and data["lang"] == "en"
    assert data["policy"]["id"] == "karamay" and data["policy"]["period"] == ["2026-01-01", "2026-12-31"]
    assert data["policy"]["content_hash"].startswith("sha256:")
    assert data["person"] == "stu-pku"
    claim = data["claims"][0]
    assert claim["status"] == "paid" and claim["benefit_id"] == "chronic_outpatient"
    assert claim["basic_fund"] == "2600.00"  # 4000 × 65%: the guide's case 3
    for step in claim["explanation"]:
        assert set(step) == {"kind", "text", "amount", "rule", "data", "source", "cite"}
    first = claim["explanation"][0]
    assert first["kind"] == "order" and first["data"] == {"position": 1, "count": 3}
    assert first["text"] == "claim 1 of 3 in processing order"
    ratio = next(s for s in claim["explanation"] if s["kind"] == "ratio")
    assert ratio["data"]["ratio"] == "65%" and "65%" in ratio["cite"]["quote"]
    sources = [s["source"] for s in claim["explanation"] if s["source"]]
    assert all(s.startswith("policies/karamay.mpol:") for s in sources)
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


def test_verify_without_hypothesis_says_what_to_install():
    """A plain `pip install .` has no hypothesis: verify says so in one line instead of a traceback."""
    blocked = ("import sys; sys.modules['hypothesis'] = None; sys.argv = ['medpolicy', 'verify', 'lanzhou'];"
               " from medpolicy.cli import main; main()")
    run = subprocess.run([sys.executable, "-c", blocked], capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=str(ROOT), LANG="C.UTF-8"))
    assert run.returncode == 2, run.stderr
    assert run.stderr.strip() == "error: medpolicy verify needs hypothesis: pip install 'medpolicy[verify]'"


def test_serve_without_its_extra_says_what_to_install_in_the_language_asked_for(monkeypatch):
    import importlib.util

    found = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *rest: None if name == "uvicorn" else found(name, *rest))
    for lang, expected in (("en", "error: medpolicy serve needs uvicorn: pip install 'medpolicy[service]'\n"),
                           ("zh", "错误：medpolicy serve 需要 uvicorn：pip install 'medpolicy[service]'\n")):
        result = CliRunner().invoke(main, ["serve", "--lang", lang])
        assert (result.exit_code, result.stderr) == (2, expected)
    assert CliRunner().invoke(main, ["serve", "--debug", "--help"]).exit_code == 0


def test_with_several_scenarios_an_error_names_its_file(tmp_path):
    bad = write(tmp_path, "dup.yaml", "policy: karamay\nperson: {id: a}\nclaims: []\nclaims: []\n")
    good = ROOT / "examples" / "karamay-pku-case3.yaml"
    result = CliRunner().invoke(main, ["eval", str(good), str(bad)])
    assert result.exit_code == 2
    assert result.stderr == f"error: {bad}: key 'claims' is given twice (line 4); the second would replace the first\n"
    # one file: the message as it was, the file being the one given
    assert invoke("eval", str(bad)).stderr.startswith("error: key 'claims' is given twice")


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


def test_every_command_speaks_the_language_asked_for(monkeypatch):
    monkeypatch.chdir(ROOT)
    zh = invoke("check", "karamay", "--lang", "zh")
    en = invoke("check", "karamay", "--lang", "en")
    assert zh.stdout.strip() == "policies/karamay.mpol：检查通过（7 项待遇）"
    assert en.stdout.strip() == "policies/karamay.mpol: ok (7 benefits)"
    for command in (["policies"], ["verify", "lanzhou", "--examples", "5"], ["eval", "examples/karamay-pku-case3.yaml"]):
        assert invoke(*command, "--lang", "zh").exit_code == 0


# ------------------------------------------------ diagnostics and errors in Chinese

BAD_POLICY = ('policy bad {\n  title "B"\n  year 2026-01-01 .. 2026-12-31\n}\n'
              'levels { "1" "一级" }\n'
              'benefit b "B" {\n  priority 1\n  when claim.care == inpatiant\n  ratio 50%\n}\n')


def test_check_speaks_chinese(tmp_path):
    bad = write(tmp_path, "bad.mpol", BAD_POLICY)
    result = invoke("check", str(bad), "--lang", "zh")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    # The location, source line and caret are those of the English rendering; the words are Chinese.
    assert lines[0] == f"{bad}:8:22: 错误[E200]：名称 'inpatiant' 没有定义"
    assert lines[1:3] == invoke("check", str(bad), "--lang", "en").stderr.splitlines()[1:3]
    assert lines[3] == "  提示：是不是想写 'inpatient'？"
    assert lines[4] == f"{bad}：发现 1 个问题"


def test_check_json_speaks_the_language_asked_for(tmp_path):
    bad = write(tmp_path, "bad.mpol", BAD_POLICY)
    zh = json.loads(invoke("check", str(bad), "--format", "json", "--lang", "zh").stdout)[0]["diagnostics"][0]
    en = json.loads(invoke("check", str(bad), "--format", "json", "--lang", "en").stdout)[0]["diagnostics"][0]
    assert zh["message"] == "名称 'inpatiant' 没有定义" and zh["help"] == "是不是想写 'inpatient'？"
    assert en["message"] == "unknown name 'inpatiant'" and en["help"] == "did you mean 'inpatient'?"
    # The data a service would localize itself is the same in both.
    for key in ("code", "severity", "line", "column", "message_id", "args", "help_id", "help_args"):
        assert zh[key] == en[key]
    assert (zh["message_id"], zh["args"]) == ("E200.name", {"name": "inpatiant"})
    assert (zh["help_id"], zh["help_args"]) == ("help.did_you_mean", {"name": "inpatient"})


def test_scenario_error_in_chinese(tmp_path):
    scenario = write(tmp_path, "bad.yaml", "policy: karamay\nperson: {id: x}\nclaims:\n"
                     "  - {id: a, date: 2026-01-05, care: outpatient, level: '9', total: 10}\n")
    result = invoke("eval", str(scenario), "--lang", "zh")
    assert result.exit_code == 2
    assert result.stderr == "错误：claims[0] (id a).level：未知的医疗机构级别 '9'（可选：1、2、3）\n"
    assert "Traceback" not in result.output


@pytest.mark.parametrize("claim, words", [
    ("{id: a, date: 2026-01-05, care: outpatient, level: '1', total: -5}", "claims[0] (id a).total：不能为负数（-5）"),
    ("{id: a, date: 2026-01-05, care: outpatien, level: '1', total: 5}",
     "claims[0] (id a).care：未知的就诊类型 'outpatien'；是不是想写 'outpatient'？"),
    ("{id: a, date: 2026-01-05, care: outpatient, level: '1', total: 5, covered: 6}",
     "claims[0] (id a).covered：合规费用（6.00）大于总费用（5.00）"),
    ("{id: a, care: outpatient, level: '1', total: 5}", "claims[0] (id a).date：缺少此项"),
    ("{id: a, date: 2026-01-05, care: outpatient, level: '1', total: 5, totl: 1}",
     "claims[0] (id a).totl：没有这个字段；是不是想写 'total'？"),
])
def test_scenario_errors_in_chinese_keep_the_field_path(tmp_path, claim, words):
    scenario = write(tmp_path, "bad.yaml", f"policy: karamay\nperson: {{id: x}}\nclaims:\n  - {claim}\n")
    result = invoke("eval", str(scenario), "--lang", "zh")
    assert result.exit_code == 2
    assert result.stderr == f"错误：{words}\n"


def test_unknown_policy_in_chinese(tmp_path):
    scenario = write(tmp_path, "s.yaml", "policy: karamy\nperson: {id: x}\nclaims: []\n")
    result = invoke("eval", str(scenario), "--lang", "zh")
    assert result.exit_code == 2
    assert result.stderr.startswith("错误：没有名为 'karamy' 的政策；是不是想写 'karamay'？（现有政策：")


def test_policy_error_during_eval_in_chinese(tmp_path):
    write(tmp_path, "bad.mpol", BAD_POLICY)
    scenario = write(tmp_path, "s.yaml", "policy: bad.mpol\nperson: {id: x}\nclaims: []\n")
    result = invoke("eval", str(scenario), "--lang", "zh")
    assert result.exit_code == 1
    assert "错误[E200]：名称 'inpatiant' 没有定义" in result.stderr and "提示：" in result.stderr


def test_scenario_without_policy_in_chinese(tmp_path):
    scenario = write(tmp_path, "s.yaml", "person: {id: x}\nclaims: []\n")
    result = invoke("eval", str(scenario), "--lang", "zh")
    assert result.exit_code == 2
    assert "场景文件没有指明政策" in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize("command", [["check", "{bad}"], ["eval", "{scenario}"]])
def test_diagnostics_and_errors_default_to_a_chinese_locale(tmp_path, command):
    bad = write(tmp_path, "bad.mpol", BAD_POLICY)
    scenario = write(tmp_path, "bad.yaml", "policy: karamay\nperson: {id: x}\nclaims: [{id: a}]\n")
    args = [part.format(bad=bad, scenario=scenario) for part in command]
    zh_env = {"LC_ALL": "", "LC_MESSAGES": "", "LANG": "zh_CN.UTF-8", "LANGUAGE": ""}
    chinese = invoke(*args, env=zh_env).stderr
    assert ("错误[" in chinese or chinese.startswith("错误：")) and "error" not in chinese.replace(str(tmp_path), "")
    english = invoke(*args, env=dict(zh_env, LANG="en_US.UTF-8")).stderr
    assert ("error[" in english or english.startswith("error: ")) and "错误" not in english


def test_no_traceback_in_chinese_either(tmp_path):
    scenario = write(tmp_path, "bad.yaml", "policy: karamay\nperson: {id: x}\nclaims: [{id: a}]\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT), LANG="zh_CN.UTF-8", LC_ALL="", LC_MESSAGES="", LANGUAGE="")
    plain = subprocess.run([sys.executable, "-m", "medpolicy.cli", "eval", str(scenario)],
                           capture_output=True, text=True, env=env)
    assert plain.returncode == 2
    assert plain.stderr == "错误：claims[0] (id a).date：缺少此项\n"


def test_every_command_takes_lang():
    for name, command in main.commands.items():
        assert "lang" in [p.name for p in command.params], name


@pytest.mark.parametrize("lang, fmt", [("zh", "text"), ("en", "text"), ("zh", "md")])
def test_compare_matches_golden(monkeypatch, lang, fmt):
    monkeypatch.chdir(ROOT)
    result = invoke("compare", "examples/karamay-pku-case3.yaml", "--policies", "karamay,lanzhou,shanghai",
                    "--no-explain", "--lang", lang, "--format", fmt)
    assert result.exit_code == 0, result.output
    golden(f"compare-karamay-pku-case3.{lang}.{'md' if fmt == 'md' else 'txt'}", result.stdout)


def test_compare_json_is_the_comparison_shape(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = invoke("compare", "examples/karamay-pku-case3.yaml", "--policies", "karamay, shanghai",
                    "--format", "json", "--lang", "en")
    assert result.exit_code == 0, result.output
    shape = json.loads(result.stdout)
    assert shape["home"] == "karamay" and [p["policy"] for p in shape["policies"]] == ["karamay", "shanghai"]
    karamay = shape["policies"][0]
    # The guide's case 3: three PKU outpatient claims of ¥4,000, each ¥1,400 for the patient; premium ¥400.
    assert karamay["patient"] == "4200.00" and karamay["net"] == "4600.00"  # 400 + 3 × 1400


def test_compare_refuses_an_unknown_policy_without_a_traceback(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["compare", "examples/karamay-pku-case3.yaml", "--policies",
                                       "karamay,lanzhuo", "--lang", "en"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "lanzhou" in result.output


def test_the_readme_shows_the_comparison_the_command_prints():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = readme[readme.index("$ medpolicy compare"):]
    shown = shown[shown.index("\n") + 1:shown.index("```")]
    assert shown == (GOLDEN / "compare-karamay-pku-case3.zh.txt").read_text(encoding="utf-8")


def test_compare_what_if_matches_golden(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = invoke("compare", "examples/karamay-outpatient-year-cap.yaml", "--policies", "karamay",
                    "--set", "general_outpatient_year=¥1200", "--no-explain", "--lang", "zh")
    assert result.exit_code == 0, result.output
    golden("compare-what-if-outpatient-cap.zh.txt", result.stdout)


def test_compare_what_if_error_is_one_line_without_traceback(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["compare", "examples/karamay-outpatient-year-cap.yaml", "--policies",
                                       "karamay", "--set", "general_outpatient_yer=¥1200", "--lang", "en"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "did you mean 'general_outpatient_year'" in result.output


# ------------------------------------------------------------------ rough edges a new user met

def test_debug_is_accepted_after_the_command_too(tmp_path):
    scenario = write(tmp_path, "bad.yaml", "policy: karamay\nperson: {id: x}\nclaims: [{id: a}]\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    after = subprocess.run([sys.executable, "-m", "medpolicy.cli", "eval", str(scenario), "--debug"],
                           capture_output=True, text=True, env=env)
    assert after.returncode != 0 and "Traceback" in after.stderr


@pytest.mark.parametrize("args", [["-h"], ["eval", "-h"], ["compare", "-h"], ["check", "-h"]])
def test_dash_h_is_help(args):
    result = invoke(*args)
    assert result.exit_code == 0 and result.output.startswith("Usage: ") and "--help" in result.output


def test_eval_takes_several_scenarios():
    a, b = "examples/karamay-pku-case3.yaml", "examples/shanghai-no-card.yaml"
    text = invoke("eval", a, b, "--no-explain")
    assert text.exit_code == 0
    assert text.output == invoke("eval", a, "--no-explain").output + "\n" + invoke("eval", b, "--no-explain").output
    data = json.loads(invoke("eval", a, b, "--format", "json", "--no-explain").output)
    assert [d["policy"]["id"] for d in data] == ["karamay", "shanghai"]
    assert isinstance(json.loads(invoke("eval", a, "--format", "json").output), dict)  # one file: one statement


def test_policies_prints_paths_that_exist_from_anywhere(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    lines = invoke("policies").output.splitlines()
    assert lines and all(Path(line.split("\t")[2]).is_file() for line in lines)


@pytest.mark.parametrize("name, text", [
    ("twice.yaml", "policy: karamay\nperson: {id: a}\nclaims: []\nclaims: [{id: x}]\n"),
    ("twice.json", '{"policy": "karamay", "person": {"id": "a"}, "claims": [], "claims": []}'),
    ("nested.json", '{"policy": "karamay", "person": {"id": "a", "id": "b"}, "claims": []}'),
])
def test_a_key_given_twice_is_refused(tmp_path, name, text):
    result = invoke("eval", str(write(tmp_path, name, text)))
    assert result.exit_code == 2 and "is given twice" in result.stderr


def test_a_byte_order_mark_is_accepted_in_json_as_in_yaml(tmp_path):
    body = '{"policy": "karamay", "person": {"id": "a"}, "claims": []}'
    for name in ("bom.json", "bom.yaml"):
        path = tmp_path / name
        path.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
        assert invoke("eval", str(path), "--no-explain").exit_code == 0, name


# ------------------------------------------------------------------ show

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_show_matches_golden(monkeypatch, lang):
    monkeypatch.chdir(ROOT)
    result = invoke("show", "karamay", "--lang", lang)
    assert result.exit_code == 0, result.output
    golden(f"show-karamay.{lang}.txt", result.stdout)


@pytest.mark.parametrize("policy_id", ["karamay", "lanzhou", "shanghai"])
def test_show_lists_what_a_scenario_may_say_and_the_benefits_by_priority(policy_id):
    import medpolicy

    policy = medpolicy.load_policy(policy_id)
    text = invoke("show", policy_id, "--lang", "zh").stdout
    for level, name in policy.levels.items():
        assert f"{level} {name}" in text
    for condition, name in policy.conditions.items():
        assert f"{condition} {name}" in text
    assert "manual 手工报销" in text and "break 寒暑假" in text
    positions = [text.index(f"  {b.id} {b.title}  [") for b in policy.benefits]
    assert positions == sorted(positions)  # highest priority first
    data = json.loads(invoke("show", policy_id, "--format", "json").stdout)
    assert data["id"] == policy_id and [b["id"] for b in data["benefits"]] == [b.id for b in policy.benefits]
    assert data["levels"] == policy.levels


@pytest.mark.parametrize("command", [["test"], ["fmt"], ["check"], ["eval"]])
def test_a_path_the_system_refuses_is_a_message_not_a_traceback(tmp_path, command):
    # Found by fuzzing the loader: a name over the file system's length limit raised OSError.
    too_long = str(tmp_path / ("é" * 200 + ".yaml"))
    result = CliRunner().invoke(main, [*command, too_long])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.startswith("error: ") and "Traceback" not in result.output


def test_show_lists_the_histories_under_their_own_heading(tmp_path):
    path = tmp_path / "history.mpol"
    path.write_text('policy t {\n  title "T"\n  year 2026-01-01 .. 2026-12-31\n}\nlevels { "1" "一级" }\n'
                    'history paid "本年已报销" = sum earlier.basic_fund where earlier.care == inpatient\n'
                    'benefit b "B" {\n  priority 1\n  when claim.care == inpatient\n  no deductible\n'
                    '  ratio if paid > ¥100 then 50% else 60%\n}\n', encoding="utf-8")
    text = invoke("show", str(path), "--lang", "en").stdout
    assert "Histories (queries over the year's earlier settled claims)\n  paid 本年已报销 = sum earlier.basic_fund " \
           "where earlier.care == inpatient  [history, " in text
    assert "Named values" not in text


def test_check_counts_in_english_with_the_singular_for_one(tmp_path):
    text = (ROOT / "tests" / "language" / "fixed_payment" / "bad_negative_amount.yaml").read_text(encoding="utf-8")
    broken = write(tmp_path, "broken.mpol", yaml.safe_load(text)["policy"])
    result = CliRunner().invoke(main, ["check", str(broken), "--lang", "en"])
    assert result.stderr.rstrip().endswith("broken.mpol: 1 problem"), result.stderr
    two = write(tmp_path, "two.mpol", yaml.safe_load(text)["policy"].replace("pays -¥1,500", "pays -¥1,500\n  visit cap -¥5"))
    result = CliRunner().invoke(main, ["check", str(two), "--lang", "en"])
    assert result.stderr.rstrip().endswith("two.mpol: 2 problems"), result.stderr
