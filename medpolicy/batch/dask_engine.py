"""Evaluating a batch on a Dask cluster (``--engine dask --scheduler tcp://host:8786``).

The process that runs the batch still reads the input and writes the
output; the cluster does the evaluation.  The input is cut into the same
chunks as on the local engine, each a list of whole persons (a person's year
is one scenario, never split between tasks), and each chunk is one task:
:func:`medpolicy.batch.local.process_chunk`, the very function the local
engine runs, so the results are identical.  A bounded number of tasks is in
flight at once (four times the cluster's threads) and results are taken in input
order, so the client's memory stays flat however large the input.

Workers need medpolicy installed (and the policy: a bundled id, an id on
their ``MEDPOLICY_PATH``, or a path that exists on every node).  Each worker
process loads the policy once and keeps it (the worker cache of
:mod:`~medpolicy.batch.local`); the engine asks every worker to load it when
it connects, which also shows at once a worker that cannot.  No input or
output file needs to be shared with the workers: chunks travel with their
tasks.

dask.distributed is imported only when this engine is used.
"""
from __future__ import annotations

from typing import Optional

from .local import Config, available_cpus, process_chunk, warm
from .readers import BatchError

CONNECT_TIMEOUT = 30  # seconds to reach the scheduler
WORKERS_TIMEOUT = 120  # seconds to wait for a first worker


class DaskEngine:
    """Chunks as tasks on a dask.distributed cluster.

    ``scheduler`` is the scheduler's address (``tcp://host:8786``), an existing
    ``distributed.Client``, or None to start a local cluster of ``workers``
    processes (one thread each) for this run.
    """

    name = "dask"

    def __init__(self, config: Config, scheduler=None, workers: Optional[int] = None):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise BatchError("batch.needs", what="--engine dask", package="dask[distributed]") from None
        self.config = config
        self._cluster = None
        self._own_client = True
        if scheduler is None:
            self._cluster = LocalCluster(n_workers=workers or available_cpus(), threads_per_worker=1,
                                         processes=True, dashboard_address=None)
            self.client = Client(self._cluster)
        elif isinstance(scheduler, str):
            self.client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        else:
            self.client, self._own_client = scheduler, False
        try:
            self.client.wait_for_workers(1, timeout=WORKERS_TIMEOUT)
            # Load the policy on every worker now: once per worker process, and a worker
            # that cannot (medpolicy missing, policy not found) fails here, not task by task.
            self.client.run(warm, config)
            threads = sum(self.client.nthreads().values())
        except BaseException:
            self.close()
            raise
        self.workers = threads
        # Twice the local engine's window: a result crosses the network, so more tasks wait ready.
        self.window = 4 * max(1, threads)

    def submit(self, payloads: list):
        # pure=False: two chunks with the same content are still two tasks.
        return self.client.submit(process_chunk, self.config, payloads, pure=False)

    def close(self) -> None:
        if self._own_client:
            self.client.close()
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None
