"""What changed between two policies, and what it changes: ``medpolicy diff`` as data.

:func:`diff_policies` reads both policies through :func:`medpolicy.describe.describe`
(the description ``medpolicy show`` prints) and lays each out as *things*: the
header, each level, condition and category, each named value, shared cap, benefit,
adjustment, payer with its tables and bands, premium item with its cases and
settlement path with its materials.  A thing is matched across the two policies
by its id (a benefit's id, a name qualified by the alias of the module that
declares it, a table's title, a band's position, a premium case's condition as
written) and compared clause by clause, each clause as the author wrote it.
A thing only one policy has is one :class:`Change` (``field == ""``); what is
inside it is not listed again.

:func:`diff_scenarios` evaluates scenarios under both policies and keeps, per
scenario, the claims whose outcome or figures differ (:class:`ScenarioDelta`).
The scenario's dates belong to A's policy year (to B's when the scenario's
``policy`` names B, not A: that policy is never loaded); under the other policy
they move by the days between the two years' starts
(:func:`medpolicy.compare.shift_dates`), so that two versions of a policy a
year apart are compared on the same care.  Claims are never moved to another
level or condition: a scenario a policy cannot take is reported with that
policy's error.

Everything here is data (ids, labels the policies declare, the policies' own
text, Decimals); :mod:`medpolicy.render_diff` words it.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

import attrs

from .compare import shift_dates
from .describe import describe
from .errors import EvaluationError, ScenarioError
from .evaluator import evaluate_scenario
from .explain import ClaimResult, Statement
from .limits import DEFAULT_LIMITS, Limits
from .program import CompiledPolicy
from .scenario import load_scenario, validate

SECTIONS = ("policy", "level", "condition", "category", "name", "cap", "pool", "measure", "coverage", "benefit",
            "adjustment", "payer", "item", "settlement")
"""The kinds of the outermost things, in the order a diff lists them."""


@attrs.frozen
class Part:
    """One step of the path to a changed thing: its kind, the id it is matched by, and its label
    (the name the policy declares for it) under A and under B, None where that side has none."""

    kind: str
    id: str
    a: Optional[str] = None
    b: Optional[str] = None

    def swapped(self) -> "Part":
        return attrs.evolve(self, a=self.b, b=self.a)


@attrs.frozen
class Change:
    """One difference: ``field`` of the thing at ``path`` reads ``a`` under A and ``b`` under B
    (None: not there).  ``field == ""`` when the thing itself is in one policy only; ``a``/``b``
    is then its value (a named value, a band) or its label."""

    path: tuple[Part, ...]
    field: str
    a: Optional[str]
    b: Optional[str]

    @property
    def section(self) -> str:
        return self.path[0].kind

    @property
    def added(self) -> bool:
        return self.field == "" and self.a is None

    @property
    def removed(self) -> bool:
        return self.field == "" and self.b is None

    def swapped(self) -> "Change":
        return Change(tuple(p.swapped() for p in self.path), self.field, self.b, self.a)


@attrs.frozen
class PolicyDiff:
    a: CompiledPolicy = attrs.field(eq=False, repr=False)
    b: CompiledPolicy = attrs.field(eq=False, repr=False)
    changes: tuple[Change, ...]

    @property
    def identical(self) -> bool:
        return not self.changes


# ------------------------------------------------------------------ the policy as things

@attrs.frozen
class _Thing:
    path: tuple[tuple[str, str], ...]
    """(kind, id) from the outermost thing."""
    label: Optional[str]
    summary: Optional[str]
    """What a diff shows when only one policy has it."""
    fields: dict[str, Optional[str]]


def _join(items: Iterable[str]) -> str:
    return "[" + ", ".join(items) + "]"


def _same(x: Optional[str], y: Optional[str]) -> bool:
    # Clauses are compared as written, their layout aside: a rule rewrapped over two lines is the same rule.
    return (x is None) == (y is None) and (x is None or x.split() == y.split())


def _qualifiers(policy: CompiledPolicy) -> dict[str, str]:
    """Each file's prefix for the names it declares: "" for the policy, ``alias.`` for a module as
    the policy imports it (``national.``), so that a module's names match whatever its path."""
    scopes = policy.model.scopes
    prefixes = {policy.path: ""}
    todo = [policy.path]
    while todo:
        file = todo.pop(0)
        for name, binding in scopes.get(file, {}).items():
            if binding.kind == "module" and binding.file not in prefixes:
                prefixes[binding.file] = f"{prefixes[file]}{name}."
                todo.append(binding.file)
    return prefixes


def _things(policy: CompiledPolicy) -> list[_Thing]:
    d = describe(policy)
    model = policy.model
    out: list[_Thing] = []

    def add(path, label, fields, summary=None):
        out.append(_Thing(tuple(path), label, label if summary is None else summary, fields))

    start, end = d["collection"]
    add([("policy", "")], None, {
        "title": model.title, "jurisdiction": model.jurisdiction or None, "year": f"{model.start} .. {model.end}",
        "collection": f"{start or ''} .. {end}".strip() if end else None,
        "rounding": f"{model.rounding_mode} to ¥{d['rounding']['unit']}"})
    for kind, listed in (("level", "levels"), ("condition", "conditions"), ("category", "categories")):
        for key, name in d[listed].items():
            add([(kind, key)], name, {"name": name})
    prefixes = _qualifiers(policy)
    for p in d["parameters"]:
        value = p["text"] if p["stated"] else f"{p['type']} unstated"
        kind = "cap" if p["kind"] == "cap" else "name"
        name = prefixes.get(p["file"], p["file"] + ":") + p["name"]
        add([(kind, name)], p["label"] or None, {"label": p["label"] or None, "value": value}, value)
    for pool in d["deductible_pools"]:
        written = f"{pool['amount']} per year {pool['mode']}"
        add([("pool", pool["id"])], pool["label"],
            {"label": pool["label"], "amount": pool["amount"], "deductible_mode": pool["mode"]}, written)
    for m in d["measures"]:
        add([("measure", m["id"])], m["label"], {"label": m["label"]})
    for key, clause, value in (("starts", "coverage", "starts"), ("ends", "coverage_end", "ends")):
        if d[clause] is not None:
            add([("coverage", key)], None, {"value": d[clause][value], "reason": d[clause]["reason"]},
                d[clause][value])
    for b in d["benefits"]:
        _benefit(b, add)
    for a in d["adjustments"]:
        add([("adjustment", a["id"])], a["label"], {
            "label": a["label"], "applies": "all" if a["benefits"] is None else _join(a["benefits"]),
            "when": a["when"], "ratio": a["ratio"]})
    for p in d["payers"]:
        _payer(p, add)
    for item in d["premium"]:
        here = ("item", item["title"])
        add([here], item["title"], {"when": item["when"]})
        for c in item["cases"]:
            # A case is matched by its condition; a rule rewrapped is the same case.
            key = " ".join(c["when"].split()) if c["when"] else "else"
            add([here, ("case", key)], None, {"value": c["value"]}, c["value"])
    for s in d["settlements"]:
        here = ("settlement", s["id"])
        add([here], s["title"], {"title": s["title"], "when": s["when"], "submit": s["submit"],
                                 "deadline": s["deadline"], "takes": s["takes"]})
        for m in s["materials"]:
            add([here, ("material", m["text"])], m["text"], {"when": m["when"]})
    return out


def _benefit(b: dict, add) -> None:
    here = ("benefit", b["id"])
    ded = b["deductible"]
    includes = b["includes"]
    pays, banded = b["pays"], b["ratio_bands"]
    add([here], b["title"], {
        "title": b["title"], "priority": None if b["priority"] is None else str(b["priority"]),
        "when": b["when"], "excluded": b["excluded"],
        "grouping": "visits grouped by day and institution" if b["grouping"] else None,
        "counts": ", ".join(b["counts"]) or None,
        "includes": None if includes is None else
        f"{includes['care']} care at the same institution up to {includes['days']} "
        f"{'day' if includes['days'] == 1 else 'days'} before",
        "deductible_mode": None if ded is None else ded["mode"],
        "deductible": None if ded is None else ded["amount"],
        "ratio": b["ratio"], "ratio_bands": None if banded is None else banded["measure"],
        "pays": None if pays is None else pays["amount"] + (" even above covered" if pays["above_covered"] else ""),
        "visit_cap": b["visit_cap"],
        "annual_caps": "; ".join(c["amount"] + (f" for each {c['per']}" if c["per"] else "")
                                 + (f" when {c['when']}" if c["when"] else "")
                                 for c in b["annual_caps"]) or None})
    if banded is not None:
        _bands([here], banded["bands"], add)
    for a in b["adjustments"]:
        written = a["points"] + (f" when {a['when']}" if a["when"] else "")
        add([here, ("adjust", a["label"])], a["label"], {"points": a["points"], "when": a["when"]}, written)


def _payer(p: dict, add) -> None:
    here = ("payer", p["id"])
    add([here], p["title"], {"title": p["title"], "covers": p["covers"]})
    for t in p["tables"]:
        table = ("table", t["title"])
        add([here, table], t["title"], {"when": t["when"] or "otherwise", "measure": t["measure"],
                                        "deductible": t["deductible"], "cap": t["cap"]})
        _bands([here, table], t["bands"], add)


def _bands(around: list, bands: list, add) -> None:
    """A payer table's or a banded ratio's bands, each matched by its place (band 1, 2 …)."""
    for n, band in enumerate(bands, 1):
        written = (f"{band['low']} .. {band['high']}" if band["high"] else f"above {band['low']}") + \
            f" pays {band['rate']}"
        add(around + [("band", str(n))], None, {"low": band["low"], "high": band["high"], "rate": band["rate"]},
            written)


def _merged(first: list, second: list) -> list:
    """Both lists' items once, each list's order kept: what only ``second`` has comes right after
    the item it follows there (a band added to a table is listed with that table)."""
    position = {item: n for n, item in enumerate(first)}
    out, taken = [], 0
    for item in second:
        if item not in position:
            out.append(item)
        elif position[item] >= taken:  # else listed already: the two orders differ
            out += first[taken:position[item] + 1]
            taken = position[item] + 1
    return out + first[taken:]


def diff_policies(a: CompiledPolicy, b: CompiledPolicy) -> PolicyDiff:
    """Every difference between ``a`` and ``b``; see the module docstring."""
    ta = {t.path: t for t in _things(a)}
    tb = {t.path: t for t in _things(b)}
    changes = []
    for path in _merged(list(ta), list(tb)):
        if any(path[:n] not in ta or path[:n] not in tb for n in range(1, len(path))):
            continue  # inside a thing only one policy has: that thing is the change
        x, y = ta.get(path), tb.get(path)
        parts = tuple(Part(kind, key, _label(ta, path[:n + 1]), _label(tb, path[:n + 1]))
                      for n, (kind, key) in enumerate(path))
        if x is None or y is None:
            changes.append(Change(parts, "", x.summary if x else None, y.summary if y else None))
            continue
        for name in _merged(list(x.fields), list(y.fields)):
            if not _same(x.fields.get(name), y.fields.get(name)):
                changes.append(Change(parts, name, x.fields.get(name), y.fields.get(name)))
    return PolicyDiff(a, b, tuple(changes))


def _label(things: dict, path) -> Optional[str]:
    thing = things.get(path)
    return thing.label if thing is not None else None


# ------------------------------------------------------------------ scenarios under both

@attrs.frozen
class Figure:
    """One figure of a claim or of the year that differs: ``status``, ``benefit`` (ids), or an
    amount: ``basic_fund``, ``payer`` (``payer`` names which), ``patient``, ``premium``."""

    kind: str
    a: Any
    b: Any
    payer: str = ""
    a_label: Optional[str] = None
    """A benefit's or payer's title under A."""
    b_label: Optional[str] = None

    @property
    def delta(self) -> Optional[Decimal]:
        """B − A, for an amount both policies state."""
        if isinstance(self.a, Decimal) and isinstance(self.b, Decimal):
            return self.b - self.a
        return None


@attrs.frozen
class ClaimDelta:
    id: str
    date: Any
    """The claim's date as the scenario gives it."""
    figures: tuple[Figure, ...]


@attrs.frozen
class ScenarioDelta:
    """A scenario whose outcome differs, or that one policy (or both) cannot take."""

    name: str
    errors: tuple[Optional[Exception], Optional[Exception]] = attrs.field(eq=False, default=(None, None))
    """The error the scenario gets under A and under B (None: it was evaluated)."""
    shifts: tuple[int, int] = (0, 0)
    """Days its dates moved under A and under B (one of them 0)."""
    claims: tuple[ClaimDelta, ...] = ()
    totals: tuple[Figure, ...] = ()


@attrs.frozen
class ScenarioReport:
    changed: tuple[ScenarioDelta, ...]
    """The scenarios whose figures differ or that a policy cannot take, in the order given."""
    same: int
    """How many scenarios have the same figures under both."""


def scenario_files(paths: Sequence[Path]) -> list[Path]:
    """The scenario files named: a folder stands for its ``*.yaml``, ``*.yml`` and ``*.json`` files."""
    found = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.suffix.lower() in (".yaml", ".yml", ".json")
                            and p.is_file())
        else:
            found.append(path)
    return found


def diff_scenarios(a: CompiledPolicy, b: CompiledPolicy, paths: Sequence[Path],
                   limits: Limits = DEFAULT_LIMITS) -> ScenarioReport:
    """Each scenario file under ``a`` and under ``b`` (never under the policy it names)."""
    changed, same = [], 0
    for path in paths:
        try:
            data = load_scenario(path, limits)
        except ScenarioError as err:
            changed.append(ScenarioDelta(str(path), (err, err)))
            continue
        delta = diff_scenario(str(path), data, a, b, limits)
        if delta is None:
            same += 1
        else:
            changed.append(delta)
    return ScenarioReport(tuple(changed), same)


def diff_scenario(name: str, data: object, a: CompiledPolicy, b: CompiledPolicy,
                  limits: Limits = DEFAULT_LIMITS) -> Optional[ScenarioDelta]:
    """One parsed scenario under both policies: None when every figure is the same."""
    home = _home(data, a, b)
    shifts = ((a.start - home.start).days, (b.start - home.start).days)
    first, a_error = _run(a, data, shifts[0], limits)
    second, b_error = _run(b, data, shifts[1], limits)
    if first is None or second is None:
        return ScenarioDelta(name, (a_error, b_error), shifts)
    claims = []
    theirs = {c.id: c for c in second.claims}
    for claim in first.claims:
        figures = _claim_figures(claim, theirs[claim.id])
        if figures:
            date = (claim if home is a else theirs[claim.id]).date  # as the scenario gives it
            claims.append(ClaimDelta(claim.id, date, figures))
    totals = _amounts(first.totals, second.totals) + _premium(first, second)
    if not claims and not totals:
        return None
    return ScenarioDelta(name, (None, None), shifts, tuple(claims), totals)


def _home(data: object, a: CompiledPolicy, b: CompiledPolicy) -> CompiledPolicy:
    """The policy whose year the scenario's dates are written in: B when the scenario names B
    (and not A), else A.  The policy it names is never loaded."""
    named = data.get("policy") if isinstance(data, dict) else None
    if named is not None and named in (b.id, b.path) and named not in (a.id, a.path):
        return b
    return a


def _run(policy: CompiledPolicy, data: object, shift: int,
         limits: Limits) -> tuple[Optional[Statement], Optional[Exception]]:
    try:
        if not isinstance(data, dict):
            validate(data, policy.levels, policy.conditions, limits)  # the error a scenario that is no mapping gets
        plain = shift_dates(data, 0)
        # Checked as written first: dates are moved only in a scenario whose fields are sound.
        scenario = validate(plain, policy.levels, policy.conditions, limits, policy.categories)
        if shift:
            scenario = validate(shift_dates(plain, shift), policy.levels, policy.conditions, limits,
                                policy.categories)
        return evaluate_scenario(policy, scenario, limits, explain=False), None
    except (ScenarioError, EvaluationError) as err:
        return None, err


def _claim_figures(x: ClaimResult, y: ClaimResult) -> tuple[Figure, ...]:
    figures = []
    if x.status != y.status:
        figures.append(Figure("status", x.status, y.status))
    if x.benefit != y.benefit:
        figures.append(Figure("benefit", x.benefit, y.benefit, a_label=x.benefit_title, b_label=y.benefit_title))
    return tuple(figures) + _amounts(x, y)


def _amounts(x, y) -> tuple[Figure, ...]:
    """The basic fund, each later payer (by id, either policy's: one a policy lacks pays nothing)
    and the patient, where they differ."""
    figures = [Figure("basic_fund", x.basic_fund, y.basic_fund)]
    mine, theirs = {p.id: p for p in x.payers}, {p.id: p for p in y.payers}
    for payer in _merged(list(mine), list(theirs)):
        p, q = mine.get(payer), theirs.get(payer)
        figures.append(Figure("payer", p.amount if p else _NOTHING, q.amount if q else _NOTHING, payer,
                              p.title if p else None, q.title if q else None))
    figures.append(Figure("patient", x.patient, y.patient))
    return tuple(f for f in figures if f.a != f.b)


_NOTHING = Decimal(0)


def _premium(x: Statement, y: Statement) -> tuple[Figure, ...]:
    a, b = x.premium.personal, y.premium.personal
    return (Figure("premium", a, b),) if a != b else ()


__all__ = ["diff_policies", "diff_scenarios", "diff_scenario", "scenario_files", "PolicyDiff", "Change", "Part",
           "ScenarioReport", "ScenarioDelta", "ClaimDelta", "Figure", "SECTIONS"]
