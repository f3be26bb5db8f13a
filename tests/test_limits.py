"""Each limit is configurable, and each is enforced with a clear message."""
from __future__ import annotations

import pytest

import medpolicy
from medpolicy.errors import EvaluationError, PolicyError, ScenarioError
from medpolicy.limits import DEFAULT_LIMITS, Limits

from conftest import POLICIES

LANZHOU = (POLICIES / "lanzhou.mpol").read_text(encoding="utf-8")


def write(tmp_path, name, text):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def claims(n):
    return [{"id": f"c{i}", "date": "2025-10-01", "care": "inpatient", "level": "1", "total": "100.00"}
            for i in range(n)]


def codes(err: PolicyError) -> list[str]:
    return [d.code for d in err.diagnostics]


def test_policy_file_size(tmp_path):
    path = write(tmp_path, "big.mpol", LANZHOU)
    medpolicy.load_policy(path)  # within the default
    with pytest.raises(PolicyError) as info:
        medpolicy.load_policy(path, limits=Limits(max_policy_bytes=1000))
    assert codes(info.value) == ["E004"] and "over the limit of 1000" in info.value.diagnostics[0].message


def test_nesting_depth(tmp_path):
    path = write(tmp_path, "deep.mpol", LANZHOU.replace("annual cap ¥80000", "annual cap " + "(" * 30 + "¥1"
                                                        + ")" * 30))
    medpolicy.load_policy(path)
    with pytest.raises(PolicyError) as info:
        medpolicy.load_policy(path, limits=Limits(max_nesting=40))
    assert codes(info.value) == ["E006"]
    assert "split the expression" in info.value.diagnostics[0].help


def test_number_of_claims():
    policy = medpolicy.load_policy("lanzhou")
    assert len(medpolicy.evaluate(policy, {"person": {"id": "p"}, "claims": claims(20)}).claims) == 20
    with pytest.raises(ScenarioError, match="20 claims, over the limit of 19"):
        medpolicy.evaluate(policy, {"person": {"id": "p"}, "claims": claims(20)}, limits=Limits(max_claims=19))


def test_size_and_precision_of_amounts():
    policy = medpolicy.load_policy("lanzhou")
    big = claims(1)
    big[0]["total"] = "100000000.01"  # one fen over the default ¥100 million
    with pytest.raises(ScenarioError, match="over the limit of 100000000 yuan"):
        medpolicy.evaluate(policy, {"person": {"id": "p"}, "claims": big})
    fine = claims(1)
    fine[0]["total"] = "100.005"
    with pytest.raises(ScenarioError, match="more than two decimals"):
        medpolicy.evaluate(policy, {"person": {"id": "p"}, "claims": fine})
    from decimal import Decimal
    small = Limits(max_amount=Decimal(50))
    with pytest.raises(ScenarioError, match="over the limit of 50 yuan"):
        medpolicy.evaluate(policy, {"person": {"id": "p"}, "claims": claims(1)}, limits=small)


def test_evaluation_steps():
    policy = medpolicy.load_policy("karamay")
    data = {"person": {"id": "p"}, "claims": claims(5)}
    for claim in data["claims"]:
        claim["date"] = "2026-03-01"
    medpolicy.evaluate(policy, data)
    with pytest.raises(EvaluationError, match="step limit"):
        medpolicy.evaluate(policy, data, limits=Limits(max_steps=50))


def test_scenario_file_size(tmp_path):
    from medpolicy.scenario import load_scenario

    path = write(tmp_path, "s.yaml", "person: {id: p}\nclaims: []\n")
    assert load_scenario(path)["claims"] == []
    with pytest.raises(ScenarioError, match="over the limit of 10"):
        load_scenario(path, Limits(max_scenario_bytes=10))


def test_defaults_are_documented_values():
    assert DEFAULT_LIMITS.max_claims == 10_000 and DEFAULT_LIMITS.max_nesting == 200


# ------------------------------------------------------------------ imports

MODULE = 'module helper "helper"\nlet start_here = policy.start\n'


def policy_importing(path: str) -> str:
    return LANZHOU.replace('counter admissions "住院次数"',
                           f'import "{path}" as helper\ncounter admissions "住院次数"')


@pytest.mark.parametrize("path, words", [
    ("/etc/passwd", "is absolute"),
    ("../outside.mpol", "leaves the policies folder"),
    ("shared/../../outside.mpol", "leaves the policies folder"),
    ("C:/x.mpol", "is absolute"),
])
def test_imports_stay_inside_the_root(tmp_path, path, words):
    write(tmp_path, "outside.mpol", MODULE)
    policy = write(tmp_path / "root", "city.mpol", policy_importing(path))
    with pytest.raises(PolicyError) as info:
        medpolicy.load_policy(policy)
    assert codes(info.value) == ["E301"] and words in info.value.diagnostics[0].message


def test_symbolic_links_out_of_the_root_are_refused(tmp_path):
    write(tmp_path, "outside.mpol", MODULE)
    root = tmp_path / "root"
    root.mkdir()
    (root / "link.mpol").symlink_to(tmp_path / "outside.mpol")
    policy = write(root, "city.mpol", policy_importing("link.mpol"))
    with pytest.raises(PolicyError) as info:
        medpolicy.load_policy(policy)
    assert codes(info.value) == ["E304"]


def test_imports_inside_the_root_work(tmp_path):
    write(tmp_path / "root" / "lib", "helper.mpol", MODULE)
    policy = write(tmp_path / "root", "city.mpol", policy_importing("lib/helper.mpol"))
    assert medpolicy.load_policy(policy).id == "lanzhou"


def test_import_cycles_are_reported_with_the_cycle(tmp_path):
    root = tmp_path / "root"
    write(root, "a.mpol", 'module a "A"\nimport "b.mpol" as b\nlet x = 1\n')
    write(root, "b.mpol", 'module b "B"\nimport "a.mpol" as a\nlet y = 2\n')
    policy = write(root, "city.mpol", policy_importing("a.mpol"))
    with pytest.raises(PolicyError) as info:
        medpolicy.load_policy(policy)
    message = info.value.diagnostics[0].message
    assert codes(info.value) == ["E302"]
    assert message.startswith("import cycle: ") and "a.mpol → " in message and "b.mpol → " in message
