"""Population runs: one policy year for each of many persons, on all cores or on a Dask cluster.

    from medpolicy.batch import run_batch
    summary = run_batch("persons.jsonl", "statements.jsonl", workers=4, explain=False)
    print(summary.text("en"))

The input is streamed (:mod:`.readers`: JSON Lines of scenarios, or a claims
table in CSV or Parquet with the rows of each person together), cut into
chunks of whole persons, evaluated by an engine (:mod:`.local`: this
machine's cores; :mod:`.dask_engine`: a dask.distributed cluster), and the
statements are written in input order (:mod:`.writers`: JSON Lines, or
Parquet per claim plus per person).  A scenario or row that cannot be
evaluated never stops the run: it goes to the errors file with its line or
row numbers, and the :class:`Summary` accounts for every row:
rows in = rows out + rows rejected.  Memory stays flat: a bounded number of
chunks is in flight, whatever the input's size.

pyarrow (CSV, Parquet) and dask.distributed (the Dask engine) are imported
only when used: ``pip install 'medpolicy[batch]'``.
"""
from __future__ import annotations

import time
from collections import deque
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Optional, Union

from ..limits import DEFAULT_LIMITS, Limits
from .local import Config, LocalEngine, describe, worker
from .progress import Progress
from .readers import BatchError, Item, RowError, open_reader
from .writers import ErrorsWriter, companion, open_writer, output_kind

if TYPE_CHECKING:
    from ..program import CompiledPolicy
    from .dask_engine import DaskEngine

__all__ = ["run_batch", "Summary", "BatchError", "RowError", "CHUNK_CLAIMS"]

CHUNK_CLAIMS = 1000
"""About how many claims make a chunk (one task): large enough that sending it costs
little beside evaluating it, small enough to keep every worker busy to the end."""

MAX_CHUNK_ITEMS = 1000
"""At most this many input items a chunk, whatever they cost (e.g. a run of refused rows)."""

JSON_CLAIM_BYTES = 160
"""A claim's usual size in a JSON line: a line's claims are counted only where it is parsed,
so its length stands for them when chunks are cut."""

PathLike = Union[str, Path]


@dataclass
class Summary:
    """What a run read, wrote and refused.  Every count balances:
    ``rows_in == rows_out + rows_rejected``, and likewise for scenarios and claims."""

    input: str
    outputs: list[str]
    errors: str
    unit: str
    """What a row of the input is: ``line`` (JSON Lines) or ``row`` (a claims table)."""
    engine: str = "local"
    workers: int = 1
    explain: bool = True
    rows_in: int = 0
    rows_out: int = 0
    rows_rejected: int = 0
    scenarios_in: int = 0
    scenarios_out: int = 0
    scenarios_rejected: int = 0
    claims_in: int = 0
    """Claims read; a JSON line that is not JSON has none that can be counted."""
    claims_out: int = 0
    claims_rejected: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when every row made it into the output."""
        return self.rows_rejected == 0

    @property
    def balanced(self) -> bool:
        return (self.rows_in == self.rows_out + self.rows_rejected
                and self.scenarios_in == self.scenarios_out + self.scenarios_rejected
                and self.claims_in == self.claims_out + self.claims_rejected)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def text(self, lang: str = "en") -> str:
        """The summary the CLI prints, in ``zh`` or ``en``."""
        rate = self.claims_in / self.seconds if self.seconds > 0 else 0.0
        outputs = ", ".join(self.outputs)
        if lang == "zh":
            unit = "行"
            lines = [
                f"读入 {self.rows_in:,} {unit}：{self.scenarios_in:,} 个场景，{self.claims_in:,} 笔费用（{self.input}）",
                f"写出 {self.scenarios_out:,} 份结算单，{self.claims_out:,} 笔费用 → {outputs}",
                f"拒收 {self.rows_rejected:,} {unit}：{self.scenarios_rejected:,} 个场景，"
                f"{self.claims_rejected:,} 笔费用 → {self.errors}",
                f"行数：读入 {self.rows_in:,} = 写出 {self.rows_out:,} + 拒收 {self.rows_rejected:,}；"
                f"费用：读入 {self.claims_in:,} = 写出 {self.claims_out:,} + 拒收 {self.claims_rejected:,}",
                f"用时 {self.seconds:.1f} 秒 · 每秒 {rate:,.0f} 笔费用 · {self.workers} 个工作进程（{self.engine}）",
            ]
        else:
            unit = "lines" if self.unit == "line" else "rows"

            def n(count: int, noun: str) -> str:
                return f"{count:,} {noun}{'' if count == 1 else 's'}"

            lines = [
                f"read {self.rows_in:,} {unit}: {n(self.scenarios_in, 'scenario')}, {n(self.claims_in, 'claim')} "
                f"({self.input})",
                f"wrote {n(self.scenarios_out, 'statement')}, {n(self.claims_out, 'claim')} → {outputs}",
                f"rejected {self.rows_rejected:,} {unit}: {n(self.scenarios_rejected, 'scenario')}, "
                f"{n(self.claims_rejected, 'claim')} → {self.errors}",
                f"{unit}: {self.rows_in:,} in = {self.rows_out:,} out + {self.rows_rejected:,} rejected; "
                f"claims: {self.claims_in:,} in = {self.claims_out:,} out + {self.claims_rejected:,} rejected",
                f"{self.seconds:.1f} s · {rate:,.0f} claims/s · {self.workers} worker"
                f"{'s' if self.workers != 1 else ''} ({self.engine})",
            ]
        return "\n".join(lines) + "\n"


def run_batch(input: PathLike, output: PathLike, policy: Optional[PathLike] = None, workers: Optional[int] = None,
              explain: bool = True, engine: str = "local", scheduler: Any = None,
              errors: Optional[PathLike] = None, progress: Union[bool, Progress, None] = None, *,
              lang: str = "zh", limits: Limits = DEFAULT_LIMITS,
              chunk_claims: int = CHUNK_CLAIMS) -> Summary:
    """Evaluate every scenario of ``input`` and write the statements to ``output``.

    ``policy`` (an id or a ``.mpol`` path) overrides each scenario's own; a claims
    table without a ``policy`` column needs it.  ``workers``: processes (local
    engine; default all cores; 1 runs in this process) or, for ``engine="dask"``
    without a ``scheduler`` address, the size of a local cluster started for the
    run.  ``errors`` defaults to ``<output stem>.errors.jsonl`` beside the
    output.  ``progress``: None shows a progress line when stderr is a terminal;
    True or False force it.  ``lang`` is the statements' language.

    Raise :class:`BatchError` (an input or output that cannot be used) or the
    policy's own error (``--policy`` that fails to load) before anything is
    written; a bad scenario or row is never raised, it is written to ``errors``.
    """
    started = time.perf_counter()
    input_path, output_path = Path(input), Path(output)
    kind = output_kind(output_path)
    errors_path = Path(errors) if errors is not None else companion(output_path, "errors.jsonl")
    written = [output_path, errors_path] + ([companion(output_path, "totals.parquet")] if kind == "parquet" else [])
    if input_path.exists() and any(_same(input_path, p) for p in written):
        raise BatchError("batch.same_file", path=str(input_path))
    if engine not in ("local", "dask"):
        raise ValueError(f"engine must be 'local' or 'dask', not {engine!r}")

    reader = open_reader(input_path, limits)
    try:
        ref, loaded = _policy(policy, limits)
        if ref is None and not reader.has_policy_column:
            raise BatchError("batch.table_policy", path=str(input_path))
        config = Config(ref, str(input_path.resolve().parent), explain, lang, kind, limits)
        runner: Union[LocalEngine, DaskEngine]
        if engine == "dask":
            from . import dask_engine  # dask.distributed only when asked for

            runner = dask_engine.DaskEngine(config, scheduler, workers)
        else:
            if ref is not None and loaded is not None:
                # Workers in this process (one worker) or forked from it start with the policy loaded.
                worker(config).remember(ref, loaded)
            runner = LocalEngine(config, workers)
    except BaseException:
        reader.close()
        raise

    summary = Summary(str(input_path), [], str(errors_path), reader.unit, runner.name, runner.workers, explain)
    shown = progress if isinstance(progress, Progress) else Progress(progress)
    writer = errors_file = None
    try:
        try:
            writer = open_writer(kind, output_path)
            errors_file = ErrorsWriter(errors_path)
        except OSError as exc:
            raise BatchError("batch.unwritable", path=exc.filename or str(output_path), reason=exc.strerror) from None
        pending: deque[tuple[list[Any], Any]] = deque()
        for chunk in _chunks(reader, chunk_claims):
            payloads = [item.payload for item in chunk if item.error is None]
            future = runner.submit(payloads) if payloads else None
            # Only what the summary and the errors file need is kept while the chunk is out.
            meta = [(i.first, i.last, i.rows, i.person, i.claims, i.error) for i in chunk]
            del chunk
            pending.append((meta, future))
            if len(pending) >= runner.window:
                _finish(pending.popleft(), writer, errors_file, summary)
                shown.update(summary.claims_in, reader.fraction())
        while pending:
            _finish(pending.popleft(), writer, errors_file, summary)
            shown.update(summary.claims_in, reader.fraction())
        writer.close()
        summary.outputs = [str(p) for p in writer.paths]
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    finally:
        shown.close()
        if errors_file is not None:
            errors_file.close()
        runner.close()
        reader.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _same(a: Path, b: Path) -> bool:
    try:
        return b.exists() and a.samefile(b)
    except OSError:
        return False


def _policy(policy: Optional[PathLike], limits: Limits) -> tuple[Optional[str], Optional[CompiledPolicy]]:
    """(reference for the workers, the policy loaded here or None).

    The policy is loaded here first so that one that fails its check stops the run
    before it starts.  An id stays an id (each worker, on any node, finds it on its
    own search path); a path is made absolute."""
    if policy is None:
        return None, None
    from .. import load_policy
    from ..loader import resolve

    ref = str(policy)
    path = resolve(ref, Path.cwd())
    if isinstance(policy, Path) or ref.endswith(".mpol") or "/" in ref:
        ref = str(path.resolve())
    return ref, load_policy(path, limits=limits)


def _chunks(reader: Any, chunk_claims: int) -> Iterator[list[Item]]:
    """Whole persons, about ``chunk_claims`` claims a chunk, in input order."""
    chunk: list[Item] = []
    cost = 0
    for item in reader:
        chunk.append(item)
        if item.error is None:
            claims = item.claims if item.claims is not None else len(item.payload) // JSON_CLAIM_BYTES
            cost += 1 + claims
        if cost >= chunk_claims or len(chunk) >= MAX_CHUNK_ITEMS:
            yield chunk
            chunk, cost = [], 0
    if chunk:
        yield chunk


def _finish(chunk: tuple[list[Any], Any], writer: Any, errors_file: ErrorsWriter, summary: Summary) -> None:
    """Write one chunk's statements and errors, and count its rows."""
    from concurrent.futures.process import BrokenProcessPool

    meta, future = chunk
    try:
        encoded, outcomes = future.result() if future is not None else (None, [])
    except BrokenProcessPool:  # killed from outside (out of memory, a signal): no scenario's doing
        raise BatchError("batch.worker_died") from None
    writer.write(encoded)
    results = iter(outcomes)
    for first, last, rows, person, claims, error in meta:
        if error is None:
            found_person, found_claims, problem = next(results)
            person = person if person is not None else found_person
            claims = claims if claims is not None else found_claims
        else:
            problem = describe(error)
        n = claims or 0
        summary.rows_in += rows
        summary.scenarios_in += 1
        summary.claims_in += n
        if problem is None:
            summary.rows_out += rows
            summary.scenarios_out += 1
            summary.claims_out += n
            continue
        summary.rows_rejected += rows
        summary.scenarios_rejected += 1
        summary.claims_rejected += n
        kind, path, english, chinese = problem
        where = {"line": first} if summary.unit == "line" else {"rows": [first, last]}
        errors_file.write({**where, "person": person, "claims": claims, "kind": kind, "path": path,
                           "message": {"en": english, "zh": chinese}})
    errors_file.flush()
