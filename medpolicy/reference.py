"""The reference runner: the tree-walking interpreter the compiled program replaces.

Kept while the compiled program (:mod:`medpolicy.compiler`,
:mod:`medpolicy.evaluator`) is migrated to: the golden statements, the city
tests, the language suite and ``verify`` run both and compare their figures.
It walks the checked policy's syntax tree with :mod:`medpolicy.expressions`
and writes its explanation as English prose, as the engine did before
explanations became data.  Nothing but those comparisons uses it.

What follows is the original description of the evaluation order, which the
compiled program keeps.

Claims are processed by date, then in the order of the scenario file.  For
each claim the evaluator decides, in this order: is it inside the policy
year; has the person's coverage started; which benefit takes it (the
highest-priority one whose ``when`` holds).  Claims of a benefit that groups
visits are joined with the other claims of the same day at the same
institution and paid as one visit, the payment being split back over them
by covered amount.  A paying benefit then charges its deductible, applies
its ratio (with adjustments), its per-visit cap and its annual caps, and the
result is rounded as the policy says.  The critical-illness payer takes part
of the personal compliant burden (covered − basic fund) by bands over the
year's cumulative burden.  Whatever is left is the patient's:
``patient = total − basic fund − critical illness`` exactly.

Every decision is recorded as a :class:`~medpolicy.explain.Step`, so the
statement is built during evaluation, never reconstructed afterwards.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Optional

import attrs

from . import ast
from .errors import EvaluationError
from .rules.context import source_text
from .span import Span
from .expressions import ScopedEnvironment, evaluate
from .limits import DEFAULT_LIMITS, Limits
from .model import Policy
from .scenario import Claim, Person, Scenario
from .values import Money, Percent, format_money, round_money, show

@attrs.frozen
class Step:
    kind: str
    """What sort of step: ``benefit``, ``visit``, ``deductible``, ``ratio``,
    ``adjustment``, ``cap``, ``rounding``, ``split``, ``basic_fund``,
    ``critical_illness``, ``band``, ``patient``, ``excluded``, ``coverage``,
    ``premium`` …"""
    text: str
    """The step in words, with the figures it used."""
    amount: Optional[Decimal] = None
    """The amount this step produced, if any."""
    source: Optional[Span] = None
    """The rule (file and line) that made this step."""
    cite: Optional[str] = None
    """The source document's words for that rule."""


@attrs.frozen
class Charge:
    """An amount a claim drew from a limited pool (a cap), for auditing caps."""

    pool: str
    """Which pool: ``visit:<first claim id>``, ``cap:<shared cap id>``,
    ``benefit:<id>:<n>[:<key>]`` or ``critical_illness``."""
    limit: Optional[Decimal]
    """The pool's limit (None: no amount stated, so no limit)."""
    amount: Decimal


@attrs.frozen
class ClaimResult:
    id: str
    date: dt.date
    status: str
    """``paid`` (a benefit applied, even if it paid ¥0), ``excluded``,
    ``no_benefit``, ``outside_period`` or ``waiting``."""
    benefit: Optional[str]
    """The benefit's id, or None."""
    benefit_title: Optional[str]
    total: Decimal
    covered: Decimal
    basic_fund: Decimal
    critical_illness: Decimal
    patient: Decimal
    steps: tuple[Step, ...]
    charges: tuple[Charge, ...] = ()
    """The capped pools this claim's payments count toward."""


@attrs.frozen
class Totals:
    total: Decimal
    covered: Decimal
    basic_fund: Decimal
    critical_illness: Decimal
    patient: Decimal

    @property
    def fund(self) -> Decimal:
        return self.basic_fund + self.critical_illness


@attrs.frozen
class PremiumResult:
    personal: Optional[Decimal]
    """None where the document states no amount."""
    steps: tuple[Step, ...]


@attrs.frozen
class Statement:
    policy_id: str
    policy_title: str
    period: tuple[dt.date, dt.date]
    person: str
    claims: tuple[ClaimResult, ...]
    """In processing order: by date, then by order in the scenario file."""
    totals: Totals
    premium: PremiumResult
    notes: tuple[Step, ...] = ()
    """Statement-wide facts: processing order, coverage start."""


ZERO = Decimal(0)
HUNDRED = Decimal(100)
ORDER_NOTE = "claims are processed by date, then in the order of the scenario file"


def _fmt(amount: Decimal) -> str:
    return f"¥{format_money(amount)}"


# ---------------------------------------------------------------- environment

class _Budget:
    def __init__(self, steps: int):
        self.left = steps


class _Env(ScopedEnvironment):
    """Names and facts for one person (and, inside a benefit, one visit)."""

    def __init__(self, policy: Policy, person: Person, budget: _Budget, file: Optional[str] = None,
                 claim: Optional[dict] = None, counters: Optional[dict] = None):
        self.policy, self.person, self.shared_budget = policy, person, budget
        self.scopes, self.file = policy.scopes, file or policy.path
        self.claim, self.counters = claim, counters or {}
        self.notes: list[str] = []

    def tick(self) -> None:
        self.shared_budget.left -= 1
        if self.shared_budget.left < 0:
            raise EvaluationError("evaluation exceeded its step limit (Limits.max_steps)")

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def in_file(self, file: str) -> "_Env":
        env = _Env(self.policy, self.person, self.shared_budget, file, self.claim, self.counters)
        env.notes = self.notes
        return env

    def other(self, binding, node: ast.Name):
        if binding.kind != "counter":  # the checker forbids anything else
            raise EvaluationError(f"'{node.name}' has no value")
        count = self.counters.get(node.name, 0)
        self.note(f"{binding.node.label} {count}")
        return Decimal(count)

    def fact(self, root: str, field: str):
        if root == "person":
            value = getattr(self.person, field)
            return value
        if root == "policy":
            p = self.policy
            return {"start": p.start, "end": p.end, "collection_start": p.collection_start,
                    "collection_end": p.collection_end}[field]
        if self.claim is None:  # the checker forbids it
            raise EvaluationError(f"claim.{field} is not known here")
        return self.claim[field]

    def value(self, expr: ast.Expr):
        return evaluate(expr, self)

    def take_notes(self) -> str:
        text = "; ".join(self.notes)
        self.notes.clear()
        return f" ({text})" if text else ""


# --------------------------------------------------------------------- state

class _Year:
    """What the year so far has used: counters, deductibles, caps, burden."""

    def __init__(self):
        self.counters: dict[str, int] = defaultdict(int)
        self.deductible_paid: dict[str, Decimal] = defaultdict(Decimal)
        self.deductible_highest: dict[str, Decimal] = {}
        self.cap_used: dict[tuple, Decimal] = defaultdict(Decimal)
        self.ci_burden = ZERO
        self.ci_paid = ZERO


# ------------------------------------------------------------------ evaluator

class _Evaluation:
    def __init__(self, policy: Policy, scenario: Scenario, limits: Limits):
        self.policy, self.scenario = policy, scenario
        self.person = scenario.person
        self.budget = _Budget(limits.max_steps)
        self.year = _Year()

    def env(self, claim: Optional[dict] = None) -> _Env:
        return _Env(self.policy, self.person, self.budget, claim=claim, counters=self.year.counters)

    def cite(self, cite: Optional[ast.Cite]) -> Optional[str]:
        if cite is None:
            return None
        source = self.policy.sources.get((cite.span.file, cite.source))
        title = source.title if source else cite.source
        text = f"{title}, {cite.section}"
        return text + (f": “{cite.quote}”" if cite.quote else "")

    def source_text(self, span) -> str:
        return source_text(self.policy.texts, span)

    def round(self, amount: Decimal) -> Decimal:
        return round_money(amount, self.policy.rounding_mode, self.policy.rounding_unit)

    # -- driver
    def run(self) -> Statement:
        claims = sorted(self.scenario.claims, key=lambda c: (c.date, c.index))
        coverage_start, coverage_steps = self.coverage()
        results: dict[str, ClaimResult] = {}
        # Visits in the order of their first claim; a visit is one claim, or the
        # claims of one day at one institution where the benefit groups them.
        visits: dict[tuple, tuple[object, list[Claim]]] = {}
        for claim in claims:
            placement = self.place(claim, coverage_start)
            if isinstance(placement, ast.Benefit) and placement.grouping and claim.institution is not None:
                key = ("visit", placement.id, claim.date, claim.institution)
            else:
                key = ("claim", claim.index)
            visits.setdefault(key, (placement, []))[1].append(claim)
        for placement, group in visits.values():
            if isinstance(placement, ast.Benefit):
                for result in self.pay_visit(placement, group):
                    results[result.id] = result
            else:
                results[group[0].id] = self.unpaid(group[0], *placement)
        count = len(claims)
        ordered = tuple(attrs.evolve(results[c.id], steps=(Step(
            "order", f"claim {n} of {count} in processing order ({ORDER_NOTE})"),) + results[c.id].steps)
            for n, c in enumerate(claims, 1))
        totals = Totals(*(sum((getattr(r, f) for r in ordered), ZERO)
                          for f in ("total", "covered", "basic_fund", "critical_illness", "patient")))
        notes = (Step("order", ORDER_NOTE),) + coverage_steps
        p = self.policy
        return Statement(p.id, p.title, (p.start, p.end), self.person.id, ordered, totals, self.premium(), notes)

    # -- coverage and placement
    def coverage(self) -> tuple[dt.date, tuple[Step, ...]]:
        p = self.policy
        if p.coverage is None:
            return p.start, (Step("coverage", f"benefits run from the policy-year start {p.start}", None),)
        env = self.env()
        start = env.value(p.coverage.starts)
        detail = env.take_notes()
        start = max(start, p.start)
        text = f"benefits start on {start}: {p.coverage.reason}{detail}"
        return start, (Step("coverage", text, None, p.coverage.span, self.cite(p.coverage.cite)),)

    def place(self, claim: Claim, coverage_start: dt.date):
        """The benefit that takes ``claim``, or (status, steps) when none pays."""
        p = self.policy
        if not (p.start <= claim.date <= p.end):
            return ("outside_period", [Step(
                "outside_period", f"the claim's date {claim.date} is outside the policy year "
                f"{p.start} .. {p.end}: the policy pays nothing", ZERO)])
        if claim.date < coverage_start:
            return ("waiting", [Step(
                "waiting", f"the claim's date {claim.date} is before benefits start on {coverage_start} "
                "(waiting period): the fund pays nothing", ZERO,
                p.coverage.span if p.coverage else None, self.cite(p.coverage.cite) if p.coverage else None)])
        env = self.env(self.claim_facts(claim, None))
        for benefit in p.benefits:
            if env.value(benefit.when):
                return benefit
        return ("no_benefit", [Step(
            "no_benefit", f"no benefit of this policy covers {claim.care} care at level \"{claim.level}\""
            + (f" for condition {claim.condition}" if claim.condition else "") + ": the policy pays nothing",
            ZERO)])

    def claim_facts(self, claim: Claim, benefit: Optional[ast.Benefit], covered=None, total=None) -> dict:
        return {
            "id": claim.id, "date": claim.date, "care": claim.care, "level": claim.level,
            "institution": claim.institution, "condition": claim.condition, "pediatric": claim.pediatric,
            "total": Money(total if total is not None else claim.total),
            "covered": Money(covered if covered is not None else claim.covered),
            "location": claim.location, "filing": claim.filing,
            "benefit": benefit.id if benefit else None,
        }

    def unpaid(self, claim: Claim, status: str, steps: list[Step]) -> ClaimResult:
        steps = steps + [Step("patient", f"the patient pays the whole {_fmt(claim.total)}", claim.total)]
        return ClaimResult(claim.id, claim.date, status, None, None, claim.total, claim.covered,
                           ZERO, ZERO, claim.total, tuple(steps))

    # -- paying a visit
    def pay_visit(self, benefit: ast.Benefit, claims: list[Claim]) -> list[ClaimResult]:
        covered = sum((c.covered for c in claims), ZERO)
        total = sum((c.total for c in claims), ZERO)
        facts = self.claim_facts(claims[0], benefit, covered, total)
        condition = self.source_text(benefit.when.span)
        steps = [Step("benefit", f"benefit {benefit.title} ({benefit.id}, priority {benefit.priority}) takes the "
                      "claim" + (f": {condition}" if condition else ""), None, benefit.when.span,
                      self.cite(benefit.when_cite))]
        if len(claims) > 1:
            ids = ", ".join(c.id for c in claims)
            steps.append(Step("visit", f"claims {ids}: same day, same institution ({claims[0].institution}): one "
                              f"visit, covered {_fmt(covered)}", covered, benefit.span, self.cite(benefit.grouping_cite)))
        if benefit.excluded is not None:
            steps.append(Step("excluded", f"excluded: {benefit.excluded}; the fund pays nothing", ZERO,
                              benefit.span, self.cite(benefit.excluded_cite)))
            return [self.finish(c, "excluded", benefit, ZERO, steps) for c in claims]
        for counter in benefit.counts:
            self.year.counters[counter.name] += 1
            label = self.policy.counters[counter.name].label
            steps.append(Step("visit", f"{label}: visit {self.year.counters[counter.name]} of the year", None,
                              counter.span))
        env = self.env(facts)
        pools: list[tuple[str, Optional[Decimal]]] = []
        fund = self.basic_fund(benefit, env, covered, steps, pools, claims[0].id)
        if len(claims) == 1:
            return [self.finish(claims[0], "paid", benefit, fund, steps, pools)]
        return self.split(benefit, claims, fund, covered, steps, pools)

    def basic_fund(self, benefit: ast.Benefit, env: _Env, covered: Decimal, steps: list[Step],
                   charged_pools: list, visit_id: str) -> Decimal:
        base = covered
        deductible = benefit.deductible
        if deductible is None or deductible.mode == "none":
            steps.append(Step("deductible", "no deductible", ZERO, deductible.span if deductible else benefit.span,
                              self.cite(deductible.cite) if deductible else None))
        else:
            base -= self.deductible(benefit, env, base, steps)
        steps.append(Step("eligible", f"eligible amount {_fmt(covered)} − deductible = {_fmt(base)}", base))
        # ratio and its adjustments
        ratio = env.value(benefit.ratio)
        steps.append(Step("ratio", f"ratio {ratio}{env.take_notes()}", None, benefit.ratio.span,
                          self.cite(benefit.ratio_cite)))
        ratio = self.adjust(benefit, env, ratio, steps)
        raw = base * ratio.points / HUNDRED
        fund = self.round(raw)
        text = f"{ratio} × {_fmt(base)} = {_fmt(fund)}"
        if raw != fund:
            text += f" (exactly {raw.normalize():f}, rounded {self.policy.rounding_mode} to ¥{self.policy.rounding_unit})"
        steps.append(Step("fund", text, fund, benefit.ratio.span, self.cite(self.policy.rounding_cite) if raw != fund else None))
        # per-visit cap
        if benefit.visit_cap is not None:
            cap = env.value(benefit.visit_cap)
            detail = env.take_notes()
            if cap is not None and fund > cap.amount:
                steps.append(Step("cap", f"per-visit cap {cap}{detail}: the fund pays {_fmt(cap.amount)} instead of "
                                  f"{_fmt(fund)}", cap.amount, benefit.visit_cap.span, self.cite(benefit.visit_cap_cite)))
                fund = cap.amount
            elif cap is not None:
                steps.append(Step("cap", f"within the per-visit cap {cap}{detail}", fund, benefit.visit_cap.span,
                                  self.cite(benefit.visit_cap_cite)))
            charged_pools.append((f"visit:{visit_id}", cap.amount if cap is not None else None))
        # annual caps
        pools = []
        for index, cap in enumerate(benefit.annual_caps):
            pool, limit, label, span, cite = self.annual_cap(benefit, index, cap, env)
            if limit is None:
                steps.append(Step("cap", f"{label}: the document states no amount, so no cap applies", None, span, cite))
                continue
            used = self.year.cap_used[pool]
            left = max(limit - used, ZERO)
            if fund > left:
                steps.append(Step("cap", f"{label} {_fmt(limit)}: {_fmt(used)} used earlier this year, {_fmt(left)} "
                                  f"left: the fund pays {_fmt(left)} instead of {_fmt(fund)}", left, span, cite))
                fund = left
            else:
                steps.append(Step("cap", f"{label} {_fmt(limit)}: {_fmt(used)} used earlier this year, within it",
                                  fund, span, cite))
            pools.append(pool)
            charged_pools.append((":".join(str(part) for part in pool), limit))
        for pool in pools:
            self.year.cap_used[pool] += fund
        return fund

    def deductible(self, benefit: ast.Benefit, env: _Env, base: Decimal, steps: list[Step]) -> Decimal:
        ded = benefit.deductible
        standard = env.value(ded.amount).amount
        detail = env.take_notes()
        cite = self.cite(ded.cite)
        if ded.mode in ("visit", "admission"):
            due = standard
            text = f"deductible per {ded.mode} {_fmt(standard)}{detail}"
        elif ded.mode == "accumulating":
            paid = self.year.deductible_paid[benefit.id]
            due = max(standard - paid, ZERO)
            text = f"annual deductible {_fmt(standard)}{detail}, {_fmt(paid)} met earlier this year, {_fmt(due)} due"
        else:  # highest
            before = self.year.deductible_highest.get(benefit.id)
            due = max(standard - (before or ZERO), ZERO)
            self.year.deductible_highest[benefit.id] = max(before or ZERO, standard)
            if before is None:
                text = f"annual deductible {_fmt(standard)}{detail}, the first this year"
            else:
                text = (f"annual deductible {_fmt(standard)}{detail}; {_fmt(before)} already charged this year at the "
                        f"highest level so far, {_fmt(due)} due")
        charged = min(due, base)
        if charged < due:
            text += f"; the visit's covered {_fmt(base)} is all deductible"
        if ded.mode == "accumulating":
            self.year.deductible_paid[benefit.id] += charged
        steps.append(Step("deductible", text, charged, ded.span, cite))
        return charged

    def adjust(self, benefit: ast.Benefit, env: _Env, ratio: Percent, steps: list[Step]) -> Percent:
        adjustments = [(a.label, a.points, a.when, a.span, a.cite) for a in benefit.adjustments]
        adjustments += [(a.label, a.ratio, a.when, a.span, a.cite) for a in self.policy.adjustments
                        if a.benefits is None or any(n.name == benefit.id for n in a.benefits)]
        for label, points_expr, when, span, cite in adjustments:
            if when is not None and not env.value(when):
                env.take_notes()
                continue
            points = env.value(points_expr)
            detail = env.take_notes()
            if points.points == 0:
                continue
            ratio = Percent(ratio.points + points.points)
            sign = "+" if points.points > 0 else "−"
            steps.append(Step("adjustment", f"{label}: {sign}{Percent(abs(points.points))}{detail} → ratio {ratio}",
                              None, span, self.cite(cite)))
        if ratio.points < 0 or ratio.points > HUNDRED:
            clamped = Percent(min(max(ratio.points, ZERO), HUNDRED))
            steps.append(Step("adjustment", f"a ratio stays within 0%..100%: {ratio} → {clamped}", None))
            ratio = clamped
        return ratio

    def annual_cap(self, benefit: ast.Benefit, index: int, cap: ast.AnnualCap, env: _Env):
        amount = cap.amount
        binding = self.policy.scopes[self.policy.path].get(amount.name) if isinstance(amount, ast.Name) else None
        if binding is not None and binding.kind == "cap":
            shared = self.policy.caps[amount.name]
            value = env.value(shared.amount)
            limit = value.amount if value is not None else None
            return (("cap", shared.id), limit, f"annual cap {shared.label}", shared.span,
                    self.cite(shared.cite or cap.cite))
        value = env.value(amount)
        detail = env.take_notes()
        key = env.value(cap.per) if cap.per is not None else None
        env.take_notes()
        label = f"annual cap of {benefit.title}" + (f" for {show(key)}" if cap.per is not None else "") + detail
        return (("benefit", benefit.id, index, key), value.amount if value is not None else None, label, cap.span,
                self.cite(cap.cite))

    def split(self, benefit, claims: list[Claim], fund: Decimal, covered: Decimal, steps,
              pools) -> list[ClaimResult]:
        results, left = [], fund
        for i, claim in enumerate(claims):
            if i == len(claims) - 1:
                share = left
            else:
                share = self.round(fund * claim.covered / covered) if covered else ZERO
                left -= share
            own = steps + [Step("split", f"the visit's {_fmt(fund)} is split by covered amount: claim {claim.id} "
                                f"({_fmt(claim.covered)} of {_fmt(covered)}) gets {_fmt(share)}"
                                + (" (the remainder, as the last claim)" if i == len(claims) - 1 and i else ""),
                                share, benefit.span)]
            results.append(self.finish(claim, "paid", benefit, share, own, pools))
        return results

    def finish(self, claim: Claim, status: str, benefit: ast.Benefit, fund: Decimal, steps,
               pools=()) -> ClaimResult:
        steps = list(steps)
        steps.append(Step("basic_fund", f"the basic fund pays {_fmt(fund)}", fund, benefit.span))
        charges = [Charge(pool, limit, fund) for pool, limit in pools]
        ci = self.critical_illness(claim, benefit, fund, steps, charges) if status == "paid" else ZERO
        patient = claim.total - fund - ci
        steps.append(Step("patient", f"the patient pays {_fmt(claim.total)} − {_fmt(fund)} − {_fmt(ci)} = "
                          f"{_fmt(patient)}", patient))
        return ClaimResult(claim.id, claim.date, status, benefit.id, benefit.title, claim.total, claim.covered,
                           fund, ci, patient, tuple(steps), tuple(charges))

    # -- critical illness
    def critical_illness(self, claim: Claim, benefit: ast.Benefit, fund: Decimal, steps: list[Step],
                         charges: list) -> Decimal:
        ci = self.policy.critical
        if ci is None:
            return ZERO
        env = self.env(self.claim_facts(claim, benefit))
        if not env.value(ci.covers):
            return ZERO
        env.take_notes()
        burden = claim.covered - fund
        if burden <= 0:
            return ZERO
        table = None
        for candidate in ci.tables:
            if candidate.when is None or env.value(candidate.when):
                table = candidate
                break
        detail = env.take_notes()
        if table is None:
            steps.append(Step("critical_illness", f"{ci.title}: no table applies to this person{detail}", ZERO, ci.span))
            return ZERO
        before = self.year.ci_burden
        after = before + burden
        self.year.ci_burden = after
        deductible = env.value(table.deductible).amount if table.deductible is not None else ZERO
        steps.append(Step("critical_illness", f"{ci.title} ({table.title}{detail}): personal compliant burden "
                          f"{_fmt(claim.covered)} − {_fmt(fund)} = {_fmt(burden)}; the year's burden goes from "
                          f"{_fmt(before)} to {_fmt(after)}; deductible {_fmt(deductible)}", burden, ci.covers.span,
                          self.cite(ci.covers_cite or table.deductible_cite)))
        offset = deductible if table.measure == "above_deductible" else ZERO
        raw = ZERO
        for band in table.bands:
            low = env.value(band.low).amount + offset
            high = env.value(band.high).amount + offset if band.high is not None else None
            rate = env.value(band.rate)
            top = after if high is None else min(after, high)
            part = top - max(before, low)
            if part <= 0:
                continue
            pay = part * rate.points / HUNDRED
            raw += pay
            span_text = f"{_fmt(low)} .. {_fmt(high)}" if high is not None else f"above {_fmt(low)}"
            steps.append(Step("band", f"band {span_text} at {rate}: {_fmt(part)} × {rate} = {_fmt(pay)}", pay,
                              band.span, self.cite(band.cite)))
        paid = self.round(raw)
        limit = None
        if table.cap is not None:
            cap_value = env.value(table.cap)
            limit = cap_value.amount if cap_value is not None else None
            if cap_value is None:
                steps.append(Step("cap", f"{ci.title} annual cap: the document states no amount, so no cap applies",
                                  None, table.cap.span, self.cite(table.cap_cite)))
            else:
                left = max(cap_value.amount - self.year.ci_paid, ZERO)
                if paid > left:
                    steps.append(Step("cap", f"{ci.title} annual cap {cap_value}: {_fmt(self.year.ci_paid)} paid "
                                      f"earlier, pays {_fmt(left)} instead of {_fmt(paid)}", left, table.cap.span,
                                      self.cite(table.cap_cite)))
                    paid = left
        self.year.ci_paid += paid
        charges.append(Charge("critical_illness", limit, paid))
        steps.append(Step("critical_illness", f"{ci.title} pays {_fmt(paid)}", paid, table.span))
        return paid

    # -- premium
    def premium(self) -> PremiumResult:
        p = self.policy
        if p.premium is None:
            return PremiumResult(None, (Step("premium", "the document states no personal contribution"),))
        env = self.env()
        total: Optional[Decimal] = ZERO
        steps = []
        for item in p.premium.items:
            if item.when is not None and not env.value(item.when):
                env.take_notes()
                continue
            for case in item.cases:
                if case.when is None or env.value(case.when):
                    break
            value = env.value(case.value)
            detail = env.take_notes()
            if value is None:
                steps.append(Step("premium", f"{item.title}: the document states no amount for this person{detail}",
                                  None, case.span, self.cite(case.cite)))
                total = None
                continue
            steps.append(Step("premium", f"{item.title}: {_fmt(value.amount)}{detail}", value.amount, case.span,
                              self.cite(case.cite)))
            if total is not None:
                total += value.amount
        return PremiumResult(total, tuple(steps))


def evaluate_reference(policy: Policy, scenario, limits: Limits = DEFAULT_LIMITS) -> Statement:
    """Evaluate a scenario (a mapping, or a validated Scenario) with the reference interpreter."""
    if not isinstance(scenario, Scenario):
        from .scenario import validate

        scenario = validate(scenario, policy.levels, policy.conditions, limits)
    try:
        return _Evaluation(policy, scenario, limits).run()
    except (ArithmeticError, ValueError, OverflowError) as exc:
        # A checked policy computes only with bounded literals, but a chain of
        # products or a far date can still leave the representable range.
        raise EvaluationError(f"the policy computed a value out of range: {exc}") from None
