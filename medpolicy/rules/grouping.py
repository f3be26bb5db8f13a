"""Visits grouped by day and institution.

Syntax: the benefit clause ``visits grouped by day and institution``
(``Benefit.grouping``).  Checks (:func:`check_grouping`): its citation.

Claims a grouping benefit takes on the same day at the same institution are
paid as one visit (one deductible, one per-visit cap, one count); a claim
without an institution is a visit of its own.  The visit's payment is then
split back over its claims by covered amount, rounded as the policy says,
the last claim taking the remainder so that the shares add up exactly.

Events: ``visit`` (once per claim of a visit: which visit, how many claims,
the institution and the visit's covered amount — never the list of the
other claims, which would make a large visit's statement quadratic) and
``split``.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Callable, Optional

from .. import ast
from ..explain import Citation, Event
from .checking import Checker
from .context import ZERO, CompileContext


def check_grouping(ck: Checker, benefit: ast.Benefit, file: str) -> None:
    """The clause is a flag: only its citation can be wrong."""
    ck.check_cite(benefit.grouping_cite, file)


def compile_grouping(cx: CompileContext, benefit: ast.Benefit) -> tuple[bool, Optional[Citation]]:
    """Whether the benefit groups its claims into visits, and the citation that says so."""
    return benefit.grouping, cx.cite(benefit.grouping_cite)


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
