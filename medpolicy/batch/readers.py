"""Reading a batch's input as a stream of scenarios, never the whole file at once.

Three inputs, chosen by the file's extension:

* ``.jsonl`` / ``.ndjson``: JSON Lines, one scenario (``schemas/scenario.md``)
  per line.  A line is handed on as bytes: it is decoded and parsed (amounts
  as exact decimals) where it is evaluated, in a worker, so that the reading
  process does nothing but read.  Blank lines are skipped.
* ``.csv`` and ``.parquet`` / ``.pq``: a flat claims table, one row per claim,
  with the person's fields in ``person_*`` columns repeated on each of its
  rows (see :data:`PERSON_COLUMNS`, :data:`CLAIM_COLUMNS`).  **The rows of one
  person must be consecutive** (a table sorted or grouped by person id): the
  reader builds one scenario per run of rows with the same ``person_id``, so
  it holds one person's rows at a time.  A person whose rows come back after
  another person's is refused (its later rows go to the errors file): the
  reader remembers the ids of the persons it has finished for that, which
  costs memory per person (about 100 bytes), never per claim.

Every reader yields :class:`Item` objects in input order.  An item the reader
could already refuse (a row without a person id, a person whose ``person_*``
fields differ between its rows, too many claims) carries its error instead
of a scenario.  Line and row numbers are 1-based; a table's row N is its Nth
data row (a CSV file's line N+1, below the header).

pyarrow is imported only for CSV and Parquet.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator, Optional

from ..errors import MedpolicyError, ScenarioError
from ..facts import PERSON_FIELDS, SCENARIO_CLAIM_FIELDS
from ..limits import DEFAULT_LIMITS, Limits
from ..localize import msg, say

# ------------------------------------------------------------------ messages
# The batch's own sentences are entries ``batch.*`` of the one catalogue
# (medpolicy/error_messages.py); each keeps the core's shape: ``path: message``.


def word(key: str, lang: str = "en", **args: Any) -> str:
    return say(key, lang, **args)


class RowError(ScenarioError):
    """A scenario or row refused by the batch itself (not by the scenario validator)."""

    def __init__(self, key: str, path: str = "", **args: Any):
        self.key, self.key_args = key, args
        super().__init__(word(key, "en", **args), path)

    def text(self, lang: str = "en") -> str:
        bare = word(self.key, lang, **self.key_args)
        return say("error.at", lang, path=self.path, message=bare) if self.path else bare


class BatchError(MedpolicyError):
    """The run cannot start: an input or output the batch cannot use (exit code 2)."""

    def __init__(self, key: str, **args: Any):
        self.key, self.key_args = key, args
        super().__init__(word(key, "en", **args))

    def text(self, lang: str = "en") -> str:
        return word(self.key, lang, **self.key_args)


# ------------------------------------------------------------------ items

class Item:
    """One scenario of the input (or rows the reader refused), with where it came from."""

    # __weakref__: tests count the items alive at once to prove the readers stream.
    __slots__ = ("first", "last", "rows", "person", "claims", "payload", "error", "__weakref__")

    def __init__(self, first: int, last: int, rows: int, person: Optional[str], claims: Optional[int],
                 payload: Any, error: Optional[MedpolicyError] = None):
        self.first, self.last, self.rows = first, last, rows
        self.person = person
        """The person id, when the reader knows it (tables); a JSON line's is read by the worker."""
        self.claims = claims
        """How many claims, when the reader knows it (tables)."""
        self.payload = payload
        """A JSON line's bytes, or a table's scenario mapping; None when ``error`` is set."""
        self.error = error


def input_kind(path: Path) -> str:
    suffix = path.suffix.lower()
    kinds = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
    if suffix not in kinds:
        raise BatchError("batch.unknown_input", path=str(path))
    return kinds[suffix]


def open_reader(path: Path, limits: Limits = DEFAULT_LIMITS, batch_rows: int = 16_384):
    """The reader for ``path``, by extension; raise BatchError when it cannot be read."""
    kind = input_kind(path)
    if not path.is_file():
        raise BatchError("batch.unreadable", path=str(path), reason="no such file")
    if kind == "jsonl":
        return JsonLinesReader(path, limits)
    if kind == "csv":
        return CsvReader(path, limits, batch_rows)
    return ParquetReader(path, limits, batch_rows)


def _arrow(what: str):
    try:
        import pyarrow
    except ImportError:  # pragma: no cover - pyarrow is in the batch extra
        raise BatchError("batch.needs", what=what, package="pyarrow") from None
    return pyarrow


# ------------------------------------------------------------------ JSON Lines

class JsonLinesReader:
    """A JSON Lines file, one scenario a line; holds one line at a time."""

    unit = "line"
    has_policy_column = True  # each line may name its policy

    def __init__(self, path: Path, limits: Limits = DEFAULT_LIMITS):
        self.path = path
        self.limits = limits
        self.size = path.stat().st_size
        self.position = 0
        self._file = path.open("rb")

    def fraction(self) -> Optional[float]:
        """How much of the input has been read (0..1), for the ETA."""
        return self.position / self.size if self.size else None

    def __iter__(self) -> Iterator[Item]:
        limit = self.limits.max_scenario_bytes
        readline = self._file.readline
        number = 0
        while True:
            raw = readline(limit + 1)
            if not raw:
                return
            number += 1
            self.position += len(raw)
            if len(raw) > limit and not raw.endswith(b"\n"):
                # An over-long line is skipped piece by piece, never held whole.
                size = len(raw)
                while raw and not raw.endswith(b"\n"):
                    raw = readline(1 << 20)
                    size += len(raw)
                    self.position += len(raw)
                yield Item(number, number, 1, None, None, None,
                           RowError("batch.line_too_long", size=size - raw.endswith(b"\n"), limit=limit))
                continue
            if raw.isspace():
                continue  # a blank line (often the last): not a row
            # The bytes, without the line end: the worker decodes and parses them, in parallel,
            # and the reading process copies them on as they are.
            yield Item(number, number, 1, None, None, raw.rstrip(b"\r\n"))

    def close(self) -> None:
        self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# ------------------------------------------------------------------ claims tables

PERSON_COLUMNS = {f"person_{name}": name for name in PERSON_FIELDS}
"""Table column → scenario ``person`` field.  ``person_certified`` is a list
column, or text with the condition ids separated by ``;``."""

CLAIM_COLUMNS = SCENARIO_CLAIM_FIELDS
"""The scenario's claim fields, as column names (``claim_id`` etc. are accepted too)."""

REQUIRED_COLUMNS = ("person_id", "id", "date", "care", "level", "total")

_WHOLE = frozenset({"continuous_years", "gap_years", "back_paid_years"})
_BOOLS = {"true": True, "false": False, "1": True, "0": False}


def _whole(value):
    # CSV cells are text: a whole number becomes one; anything else is passed on
    # as it is, for the scenario validator to name the field it spoils.
    if type(value) is str and value.strip().isdigit():
        return int(value)
    return value


def _flag(value):
    if type(value) is str:
        return _BOOLS.get(value.strip().lower(), value)
    return value


def _certified(value):
    if type(value) is str:
        return [part.strip() for part in value.split(";") if part.strip()]
    return value


def _columns(names: list[str], path: Path) -> dict[str, str]:
    """Input column → its field: ``person.X``, ``claim.X`` or ``policy``; raise BatchError on unknown columns."""
    fields: dict[str, str] = {}
    unknown = []
    for name in names:
        if name in PERSON_COLUMNS:
            fields[name] = "person." + PERSON_COLUMNS[name]
        elif name in CLAIM_COLUMNS:
            fields[name] = "claim." + name
        elif name.startswith("claim_") and name[6:] in CLAIM_COLUMNS:
            fields[name] = "claim." + name[6:]
        elif name == "policy":
            fields[name] = "policy"
        else:
            unknown.append(name)
    if unknown:
        known = list(PERSON_COLUMNS) + list(CLAIM_COLUMNS) + ["policy"]
        raise BatchError("batch.unknown_columns", path=str(path), columns=", ".join(unknown), known=", ".join(known))
    given = set(fields.values())
    if len(given) < len(fields):  # e.g. both `id` and `claim_id`
        twice = [name for name in names if list(fields.values()).count(fields[name]) > 1]
        raise BatchError("batch.twice", path=str(path), columns=", ".join(twice))
    missing = [c for c in REQUIRED_COLUMNS
               if ("person.id" if c == "person_id" else "claim." + c) not in given]
    if missing:
        raise BatchError("batch.missing_columns", path=str(path), columns=", ".join(missing))
    return fields


class _Group:
    """The rows of the person being read."""

    __slots__ = ("key", "first", "last", "rows", "person", "policy", "raw", "claims", "count", "error")

    def __init__(self, key, row: int, person: dict, policy, raw: tuple):
        self.key, self.first, self.last, self.rows = key, row, row, 0
        self.person, self.policy, self.raw = person, policy, raw
        self.claims: list = []
        self.count = 0
        self.error: Optional[MedpolicyError] = None


class _TableReader:
    """Groups a claims table's rows into one scenario per person; holds one person's rows."""

    unit = "row"

    def __init__(self, path: Path, limits: Limits, names: list[str]):
        self.path = path
        self.limits = limits
        self.fields = _columns(names, path)
        self.has_policy_column = "policy" in self.fields.values()
        self._finished: set = set()  # persons already yielded: their rows must not come back

    def _batches(self) -> Iterator[dict[str, list]]:  # pragma: no cover - defined by each table reader
        raise NotImplementedError

    def __iter__(self) -> Iterator[Item]:
        fields = list(self.fields.items())
        person_cols = [(c, f[7:]) for c, f in fields if f.startswith("person.")]
        claim_cols = [(c, f[6:]) for c, f in fields if f.startswith("claim.")]
        policy_col = next((c for c, f in fields if f == "policy"), None)
        max_claims = self.limits.max_claims
        group: Optional[_Group] = None
        row = 0
        for columns in self._batches():
            ids = columns["person_id"]
            person_values = [(field, columns[c]) for c, field in person_cols]
            claim_values = [(field, columns[c]) for c, field in claim_cols]
            policies = columns[policy_col] if policy_col else None
            for i in range(len(ids)):
                row += 1
                pid = ids[i]
                claim = {}
                for field, values in claim_values:
                    value = values[i]
                    if value is not None and value != "":
                        claim[field] = _flag(value) if field == "pediatric" else value
                if pid is None or pid == "":
                    yield Item(row, row, 1, None, 1 if claim else 0, None, RowError("batch.no_person_id", "person_id"))
                    continue
                raw = tuple(values[i] for _, values in person_values)
                policy = policies[i] if policies is not None else None
                if group is None or pid != group.key:
                    if group is not None:
                        yield self._close(group)
                    group = _Group(pid, row, self._person(person_values, i), policy, raw + (policy,))
                    if pid in self._finished:
                        group.error = RowError("batch.not_consecutive", "person_id", person=str(pid))
                elif group.error is None and raw + (policy,) != group.raw:
                    group.error = self._differs(group, raw + (policy,), [c for c, _ in person_cols])
                group.last = row
                group.rows += 1
                if claim:
                    group.count += 1
                    if group.count <= max_claims:  # past the limit: counted, not kept
                        group.claims.append(claim)
        if group is not None:
            yield self._close(group)

    @staticmethod
    def _person(person_values, i: int) -> dict:
        person = {}
        for field, values in person_values:
            value = values[i]
            if value is None or value == "":
                continue
            if field in _WHOLE:
                value = _whole(value)
            elif field == "long_term_care":
                value = _flag(value)
            elif field == "certified":
                value = _certified(value)
            person[field] = value
        return person

    def _differs(self, group: _Group, raw: tuple, names: list[str]) -> RowError:
        names = names + ["policy"]
        for name, value, expected in zip(names, raw, group.raw):
            if value != expected:
                return RowError("batch.person_differs", name, first=group.first, value=repr(value), expected=repr(expected))
        raise AssertionError("rows differ but no field does")  # pragma: no cover

    def _close(self, group: _Group) -> Item:
        self._finished.add(group.key)
        person_id = str(group.key)
        if group.error is None and group.count > self.limits.max_claims:
            group.error = ScenarioError(msg("scenario.too_many_claims", count=group.count,
                                            limit=self.limits.max_claims), "claims")
        if group.error is not None:
            return Item(group.first, group.last, group.rows, person_id, group.count, None, group.error)
        scenario: dict = {"person": group.person, "claims": group.claims}
        if group.policy is not None and group.policy != "":
            scenario["policy"] = group.policy
        return Item(group.first, group.last, group.rows, person_id, group.count, scenario)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        pass


class CsvReader(_TableReader):
    """A CSV claims table (UTF-8, a header row), read in blocks by pyarrow's streaming reader.

    Every cell is read as text, so that ids keep their leading zeros and
    amounts stay exact; an empty cell is an absent field.
    """

    def __init__(self, path: Path, limits: Limits = DEFAULT_LIMITS, batch_rows: int = 16_384):
        import csv

        with path.open(encoding="utf-8-sig", newline="") as f:
            try:
                names = next(csv.reader(f))
            except StopIteration:
                names = []
            except (csv.Error, UnicodeDecodeError) as exc:
                raise BatchError("batch.unreadable", path=str(path), reason=str(exc)) from None
        super().__init__(path, limits, names)
        self.names = names
        self.size = path.stat().st_size
        self.position = 0
        self._batch_rows = batch_rows

    def fraction(self) -> Optional[float]:
        return min(self.position / self.size, 1.0) if self.size else None

    def _batches(self) -> Iterator[dict[str, list]]:
        pa = _arrow("reading CSV")
        from pyarrow import csv as pa_csv

        # A block of about 64 bytes a row: the reader holds one block, not the file.
        read = pa_csv.ReadOptions(block_size=max(self._batch_rows * 64, 1 << 16))
        convert = pa_csv.ConvertOptions(column_types={name: pa.string() for name in self.names},
                                        strings_can_be_null=False)
        try:
            reader = pa_csv.open_csv(self.path, read_options=read, convert_options=convert)
        except pa.ArrowInvalid as exc:
            if "Empty CSV file" in str(exc):
                return
            raise BatchError("batch.unreadable", path=str(self.path), reason=str(exc)) from None
        with reader:
            while True:
                try:
                    batch = reader.read_next_batch()
                except StopIteration:
                    return
                except pa.ArrowInvalid as exc:  # a malformed line breaks the CSV grammar itself
                    raise BatchError("batch.unreadable", path=str(self.path), reason=str(exc)) from None
                self.position += batch.nbytes  # text bytes ≈ file bytes: enough for an ETA
                yield {name: batch.column(name).to_pylist() for name in self.fields}


class ParquetReader(_TableReader):
    """A Parquet claims table, read a batch of rows at a time (columns may be typed:
    decimal or text amounts, date or text dates, list or text ``person_certified``).
    A floating-point amount is read as the scenario validator reads one: by its shortest
    decimal text (``12.3`` → ``12.30``); decimal or text amounts are better."""

    def __init__(self, path: Path, limits: Limits = DEFAULT_LIMITS, batch_rows: int = 16_384):
        _arrow("reading Parquet")
        import pyarrow.parquet as pq

        try:
            self._file = pq.ParquetFile(path)
        except Exception as exc:  # pyarrow raises several kinds for a file that is not Parquet
            raise BatchError("batch.unreadable", path=str(path), reason=str(exc)) from None
        super().__init__(path, limits, self._file.schema_arrow.names)
        self.total_rows = self._file.metadata.num_rows
        self.read_rows = 0
        self._batch_rows = batch_rows

    def fraction(self) -> Optional[float]:
        return self.read_rows / self.total_rows if self.total_rows else None

    def _batches(self) -> Iterator[dict[str, list]]:
        for batch in self._file.iter_batches(batch_size=self._batch_rows, columns=list(self.fields)):
            self.read_rows += batch.num_rows
            # to_pylist keeps decimals as Decimal and dates as date: never a float unless the file has one.
            yield {name: batch.column(name).to_pylist() for name in self.fields}

    def close(self) -> None:
        self._file.close()
