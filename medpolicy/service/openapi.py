"""The OpenAPI 3.1 document of the service, written by hand around the published JSON schemas.

The request and response bodies that are contracts of their own are not
restated here: the statement schema is built by
:mod:`medpolicy.statement_schema` (the same function that writes
``schemas/statement.schema.json``) and the scenario schema is read from
``schemas/scenario.schema.json``; their ``$defs`` are lifted into
``components.schemas`` so that every OpenAPI tool resolves them.  The
policy ids the service holds at the time are listed as the ``policy``
field's examples, so that a client (or a fuzzer) can find real ones.
"""
from __future__ import annotations

import copy
import json
from functools import lru_cache
from typing import Any, Optional

from ..resources import schema_path
from ..statement_schema import build as build_statement_schema
from ..version import __version__
from .problems import MEDIA_TYPE, TYPES

@lru_cache(maxsize=1)
def statement_schema() -> dict:
    return build_statement_schema()


@lru_cache(maxsize=1)
def scenario_schema() -> Optional[dict]:
    """The published scenario schema, or None if this installation lacks the file."""
    try:
        path = schema_path("scenario")
    except FileNotFoundError:  # an installation without its schemas/ folder
        return None
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _lift(name: str, schema: dict, components: dict) -> dict:
    """``schema`` as an OpenAPI component: ``$defs`` moved beside it, references rewritten."""
    schema = copy.deepcopy(schema)
    defs = schema.pop("$defs", {})
    for key in ("$schema", "$id"):  # an embedded $id would move the base of every $ref
        schema.pop(key, None)
    names = {key: name + "".join(part.title() for part in key.split("_")) for key in defs}

    def rewrite(node):
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                node["$ref"] = "#/components/schemas/" + names[ref[len("#/$defs/"):]]
            for value in node.values():
                rewrite(value)
        elif isinstance(node, list):
            for value in node:
                rewrite(value)

    rewrite(schema)
    for key, sub in defs.items():
        rewrite(sub)
        components[names[key]] = sub
    components[name] = schema
    return {"$ref": f"#/components/schemas/{name}"}


def _problem(*statuses: int) -> dict:
    described = {status: [slug for slug, (s, _, _) in TYPES.items() if s == status] for status in statuses}
    out = {str(status): {
        "description": "problem: " + ", ".join(slugs) if slugs else "problem",
        "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    } for status, slugs in described.items()}
    out["default"] = {"description": "any other error (problem+json, about:blank or internal-error)",
                      "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    return out


def _json(ref: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": ref}}}}


LANG = {"name": "lang", "in": "query", "required": False, "description": "Language of the words: zh or en "
        "(default: the service's, zh unless configured).", "schema": {"type": "string", "enum": ["zh", "en"]}}
EXPLAIN = {"name": "explain", "in": "query", "required": False,
           "description": "false: figures only, no explanation events (faster; same figures).",
           "schema": {"type": "boolean", "default": True}}

_NULLABLE_TEXT = {"type": ["string", "null"]}
_SUMMARY_PROPERTIES = {
    "id": {"type": "string", "description": "The policy id: its file name without .mpol."},
    "title": _NULLABLE_TEXT, "jurisdiction": _NULLABLE_TEXT,
    "period": {"type": ["array", "null"], "items": {"type": "string", "format": "date"}},
    "content_hash": {"type": ["string", "null"], "pattern": "^sha256:[0-9a-f]{64}$"},
    "status": {"enum": ["ok", "error"], "description": "error: the last load failed (see last_error)."},
    "serving": {"type": "boolean", "description": "Whether a compiled version answers /v1/evaluate."},
    "loaded_at": _NULLABLE_TEXT,
}


def _components(policy_ids: list[str]) -> dict:
    components: dict[str, Any] = {}
    statement = _lift("Statement", statement_schema(), components)
    published = scenario_schema()
    if published is not None:
        published = copy.deepcopy(published)
        if policy_ids:
            published["properties"]["policy"]["examples"] = policy_ids
        scenario = _lift("Scenario", published, components)
    else:
        components["Scenario"] = {"type": "object", "description": "see schemas/scenario.md"}
        scenario = {"$ref": "#/components/schemas/Scenario"}
    components.update({
        "Problem": {
            "type": "object", "description": "RFC 9457 problem details.",
            "required": ["type", "title", "status"],
            "properties": {
                "type": {"type": "string", "format": "uri-reference"},
                "title": {"type": "string"}, "status": {"type": "integer"},
                "detail": {"type": "string"}, "instance": {"type": "string", "format": "uri-reference"},
                "errors": {"type": "array", "items": {
                    "type": "object", "required": ["path", "message"],
                    "properties": {"path": {"type": "string"}, "message": {"type": "string"}}}},
            },
        },
        "EvaluateEnvelope": {
            "type": "object", "additionalProperties": False, "required": ["scenario"],
            "description": "A scenario with the policy named beside it (used when the scenario names none).",
            "properties": {"policy": {"type": "string", **({"examples": policy_ids} if policy_ids else {})},
                           "scenario": scenario},
        },
        "EvaluateRequest": {"oneOf": [scenario, {"$ref": "#/components/schemas/EvaluateEnvelope"}]},
        "BatchRequest": {
            "type": "object", "additionalProperties": False, "required": ["scenarios"],
            "properties": {"scenarios": {"type": "array", "items": {"$ref": "#/components/schemas/EvaluateRequest"}}},
        },
        "BatchResponse": {
            "type": "object", "required": ["results"],
            "properties": {"results": {"type": "array", "items": {"oneOf": [
                {"type": "object", "required": ["statement"], "additionalProperties": False,
                 "properties": {"statement": statement}},
                {"type": "object", "required": ["error"], "additionalProperties": False,
                 "properties": {"error": {"$ref": "#/components/schemas/Problem"}}},
            ]}}},
        },
        "CompareRequest": {
            "type": "object", "additionalProperties": False, "required": ["scenario", "policies"],
            "properties": {"scenario": scenario, "policies": {
                "type": "array", "minItems": 1,
                "items": {"type": "string", **({"examples": policy_ids} if policy_ids else {})}}},
        },
        "Comparison": {
            "type": "object", "required": ["schema_version", "medpolicy_version", "lang", "home", "policies"],
            "properties": {
                "schema_version": {"type": "string"}, "medpolicy_version": {"type": "string"},
                "lang": {"enum": ["zh", "en"]}, "home": {"type": "string"},
                "policies": {"type": "array", "items": {
                    "type": "object",
                    "required": ["policy", "title", "complete", "unplaced", "notes", "premium", "patient", "net",
                                 "statement"],
                    "properties": {
                        "policy": {"type": "string"}, "title": {"type": "string"}, "complete": {"type": "boolean"},
                        "unplaced": {"type": "array", "items": {"type": "string"}},
                        "notes": {"type": "array", "items": {"type": "object", "required": ["kind", "data", "text"]}},
                        "premium": {"type": ["string", "null"]}, "patient": {"type": "string"},
                        "net": {"type": ["string", "null"]}, "statement": statement,
                    }}},
            },
        },
        "PolicySummary": {"type": "object", "required": list(_SUMMARY_PROPERTIES), "properties": _SUMMARY_PROPERTIES},
        "PolicyList": {"type": "object", "required": ["policies"], "properties": {
            "policies": {"type": "array", "items": {"$ref": "#/components/schemas/PolicySummary"}}}},
        "PolicyDetail": {
            "description": "A policy's metadata, parameters with values and citations, benefits, payers, "
                           "source text, and the last load error (null when the last load succeeded).",
            "allOf": [{"$ref": "#/components/schemas/PolicySummary"}, {
                "type": "object",
                "required": ["path", "texts", "last_error", "parameters", "benefits"],
                "properties": {
                    "path": {"type": "string"}, "texts": {"type": "object", "additionalProperties": {"type": "string"}},
                    "last_error": {"type": ["object", "null"]}, "parameters": {"type": "array"},
                    "benefits": {"type": "array"}, "payers": {"type": "array"}, "warnings": {"type": "array"},
                },
            }],
        },
        "Health": {"type": "object", "required": ["status", "version", "policies"], "properties": {
            "status": {"const": "ok"}, "version": {"type": "string"},
            "policies": {"type": "integer"}, "policies_with_errors": {"type": "integer"}}},
        "JSONSchema": {"type": "object", "description": "A JSON Schema (draft 2020-12)."},
    })
    return components


def build(policy_ids: list[str]) -> dict:
    """The OpenAPI document, listing ``policy_ids`` as examples of the ``policy`` field."""
    json_body = {"required": True, "content": {"application/json": {"schema": {
        "$ref": "#/components/schemas/EvaluateRequest"}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "medpolicy", "version": __version__,
                 "description": "Evaluate scenarios against Chinese medical-insurance policies into explained "
                                "statements. Money is a decimal string with two decimals."},
        "paths": {
            "/healthz": {"get": {"operationId": "health", "summary": "Liveness: the process answers.",
                                 "responses": {"200": _json("#/components/schemas/Health", "alive")}}},
            "/v1/policies": {"get": {"operationId": "listPolicies", "summary": "The policies served.",
                                     "responses": {"200": _json("#/components/schemas/PolicyList", "policies")}}},
            "/v1/policies/{policy_id}": {"get": {
                "operationId": "getPolicy", "summary": "One policy in detail.",
                "parameters": [{"name": "policy_id", "in": "path", "required": True,
                                "schema": {"type": "string", **({"examples": policy_ids} if policy_ids else {})}},
                               LANG],
                "responses": {"200": _json("#/components/schemas/PolicyDetail", "the policy"), **_problem(400, 404)},
            }},
            "/v1/evaluate": {"post": {
                "operationId": "evaluate", "summary": "Evaluate one scenario into an explained statement.",
                "parameters": [LANG, EXPLAIN], "requestBody": json_body,
                "responses": {"200": _json("#/components/schemas/Statement", "the statement"),
                              **_problem(400, 404, 413, 415, 422, 503)},
            }},
            "/v1/evaluate/batch": {"post": {
                "operationId": "evaluateBatch",
                "summary": "Evaluate several scenarios; a bad one fails alone, in its place in results.",
                "parameters": [LANG, EXPLAIN],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "$ref": "#/components/schemas/BatchRequest"}}}},
                "responses": {"200": _json("#/components/schemas/BatchResponse", "one result per scenario"),
                              **_problem(400, 413, 415, 422)},
            }},
            "/v1/compare": {"post": {
                "operationId": "compare",
                "summary": "The same year of care under several policies, side by side (dates moved into each "
                           "policy's year, levels mapped by a documented rule, every move noted).",
                "parameters": [LANG, EXPLAIN],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "$ref": "#/components/schemas/CompareRequest"}}}},
                "responses": {"200": _json("#/components/schemas/Comparison", "one outcome per policy"),
                              **_problem(400, 404, 413, 415, 422, 503)},
            }},
            "/v1/schemas/statement": {"get": {
                "operationId": "statementSchema", "summary": "The statement JSON Schema.",
                "responses": {"200": _json("#/components/schemas/JSONSchema", "schema")}}},
            "/v1/schemas/scenario": {"get": {
                "operationId": "scenarioSchema", "summary": "The scenario JSON Schema.",
                "responses": {"200": _json("#/components/schemas/JSONSchema", "schema"), **_problem(404)}}},
            "/openapi.json": {"get": {
                "operationId": "openapi", "summary": "This document.",
                "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {
                    "schema": {"type": "object"}}}}}}},
        },
        "components": {"schemas": _components(policy_ids)},
    }


__all__ = ["build", "statement_schema", "scenario_schema"]
