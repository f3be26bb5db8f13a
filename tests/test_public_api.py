"""The public Python API services embed: typed, immutable, shareable."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import attrs
import pytest

import medpolicy
from medpolicy.resources import schema_path

from conftest import EXAMPLES, ROOT

PUBLIC_MODULES = ["__init__.py", "explain.py", "errors.py", "limits.py", "program.py", "compare.py"]
"""What a service imports; each passes ``mypy --strict``."""


def test_public_modules_pass_mypy_strict(tmp_path):
    pytest.importorskip("mypy")
    files = [str(ROOT / "medpolicy" / name) for name in PUBLIC_MODULES]
    done = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent",
                           "--cache-dir", str(tmp_path / "mypy"), *files],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_package_says_it_is_typed():
    assert (ROOT / "medpolicy" / "py.typed").is_file()


def test_load_once_evaluate_many_with_the_ten_lines_of_the_readme():
    policy = medpolicy.load_policy("karamay")
    scenario = medpolicy.read_scenario(EXAMPLES / "karamay-pku-case3.yaml")
    statement = medpolicy.evaluate(policy, scenario)
    shape = statement.to_dict(lang="zh")
    assert shape == json.loads(statement.to_json(lang="zh"))
    assert shape["schema_version"] and shape["policy"]["content_hash"] == policy.content_hash
    assert shape["medpolicy_version"] == medpolicy.__version__
    assert statement.to_dict("en")["lang"] == "en"


def test_a_statement_cannot_be_changed():
    statement = medpolicy.evaluate(medpolicy.load_policy("lanzhou"),
                                   medpolicy.read_scenario(EXAMPLES / "lanzhou-chronic-outpatient.yaml"))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        statement.person = "someone else"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        statement.claims[0].patient = 0  # type: ignore[misc]


def test_scenario_errors_carry_the_field_path():
    policy = medpolicy.load_policy("karamay")
    bad = {"person": {"id": "x"}, "claims": [{"id": "a", "date": "2026-02-01", "care": "inpatient", "level": "1",
                                              "total": "100"},
                                             {"id": "b", "date": "2026-02-02", "care": "inpatient", "level": "9",
                                              "total": "100"}]}
    with pytest.raises(medpolicy.ScenarioError) as err:
        medpolicy.evaluate(policy, bad)
    assert err.value.path.startswith("claims[1]") and err.value.path.endswith(".level")


def test_read_scenario_refuses_what_is_no_scenario(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(medpolicy.ScenarioError):
        medpolicy.read_scenario(path)


@pytest.mark.parametrize("name", ["statement", "scenario"])
def test_schemas_are_published_with_the_package(name):
    schema = json.loads(schema_path(name).read_text(encoding="utf-8"))
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert Path(schema_path(name)).name == f"{name}.schema.json"


def test_the_readme_embedding_example_runs_as_written(monkeypatch, capsys):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Embedding"):]
    code = section[section.index("```python\n") + len("```python\n"):]
    code = code[:code.index("```")]
    assert len(code.strip().splitlines()) <= 10
    monkeypatch.chdir(ROOT)
    exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out
    patient, shape = out.split(" ", 1)
    assert json.loads(shape)["totals"]["patient"] == patient
