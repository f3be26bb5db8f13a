"""The bundled policies' own tests: every case of policies/*.test.yaml and every example's `expect` passes,
and together they exercise every rule of the three policies (and of the example policy examples/qinghe)."""
from __future__ import annotations

import pytest

from medpolicy.policytests import coverage, run
from medpolicy.render_policytests import render_report, site_text

from conftest import EXAMPLES, POLICIES

BUNDLED = ("karamay", "lanzhou", "shanghai")


@pytest.fixture(scope="module")
def report():
    return run([POLICIES, EXAMPLES])


def test_every_case_passes(report):
    assert report.ok, render_report(report, "en")


def test_every_bundled_policy_has_its_test_file_and_every_example_states_its_figures(report):
    files = {r.case.file for r in report.results}
    assert {POLICIES / f"{city}.test.yaml" for city in BUNDLED} <= files
    examples = set(EXAMPLES.glob("*.yaml"))
    assert examples and examples <= files, sorted(p.name for p in examples - files)


@pytest.mark.parametrize("policy", [f"policies/{city}.mpol" for city in BUNDLED] + ["examples/qinghe/qinghe.mpol"])
def test_the_tests_exercise_every_rule_of_the_policy(report, policy):
    # The example policy of examples/qinghe/ is held to the bundled policies' standard.
    found = coverage(report.results)
    [(total, missing)] = [v for path, v in found.items() if path == policy]
    assert total > 20
    assert not missing, "\n".join(site_text(site, "en") for site in missing)
