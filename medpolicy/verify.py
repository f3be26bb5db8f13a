"""Invariants every statement must satisfy, checked over generated scenarios.

:func:`violations` checks one statement: money is conserved to the cent (per
claim and per year), payments stay within bounds, every capped pool stays
within its limit over the year, and a claim that pays nothing says why.
:func:`verify` generates scenarios for a policy with hypothesis and also
checks that evaluation is deterministic, that the order of claims in the
file matters only among claims of the same date, and that raising one
claim's covered amount never lowers the year's fund payment.  It returns
the smallest counterexample scenario it finds, or None.

``medpolicy verify POLICY`` runs it from the command line; the test suite
runs it on every bundled policy.  Hypothesis is needed only here (install
``medpolicy[verify]``).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Optional

from .evaluator import evaluate_scenario
from .explain import STATUSES, Statement
from .facts import BUILTIN_ENUMS
from .program import CompiledPolicy as Policy
from .scenario import validate

UNPAID = tuple(s for s in STATUSES if s != "paid")
CENT = Decimal("0.01")
# The steps that can say why a claim was not paid, by status.
_REASONS = {status: {status} for status in UNPAID} | {"outside_period": {"outside_period", "coverage_ended"}}


def violations(statement: Statement, allowances: frozenset = frozenset()) -> list[str]:
    """Every invariant the statement breaks, in words (empty when it holds).

    ``allowances``: the benefits that may pay above the covered amount (``pays … even above
    covered``); what they pay above it shows as a negative patient share, and money is still
    conserved to the cent."""
    found = []
    totals = defaultdict(Decimal)
    pools: dict[str, list] = defaultdict(list)
    for c in statement.claims:
        name = f"claim {c.id}"
        others = c.other_payers
        if c.basic_fund + others + c.patient != c.total:
            found.append(f"{name}: basic {c.basic_fund} + later payers {others} + patient "
                         f"{c.patient} ≠ total {c.total}")
        above = c.benefit in allowances
        if c.basic_fund < 0 or (c.basic_fund > c.covered and not above):
            found.append(f"{name}: basic fund {c.basic_fund} outside 0..covered {c.covered}")
        limit = max(c.covered, c.basic_fund) if above else c.covered
        if any(p.amount < 0 for p in c.payers) or c.basic_fund + others > limit:
            found.append(f"{name}: basic + later payers {c.basic_fund + others} > covered {c.covered}")
        for amount in (c.basic_fund, c.patient, *(p.amount for p in c.payers)):
            if amount != amount.quantize(CENT):
                found.append(f"{name}: {amount} is not rounded to the cent")
        if c.status in UNPAID:
            if c.basic_fund or others:
                found.append(f"{name}: {c.status} yet paid {c.basic_fund + others}")
            if statement.explained and not any(event.kind in _REASONS[c.status] for event in c.events):
                found.append(f"{name}: {c.status} without a step saying why")
        for charge in c.charges:
            pools[charge.pool].append(charge)
        for field in ("total", "covered", "basic_fund", "patient"):
            totals[field] += getattr(c, field)
        for p in c.payers:
            totals["payer:" + p.id] += p.amount
    t = statement.totals
    for field in ("total", "covered", "basic_fund", "patient"):
        if getattr(t, field) != totals[field]:
            found.append(f"totals: {field} {getattr(t, field)} ≠ sum of claims {totals[field]}")
    for p in t.payers:
        if p.amount != totals["payer:" + p.id]:
            found.append(f"totals: payer {p.id} {p.amount} ≠ sum of claims {totals['payer:' + p.id]}")
    if t.fund + t.patient != t.total:
        found.append("totals: basic + later payers + patient ≠ total")
    for pool, charges in pools.items():
        limit = charges[0].limit
        used = sum((ch.amount for ch in charges), Decimal(0))
        if limit is not None and used > limit:
            found.append(f"pool {pool}: {used} paid over the year, over its limit {limit}")
    return found


def fund_total(statement: Statement) -> Decimal:
    return statement.totals.fund


# ------------------------------------------------------------------ generation

def scenario_strategy(policy: Policy, max_claims: int = 10):
    """A hypothesis strategy of scenario mappings valid for ``policy``."""
    from hypothesis import strategies as st

    # Mostly claims that some benefit pays, with enough of the rest (outside the
    # year, before coverage, excluded) to exercise every path.
    inside = st.dates(min_value=policy.start, max_value=policy.end)
    near = st.dates(min_value=policy.start - dt.timedelta(days=20), max_value=policy.end + dt.timedelta(days=20))
    dates = st.one_of(inside, inside, inside, near)
    conditions = sorted(policy.conditions)
    categories = sorted(policy.categories)
    cents = st.one_of(st.integers(0, 300_000), st.integers(0, 3_000_000), st.integers(0, 30_000_000))
    amount = cents.map(lambda c: Decimal(c) / 100)

    @st.composite
    def claims(draw):
        total = draw(amount)
        covered = draw(st.one_of(st.just(total), st.integers(0, int(total * 100)).map(lambda c: Decimal(c) / 100)))
        claim = {
            "date": draw(dates).isoformat(),
            "care": draw(st.sampled_from(BUILTIN_ENUMS["care"])),
            "level": draw(st.sampled_from(sorted(policy.levels))),
            "total": str(total),
            "covered": str(covered),
            "location": draw(st.sampled_from(BUILTIN_ENUMS["location"])),
            "filing": draw(st.sampled_from(BUILTIN_ENUMS["filing"])),
            "settlement": draw(st.sampled_from(BUILTIN_ENUMS["settlement"])),
            "absence": draw(st.sampled_from(BUILTIN_ENUMS["absence"])),
            "pediatric": draw(st.booleans()),
        }
        institution = draw(st.sampled_from([None, "A", "B"]))
        if institution:
            claim["institution"] = institution
        if conditions:
            condition = draw(st.one_of(st.none(), st.sampled_from(conditions)))
            if condition:
                claim["condition"] = condition
        if categories:  # drawn only when declared, so a policy without categories gets the same scenarios as before
            category = draw(st.one_of(st.none(), st.sampled_from(categories)))
            if category:
                claim["category"] = category
        for name in ("filed_on", "submitted_on"):
            day = draw(st.one_of(st.none(), dates))
            if day is not None:
                claim[name] = day.isoformat()
        return claim

    @st.composite
    def scenarios(draw):
        gap = draw(st.one_of(st.just(0), st.just(0), st.integers(0, 6)))
        person = {
            "id": "generated",
            "assistance": draw(st.sampled_from(BUILTIN_ENUMS["assistance"])),
            "continuous_years": draw(st.integers(1, 12)),
            "gap_years": gap,
            "back_paid_years": draw(st.integers(0, gap)),
            "certified": draw(st.lists(st.sampled_from(conditions), unique=True, max_size=3)) if conditions else [],
            "long_term_care": draw(st.booleans()),
        }
        if draw(st.integers(0, 3)) == 0:
            person["enrolled_on"] = draw(st.dates(min_value=policy.start - dt.timedelta(days=200),
                                                  max_value=policy.end)).isoformat()
        if draw(st.integers(0, 1)) == 0:
            # ages from newborn to 100 around the year, so age thresholds (18, 60 …) are crossed
            person["birth_date"] = draw(st.dates(min_value=dt.date(policy.start.year - 100, 1, 1),
                                                 max_value=policy.end)).isoformat()
        raw = draw(st.lists(claims(), min_size=1, max_size=max_claims))
        for i, claim in enumerate(raw):
            claim["id"] = f"c{i + 1}"
        return {"person": person, "claims": raw}

    return scenarios()


def _evaluate(policy: Policy, data: dict, explain: bool = True) -> Statement:
    scenario = validate(data, policy.levels, policy.conditions, categories=policy.categories)
    return evaluate_scenario(policy, scenario, explain=explain)


def _figures(statement: Statement) -> list:
    return [(c.id, c.status, c.benefit, c.basic_fund, c.payers, c.patient, c.charges) for c in statement.claims] + [
        statement.totals, statement.premium.personal]


def scenario_violations(policy: Policy, data: dict, raise_claim: Optional[int] = None,
                        by: Decimal = Decimal("100.00")) -> list[str]:
    """All invariants, including those that compare evaluations, for one scenario."""
    statement = _evaluate(policy, data)
    found = violations(statement, frozenset(b.id for b in policy.benefits
                                            if b.fixed is not None and b.fixed.above_covered))
    if _figures(_evaluate(policy, data, explain=False)) != _figures(statement):
        found.append("explanation: evaluating without explanation changed the figures")
    if _evaluate(policy, data) != statement:
        found.append("determinism: the same scenario gave two different statements")
    # File order matters only among claims of the same date.
    # (A stable sort, even descending, keeps same-date claims in file order.)
    reordered = dict(data, claims=sorted(data["claims"], key=lambda c: c["date"], reverse=True))
    if _evaluate(policy, reordered) != statement:
        found.append("order: reordering claims of different dates changed the statement")
    if data["claims"] and raise_claim is not None:
        index = raise_claim % len(data["claims"])
        claims = [dict(c) for c in data["claims"]]
        claims[index]["covered"] = str(Decimal(claims[index].get("covered", claims[index]["total"])) + by)
        claims[index]["total"] = str(Decimal(claims[index]["total"]) + by)
        raised = _evaluate(policy, dict(data, claims=claims))
        if fund_total(raised) < fund_total(statement):
            found.append(f"monotonicity: raising claim {claims[index]['id']}'s covered amount by {by} lowered the "
                         f"year's fund payment from {fund_total(statement)} to {fund_total(raised)}")
    return found


def verify(policy: Policy, examples: int = 200, seed: Optional[int] = None, shrink: bool = True):
    """Search for a scenario breaking an invariant; return (scenario, violations) or None.

    With ``shrink`` (the default) a counterexample is reduced to a smallest
    form before it is returned, which takes longer but reads better.
    """
    from hypothesis import HealthCheck, Phase, given, seed as hypothesis_seed, settings
    from hypothesis import strategies as st

    failure: dict = {}
    phases = [Phase.explicit, Phase.reuse, Phase.generate] + ([Phase.shrink] if shrink else [])

    @settings(max_examples=examples, deadline=None, database=None, derandomize=seed is None,
              suppress_health_check=list(HealthCheck), phases=phases)
    @given(scenario_strategy(policy), st.integers(0, 50), st.integers(1, 500_000).map(lambda c: Decimal(c) / 100))
    def check(data, raise_claim, by):
        found = scenario_violations(policy, data, raise_claim, by)
        if found:
            failure["scenario"], failure["violations"] = data, found
            raise AssertionError("; ".join(found))

    if seed is not None:
        check = hypothesis_seed(seed)(check)
    try:
        check()
    except AssertionError:
        return failure["scenario"], failure["violations"]
    return None
