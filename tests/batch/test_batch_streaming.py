"""The readers stream: over a large input they never hold more than a bounded number of
scenarios at once.  Counted (live Item objects), never timed or measured in bytes."""
from __future__ import annotations

import csv
import json
import weakref

import pytest

from medpolicy.batch import readers, run_batch

PERSONS, CLAIMS = 20_000, 10  # 200,000 claims


class Counter:
    """Counts the scenarios (reader items) alive at once, with a WeakSet."""

    def __init__(self, monkeypatch):
        self.alive: weakref.WeakSet = weakref.WeakSet()
        self.made = 0
        self.most = 0
        counter = self

        class CountedItem(readers.Item):
            __slots__ = ()

            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                counter.alive.add(self)
                counter.made += 1
                counter.most = max(counter.most, len(counter.alive))

        monkeypatch.setattr(readers, "Item", CountedItem)


def _claim(p: int, c: int) -> dict:
    return {"id": f"c{c}", "date": f"2026-{c % 12 + 1:02d}-{p % 28 + 1:02d}", "care": "outpatient",
            "level": "1", "total": f"{(p * 7 + c) % 900 + 1}.{c:02d}"}


def _rows():
    for p in range(PERSONS):
        for c in range(CLAIMS):
            yield {"policy": "karamay", "person_id": f"p{p:06d}", **_claim(p, c)}


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    folder = tmp_path_factory.mktemp("big")
    with (folder / "big.jsonl").open("w", encoding="utf-8") as f:
        for p in range(PERSONS):
            f.write(json.dumps({"policy": "karamay", "person": {"id": f"p{p:06d}"},
                                "claims": [_claim(p, c) for c in range(CLAIMS)]}) + "\n")
    columns = ["policy", "person_id", "id", "date", "care", "level", "total"]
    with (folder / "big.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(columns)
        w.writerows([row[c] for c in columns] for row in _rows())
    pa = pytest.importorskip("pyarrow")
    import pyarrow.csv
    import pyarrow.parquet as pq

    pq.write_table(pyarrow.csv.read_csv(folder / "big.csv", convert_options=pyarrow.csv.ConvertOptions(
        column_types={c: pa.string() for c in columns})), folder / "big.parquet", row_group_size=50_000)
    return folder


@pytest.mark.parametrize("name", ["big.jsonl", "big.csv", "big.parquet"])
def test_a_reader_holds_a_bounded_number_of_scenarios(big, monkeypatch, name):
    count = Counter(monkeypatch)
    claims = 0
    with readers.open_reader(big / name) as reader:
        for item in reader:
            assert item.error is None
            claims += item.claims if item.claims is not None else len(json.loads(item.payload)["claims"])
    assert (count.made, claims) == (PERSONS, PERSONS * CLAIMS)
    assert count.most <= 2  # the one handed out, and at most one more being made


def test_a_run_holds_a_bounded_number_of_scenarios(big, tmp_path, monkeypatch):
    """A whole run: only the chunks in flight are held, however long the input."""
    count = Counter(monkeypatch)
    head = tmp_path / "head.csv"
    with (big / "big.csv").open(encoding="utf-8") as src, head.open("w", encoding="utf-8") as dst:
        for _ in range(1 + 2_000 * CLAIMS):  # 2,000 persons: a run, not a benchmark
            dst.write(src.readline())
    summary = run_batch(head, tmp_path / "out.jsonl", workers=1, explain=False, progress=False, chunk_claims=100)
    assert summary.scenarios_out == count.made == 2_000
    # one chunk (about 100 claims: 10 persons) in the making, and the window (2 chunks)
    assert count.most <= 3 * 11
