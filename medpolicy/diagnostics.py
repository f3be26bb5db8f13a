"""Diagnostics as data, and the one renderer that prints them.

A :class:`Diagnostic` is what the parser, loader and checker produce for a
policy author: a stable code, a severity, a message, the span it is about and
optional help (often a did-you-mean).  :func:`render` prints it the way a
compiler does: ``file:line:column``, the source line, a caret under the
offending text, then the help.
"""
from __future__ import annotations

import difflib
from typing import Iterable, Mapping

import attrs

from .span import Span


@attrs.frozen
class Diagnostic:
    code: str
    """Stable identifier, e.g. ``E201``; documented in ``docs/diagnostics.md``."""
    message: str
    """One sentence saying what is wrong."""
    span: Span
    """Where it is wrong."""
    severity: str = "error"
    """``error`` stops the pipeline; ``warning`` does not."""
    help: str | None = None
    """What to do about it, e.g. ``did you mean 'inpatient'?``."""

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "file": self.span.file,
            "line": self.span.line,
            "column": self.span.column,
            "help": self.help,
        }


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """``did you mean 'x'?`` for the closest candidate, or None."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def render(diag: Diagnostic, sources: Mapping[str, str] | None = None) -> str:
    """Render one diagnostic with the source line and a caret."""
    head = f"{diag.span}: {diag.severity}[{diag.code}]: {diag.message}"
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
    if diag.help:
        lines.append(f"  help: {diag.help}")
    return "\n".join(lines)


def render_all(diags: Iterable[Diagnostic], sources: Mapping[str, str] | None = None) -> str:
    return "\n\n".join(render(d, sources) for d in diags)


def _is_wide(ch: str) -> bool:
    import unicodedata

    return unicodedata.east_asian_width(ch) in ("W", "F")
