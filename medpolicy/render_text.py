"""Render a statement as text: a breakdown table, then each claim's steps."""
from __future__ import annotations

import unicodedata

from .explain import Statement, Step
from .values import format_money


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(width - _width(text), 0)
    return gap + text if right else text + gap


def _table(header: list[str], rows: list[list[str]], numeric: set[int]) -> list[str]:
    widths = [max(_width(r[i]) for r in [header] + rows) for i in range(len(header))]
    out = ["  ".join(_pad(h, widths[i], i in numeric) for i, h in enumerate(header)).rstrip()]
    out.append("  ".join("-" * w for w in widths))
    for row in rows:
        out.append("  ".join(_pad(c, widths[i], i in numeric) for i, c in enumerate(row)).rstrip())
    return out


def _step_lines(step: Step, indent: str = "    ") -> list[str]:
    amount = f" [{format_money(step.amount)}]" if step.amount is not None else ""
    lines = [f"{indent}- {step.text}{amount}"]
    refs = []
    if step.source is not None:
        refs.append(step.source.short)
    if step.cite:
        refs.append(step.cite)
    if refs:
        lines.append(f"{indent}    ← " + " — ".join(refs))
    return lines


def render_text(statement: Statement) -> str:
    period = f"{statement.period[0]} .. {statement.period[1]}"
    lines = [f"{statement.policy_title} ({statement.policy_id}), policy year {period}",
             f"Insured person: {statement.person}", ""]
    rows = []
    for c in statement.claims:
        rows.append([c.id, str(c.date), c.benefit_title or f"({c.status.replace('_', ' ')})",
                     format_money(c.total), format_money(c.covered), format_money(c.basic_fund),
                     format_money(c.critical_illness), format_money(c.patient)])
    t = statement.totals
    rows.append(["total", "", "", format_money(t.total), format_money(t.covered), format_money(t.basic_fund),
                 format_money(t.critical_illness), format_money(t.patient)])
    header = ["claim", "date", "benefit", "total", "covered", "basic fund", "critical illness", "patient"]
    lines += _table(header, rows, {3, 4, 5, 6, 7})
    lines.append("")
    lines.append(f"Fund pays {format_money(t.fund)} in all (basic {format_money(t.basic_fund)} + critical illness "
                 f"{format_money(t.critical_illness)}); the patient pays {format_money(t.patient)}.")
    personal = statement.premium.personal
    lines.append("Personal premium: " + (format_money(personal) if personal is not None else "not stated by the document"))
    lines.append("")
    lines.append("Notes")
    for step in statement.notes:
        lines += _step_lines(step, "  ")
    for c in statement.claims:
        lines.append("")
        lines.append(f"Claim {c.id} ({c.date}): {c.benefit_title or c.status.replace('_', ' ')}")
        for step in c.steps:
            lines += _step_lines(step)
    lines.append("")
    lines.append("Premium")
    for step in statement.premium.steps:
        lines += _step_lines(step, "  ")
    return "\n".join(lines) + "\n"
