"""Render a diff of two policies (:mod:`medpolicy.policy_diff`) as text or JSON: what ``medpolicy diff`` prints.

Text: the two policies, then each section of the policy that differs, every
changed clause side by side (``A | B``, ``—`` where a policy has none), each
thing named by the label its policy declares, then its id (``普通住院
(inpatient)``), its rules as the policy writes them; a clause that is no rule
(a keyword, a counter, a measure, a shared cap …) is said in words, its
members by their labels; a list whose members alone changed says which were
added and removed; then, with scenarios, the claims whose outcome changes,
with B − A for every amount.  Every other word comes from the message
catalogue (:mod:`medpolicy.messages`).  JSON is the same data, without words
(ids, labels, the policies' text; amounts as decimal strings), except the
errors of scenarios a policy cannot take.
"""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Optional

from .messages import VALUE_LABELS, payer_title, value_label, word
from .policy_diff import SECTIONS, Change, Figure, Member, Part, PolicyDiff, ScenarioDelta, ScenarioReport, Words
from .values import format_money

_NONE = "—"


def _named(label: Optional[str], key: str) -> str:
    """Label first, then the id: how a reader finds the thing and an author finds the line."""
    return f"{label} ({key})" if label and label != key else key


def part_name(part: Part, lang: str) -> str:
    """How a part is named: by its label and id, or (a table, a band, a premium case …) in words."""
    kind = part.kind
    if kind == "coverage":
        return word(f"diff.coverage.{part.id}", lang)
    if kind == "case":  # by its condition as its policy writes it
        return word("diff.case", lang, when=part.a or part.b or part.id) if part.id != "else" else \
            word("diff.else", lang)
    if kind in ("table", "band", "adjust", "material"):
        return word(f"diff.{kind}", lang, name=part.id)
    return _named(part.a or part.b, part.id)


def member_name(member: Member, lang: str) -> str:
    """A member by the label its policy declares and its id, or (care, assistance …) in the catalogue's words."""
    if member.label:
        return _named(member.label, member.id)
    if member.kind in VALUE_LABELS:
        return value_label(member.kind, member.id, lang)
    return member.id


# How the items of a list are separated, by the message that lists them (default: diff.sep.items).
_SEPARATORS = {"diff.order": "diff.sep.order", "diff.clauses": "diff.sep.clauses"}


def say(words: Words, lang: str) -> str:
    """A clause that is no rule, in words."""
    return word(words.message, lang, **{name: _say_field(value, words.message, lang) for name, value in words.fields})


def _say_field(value: Any, message: str, lang: str) -> str:
    if isinstance(value, Words):
        return say(value, lang)
    if isinstance(value, Member):
        return member_name(value, lang)
    if isinstance(value, Part):
        return part_name(value, lang)
    if isinstance(value, tuple):
        return word(_SEPARATORS.get(message, "diff.sep.items"), lang).join(_say_field(v, message, lang) for v in value)
    return str(value)


def _value(field: str, value: Optional[str], words: Optional[Words], lang: str) -> str:
    if value is None:
        return _NONE
    if field == "deductible_mode":
        return word("show.no_deductible", lang) if value == "none" else value_label("deductible_mode", value, lang)
    return value if words is None else say(words, lang)


def _sides(a: str, b: str) -> str:
    return f"{a} | {b}"


def _both(change: Change, lang: str) -> str:
    """Both sides of a change; a list whose members alone changed, by what was added and removed."""
    if change.members_added or change.members_removed:
        said = [word(f"diff.members.{how}", lang, members=word("diff.sep.items", lang).join(
            member_name(m, lang) for m in members))
                for how, members in (("added", change.members_added), ("removed", change.members_removed)) if members]
        return word("diff.sep.clauses", lang).join(said)
    return _sides(_value(change.field, change.a, change.a_words, lang),
                  _value(change.field, change.b, change.b_words, lang))


def _change_line(change: Change, indent: str, lang: str) -> str:
    if change.field:
        return indent + word("diff.field", lang, field=word(f"diff.field.{change.field}", lang),
                             sides=_both(change, lang))
    part = change.path[-1]
    line = f"{indent}{'+' if change.added else '-'} {part_name(part, lang)}"
    shown = change.a if change.b is None else change.b
    if shown != (part.a or part.b):  # a value, not just the name: a named value's text, a band
        line += word("diff.value", lang, sides=_both(change, lang))
    return line


def _policy_lines(diff: PolicyDiff, lang: str) -> list[str]:
    lines = []
    for section in SECTIONS:
        changes = [c for c in diff.changes if c.section == section]
        if not changes:
            continue
        lines += ([""] if lines else []) + [word(f"diff.section.{section}", lang)]
        shown: tuple = ()
        for change in changes:
            path = change.path if change.field else change.path[:-1]
            # The things around a change, each once: a payer, then its table, then the band.
            for depth in range(len(path)):
                if shown[:depth + 1] != path[:depth + 1] and path[depth].kind != "policy":
                    lines.append("  " * (depth + 1) + "~ " + part_name(path[depth], lang))
            shown = path
            if not change.field:
                indent = "  " * len(change.path)
            else:  # under the thing's own line; the policy's header has none
                indent = "  " if path[-1].kind == "policy" else "  " * len(path) + "    "
            lines.append(_change_line(change, indent, lang))
    return lines


def render_diff_text(diff: PolicyDiff, report: Optional[ScenarioReport] = None, lang: str = "zh") -> str:
    lines = [word(f"diff.{side}", lang, title=p.title, id=p.id, path=path or p.path)
             for side, p, path in (("a", diff.a, diff.paths[0]), ("b", diff.b, diff.paths[1]))]
    if diff.identical:
        lines.append(word("diff.identical", lang))
    else:
        lines.append(word("diff.count", lang, count=len(diff.changes)))
        lines += [""] + _policy_lines(diff, lang)
    if report is not None:
        lines += [""] + _scenario_lines(report, lang)
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ scenarios

def _amount(value: Any, lang: str) -> str:
    return word("compare.none", lang) if value is None else format_money(value)


def _signed(delta: Decimal) -> str:
    return ("+" if delta > 0 else "") + format_money(delta)


def _figure_name(f: Figure, lang: str) -> str:
    if f.kind == "payer":
        return payer_title(f.payer, f.a_label or f.b_label or f.payer, lang)
    return word(f"diff.figure.{f.kind}", lang)


def _figure_value(f: Figure, side: str, lang: str) -> str:
    value = getattr(f, side)
    if f.kind == "status":
        return value_label("status", value, lang)
    if f.kind == "benefit":
        return _NONE if value is None else _named(getattr(f, f"{side}_label"), value)
    return _amount(value, lang)


def _figure_line(f: Figure, indent: str, lang: str) -> str:
    sides = _sides(_figure_value(f, "a", lang), _figure_value(f, "b", lang))
    delta = f.delta
    if delta is not None:
        sides += word("diff.delta", lang, delta=_signed(delta))
    return indent + word("diff.field", lang, field=_figure_name(f, lang), sides=sides)


def _errors(delta: ScenarioDelta, lang: str) -> list[str]:
    first, second = delta.errors
    if first is not None and second is not None and first.text(lang) == second.text(lang):
        return [word("diff.invalid.both", lang, error=first.text(lang))]
    out = []
    for side, err in zip("ab", delta.errors):
        if err is not None:
            out.append(word(f"diff.invalid.{side}", lang, error=err.text(lang)))
    return out


def _scenario_lines(report: ScenarioReport, lang: str) -> list[str]:
    lines = [word("diff.scenarios", lang)]
    for delta in report.changed:
        lines.append(f"  {delta.name}")
        errors = _errors(delta, lang)
        lines += [f"    {e}" for e in errors]
        if errors:
            continue
        for side, days in zip("ab", delta.shifts):
            if days:
                lines.append("    " + word(f"diff.shift.{side}", lang, days=days))
        for claim in delta.claims:
            lines.append("    " + word("diff.claim", lang, id=claim.id, date=claim.date))
            lines += [_figure_line(f, "      ", lang) for f in claim.figures]
        if delta.totals:
            lines.append("    " + word("diff.totals", lang))
            lines += [_figure_line(f, "      ", lang) for f in delta.totals]
    # Only the scenarios evaluated under both are compared; the others are counted apart.
    lines.append("  " + word("diff.same", lang, count=report.same, total=report.compared))
    if report.failed:
        lines.append("  " + word("diff.failed", lang, count=report.failed))
    return lines


# ------------------------------------------------------------------ JSON

def _money_text(value: Any) -> Any:
    return format_money(value) if isinstance(value, Decimal) else value


def _figure_dict(f: Figure) -> dict:
    out = {"kind": f.kind, "a": _money_text(f.a), "b": _money_text(f.b)}
    if f.kind == "payer":
        out["payer"] = f.payer
    if f.kind in ("payer", "benefit"):
        out.update(a_label=f.a_label, b_label=f.b_label)
    if f.delta is not None:
        out["delta"] = format_money(f.delta)
    return out


def _member_dict(m: Member) -> dict:
    return {"kind": m.kind, "id": m.id, "label": m.label}


def diff_dict(diff: PolicyDiff, report: Optional[ScenarioReport] = None, lang: str = "zh") -> dict:
    """The diff as JSON data; ``lang`` words only the errors of scenarios a policy cannot take."""
    out: dict[str, Any] = {
        side: {"id": p.id, "title": p.title, "path": path or p.path}
        for side, p, path in (("a", diff.a, diff.paths[0]), ("b", diff.b, diff.paths[1]))}
    out["identical"] = diff.identical
    out["changes"] = [{
        "section": c.section, "path": [{"kind": p.kind, "id": p.id, "a": p.a, "b": p.b} for p in c.path],
        "field": c.field, "a": c.a, "b": c.b,
        "members_added": [_member_dict(m) for m in c.members_added],
        "members_removed": [_member_dict(m) for m in c.members_removed]} for c in diff.changes]
    if report is not None:
        out["scenarios"] = {"same": report.same, "compared": report.compared, "failed": report.failed, "changed": [{
            "scenario": d.name, "shift_days": dict(zip("ab", d.shifts)),
            "errors": {side: None if err is None else err.text(lang) for side, err in zip("ab", d.errors)},
            "claims": [{"id": c.id, "date": str(c.date), "changes": [_figure_dict(f) for f in c.figures]}
                       for c in d.claims],
            "totals": [_figure_dict(f) for f in d.totals],
        } for d in report.changed]}
    return out


def render_diff_json(diff: PolicyDiff, report: Optional[ScenarioReport] = None, lang: str = "zh") -> str:
    return json.dumps(diff_dict(diff, report, lang), ensure_ascii=False, indent=2) + "\n"


__all__ = ["render_diff_text", "render_diff_json", "diff_dict", "part_name", "member_name", "say"]
