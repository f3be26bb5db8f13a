"""Every error is problem+json with the right status, and none shows a traceback."""
from __future__ import annotations

import threading
import time

import httpx
import pytest
import uvicorn

from medpolicy.service import Settings, create_app
from medpolicy.service.registry import Entry, Registry

from .conftest import example, free_port, to_json

PROBLEM = "application/problem+json"
GOOD = {"policy": "karamay", "person": {"id": "p"},
        "claims": [{"id": "a", "date": "2026-03-01", "care": "inpatient", "level": "2", "total": "100.00"}]}


def problem(r: httpx.Response, status: int, kind: str) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    body = r.json()
    assert body["status"] == status and body["title"] and body["detail"] and body["instance"]
    assert body["type"] == kind if kind == "about:blank" else body["type"].endswith("/" + kind)
    assert "Traceback" not in r.text
    return body


def post(client, body: bytes | str, path: str = "/v1/evaluate", **kwargs):
    headers = {"content-type": "application/json", **kwargs.pop("headers", {})}
    return client.post(path, content=body, headers=headers, **kwargs)


@pytest.mark.parametrize("body", ['{"policy": "karamay",', "[1, 2", "", '{"a": NaN}', "\ufeff{}"])
def test_malformed_json_is_400(client, body):
    problem(post(client, body.encode("utf-8")), 400, "malformed-json")


def test_not_utf8_is_400(client):
    assert "UTF-8" in problem(post(client, b'{"a": "\xff"}', params={"lang": "en"}), 400, "malformed-json")["detail"]


def test_deep_nesting_is_400_not_a_crash(client):
    problem(post(client, "[" * 30_000 + "]" * 30_000), 400, "malformed-json")


def test_body_too_large_is_413_by_length(client):
    body = b'{"x": "' + b"a" * 70_000 + b'"}'
    assert "65536" in problem(post(client, body, params={"lang": "en"}), 413, "body-too-large")["detail"]


def test_body_too_large_is_413_while_streaming(server):
    """A chunked body has no Content-Length: it is counted as it arrives and refused past the limit."""
    def chunks():
        yield b'{"x": "'
        for _ in range(100):
            yield b"a" * 1024
        yield b'"}'

    with server.client() as c:
        problem(c.post("/v1/evaluate", content=chunks(), headers={"content-type": "application/json"}),
                413, "body-too-large")
        assert c.get("/healthz").status_code == 200  # the server carries on


def test_wrong_media_type_is_415(client):
    problem(client.post("/v1/evaluate", content=b"a=b", headers={"content-type": "application/x-www-form-urlencoded"}),
            415, "unsupported-media-type")


def test_unknown_policy_is_404_with_did_you_mean(client):
    body = problem(client.post("/v1/evaluate", params={"lang": "en"}, json=dict(GOOD, policy="shanghia")),
                   404, "policy-not-found")
    assert body["suggestion"] == "shanghai" and "did you mean 'shanghai'" in body["detail"]
    assert "suggestion" not in problem(client.post("/v1/evaluate", json=dict(GOOD, policy="zzzzzz")),
                                       404, "policy-not-found")


def test_policy_paths_are_never_opened(client):
    for ref in ("policies/karamay.mpol", "/etc/passwd", "../karamay"):
        problem(client.post("/v1/evaluate", json=dict(GOOD, policy=ref)), 404, "policy-not-found")


def test_scenario_field_error_is_422_with_path(client):
    scenario = to_json(example("karamay-inpatient-levels.yaml"))
    scenario["claims"][2]["level"] = "4"
    body = problem(client.post("/v1/evaluate", params={"lang": "en"}, json=scenario), 422, "scenario-invalid")
    assert body["errors"] == [{"path": "claims[2] (id adm-l3).level",
                               "message": "unknown level '4' (one of: '1', '2', '3')"}] or \
        body["errors"][0]["path"] == "claims[2] (id adm-l3).level"
    zh = problem(client.post("/v1/evaluate", json=scenario), 422, "scenario-invalid")
    assert zh["title"] == "场景无效" and zh["errors"][0]["path"] == body["errors"][0]["path"]


@pytest.mark.parametrize("scenario, path", [
    ({"policy": "karamay", "person": {"id": "p"}}, "claims"),
    ({"policy": "karamay", "person": {"id": "p"}, "claims": [], "extra": 1}, "extra"),
    ({"policy": "karamay", "person": {"id": "p", "continuous_years": 0}, "claims": []}, "person.continuous_years"),
    ({"policy": "karamay", "person": {"id": "p"}, "claims": [dict(GOOD["claims"][0], total="1.001")]},
     "claims[0] (id a).total"),
    ({"person": {"id": "p"}, "claims": []}, "policy"),
    ({"policy": 7, "person": {"id": "p"}, "claims": []}, "policy"),
    ({"scenario": {"person": {"id": "p"}, "claims": [{"id": "a"}]}, "policy": "karamay"},
     "scenario.claims[0] (id a).date"),
])
def test_scenario_errors_name_their_field(client, scenario, path):
    body = problem(client.post("/v1/evaluate", json=scenario), 422, "scenario-invalid")
    assert body["errors"][0]["path"] == path


def test_too_many_claims_is_422(client):
    claims = [dict(GOOD["claims"][0], id=f"c{i}") for i in range(51)]
    body = problem(client.post("/v1/evaluate", json=dict(GOOD, claims=claims)), 422, "scenario-invalid")
    assert body["errors"][0]["path"] == "claims"


@pytest.mark.parametrize("body", [[1, 2], "text", 3])
def test_body_not_an_object_is_422(client, body):
    problem(client.post("/v1/evaluate", json=body), 422, "request-invalid")


def test_bad_query_parameters_are_400(client):
    assert problem(client.post("/v1/evaluate", params={"lang": "fr"}, json=GOOD), 400, "bad-parameter")[
        "errors"][0]["path"] == "lang"
    problem(client.post("/v1/evaluate", params={"explain": "maybe"}, json=GOOD), 400, "bad-parameter")


def test_batch_shape_errors(client):
    problem(client.post("/v1/evaluate/batch", json={"scenarios": {}}), 422, "request-invalid")
    problem(client.post("/v1/evaluate/batch", json={"scenario": []}), 422, "request-invalid")
    body = problem(client.post("/v1/evaluate/batch", json={"scenarios": [GOOD] * 21}), 422, "request-invalid")
    assert body["errors"][0]["path"] == "scenarios"
    problem(post(client, b"{", "/v1/evaluate/batch"), 400, "malformed-json")


def test_unknown_route_and_method(client):
    problem(client.get("/v2/nothing"), 404, "about:blank")
    r = client.get("/v1/evaluate")
    problem(r, 405, "about:blank")
    assert r.headers["allow"] == "POST"


# ---------------------------------------------------------------- in-process server (for what a subprocess cannot fake)


class _Broken:
    """Not a compiled policy: evaluating with it fails inside the library, as a bug would."""

    id = title = jurisdiction = "boom"


@pytest.fixture(scope="module")
def sabotaged(tmp_path_factory):
    """A uvicorn server in a thread whose registry holds a policy that crashes and one that never loaded."""
    folder = tmp_path_factory.mktemp("sabotaged")
    settings = Settings(port=free_port(), policies=folder, reload_interval_s=0, log_level="critical")
    registry = Registry(folder, settings.limits, None)
    registry._entries = {
        "boom": Entry("boom", folder / "boom.mpol", _Broken(), None, {}, "2026-01-01T00:00:00+00:00"),
        "never": Entry("never", folder / "never.mpol", None, None, {}),
    }
    config = uvicorn.Config(create_app(settings, registry), host="127.0.0.1", port=settings.port,
                            log_level="critical", lifespan="on")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{settings.port}"
    srv.should_exit = True
    thread.join(10)


def test_internal_error_is_500_without_traceback(sabotaged):
    r = httpx.post(sabotaged + "/v1/evaluate", json=dict(GOOD, policy="boom"), params={"lang": "en"})
    body = problem(r, 500, "internal-error")
    assert "AttributeError" not in r.text and "_Broken" not in r.text and "File " not in r.text
    assert body["detail"] == "the request failed; the service log has the details"


def test_batch_item_crash_fails_alone(sabotaged):
    r = httpx.post(sabotaged + "/v1/evaluate/batch",
                   json={"scenarios": [dict(GOOD, policy="boom"), dict(GOOD, policy="never")]})
    assert r.status_code == 200
    errors = [item["error"] for item in r.json()["results"]]
    assert [e["status"] for e in errors] == [500, 503]
    assert "Traceback" not in r.text


def test_policy_that_never_loaded_is_503(sabotaged):
    problem(httpx.post(sabotaged + "/v1/evaluate", json=dict(GOOD, policy="never")), 503, "policy-unavailable")
