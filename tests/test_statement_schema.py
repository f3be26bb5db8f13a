"""schemas/statement.schema.json: built from the event registry, and every statement validates."""
from __future__ import annotations

import copy
import json

import jsonschema
import pytest

import medpolicy
from medpolicy import statement_schema
from medpolicy.explain import EVENT_KINDS
from medpolicy.scenario import load_scenario

from conftest import EXAMPLES, ROOT

SCHEMA_FILE = ROOT / "schemas" / "statement.schema.json"
VALIDATOR = jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")),
                                            format_checker=jsonschema.FormatChecker())
CASES = sorted(p.name for p in EXAMPLES.glob("*.yaml"))


def test_schema_file_is_the_built_schema():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == statement_schema.text(), \
        "regenerate: python3 -m medpolicy.statement_schema > schemas/statement.schema.json"


@pytest.mark.parametrize("name", CASES)
def test_every_statement_validates(name):
    data = load_scenario(EXAMPLES / name)
    policy = medpolicy.load_policy(data["policy"], base=EXAMPLES)
    for explain in (True, False):
        statement = medpolicy.evaluate(policy, data, explain=explain)
        for lang in ("zh", "en"):
            VALIDATOR.validate(medpolicy.statement_dict(statement, lang))


def test_every_event_kind_appears_in_some_example():
    """Each kind the registry lists is emitted by some example or the bundled policies' edge cases."""
    seen = set()
    for name in CASES:
        data = load_scenario(EXAMPLES / name)
        statement = medpolicy.evaluate(medpolicy.load_policy(data["policy"], base=EXAMPLES), data)
        seen |= {e.kind for c in statement.claims for e in c.events}
        seen |= {e.kind for e in statement.notes + statement.premium.events}
    rare = {"ratio_clamped", "payer_no_table", "annual_cap_unstated", "no_benefit", "premium_unstated", "premium_none"}
    assert set(EVENT_KINDS) - seen <= rare, set(EVENT_KINDS) - seen - rare


def test_the_schema_rejects_a_wrong_statement():
    data = load_scenario(EXAMPLES / "karamay-pku-case3.yaml")
    good = medpolicy.statement_dict(medpolicy.evaluate(medpolicy.load_policy("karamay"), data))
    VALIDATOR.validate(good)
    for break_it in (
        lambda d: d["claims"][0].pop("status"),
        lambda d: d["claims"][0].__setitem__("basic_fund", 2600),
        lambda d: d["claims"][0]["explanation"][2]["data"].pop("ratio", None) or
        d["claims"][0]["explanation"][2].__setitem__("kind", "ratio"),
        lambda d: d["claims"][0]["explanation"][0].__setitem__("kind", "no_such_kind"),
        lambda d: d.__setitem__("schema_version", "1"),
    ):
        bad = copy.deepcopy(good)
        break_it(bad)
        assert not VALIDATOR.is_valid(bad)
