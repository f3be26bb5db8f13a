"""A person's birth date as a claims-table column (``person_birth_date``): read from CSV text and
from a Parquet date column, it reaches the policy's ``age(…)`` as in a scenario file."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

import medpolicy
from medpolicy.batch import run_batch

from .helpers import read_lines

POLICY = """policy ages {
  title "按年龄缴费"
  year 2026-01-01 .. 2026-12-31
}
levels { "1" "一级" }
benefit b "B" { priority 1 when claim.care == outpatient no deductible ratio 50% }
premium {
  item "个人缴费" {
    when age(person.birth_date otherwise 2000-01-01, policy.start) < 18: ¥250
    else: ¥400
  }
}
"""
HEADER = ["person_id", "person_birth_date", "id", "date", "care", "level", "total"]
ROWS = [["minor", "2008-07-15", "c1", "2026-03-01", "outpatient", "1", "100.00"],
        ["adult", "2008-01-01", "c1", "2026-03-01", "outpatient", "1", "100.00"],
        ["unknown", "", "c1", "2026-03-01", "outpatient", "1", "100.00"]]
PREMIUMS = {"minor": "250.00", "adult": "400.00", "unknown": "400.00"}


def _csv(path):
    path.write_text("\n".join(",".join(r) for r in [HEADER, *ROWS]) + "\n", encoding="utf-8")
    return path


def _parquet(path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    columns = list(zip(*ROWS))
    arrays = [pa.array([dt.date.fromisoformat(v) if v else None for v in col], pa.date32())
              if name == "person_birth_date" else pa.array(list(col), pa.string())
              for name, col in zip(HEADER, columns)]
    pq.write_table(pa.table(arrays, names=HEADER), path)
    return path


@pytest.mark.parametrize("write", [_csv, _parquet], ids=["csv", "parquet"])
def test_the_birth_date_column_sets_the_premium_by_age(tmp_path, write):
    policy = tmp_path / "ages.mpol"
    policy.write_text(POLICY, encoding="utf-8")
    source = write(tmp_path / ("in.csv" if write is _csv else "in.parquet"))
    run_batch(source, tmp_path / "out.jsonl", policy=str(policy), workers=1, explain=False, progress=False)
    lines = [json.loads(line) for line in read_lines(tmp_path / "out.jsonl")]
    assert {line["person"]: line["premium"]["personal"] for line in lines} == PREMIUMS
    # the same as a scenario file gives
    loaded = medpolicy.load_policy(policy)
    for person, birth in [("minor", "2008-07-15"), ("adult", "2008-01-01")]:
        statement = medpolicy.evaluate(loaded, {"person": {"id": person, "birth_date": birth}, "claims": []})
        assert statement.premium.personal == Decimal(PREMIUMS[person])
