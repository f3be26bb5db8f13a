"""Coverage: every rule site of a policy, and which no case exercised."""
from __future__ import annotations

import shutil
from pathlib import Path

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


def test_a_row_no_case_used_and_a_cap_no_payment_reached_are_not_exercised(folder):
    [(path, (total, missing))] = coverage(run([folder]).results).items()
    assert path.endswith("t.mpol") and total == 9
    # a: 400.00 of the ¥1,000 cap: the same figures under any larger cap, so nothing shows the cap is right
    assert [(s.kind, s.row) for s in missing] == [("deductible", "2"), ("annual_cap", None)]


def test_a_cap_that_limits_a_payment_is_exercised(folder):
    path = folder / "t.test.yaml"
    text = path.read_text(encoding="utf-8")
    # (2000 − 100) × 80% = 1520 → the ¥1,000 cap: 1000.00, patient 1000.00; year 1000 + 50, 1000 + 50
    text = (text.replace("total: 600.00", "total: 2000.00").replace('basic_fund: 400.00, patient: "200.00"',
                                                                    'basic_fund: 1000.00, patient: "1000.00"')
            .replace("totals: {basic_fund: 450.00, patient: 250.00}", "totals: {basic_fund: 1050.00, patient: 1050.00}"))
    path.write_text(text, encoding="utf-8")
    report = run([folder])
    assert report.ok, report.results
    [(_, (_, missing))] = coverage(report.results).items()
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


# Hand arithmetic, under tests/show/four_constructs.mpol (continuous_years defaults to 1: the community cap is
# ¥1,000 + ¥500 × 1 = ¥1,500):
# o (outpatient, level 1, ¥3,500): the shared ¥300 deductible, (3500 − 300) × 50% = 1600 → the community
#   cap: 1500.00, patient 2000.00.
# i (inpatient ¥8,500): (8500 − 500) = 8000 all in band ¥0..¥10,000: × 70% = 5600.00, patient 2900.00.
# n (observation ¥100): the ¥300 allowance even above covered: 300.00, patient −200.00.
FOUR_TESTS = """\
person: {id: p}
cases:
  - name: one claim of each
    claims:
      - {id: o, date: 2026-03-01, care: outpatient, level: "1", total: 3500.00}
      - {id: i, date: 2026-04-01, care: inpatient, level: "1", total: 8500.00}
      - {id: n, date: 2026-05-01, care: observation, level: "1", total: 100.00}
    expect:
      claims:
        o: {basic_fund: 1500.00, patient: 2000.00}
        i: {basic_fund: 5600.00, patient: 2900.00}
        n: {basic_fund: 300.00, patient: -200.00}
"""


def four_constructs(folder: Path, tests: str) -> None:
    """tests/show/four_constructs.mpol (with its source document) in ``folder`` as f.mpol, with ``tests``."""
    four = Path(__file__).parents[1] / "show"
    shutil.copy(four / "four_constructs.mpol", folder / "f.mpol")
    shutil.copy(four / "guide.md", folder / "guide.md")
    (folder / "f.test.yaml").write_text(tests, encoding="utf-8")


def test_sites_of_pools_fixed_payments_bands_and_guarded_shared_caps(tmp_path):
    four_constructs(tmp_path, FOUR_TESTS)
    model = medpolicy.load_policy(tmp_path / "f.mpol").model
    new = [(s.kind, s.owner, s.span.line) for s in sites(model)
           if s.kind in ("pool", "pays", "ratio_band", "cap_when") or s.span.line == 32]
    assert new == [("pool", "门急诊共用起付线", 8), ("cap_when", "门诊", 17), ("ratio", "住院", 32),
                   ("ratio_band", "住院", 33), ("ratio_band", "住院", 34), ("pays", "新生儿补助", 41),
                   ("pays", "体检定额", 47)]
    report = run([tmp_path])
    assert report.failed == 0, report.results
    [(_, (_, missing))] = coverage(report.results).items()
    # Not reached: the emergency benefit, the band above ¥10,000, the quota, the level-2 cap.
    assert [(s.kind, s.owner, s.span.line) for s in missing] == [
        ("annual_cap", "门诊", 18), ("benefit", "急诊", 23), ("deductible", "急诊", 24), ("ratio", "急诊", 25),
        ("ratio_band", "住院", 34), ("benefit", "体检定额", 46), ("pays", "体检定额", 47)]


def test_a_shared_cap_under_when_counts_only_for_the_benefit_whose_claim_drew_on_it(tmp_path):
    # Level 2: the community cap's condition does not hold, so its clause is not exercised; the level-2
    # cap limits the payment: (5000 − 300) × 50% = 2350 → ¥2,000.
    four_constructs(tmp_path, FOUR_TESTS.replace('care: outpatient, level: "1", total: 3500.00',
                                                 'care: outpatient, level: "2", total: 5000.00'))
    [(_, (_, missing))] = coverage(run([tmp_path]).results).items()
    kinds = [(s.kind, s.span.line) for s in missing]
    assert ("cap_when", 17) in kinds and ("annual_cap", 18) not in kinds and ("pool", 8) not in kinds
