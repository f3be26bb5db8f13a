"""Reading test files: cases, expectations with their places, and malformed files refused with their line."""
from __future__ import annotations

from decimal import Decimal

import pytest

from medpolicy.policytests.files import PolicyTestError, discover, read_file


def test_a_test_file_gives_its_cases_and_every_expected_figure_with_its_line(folder):
    [case] = read_file(folder / "t.test.yaml")
    assert case.name == "inpatient then outpatient" and case.line == 4
    assert case.policy is None and case.scenario["person"] == {"id": "p"}
    figures = {e.path: (e.value, e.place.line) for e in case.expected}
    assert figures[("claims", "a", "basic_fund")] == (Decimal("400.00"), 11)
    assert figures[("claims", "a", "ratio")] == ("80%", 11)
    assert figures[("claims", "b", "basic_fund")] == (Decimal("50.00"), 13)
    assert figures[("totals", "patient")] == (Decimal("250.00"), 15)
    quoted = next(e for e in case.expected if e.path == ("claims", "a", "patient"))
    assert quoted.place.quoted and quoted.value == "200.00"


def test_the_place_of_a_figure_is_its_text(folder):
    text = (folder / "t.test.yaml").read_text(encoding="utf-8")
    [case] = read_file(folder / "t.test.yaml")
    for e in case.expected:
        written = text[e.place.start:e.place.end]
        assert written.strip('"') == str(e.value), (e.path, written)


def test_a_scenario_with_expect_is_one_case_named_after_its_file(tmp_path):
    path = tmp_path / "visit.yaml"
    path.write_text("policy: karamay\nperson: {id: p}\nclaims: []\nexpect:\n  totals: {patient: 0}\n", encoding="utf-8")
    [case] = read_file(path)
    assert (case.name, case.policy, case.scenario) == ("visit", "karamay", {"person": {"id": "p"}, "claims": []})


def test_discovery_takes_test_files_and_scenarios_with_expect_only(folder):
    (folder / "plain.yaml").write_text("policy: t.mpol\nperson: {id: p}\nclaims: []\n", encoding="utf-8")
    (folder / "with.yaml").write_text("policy: t.mpol\nperson: {id: p}\nclaims: []\nexpect: {}\n", encoding="utf-8")
    (folder / ".hidden").mkdir()
    (folder / ".hidden" / "x.test.yaml").write_text("cases: []\n", encoding="utf-8")
    assert [p.name for p in discover([folder])] == ["t.test.yaml", "with.yaml"]


def test_discovery_leaves_yaml_that_is_not_a_scenario(folder):
    # The engine's conformance cases carry `expect:` beside a policy text and a `scenario:`: another format.
    (folder / "case.yaml").write_text("policy: |\n  policy t {}\nscenario: {person: {id: p}, claims: []}\n"
                                      "expect: {}\n", encoding="utf-8")
    (folder / "bom.yaml").write_text("\ufeffclaims: []\nexpect: {}\n", encoding="utf-8")
    assert [p.name for p in discover([folder])] == ["bom.yaml", "t.test.yaml"]


def test_the_conformance_suite_holds_no_policy_tests():
    # `medpolicy test` run at the top of this repository: 123 conformance cases used to fail as malformed tests.
    from conftest import ROOT

    assert discover([ROOT / "tests" / "language"]) == []
    found = {p.relative_to(ROOT).as_posix() for p in discover([ROOT])}
    assert {"policies/karamay.test.yaml", "examples/qinghe/qinghe.test.yaml"} <= found
    assert not any(name.startswith("tests/language/") for name in found)


@pytest.mark.parametrize("text, words", [
    ("cases:\n  - name: x\n    claims: []\n    expect: {claim: {}}\n", [":4:", "expect.claim", "'claims'"]),
    ("cases:\n  - name: x\n    claims: []\n    expect:\n      claims: {a: {basic_fund: [1]}}\n",
     [":5:", "expect.claims.a.basic_fund", "one figure"]),
    ("cases:\n  - name: x\n    expect: {}\n", [":2:", "'x'", "claims"]),
    ("casez: []\n", [":1:", "casez", "'cases'"]),
    ("cases: []\n", ["`cases`"]),
    ("cases:\n  - name: x\n    claims: []\n    expect: {}\n    expect: {}\n", ["expect", "line 5"]),
    ("person: {id: p}\nclaims: []\n", ["no `expect`"]),
])
def test_a_malformed_file_is_refused_saying_where(tmp_path, text, words):
    path = tmp_path / ("bad.test.yaml" if "cases" in text or "casez" in text else "bad.yaml")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyTestError) as info:
        read_file(path)
    message = str(info.value)
    assert str(path) in message
    for w in words:
        assert w in message, (w, message)
