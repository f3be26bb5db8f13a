"""JSON Lines in, JSON Lines out: each line is exactly the statement medpolicy.evaluate gives."""
from __future__ import annotations

import json

import pytest

from medpolicy.batch import run_batch
from medpolicy.batch.writers import JsonlEncoder

from .helpers import contract_line, examples, expected, population, read_lines, write_jsonl


@pytest.mark.parametrize("explain", [True, False], ids=["explain", "no-explain"])
def test_jsonl_out_equals_evaluate(tmp_path, mixed, explain):
    source = write_jsonl(tmp_path / "in.jsonl", mixed)
    summary = run_batch(source, tmp_path / "out.jsonl", workers=1, explain=explain, progress=False)
    lines = read_lines(tmp_path / "out.jsonl")
    assert len(lines) == len(mixed) == summary.scenarios_out
    for scenario, line in zip(mixed, lines):
        statement = expected(scenario, explain)
        assert line == contract_line(statement)  # the very text of the contract, compact
        assert json.loads(line) == statement.to_dict("zh")
        assert (json.loads(line)["claims"][0]["explanation"] is None) == (not explain or not scenario["claims"])
    assert summary.ok and summary.balanced
    assert summary.claims_out == sum(len(s["claims"]) for s in mixed)
    assert read_lines(tmp_path / "out.errors.jsonl") == []


def test_statements_in_the_language_asked_for(tmp_path, mixed):
    source = write_jsonl(tmp_path / "in.jsonl", mixed[:4])
    run_batch(source, tmp_path / "out.jsonl", workers=1, lang="en", progress=False)
    for scenario, line in zip(mixed, read_lines(tmp_path / "out.jsonl")):
        assert line == contract_line(expected(scenario), "en")


@pytest.mark.parametrize("city", ["karamay", "lanzhou", "examples"])
def test_fast_encoder_is_the_contract(city):
    """Without explanations the line is built without to_dict: it must be the same text,
    for every status, benefit, visit and payer a population reaches."""
    scenarios = examples() if city == "examples" else population(city, 150, 25, seed=11)
    encoder = JsonlEncoder("zh", explain=False)
    statements = [expected(s, explain=False) for s in scenarios]
    for statement in statements:
        encoder.add(statement)
    assert encoder.fast, "the fast path fell back to to_dict: the contract and the encoder disagree"
    assert encoder.finish().decode().splitlines() == [contract_line(s) for s in statements]


def test_a_policy_given_overrides_the_scenarios(tmp_path, mixed):
    karamay = [s for s in mixed if s["policy"] == "karamay"][:3]
    source = write_jsonl(tmp_path / "in.jsonl", [{k: v for k, v in s.items() if k != "policy"} for s in karamay])
    run_batch(source, tmp_path / "out.jsonl", policy="karamay", workers=1, explain=False, progress=False)
    assert read_lines(tmp_path / "out.jsonl") == [contract_line(expected(s, False)) for s in karamay]
