"""The policy year, and when a person's benefits start (待遇等待期).

Syntax: the header's ``year START .. END`` and the declaration ``coverage
starts DATE "reason"`` (:class:`medpolicy.ast.Coverage`).  Checks
(:func:`check_coverage`): a date about the person.

A claim dated outside the policy year, or before the person's benefits
start, is paid nothing, and says why.  Benefits never start before the
policy year does.

Events: ``coverage`` (a statement note: when benefits start, and what
decided it), ``outside_period``, ``waiting``.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

import attrs

from .. import ast
from ..compiled_expr import Code, Frame
from ..explain import Citation, Event
from ..span import Span
from ..typecheck import PERSON_CONTEXT
from .checking import Checker
from .context import ZERO, CompileContext


@attrs.frozen
class CoverageRule:
    start: dt.date
    end: dt.date
    starts: Optional[Code]
    reason: Optional[str]
    source: Optional[Span]
    cite: Optional[Citation]

    def coverage_start(self, fr: Frame, explain: bool) -> tuple[dt.date, tuple[Event, ...]]:
        if self.starts is None:
            return self.start, ((Event("coverage", {"start": self.start, "reason": None, "details": ()}, None,
                                       "coverage"),) if explain else ())
        start = max(self.starts.fn(fr), self.start)
        if not explain:
            return start, ()
        return start, (Event("coverage", {"start": start, "reason": self.reason, "details": fr.take()}, None,
                             "coverage", self.source, self.cite),)

    def outside(self, claim, coverage_start: dt.date, explain: bool) -> Optional[tuple[str, tuple]]:
        """(status, events) when the claim falls outside the year or before coverage; else None."""
        if not (self.start <= claim.date <= self.end):
            return "outside_period", ((Event("outside_period", {"date": claim.date, "start": self.start,
                                                                 "end": self.end}, ZERO, "year"),)
                                      if explain else ())
        if claim.date < coverage_start:
            return "waiting", ((Event("waiting", {"date": claim.date, "coverage_start": coverage_start}, ZERO,
                                      "coverage", self.source, self.cite),) if explain else ())
        return None


def check_coverage(ck: Checker, coverage: ast.Coverage, file: str) -> None:
    """When benefits start: a date read from the person (and the policy), never from a claim."""
    ck.expect(coverage.starts, "date", file, PERSON_CONTEXT, "coverage_start")
    ck.check_cite(coverage.cite, file)


def compile_coverage(cx: CompileContext, coverage: Optional[ast.Coverage]) -> CoverageRule:
    p = cx.policy
    if coverage is None:
        return CoverageRule(p.start, p.end, None, None, None, None)
    return CoverageRule(p.start, p.end, cx.expr(coverage.starts), coverage.reason, coverage.span,
                        cx.cite(coverage.cite))
