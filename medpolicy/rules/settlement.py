"""What a student must do to be reimbursed by hand (手工报销 / 零星报销).

Syntax: ``settlement ID "title" { when … material "…" [only when …]
submit to "…" deadline DATE takes "…" }`` (:class:`medpolicy.ast.Settlement`),
each clause with its own citation.  Checks (:func:`check_settlement`):
conditions are true/false and the deadline is a date, all read from the
claim; a path says at least one thing a student must do.

A claim the scenario marks ``settlement: manual`` and a benefit pays is
settled through the first path, in declaration order, whose ``when`` holds
(a path without ``when`` takes every such claim).  This changes no figure:
it tells the student what to hand in, where, by when, and how long the
reimbursement takes, each step with the sentence of the document that says
so.  A manual claim no path takes says that the policy states nothing.

A claim settled by hand whose ``submitted_on`` is after its path's deadline
is paid nothing (status ``late``), with the deadline's citation; it meets no
deductible and uses no cap.

Events: ``settlement`` (the path), ``material`` (one per document to hand
in), ``submit``, ``deadline``, ``processing_time``; ``settlement_unstated``;
``late``.
"""
from __future__ import annotations

from typing import Optional

import attrs

from .. import ast
from ..compiled_expr import Code, Frame
from ..explain import Citation, Event
from ..localize import msg
from ..span import Span
from ..typecheck import CLAIM_CONTEXT
from .checking import Checker
from .context import ZERO, CompileContext


@attrs.frozen
class CompiledMaterial:
    text: str
    when: Optional[Code]
    cite: Optional[Citation]
    source: Span


@attrs.frozen
class SettlementPath:
    """One ``settlement`` declaration, compiled."""

    id: str
    title: str
    when: Optional[Code]
    when_cite: Optional[Citation]
    materials: tuple[CompiledMaterial, ...]
    submit: Optional[str]
    submit_cite: Optional[Citation]
    deadline: Optional[Code]
    deadline_cite: Optional[Citation]
    takes: Optional[str]
    takes_cite: Optional[Citation]
    source: Span

    def takes_claim(self, fr: Frame) -> bool:
        return self.when is None or bool(self.when.fn(fr))

    def events(self, fr: Frame) -> list[Event]:
        rule = f"settlement.{self.id}"
        out = [Event("settlement", {"path": self.id, "title": self.title, "details": fr.take()}, None, rule,
                     self.source, self.when_cite)]
        number = 0
        for material in self.materials:
            if material.when is not None and not material.when.fn(fr):
                fr.take()
                continue
            number += 1
            out.append(Event("material", {"number": number, "text": material.text, "details": fr.take()}, None,
                             rule, material.source, material.cite))
        if self.submit is not None:
            out.append(Event("submit", {"to": self.submit}, None, rule, self.source, self.submit_cite))
        if self.deadline is not None:
            day = self.deadline.fn(fr)
            out.append(Event("deadline", {"deadline": day, "date": fr.claim.date, "details": fr.take()}, None,
                             rule, self.source, self.deadline_cite))
        if self.takes is not None:
            out.append(Event("processing_time", {"time": self.takes}, None, rule, self.source, self.takes_cite))
        return out


@attrs.frozen
class SettlementGuide:
    """The policy's settlement paths, in declaration order."""

    paths: tuple[SettlementPath, ...]
    cost: int
    """Evaluation steps choosing a path and its materials may take."""

    @property
    def deadlines(self) -> bool:
        """Whether some path states a deadline (else no claim can be late)."""
        return any(p.deadline is not None for p in self.paths)

    def late(self, fr: Frame, explain: bool) -> Optional[tuple[Event, ...]]:
        """For a claim settled by hand with ``submitted_on``: the events saying it came after its
        path's deadline, or None when it did not (or no path, or no deadline, applies)."""
        path = self.path_for(fr)
        if path is None or path.deadline is None:
            return None
        submitted, deadline = fr.claim.submitted_on, path.deadline.fn(fr)
        if submitted <= deadline:
            return None
        return (Event("late", {"submitted_on": submitted, "deadline": deadline, "title": path.title}, ZERO,
                      f"settlement.{path.id}", path.source, path.deadline_cite),) if explain else ()

    def events(self, fr: Frame) -> list[Event]:
        """What the student must do for a claim settled by hand (explaining only)."""
        path = self.path_for(fr)
        if path is None:
            return [Event("settlement_unstated", {}, None, "settlement")]
        return path.events(fr)

    def path_for(self, fr: Frame) -> Optional[SettlementPath]:
        """The first path, in declaration order, whose ``when`` holds for the claim in ``fr``."""
        for path in self.paths:
            if path.takes_claim(fr):
                return path
            fr.take()  # what a path that did not apply traced explains nothing
        return None


def check_settlement(ck: Checker, decl: ast.Settlement, file: str) -> None:
    """Conditions are true/false and the deadline a date, read from the claim; the path says something."""
    if decl.when is not None:
        ck.expect(decl.when, "bool", file, CLAIM_CONTEXT, "settlement_when")
    ck.check_cite(decl.when_cite, file)
    for material in decl.materials:
        if material.when is not None:
            ck.expect(material.when, "bool", file, CLAIM_CONTEXT, "material_when")
        ck.check_cite(material.cite, file)
    if decl.deadline is not None:
        ck.expect(decl.deadline, "date", file, CLAIM_CONTEXT, "deadline")
    for cite in (decl.submit_cite, decl.deadline_cite, decl.takes_cite):
        ck.check_cite(cite, file)
    if not (decl.materials or decl.submit or decl.deadline is not None or decl.takes):
        ck.error(msg("E132", name=decl.id), decl.span, help=msg("E132.help"))


def compile_settlement(cx: CompileContext, decls: tuple[ast.Settlement, ...]) -> SettlementGuide:
    paths = []
    cost = 0
    for d in decls:
        when = cx.expr(d.when) if d.when is not None else None
        materials = tuple(CompiledMaterial(m.text, cx.expr(m.when) if m.when is not None else None, cx.cite(m.cite),
                                           m.span)
                          for m in d.materials)
        deadline = cx.expr(d.deadline) if d.deadline is not None else None
        cost += sum(c.size for c in [when, deadline, *(m.when for m in materials)] if c is not None)
        paths.append(SettlementPath(d.id, d.title, when, cx.cite(d.when_cite), materials, d.submit,
                                    cx.cite(d.submit_cite), deadline, cx.cite(d.deadline_cite), d.takes,
                                    cx.cite(d.takes_cite), d.span))
    return SettlementGuide(tuple(paths), cost)
