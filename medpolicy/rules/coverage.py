"""The policy year, when a person's benefits start (待遇等待期), and when they end.

Syntax: the header's ``year START .. END``, the declaration ``coverage
starts DATE "reason"`` (:class:`medpolicy.ast.Coverage`) and ``coverage ends
DATE "reason"`` (:class:`medpolicy.ast.CoverageEnd`).  Checks
(:func:`check_coverage`, :func:`check_coverage_end`): a date about the person.

A claim dated before the policy year, after the person's benefits end (the
policy year's end unless ``coverage ends`` says otherwise, e.g. a graduate
covered to the end of the calendar year), or before the person's benefits
start, is paid nothing, and says why.  Benefits never start before the
policy year does.

Events: ``coverage`` and ``coverage_end`` (statement notes: when benefits
start and end, and what decided it), ``outside_period``, ``coverage_ended``,
``waiting``.
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
    ends: Optional[Code] = None
    ends_reason: Optional[str] = None
    ends_source: Optional[Span] = None
    ends_cite: Optional[Citation] = None

    def coverage_start(self, fr: Frame, explain: bool) -> tuple[dt.date, tuple[Event, ...]]:
        if self.starts is None:
            return self.start, ((Event("coverage", {"start": self.start, "reason": None, "details": ()}, None,
                                       "coverage"),) if explain else ())
        start = max(self.starts.fn(fr), self.start)
        if not explain:
            return start, ()
        return start, (Event("coverage", {"start": start, "reason": self.reason, "details": fr.take()}, None,
                             "coverage", self.source, self.cite),)

    def coverage_end(self, fr: Frame, explain: bool) -> tuple[dt.date, tuple[Event, ...]]:
        """The person's last day of cover, and the note that says why (none without ``coverage ends``)."""
        if self.ends is None:
            return self.end, ()
        end = self.ends.fn(fr)
        if not explain:
            return end, ()
        return end, (Event("coverage_end", {"end": end, "reason": self.ends_reason, "details": fr.take()}, None,
                           "coverage_end", self.ends_source, self.ends_cite),)

    def outside(self, claim, coverage_start: dt.date, coverage_end: dt.date,
                explain: bool) -> Optional[tuple[str, tuple]]:
        """(status, events) when the claim falls outside the year or the person's cover; else None."""
        # A person whose cover ends with the year is told of the year, as everyone else is.
        if coverage_end != self.end and self.start <= claim.date and claim.date > coverage_end:
            return "outside_period", ((Event("coverage_ended", {"date": claim.date, "end": coverage_end}, ZERO,
                                             "coverage_end", self.ends_source, self.ends_cite),)
                                      if explain else ())
        if not (self.start <= claim.date <= coverage_end):
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


def check_coverage_end(ck: Checker, coverage: ast.CoverageEnd, file: str) -> None:
    """When benefits end: a date read from the person (and the policy), never from a claim."""
    ck.expect(coverage.ends, "date", file, PERSON_CONTEXT, "coverage_end")
    ck.check_cite(coverage.cite, file)


def compile_coverage(cx: CompileContext, coverage: Optional[ast.Coverage],
                     end: Optional[ast.CoverageEnd] = None) -> CoverageRule:
    p = cx.policy
    ends = {} if end is None else {"ends": cx.expr(end.ends), "ends_reason": end.reason, "ends_source": end.span,
                                   "ends_cite": cx.cite(end.cite)}
    if coverage is None:
        return CoverageRule(p.start, p.end, None, None, None, None, **ends)
    return CoverageRule(p.start, p.end, cx.expr(coverage.starts), coverage.reason, coverage.span,
                        cx.cite(coverage.cite), **ends)
