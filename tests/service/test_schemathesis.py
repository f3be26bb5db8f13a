"""Requests generated from /openapi.json: no 5xx, and every answer matches the document.

Schemathesis generates valid and invalid requests for each operation of the
served document; the checks are that the server never fails (5xx), and that
status codes, content types, headers and bodies are the ones the document
declares.  The check that schema-invalid requests are refused is left out on
purpose: the service accepts what the library's validator accepts (an id
given as a number, an amount as ``"1e2"``), as ``medpolicy eval`` does.

Schemathesis' own pytest integration (``from_fixture``) fails under pytest 9
(it sets ``Function._nodeid``), so each operation's hypothesis strategy is
run here directly, as one test per operation and generation mode.
"""
from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.generation import GenerationMode  # noqa: E402
from schemathesis.specs.openapi.checks import (content_type_conformance, response_headers_conformance,  # noqa: E402
                                               response_schema_conformance, status_code_conformance)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
# Schemathesis leaves out the document's own path (/openapi.json); test_endpoints reads it.
OPERATIONS = ["GET /healthz", "GET /v1/policies", "GET /v1/policies/{policy_id}", "POST /v1/evaluate",
              "POST /v1/evaluate/batch", "POST /v1/compare", "GET /v1/schemas/statement", "GET /v1/schemas/scenario"]
WITH_INPUT = ["GET /v1/policies/{policy_id}", "POST /v1/evaluate", "POST /v1/evaluate/batch", "POST /v1/compare"]
"""The operations that take parameters or a body: the only ones invalid requests can be made for."""
EXAMPLES = {"POST /v1/evaluate": 40, "POST /v1/evaluate/batch": 15, "POST /v1/compare": 15,
            "GET /v1/policies/{policy_id}": 15}


@pytest.fixture(scope="module")
def operations(server):
    schema = schemathesis.openapi.from_url(server.url + "/openapi.json")
    found = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        found[f"{operation.method.upper()} {operation.path}"] = operation
    return found


def test_every_route_is_documented(operations):
    assert sorted(operations) == sorted(OPERATIONS)


@pytest.mark.parametrize("name, mode", [(name, GenerationMode.POSITIVE) for name in OPERATIONS] +
                         [(name, GenerationMode.NEGATIVE) for name in WITH_INPUT])
def test_operation(operations, name, mode):
    strategy = operations[name].as_strategy(generation_mode=mode)

    @given(case=strategy)
    @settings(max_examples=EXAMPLES.get(name, 5), deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        case.call_and_validate(checks=CHECKS)

    run()
