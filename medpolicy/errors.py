"""The one exception hierarchy of medpolicy.

Every error a user can cause derives from :class:`MedpolicyError`; the CLI
catches that base class and prints the message (never a traceback).  Errors
that come from a policy text carry a list of :class:`~medpolicy.diagnostics.Diagnostic`.
"""
from __future__ import annotations


class MedpolicyError(Exception):
    """Base class of every error medpolicy raises on bad input."""

    exit_code = 2


class PolicyError(MedpolicyError):
    """A policy text failed to load, parse or check.

    ``diagnostics`` holds every problem found, as data.
    """

    exit_code = 1

    def __init__(self, diagnostics, sources=None):
        self.diagnostics = list(diagnostics)
        self.sources = sources or {}
        first = self.diagnostics[0] if self.diagnostics else None
        super().__init__(f"{first.span}: {first.message}" if first else "policy error")


class PolicyNotFound(MedpolicyError):
    """A policy id or path named by the user does not resolve to a file."""


class ScenarioError(MedpolicyError):
    """A scenario file is malformed; the message names the field and claim."""

    def __init__(self, message: str, path: str = ""):
        self.path = path
        self.bare_message = message
        super().__init__(f"{path}: {message}" if path else message)


class EvaluationError(MedpolicyError):
    """A checked policy could not evaluate a scenario (e.g. a step limit hit)."""

    exit_code = 2
