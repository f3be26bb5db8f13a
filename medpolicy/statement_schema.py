"""The JSON Schema of the statement contract, built from the event registry.

``schemas/statement.schema.json`` is this module's output (a test keeps the
file equal to it), so that the schema services validate against and the
events the evaluator emits (:data:`medpolicy.explain.EVENT_KINDS`) cannot
drift apart.  Regenerate the file with ``python3 -m medpolicy.statement_schema``.
"""
from __future__ import annotations

import json
import sys

from .explain import EVENT_KINDS, SCHEMA_VERSION, STATUSES

MONEY = {"type": "string", "pattern": r"^-?\d+\.\d{2,}$"}
PERCENT = {"type": "string", "pattern": r"^-?\d+(\.\d+)?%$"}
DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}


def _nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


TYPED_VALUE = {
    "type": "object",
    "required": ["type", "value"],
    "additionalProperties": False,
    "properties": {
        "type": {"enum": ["absent", "bool", "money", "percent", "months", "days", "date", "number", "text", "list"]},
        "value": {},
    },
}

DETAIL = {
    "type": "object",
    "description": "What decided a value: a table row, a named value (let), a counter or a history.",
    "required": ["kind", "name", "label", "value", "key", "key_kind", "otherwise"],
    "additionalProperties": False,
    "properties": {
        "kind": {"enum": ["row", "let", "counter", "history"]},
        "name": {"type": "string",
                 "description": "The policy's own name (let, counter or history id, or a row's key)."},
        "label": {"type": "string", "description": "The label the policy declares (may be empty)."},
        "value": {"$ref": "#/$defs/typed_value"},
        "key": {"type": ["string", "boolean", "null"]},
        "key_kind": {"type": ["string", "null"]},
        "otherwise": {"type": "boolean"},
        "claims": {"type": "array", "items": {"type": "string"},
                   "description": "For a history: the ids of the earlier claims it read."},
    },
}

_FIELD_TYPES = {
    "money": MONEY, "percent": PERCENT, "count": {"type": "integer"}, "date": DATE, "text": {"type": "string"},
    "bool": {"type": "boolean"}, "number": {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"},
    "details": {"type": "array", "items": {"$ref": "#/$defs/detail"}},
}


def _field(type_: str) -> dict:
    if type_.startswith(("member", "member?")):
        schema = {"type": "string"}
        return _nullable(schema) if type_.startswith("member?") else schema
    optional = type_.endswith("?")
    schema = _FIELD_TYPES[type_.rstrip("?")]
    return _nullable(schema) if optional else schema


def _event_schema() -> dict:
    variants = []
    for kind, fields in EVENT_KINDS.items():
        variants.append({
            "if": {"properties": {"kind": {"const": kind}}},
            "then": {"properties": {"data": {
                "type": "object", "additionalProperties": False, "required": list(fields),
                "properties": {name: _field(t) for name, t in fields.items()}}}},
        })
    return {
        "type": "object",
        "required": ["kind", "text", "amount", "rule", "data", "source", "cite"],
        "additionalProperties": False,
        "properties": {
            "kind": {"enum": list(EVENT_KINDS), "description": "What happened; stable across versions."},
            "text": {"type": "string", "description": "The step in words, in the statement's language."},
            "amount": _nullable(MONEY),
            "rule": {"type": ["string", "null"], "description": "The rule of the policy that made the step."},
            "data": {"type": "object", "description": "The step's inputs and outputs, typed, by kind."},
            "source": {"type": ["string", "null"], "description": "file:line of the rule in the .mpol file."},
            "cite": _nullable({"$ref": "#/$defs/citation"}),
        },
        "allOf": variants,
    }


def _payers() -> dict:
    return {"type": "array", "items": {
        "type": "object", "required": ["id", "title", "amount"], "additionalProperties": False,
        "properties": {"id": {"type": "string"}, "title": {"type": "string"}, "amount": MONEY}}}


def _explanation() -> dict:
    return _nullable({"type": "array", "items": {"$ref": "#/$defs/event"}})


def build() -> dict:
    claim = {
        "type": "object",
        "required": ["id", "date", "status", "benefit_id", "benefit", "visit", "total", "covered", "basic_fund",
                     "critical_illness", "payers", "patient", "explanation"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string"},
            "date": DATE,
            "status": {"enum": list(STATUSES)},
            "benefit_id": {"type": ["string", "null"]},
            "benefit": {"type": ["string", "null"], "description": "The benefit's title."},
            "visit": {"type": ["string", "null"],
                      "description": "For a claim paid in a visit of several claims: the visit's first claim id."},
            "total": MONEY, "covered": MONEY, "basic_fund": MONEY, "critical_illness": MONEY,
            "payers": _payers(), "patient": MONEY,
            "explanation": _explanation(),
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://medpolicy.invalid/schemas/statement-{SCHEMA_VERSION}.json",
        "title": "medpolicy statement",
        "description": "The explained statement of one person's year of claims (medpolicy eval --format json).",
        "type": "object",
        "required": ["schema_version", "medpolicy_version", "lang", "policy", "person", "notes", "claims", "totals",
                     "premium"],
        "additionalProperties": False,
        "properties": {
            "schema_version": {"const": SCHEMA_VERSION},
            "medpolicy_version": {"type": "string"},
            "lang": {"enum": ["zh", "en"]},
            "policy": {
                "type": "object", "required": ["id", "title", "period", "content_hash"], "additionalProperties": False,
                "properties": {
                    "id": {"type": "string"}, "title": {"type": "string"},
                    "period": {"type": "array", "items": DATE, "minItems": 2, "maxItems": 2},
                    "content_hash": {"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"},
                },
            },
            "person": {"type": "string"},
            "notes": _explanation(),
            "claims": {"type": "array", "items": claim},
            "totals": {
                "type": "object", "additionalProperties": False,
                "required": ["total", "covered", "basic_fund", "critical_illness", "payers", "fund", "patient"],
                "properties": {"total": MONEY, "covered": MONEY, "basic_fund": MONEY, "critical_illness": MONEY,
                               "payers": _payers(), "fund": MONEY, "patient": MONEY},
            },
            "premium": {
                "type": "object", "required": ["personal", "explanation"], "additionalProperties": False,
                "properties": {"personal": _nullable(MONEY), "explanation": _explanation()},
            },
        },
        "$defs": {
            "event": _event_schema(),
            "detail": DETAIL,
            "typed_value": TYPED_VALUE,
            "citation": {
                "type": "object", "required": ["source", "title", "section", "quote"], "additionalProperties": False,
                "properties": {"source": {"type": "string"}, "title": {"type": "string"},
                               "section": {"type": "string"}, "quote": {"type": ["string", "null"]}},
            },
        },
    }


def text() -> str:
    return json.dumps(build(), ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(text())
