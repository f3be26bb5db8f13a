"""Output order is input order, and the number of workers never changes the output."""
from __future__ import annotations

import json

import pytest

from medpolicy.batch import local, run_batch

from .helpers import population, read_lines, write_csv, write_jsonl


@pytest.fixture(scope="module")
def persons():
    # Persons of very different sizes, so that chunks finish out of order on two workers.
    small = population("karamay", 40, 2, seed=5)
    large = population("lanzhou", 10, 60, seed=5)
    return [s for pair in zip(small, large) for s in pair] + small[len(large):]


@pytest.mark.parametrize("start", ["default", "forkserver"])
def test_two_workers_keep_input_order_and_match_one(tmp_path, persons, monkeypatch, start):
    """Whichever way the workers start: forked from this process (single-threaded), or from a fork server."""
    if start != "default":
        monkeypatch.setattr(local, "start_method", lambda: start)
    source = write_jsonl(tmp_path / "in.jsonl", persons)
    one = run_batch(source, tmp_path / "one.jsonl", workers=1, explain=False, progress=False, chunk_claims=15)
    two = run_batch(source, tmp_path / "two.jsonl", workers=2, explain=False, progress=False, chunk_claims=15)
    assert two.workers == 2 and one.workers == 1
    lines = read_lines(tmp_path / "two.jsonl")
    assert [json.loads(line)["person"] for line in lines] == [s["person"]["id"] for s in persons]
    assert (tmp_path / "two.jsonl").read_bytes() == (tmp_path / "one.jsonl").read_bytes()
    assert (one.rows_in, one.claims_out) == (two.rows_in, two.claims_out)


def test_workers_1_and_2_give_the_same_parquet_with_explanations(tmp_path, persons):
    pq = pytest.importorskip("pyarrow.parquet")
    source = write_csv(tmp_path / "in.csv", persons[:30])
    run_batch(source, tmp_path / "one.parquet", workers=1, progress=False, chunk_claims=20)
    run_batch(source, tmp_path / "two.parquet", workers=2, progress=False, chunk_claims=20)
    for name in ("{}.parquet", "{}.totals.parquet"):
        assert pq.read_table(tmp_path / name.format("two")).equals(pq.read_table(tmp_path / name.format("one")))
    people = pq.read_table(tmp_path / "two.totals.parquet").column("person").to_pylist()
    assert people == [s["person"]["id"] for s in persons[:30]]
