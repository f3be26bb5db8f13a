"""A small policy and test files for the policy-test tool's own tests."""
from __future__ import annotations

import pytest

POLICY = """\
policy t {
  title "T"
  year 2026-01-01 .. 2026-12-31
  rounding half_up to ¥0.01
}
levels { "1" "一级" "2" "二级" }
benefit inp "住院" {
  priority 2
  when claim.care == inpatient
  deductible per year by claim.level { "1": ¥100, "2": ¥200 } highest
  ratio 80%
  annual cap ¥1,000
}
benefit out "门诊" {
  priority 1
  when claim.care == outpatient
  no deductible
  ratio 50%
}
"""

# Hand arithmetic: a (level 1, ¥600): deductible ¥100, (600 − 100) × 80% = 400.00, patient 200.00.
# b (outpatient ¥100): 100 × 50% = 50.00, patient 50.00.
TESTS = """\
# the hand arithmetic lives here
person: {id: p}
cases:
  - name: inpatient then outpatient
    claims:
      - {id: a, date: 2026-03-01, care: inpatient, level: "1", total: 600.00}
      - {id: b, date: 2026-04-01, care: outpatient, level: "1", total: 100.00}
    expect:
      claims:
        # (600 − 100) × 80% = 400.00
        a: {status: paid, benefit: inp, deductible: 100.00, ratio: 80%, basic_fund: 400.00, patient: "200.00"}
        b:
          basic_fund: 50.00   # 100 × 50%
          patient: 50.00
      totals: {basic_fund: 450.00, patient: 250.00}
"""


@pytest.fixture
def folder(tmp_path):
    """A folder with ``t.mpol`` and its test file ``t.test.yaml``."""
    (tmp_path / "t.mpol").write_text(POLICY, encoding="utf-8")
    (tmp_path / "t.test.yaml").write_text(TESTS, encoding="utf-8")
    return tmp_path
