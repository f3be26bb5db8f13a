"""Render a policy's description (:mod:`medpolicy.describe`) as text: what ``medpolicy show`` prints.

For a policy author or a scenario writer: the policy year, what a scenario
may say (the levels, conditions and categories the policy declares, and the values the
contract fixes, with their Chinese names), the named values, the benefits in
priority order, the payers after the basic fund and the settlement paths.
Rules are shown as the policy writes them; every other word comes from the
message catalogue.  A value written as a bare name is shown with the label the
policy gives it, and nothing is shown as ``None``: a clause the policy leaves
out is said in words (no condition, no cap, every claim settled by hand).
"""
from __future__ import annotations

from .facts import BUILTIN_ENUMS
from .messages import value_label, word
from .program import CompiledPolicy

# The scenario facts whose values the contract fixes, as `show` lists them.
_FIXED = (("care", "claim.care"), ("location", "claim.location"), ("filing", "claim.filing"),
          ("settlement", "claim.settlement"), ("absence", "claim.absence"), ("assistance", "person.assistance"))


def _members(pairs, lang: str) -> str:
    if lang == "zh":
        return "、".join(f"{key} {name}" if name and name != key else key for key, name in pairs)
    # An English label may have spaces of its own ("emergency observation"): brackets keep it apart.
    return ", ".join(f"{key} ({name})" if name and name != key else key for key, name in pairs)


def _bands(bands: list, lang: str) -> str:
    """Bands in words: ``¥0 至 ¥10,000 的部分 70%；¥10,000 以上的部分 80%``."""
    return word("show.band.separator", lang).join(
        word("show.band", lang, low=b["low"], high=b["high"], rate=b["rate"]) if b["high"] else
        word("show.band.above", lang, low=b["low"], rate=b["rate"]) for b in bands)


def _value(text: str, ref, lang: str, cap: bool = False) -> str:
    """A clause's value; one written as the bare name of a param, let or shared cap is shown with that
    declaration's label (its id tells a reader nothing), and an unstated cap as what it is: no cap."""
    if ref is None:
        return text
    if cap and not ref["stated"]:
        return word("show.cap_unstated", lang, label=ref["label"] or ref["name"])
    if ref["kind"] == "cap":
        return word("show.shared_cap", lang, text=ref["text"], label=ref["label"] or ref["name"])
    if not ref["stated"]:
        return word("show.named", lang, text=word("show.unstated", lang), label=ref["label"] or ref["name"])
    return word("show.named", lang, text=ref["text"], label=ref["label"]) if ref["label"] else text


def _titles(benefits: list, lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(b["title"] for b in benefits) or word("show.none", lang)


def _cite(c, lang: str) -> str:
    """A declaration's citation after it, as ``  · cite: title §section``."""
    if c is None:
        return ""
    return "  · " + word("show.cite", lang, title=c["title"], section=f" {c['section']}" if c["section"] else "")


def render_show(policy: CompiledPolicy, description: dict, lang: str = "zh") -> str:
    d = description
    lines = [word("heading", lang, title=policy.title, id=policy.id, start=policy.start, end=policy.end)]
    start, end = d["collection"]
    if end:
        lines.append(word("show.collection", lang, start=start or "…", end=end))
    lines += ["", word("show.scenario", lang)]
    lines.append("  " + word("show.levels", lang, members=_members(d["levels"].items(), lang)))
    if d["conditions"]:
        lines.append("  " + word("show.conditions", lang, members=_members(d["conditions"].items(), lang)))
    if d["categories"]:
        lines.append("  " + word("show.categories", lang, members=_members(d["categories"].items(), lang)))
    for kind, fact in _FIXED:
        pairs = [(v, value_label(kind, v, lang)) for v in BUILTIN_ENUMS[kind]]
        lines.append("  " + word("show.fixed", lang, fact=fact, name=value_label("fact", fact, lang),
                                 members=_members(pairs, lang)))
    # Histories (queries over the year's earlier claims) get a heading of their own.
    for heading, rows in (("show.names", [p for p in d["parameters"] if p["kind"] != "history"]),
                          ("show.histories", [p for p in d["parameters"] if p["kind"] == "history"])):
        if rows:
            lines += ["", word(heading, lang)]
        for p in rows:
            value = p["text"] if p["stated"] and p["text"] else word("show.unstated", lang)
            label = f" {p['label']}" if p["label"] else ""
            lines.append(f"  {p['name']}{label} = {value}  [{word('show.kind.' + p['kind'], lang)}, {p['at']}]")
    if d["deductible_pools"]:
        lines += ["", word("show.pools", lang)]
        for pool in d["deductible_pools"]:
            lines.append("  " + word("show.pool", lang, id=pool["id"], label=pool["label"], amount=pool["amount"],
                                     mode=value_label("deductible_mode", pool["mode"], lang))
                         + f"  [{pool['at']}]" + _cite(pool["cite"], lang))
    if d["measures"]:
        lines += ["", word("show.measures", lang)]
        for m in d["measures"]:
            lines.append(f"  {m['id']} {m['label']}  [{m['at']}]" + _cite(m["cite"], lang))
    if d.get("counters"):
        titles = {b["id"]: b for b in d["benefits"]}
        lines += ["", word("show.counters", lang)]
        for c in d["counters"]:
            lines.append("  " + word("show.counter", lang, id=c["id"], label=c["label"],
                                     benefits=_titles([titles[i] for i in c["benefits"] if i in titles], lang))
                         + f"  [{c['at']}]")
    lines += ["", word("show.benefits", lang)]
    for b in d["benefits"]:
        lines.append(f"  {b['priority']:>3}  {b['id']} {b['title']}  [{b['at']}]")
        lines.append("       " + word("show.when", lang, text=b["when"]))
        if b["excluded"]:
            lines.append("       " + word("show.excluded", lang, reason=b["excluded"]))
            continue
        if b["grouping"]:
            lines.append("       " + word("show.grouping", lang))
        if b["includes"]:
            lines.append("       " + word("show.includes", lang, days=b["includes"]["days"],
                                          care=value_label("care", b["includes"]["care"], lang)))
        ded = b["deductible"]
        if ded is not None and ded.get("pool"):
            pool = ded["pool"]
            lines.append("       " + word("show.deductible_pool", lang, label=pool["label"], text=pool["amount"],
                                          mode=value_label("deductible_mode", pool["mode"], lang)))
        elif ded is not None:
            lines.append("       " + (word("show.no_deductible", lang) if ded["mode"] == "none" else
                                      word("show.deductible", lang, mode=value_label("deductible_mode", ded["mode"], lang),
                                           text=_value(ded["amount"], ded.get("amount_ref"), lang))))
        if b["ratio"]:
            lines.append("       " + word("show.ratio", lang, text=_value(b["ratio"], b.get("ratio_ref"), lang)))
        if b["ratio_bands"]:
            banded = b["ratio_bands"]
            # The measure is a running total of each visit's covered amount above its deductible.
            lines.append("       " + word("show.ratio_bands.measured", lang, label=banded["label"],
                                          text=_bands(banded["bands"], lang)))
        if b["pays"]:
            pays = b["pays"]
            lines.append("       " + word("show.pays.above" if pays["above_covered"] else "show.pays", lang,
                                          text=pays["amount"]))
        for a in b["adjustments"]:
            lines.append("       " + (word("show.adjust.points.when", lang, label=a["label"], when=a["when"],
                                           text=a["points"]) if a["when"] else
                                      word("show.adjust.points", lang, label=a["label"], text=a["points"])))
        if b["visit_cap"]:
            lines.append("       " + word("show.visit_cap", lang,
                                          text=_value(b["visit_cap"], b.get("visit_cap_ref"), lang, cap=True)))
        for c in b["annual_caps"]:
            amount = _value(c["amount"], c.get("ref"), lang, cap=True)
            if c["per"]:
                amount = word("show.per", lang, text=amount, per=c["per"])
            lines.append("       " + (word("show.annual_cap.when", lang, text=amount, when=c["when"]) if c["when"]
                                      else word("show.annual_cap", lang, text=amount)))
    if d["adjustments"]:
        lines += ["", word("show.adjustments", lang)]
    for a in d["adjustments"]:
        lines.append(f"  {a['id']} {a['label']}  [{a['at']}]")
        lines.append("    " + word("show.applies_to" if a["benefits"] is not None else "show.applies_to.all", lang,
                                   benefits=_titles(a["applies_to"], lang)))
        lines.append("    " + (word("show.when", lang, text=a["when"]) if a["when"] else word("show.always", lang)))
        lines.append("    " + word("show.points", lang, text=a["ratio"]))
    for p in d["payers"]:
        lines += ["", word("show.payer", lang, title=p["title"], text=p["covers"] or "true")]
        for t in p["tables"]:
            lines.append("  " + word("show.table", lang, title=t["title"], when=t["when"] or word("show.otherwise", lang)))
            if t["deductible"]:
                lines.append("    " + word("show.payer_deductible", lang,
                                           text=_value(t["deductible"], t.get("deductible_ref"), lang)))
            if t["bands"]:
                # Bounds are the year's cumulative burden, or count from the deductible: say which.
                measured = "show.bands.above_deductible" if t["measure"] == "above_deductible" else "show.bands.absolute"
                lines.append("    " + word(measured, lang, text=_bands(t["bands"], lang)))
            lines.append("    " + (word("show.annual_cap", lang, text=_value(t["cap"], t.get("cap_ref"), lang, cap=True))
                                   if t["cap"] else word("show.no_cap", lang)))
    if d["settlements"]:
        lines += ["", word("show.settlements", lang)]
        for s in d["settlements"]:
            lines.append(f"  {s['id']} {s['title']}  [{s['at']}]")
            lines.append("    " + (word("show.when", lang, text=s["when"]) if s["when"]
                                   else word("show.when.every_manual", lang)))
            for m in s["materials"]:
                only = word("show.only_when", lang, text=m["when"]) if m["when"] else ""
                lines.append(f"    - {m['text']}{only}")
            if s["submit"]:
                lines.append("    " + word("submit", lang, to=s["submit"]))
            if s["deadline"]:
                lines.append("    " + word("show.deadline", lang, text=s["deadline"]))
            if s["takes"]:
                lines.append("    " + word("processing_time", lang, time=s["takes"]))
    return "\n".join(lines) + "\n"


__all__ = ["render_show"]
