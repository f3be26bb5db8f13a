"""Visits grouped by day and institution, and earlier care joined to an admission.

Syntax: the benefit clauses ``visits grouped by day and institution``
(``Benefit.grouping``) and ``includes CARE care at the same institution up
to N days before`` (``Benefit.includes``).  Checks (:func:`check_grouping`):
their citations; the care named is a care type, other than none of the
benefit's own.

``includes``: a claim of that care type at the same institution, dated from
N days before a claim this benefit takes up to its day, is settled with it
as one visit (e.g. emergency rescue just before an admission, paid with the
admission: one deductible, the admission's ratio), whatever benefit would
otherwise have taken it.  The joined visit reads the facts of the claim the
benefit took (its care, level, condition).

Claims a grouping benefit takes on the same day at the same institution are
paid as one visit (one deductible, one per-visit cap, one count); a claim
without an institution is a visit of its own.  The visit's payment is then
split back over its claims by covered amount, rounded as the policy says,
the last claim taking the remainder so that the shares add up exactly.

Events: ``visit`` (once per claim of a visit: which visit, how many claims,
the institution and the visit's covered amount — never the list of the
other claims, which would make a large visit's statement quadratic),
``joined`` (the same for earlier care joined to an admission) and ``split``.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Callable, Optional

import attrs

from .. import ast
from ..diagnostics import did_you_mean
from ..explain import Citation, Event
from ..facts import BUILTIN_ENUMS
from ..localize import msg
from ..span import Span
from .checking import Checker
from .context import ZERO, CompileContext


def check_grouping(ck: Checker, benefit: ast.Benefit, file: str) -> None:
    """Grouping is a flag: only its citation can be wrong; ``includes`` names a care type."""
    ck.check_cite(benefit.grouping_cite, file)
    inc = benefit.includes
    if inc is not None:
        cares = BUILTIN_ENUMS["care"]
        if inc.care.name not in cares:
            ck.error(msg("E209.member", key=inc.care.name, kind="care"), inc.care.span,
                     help=did_you_mean(inc.care.name, cares) or msg("E209.member.help", kind="care",
                                                                      members=list(cares)))
        ck.check_cite(inc.cite, file)


@attrs.frozen
class Joining:
    """``includes``, compiled: which care is joined, from how many days before."""

    care: str
    days: int
    cite: Optional[Citation]
    source: Span


def compile_grouping(cx: CompileContext, benefit: ast.Benefit) -> tuple[bool, Optional[Citation], Optional[Joining]]:
    """Whether the benefit groups its claims into visits, the citation that says so, and what it joins."""
    inc = benefit.includes
    joining = None if inc is None else Joining(inc.care.name, inc.days, cx.cite(inc.cite), inc.span)
    return benefit.grouping, cx.cite(benefit.grouping_cite), joining


def joins(claims: list, choose: Callable, benefits_joining: bool, covered: Callable[[object], bool]) -> dict:
    """Earlier claims to settle with a later one: claim index → (benefit, the claim it took).

    ``claims`` are in processing order; ``choose(claim)`` is the benefit that takes a claim;
    ``covered(claim)`` whether the claim's date is within the person's cover.
    """
    if not benefits_joining:
        return {}
    found: dict[int, tuple] = {}
    by_institution: dict[str, list] = {}
    for claim in claims:
        if claim.institution is not None:
            by_institution.setdefault(claim.institution, []).append(claim)
    for claim in claims:
        if claim.institution is None or claim.index in found or not covered(claim):
            continue
        benefit = choose(claim)
        join = getattr(benefit, "joining", None)
        if join is None or claim.care == join.care:
            continue
        first = claim.date - dt.timedelta(days=join.days)
        for other in by_institution[claim.institution]:
            if other is not claim and other.care == join.care and first <= other.date <= claim.date \
                    and other.index not in found and covered(other):
                found[other.index] = (benefit, claim)
    return found


def joined_event(benefit, lead, claims, covered: Decimal) -> Event:
    join = benefit.joining
    return Event("joined", {"admission": lead.id, "care": join.care, "claims": len(claims),
                            "institution": lead.institution, "covered": covered, "days": join.days},
                 None, f"{benefit.id}.includes", join.source, join.cite)


def visit_key(benefit, claim) -> tuple:
    """The key claims share when they are paid as one visit."""
    if benefit.grouping and claim.institution is not None:
        return ("visit", benefit.index, claim.date, claim.institution)
    return ("claim", claim.index)


def visit_event(benefit, claims, covered: Decimal) -> Event:
    return Event("visit", {"visit": claims[0].id, "claims": len(claims), "institution": claims[0].institution,
                           "covered": covered}, covered, f"{benefit.id}.grouping", benefit.source,
                 benefit.grouping_cite)


def split(fund: Decimal, claims, covered: Decimal, round_: Callable[[Decimal], Decimal]) -> list[Decimal]:
    """Each claim's share of the visit's payment, by covered amount; the last takes the remainder."""
    shares, left = [], fund
    last = len(claims) - 1
    for i, claim in enumerate(claims):
        if i == last:
            share = left
        else:
            share = round_(fund * claim.covered / covered) if covered else ZERO
            left -= share
        shares.append(share)
    return shares


def split_event(benefit, fund: Decimal, claim, covered: Decimal, share: Decimal, remainder: bool) -> Optional[Event]:
    return Event("split", {"visit_fund": fund, "covered": claim.covered, "visit_covered": covered, "share": share,
                           "remainder": remainder}, share, f"{benefit.id}.grouping", benefit.source)
