"""One year of care under several policies, side by side.

:func:`compare` evaluates the same scenario under each policy and returns a
:class:`Comparison`: per policy its statement, its personal premium and the
net cost of the year (premium + what the patient pays), with every way the
scenario had to be moved to fit that policy recorded as a :class:`Note`:

* dates: the scenario belongs to its home policy's year (the policy it
  names, else the first compared).  Every date (claims, enrolment) moves by
  the days from the home year's start to this policy's year's start, so a
  claim on day 40 of the home year is on day 40 of each year (``date_shift``);
* levels: a claim at a level the policy does not declare is moved to the
  level whose id it extends or shortens: ``3A``/``3B`` → ``3``; ``3`` →
  the first declared level whose id starts with ``3`` (in the policy's
  order) (``level_mapped``).  A level with no such match cannot be placed:
  the claim is left out of that policy's statement and reported
  (``level_unplaced``), never dropped silently, and that policy's figures say
  they are incomplete;
* conditions: a claim's condition, or a certified condition, the policy does
  not declare is removed (``condition_dropped``, ``certified_dropped``): for
  that policy the claim is care like any other; so is a claim's category
  (``category_dropped``).

This module knows no city: the rules above read only the ids the policies
declare.  Renderers word the notes from the message catalogue.
"""
from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Any, Optional, Sequence

import attrs

from .errors import ScenarioError
from .evaluator import evaluate_scenario
from .explain import Statement
from .facts import CLAIM_FIELDS, PERSON_FIELDS
from .limits import DEFAULT_LIMITS, Limits
from .localize import msg
from .program import CompiledPolicy
from .scenario import validate

NOTE_KINDS = {
    "date_shift": {"days": "count", "home": "text", "home_name": "text"},
    "level_mapped": {"claim": "text", "level": "text", "level_name": "text", "to": "text", "to_name": "text"},
    "level_unplaced": {"claim": "text", "level": "text", "level_name": "text"},
    "condition_dropped": {"claim": "text", "condition": "text", "condition_name": "text"},
    "category_dropped": {"claim": "text", "category": "text", "category_name": "text"},
    "certified_dropped": {"condition": "text", "condition_name": "text"},
}
"""Each note kind and its typed fields: ids, and beside each the name the policies declare
for it (the home policy's for what the scenario says, this policy's for what it became)."""


@attrs.frozen
class Note:
    kind: str
    """One of :data:`NOTE_KINDS`."""
    data: dict[str, Any]


@attrs.frozen
class Outcome:
    """The year under one policy."""

    policy: CompiledPolicy = attrs.field(repr=False)
    statement: Statement
    notes: tuple[Note, ...]
    unplaced: tuple[str, ...]
    """Ids of claims this policy could not place (left out of its statement)."""

    @property
    def premium(self) -> Optional[Decimal]:
        """The personal premium, or None where the document states none."""
        return self.statement.premium.personal

    @property
    def net(self) -> Optional[Decimal]:
        """Premium + patient share: what the year costs the student (None without a premium)."""
        if self.premium is None:
            return None
        return self.premium + self.statement.totals.patient

    @property
    def complete(self) -> bool:
        """Whether every claim of the scenario is in the statement."""
        return not self.unplaced


@attrs.frozen
class Comparison:
    home: str
    """Id of the policy whose year the scenario's dates belong to."""
    outcomes: tuple[Outcome, ...]


def compare(scenario: dict[str, Any], policies: Sequence[CompiledPolicy], limits: Limits = DEFAULT_LIMITS, *,
            explain: bool = True) -> Comparison:
    """Evaluate ``scenario`` under each policy; see the module docstring for how it is moved."""
    if not policies:
        raise ValueError("compare needs at least one policy")
    if not isinstance(scenario, dict):
        validate(scenario, {}, {}, limits)  # raises the error a scenario that is no mapping gets
    home = _home(scenario, policies)
    # The scenario must be valid where it comes from before it is moved anywhere.
    validate({k: v for k, v in scenario.items() if k != "policy"}, home.levels, home.conditions, limits,
             categories=home.categories)
    outcomes = []
    for policy in policies:
        moved, notes, unplaced = _move(scenario, home, policy)
        statement = evaluate_scenario(
            policy, validate(moved, policy.levels, policy.conditions, limits, policy.categories), limits, explain)
        outcomes.append(Outcome(policy, statement, tuple(notes), tuple(unplaced)))
    return Comparison(home.id, tuple(outcomes))


def _home(scenario: dict[str, Any], policies: Sequence[CompiledPolicy]) -> CompiledPolicy:
    named = scenario.get("policy")
    if named is None:
        return policies[0]
    for policy in policies:
        if named in (policy.id, policy.path):
            return policy
    raise ScenarioError(msg("compare.not_compared", ref=str(named), known=[p.id for p in policies]), "policy")


def map_level(level: str, declared: Sequence[str]) -> Optional[str]:
    """The declared level a claim's ``level`` becomes under another policy, or None."""
    if level in declared:
        return level
    for candidate in declared:
        if level.startswith(candidate) or candidate.startswith(level):
            return candidate
    return None


def _move(scenario: dict[str, Any], home: CompiledPolicy,
          policy: CompiledPolicy) -> tuple[dict[str, Any], list[Note], list[str]]:
    notes: list[Note] = []
    shift = (policy.start - home.start).days
    moved = shift_dates(scenario, shift)
    if shift:
        notes.append(Note("date_shift", {"days": shift, "home": home.id, "home_name": home.jurisdiction or home.title}))
    person = moved.get("person") or {}
    certified = person.get("certified") or []
    kept = [c for c in certified if c in policy.conditions]
    for condition in certified:
        if condition not in policy.conditions:
            notes.append(Note("certified_dropped", {"condition": condition,
                                                    "condition_name": home.conditions.get(condition, condition)}))
    if certified:
        person["certified"] = kept
    claims, unplaced = [], []
    levels = list(policy.levels)
    for claim in moved.get("claims") or []:
        level = str(claim["level"])
        target = map_level(level, levels)
        if target is None:
            notes.append(Note("level_unplaced", {"claim": str(claim["id"]), "level": level,
                                                 "level_name": home.levels.get(level, level)}))
            unplaced.append(str(claim["id"]))
            continue
        if target != level:
            notes.append(Note("level_mapped", {"claim": str(claim["id"]), "level": level,
                                               "level_name": home.levels.get(level, level), "to": target,
                                               "to_name": policy.levels[target]}))
            claim["level"] = target
        condition = claim.get("condition")
        if condition is not None and condition not in policy.conditions:
            notes.append(Note("condition_dropped", {"claim": str(claim["id"]), "condition": condition,
                                                    "condition_name": home.conditions.get(condition, condition)}))
            claim["condition"] = None
        category = claim.get("category")
        if category is not None and category not in policy.categories:
            notes.append(Note("category_dropped", {"claim": str(claim["id"]), "category": category,
                                                   "category_name": home.categories.get(category, category)}))
            claim["category"] = None
        claims.append(claim)
    moved["claims"] = claims
    return moved, notes, unplaced


def shift_dates(scenario: dict[str, Any], days: int) -> dict[str, Any]:
    """A copy of a scenario (valid for some policy) without its ``policy`` key, every date
    (claims, enrolment) moved by ``days``, so that their distances stay as given."""
    moved = copy.deepcopy({k: v for k, v in scenario.items() if k != "policy"})
    if not days:
        return moved
    person = moved.get("person") or {}
    for name in _PERSON_DATES:
        if person.get(name) is not None:
            person[name] = _shifted(person[name], days)
    for claim in moved.get("claims") or []:
        for name in _CLAIM_DATES:
            if claim.get(name) is not None:
                claim[name] = _shifted(claim[name], days)
    return moved


_PERSON_DATES = tuple(name for name, kind in PERSON_FIELDS.items() if kind.endswith("date"))
_CLAIM_DATES = tuple(name for name, kind in CLAIM_FIELDS.items() if kind.endswith("date"))


def _shifted(value: Any, days: int) -> str:
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    return (day + dt.timedelta(days=days)).isoformat()


__all__ = ["compare", "map_level", "shift_dates", "Comparison", "Outcome", "Note", "NOTE_KINDS"]
