"""Writing a batch's statements, by the output's extension, a chunk at a time.

Work is split in two so that the writing process stays light: an *encoder*
runs in the worker, beside the evaluation, and turns a chunk's statements
into what the output needs (JSON text, or Arrow record batches); a *writer*
runs in the process that reads the input and appends each chunk, in input
order, to the file.

* ``.jsonl``: one statement per line, in the JSON contract's shape
  (``schemas/statement.schema.json``; ``statement.to_dict(lang)``), compact.
* ``.parquet``: one row per claim (:data:`CLAIM_FIELDS`) in ``out.parquet``, and
  one row per person with the year's totals and the premium
  (:data:`TOTALS_FIELDS`) in ``out.totals.parquet`` beside it.  Money columns
  are ``decimal128(18, 2)``: exact fixed-point yuan that every Parquet reader
  (pandas, DuckDB, Spark) sums and compares as numbers without a cast, never
  a float; 18 digits hold a claim of the scenario limit (¥100 million) and
  a person's totals of 10,000 such claims.  Explanations (when made) are
  the contract's JSON text in string columns.

Both writers write to a temporary file beside the output and rename it when
the run ends, so that a run that fails never leaves a partial output under
the output's name.  pyarrow is imported only for Parquet.
"""
from __future__ import annotations

import json
import os
from decimal import Decimal, InvalidOperation
from json.encoder import encode_basestring  # what json.dumps(ensure_ascii=False) quotes text with
from pathlib import Path
from typing import Any, Optional

from ..explain import CRITICAL_ILLNESS, Statement
from .readers import BatchError

CENT = Decimal("0.01")
ZERO = Decimal(0)
ROW_GROUP_ROWS = 131_072
ROW_GROUP_BYTES = 64 << 20


def output_kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in (".jsonl", ".parquet"):
        raise BatchError("batch.unknown_output", path=str(path))
    return suffix[1:]


def companion(path: Path, name: str) -> Path:
    """A file beside the output: ``out.parquet`` → ``out.totals.parquet`` / ``out.errors.jsonl``."""
    return path.with_name(f"{path.stem}.{name}")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# ------------------------------------------------------------------ JSON Lines

def _money(amount: Optional[Decimal]) -> str:
    """The contract's money text (render_json's ``_money``), quoted, without its function calls."""
    if amount is None:
        return "null"
    text = str(amount)
    if text[-3:-2] == "." and "E" not in text:  # already in cents (nearly always): plain notation
        return f'"{text}"'
    try:
        cents = amount.quantize(CENT)
    except InvalidOperation:  # pragma: no cover - more digits than the context: the contract's own way
        from ..render_json import _money as contract_money

        return encode_basestring(contract_money(amount) or "")
    if cents == amount:
        return f'"{cents:f}"'
    return f'"{amount.normalize():f}"'


class JsonlEncoder:
    """Statements → JSON lines, in a worker.

    With explanations the statement goes through ``to_dict`` (the explanation
    is most of the text).  Without, the line is built directly: ``to_dict``
    plus ``json.dumps`` cost more than the evaluation itself.  That fast path
    must give exactly the contract's text: it is checked against ``to_dict``
    on the first statement of each policy (and falls back for good if it ever
    differs), and tests/batch pin it on whole populations.
    """

    def __init__(self, lang: str, explain: bool):
        self.lang = lang
        self.fast = not explain
        self.lines: list[str] = []
        self._headers: dict = {}
        self._quoted: dict = {}
        self._fragments: dict = {}

    def add(self, statement: Statement) -> None:
        if self.fast:
            line = self._fast(statement)
            if line is not None:
                self.lines.append(line + "\n")
                return
        self.lines.append(_dumps(statement.to_dict(self.lang)) + "\n")

    def finish(self) -> bytes:
        # Encoded here, in the worker: the writing process copies the bytes to the file as they are.
        data = "".join(self.lines).encode("utf-8")
        self.lines = []
        return data

    def _fast(self, s: Statement) -> Optional[str]:
        info = s.policy
        key = (info.id, info.title, info.period, info.content_hash)
        header = self._headers.get(key)
        if header is None:
            contract = _dumps(s.to_dict(self.lang))
            d = json.loads(contract)
            head = _dumps({k: d[k] for k in ("schema_version", "medpolicy_version", "lang", "policy")})[:-1]
            self._headers[key] = header = head
            if self._encode(s, head) != contract:
                self.fast = False  # the contract moved on: keep to to_dict
                return None
        return self._encode(s, header)

    def _q(self, text: Optional[str]) -> str:
        """Quoted JSON text; the few repeated texts (statuses, benefits, payers) are quoted once."""
        if text is None:
            return "null"
        quoted = self._quoted.get(text)
        if quoted is None:
            quoted = encode_basestring(text)
            if len(self._quoted) < 4096:
                self._quoted[text] = quoted
        return quoted

    def _payers(self, payers) -> str:
        q = self._q
        return "[" + ",".join(f'{{"id":{q(p.id)},"title":{q(p.title)},"amount":{_money(p.amount)}}}'
                              for p in payers) + "]"

    def _encode(self, s: Statement, header: str) -> str:
        q, money, quote = self._q, _money, encode_basestring
        fragments = self._fragments
        claims = []
        for c in s.claims:
            # The texts that repeat from claim to claim are made once: the benefit's, the payer's.
            key = (c.status, c.benefit, c.benefit_title)
            benefit = fragments.get(key)
            if benefit is None:
                benefit = fragments[key] = (f'"status":{q(c.status)},"benefit_id":{q(c.benefit)},'
                                            f'"benefit":{q(c.benefit_title)},')
            payers = c.payers
            if len(payers) == 1 and payers[0].id == CRITICAL_ILLNESS:  # the usual case
                payer = payers[0]
                head = fragments.get(payer[:2])
                if head is None:
                    head = fragments[payer[:2]] = f'[{{"id":{q(payer.id)},"title":{q(payer.title)},"amount":'
                # As ClaimResult.critical_illness sums it: from Decimal(0).
                critical = money(ZERO + payer.amount)
                payers_text = f"{head}{money(payer.amount)}}}]"
            else:
                critical, payers_text = money(c.critical_illness), self._payers(payers)
            claims.append(
                f'{{"id":{quote(c.id)},"date":"{c.date.isoformat()}",{benefit}'
                f'"visit":{"null" if c.visit is None else quote(c.visit)},'
                f'"total":{money(c.total)},"covered":{money(c.covered)},"basic_fund":{money(c.basic_fund)},'
                f'"critical_illness":{critical},"payers":{payers_text},'
                f'"patient":{money(c.patient)},"explanation":null}}')
        t = s.totals
        return (f'{header},"person":{quote(s.person)},"notes":null,"claims":[{",".join(claims)}],'
                f'"totals":{{"total":{money(t.total)},"covered":{money(t.covered)},'
                f'"basic_fund":{money(t.basic_fund)},"critical_illness":{money(t.critical_illness)},'
                f'"payers":{self._payers(t.payers)},"fund":{money(t.fund)},"patient":{money(t.patient)}}},'
                f'"premium":{{"personal":{money(s.premium.personal)},"explanation":null}}}}')


class JsonlWriter:
    def __init__(self, path: Path):
        self.paths = [path]
        self._tmp = _temporary(path)
        self._file = self._tmp.open("wb")

    def write(self, payload: Optional[bytes]) -> None:
        if payload:
            self._file.write(payload)

    def close(self) -> None:
        self._file.close()
        os.replace(self._tmp, self.paths[0])

    def abort(self) -> None:
        self._file.close()
        self._tmp.unlink(missing_ok=True)


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.partial")


# ------------------------------------------------------------------ Parquet

CLAIM_FIELDS = ("person", "policy", "id", "date", "status", "benefit_id", "benefit", "visit", "total", "covered",
                "basic_fund", "critical_illness", "payers", "patient", "explanation")
"""Columns of ``out.parquet``, one row per claim in each statement's processing order."""

TOTALS_FIELDS = ("person", "policy", "content_hash", "claims", "total", "covered", "basic_fund", "critical_illness",
                 "payers", "fund", "patient", "premium", "notes", "premium_explanation")
"""Columns of ``out.totals.parquet``, one row per person."""


def schemas():
    """(claims schema, totals schema)."""
    import pyarrow as pa

    money = pa.decimal128(18, 2)
    payers = pa.list_(pa.struct([("id", pa.string()), ("title", pa.string()), ("amount", money)]))
    types = {"person": pa.string(), "policy": pa.string(), "id": pa.string(), "date": pa.date32(),
             "status": pa.string(), "benefit_id": pa.string(), "benefit": pa.string(), "visit": pa.string(),
             "payers": payers, "explanation": pa.string(), "content_hash": pa.string(), "claims": pa.int32(),
             "premium": money, "notes": pa.string(), "premium_explanation": pa.string()}
    for name in ("total", "covered", "basic_fund", "critical_illness", "fund", "patient"):
        types[name] = money
    return (pa.schema([(name, types[name]) for name in CLAIM_FIELDS]),
            pa.schema([(name, types[name]) for name in TOTALS_FIELDS]))


class ParquetEncoder:
    """Statements → (claims, totals) Arrow record batches, in a worker."""

    def __init__(self, lang: str, explain: bool):
        self.lang, self.explain = lang, explain
        self._reset()

    def _reset(self) -> None:
        self.claims: dict[str, list] = {name: [] for name in CLAIM_FIELDS if name != "payers"}
        self.totals: dict[str, list] = {name: [] for name in TOTALS_FIELDS if name != "payers"}
        # payers are a list of structs per row: kept flat, with offsets, which Arrow takes as is
        self.claim_payers: tuple[list, list, list, list] = ([0], [], [], [])
        self.total_payers: tuple[list, list, list, list] = ([0], [], [], [])

    def add(self, s: Statement) -> None:
        contract = s.to_dict(self.lang) if self.explain else None
        person, policy = s.person, s.policy.id
        rows = []
        for i, c in enumerate(s.claims):
            explanation = _dumps(contract["claims"][i]["explanation"]) if contract else None
            rows.append((person, policy, c.id, c.date, c.status, c.benefit, c.benefit_title, c.visit, c.total,
                         c.covered, c.basic_fund, c.critical_illness, c.patient, explanation, c.payers))
        t = s.totals
        total = (person, policy, s.policy.content_hash, len(s.claims), t.total, t.covered, t.basic_fund,
                 t.critical_illness, t.fund, t.patient, s.premium.personal,
                 _dumps(contract["notes"]) if contract else None,
                 _dumps(contract["premium"]["explanation"]) if contract else None)
        # Everything is computed before anything is appended: a failure leaves the columns aligned.
        names = [n for n in CLAIM_FIELDS if n != "payers"]
        for row in rows:
            for name, value in zip(names, row):
                self.claims[name].append(value)
            _add_payers(self.claim_payers, row[-1])
        for name, figure in zip([n for n in TOTALS_FIELDS if n != "payers"], total):
            self.totals[name].append(figure)
        _add_payers(self.total_payers, t.payers)

    def finish(self):
        import pyarrow as pa

        claims_schema, totals_schema = schemas()
        batches = (_batch(pa, claims_schema, self.claims, self.claim_payers),
                   _batch(pa, totals_schema, self.totals, self.total_payers))
        self._reset()
        return batches


def _add_payers(flat, payers) -> None:
    offsets, ids, titles, amounts = flat
    for p in payers:
        ids.append(p.id)
        titles.append(p.title)
        amounts.append(p.amount)
    offsets.append(len(ids))


def _batch(pa, schema, columns: dict, payers):
    offsets, ids, titles, amounts = payers
    payers_type = schema.field("payers").type
    money = payers_type.value_type.field("amount").type
    values = pa.StructArray.from_arrays([pa.array(ids, pa.string()), pa.array(titles, pa.string()),
                                         pa.array(amounts, money)], fields=list(payers_type.value_type))
    arrays = []
    for field in schema:
        if field.name == "payers":
            arrays.append(pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), values, type=payers_type))
        else:
            arrays.append(pa.array(columns[field.name], field.type))
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


class ParquetWriter:
    """``out.parquet`` (claims) and ``out.totals.parquet`` (persons), in row groups of
    about :data:`ROW_GROUP_ROWS` rows or :data:`ROW_GROUP_BYTES` bytes."""

    def __init__(self, path: Path):
        try:
            import pyarrow.parquet as pq
        except ImportError:  # pragma: no cover - pyarrow is in the batch extra
            raise BatchError("batch.needs", what="writing Parquet", package="pyarrow") from None
        claims_schema, totals_schema = schemas()
        self.paths = [path, companion(path, "totals.parquet")]
        self._tmps = [_temporary(p) for p in self.paths]
        self._writers = [pq.ParquetWriter(tmp, schema, compression="zstd")
                         for tmp, schema in zip(self._tmps, (claims_schema, totals_schema))]
        self._buffers: list[list] = [[], []]
        self._sizes = [[0, 0], [0, 0]]  # rows, bytes buffered per file

    def write(self, payload) -> None:
        if not payload:
            return
        for i, batch in enumerate(payload):
            if batch.num_rows == 0:
                continue
            self._buffers[i].append(batch)
            self._sizes[i][0] += batch.num_rows
            self._sizes[i][1] += batch.nbytes
            if self._sizes[i][0] >= ROW_GROUP_ROWS or self._sizes[i][1] >= ROW_GROUP_BYTES:
                self._flush(i)

    def _flush(self, i: int) -> None:
        import pyarrow as pa

        if self._buffers[i]:
            table = pa.Table.from_batches(self._buffers[i])
            self._writers[i].write_table(table, row_group_size=max(table.num_rows, 1))
        self._buffers[i] = []
        self._sizes[i] = [0, 0]

    def close(self) -> None:
        for i, writer in enumerate(self._writers):
            self._flush(i)
            writer.close()
        for tmp, path in zip(self._tmps, self.paths):
            os.replace(tmp, path)

    def abort(self) -> None:
        for writer in self._writers:
            writer.close()
        for tmp in self._tmps:
            tmp.unlink(missing_ok=True)


def encoder(kind: str, lang: str, explain: bool):
    return JsonlEncoder(lang, explain) if kind == "jsonl" else ParquetEncoder(lang, explain)


def open_writer(kind: str, path: Path):
    return JsonlWriter(path) if kind == "jsonl" else ParquetWriter(path)


# ------------------------------------------------------------------ errors file

class ErrorsWriter:
    """``<output>.errors.jsonl``: one JSON object per refused scenario or rows, in the order found.
    Written as it goes (and flushed per chunk) so that it is useful even if the run stops."""

    def __init__(self, path: Path):
        self.path = path
        self.count = 0
        self._file = path.open("w", encoding="utf-8", newline="\n")

    def write(self, record: dict) -> None:
        self._file.write(_dumps(record) + "\n")
        self.count += 1

    def flush(self) -> None:
        self._file.flush()

    def close(self) -> None:
        self._file.close()
