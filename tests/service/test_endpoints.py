"""Every endpoint of a real server answers what the library computes in-process."""
from __future__ import annotations

import json

import jsonschema
import pytest

import medpolicy

from medpolicy import statement_schema

from .conftest import ROOT, example, expected, served_examples, to_json

CASES = [p.name for p in served_examples()]
STATEMENT = jsonschema.Draft202012Validator(statement_schema.build(), format_checker=jsonschema.FormatChecker())


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok" and r.json()["policies"] == 3 and r.json()["policies_with_errors"] == 0


def test_policy_list(client, policies):
    r = client.get("/v1/policies")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    listed = {p["id"]: p for p in r.json()["policies"]}
    assert set(listed) == {"karamay", "lanzhou", "shanghai"}
    for pid, policy in policies.items():
        assert listed[pid]["title"] == policy.title
        assert listed[pid]["jurisdiction"] == policy.jurisdiction
        assert listed[pid]["period"] == [policy.start.isoformat(), policy.end.isoformat()]
        assert listed[pid]["content_hash"] == policy.content_hash
        assert listed[pid]["status"] == "ok" and listed[pid]["serving"] is True


def test_policy_detail(client, policies):
    r = client.get("/v1/policies/karamay")
    assert r.status_code == 200
    body = r.json()
    policy = policies["karamay"]
    assert body["content_hash"] == policy.content_hash and body["last_error"] is None
    assert body["texts"] == dict(policy.texts)  # the source text, modules included
    assert body["levels"] == policy.levels
    params = {p["name"]: p for p in body["parameters"]}
    # A parameter of the imported national module, with its value and its citation.
    assert params["fixed_wait"]["value"] == {"type": "months", "value": 3}
    assert params["fixed_wait"]["cite"]["source"] == "gbf38" and params["fixed_wait"]["cite"]["section"]
    assert params["general_outpatient_year"]["value"] == {"type": "money", "value": "900.00"}
    inpatient = next(b for b in body["benefits"] if b["id"] == "inpatient")
    assert "85%" in inpatient["ratio"] and inpatient["ratio_cite"]["title"]
    assert body["payers"][0]["tables"][0]["bands"]


def test_policy_detail_unknown_suggests(client):
    r = client.get("/v1/policies/karamy", params={"lang": "en"})
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["type"].endswith("/policy-not-found") and body["suggestion"] == "karamay"
    assert "did you mean 'karamay'" in body["detail"]


@pytest.mark.parametrize("name", CASES)
def test_evaluate_examples(client, policies, name):
    scenario = example(name)
    for lang in ("zh", "en"):
        r = client.post("/v1/evaluate", params={"lang": lang}, json=to_json(scenario))
        assert r.status_code == 200, r.text
        assert r.json() == expected(policies, scenario, lang)
        STATEMENT.validate(r.json())


def test_evaluate_default_language_and_no_explanation(client, policies):
    scenario = example("karamay-inpatient-levels.yaml")
    r = client.post("/v1/evaluate", params={"explain": "false"}, json=to_json(scenario))
    assert r.status_code == 200
    assert r.json()["lang"] == "zh"
    assert r.json() == expected(policies, scenario, "zh", explain=False)
    assert r.json()["claims"][0]["explanation"] is None


def test_evaluate_envelope(client, policies):
    scenario = to_json(example("shanghai-outpatient-deductible.yaml"))
    del scenario["policy"]
    r = client.post("/v1/evaluate", json={"policy": "shanghai", "scenario": scenario})
    assert r.status_code == 200
    assert r.json() == expected(policies, dict(scenario, policy="shanghai"))


def test_numbers_stay_exact(client, policies):
    """Amounts sent as JSON numbers are read as decimals, never as floats."""
    body = '{"policy": "karamay", "person": {"id": "p"}, "claims": [' \
           '{"id": "a", "date": "2026-03-01", "care": "inpatient", "level": "2", "total": 10000.10}]}'
    r = client.post("/v1/evaluate", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 200
    scenario = {"policy": "karamay", "person": {"id": "p"},
                "claims": [{"id": "a", "date": "2026-03-01", "care": "inpatient", "level": "2", "total": "10000.10"}]}
    assert r.json() == expected(policies, scenario)
    assert r.json()["claims"][0]["total"] == "10000.10"


def test_batch_mixes_statements_and_problems(client, policies):
    good = to_json(example("karamay-inpatient-levels.yaml"))
    bad = json.loads(json.dumps(good))
    bad["claims"][1]["level"] = "9"
    r = client.post("/v1/evaluate/batch", params={"lang": "en"},
                    json={"scenarios": [good, bad, {"policy": "nope", "person": {"id": "x"}, "claims": []}, good]})
    assert r.status_code == 200
    results = r.json()["results"]
    assert len(results) == 4
    assert results[0] == {"statement": expected(policies, good, "en")} == results[3]
    problem = results[1]["error"]
    assert problem["status"] == 422 and problem["errors"][0]["path"].startswith("scenarios[1].claims[1]")
    assert problem["detail"].startswith(problem["errors"][0]["path"] + ": ")
    assert problem["instance"] == "/v1/evaluate/batch#/scenarios/1"
    assert results[2]["error"]["status"] == 404


def test_schemas_are_the_published_files(client):
    for name in ("statement", "scenario"):
        r = client.get(f"/v1/schemas/{name}")
        assert r.status_code == 200
        assert r.json() == json.loads((ROOT / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))


def test_openapi_document(client):
    r = client.get("/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["openapi"].startswith("3.1")
    assert {"/healthz", "/v1/policies", "/v1/policies/{policy_id}", "/v1/evaluate", "/v1/evaluate/batch",
            "/v1/schemas/statement", "/v1/schemas/scenario", "/openapi.json"} <= set(doc["paths"])
    schemas = doc["components"]["schemas"]
    assert schemas["Scenario"]["properties"]["policy"]["examples"] == ["karamay", "lanzhou", "shanghai"]
    refs = set()

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.add(node["$ref"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(doc)
    for ref in refs:  # every reference resolves inside the document
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in schemas, ref
    # The statement schema in the document still validates a real statement.
    resolver_doc = dict(schemas["Statement"], **{"components": doc["components"]})
    validator = jsonschema.Draft202012Validator(resolver_doc)
    statement = client.post("/v1/evaluate", json=to_json(example("karamay-critical-illness.yaml"))).json()
    validator.validate(statement)


def test_compare_equals_the_library_and_reports_moves(client, policies):
    from medpolicy.compare import compare
    from medpolicy.render_json import comparison_dict

    scenario = to_json(example("karamay-pku-case3.yaml"))
    body = {"scenario": scenario, "policies": ["karamay", "lanzhou", "shanghai"]}
    for lang in ("zh", "en"):
        r = client.post("/v1/compare", params={"lang": lang}, json=body)
        assert r.status_code == 200, r.text
        local = comparison_dict(compare(scenario, [medpolicy.load_policy(p) for p in body["policies"]]), lang)
        assert r.json() == json.loads(json.dumps(local, default=str))
    shape = r.json()
    assert [p["policy"] for p in shape["policies"]] == body["policies"] and shape["home"] == "karamay"
    assert any(n["kind"] == "level_mapped" for n in shape["policies"][1]["notes"])
    for outcome in shape["policies"]:
        STATEMENT.validate(outcome["statement"])


def test_compare_errors_are_problems_with_paths(client):
    scenario = to_json(example("karamay-pku-case3.yaml"))
    r = client.post("/v1/compare", json={"scenario": scenario, "policies": ["karamay", "beijin"]})
    assert r.status_code == 404
    bad = json.loads(json.dumps(scenario))
    bad["claims"][0]["level"] = "9"
    r = client.post("/v1/compare", params={"lang": "en"}, json={"scenario": bad, "policies": ["karamay"]})
    assert r.status_code == 422 and r.json()["errors"][0]["path"].startswith("scenario.claims[0]")
    r = client.post("/v1/compare", json={"scenario": scenario, "policies": []})
    assert r.status_code == 422 and r.json()["errors"][0]["path"] == "policies"


def test_the_readme_curl_example_works_as_written(client, policies):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### The HTTP service"):]
    command = section[section.index("```sh\n") + 6:]
    command = command[:command.index("```")]
    url = command.split("'")[1]
    body = command[command.index("-d '") + 4:command.rindex("'")]
    assert url.startswith("http://127.0.0.1:8000/")
    r = client.post(url.replace("http://127.0.0.1:8000", ""), content=body,
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    assert r.json() == expected(policies, json.loads(body), "en")
