"""Stage 4: evaluate one person's year of claims with a compiled policy.

Claims are processed by date, then in the order of the scenario file.  For
each claim: is it inside the policy year; have the person's benefits started
(:mod:`~medpolicy.rules.coverage`); which benefit takes it
(:mod:`~medpolicy.rules.choice`).  Claims a grouping benefit takes on the same
day at the same institution are paid as one visit
(:mod:`~medpolicy.rules.grouping`).  The benefit pays its basic fund
(:mod:`~medpolicy.rules.benefit`), then each payer after it takes its share
of what is left (:mod:`~medpolicy.rules.payer`).  Whatever remains is the
patient's: ``patient = total − basic fund − later payers`` exactly.

With ``explain=True`` every decision is recorded as an
:class:`~medpolicy.explain.Event` while it is made; with ``explain=False`` no
event is built and the figures are the same.  This module reads no syntax
tree and evaluates no expression by name: it only runs compiled units.
"""
from __future__ import annotations

import gc
from decimal import Decimal

from .compiled_expr import Earlier, Frame
from .errors import EvaluationError
from .explain import (Charge, ClaimResult, Event, PayerAmount, PolicyInfo, Statement, Totals)
from .facts import SCENARIO_CLAIM_FIELDS
from .limits import DEFAULT_LIMITS, Limits
from .localize import msg
from .program import CompiledPolicy
from .rules.context import ZERO, Year
from .rules.grouping import joined_event, joins, split, split_event, visit_event, visit_key
from .scenario import Claim, Scenario



class VisitFacts:
    """``claim.*`` as compiled code reads it for a visit of several claims: the first
    claim's facts, with the visit's total and covered amounts."""

    __slots__ = SCENARIO_CLAIM_FIELDS

    def __init__(self, claim: Claim, covered: Decimal, total: Decimal):
        # Written out rather than looped over the field names: a visit is built per grouped visit.
        self.id, self.date, self.care, self.level = claim.id, claim.date, claim.care, claim.level
        self.institution, self.condition, self.pediatric = claim.institution, claim.condition, claim.pediatric
        self.category = claim.category
        self.total, self.covered = total, covered
        self.location, self.filing, self.settlement, self.absence = (claim.location, claim.filing, claim.settlement,
                                                                     claim.absence)
        self.filed_on, self.submitted_on = claim.filed_on, claim.submitted_on


class _Run:
    """One scenario's evaluation."""

    def __init__(self, program: CompiledPolicy, scenario: Scenario, limits: Limits, explain: bool):
        self.program, self.scenario, self.explain = program, scenario, explain
        self.person = scenario.person
        self.year = Year()
        self.person_lets: dict = {}
        self.steps_left = limits.max_steps

    def frame(self, claim=None, benefit=None) -> Frame:
        return Frame(self.person, claim, self.year.counters, self.person_lets, {}, [] if self.explain else None,
                     benefit, self.year.earlier)

    def spend(self, steps: int) -> None:
        self.steps_left -= steps
        if self.steps_left < 0:
            raise EvaluationError(msg("eval.step_limit"))

    def run(self) -> Statement:
        program, explain = self.program, self.explain
        claims = sorted(self.scenario.claims, key=lambda c: (c.date, c.index))
        coverage_start, coverage_notes = program.coverage.coverage_start(self.frame(), explain)
        coverage_end, end_notes = program.coverage.coverage_end(self.frame(), explain)
        coverage_notes += end_notes
        results: dict[str, ClaimResult] = {}
        visits: dict[tuple, tuple[object, list[Claim]]] = {}
        chooser, claim_cost = program.chooser, program.claim_cost
        count = len(claims)
        # Each claim's explanation starts with its place in the processing order.
        self.order = {c.index: Event("order", {"position": n, "count": count})
                      for n, c in enumerate(claims, 1)} if explain else {}
        choice_frame = Frame(self.person, None, self.year.counters, self.person_lets, {}, None)
        self.spend(claim_cost * count)
        coverage = program.coverage
        late_possible = program.settlement.deadlines
        # Most claims fall inside the year and after coverage starts: one comparison says so.
        first_day, last_day = max(coverage.start, coverage_start), coverage_end

        def chosen(claim):
            choice_frame.claim = claim
            return chooser.choose(choice_frame)

        # Earlier care settled with a later claim (`includes`): found before any claim is paid.
        joined = joins(claims, chosen, program.joining, lambda c: first_day <= c.date <= last_day)
        leads = {lead.index for _, lead in joined.values()}
        for claim in claims:
            placed = None if first_day <= claim.date <= last_day else coverage.outside(claim, coverage_start,
                                                                                      coverage_end, explain)
            if placed is None and claim.index in joined:
                benefit, lead = joined[claim.index]
                visits.setdefault(("joined", lead.index), (benefit, []))[1].append(claim)
                continue
            if placed is None:
                choice_frame.claim = claim
                benefit = chooser.choose(choice_frame)
                if benefit is None:
                    placed = ("no_benefit", (Event("no_benefit", {"care": claim.care, "level": claim.level,
                                                                  "condition": claim.condition,
                                                                  "category": claim.category}, ZERO),)
                              if explain else ())
                else:
                    # A claim settled by hand and handed in after its deadline is paid nothing.
                    late = (program.settlement.late(self.frame(claim, benefit.id), explain)
                            if late_possible and claim.submitted_on is not None and claim.settlement == "manual"
                            and benefit.excluded is None else None)
                    if late is None:
                        key = ("joined", claim.index) if claim.index in leads else visit_key(benefit, claim)
                        visits.setdefault(key, (benefit, []))[1].append(claim)
                        continue
                    placed = ("late", late)
            visits[("claim", claim.index)] = (placed, [claim])
        # `history` declarations read the claims settled before a visit: kept only when one is declared.
        earlier = self.year.earlier if program.model.histories else None
        histories = len(program.model.histories)
        for placement, group in visits.values():
            if isinstance(placement, tuple):
                results[group[0].id] = self.unpaid(group[0], *placement)
            else:
                # Each history read scans the claims settled so far: a year of many claims costs its square.
                self.spend(placement.visit_cost + (histories * len(earlier) if earlier is not None else 0))
                for result in self.pay_visit(placement, group):
                    results[result.id] = result
                if earlier is not None:
                    # After the whole visit: the claims of one visit do not see each other.
                    earlier.extend(Earlier(c, placement.id, results[c.id].basic_fund) for c in group)
        ordered = tuple(results[c.id] for c in claims)
        totals = _totals(ordered, program)
        premium = program.premium.personal(self.frame(), explain)
        notes = ((Event("processing_order", {}),) + coverage_notes) if explain else ()
        m = program.model
        info = PolicyInfo(m.id, m.title, (m.start, m.end), program.content_hash, program.labels)
        return Statement(info, self.person.id, ordered, totals, premium, notes, explain)

    def unpaid(self, claim: Claim, status: str, events: tuple) -> ClaimResult:
        if self.explain:
            events = (self.order[claim.index],) + events + (Event("patient_all", {"total": claim.total}, claim.total),)
        return ClaimResult(claim.id, claim.date, status, None, None, claim.total, claim.covered, ZERO,
                           self.program.no_payers, claim.total, events)

    def pay_visit(self, benefit, claims: list[Claim]) -> list[ClaimResult]:
        explain = self.explain
        ev = [] if explain else None
        # A joined visit reads the facts of the claim the benefit took: the last, as the rest came before it.
        lead = claims[-1] if benefit.joining is not None else claims[0]
        if len(claims) == 1:
            facts = lead
            covered = facts.covered
        else:
            covered = sum((c.covered for c in claims), ZERO)
            facts = VisitFacts(lead, covered, sum((c.total for c in claims), ZERO))
        fr = self.frame(facts, benefit.id)
        if explain:
            ev.append(benefit.benefit_event(facts))
            if len(claims) > 1:
                ev.append(joined_event(benefit, lead, claims, covered) if benefit.joining is not None
                          else visit_event(benefit, claims, covered))
        if benefit.excluded is not None:
            if explain:
                ev.append(Event("excluded", {"reason": benefit.excluded}, ZERO, f"{benefit.id}.excluded",
                                benefit.source, benefit.excluded_cite))
            return [self.finish(c, "excluded", benefit, ZERO, ev, (), None, len(claims) > 1, lead.id)
                    for c in claims]
        benefit.count_visit(self.year, ev)
        pools: list = []
        fund = benefit.basic_fund(self.year, fr, covered, lead.id, pools, ev)
        if len(claims) == 1:
            return [self.finish(claims[0], "paid", benefit, fund, ev, pools, fr, False, None)]
        results = []
        shares = split(fund, claims, covered, benefit.round)
        last = len(claims) - 1
        for i, (claim, share) in enumerate(zip(claims, shares)):
            own = None
            if explain:
                own = ev + [split_event(benefit, fund, claim, covered, share, i == last and i > 0)]
            results.append(self.finish(claim, "paid", benefit, share, own, pools, None, True, lead.id))
        return results

    def finish(self, claim: Claim, status: str, benefit, fund: Decimal, ev, pools, fr, grouped: bool,
               visit) -> ClaimResult:
        explain = self.explain
        if explain:
            ev = [self.order[claim.index], *ev]
            ev.append(Event("basic_fund", {"amount": fund}, fund, f"{benefit.id}.fund", benefit.source))
        charges = [(pool, limit, fund) for pool, limit in pools]
        paid_before = fund
        program = self.program
        if status == "paid" and program.payers:
            if fr is None:
                fr = self.frame(claim, benefit.id)
            else:
                fr.take()
            payers = []
            for payer in program.payers:
                amount = payer.pay(self.year, fr, claim.covered, paid_before, ev, charges)
                paid_before += amount
                payers.append(PayerAmount(payer.id, payer.title, amount))
            payers = tuple(payers)
        else:
            payers = program.no_payers
        patient = claim.total - paid_before
        if explain:
            ev.append(Event("patient", {"total": claim.total, "basic_fund": fund, "payers": paid_before - fund,
                                        "patient": patient}, patient))
            if status == "paid" and claim.settlement == "manual":
                fr = self.frame(claim, benefit.id)
                ev.extend(program.settlement.events(fr))
        return ClaimResult(claim.id, claim.date, status, benefit.id, benefit.title, claim.total, claim.covered,
                           fund, payers, patient, tuple(ev) if explain else (),
                           tuple([Charge(*c) for c in charges]), visit if grouped else None)


def _totals(claims: tuple[ClaimResult, ...], program: CompiledPolicy) -> Totals:
    total = covered = basic = patient = ZERO
    payer_sums = {p.id: ZERO for p in program.payers}
    for c in claims:
        total += c.total
        covered += c.covered
        basic += c.basic_fund
        patient += c.patient
        for p in c.payers:
            payer_sums[p.id] += p.amount
    payers = tuple(PayerAmount(p.id, p.title, payer_sums[p.id]) for p in program.payers)
    return Totals(total, covered, basic, payers, patient)


def evaluate_scenario(program: CompiledPolicy, scenario: Scenario, limits: Limits = DEFAULT_LIMITS,
                      explain: bool = True) -> Statement:
    """Evaluate a validated scenario; see the module docstring for the order of rules."""
    # An explained year builds thousands of small containers (events, their data, details)
    # that reference nothing cyclic: reference counting frees them all, yet the cyclic
    # collector would scan them again and again, about a fifth of the evaluation's time.
    # So it pauses for one evaluation (as Mercurial does for bulk reads) and resumes after,
    # unless it was already off.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _Run(program, scenario, limits, explain).run()
    except (ArithmeticError, ValueError, OverflowError) as exc:
        # A checked policy computes only with bounded literals, but a chain of
        # products or a far date can still leave the representable range.
        raise EvaluationError(msg("eval.out_of_range", problem=str(exc))) from None
    except RecursionError:
        raise EvaluationError(msg("eval.too_deep")) from None
    finally:
        if collecting:
            gc.enable()
