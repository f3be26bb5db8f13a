"""Shared test helpers: paths, and running a scenario through the pipeline."""
from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

# Every test parses and checks the policies it loads (and so do the CLI
# processes tests start): the cache of checked policies is tested on its own,
# in tests/test_policy_cache.py, and must never decide another test's outcome.
os.environ["MEDPOLICY_NO_CACHE"] = "1"

import medpolicy
from medpolicy.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
POLICIES = ROOT / "policies"


def D(text: str | int) -> Decimal:
    """Decimal from text, for expected amounts: D("2600.00")."""
    return Decimal(str(text))


def run_example(name: str) -> medpolicy.Statement:
    """Evaluate examples/NAME against the policy it names."""
    data = load_scenario(EXAMPLES / name)
    policy = medpolicy.load_policy(data["policy"], base=EXAMPLES)
    return medpolicy.evaluate(policy, data)


def run(policy_id: str, person: dict, claims: list[dict]) -> medpolicy.Statement:
    """Evaluate an inline scenario (dict form, amounts as strings or Decimals)."""
    return medpolicy.evaluate(medpolicy.load_policy(policy_id), {"person": person, "claims": claims})


def by_id(statement: medpolicy.Statement) -> dict:
    """Claim results keyed by claim id."""
    return {c.id: c for c in statement.claims}


def amounts(claim) -> tuple:
    """(basic fund, critical illness, patient) of a claim result."""
    return claim.basic_fund, claim.critical_illness, claim.patient


def steps_of(claim, kind: str) -> list:
    """The explanation events of one kind (``deductible``, ``band``, …)."""
    return [s for s in claim.events if s.kind == kind]


def say(event, lang: str = "en") -> str:
    """An event as the catalogue words it (English by default)."""
    from medpolicy.messages import describe

    return describe(event, lang)


def cited(event) -> str:
    """The citation of an event as one searchable string: title, section and quote."""
    cite = event.cite
    assert cite is not None, event
    return " ".join(part for part in (cite.title, cite.section, cite.quote) if part)


def make_claim(cid, date, care, level, total, **extra) -> dict:
    """A scenario claim mapping."""
    return {"id": cid, "date": date, "care": care, "level": level, "total": total, **extra}


@pytest.fixture(scope="session")
def karamay():
    return medpolicy.load_policy("karamay")


@pytest.fixture(scope="session")
def lanzhou():
    return medpolicy.load_policy("lanzhou")


@pytest.fixture(scope="session")
def shanghai():
    return medpolicy.load_policy("shanghai")
