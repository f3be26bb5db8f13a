"""The engine knows no city: everything city-specific lives in policies/*.mpol."""
from __future__ import annotations

import re

from conftest import ROOT

CITY_WORDS = re.compile(r"karamay|lanzhou|shanghai|克拉玛依|兰州|上海", re.IGNORECASE)
# Figures that appear only in the city documents (deductibles, caps, band edges).
CITY_FIGURES = re.compile(r"\b(?:900|1400|21000|10500|160000|300000|80000|5000|1200)\b")


def test_no_city_is_named_in_the_package():
    offenders = [f"{p.relative_to(ROOT)}:{n}" for p in sorted((ROOT / "medpolicy").rglob("*.py"))
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if CITY_WORDS.search(line)]
    assert offenders == []


def test_no_city_figure_is_hard_coded_in_the_package():
    offenders = [f"{p.relative_to(ROOT)}:{n}: {line.strip()}" for p in sorted((ROOT / "medpolicy").rglob("*.py"))
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                 if CITY_FIGURES.search(line)]
    assert offenders == []


def test_a_fourth_city_needs_no_engine_change(tmp_path):
    """A policy with its own levels, deductible kinds, bands and caps, written from scratch."""
    import medpolicy

    path = tmp_path / "fourth.mpol"
    path.write_text('''
policy fourth {
  title "A fourth city"
  year 2027-01-01 .. 2027-12-31
  rounding half_up to ¥0.01
}
levels { "A" "甲" "B" "乙" }
counter stays "住院次数"
benefit stay "住院" {
  priority 2
  when claim.care == inpatient
  counts stays
  deductible per admission by claim.level { "A": ¥800, "B": ¥300 } * (if stays >= 3 then 0% else 100%)
  ratio by claim.level { "A": 70%, "B": 80% }
  annual cap ¥50000
}
benefit clinic "门诊" {
  priority 1
  when claim.care != inpatient
  deductible per year ¥150 accumulating
  ratio 50%
  visit cap ¥60
}
critical_illness "大病" {
  covers claim.benefit == stay
  table "所有人" otherwise {
    deductible ¥10000
    bands measured above_deductible
    band ¥0 .. ¥20000 pays 50%
    band above ¥20000 pays 60%
  }
}
''', encoding="utf-8")
    policy = medpolicy.load_policy(path)
    claims = [{"id": f"s{i}", "date": f"2027-0{i}-01", "care": "inpatient", "level": "A", "total": "1800.00"}
              for i in range(1, 4)]
    claims.append({"id": "o1", "date": "2027-05-01", "care": "outpatient", "level": "B", "total": "400.00"})
    result = {c.id: c for c in medpolicy.evaluate(policy, {"person": {"id": "p"}, "claims": claims}).claims}
    assert result["s1"].basic_fund == 700  # (1800 − 800) × 70%
    assert result["s2"].basic_fund == 700  # same
    assert result["s3"].basic_fund == 1260  # third stay: no deductible: 1800 × 70%
    assert result["o1"].basic_fund == 60  # (400 − 150) × 50% = 125 → per-visit cap ¥60
