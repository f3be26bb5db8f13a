"""The Dask engine, on a two-process local cluster, gives exactly the local engine's output."""
from __future__ import annotations

import pytest

distributed = pytest.importorskip("distributed")

from medpolicy.batch import run_batch  # noqa: E402

from .helpers import population, write_csv, write_jsonl  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, worker_dashboard_address=None) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def persons():
    return population("karamay", 30, 6, seed=8) + population("lanzhou", 10, 6, seed=8)


def test_dask_jsonl_is_the_local_jsonl(tmp_path, cluster, persons):
    source = write_jsonl(tmp_path / "in.jsonl", persons)
    local = run_batch(source, tmp_path / "local.jsonl", workers=1, progress=False, chunk_claims=25)
    dask = run_batch(source, tmp_path / "dask.jsonl", engine="dask", scheduler=cluster.scheduler_address,
                     progress=False, chunk_claims=25)
    assert dask.engine == "dask" and dask.workers == 2
    assert (tmp_path / "dask.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    assert local.as_dict() | {"seconds": 0, "outputs": [], "errors": "", "engine": "", "workers": 0} == \
        dask.as_dict() | {"seconds": 0, "outputs": [], "errors": "", "engine": "", "workers": 0}


def test_dask_parquet_is_the_local_parquet(tmp_path, cluster, persons):
    pq = pytest.importorskip("pyarrow.parquet")
    source = write_csv(tmp_path / "in.csv", persons)
    run_batch(source, tmp_path / "local.parquet", workers=1, explain=False, progress=False, chunk_claims=25)
    run_batch(source, tmp_path / "dask.parquet", engine="dask", scheduler=cluster.scheduler_address,
              explain=False, progress=False, chunk_claims=25)
    for name in ("{}.parquet", "{}.totals.parquet"):
        assert pq.read_table(tmp_path / name.format("dask")).equals(pq.read_table(tmp_path / name.format("local")))


def test_each_worker_loads_the_policy_once(tmp_path, cluster, persons):
    from medpolicy.batch import local

    source = write_jsonl(tmp_path / "in.jsonl", persons)
    run_batch(source, tmp_path / "dask.jsonl", policy="karamay", engine="dask", scheduler=cluster.scheduler_address,
              explain=False, progress=False, chunk_claims=10)
    with distributed.Client(cluster.scheduler_address) as client:
        loaded = client.run(lambda: sorted(len(w._policies) for w in local._workers.values() if w.config.policy))
    assert sorted(loaded.values()) == [[1], [1]]
