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
claim's benefit is one dictionary lookup.  Otherwise the conditions are
tried in order for each claim.
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


class BenefitChooser:
    """Chooses among compiled benefits (highest priority first)."""

    def __init__(self, benefits: tuple):
        self.benefits = benefits
        self.whens = tuple((b, b.when.fn) for b in benefits)
        self.cost = 1 + sum(b.when.size for b in benefits)
        facts = sorted(set().union(*(b.when.facts for b in benefits))) if benefits else []
        self.facts = tuple(facts)
        self.memo: dict[tuple, object] = {}
        self.key = self._key_function(facts) if all(_getter(f) is not None for f in facts) else None
        """Reads the facts every `when` depends on; None when some `when` reads another fact."""

    def choose(self, fr: Frame):
        """The benefit that takes the claim in ``fr``, or None."""
        if self.key is None:
            return self._scan(fr)
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
        if not claim:
            return rest
        get = operator.attrgetter(*claim) if len(claim) > 1 else (lambda c, g=operator.attrgetter(claim[0]): (g(c),))
        if not others:
            return lambda fr: get(fr.claim)
        return lambda fr: get(fr.claim) + rest(fr)

    def _scan(self, fr: Frame):
        fr.claim_lets = {}  # the claim's lets, computed afresh for each claim the `when`s read
        for benefit, when in self.whens:
            if when(fr):
                return benefit
        return None
