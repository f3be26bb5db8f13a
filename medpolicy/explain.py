"""The explanation: a statement of benefits, as data.

The evaluator builds a :class:`Statement` while it runs the compiled program;
the renderers (:mod:`medpolicy.render_text`, :mod:`medpolicy.render_json`)
only read it, and make every sentence from the one message catalogue
(:mod:`medpolicy.messages`).  Nothing here is prose: an :class:`Event` has a
stable ``kind`` (listed with its typed fields in :data:`EVENT_KINDS`), the
rule it came from, the ``.mpol`` line of that rule and the sentence of the
source document the rule encodes (:class:`Citation`).

Values in event data are typed: money is ``Decimal`` (yuan), ratios are
:class:`~medpolicy.values.Percent`, counts ``int``, dates ``datetime.date``,
ids and labels ``str``.  ``details`` lists what decided a value (a table row,
a named value, a counter) as :class:`Detail` items.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, NamedTuple, Optional

import attrs

from .span import Span

SCHEMA_VERSION = "2.0"
"""Version of the JSON statement contract (``schemas/statement.schema.json``)."""


@attrs.frozen
class Citation:
    """``cite SOURCE "section" "quote"``, resolved: the sentence a rule encodes."""

    source: str
    """Id of the ``source`` declaration."""
    title: str
    """The source document's title."""
    section: str
    quote: Optional[str] = None


class Detail(NamedTuple):
    """One thing that decided a value: a table row, a named value or a counter."""

    kind: str
    """``row`` (a ``by … {}`` table row), ``let`` (a named value), ``counter`` or ``history``."""
    name: str
    """The policy's own name: the let or counter id, or for a row the key
    (``claim.level``, or the id of the named value it is keyed by)."""
    label: str
    """The label the policy declares for that name (empty when none)."""
    value: object
    """The value it gave, typed (``Money``, ``Percent``, ``Months``, …)."""
    key: object = None
    """For a row: the key's value (a member id)."""
    key_kind: str = ""
    """For a row: what the key is (``level``, ``condition``, ``care`` …)."""
    otherwise: bool = False
    """For a row: the table's ``else`` gave the value."""
    claims: tuple[str, ...] = ()
    """For a history: the ids of the earlier claims it read."""


class Event(NamedTuple):
    """One step of the explanation (a named tuple: tens of them are made per claim)."""

    kind: str
    """What happened; one of :data:`EVENT_KINDS`."""
    data: dict[str, Any]
    """The step's inputs and outputs, typed, with the fields its kind lists."""
    amount: Optional[Decimal] = None
    """The amount this step produced, if any."""
    rule: Optional[str] = None
    """Which rule of the policy made the step (``inpatient.deductible``, ``cap.x`` …)."""
    source: Optional[Span] = None
    """The rule's place in the ``.mpol`` file."""
    cite: Optional[Citation] = None
    """The source document's words for that rule."""


# Field types: money, money? (may be null), percent, count, date, text, text?,
# bool, number (a Decimal that is not money), details, member:KIND (an id whose
# display name the renderer looks up), member?:KIND.
EVENT_KINDS: dict[str, dict[str, str]] = {
    # statement-wide notes
    "processing_order": {},
    "coverage": {"start": "date", "reason": "text?", "details": "details"},
    "coverage_end": {"end": "date", "reason": "text", "details": "details"},
    # where a claim lands
    "order": {"position": "count", "count": "count"},
    "outside_period": {"date": "date", "start": "date", "end": "date"},
    "waiting": {"date": "date", "coverage_start": "date"},
    "coverage_ended": {"date": "date", "end": "date"},
    "late": {"submitted_on": "date", "deadline": "date", "title": "text"},
    "no_benefit": {"care": "member:care", "level": "member:level", "condition": "member?:condition",
                   "category": "member?:category"},
    "benefit": {"benefit": "member:benefit", "priority": "count", "condition": "text",
                "care": "member:care", "level": "member:level", "claim_condition": "member?:condition",
                "category": "member?:category"},
    "visit": {"visit": "text", "claims": "count", "institution": "text", "covered": "money"},
    "joined": {"admission": "text", "care": "member:care", "claims": "count", "institution": "text",
               "covered": "money", "days": "count"},
    "excluded": {"reason": "text"},
    "visit_count": {"counter": "text", "label": "text", "count": "count"},
    # the basic fund
    "no_deductible": {},
    "deductible": {"mode": "text", "standard": "money", "before": "money?", "due": "money",
                   "charged": "money", "all_deductible": "bool", "shared": "text?", "details": "details"},
    "eligible": {"covered": "money", "deductible": "money", "eligible": "money"},
    "ratio": {"ratio": "percent", "details": "details"},
    "adjustment": {"adjustment": "text", "label": "text", "points": "percent", "ratio": "percent",
                   "details": "details"},
    "ratio_clamped": {"before": "percent", "after": "percent"},
    "measure": {"measure": "text", "label": "text", "before": "money", "eligible": "money", "after": "money"},
    "ratio_band": {"low": "money", "high": "money?", "rate": "percent", "part": "money", "pay": "money"},
    "bands_fund": {"eligible": "money", "exact": "money", "fund": "money", "rounded": "bool", "rounding": "text",
                   "unit": "money"},
    "fixed": {"amount": "money", "covered": "money", "fund": "money", "at_cost": "bool", "above": "money",
              "details": "details"},
    "fund": {"ratio": "percent", "eligible": "money", "exact": "number", "fund": "money", "rounded": "bool",
             "rounding": "text", "unit": "money"},
    "visit_cap": {"cap": "money", "before": "money", "fund": "money", "applied": "bool", "details": "details"},
    "annual_cap": {"cap": "text", "label": "text", "key": "member?:key", "limit": "money", "used": "money",
                   "left": "money", "before": "money", "fund": "money", "applied": "bool", "details": "details"},
    "annual_cap_unstated": {"cap": "text", "label": "text", "key": "member?:key"},
    "split": {"visit_fund": "money", "covered": "money", "visit_covered": "money", "share": "money",
              "remainder": "bool"},
    "basic_fund": {"amount": "money"},
    # second (and later) payers, e.g. critical-illness insurance
    "payer_no_table": {"payer": "text", "title": "text", "details": "details"},
    "payer_burden": {"payer": "text", "title": "text", "table": "text", "covered": "money",
                     "paid_before": "money", "burden": "money", "year_before": "money", "year_after": "money",
                     "deductible": "money", "details": "details"},
    "band": {"payer": "text", "low": "money", "high": "money?", "rate": "percent", "part": "money",
             "pay": "money"},
    "payer_cap": {"payer": "text", "title": "text", "cap": "money", "paid_before": "money", "left": "money",
                  "before": "money", "details": "details"},
    "payer_cap_unstated": {"payer": "text", "title": "text"},
    "payer": {"payer": "text", "title": "text", "amount": "money"},
    # what is left
    "patient": {"total": "money", "basic_fund": "money", "payers": "money", "patient": "money"},
    "patient_all": {"total": "money"},
    # what the student must do for a claim settled by hand
    "settlement": {"path": "text", "title": "text", "details": "details"},
    "material": {"number": "count", "text": "text", "details": "details"},
    "submit": {"to": "text"},
    "deadline": {"deadline": "date", "date": "date", "details": "details"},
    "processing_time": {"time": "text"},
    "settlement_unstated": {},
    # the premium
    "premium_none": {},
    "premium": {"item": "text", "amount": "money", "details": "details"},
    "premium_unstated": {"item": "text", "details": "details"},
}


class Charge(NamedTuple):
    """An amount a claim drew from a limited pool (a cap), for auditing caps."""

    pool: str
    """Which pool: ``visit:<first claim id>``, ``cap:<shared cap id>``,
    ``benefit:<id>:<n>[:<key>]`` or ``payer:<payer id>``."""
    limit: Optional[Decimal]
    """The pool's limit (None: no amount stated, so no limit)."""
    amount: Decimal


class PayerAmount(NamedTuple):
    """What one payer after the basic fund (e.g. critical illness) paid."""

    id: str
    title: str
    amount: Decimal


class ClaimResult(NamedTuple):
    """One claim's outcome (a named tuple: one is made per claim, so it must be cheap to build)."""

    id: str
    date: dt.date
    status: str
    """One of :data:`STATUSES`."""
    benefit: Optional[str]
    """The benefit's id, or None."""
    benefit_title: Optional[str]
    total: Decimal
    covered: Decimal
    basic_fund: Decimal
    payers: tuple[PayerAmount, ...]
    """Every payer after the basic fund the policy declares, in order."""
    patient: Decimal
    events: tuple[Event, ...]
    """The explanation (empty when evaluated with ``explain=False``)."""
    charges: tuple[Charge, ...] = ()
    """The capped pools this claim's payments count toward."""
    visit: Optional[str] = None
    """For a claim paid as part of a visit of several claims: the visit's first claim id."""

    @property
    def critical_illness(self) -> Decimal:
        """What the critical-illness payer paid (0 where the policy has none)."""
        return sum((p.amount for p in self.payers if p.id == CRITICAL_ILLNESS), Decimal(0))

    @property
    def other_payers(self) -> Decimal:
        return sum((p.amount for p in self.payers), Decimal(0))

    @property
    def guidance(self) -> tuple[Event, ...]:
        """For a claim settled by hand: what the student must do (empty otherwise, or unexplained)."""
        return tuple(e for e in self.events if e.kind in GUIDANCE_KINDS)


STATUSES = ("paid", "excluded", "no_benefit", "outside_period", "waiting", "late")
"""A claim's outcome: ``paid`` (a benefit applied, even if it paid ¥0), ``excluded`` (its benefit
pays nothing), ``no_benefit``, ``outside_period`` (outside the policy year or the person's cover),
``waiting`` (before the person's benefits start) or ``late`` (settled by hand, its materials handed
in after the deadline)."""

GUIDANCE_KINDS = frozenset({"settlement", "material", "submit", "deadline", "processing_time",
                            "settlement_unstated"})
"""The event kinds that tell a student what to do for a claim settled by hand."""

CRITICAL_ILLNESS = "critical_illness"
"""The id of the payer a ``critical_illness`` declaration makes."""


@attrs.frozen
class Totals:
    total: Decimal
    covered: Decimal
    basic_fund: Decimal
    payers: tuple[PayerAmount, ...]
    patient: Decimal

    @property
    def critical_illness(self) -> Decimal:
        return sum((p.amount for p in self.payers if p.id == CRITICAL_ILLNESS), Decimal(0))

    @property
    def fund(self) -> Decimal:
        """Everything the insurance paid: the basic fund and every later payer."""
        return self.basic_fund + sum((p.amount for p in self.payers), Decimal(0))


@attrs.frozen
class PremiumResult:
    personal: Optional[Decimal]
    """None where the document states no amount."""
    events: tuple[Event, ...]


@attrs.frozen
class PolicyInfo:
    """What a reader of the statement needs to know of the policy."""

    id: str
    title: str
    period: tuple[dt.date, dt.date]
    content_hash: str
    """``sha256:…`` of the policy's text and every module it imports."""
    labels: dict[str, dict[str, str]]
    """Display names the policy declares: ``level``, ``condition``, ``category``, ``benefit`` → id → name."""


@attrs.frozen
class Statement:
    policy: PolicyInfo
    person: str
    claims: tuple[ClaimResult, ...]
    """In processing order: by date, then by order in the scenario file."""
    totals: Totals
    premium: PremiumResult
    notes: tuple[Event, ...] = ()
    """Statement-wide facts: processing order, coverage start."""
    explained: bool = True
    """False when evaluated with ``explain=False`` (no events were built)."""

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        """The statement as the JSON contract's mapping (``schemas/statement.schema.json``),
        its words in ``lang`` (``zh`` or ``en``)."""
        from .render_json import statement_dict  # the renderer reads this module, not the other way

        return statement_dict(self, lang)

    def to_json(self, lang: str = "zh") -> str:
        """:meth:`to_dict` as JSON text (UTF-8, Chinese kept as is, indented)."""
        from .render_json import render_json

        return render_json(self, lang)

    @property
    def policy_id(self) -> str:
        return self.policy.id

    @property
    def policy_title(self) -> str:
        return self.policy.title

    @property
    def period(self) -> tuple[dt.date, dt.date]:
        return self.policy.period
