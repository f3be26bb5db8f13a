"""Bad input of every kind ends in a diagnostic or a clear error, never a crash.

Policies: the bundled policies with tokens deleted, duplicated or swapped,
random bytes, invalid UTF-8, huge numbers, deep nesting.  Scenarios: random
JSON-like documents, mutated valid scenarios, random YAML text.  The only
exceptions allowed out are medpolicy's own (PolicyError, ScenarioError,
EvaluationError); anything else fails the test with the input that caused it.
"""
from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import medpolicy
from medpolicy.errors import EvaluationError, MedpolicyError, PolicyError, PolicyNotFound, ScenarioError
from medpolicy.parser import parse
from medpolicy.scenario import parse_text, validate

from conftest import EXAMPLES, POLICIES

TEXTS = {name: (POLICIES / f"{name}.mpol").read_text(encoding="utf-8") for name in ("karamay", "lanzhou", "shanghai")}
TOKENS = {name: re.findall(r"\s+|[^\s]+", text) for name, text in TEXTS.items()}
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                        HealthCheck.too_slow])


@st.composite
def mutated_policy(draw):
    name = draw(st.sampled_from(sorted(TOKENS)))
    tokens = list(TOKENS[name])
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(tokens) - 1))
        kind = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "replace"]))
        if kind == "delete":
            del tokens[i]
        elif kind == "duplicate":
            tokens.insert(i, tokens[i])
        elif kind == "swap":
            j = draw(st.integers(0, len(tokens) - 1))
            tokens[i], tokens[j] = tokens[j], tokens[i]
        elif kind == "insert":
            tokens.insert(i, draw(st.sampled_from(["{", "}", "(", ")", "[", "]", ",", ":", "..", "¥", "%", "\"",
                                                   " if ", " not ", "99999999999999", "#", "\n", "é", "高"])))
        else:
            tokens[i] = draw(st.sampled_from(TOKENS[name]))
    return "".join(tokens)


def load_text(tmp_path, text: str | bytes):
    path = tmp_path / "fuzzed.mpol"
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return medpolicy.load_policy(path)


def assert_clean_outcome(tmp_path, text):
    try:
        load_text(tmp_path, text)
    except PolicyError as err:
        assert err.diagnostics, "a PolicyError must carry diagnostics"
        for d in err.diagnostics:
            assert d.span.file and d.message and d.code


@FUZZ
@given(mutated_policy())
def test_mutated_policies_end_in_diagnostics_or_a_clean_check(tmp_path, text):
    assert_clean_outcome(tmp_path, text)


@settings(max_examples=300, deadline=None)
@given(mutated_policy())
def test_mutated_policies_parse_or_report_a_span(text):
    try:
        parse(text, "fuzzed.mpol")
    except PolicyError as err:
        assert err.diagnostics[0].span.line >= 1


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes(tmp_path, data):
    assert_clean_outcome(tmp_path, data)


def test_invalid_utf8_is_reported_with_its_line(tmp_path):
    text = TEXTS["lanzhou"]
    line = text[: text.index("住院次数")].count("\n") + 1
    with pytest.raises(PolicyError) as info:
        load_text(tmp_path, text.encode("utf-8").replace("住院次数".encode(), b"\xff\xfe", 1))
    d = info.value.diagnostics[0]
    assert (d.code, d.span.line) == ("E005", line)


@pytest.mark.parametrize("literal, code", [("¥99999999999999999999", "E007"), ("1e5", "E001"),
                                           ("9999999999999%", "E007"), ("99999 months", "E007"),
                                           ("99999999999999999999", "E007")])
def test_huge_numbers_are_refused(tmp_path, literal, code):
    text = TEXTS["lanzhou"].replace("annual cap ¥80000", f"annual cap {literal}")
    with pytest.raises(PolicyError) as info:
        load_text(tmp_path, text)
    assert info.value.diagnostics[0].code == code


@pytest.mark.parametrize("depth", [50, 150, 1000, 20000])
def test_deep_nesting_never_overflows_the_stack(tmp_path, depth):
    for expr in ("(" * depth + "¥1" + ")" * depth, "-" * depth + "¥1", " + ".join(["¥1"] * depth),
                 "[" * depth + "]" * depth):
        try:
            load_text(tmp_path, TEXTS["lanzhou"].replace("annual cap ¥80000", f"annual cap {expr}"))
        except PolicyError as err:
            assert err.diagnostics


def test_products_out_of_range_are_an_evaluation_error(tmp_path):
    big = "¥999999999999 * 999999999 * 999999999 * 999999999"
    policy = load_text(tmp_path, TEXTS["lanzhou"].replace("annual cap ¥80000", f"visit cap {big}"))
    claim = {"id": "a", "date": "2025-10-01", "care": "inpatient", "level": "1", "total": "1000.00"}
    try:
        medpolicy.evaluate(policy, {"person": {"id": "p"}, "claims": [claim]})
    except EvaluationError:
        pass


# ------------------------------------------------------------------ scenarios

JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers(-10**15, 10**15) | st.text(max_size=12)
    | st.decimals(allow_nan=False, allow_infinity=False, places=3),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=20)

FIELDS = {"policy", "person", "claims", "id", "date", "care", "level", "total", "covered", "institution",
          "condition", "pediatric", "location", "filing", "assistance", "continuous_years", "enrolled_on",
          "gap_years", "back_paid_years", "certified", "long_term_care"}


def example_scenarios():
    from medpolicy.scenario import load_scenario

    return [load_scenario(p) for p in sorted(EXAMPLES.glob("*.yaml"))]


SCENARIOS = example_scenarios()
POLICY_OBJECTS = {}


def policy_for(data):
    name = data.get("policy") if isinstance(data, dict) and isinstance(data.get("policy"), str) else "karamay"
    if name not in POLICY_OBJECTS:
        POLICY_OBJECTS[name] = medpolicy.load_policy(name)
    return POLICY_OBJECTS[name]


def assert_statement_or_scenario_error(data):
    try:
        statement = medpolicy.evaluate(policy_for({}), data) if not isinstance(data, dict) else \
            medpolicy.evaluate(policy_for(data), data)
    except (ScenarioError, PolicyNotFound) as err:  # what the CLI prints as a one-line error
        assert "\n" not in str(err)
        return
    for claim in statement.claims:
        assert claim.basic_fund + claim.critical_illness + claim.patient == claim.total


@settings(max_examples=200, deadline=None)
@given(JSONISH)
def test_random_documents(data):
    assert_statement_or_scenario_error(data)


@st.composite
def mutated_scenario(draw):
    data = json.loads(json.dumps(draw(st.sampled_from(SCENARIOS)), default=str))
    for _ in range(draw(st.integers(1, 3))):
        target = data
        path = []
        # Walk down to a random mapping or list inside the scenario.
        while isinstance(target, (dict, list)) and target and draw(st.booleans()):
            key = draw(st.sampled_from(sorted(target) if isinstance(target, dict) else range(len(target))))
            if not isinstance(target[key], (dict, list)):
                break
            target, path = target[key], path + [key]
        if isinstance(target, dict) and target:
            key = draw(st.sampled_from(sorted(target)))
            action = draw(st.sampled_from(["delete", "replace", "rename"]))
            if action == "delete":
                del target[key]
            elif action == "replace":
                target[key] = draw(JSONISH)
            else:
                target[draw(st.sampled_from(sorted(FIELDS)))] = target.pop(key)
        elif isinstance(target, list):
            target.append(draw(JSONISH))
    return data


@settings(max_examples=200, deadline=None)
@given(mutated_scenario())
def test_mutated_scenarios(data):
    assert_statement_or_scenario_error(data)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_random_yaml_and_json_text(text):
    for kind in ("yaml", "json"):
        try:
            data = parse_text(text, kind)
        except ScenarioError:
            continue
        try:
            validate(data, ["1"], ["pku"])
        except ScenarioError:
            pass


def test_every_error_is_a_medpolicy_error():
    for cls in (PolicyError, ScenarioError, EvaluationError):
        assert issubclass(cls, MedpolicyError)


REGRESSIONS = sorted((POLICIES.parent / "tests" / "fuzz_regressions").glob("*.mpol"))


@pytest.mark.parametrize("path", REGRESSIONS, ids=[p.name for p in REGRESSIONS])
def test_fuzz_regressions(path):
    try:
        medpolicy.check_source(path.read_bytes().decode("utf-8", errors="replace"), path.name)
    except PolicyError as err:
        assert err.diagnostics
