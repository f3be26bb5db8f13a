"""Evaluating chunks of scenarios: the worker's side, and the local process pool.

:func:`process_chunk` is the one function every engine runs: it parses,
validates and evaluates a chunk of scenarios and encodes the statements for
the output, returning one outcome per scenario (refused ones with their
error, as data).  The policy a worker needs is loaded once per worker process
(:func:`worker`, a cache keyed by the run's :class:`Config`), whichever engine
sent the chunk: the process pool's initializer warms it, a Dask worker fills
it on its first task.

:class:`LocalEngine` runs the chunks on this machine's cores: in this process
when one worker is asked for (no pool, no copying), else in a pool of worker
processes (:func:`start_method`).
"""
from __future__ import annotations

import os
import threading
import traceback
from concurrent.futures import Future
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple, Optional

from .. import evaluate, load_policy
from ..errors import EvaluationError, MedpolicyError, PolicyError, PolicyNotFound
from ..limits import DEFAULT_LIMITS, Limits
from ..loader import resolve
from ..program import CompiledPolicy
from ..scenario import parse_text, policy_reference
from .readers import RowError
from .writers import encoder


class Config(NamedTuple):
    """What a worker needs to know of the run (small, picklable, hashable)."""

    policy: Optional[str]
    """The --policy given: an id or an absolute path; None: each scenario names its own."""
    base: str
    """The folder a scenario's relative policy path is relative to (the input's)."""
    explain: bool = True
    lang: str = "zh"
    output: str = "jsonl"
    limits: Limits = DEFAULT_LIMITS


Outcome = tuple  # (person id or None, claims or None, None | (kind, path, english, chinese))


class Worker:
    """One process's state for a run: the policies it loaded, by reference."""

    def __init__(self, config: Config):
        self.config = config
        self._policies: dict[str, Any] = {}  # reference → CompiledPolicy, or the error loading it gave
        self._lock = threading.Lock()  # a Dask worker may run tasks in threads

    def policy(self, ref: str) -> CompiledPolicy:
        found = self._policies.get(ref)
        if found is None:
            with self._lock:
                found = self._policies.get(ref)
                if found is None:
                    try:
                        found = load_policy(resolve(ref, Path(self.config.base)), limits=self.config.limits)
                    except (PolicyError, PolicyNotFound) as err:
                        found = err  # remembered: a million scenarios naming it must not reload it
                    self._policies[ref] = found
        if isinstance(found, MedpolicyError):
            raise found
        return found

    def remember(self, ref: str, policy: CompiledPolicy) -> None:
        """A policy the calling process has already loaded (one worker: no second load)."""
        self._policies.setdefault(ref, policy)

    def run(self, payloads: list) -> tuple[Any, list[Outcome]]:
        config = self.config
        out = encoder(config.output, config.lang, config.explain)
        outcomes: list[Outcome] = []
        for payload in payloads:
            person = claims = None
            try:
                data = _parse(payload) if type(payload) is bytes else payload
                person, claims = _identify(data)
                ref = config.policy or policy_reference(data)
                if not ref:
                    raise RowError("batch.no_policy", "policy")
                statement = evaluate(self.policy(ref), data, config.limits, explain=config.explain)
                out.add(statement)
            except Exception as err:  # noqa: BLE001 - a bad scenario, or a fault, must not stop a population run
                outcomes.append((person, claims, describe(err)))
                continue
            outcomes.append((person, claims, None))
        return out.finish(), outcomes


def _parse(line: bytes):
    """A JSON line, as the scenario reader parses JSON (amounts as exact decimals)."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        raise RowError("batch.not_utf8") from None
    return parse_text(text, "json")


def _identify(data) -> tuple[Optional[str], Optional[int]]:
    """The person id and claim count of a parsed scenario, as far as they can be read."""
    if not isinstance(data, dict):
        return None, None
    person = data.get("person")
    pid = person.get("id") if isinstance(person, dict) else None
    claims = data.get("claims")
    known = isinstance(pid, (str, int, Decimal)) and not isinstance(pid, bool)
    return (str(pid) if known else None,
            len(claims) if isinstance(claims, list) else 0 if claims is None else None)


def describe(err: BaseException) -> tuple[str, Optional[str], str, str]:
    """(kind, field path, English, Chinese) of an error, as the errors file shows it."""
    if isinstance(err, MedpolicyError):
        kind = ("policy" if isinstance(err, (PolicyError, PolicyNotFound)) else
                "evaluation" if isinstance(err, EvaluationError) else "scenario")
        return kind, getattr(err, "path", None) or None, str(err), err.text("zh")
    where = traceback.extract_tb(err.__traceback__)[-1:] if err.__traceback__ else []
    problem = f"{err}" + (f" at {Path(where[0].filename).name}:{where[0].lineno}" if where else "")
    internal = RowError("batch.internal", kind=type(err).__name__, problem=problem)
    return "internal", None, str(internal), internal.text("zh")


# ------------------------------------------------------------------ the worker cache

_workers: dict[Config, Worker] = {}
_workers_lock = threading.Lock()
_KEEP = 8  # a long-lived Dask worker serves many runs: keep the latest few runs' policies


def worker(config: Config) -> Worker:
    """This process's worker for ``config``, made once (the worker-cached loader)."""
    found = _workers.get(config)
    if found is None:
        with _workers_lock:
            found = _workers.get(config)
            if found is None:
                while len(_workers) >= _KEEP:
                    del _workers[next(iter(_workers))]
                found = _workers[config] = Worker(config)
    return found


def warm(config: Config) -> None:
    """Load the run's policy now (pool initializer, Dask preload), so that the first chunk is not slower."""
    if config.policy:
        try:
            worker(config).policy(config.policy)
        except MedpolicyError:
            pass  # each scenario will report it


def process_chunk(config: Config, payloads: list) -> tuple[Any, list[Outcome]]:
    """Evaluate one chunk: (the output's encoding of its statements, one outcome per scenario)."""
    return worker(config).run(payloads)


# ------------------------------------------------------------------ the local engine

_pool_config: Optional[Config] = None


def _init_pool(config: Config) -> None:
    global _pool_config
    _pool_config = config
    warm(config)


def _pool_chunk(payloads: list):
    assert _pool_config is not None, "the pool's initializer sets the run's config"
    return process_chunk(_pool_config, payloads)


class LocalEngine:
    """Chunks on this machine: in this process for one worker, else in a process pool."""

    name = "local"

    def __init__(self, config: Config, workers: Optional[int] = None):
        self.config = config
        self.workers = max(1, workers or available_cpus())
        # Chunks in flight: enough to keep every worker busy while the oldest is written,
        # few enough that memory stays flat whatever the input's size.
        self.window = 2 * self.workers
        self._pool = None
        if self.workers > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            method = start_method()
            context = multiprocessing.get_context(method)
            if method == "forkserver":
                # The server imports medpolicy once; each worker forked from it starts with it.
                context.set_forkserver_preload([__name__])
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_init_pool,
                                             initargs=(config,))
        else:
            warm(config)

    def submit(self, payloads: list) -> Future:
        if self._pool is not None:
            return self._pool.submit(_pool_chunk, payloads)
        done: Future = Future()
        done.set_result(process_chunk(self.config, payloads))
        return done

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def start_method() -> str:
    """How worker processes start: ``fork`` when this process runs a single thread (Linux), so
    that workers start at once with medpolicy imported and the policy loaded; else
    ``forkserver``, a clean process to fork from, since a thread (pyarrow's, a Dask client's)
    may hold a lock at the moment of a fork and leave it held for ever in the child; ``spawn``
    where neither exists."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    try:
        single = len(os.listdir("/proc/self/task")) == 1  # every OS thread, native ones included
    except OSError:  # not Linux: threads cannot be counted, fork is not safe to assume
        single = False
    if single and "fork" in methods:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1
