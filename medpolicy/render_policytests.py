"""Rendering a policy-test run: text for an author at a terminal, JSON for tools.

The text names each failing case by file and line, each differing figure
with what was expected and what the policy gives, and under it the
explanation steps that produced the figure, each with the ``.mpol`` line of
its rule and the document's words -- so that the author sees at once which
rule to look at.  Coverage lists the rules no case exercised.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

from .diagnostics import render_all
from .errors import MedpolicyError, PolicyError
from .loader import usable_path
from .messages import word
from .policytests.coverage import Site
from .policytests.expectations import shown
from .policytests.runner import CaseResult, Report
from .render_text import event_lines


def _error_text(result: CaseResult, lang: str) -> str:
    error = result.error
    text = error.text(lang) if error is not None else ""
    if result.error_place is not None:
        text = f"{word('test.figure.line', lang, line=result.error_place.line)}{text}"
    return text


def _case_lines(result: CaseResult, lang: str, rendered: set[int]) -> list[str]:
    case = result.case
    where = usable_path(case.file)
    if result.error is not None:
        lines = [word("test.case.error", lang, path=where, line=case.line, name=case.name,
                      problem=_error_text(result, lang))]
        error = result.error
        # A policy that does not check fails every case that uses it: its diagnostics, with the
        # source line and caret, are shown under the first such case only.
        if isinstance(error, PolicyError) and id(error) not in rendered:
            rendered.add(id(error))
            lines += ["    " + line if line else "" for line in
                      render_all(error.diagnostics, error.sources, lang).splitlines()]
        return lines
    lines = [word("test.case.failed", lang, path=where, line=case.line, name=case.name)]
    labels = result.statement.policy.labels if result.statement is not None else {}
    for m in result.mismatches:
        key = ".".join(("expect",) + m.path)
        lines.append("    " + word("test.figure", lang, key=key, line=m.place.line,
                                   expected=_figure(m.expected, m.kind), actual=_figure(m.actual, m.kind)))
        if m.steps:
            lines.append("      " + word("test.steps", lang))
            for event in m.steps:
                lines += event_lines(event, lang, labels, "      ")
    return lines


def _figure(value: Any, kind: str) -> str:
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return shown(value, kind)


def site_text(site: Site, lang: str) -> str:
    """A rule site as an author reads it: what kind of rule, whose, where."""
    what = word(f"site.{site.kind}", lang)
    if site.row is not None:
        what = word("site.row", lang, what=what, row=site.row)
    return f"{site.span.short}  {what} · {site.owner}"


def render_report(report: Report, lang: str = "zh", coverage: Optional[dict] = None) -> str:
    """The run as text: one line per file, the failures in full, coverage if asked, the summary last."""
    lines: list[str] = []
    by_file: dict[Path, list[CaseResult]] = {}
    rendered: set[int] = set()
    for result in report.results:
        by_file.setdefault(result.case.file, []).append(result)
    for path, results in by_file.items():
        failed = [r for r in results if not r.passed]
        passed = len(results) - len(failed)
        key = "test.file.failed" if failed else "test.file"
        lines.append(word(key, lang, path=usable_path(path), passed=passed, failed=len(failed)))
        for result in failed:
            lines += ["  " + line if line else "" for line in _case_lines(result, lang, rendered)]
    for error in report.file_errors:
        lines.append("✗ " + error.error.text(lang))
    if coverage is not None:
        for policy_path, (total, missing) in coverage.items():
            lines.append(word("test.coverage", lang, path=policy_path, covered=total - len(missing), total=total))
            if missing:
                lines.append("  " + word("test.coverage.missing", lang))
                lines += ["    " + site_text(site, lang) for site in missing]
    if not report.results and not report.file_errors:
        lines.append(word("test.none", lang))
    lines.append(word("test.summary", lang, passed=report.passed, failed=report.failed))
    return "\n".join(lines) + "\n"


def report_dict(report: Report, lang: str = "zh", coverage: Optional[dict] = None) -> dict[str, Any]:
    """The run as data: every case with its status and differing figures; files that could not be read."""
    cases = []
    for r in report.results:
        entry: dict[str, Any] = {"file": usable_path(r.case.file), "line": r.case.line, "name": r.case.name,
                                 "status": "passed" if r.passed else ("error" if r.error is not None else "failed")}
        if r.error is not None:
            entry["error"] = _error_text(r, lang)
            if isinstance(r.error, MedpolicyError) and r.error.message_id:
                entry["error_id"] = r.error.message_id
        entry["mismatches"] = [{"path": list(m.path), "line": m.place.line, "expected": _json(m.expected, m.kind),
                                "actual": _json(m.actual, m.kind),
                                "rules": [e.source.short for e in m.steps if e.source is not None]}
                               for m in r.mismatches]
        cases.append(entry)
    out: dict[str, Any] = {
        "passed": report.passed, "failed": report.failed, "cases": cases,
        "file_errors": [{"file": usable_path(e.path), "error": e.error.text(lang)} for e in report.file_errors],
    }
    if coverage is not None:
        out["coverage"] = {path: {"rules": total, "not_exercised": [
            {"kind": s.kind, "owner": s.owner, "row": s.row, "file": s.span.file, "line": s.span.line}
            for s in missing]} for path, (total, missing) in coverage.items()}
    return out


def _json(value: Any, kind: str) -> Any:
    if value is None or isinstance(value, (dict, list)):
        return value
    return shown(value, kind)


def render_report_json(report: Report, lang: str = "zh", coverage: Optional[dict] = None) -> str:
    return json.dumps(report_dict(report, lang, coverage), ensure_ascii=False, indent=2) + "\n"
