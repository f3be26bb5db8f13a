"""Caps on what the basic fund pays: per visit, and per year.

Syntax: the benefit clauses ``visit cap AMOUNT`` and ``annual cap AMOUNT
[for each KEY] [when COND]`` / ``annual cap SHARED [when COND]``, and the
declaration ``cap ID "label" AMOUNT per year`` (an amount that may read person
facts: a limit growing with insured years) (:class:`medpolicy.ast.AnnualCap`,
:class:`medpolicy.ast.CapDecl`).  Checks (:func:`check_caps`,
:func:`check_cap_decl`): money or ``unstated``, not negative (E129), ``for
each`` only by a member (E114), a shared cap not split (E114).

* A visit cap limits one visit's payment.
* An annual cap is a pool the year's payments draw from: private to the
  benefit, one per key value (``for each claim.condition``), or shared by every
  benefit that names it.  A clause with ``when`` limits only the claims its
  condition admits, so that several clauses choose a cap by a condition.  A pool whose amount the document does not state
  limits nothing, and the statement says so.

Every pool a payment counts toward is recorded as a
:class:`~medpolicy.explain.Charge`, so that ``verify`` can audit the caps.
Events: ``visit_cap``, ``annual_cap``, ``annual_cap_unstated``.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

import attrs

from .. import ast
from ..compiled_expr import Code, Frame
from ..explain import Citation, Event
from ..localize import msg
from ..span import Span
from ..typecheck import CLAIM_CONTEXT, ERROR, PERSON_CONTEXT, base_type
from .checking import Checker, check_sign
from .context import ZERO, CompileContext, Year


@attrs.frozen
class VisitCap:
    amount: Code
    rule: str
    source: Optional[Span]
    cite: Optional[Citation]

    def apply(self, fr: Frame, fund: Decimal, visit_id: str, pools: list, ev: Optional[list]) -> Decimal:
        cap = self.amount.fn(fr)
        if cap is not None:
            capped = min(fund, cap)
            if ev is not None:
                ev.append(Event("visit_cap", {"cap": cap, "before": fund, "fund": capped, "applied": capped < fund,
                                              "details": fr.take()}, capped, self.rule, self.source, self.cite))
            fund = capped
        else:
            fr.take()
        pools.append((f"visit:{visit_id}", cap))
        return fund


@attrs.frozen
class AnnualCap:
    """One annual pool; ``shared`` pools are named by the cap's id."""

    id: str
    """The shared cap's id, or ``<benefit>:<n>`` for a benefit's own cap."""
    label: str
    amount: Code
    per: Optional[Code]
    shared: bool
    rule: str
    source: Optional[Span]
    cite: Optional[Citation]
    when: Optional[Code] = None
    """The claims this pool limits (None: every claim of the benefit)."""
    pool: tuple = attrs.field(init=False, eq=False, repr=False)
    """The key of the year's pool (a benefit's own cap adds the ``for each`` key to it)."""

    @pool.default
    def _pool(self) -> tuple:
        if self.shared:
            return ("cap", self.id)
        benefit, index = self.id.rsplit(":", 1)
        return ("benefit", benefit, int(index))

    pool_name: str = attrs.field(init=False, eq=False, repr=False)
    """The pool as a :class:`~medpolicy.explain.Charge` names it (without the key)."""

    @pool_name.default
    def _pool_name(self) -> str:
        return ":".join(str(part) for part in self.pool)

    def limit(self, fr: Frame, used: dict, pools: list, ev: Optional[list], fund: Decimal):
        """Apply the pool to ``fund``; return the (possibly lowered) fund and the pool's key."""
        if self.when is not None and not self.when.fn(fr):
            fr.take()
            return fund, None
        amount = self.amount.fn(fr)
        key = self.per.fn(fr) if self.per is not None else None
        pool = self.pool if self.shared else self.pool + (key,)
        if amount is None:
            if ev is not None:
                ev.append(Event("annual_cap_unstated", {"cap": self.id, "label": self.label, "key": key},
                                None, self.rule, self.source, self.cite))
                fr.take()
            return fund, None
        spent = used[pool]
        left = max(amount - spent, ZERO)
        capped = min(fund, left)
        if ev is not None:
            ev.append(Event("annual_cap", {
                "cap": self.id, "label": self.label, "key": key, "limit": amount, "used": spent, "left": left,
                "before": fund, "fund": capped, "applied": capped < fund, "details": fr.take()},
                capped, self.rule, self.source, self.cite))
        pools.append((self.pool_name if self.shared else f"{self.pool_name}:{key}", amount))
        return capped, pool


def apply_annual_caps(caps: tuple[AnnualCap, ...], year: Year, fr: Frame, fund: Decimal, pools: list,
                      ev: Optional[list]) -> Decimal:
    """Every annual pool of a benefit, in order; the final payment counts toward each."""
    charged = []
    for cap in caps:
        fund, pool = cap.limit(fr, year.cap_used, pools, ev, fund)
        if pool is not None:
            charged.append(pool)
    for pool in charged:
        year.cap_used[pool] += fund
    return fund


def check_caps(ck: Checker, benefit: ast.Benefit, file: str) -> None:
    """A paying benefit's visit cap and annual caps."""
    ck.check_cite(benefit.visit_cap_cite, file)
    # Signs first, then types: when both are wrong at one place the sign is reported first.
    if benefit.visit_cap is not None:
        check_sign(ck, benefit.visit_cap, "cap")
    for cap in benefit.annual_caps:
        check_sign(ck, cap.amount, "cap")
    if benefit.visit_cap is not None:
        ck.expect(benefit.visit_cap, "money", file, CLAIM_CONTEXT, "visit_cap", counters=True, allow_unstated=True)
    for cap in benefit.annual_caps:
        ck.check_cite(cap.cite, file)
        if cap.when is not None:
            ck.expect(cap.when, "bool", file, CLAIM_CONTEXT, "cap_when")
        if isinstance(cap.amount, ast.Name) and ck.kind(file, cap.amount.name) == "cap":
            # A shared cap is one pool for every benefit naming it: it cannot be split by a key here.
            if cap.per is not None:
                ck.error(msg("E114.shared_cap"), cap.per.span, help=msg("E114.shared_cap.help"))
            continue
        ck.expect(cap.amount, "money", file, CLAIM_CONTEXT, "annual_cap", allow_unstated=True)
        if cap.per is not None:
            pt = ck.infer(cap.per, file, CLAIM_CONTEXT)
            if pt != ERROR and not base_type(pt).startswith("enum:"):
                ck.error(msg("E114.for_each", type=pt), cap.per.span)


def check_cap_decl(ck: Checker, decl: ast.CapDecl, file: str) -> None:
    """A shared ``cap`` declaration: an amount of money, or ``unstated``.

    One pool serves every benefit naming it, so its size may depend on the person (a limit that
    grows with continuous insured years) but not on the claim drawing from it."""
    ck.expect(decl.amount, "money", file, PERSON_CONTEXT, "cap_amount", allow_unstated=True)
    check_sign(ck, decl.amount, "cap")
    ck.check_cite(decl.cite, file)


def compile_visit_cap(cx: CompileContext, benefit: ast.Benefit) -> Optional[VisitCap]:
    if benefit.visit_cap is None:
        return None
    return VisitCap(cx.expr(benefit.visit_cap), f"{benefit.id}.visit_cap", benefit.visit_cap.span,
                    cx.cite(benefit.visit_cap_cite))


def compile_annual_caps(cx: CompileContext, benefit: ast.Benefit) -> tuple[AnnualCap, ...]:
    caps = []
    scope = cx.policy.scopes[cx.main]
    for index, cap in enumerate(benefit.annual_caps):
        amount = cap.amount
        when = cx.expr(cap.when) if cap.when is not None else None
        binding = scope.get(amount.name) if isinstance(amount, ast.Name) else None
        if binding is not None and binding.kind == "cap":
            shared: ast.CapDecl = cx.policy.caps[amount.name]
            caps.append(AnnualCap(shared.id, shared.label, cx.expr(shared.amount), None, True, f"cap.{shared.id}",
                                  shared.span, cx.cite(shared.cite or cap.cite), when))
        else:
            caps.append(AnnualCap(f"{benefit.id}:{index}", "", cx.expr(amount),
                                  cx.expr(cap.per) if cap.per is not None else None, False,
                                  f"{benefit.id}.annual_cap", cap.span, cx.cite(cap.cite), when))
    return tuple(caps)


__all__ = ["VisitCap", "AnnualCap", "apply_annual_caps", "check_caps", "check_cap_decl", "compile_visit_cap",
           "compile_annual_caps"]
