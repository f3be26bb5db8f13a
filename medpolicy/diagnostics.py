"""Diagnostics as data, and the one renderer that prints them.

A :class:`Diagnostic` is what the parser, loader and checker produce for a
policy author: a stable code, a severity, the span it is about, a message
and optional help (often a did-you-mean).  Message and help are catalogue
entries (:mod:`medpolicy.diagnostic_messages`) kept as id and arguments, so
that the same diagnostic can be shown in Chinese or English; ``message``
and ``help`` hold the English wording.  :func:`render` prints a diagnostic
the way a compiler does: ``file:line:column``, the source line, a caret
under the offending text, then the help.
"""
from __future__ import annotations

import difflib
import unicodedata
from typing import Iterable, Mapping, Optional

import attrs

from .diagnostic_codes import default_severity, lint_name
from .localize import Message, msg, say
from .span import Span


@attrs.frozen
class Diagnostic:
    code: str
    """Stable identifier, e.g. ``E201``; registered in :mod:`medpolicy.diagnostic_codes`."""
    message: str
    """One sentence saying what is wrong, in English."""
    span: Span
    """Where it is wrong."""
    severity: str = "error"
    """``error`` stops the pipeline; ``warning`` does not (``medpolicy check --strict`` makes it one)."""
    help: str | None = None
    """What to do about it, e.g. ``did you mean 'inpatient'?``, in English."""
    message_id: str | None = None
    """The catalogue entry of the message (None for a diagnostic built from bare text)."""
    # Arguments are left out of equality and hashing: the English message already shows them.
    args: dict = attrs.field(factory=dict, eq=False)
    """The message's arguments, as JSON-safe data."""
    help_id: str | None = None
    help_args: dict = attrs.field(factory=dict, eq=False)

    @classmethod
    def of(cls, message: Message, span: Span, severity: str | None = None,
           help: Optional[Message] = None) -> "Diagnostic":
        """The diagnostic for a catalogue message; its code is the one the id starts with, and its
        severity, unless given, the code's default (:mod:`medpolicy.diagnostic_codes`, which must list it)."""
        severity = severity or default_severity(message.code)
        return cls(message.code, message.text("en"), span, severity, help.text("en") if help else None,
                   message.id, dict(message.args), help.id if help else None, dict(help.args) if help else {})

    def text(self, lang: str = "en") -> str:
        """The message in ``lang``."""
        return say(self.message_id, lang, **self.args) if self.message_id else self.message

    def help_text(self, lang: str = "en") -> str | None:
        """The help in ``lang``, or None."""
        return say(self.help_id, lang, **self.help_args) if self.help_id else self.help

    def as_dict(self, lang: str = "en") -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "lint": lint_name(self.code),
            "message": self.text(lang),
            "file": self.span.file,
            "line": self.span.line,
            "column": self.span.column,
            "help": self.help_text(lang),
            "message_id": self.message_id,
            "args": dict(self.args),
            "help_id": self.help_id,
            "help_args": dict(self.help_args),
        }


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate ``name`` is likely a misspelling of, or None."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(name: str, candidates: Iterable[str]) -> Message | None:
    """``did you mean 'x'?`` for the closest candidate, or None."""
    close = closest(name, candidates)
    return msg("help.did_you_mean", name=close) if close else None


def render(diag: Diagnostic, sources: Mapping[str, str] | None = None, lang: str = "en") -> str:
    """Render one diagnostic with the source line and a caret, worded in ``lang``."""
    head = say("render.head", lang, span=str(diag.span), severity=diag.severity, code=diag.code,
               message=diag.text(lang))
    lines = [head]
    text = (sources or {}).get(diag.span.file)
    if text is not None and diag.span.line >= 1:
        src_lines = text.splitlines()
        if diag.span.line <= len(src_lines):
            src = src_lines[diag.span.line - 1]
            gutter = f"{diag.span.line:>4} | "
            lines.append(gutter + src)
            start = max(diag.span.column - 1, 0)
            if diag.span.end_line == diag.span.line and diag.span.end_column > diag.span.column:
                width = diag.span.end_column - diag.span.column
            else:
                width = 1
            # Wide (CJK) characters take two terminal cells; pad to match.
            pad = sum(2 if _is_wide(ch) else 1 for ch in src[:start])
            mark = sum(2 if _is_wide(ch) else 1 for ch in src[start:start + width]) or 1
            lines.append(" " * len(gutter) + " " * pad + "^" * mark)
    help_text = diag.help_text(lang)
    if help_text:
        lines.append(say("render.help", lang, help=help_text))
    return "\n".join(lines)


def render_all(diags: Iterable[Diagnostic], sources: Mapping[str, str] | None = None, lang: str = "en") -> str:
    return "\n\n".join(render(d, sources, lang) for d in diags)


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")
