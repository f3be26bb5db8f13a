"""Coverage: every rule site of a policy, and which no case exercised."""
from __future__ import annotations

import medpolicy
from medpolicy.policytests import coverage, run
from medpolicy.policytests.coverage import sites


def test_sites_are_every_rule_in_the_order_written(folder):
    model = medpolicy.load_policy(folder / "t.mpol").model
    got = [(s.kind, s.owner, s.span.line, s.row) for s in sites(model)]
    assert got == [
        ("benefit", "住院", 9, None),
        ("deductible", "住院", 10, None), ("deductible", "住院", 10, "1"), ("deductible", "住院", 10, "2"),
        ("ratio", "住院", 11, None), ("annual_cap", "住院", 12, None),
        ("benefit", "门诊", 16, None), ("deductible", "门诊", 17, None), ("ratio", "门诊", 18, None),
    ]


def test_a_row_no_case_used_is_not_exercised(folder):
    [(path, (total, missing))] = coverage(run([folder]).results).items()
    assert path.endswith("t.mpol") and total == 9
    assert [(s.kind, s.row) for s in missing] == [("deductible", "2")]


def test_a_benefit_no_case_reaches_is_listed_with_all_its_rules(folder):
    path = folder / "t.test.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("care: outpatient", "care: inpatient").replace("b:\n          basic_fund: 50.00",
                                                                               "b:\n          basic_fund: 0.00"),
                    encoding="utf-8")
    [(_, (_, missing))] = coverage(run([folder]).results).items()
    assert ("benefit", "门诊") in [(s.kind, s.owner) for s in missing]
    assert ("ratio", "门诊") in [(s.kind, s.owner) for s in missing]


def test_cases_that_could_not_run_count_for_nothing(folder):
    path = folder / "t.test.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('level: "1", total: 600', 'level: "7", total: 600'),
                    encoding="utf-8")
    assert coverage(run([folder]).results) == {}
