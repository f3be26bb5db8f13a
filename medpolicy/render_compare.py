"""Render a comparison of policies as a text table or Markdown.

One column per policy: for each claim of the scenario what the basic fund,
the later payers and the patient pay; then the year's totals, the personal
premium and the net cost of the year (premium + patient share); then, per
policy, how the scenario was moved to fit it (:mod:`medpolicy.compare`'s
notes); last, for claims settled by hand, what the student must do under
each policy, with the document's words.  Every word comes from the message catalogue, in the language asked
for; the JSON shape is :func:`medpolicy.render_json.comparison_dict`.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

from .compare import Comparison, Outcome
from .messages import describe, describe_cite, payer_title, word
from .render_text import event_lines, _table
from .values import format_money


def _money(amount: Optional[Decimal], lang: str) -> str:
    return word("compare.none", lang) if amount is None else format_money(amount)


def comparison_rows(comparison: Comparison, lang: str) -> list[list[str]]:
    """(label, one cell per policy) rows: per claim, then the year."""
    outcomes = comparison.outcomes
    home = next(o for o in outcomes if o.policy.id == comparison.home)
    payer_ids: list[tuple[str, str]] = []
    for o in outcomes:
        for p in o.statement.totals.payers:
            if p.id not in [i for i, _ in payer_ids]:
                payer_ids.append((p.id, p.title))
    rows: list[list[str]] = []

    def by_claim(o: Outcome) -> dict:
        return {c.id: c for c in o.statement.claims}

    claims = [by_claim(o) for o in outcomes]
    home_claims = claims[outcomes.index(home)]
    lines = [("col.basic_fund", lambda c: c.basic_fund)]
    lines += [(pid, (lambda c, pid=pid: sum((p.amount for p in c.payers if p.id == pid), Decimal(0))))
              for pid, _ in payer_ids]
    lines += [("col.patient", lambda c: c.patient)]
    order = [c.id for c in home.statement.claims] + [cid for cid in home.unplaced]
    for cid in order:
        # The home policy's claim shows the date as the scenario gives it; others are moved.
        first = home_claims.get(cid) or next((cs[cid] for cs in claims if cid in cs), None)
        head = word("compare.claim", lang, id=cid, date=first.date if first else "",
                    total=format_money(first.total) if first else "")
        rows.append([head] + [""] * len(outcomes))
        for key, get in lines:
            label = payer_title(key, dict(payer_ids).get(key, key), lang) if not key.startswith("col.") \
                else word(key, lang)
            rows.append(["  " + label] + [format_money(get(cs[cid])) if cid in cs
                                          else word("compare.unplaced", lang) for cs in claims])
    rows.append([word("row.total", lang)] + [""] * len(outcomes))
    rows.append(["  " + word("col.basic_fund", lang)] + [format_money(o.statement.totals.basic_fund)
                                                         for o in outcomes])
    for pid, title in payer_ids:
        rows.append(["  " + payer_title(pid, title, lang)] + [
            format_money(sum((p.amount for p in o.statement.totals.payers if p.id == pid), Decimal(0)))
            for o in outcomes])
    rows.append(["  " + word("col.patient", lang)] + [format_money(o.statement.totals.patient) for o in outcomes])
    rows.append(["  " + word("compare.premium", lang)] + [_money(o.premium, lang) for o in outcomes])
    rows.append([word("compare.net", lang)] + [_money(o.net, lang) for o in outcomes])
    return rows


def _notes(comparison: Comparison, lang: str) -> list[tuple[str, list[str]]]:
    found = []
    for o in comparison.outcomes:
        texts = [word(f"compare.{n.kind}", lang, **n.data) for n in o.notes]
        if not o.complete:
            texts.append(word("compare.incomplete", lang, count=len(o.unplaced)))
        if texts:
            found.append((o.policy.jurisdiction or o.policy.title, texts))
    return found


def guidance(comparison: Comparison) -> list[tuple[Outcome, list]]:
    """Per policy, its claims settled by hand with what the student must do for each (policies with none left out)."""
    found = []
    for o in comparison.outcomes:
        claims = [c for c in o.statement.claims if c.guidance]
        if claims:
            found.append((o, claims))
    return found


def _guidance_lines(comparison: Comparison, lang: str, style) -> list[str]:
    found = guidance(comparison)
    if not found:
        return []
    lines = ["", style(word("compare.guidance", lang), _BOLD)]
    for o, claims in found:
        lines.append(f"  {o.policy.jurisdiction or o.policy.title}")
        for c in claims:
            lines.append("    " + word("compare.guidance.claim", lang, id=c.id, date=c.date))
            for event in c.guidance:
                lines += event_lines(event, lang, o.statement.policy.labels, "      ")
    return lines


def _header(comparison: Comparison) -> list[str]:
    # A column is named by the place, as the reader thinks of it; the full titles are in the heading.
    return [""] + [o.policy.jurisdiction or o.policy.id for o in comparison.outcomes]


def heading(comparison: Comparison, home: Outcome, lang: str) -> str:
    return word("compare.heading", lang, count=len(comparison.outcomes), person=home.statement.person,
                home=home.policy.jurisdiction or home.policy.id)


_BOLD, _CYAN, _RESET = "\x1b[1m", "\x1b[36m", "\x1b[0m"


def render_compare_text(comparison: Comparison, lang: str = "zh", colour: bool = False) -> str:
    """The comparison as a terminal table; ``colour`` (for a terminal, never a pipe) makes the
    heading, the claim and total rows and the net cost stand out, the layout unchanged."""
    home = next(o for o in comparison.outcomes if o.policy.id == comparison.home)

    def style(text: str, *codes: str) -> str:
        return "".join(codes) + text + _RESET if colour and text else text

    lines = [style(heading(comparison, home, lang), _BOLD)]
    lines += [f"  {o.policy.jurisdiction or o.policy.id}: {o.policy.title}" for o in comparison.outcomes] + [""]
    rows = comparison_rows(comparison, lang)
    table = _table(_header(comparison), rows, set(range(1, len(comparison.outcomes) + 1)))
    # Codes are added after the layout, so that they never count toward a column's width.
    lines += [style(table[0], _CYAN), table[1]]
    lines += [line if row[0].startswith("  ") else style(line, _BOLD) for line, row in zip(table[2:], rows)]
    notes = _notes(comparison, lang)
    if notes:
        lines += ["", style(word("section.notes", lang), _BOLD)]
        for title, texts in notes:
            lines.append(f"  {title}")
            lines += [f"    - {t}" for t in texts]
    lines += _guidance_lines(comparison, lang, style)
    return "\n".join(lines) + "\n"


def render_compare_md(comparison: Comparison, lang: str = "zh") -> str:
    home = next(o for o in comparison.outcomes if o.policy.id == comparison.home)
    out = [f"# {heading(comparison, home, lang)}", ""]
    header = _header(comparison)
    out.append("| " + " | ".join(header) + " |")
    out.append("|---" + "|---:" * (len(header) - 1) + "|")
    for row in comparison_rows(comparison, lang):
        label = row[0].strip()
        cells = [f"**{label}**" if not row[0].startswith("  ") else label] + row[1:]
        out.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    notes = _notes(comparison, lang)
    if notes:
        out += ["", f"## {word('section.notes', lang)}", ""]
        for title, texts in notes:
            out.append(f"- **{title}**")
            out += [f"  - {t}" for t in texts]
    found = guidance(comparison)
    if found:
        out += ["", f"## {word('compare.guidance', lang)}"]
        for o, claims in found:
            out += ["", f"### {o.policy.jurisdiction or o.policy.title}"]
            for c in claims:
                out += ["", f"**{word('compare.guidance.claim', lang, id=c.id, date=c.date)}**", ""]
                for event in c.guidance:
                    text = describe(event, lang, o.statement.policy.labels)
                    cite = describe_cite(event.cite, lang)
                    out.append(f"- {text}" + (f" — {cite}" if cite else ""))
    return "\n".join(out) + "\n"


__all__ = ["render_compare_text", "render_compare_md", "comparison_rows", "heading", "guidance"]
