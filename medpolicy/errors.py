"""The one exception hierarchy of medpolicy.

Every error a user can cause derives from :class:`MedpolicyError`; the CLI
catches that base class and prints the message (never a traceback).  Errors
that come from a policy text carry a list of :class:`~medpolicy.diagnostics.Diagnostic`.

An error's message is a catalogue entry (:mod:`medpolicy.error_messages`)
kept as ``message_id`` and ``args``: ``str(err)`` is the English wording and
``err.text(lang)`` the wording in ``zh`` or ``en``.
"""
from __future__ import annotations

from typing import Any, Iterable, Optional

from .diagnostics import Diagnostic
from .localize import Message, say


class MedpolicyError(Exception):
    """Base class of every error medpolicy raises on bad input.

    Built from a :class:`~medpolicy.localize.Message`, or from plain text
    (which :meth:`text` shows as it is in every language).
    """

    exit_code = 2

    def __init__(self, message: "Message | str" = ""):
        if isinstance(message, str):
            self.message: Optional[Message] = None
            english = message
        else:
            self.message = message
            english = message.text("en")
        super().__init__(english)

    @property
    def message_id(self) -> Optional[str]:
        return self.message.id if self.message else None

    @property
    def message_args(self) -> dict[str, Any]:
        """The message's arguments, as data (``args`` is Python's own attribute of an exception)."""
        return dict(self.message.args) if self.message else {}

    def text(self, lang: str = "en") -> str:
        """The message in ``lang``."""
        return self.message.text(lang) if self.message else str(self)


class PolicyError(MedpolicyError):
    """A policy text failed to load, parse or check.

    ``diagnostics`` holds every problem found, as data.
    """

    exit_code = 1

    def __init__(self, diagnostics: Iterable[Diagnostic], sources: Optional[dict[str, str]] = None):
        self.diagnostics = list(diagnostics)
        self.sources = sources or {}
        super().__init__(self.text("en"))

    def text(self, lang: str = "en") -> str:
        """The first problem, with where it is."""
        first = self.diagnostics[0] if self.diagnostics else None
        if first is None:
            return say("error.policy", lang)
        return say("error.at", lang, path=str(first.span), message=first.text(lang))


class PolicyNotFound(MedpolicyError):
    """A policy id or path named by the user does not resolve to a file."""


class ScenarioError(MedpolicyError):
    """A scenario file is malformed; the message names the field and claim.

    ``path`` is the field (``claims[3] (id a).level``), ``bare_message`` the
    English message without it.
    """

    def __init__(self, message: "Message | str", path: str = ""):
        self.path = path
        super().__init__(message)
        self.bare_message = str(self)
        self.args = (self.text("en"),)

    def text(self, lang: str = "en") -> str:
        bare = self.message.text(lang) if self.message else self.bare_message
        return say("error.at", lang, path=self.path, message=bare) if self.path else bare


class EvaluationError(MedpolicyError):
    """A checked policy could not evaluate a scenario (e.g. a step limit hit)."""

    exit_code = 2
