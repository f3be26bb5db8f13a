"""Render a statement as text: a breakdown table, then each claim's steps.

Every word comes from the message catalogue (:mod:`medpolicy.messages`), in
the language asked for; amounts are shown with two decimals.
"""
from __future__ import annotations

import unicodedata

from .explain import Event, Statement
from .messages import describe, describe_cite, payer_title, value_label, word
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


def event_lines(event: Event, lang: str, labels: dict, indent: str = "    ") -> list[str]:
    amount = f" [{format_money(event.amount)}]" if event.amount is not None else ""
    lines = [f"{indent}- {describe(event, lang, labels)}{amount}"]
    refs = []
    if event.source is not None:
        refs.append(event.source.short)
    cite = describe_cite(event.cite, lang)
    if cite:
        refs.append(cite)
    if refs:
        lines.append(f"{indent}    ← " + " — ".join(refs))
    return lines


def render_text(statement: Statement, lang: str = "zh") -> str:
    info, labels = statement.policy, statement.policy.labels
    lines = [word("heading", lang, title=info.title, id=info.id, start=info.period[0], end=info.period[1]),
             word("person", lang, person=statement.person), ""]
    t = statement.totals
    payer_names = [payer_title(p.id, p.title, lang) for p in t.payers]
    rows = []
    for c in statement.claims:
        what = c.benefit_title if lang == "zh" and c.benefit_title else (
            c.benefit_title or f"({value_label('status', c.status, lang)})")
        if c.benefit_title is None and lang == "zh":
            what = f"（{value_label('status', c.status, lang)}）"
        rows.append([c.id, str(c.date), what, format_money(c.total), format_money(c.covered),
                     format_money(c.basic_fund), *(format_money(p.amount) for p in c.payers),
                     format_money(c.patient)])
    rows.append([word("row.total", lang), "", "", format_money(t.total), format_money(t.covered),
                 format_money(t.basic_fund), *(format_money(p.amount) for p in t.payers), format_money(t.patient)])
    header = [word("col.claim", lang), word("col.date", lang), word("col.benefit", lang), word("col.total", lang),
              word("col.covered", lang), word("col.basic_fund", lang), *payer_names, word("col.patient", lang)]
    lines += _table(header, rows, set(range(3, len(header))))
    lines.append("")
    payers = "".join(word("summary.payer", lang, title=name, amount=format_money(p.amount))
                     for name, p in zip(payer_names, t.payers))
    lines.append(word("summary", lang, fund=format_money(t.fund), basic_fund=format_money(t.basic_fund),
                      payers=payers, patient=format_money(t.patient)))
    personal = statement.premium.personal
    lines.append(word("premium_line", lang, amount=format_money(personal)) if personal is not None
                 else word("premium_line.unstated", lang))
    if not statement.explained:
        lines.append(word("explanation_off", lang))
        return "\n".join(lines) + "\n"
    lines.append("")
    lines.append(word("section.notes", lang))
    for event in statement.notes:
        lines += event_lines(event, lang, labels, "  ")
    for c in statement.claims:
        lines.append("")
        what = c.benefit_title or value_label("status", c.status, lang)
        lines.append(word("section.claim", lang, id=c.id, date=c.date, what=what))
        for event in c.events:
            lines += event_lines(event, lang, labels)
    lines.append("")
    lines.append(word("section.premium", lang))
    for event in statement.premium.events:
        lines += event_lines(event, lang, labels, "  ")
    return "\n".join(lines) + "\n"
