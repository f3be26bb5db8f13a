"""Which benefit takes a claim.

Syntax: the benefit clauses ``priority N`` and ``when COND``.  Checks: a
priority each, none shared (E111), a ``when`` each (E112) that does not read
``claim.benefit`` (E207); no benefit that can never match (E115) or never
win (E116).  These compare the benefits with each other, so they stay with
the pipeline that orders them: ``_check_benefits`` in
:mod:`medpolicy.checker`, and :mod:`medpolicy.reachability`.

The highest-priority benefit whose ``when`` holds takes the claim.  When
every ``when`` reads only facts with few values (care, level, condition,
pediatric, location, filing, assistance, long-term care, and whether a
condition is certified), the choice is a function of those values: it is
made once per combination and remembered by the compiled program, so a
claim's benefit is one dictionary lookup.  A benefit whose ``when`` reads
another fact (a date, an amount) is tried for each claim, in its place: what
is remembered per combination is then the short list of such benefits above
the first other benefit that holds.  A benefit is left off that list for a
combination where its ``when`` is decided without reading such a fact (an
off-site rule never matches a local claim, whatever its dates).
"""
from __future__ import annotations

import operator
from typing import Callable, Optional

from ..compiled_expr import Frame
from ..facts import FINITE_CLAIM_FIELDS, FINITE_PERSON_FIELDS

_FINITE = {f"claim.{f}" for f in FINITE_CLAIM_FIELDS} | {f"person.{f}" for f in FINITE_PERSON_FIELDS}


def _getter(fact: str) -> Optional[Callable[[Frame], object]]:
    if fact in _FINITE:
        root, field = fact.split(".")
        get = operator.attrgetter(field)
        return (lambda fr: get(fr.claim)) if root == "claim" else (lambda fr: get(fr.person))
    if fact == "certified:claim.condition":
        return lambda fr: fr.claim.condition in fr.person.certified
    if fact.startswith("certified:"):
        member = fact.split(":", 1)[1]
        return lambda fr: member in fr.person.certified
    return None


class _NotKnown(Exception):
    """A condition read a fact outside the combination being planned."""


class _Known:
    """A person or claim seen through the facts of one combination only."""

    __slots__ = ("_facts", "_known")

    def __init__(self, facts, known: frozenset):
        self._facts, self._known = facts, known

    def __getattr__(self, name: str):
        if name in self._known:
            return getattr(self._facts, name)
        raise _NotKnown(name)


class BenefitChooser:
    """Chooses among compiled benefits (highest priority first)."""

    def __init__(self, benefits: tuple):
        self.benefits = benefits
        self.whens = tuple((b, b.when.fn) for b in benefits)
        self.cost = 1 + sum(b.when.size for b in benefits)
        self.tried = frozenset(b.id for b in benefits if any(_getter(f) is None for f in b.when.facts))
        """Benefits whose `when` reads a fact with many values: tried for each claim."""
        facts = sorted({f for b in benefits for f in b.when.facts if _getter(f) is not None})
        self.facts = tuple(facts)
        many = {f for b in benefits for f in b.when.facts if _getter(f) is None}
        self._claim_known = frozenset(f.split(".")[1] for f in facts if f.startswith("claim."))
        self._person_known = frozenset([f.split(".")[1] for f in facts if f.startswith("person.")]
                                       + (["certified"] if any(f.startswith("certified:") for f in facts)
                                          and "person.certified" not in many else []))
        self.memo: dict[tuple, object] = {}
        self.key = self._key_function(facts)
        """Reads the facts the other `when`s depend on."""

    def choose(self, fr: Frame):
        """The benefit that takes the claim in ``fr``, or None."""
        if self.tried:
            return self._choose_trying(fr)
        key = self.key(fr)
        try:
            return self.memo[key]
        except KeyError:
            # Filling the table from several threads at once writes the same value.
            chosen = self.memo[key] = self._scan(fr)
            return chosen

    def _key_function(self, facts: list[str]) -> Callable[[Frame], tuple]:
        """One function reading every fact of the key (claim fields at once, through attrgetter)."""
        claim = [f.split(".")[1] for f in facts if f.startswith("claim.")]
        others = tuple(_getter(f) for f in facts if not f.startswith("claim."))
        # One or two person facts are the common case; a generator per claim would cost more than the lookup.
        if len(others) == 1:
            (first,) = others
            rest = lambda fr: (first(fr),)  # noqa: E731
        elif len(others) == 2:
            first, second = others
            rest = lambda fr: (first(fr), second(fr))  # noqa: E731
        else:
            rest = lambda fr: tuple([g(fr) for g in others])  # noqa: E731
        if not claim and not others:
            return lambda fr: ()
        if not claim:
            return rest
        get = operator.attrgetter(*claim) if len(claim) > 1 else (lambda c, g=operator.attrgetter(claim[0]): (g(c),))
        if not others:
            return lambda fr: get(fr.claim)
        return lambda fr: get(fr.claim) + rest(fr)

    def _choose_trying(self, fr: Frame):
        key = self.key(fr)
        plan = self.memo.get(key)
        if plan is None:
            plan = self.memo[key] = self._plan(fr)
        if not plan:
            return None
        if plan[0][1] is None:  # decided for every claim of the combination
            return plan[0][0]
        fr.claim_lets = {}
        for benefit, when in plan:
            if when is None or when(fr):
                return benefit
        return None

    def _plan(self, fr: Frame) -> tuple:
        """For this combination of facts: the benefits tried for each claim, in order, down to the
        first benefit that holds (paired with None: it needs no trying)."""
        fr.claim_lets = {}
        # The tried conditions are first run on the combination's facts alone: one that
        # finishes without reading another fact is decided for every claim of the combination.
        probe = Frame(_Known(fr.person, self._person_known), _Known(fr.claim, self._claim_known), fr.counters,
                      {}, {}, None, fr.benefit)
        plan = []
        for benefit, when in self.whens:
            if benefit.id in self.tried:
                try:
                    decided = when(probe)
                except Exception:  # noqa: BLE001 - it read another fact (or failed): try it per claim
                    plan.append((benefit, when))
                    continue
                if decided:
                    plan.append((benefit, None))
                    break
            elif when(fr):
                plan.append((benefit, None))
                break
        return tuple(plan)

    def _scan(self, fr: Frame):
        fr.claim_lets = {}  # the claim's lets, computed afresh for each claim the `when`s read
        for benefit, when in self.whens:
            if when(fr):
                return benefit
        return None
