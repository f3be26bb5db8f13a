"""Claims tables (CSV, Parquet) in, Parquet out: per-claim rows and per-person totals are
exactly what medpolicy.evaluate gives for the same persons."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from medpolicy.batch import BatchError, run_batch  # noqa: E402
from medpolicy.batch.readers import CLAIM_COLUMNS, open_reader  # noqa: E402

from .helpers import contract_line, expected, read_lines, write_csv, write_jsonl, write_parquet  # noqa: E402

WRITERS = {"csv": write_csv, "parquet": write_parquet}


def with_a_person_without_claims(scenarios):
    scenarios = [dict(s) for s in scenarios]
    scenarios[1] = dict(scenarios[1], claims=[])
    return scenarios


def check_parquet(out, scenarios, explain):
    claims = pq.read_table(out).to_pylist()
    totals = pq.read_table(out.with_name("out.totals.parquet")).to_pylist()
    assert len(totals) == len(scenarios)
    rows = iter(claims)
    for scenario, total in zip(scenarios, totals):
        statement = expected(scenario, explain)
        contract = statement.to_dict("zh")
        t = statement.totals
        assert total == {
            "person": statement.person, "policy": statement.policy.id, "content_hash": statement.policy.content_hash,
            "claims": len(statement.claims), "total": t.total, "covered": t.covered, "basic_fund": t.basic_fund,
            "critical_illness": t.critical_illness,
            "payers": [{"id": p.id, "title": p.title, "amount": p.amount} for p in t.payers],
            "fund": t.fund, "patient": t.patient, "premium": statement.premium.personal,
            "notes": json.dumps(contract["notes"], ensure_ascii=False, separators=(",", ":")) if explain else None,
            "premium_explanation": (json.dumps(contract["premium"]["explanation"], ensure_ascii=False,
                                               separators=(",", ":")) if explain else None),
        }
        for c, in_contract in zip(statement.claims, contract["claims"]):
            row = next(rows)
            assert row == {
                "person": statement.person, "policy": statement.policy.id, "id": c.id, "date": c.date,
                "status": c.status, "benefit_id": c.benefit, "benefit": c.benefit_title, "visit": c.visit,
                "total": c.total, "covered": c.covered, "basic_fund": c.basic_fund,
                "critical_illness": c.critical_illness,
                "payers": [{"id": p.id, "title": p.title, "amount": p.amount} for p in c.payers],
                "patient": c.patient,
                "explanation": (json.dumps(in_contract["explanation"], ensure_ascii=False, separators=(",", ":"))
                                if explain else None),
            }
    assert next(rows, None) is None


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize("explain", [True, False], ids=["explain", "no-explain"])
def test_table_in_parquet_out_equals_evaluate(tmp_path, mixed, fmt, explain):
    scenarios = with_a_person_without_claims(mixed)
    source = WRITERS[fmt](tmp_path / f"in.{fmt}", scenarios)
    summary = run_batch(source, tmp_path / "out.parquet", workers=1, explain=explain, progress=False)
    check_parquet(tmp_path / "out.parquet", scenarios, explain)
    claims = sum(len(s["claims"]) for s in scenarios)
    assert (summary.rows_in, summary.rows_out, summary.claims_in, summary.claims_out) == (
        claims + 1, claims + 1, claims, claims)  # the person without claims is one row
    assert summary.unit == "row" and summary.ok and summary.balanced


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_table_in_jsonl_out_is_the_jsonl_run(tmp_path, mixed, fmt):
    source = WRITERS[fmt](tmp_path / f"in.{fmt}", mixed)
    run_batch(source, tmp_path / "from_table.jsonl", workers=1, explain=False, progress=False)
    run_batch(write_jsonl(tmp_path / "in.jsonl", mixed), tmp_path / "from_lines.jsonl", workers=1,
              explain=False, progress=False)
    lines = read_lines(tmp_path / "from_table.jsonl")
    assert lines == read_lines(tmp_path / "from_lines.jsonl")
    assert lines == [contract_line(expected(s, False)) for s in mixed]


def test_money_columns_are_decimal(tmp_path, mixed):
    run_batch(write_csv(tmp_path / "in.csv", mixed[:2]), tmp_path / "out.parquet", workers=1, progress=False)
    for name in ("out.parquet", "out.totals.parquet"):
        schema = pq.read_schema(tmp_path / name)
        for field in ("total", "covered", "basic_fund", "critical_illness", "patient"):
            assert schema.field(field).type == pa.decimal128(18, 2)
    assert isinstance(pq.read_table(tmp_path / "out.parquet").column("patient")[0].as_py(), Decimal)


def test_claim_prefixed_columns_and_a_policy_given(tmp_path, mixed):
    karamay = [s for s in mixed if s["policy"] == "karamay"][:3]
    source = tmp_path / "in.csv"
    write_csv(source, karamay)
    header, *rows = source.read_text(encoding="utf-8").splitlines()
    source.write_text(",".join(f"claim_{n}" if n in CLAIM_COLUMNS else n for n in header.split(",")) + "\n"
                      + "\n".join(rows) + "\n", encoding="utf-8")
    assert "claim_total" in source.read_text(encoding="utf-8")
    with pytest.raises(BatchError, match="no `policy` column"):
        run_batch(_without_policy(source, tmp_path), tmp_path / "out.jsonl", workers=1, progress=False)
    run_batch(_without_policy(source, tmp_path), tmp_path / "out.jsonl", policy="karamay", workers=1,
              explain=False, progress=False)
    assert read_lines(tmp_path / "out.jsonl") == [contract_line(expected(s, False)) for s in karamay]


def _without_policy(source, tmp_path):
    """The CSV without its policy column."""
    import csv

    with source.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    at = rows[0].index("policy")
    out = tmp_path / "no_policy.csv"
    with out.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([r[:at] + r[at + 1:] for r in rows])
    return out


@pytest.mark.parametrize("header, problem", [
    ("person_id,id,date,care,level,total,colour", "unknown column(s) colour"),
    ("person_id,id,date,care,total", "missing column(s) level"),
    ("id,date,care,level,total", "missing column(s) person_id"),
    ("person_id,id,claim_id,date,care,level,total", "give the same field"),
])
def test_a_table_the_batch_cannot_use_stops_before_the_run(tmp_path, header, problem):
    source = tmp_path / "in.csv"
    source.write_text(header + "\n", encoding="utf-8")
    with pytest.raises(BatchError) as caught:
        open_reader(source)
    assert problem in str(caught.value)
    assert caught.value.text("zh") != str(caught.value)
