"""Helpers for the batch tests: populations as files (JSON Lines, CSV, Parquet) and the
statements medpolicy gives for them in this process, to compare a batch's output with."""
from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from decimal import Decimal
from pathlib import Path

import medpolicy
from medpolicy.batch.readers import CLAIM_COLUMNS, PERSON_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from population import population  # noqa: E402  (benchmarks/ is no package)

EXAMPLES = ROOT / "examples"
TABLE_COLUMNS = ["policy", *PERSON_COLUMNS, *CLAIM_COLUMNS]


def _json_default(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(value)


def dumps(scenario: dict) -> str:
    return json.dumps(scenario, ensure_ascii=False, default=_json_default)


def examples(prefix: str = "") -> list[dict]:
    """The bundled example scenarios (policy ids only), as mappings."""
    found = []
    for path in sorted(EXAMPLES.glob(f"{prefix}*.yaml")):
        data = medpolicy.read_scenario(path)
        if "/" not in str(data.get("policy", "")):
            found.append(json.loads(dumps(data)))
    return found


def mixed_population(persons: int = 12, claims: int = 8) -> list[dict]:
    """Karamay, Lanzhou and the Shanghai examples, interleaved: each line names its policy."""
    karamay = population("karamay", persons, claims, seed=3)
    lanzhou = population("lanzhou", persons, claims, seed=3)
    mixed = [s for pair in zip(karamay, lanzhou) for s in pair]
    return mixed + examples("shanghai")


def write_jsonl(path: Path, scenarios: list[dict]) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for s in scenarios:
            f.write(dumps(s) + "\n")
    return path


def table_rows(scenarios: list[dict]) -> list[dict]:
    """One row per claim (a person without claims: one row with empty claim columns)."""
    rows = []
    for s in scenarios:
        person = {f"person_{k}": v for k, v in s["person"].items()}
        for claim in s["claims"] or [{}]:
            rows.append({"policy": s.get("policy"), **person, **claim})
    return rows


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(value)
    return str(value)


def write_csv(path: Path, scenarios: list[dict], columns=TABLE_COLUMNS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(columns)
        for row in table_rows(scenarios):
            w.writerow([_cell(row.get(c)) for c in columns])
    return path


def write_parquet(path: Path, scenarios: list[dict]) -> Path:
    """A typed claims table: decimal amounts, dates, booleans, whole numbers, a list of conditions."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    money = pa.decimal128(14, 2)
    types = {"person_continuous_years": pa.int16(), "person_gap_years": pa.int16(),
             "person_back_paid_years": pa.int16(), "person_enrolled_on": pa.date32(), "date": pa.date32(),
             "person_certified": pa.list_(pa.string()), "person_long_term_care": pa.bool_(),
             "pediatric": pa.bool_(), "total": money, "covered": money}
    rows = table_rows(scenarios)

    def convert(column, value):
        if value is None:
            return None
        if types.get(column) == pa.date32():
            return dt.date.fromisoformat(value)
        if types.get(column) == money:
            return Decimal(value)
        return value

    arrays = [pa.array([convert(c, r.get(c)) for r in rows], types.get(c, pa.string())) for c in TABLE_COLUMNS]
    pq.write_table(pa.table(arrays, names=TABLE_COLUMNS), path, row_group_size=97)
    return path


_policies: dict = {}


def expected(scenario: dict, explain: bool = True) -> medpolicy.Statement:
    """The statement medpolicy gives for a scenario in this process."""
    ref = scenario["policy"]
    if ref not in _policies:
        _policies[ref] = medpolicy.load_policy(ref)
    return medpolicy.evaluate(_policies[ref], scenario, explain=explain)


def contract_line(statement: medpolicy.Statement, lang: str = "zh") -> str:
    return json.dumps(statement.to_dict(lang), ensure_ascii=False, separators=(",", ":"))


def read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def read_errors(path: Path) -> list[dict]:
    return [json.loads(line) for line in read_lines(path)]
