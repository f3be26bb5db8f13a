"""schemas/scenario.schema.json stays in step with what the validator accepts."""
from __future__ import annotations

import json

from medpolicy.facts import BUILTIN_ENUMS
from medpolicy.scenario import CLAIM_KEYS, PERSON_KEYS, TOP_KEYS, load_scenario

from conftest import EXAMPLES, ROOT

SCHEMA = json.loads((ROOT / "schemas" / "scenario.schema.json").read_text(encoding="utf-8"))
PERSON = SCHEMA["properties"]["person"]
CLAIM = SCHEMA["properties"]["claims"]["items"]


def test_fields_match_the_validator():
    assert set(SCHEMA["properties"]) == set(TOP_KEYS)
    assert set(PERSON["properties"]) == set(PERSON_KEYS)
    assert set(CLAIM["properties"]) == set(CLAIM_KEYS)


def test_enumerations_match_the_facts():
    assert PERSON["properties"]["assistance"]["enum"] == list(BUILTIN_ENUMS["assistance"])
    for field in ("care", "location", "filing"):
        assert CLAIM["properties"][field]["enum"] == list(BUILTIN_ENUMS[field])


def test_examples_use_only_schema_fields_and_values():
    for path in EXAMPLES.glob("*.yaml"):
        data = load_scenario(path)
        assert set(data) <= set(SCHEMA["properties"]), path.name
        assert set(data["person"]) <= set(PERSON["properties"]), path.name
        assert set(PERSON["required"]) <= set(data["person"]), path.name
        for claim in data["claims"]:
            assert set(claim) <= set(CLAIM["properties"]), (path.name, claim)
            assert set(CLAIM["required"]) <= set(claim), (path.name, claim)
            assert claim["care"] in CLAIM["properties"]["care"]["enum"]


def test_schema_and_validator_agree_on_a_whole_number_level():
    import jsonschema

    from medpolicy.scenario import validate

    data = {"person": {"id": "a"}, "claims": [{"id": "c", "date": "2026-03-01", "care": "outpatient", "level": 1,
                                                "total": 100}]}
    jsonschema.Draft202012Validator(SCHEMA).validate(data)
    assert validate(data, {"1": "一级"}, {}).claims[0].level == "1"


def test_schema_and_validator_agree_on_cents():
    """Amounts have at most two decimals in both; numbers are read as decimals, as medpolicy reads them
    (a float-dividing validator would need a tolerance, which the schema's description says)."""
    from decimal import Decimal

    import jsonschema
    import pytest

    from medpolicy.errors import ScenarioError
    from medpolicy.scenario import parse_text, validate

    schema = json.loads((ROOT / "schemas" / "scenario.schema.json").read_text(encoding="utf-8"), parse_float=Decimal)
    checker = jsonschema.Draft202012Validator(schema)
    for total, ok in (("0.07", True), ("19.99", True), ("1234.5", True), ("100", True), ("0.001", False),
                      ("1.005", False), ("19.999", False)):
        data = parse_text('{"person": {"id": "a"}, "claims": [{"id": "c", "date": "2026-03-01", "care": "outpatient",'
                          f' "level": "1", "total": {total}, "covered": {total}}}]}}', "json")
        assert checker.is_valid(data) is ok, total
        if ok:
            assert validate(data, {"1": "一级"}, {}).claims[0].total == Decimal(total)
        else:
            with pytest.raises(ScenarioError):
                validate(data, {"1": "一级"}, {})
