"""The explanation: a statement of benefits, as data.

The evaluator builds a :class:`Statement` while it walks the year; the
renderers (:mod:`medpolicy.render_text`, :mod:`medpolicy.render_json`) only
read it.  Every :class:`Step` says what happened, the amount it produced,
the line of the ``.mpol`` file that made it happen and the sentence of the
source document that rule encodes.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Optional

import attrs

from .span import Span


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
