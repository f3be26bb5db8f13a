"""Render a comparison of policies as one self-contained HTML page.

The page is a single file that needs nothing else: no network, no script,
no external style sheet, font or image (the chart is inline SVG, the style
an inline ``<style>``).  It reads on a phone (one column, the wide table
scrolls sideways) and on paper (print styles keep the colours and avoid
breaking a row across pages).  In order:

* the heading (who, how many policies, whose year the dates belong to) and
  each policy with its year;
* the answer, one line per policy: the net cost of the year (personal
  premium + patient share), or "not stated" where the document states no
  premium;
* the year's totals as a stacked bar chart: one bar per policy, a segment
  for the basic fund, each later payer (critical illness …) and the patient,
  proportional to money (widths computed with ``Decimal``).  Every bar is a
  ``<g data-policy=ID data-total=AMOUNT>`` and every segment a
  ``<rect data-segment=basic_fund|payer:ID|patient data-amount=AMOUNT>``
  with a ``<title>`` tooltip, so a test (or a reader's tool) can read the
  figures back; amounts are written as :func:`medpolicy.render_json.comparison_dict`
  writes them;
* the claim table of :mod:`medpolicy.render_compare` (per claim, per policy:
  basic fund, later payers, patient; then the year);
* per policy, how the scenario was moved to fit it (:mod:`medpolicy.compare`'s notes);
* per policy and claim, the explanation steps with the source documents'
  words, folded in ``<details>`` (or a line saying the comparison was made
  without explanation).

Every sentence comes from the message catalogue (:mod:`medpolicy.messages`);
every text from a policy or scenario file is HTML-escaped.
"""
from __future__ import annotations

import html
from decimal import Decimal
from typing import Iterable

from . import messages
from .compare import Comparison, Outcome
from .explain import Event
from .messages import describe, describe_cite, money, payer_title, word
from .render_compare import comparison_rows, guidance, heading
from .render_json import _money as _json_money
from .version import __version__

HTML_LANGS = {"zh": "zh-CN", "en": "en"}

# The chart, in SVG user units (the SVG scales to the page's width).
_VIEW_W = Decimal(400)
_BAR_X = Decimal(4)
_BAR_W = Decimal(392)
_ROW_H = 58
_TOP = 6
_BAR_H = 24
_CENT = Decimal("0.01")
_BASIC_COLOUR = "#1f5a96"
_PATIENT_COLOUR = "#d1495b"
_PAYER_COLOURS = ("#f0a830", "#4caf7a", "#8e6cc4", "#3fb8c4", "#a0522d")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _place(outcome: Outcome) -> str:
    return outcome.policy.jurisdiction or outcome.policy.id


def _px(value: Decimal) -> str:
    return f"{value:.2f}"


def _segments(outcome: Outcome, lang: str) -> list[tuple[str, str, Decimal]]:
    """(data-segment, name, amount) for one policy's year: basic fund, its later payers, patient."""
    t = outcome.statement.totals
    out = [("basic_fund", word("col.basic_fund", lang), t.basic_fund)]
    out += [(f"payer:{p.id}", payer_title(p.id, p.title, lang), p.amount) for p in t.payers]
    out.append(("patient", word("col.patient", lang), t.patient))
    return out


def _payer_order(comparison: Comparison) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    for o in comparison.outcomes:
        for p in o.statement.totals.payers:
            if p.id not in [i for i, _ in seen]:
                seen.append((p.id, p.title))
    return seen


def _colours(comparison: Comparison) -> dict[str, str]:
    colours = {"basic_fund": _BASIC_COLOUR, "patient": _PATIENT_COLOUR}
    for n, (pid, _) in enumerate(_payer_order(comparison)):
        colours[f"payer:{pid}"] = _PAYER_COLOURS[n % len(_PAYER_COLOURS)]
    return colours


def _share(amount: Decimal, total: Decimal) -> str:
    if total <= 0:
        return "0%"
    return f"{(amount * 100 / total).quantize(Decimal('0.1'))}%"


def _chart(comparison: Comparison, lang: str) -> list[str]:
    outcomes = comparison.outcomes
    colours = _colours(comparison)
    largest = max((o.statement.totals.total for o in outcomes), default=Decimal(0))
    height = _TOP + _ROW_H * len(outcomes)
    title = word("compare.html.chart", lang)
    out = [f'<svg class="chart" viewBox="0 0 {_VIEW_W} {height}" role="img" aria-labelledby="chart-title" '
           f'preserveAspectRatio="xMinYMin meet">',
           f'<title id="chart-title">{_e(title)}</title>']
    for i, o in enumerate(outcomes):
        top = _TOP + _ROW_H * i
        total = o.statement.totals.total
        out.append(f'<g class="bar" data-policy="{_e(o.policy.id)}" data-total="{_e(_json_money(total))}">')
        out.append(f'<text class="name" x="{_BAR_X}" y="{top + 16}">{_e(_place(o))}</text>')
        out.append(f'<text class="sum" x="{_BAR_X + _BAR_W}" y="{top + 16}" text-anchor="end">'
                   f'{_e(word("compare.html.bar_total", lang, total=money(total)))}</text>')
        out.append(f'<rect class="track" x="{_BAR_X}" y="{top + 24}" width="{_BAR_W}" height="{_BAR_H}"/>')
        x = _BAR_X
        for key, name, amount in _segments(o, lang):
            width = Decimal(0) if largest <= 0 else (max(amount, Decimal(0)) * _BAR_W / largest).quantize(_CENT)
            tip = word("compare.html.segment", lang, place=_place(o), segment=name, amount=money(amount),
                        share=_share(amount, total))
            out.append(f'<rect data-segment="{_e(key)}" data-amount="{_e(_json_money(amount))}" '
                       f'x="{_px(x)}" y="{top + 24}" width="{_px(width)}" height="{_BAR_H}" '
                       f'fill="{colours[key]}"><title>{_e(tip)}</title></rect>')
            x += width
        out.append("</g>")
    out.append("</svg>")
    return out


def _legend(comparison: Comparison, lang: str) -> list[str]:
    colours = _colours(comparison)
    items = [("basic_fund", word("col.basic_fund", lang))]
    items += [(f"payer:{pid}", payer_title(pid, title, lang)) for pid, title in _payer_order(comparison)]
    items.append(("patient", word("col.patient", lang)))
    out = ['<ul class="legend">']
    for key, name in items:
        out.append(f'<li data-legend="{_e(key)}"><svg class="swatch" viewBox="0 0 12 12" aria-hidden="true">'
                   f'<rect width="12" height="12" fill="{colours[key]}"/></svg>{_e(name)}</li>')
    out.append("</ul>")
    return out


def _answers(comparison: Comparison, lang: str) -> list[str]:
    outcomes = comparison.outcomes
    fair = [o.net for o in outcomes if o.net is not None and o.complete]
    lowest = min(fair) if len(fair) > 1 and len(fair) == len(outcomes) else None
    out = ['<ul class="answers">']
    for o in outcomes:
        patient = money(o.statement.totals.patient)
        if o.net is None:
            text = word("compare.html.answer.unstated", lang, place=_place(o), patient=patient)
        else:
            text = word("compare.html.answer", lang, place=_place(o), net=money(o.net), premium=money(o.premium),
                         patient=patient)
        badge = f' <span class="badge">{_e(word("compare.html.lowest", lang))}</span>' \
            if lowest is not None and o.net == lowest else ""
        warn = "" if o.complete else \
            f' <span class="warn">{_e(word("compare.incomplete", lang, count=len(o.unplaced)))}</span>'
        net = "" if o.net is None else f' data-net="{_e(_json_money(o.net))}"'
        out.append(f'<li class="answer" data-policy="{_e(o.policy.id)}"{net}>{_e(text)}{badge}{warn}</li>')
    out.append("</ul>")
    return out


def _table(comparison: Comparison, lang: str) -> list[str]:
    outcomes = comparison.outcomes
    unplaced = word("compare.unplaced", lang)
    out = ['<div class="scroll"><table class="claims">', "<thead><tr><th></th>"]
    out += [f'<th scope="col" data-policy="{_e(o.policy.id)}">{_e(_place(o))}</th>' for o in outcomes]
    out.append("</tr></thead><tbody>")
    for row in comparison_rows(comparison, lang):
        label, cells = row[0], row[1:]
        if not label.startswith("  ") and not any(cells):
            out.append(f'<tr class="group"><th scope="colgroup" colspan="{len(cells) + 1}">{_e(label)}</th></tr>')
            continue
        kind = "" if label.startswith("  ") else ' class="net"'
        tds = "".join(f'<td class="muted">{_e(c)}</td>' if c == unplaced else f"<td>{_e(c)}</td>" for c in cells)
        out.append(f'<tr{kind}><th scope="row">{_e(label.strip())}</th>{tds}</tr>')
    out.append("</tbody></table></div>")
    return out


def _note_lines(comparison: Comparison, lang: str) -> list[str]:
    out = []
    for o in comparison.outcomes:
        texts = [word(f"compare.{n.kind}", lang, **n.data) for n in o.notes]
        if not o.complete:
            texts.append(word("compare.incomplete", lang, count=len(o.unplaced)))
        out.append(f'<section class="policy-notes" data-policy="{_e(o.policy.id)}">')
        out.append(f"<h3>{_e(_place(o))} · {_e(o.policy.title)}</h3>")
        if texts:
            out.append("<ul>" + "".join(f"<li>{_e(t)}</li>" for t in texts) + "</ul>")
        else:
            out.append(f'<p class="muted">{_e(word("compare.html.no_notes", lang))}</p>')
        out.append("</section>")
    return out


def _steps_list(events: Iterable[Event], lang: str, labels: dict[str, dict[str, str]]) -> str:
    items = []
    for event in events:
        amount = f' <span class="amount">{_e(money(event.amount))}</span>' if event.amount is not None else ""
        refs = []
        if event.source is not None:
            refs.append(f"<code>{_e(event.source.short)}</code>")
        cite = describe_cite(event.cite, lang)
        if cite:
            refs.append(f"<span>{_e(cite)}</span>")
        ref = f'<div class="cite">← {" — ".join(refs)}</div>' if refs else ""
        items.append(f'<li data-kind="{_e(event.kind)}">{_e(describe(event, lang, labels))}{amount}{ref}</li>')
    return '<ol class="steps">' + "".join(items) + "</ol>"


def _guidance_section(comparison: Comparison, lang: str) -> list[str]:
    """What the student must do for claims settled by hand, under each policy, shown open."""
    found = guidance(comparison)
    if not found:
        return []
    out = ['<section id="guidance">', f"<h2>{_e(word('compare.guidance', lang))}</h2>"]
    for o, claims in found:
        out.append(f'<section class="policy-guidance" data-policy="{_e(o.policy.id)}">')
        out.append(f"<h3>{_e(_place(o))} · {_e(o.policy.title)}</h3>")
        for c in claims:
            out.append(f'<h4 data-claim="{_e(c.id)}">{_e(word("compare.guidance.claim", lang, id=c.id, date=c.date))}</h4>')
            out.append(_steps_list(c.guidance, lang, o.statement.policy.labels))
        out.append("</section>")
    out.append("</section>")
    return out


def _details(summary: str, body: str, attrs: str = "") -> str:
    return f"<details{attrs}><summary>{_e(summary)}</summary>{body}</details>"


def _explanations(comparison: Comparison, lang: str) -> list[str]:
    if not any(o.statement.explained for o in comparison.outcomes):
        return [f'<p class="muted">{_e(word("explanation_off", lang))}</p>']
    home = next(o for o in comparison.outcomes if o.policy.id == comparison.home)
    home_dates = {c.id: c.date for c in home.statement.claims}
    notes = {o.policy.id: {n.data.get("claim"): n for n in o.notes if n.kind == "level_unplaced"}
             for o in comparison.outcomes}
    out = []
    for o in comparison.outcomes:
        s, labels = o.statement, o.statement.policy.labels
        out.append(f'<section class="policy-steps" data-policy="{_e(o.policy.id)}">')
        out.append(f"<h3>{_e(_place(o))} · {_e(o.policy.title)}</h3>")
        if not s.explained:
            out.append(f'<p class="muted">{_e(word("explanation_off", lang))}</p></section>')
            continue
        if s.notes:
            out.append(_details(word("section.notes", lang), _steps_list(s.notes, lang, labels)))
        for c in s.claims:
            what = c.benefit_title or messages.value_label("status", c.status, lang)
            out.append(_details(word("section.claim", lang, id=c.id, date=c.date, what=what),
                                _steps_list(c.events, lang, labels), f' data-claim="{_e(c.id)}"'))
        for cid in o.unplaced:
            note = notes[o.policy.id].get(cid)
            body = f"<p>{_e(word('compare.level_unplaced', lang, **note.data))}</p>" if note else ""
            out.append(_details(word("section.claim", lang, id=cid, date=home_dates.get(cid, ""),
                                              what=word("compare.unplaced", lang)),
                                body, f' data-claim="{_e(cid)}" class="unplaced"'))
        out.append(_details(word("section.premium", lang),
                            _steps_list(s.premium.events, lang, labels)))
        out.append("</section>")
    return out


_STYLE = """
:root { color-scheme: light; --ink: #1b1f24; --muted: #5f6b76; --line: #d5dbe1; --soft: #f3f5f7; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.6;
  font-family: system-ui, -apple-system, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei",
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif;
  -webkit-print-color-adjust: exact; print-color-adjust: exact; }
main { max-width: 56rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.35rem; line-height: 1.4; margin: .5rem 0 .75rem; }
h2 { font-size: 1.15rem; margin: 1.75rem 0 .5rem; padding-bottom: .25rem; border-bottom: 2px solid var(--line); }
h3 { font-size: 1rem; margin: 1rem 0 .4rem; }
h4 { font-size: .95rem; margin: .75rem 0 .25rem; }
p, ul, ol { margin: .4rem 0; }
.lead { color: var(--muted); }
.policies { padding-left: 1.2rem; }
.answers { list-style: none; padding: 0; }
.answers li { padding: .55rem .75rem; margin: .4rem 0; background: var(--soft); border-left: 4px solid #1f5a96;
  font-size: 1.05rem; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: .6rem; background: #2e7d4f; color: #fff;
  font-size: .85rem; }
.warn { display: block; color: #9a3412; font-size: .9rem; }
.muted { color: var(--muted); }
figure { margin: 0; }
svg.chart { display: block; width: 100%; max-width: 34rem; height: auto; font-size: 14px; }
svg.chart .name { font-weight: 600; fill: var(--ink); }
svg.chart .sum { fill: var(--muted); }
svg.chart .track { fill: var(--soft); }
svg.chart rect[data-segment] { stroke: #fff; stroke-width: 1; }
.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .3rem 1.2rem; }
.legend li { white-space: nowrap; }
.swatch { width: .9rem; height: .9rem; vertical-align: -.1rem; margin-right: .35rem; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; width: 100%; font-size: .95rem; }
th, td { padding: .3rem .5rem; border-bottom: 1px solid var(--line); }
thead th { text-align: right; vertical-align: bottom; background: var(--soft); }
td { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody th { text-align: left; font-weight: normal; padding-left: 1.2rem; }
tr.group th { text-align: left; font-weight: 600; padding-left: .5rem; background: #fafbfc; }
tr.net th, tr.net td { font-weight: 700; border-top: 2px solid var(--ink); }
tr.net th { padding-left: .5rem; }
details { margin: .35rem 0; border: 1px solid var(--line); border-radius: .4rem; padding: .3rem .6rem; }
details[open] { background: #fcfcfd; }
summary { cursor: pointer; font-weight: 600; }
.steps { padding-left: 1.4rem; }
.steps li { margin: .3rem 0; }
.amount { font-variant-numeric: tabular-nums; color: var(--muted); white-space: nowrap; }
.cite { font-size: .88rem; color: var(--muted); border-left: 3px solid var(--line); padding-left: .5rem;
  margin-top: .15rem; }
code { font-size: .85em; }
footer { margin-top: 2rem; font-size: .85rem; color: var(--muted); }
@media (max-width: 30rem) {
  main { padding: .6rem; }
  h1 { font-size: 1.15rem; }
  table { font-size: .85rem; }
  th, td { padding: .25rem .3rem; }
}
@media print {
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  tr, li, .answers li, svg.chart { break-inside: avoid; }
  .scroll { overflow: visible; }
}
"""


def render_compare_html(comparison: Comparison, lang: str = "zh") -> str:
    """The comparison as one self-contained HTML page (UTF-8 text), its words in ``lang``."""
    outcomes = comparison.outcomes
    home = next(o for o in outcomes if o.policy.id == comparison.home)
    title = heading(comparison, home, lang)
    start, end = home.statement.policy.period
    out = ["<!DOCTYPE html>", f'<html lang="{HTML_LANGS[lang]}">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f'<meta name="generator" content="medpolicy {_e(__version__)}">',
           f"<title>{_e(title)}</title>", f"<style>{_STYLE}</style>", "</head>", "<body>", "<main>",
           f'<header data-home="{_e(comparison.home)}">', f"<h1>{_e(title)}</h1>",
           f'<p class="lead">{_e(word("compare.html.home_year", lang, home=_place(home), start=start, end=end))}</p>',
           '<ul class="policies">']
    for o in outcomes:
        p_start, p_end = o.statement.policy.period
        out.append(f'<li data-policy="{_e(o.policy.id)}">'
                   + _e(word("compare.html.policy", lang, place=_place(o), title=o.policy.title, id=o.policy.id,
                              start=p_start, end=p_end)) + "</li>")
    out += ["</ul>", "</header>"]
    out += ['<section id="answer">', f"<h2>{_e(word('compare.net', lang))}</h2>"]
    out += _answers(comparison, lang)
    out += ["</section>", '<section id="chart">', f"<h2>{_e(word('compare.html.chart', lang))}</h2>", "<figure>"]
    out += _chart(comparison, lang)
    out += ["<figcaption>"] + _legend(comparison, lang) + ["</figcaption>", "</figure>", "</section>"]
    out += ['<section id="claims">', f"<h2>{_e(word('compare.html.claims', lang))}</h2>"]
    out += _table(comparison, lang)
    out += ["</section>", '<section id="notes">', f"<h2>{_e(word('compare.html.notes', lang))}</h2>"]
    out += _note_lines(comparison, lang)
    out += ["</section>"]
    out += _guidance_section(comparison, lang)
    out += ['<section id="steps">', f"<h2>{_e(word('compare.html.steps', lang))}</h2>"]
    out += _explanations(comparison, lang)
    out += ["</section>", f"<footer>{_e(word('compare.html.footer', lang, version=__version__))}</footer>",
            "</main>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


__all__ = ["render_compare_html"]
