"""``medpolicy test --update``: write the figures a policy now gives into its test files.

Only the text of each differing figure changes, where it is written: comments
(the hand arithmetic), key order, flow or block style and every other figure
stay byte for byte, and so do the file's line endings.  A figure written in quotes stays in
the same quotes.  Settlement
guidance and cases that could not run are left for the author.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import yaml

from .expectations import TEXT, shown
from .runner import Report


def update(report: Report) -> dict[Path, int]:
    """Rewrite every differing figure of ``report``'s cases; return how many changed, per file."""
    edits: dict[Path, list[tuple[int, int, str]]] = defaultdict(list)
    for result in report.results:
        if result.error is not None:
            continue
        for mismatch in result.mismatches:
            if mismatch.path[0] == "settlement":
                continue
            text = shown(mismatch.actual, mismatch.kind)
            if mismatch.place.quoted and mismatch.actual is not None:
                text = f"{mismatch.place.quote}{text}{mismatch.place.quote}"
            elif mismatch.kind == TEXT and mismatch.actual is not None and _needs_quotes(text):
                text = f'"{text}"'
            edits[result.case.file].append((mismatch.place.start, mismatch.place.end, text))
    changed = {}
    for path, spans in edits.items():
        # The offsets are in the text as read, with universal newlines; a file written with Windows
        # line endings is written back with them.
        newline = "\r\n" if b"\r\n" in path.read_bytes() else "\n"
        source = path.read_text(encoding="utf-8")
        for start, end, text in sorted(spans, reverse=True):
            source = source[:start] + text + source[end:]
        path.write_text(source, encoding="utf-8", newline=newline)
        changed[path] = len(spans)
    return changed


def _needs_quotes(text: str) -> bool:
    # An id YAML would read as something else (a number, a boolean, null) must be quoted to stay text.
    return not isinstance(yaml.safe_load(text), str)
