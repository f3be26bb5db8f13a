"""What changed between two policies, and what it changes: ``medpolicy diff`` as data.

:func:`diff_policies` reads both policies through :func:`medpolicy.describe.describe`
(the description ``medpolicy show`` prints) and their syntax trees, and lays each
out as *things*: the header, each level, condition and category, each named value,
shared cap, benefit, adjustment, payer with its tables and bands, premium item with
its cases and settlement path with its materials.  A thing is matched across the two
policies by its id (a benefit's id, a name qualified by the alias of the module that
declares it, a table's title, a band's position, a premium case's condition) and
compared clause by clause.

A clause is compared by what it means, not by how it is written (:func:`_canon`):
a rule by its syntax tree (whose nodes leave their spans out of equality; citations
aside), an amount, a percentage or a date by its value (``¥2000`` is
``¥2,000.00``), a list by its members (``[a, b]`` is ``[b, a]``: every list of the
language is read by ``in``), the operands of ``and``/``or``, ``min``/``max`` and
the rows of a ``by`` table in any order.  What the evaluator reads in order is
compared in order: a payer's tables and a premium item's cases (the first that
holds applies) and a settlement's materials (the order the document lists them);
their order is one more clause of the thing around them.  A change shows each side
as the policy writes it; a change of one list's members only also says which
members were added and removed (:class:`Member`, by the label its policy declares).

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
policy's error.  A policy test file (``*.test.yaml``) stands for its cases.

Everything here is data (ids, labels the policies declare, the policies' own
text, Decimals, the catalogue keys of the words a clause that is no rule is
said in); :mod:`medpolicy.render_diff` words it.
"""
from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any, Iterator, Optional, Sequence

import attrs

from . import ast
from .compare import shift_dates
from .describe import describe
from .errors import EvaluationError, MedpolicyError, ScenarioError
from .evaluator import evaluate_scenario
from .explain import ClaimResult, Statement
from .facts import BUILTIN_ENUMS, CLAIM_FIELDS, EARLIER_FIELDS, PERSON_FIELDS
from .limits import DEFAULT_LIMITS, Limits
from .program import CompiledPolicy
from .resources import bundled_policies
from .scenario import load_scenario, validate
from .values import _plain

SECTIONS = ("policy", "level", "condition", "category", "name", "cap", "pool", "measure", "coverage", "benefit",
            "adjustment", "payer", "item", "settlement")
"""The kinds of the outermost things, in the order a diff lists them."""


@attrs.frozen
class Part:
    """One step of the path to a changed thing: its kind, the id it is matched by, and its label
    (the name the policy declares for it) under A and under B, None where that side has none.
    A premium case is matched by its condition read canonically (:func:`canonical_text`); its
    labels are the condition as each policy writes it."""

    kind: str
    id: str
    a: Optional[str] = None
    b: Optional[str] = None

    def swapped(self) -> "Part":
        return attrs.evolve(self, a=self.b, b=self.a)


@attrs.frozen
class Member:
    """A member of a list or set (a condition, a benefit, a counter …): its kind, id, and the label
    its policy declares (None: a member of the contract's own vocabulary, worded by the catalogue)."""

    kind: str
    id: str
    label: Optional[str] = None


@attrs.frozen
class Words:
    """How a clause that is no rule is said: the catalogue message ``message`` and its fields, each a
    text shown as it is, a :class:`Member`, a :class:`Part`, another :class:`Words`, or a tuple of
    these (listed)."""

    message: str
    fields: tuple[tuple[str, Any], ...] = ()


@attrs.frozen
class Change:
    """One difference: ``field`` of the thing at ``path`` reads ``a`` under A and ``b`` under B
    (None: not there), as written.  ``field == ""`` when the thing itself is in one policy only;
    ``a``/``b`` is then its value (a named value, a band) or its label.  ``a_words``/``b_words``
    say a side that is no rule (a keyword, a member by its label), None where it is shown as
    written.  ``members_added``/``members_removed``: when the two sides differ only in the members
    of one list, the members only B's list has and those only A's has."""

    path: tuple[Part, ...]
    field: str
    a: Optional[str]
    b: Optional[str]
    a_words: Optional[Words] = None
    b_words: Optional[Words] = None
    members_added: tuple[Member, ...] = ()
    members_removed: tuple[Member, ...] = ()

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
        return Change(tuple(p.swapped() for p in self.path), self.field, self.b, self.a, self.b_words,
                      self.a_words, self.members_removed, self.members_added)


@attrs.frozen
class PolicyDiff:
    a: CompiledPolicy = attrs.field(eq=False, repr=False)
    b: CompiledPolicy = attrs.field(eq=False, repr=False)
    changes: tuple[Change, ...]
    paths: tuple[str, str] = attrs.field(default=("", ""), eq=False)
    """Where each policy's file is, as a reader finds it (:func:`shown_path`)."""

    @property
    def identical(self) -> bool:
        return not self.changes


def shown_path(policy: CompiledPolicy) -> str:
    """The policy's file, as a reader finds it.  A bundled policy's display path is
    ``policies/ID.mpol`` whatever the current folder; when the current folder has a file of its
    own at that path, the bundled policy (told from it by its text) is shown by its real path."""
    shown = policy.path
    parts = PurePosixPath(shown).parts
    if parts[:1] != ("policies",) or len(parts) < 2:
        return shown
    bundled, here = bundled_policies().joinpath(*parts[1:]), Path.cwd().joinpath(*parts)
    try:
        if not here.is_file() or not bundled.is_file() or here.resolve() == bundled.resolve():
            return shown  # one file by that name: no doubt
        text = policy.texts.get(shown)
        if text == _read(bundled) and text != _read(here):
            return str(bundled.resolve())
    except (OSError, ValueError):
        pass
    return shown


def _read(path: Path) -> Optional[str]:
    try:
        return path.read_bytes().decode("utf-8-sig")  # as the loader reads a policy
    except (OSError, UnicodeDecodeError):
        return None


# ------------------------------------------------------------------ what a rule means

_SET_CALLS = ("min", "max")
"""Functions whose arguments are compared in any order."""


def _canon(node: Any, lists: Optional[list] = None) -> Any:
    """What a node means, as a hashable value: equal for two nodes that mean the same however they
    are written (spans and citations aside; numbers by value; lists, ``and``/``or`` operands,
    ``min``/``max`` arguments and table rows in any order).  With ``lists``, each list is left out
    (a placeholder in its place) and appended to ``lists`` with the fact its members are of."""
    if node is None or isinstance(node, (str, int, bool, Decimal)):
        return node
    if isinstance(node, tuple):
        return tuple(_canon(n, lists) for n in node)
    if isinstance(node, ast.ListExpr):
        if lists is not None:
            lists.append((node, None))
            return ("list",)
        return ("list", frozenset(_canon(i) for i in node.items))
    if isinstance(node, ast.Member) and lists is not None and isinstance(node.collection, ast.ListExpr):
        lists.append((node.collection, _fact_kind(node.item)))
        return ("in", _canon(node.item, lists), ("list",), node.negated)
    if isinstance(node, ast.Logic):
        return (node.op, frozenset(_canon(o, lists) for o in node.operands))
    if isinstance(node, ast.Call) and node.function in _SET_CALLS:
        return ("call", node.function, frozenset(_canon(x, lists) for x in node.args))
    if isinstance(node, ast.Lookup):
        rows = frozenset((e.key, e.quoted, _canon(e.value, lists)) for e in node.entries)
        return ("by", _canon(node.key, lists), rows, _canon(node.default, lists))
    if attrs.has(type(node)):
        return (type(node).__name__,) + tuple(_canon(getattr(node, f.name), lists) for f in attrs.fields(type(node))
                                              if f.eq and not f.name.endswith("cite"))
    return node  # a date


_FACTS = {"claim": CLAIM_FIELDS, "person": PERSON_FIELDS, "earlier": EARLIER_FIELDS}


def _fact_kind(item: ast.Expr) -> Optional[str]:
    """The enumeration a fact's values are members of (``claim.benefit``: ``benefit``), if it is one."""
    if isinstance(item, ast.Attribute) and isinstance(item.target, ast.Name):
        kind = _FACTS.get(item.target.name, {}).get(item.name, "")
        for prefix in ("opt:", "list:"):
            kind = kind.removeprefix(prefix)
        if kind.startswith("enum:"):
            return kind[5:]
    return None


def _rank(e: Any) -> int:
    """How tightly an expression binds, as the grammar nests them (loosest 0)."""
    if isinstance(e, ast.IfElse):
        return 0
    if isinstance(e, ast.Default):
        return 1
    if isinstance(e, ast.Logic):
        return 2 if e.op == "or" else 3
    if isinstance(e, ast.Unary):
        return 4 if e.op == "not" else 8
    if isinstance(e, (ast.Compare, ast.Member)):
        return 5
    if isinstance(e, ast.Binary):
        return 6 if e.op in ("+", "-") else 7
    return 9


def canonical_text(e: Any, rank: int = 0) -> str:
    """An expression written one way for all the ways it may be written (what :func:`_canon` reads
    as the same is written the same): what a premium case is matched by."""
    text = _bare(e)
    return f"({text})" if _rank(e) < rank else text


def _bare(e: Any) -> str:
    if isinstance(e, ast.Literal):
        value = e.value
        return {"money": lambda: "¥" + _plain(value), "percent": lambda: _plain(value) + "%",
                "months": lambda: f"{value} months", "days": lambda: f"{value} days",
                "number": lambda: _plain(value), "text": lambda: json.dumps(value, ensure_ascii=False),
                "bool": lambda: "true" if value else "false"}.get(e.kind, lambda: str(value))()
    if isinstance(e, ast.Name):
        return e.name
    if isinstance(e, ast.Attribute):
        return f"{canonical_text(e.target, 9)}.{e.name}"
    if isinstance(e, ast.Call):
        args = [canonical_text(x) for x in e.args]
        return f"{e.function}({', '.join(sorted(set(args)) if e.function in _SET_CALLS else args)})"
    if isinstance(e, ast.Unary):
        return f"not {canonical_text(e.operand, 4)}" if e.op == "not" else f"-{canonical_text(e.operand, 8)}"
    if isinstance(e, ast.Binary):
        rank = _rank(e)
        return f"{canonical_text(e.left, rank)} {e.op} {canonical_text(e.right, rank + 1)}"
    if isinstance(e, ast.Compare):
        return f"{canonical_text(e.left, 6)} {e.op} {canonical_text(e.right, 6)}"
    if isinstance(e, ast.Member):
        return f"{canonical_text(e.item, 6)} {'not in' if e.negated else 'in'} {canonical_text(e.collection, 6)}"
    if isinstance(e, ast.Logic):
        return f" {e.op} ".join(sorted({canonical_text(x, _rank(e) + 1) for x in e.operands}))
    if isinstance(e, ast.IfElse):
        return f"if {canonical_text(e.condition)} then {canonical_text(e.then)} else {canonical_text(e.otherwise)}"
    if isinstance(e, ast.Default):
        return f"{canonical_text(e.value, 2)} otherwise {canonical_text(e.fallback, 2)}"
    if isinstance(e, ast.ListExpr):
        return "[" + ", ".join(sorted({canonical_text(x) for x in e.items})) + "]"
    if isinstance(e, ast.Lookup):
        rows = sorted((f'"{r.key}"' if r.quoted else r.key) + ": " + canonical_text(r.value) for r in e.entries)
        if e.default is not None:
            rows.append("else: " + canonical_text(e.default))
        return f"by {canonical_text(e.key, 9)} {{ {', '.join(rows)} }}"
    if isinstance(e, ast.Cases):
        branches = [f"when {canonical_text(b.condition)}: {canonical_text(b.value)}" for b in e.branches]
        return "cases { " + " ".join(branches + [f"else: {canonical_text(e.default)}"]) + " }"
    if isinstance(e, ast.Unstated):
        return "unstated"
    return str(e)


# ------------------------------------------------------------------ the policy as things

@attrs.frozen
class _Value:
    """One clause: as written, what it means, and how it is said when it is no rule."""

    text: str
    key: Any
    """What is compared: see :func:`_canon`."""
    words: Optional[Words] = None
    shape: Any = None
    """``key`` with each list's members left out; None for a clause with no list to name members of."""
    lists: tuple = ()
    """Each list of the clause: (its members' keys, ((key, Member) …) in the order written)."""
    ordered: bool = False
    """``key`` is a sequence of the ids of things matched on their own: only the order of those both
    policies have is compared (one only one policy has is a change of its own)."""


def _text(text: Optional[str]) -> Optional[_Value]:
    return None if text is None else _Value(text, text)


def _same(x: Optional[_Value], y: Optional[_Value]) -> bool:
    if x is None or y is None:
        return x is y
    if x.ordered:
        both = set(x.key) & set(y.key)
        return [k for k in x.key if k in both] == [k for k in y.key if k in both]
    return x.key == y.key


def _members_changed(x: _Value, y: _Value) -> tuple[tuple[Member, ...], tuple[Member, ...]]:
    """(added, removed) when ``x`` and ``y`` differ only in the members of one list; else nothing."""
    if x.shape is None or x.shape != y.shape:
        return (), ()
    only_x = Counter(k for k, _ in x.lists) - Counter(k for k, _ in y.lists)
    only_y = Counter(k for k, _ in y.lists) - Counter(k for k, _ in x.lists)
    if sum(only_x.values()) != 1 or sum(only_y.values()) != 1:
        return (), ()
    (kx,), (ky,) = only_x, only_y
    mx, my = (next(m for k, m in v.lists if k == key) for v, key in ((x, kx), (y, ky)))
    return tuple(m for k, m in my if k not in kx), tuple(m for k, m in mx if k not in ky)


_KIND_ORDER = ("condition", "benefit", "level", "category", *BUILTIN_ENUMS)
"""Which enumeration a list's members are read as when they could be of several (``inpatient``:
a care type and a benefit) and no fact says which."""


class _Reader:
    """One policy's clauses as :class:`_Value`, its members named by the labels it declares."""

    def __init__(self, policy: CompiledPolicy):
        self.model = model = policy.model
        self.tables = {"condition": model.conditions, "level": model.levels, "category": model.categories,
                       "benefit": {b.id: b.title for b in model.benefits}}
        self.decls = {"counter": model.counters, "cap": model.caps, "pool": model.deductible_pools,
                      "measure": model.measures}

    def member(self, kind: str, key: str) -> Member:
        if kind in self.tables:
            return Member(kind, key, self.tables[kind].get(key))
        return Member(kind, key, getattr(self.decls.get(kind, {}).get(key), "label", None))

    def rule(self, text: Optional[str], nodes: tuple, file: str, tag: Any = None) -> Optional[_Value]:
        """A clause made of rules (``nodes``, None where absent) and ``tag`` (what else it says)."""
        if text is None:
            return None
        lists: list = []
        shape = (tag, _canon(nodes, lists))
        found = tuple(self._list(node, hint, file) for node, hint in lists)
        return _Value(text, (tag, _canon(nodes)), None, shape, found)

    def _list(self, node: ast.ListExpr, hint: Optional[str], file: str) -> tuple:
        kinds = None
        for item in node.items:
            if isinstance(item, ast.Name):
                binding = self.model.scopes.get(file, {}).get(item.name)
                mine = set(binding.kinds) if binding is not None and binding.kind == "member" else set()
            else:
                mine = {"level"} if isinstance(item, ast.Literal) and item.kind == "text" else set()
            kinds = mine if kinds is None else kinds & mine
        kind = hint or next((k for k in _KIND_ORDER if k in (kinds or ())), "")
        members = []
        for item in node.items:
            key = item.name if isinstance(item, ast.Name) else \
                str(item.value) if isinstance(item, ast.Literal) else canonical_text(item)
            members.append((_canon(item), self.member(kind, key) if kind else Member("", key)))
        return frozenset(k for k, _ in members), tuple(dict(members).items())

    def members(self, kind: str, ids: Sequence[str]) -> Optional[_Value]:
        """A set of members named by id (a benefit's counters, an adjustment's benefits)."""
        if not ids:
            return None
        named = tuple(self.member(kind, key) for key in ids)
        return _Value(", ".join(ids), frozenset(ids), Words("diff.list", (("members", named),)), "set",
                      ((frozenset(ids), tuple(zip(ids, named))),))

    def named(self, kind: str, key: str, text: Optional[str] = None) -> _Value:
        """One declared thing named in a clause (a measure, a shared deductible or cap): by its label."""
        return _Value(text or key, (kind, key), Words("diff.list", (("members", (self.member(kind, key),)),)))


def _ordered(kind: str, keys: Sequence[str], texts: Sequence[Optional[str]]) -> _Value:
    """The order of the things of ``kind`` inside a thing, each matched by its key."""
    return _Value(" → ".join(t or k for k, t in zip(keys, texts)), tuple(keys),
                  Words("diff.order", (("items", tuple(Part(kind, k, t, t) for k, t in zip(keys, texts))),)),
                  ordered=True)


def _with(value: Optional[_Value], message: str, **fields) -> Optional[_Value]:
    return None if value is None else attrs.evolve(value, words=Words(message, tuple(fields.items())))


@attrs.frozen
class _Thing:
    path: tuple[tuple[str, str], ...]
    """(kind, id) from the outermost thing."""
    label: Optional[str]
    summary: Optional[_Value]
    """What a diff shows when only one policy has it."""
    fields: dict[str, Optional[_Value]]


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
    read = _Reader(policy)
    here = policy.path
    out: list[_Thing] = []

    def add(path, label, fields, summary=None):
        out.append(_Thing(tuple(path), label, _text(label) if summary is None else summary, fields))

    start, end = d["collection"]
    unit = f"¥{d['rounding']['unit']}"
    add([("policy", "")], None, {
        "title": _text(model.title), "jurisdiction": _text(model.jurisdiction or None),
        "year": _Value(f"{model.start} .. {model.end}", (model.start, model.end)),
        "collection": _Value(f"{start or ''} .. {end}".strip(), (model.collection_start, model.collection_end))
        if end else None,
        "rounding": _Value(f"{model.rounding_mode} to {unit}", (model.rounding_mode, model.rounding_unit),
                           Words("diff.rounding", (("mode", Member("rounding", model.rounding_mode)),
                                                   ("unit", unit))))})
    for kind, listed in (("level", "levels"), ("condition", "conditions"), ("category", "categories")):
        for key, name in d[listed].items():
            add([(kind, key)], name, {"name": _text(name)})
    prefixes = _qualifiers(policy)
    for p in d["parameters"]:
        node = model.scopes[p["file"]][p["name"]].node
        if not p["stated"]:
            value = _Value(f"{p['type']} unstated", ("unstated", p["type"]),
                           Words("diff.unstated", (("type", p["type"]),)))
        elif p["kind"] == "history":
            value = read.rule(p["text"], (node.value, node.where), p["file"], node.measure)
        else:
            expr = {"list": "items", "cap": "amount"}.get(p["kind"], "value")
            value = read.rule(p["text"], (getattr(node, expr),), p["file"])
        kind = "cap" if p["kind"] == "cap" else "name"
        name = prefixes.get(p["file"], p["file"] + ":") + p["name"]
        add([(kind, name)], p["label"] or None, {"label": _text(p["label"] or None), "value": value}, value)
    for pool in d["deductible_pools"]:
        node = model.deductible_pools[pool["id"]]
        written = f"{pool['amount']} per year {pool['mode']}"
        summary = _Value(written, None, Words("diff.pool", (("amount", pool["amount"]),
                                                            ("mode", Member("deductible_mode", pool["mode"])))))
        add([("pool", pool["id"])], pool["label"],
            {"label": _text(pool["label"]), "amount": read.rule(pool["amount"], (node.amount,), here),
             "deductible_mode": _text(pool["mode"])}, summary)
    for m in d["measures"]:
        add([("measure", m["id"])], m["label"], {"label": _text(m["label"])})
    for key, clause, value in (("starts", "coverage", "starts"), ("ends", "coverage_end", "ends")):
        if d[clause] is not None:
            node = getattr(model, clause)
            written = read.rule(d[clause][value], (getattr(node, value),), here)
            add([("coverage", key)], None, {"value": written, "reason": _text(d[clause]["reason"])}, written)
    for b, node in zip(d["benefits"], model.benefits):
        _benefit(b, node, read, here, add)
    for a, node in zip(d["adjustments"], model.adjustments):
        applies = _Value("all", "all", Words("diff.all_benefits")) if a["benefits"] is None else \
            read.members("benefit", a["benefits"])
        add([("adjustment", a["id"])], a["label"], {
            "label": _text(a["label"]), "applies": applies, "when": read.rule(a["when"], (node.when,), here),
            "ratio": read.rule(a["ratio"], (node.ratio,), here)})
    for p, node in zip(d["payers"], model.payer_declarations):
        _payer(p, node, read, here, add)
    for item, node in zip(d["premium"], model.premium.items if model.premium is not None else ()):
        _item(item, node, read, here, add)
    for s, node in zip(d["settlements"], model.settlements):
        top = ("settlement", s["id"])
        texts = [m["text"] for m in s["materials"]]
        add([top], s["title"], {
            "title": _text(s["title"]), "when": read.rule(s["when"], (node.when,), here),
            "submit": _text(s["submit"]), "deadline": read.rule(s["deadline"], (node.deadline,), here),
            "takes": _text(s["takes"]), "material_order": _ordered("material", texts, texts)})
        for m, material in zip(s["materials"], node.materials):
            add([top, ("material", m["text"])], m["text"], {"when": read.rule(m["when"], (material.when,), here)})
    return out


def _benefit(b: dict, node: ast.Benefit, read: _Reader, here: str, add) -> None:
    top = ("benefit", b["id"])
    ded = node.deductible
    includes = node.includes
    pays = node.pays
    if ded is None or ded.mode == "none":
        amount = None
    elif ded.mode == "pool":
        amount = read.named("pool", ded.amount.name, b["deductible"]["amount"])
    else:
        amount = read.rule(b["deductible"]["amount"], (ded.amount,), here)
    caps = tuple(_cap(c, cap, read) for c, cap in zip(b["annual_caps"], node.annual_caps))
    add([top], b["title"], {
        "title": _text(b["title"]), "priority": None if node.priority is None else
        _Value(str(node.priority), node.priority),
        "when": read.rule(b["when"], (node.when,), here), "excluded": _text(b["excluded"]),
        "grouping": _Value("visits grouped by day and institution", True, Words("diff.grouping"))
        if node.grouping else None,
        "counts": read.members("counter", [n.name for n in node.counts]),
        "includes": None if includes is None else _Value(
            f"{includes.care.name} care at the same institution up to {includes.days} "
            f"{'day' if includes.days == 1 else 'days'} before", (includes.care.name, includes.days),
            Words("diff.includes.one" if includes.days == 1 else "diff.includes",
                  (("care", Member("care", includes.care.name)), ("days", str(includes.days))))),
        "deductible_mode": None if ded is None else _text(ded.mode),
        "deductible": amount,
        "ratio": read.rule(b["ratio"], (node.ratio,), here),
        "ratio_bands": None if node.ratio_bands is None else read.named("measure", node.ratio_bands.measure.name),
        "pays": None if pays is None else _with(
            read.rule(b["pays"]["amount"] + (" even above covered" if pays.above_covered else ""), (pays.amount,),
                      here, pays.above_covered),
            "diff.pays.above" if pays.above_covered else "diff.pays", amount=b["pays"]["amount"]),
        "visit_cap": read.rule(b["visit_cap"], (node.visit_cap,), here),
        "annual_caps": _Value("; ".join(text for text, _, _ in caps), frozenset(key for _, key, _ in caps),
                              Words("diff.clauses", (("clauses", tuple(w for _, _, w in caps)),))) if caps else None})
    if node.ratio_bands is not None:
        _bands([top], b["ratio_bands"]["bands"], node.ratio_bands.bands, read, here, add)
    for a, adjust in zip(b["adjustments"], node.adjustments):
        points = read.rule(a["points"], (adjust.points,), here)
        when = read.rule(a["when"], (adjust.when,), here)
        written = a["points"] + (f" when {a['when']}" if a["when"] else "")
        summary = _Value(written, None, Words("diff.adjust.when", (("points", a["points"]), ("when", a["when"])))
                         if a["when"] else None)
        add([top, ("adjust", a["label"])], a["label"], {"points": points, "when": when}, summary)


def _cap(c: dict, cap: ast.AnnualCap, read: _Reader) -> tuple[str, Any, Words]:
    """An annual cap clause: as written, what it means, and in words (a shared cap by its label)."""
    text = c["amount"] + (f" for each {c['per']}" if c["per"] else "") + (f" when {c['when']}" if c["when"] else "")
    shared = isinstance(cap.amount, ast.Name) and cap.amount.name in read.model.caps
    amount = read.member("cap", cap.amount.name) if shared else c["amount"]
    message = "diff.cap" + (".per" if c["per"] else "") + (".when" if c["when"] else "")
    fields = (("amount", amount),) + ((("per", c["per"]),) if c["per"] else ()) + \
        ((("when", c["when"]),) if c["when"] else ())
    return text, _canon((cap.amount, cap.per, cap.when)), Words(message, fields)


def _payer(p: dict, node: ast.CriticalIllness, read: _Reader, here: str, add) -> None:
    top = ("payer", p["id"])
    titles = [t["title"] for t in p["tables"]]
    add([top], p["title"], {"title": _text(p["title"]), "covers": read.rule(p["covers"], (node.covers,), here),
                            "table_order": _ordered("table", titles, titles)})
    for t, table in zip(p["tables"], node.tables):
        around = ("table", t["title"])
        when = _Value("otherwise", None, Words("show.otherwise")) if table.when is None else \
            read.rule(t["when"], (table.when,), here)
        add([top, around], t["title"], {
            "when": when, "measure": _Value(t["measure"], t["measure"], Words(f"diff.measured.{t['measure']}")),
            "deductible": read.rule(t["deductible"], (table.deductible,), here),
            "cap": read.rule(t["cap"], (table.cap,), here)})
        _bands([top, around], t["bands"], table.bands, read, here, add)


def _bands(around: list, bands: list, nodes: Sequence[ast.Band], read: _Reader, here: str, add) -> None:
    """A payer table's or a banded ratio's bands, each matched by its place (band 1, 2 …)."""
    for n, (band, node) in enumerate(zip(bands, nodes), 1):
        if band["high"]:
            written = f"{band['low']} .. {band['high']} pays {band['rate']}"
            words = Words("diff.band.range", (("low", band["low"]), ("high", band["high"]), ("rate", band["rate"])))
        else:
            written = f"above {band['low']} pays {band['rate']}"
            words = Words("diff.band.above", (("low", band["low"]), ("rate", band["rate"])))
        add(around + [("band", str(n))], None, {"low": read.rule(band["low"], (node.low,), here),
                                                "high": read.rule(band["high"], (node.high,), here),
                                                "rate": read.rule(band["rate"], (node.rate,), here)},
            _Value(written, None, words))


def _item(item: dict, node: ast.PremiumItem, read: _Reader, here: str, add) -> None:
    top = ("item", item["title"])
    # A case is matched by what its condition means: rewrapped or reordered, it is the same case.
    keys = [canonical_text(c.when) if c.when is not None else "else" for c in node.cases]
    texts = [" ".join(c["when"].split()) if c["when"] else None for c in item["cases"]]
    add([top], item["title"], {"when": read.rule(item["when"], (node.when,), here),
                               "case_order": _ordered("case", keys, texts)})
    for key, text, c, case in zip(keys, texts, item["cases"], node.cases):
        value = read.rule(c["value"], (case.value,), here)
        add([top, ("case", key)], text, {"value": value}, value)


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
            u, v = x.summary if x else None, y.summary if y else None
            changes.append(Change(parts, "", *_sides(u, v)))
            continue
        for name in _merged(list(x.fields), list(y.fields)):
            u, v = x.fields.get(name), y.fields.get(name)
            if not _same(u, v):
                added, removed = _members_changed(u, v) if u is not None and v is not None else ((), ())
                changes.append(Change(parts, name, *_sides(u, v), added, removed))
    return PolicyDiff(a, b, tuple(changes), (shown_path(a), shown_path(b)))


def _sides(u: Optional[_Value], v: Optional[_Value]) -> tuple:
    return (u.text if u else None, v.text if v else None, u.words if u else None, v.words if v else None)


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

    @property
    def failed(self) -> int:
        """How many scenarios a policy (or both) cannot take: they are not compared."""
        return sum(1 for d in self.changed if d.errors != (None, None))

    @property
    def compared(self) -> int:
        """How many scenarios were evaluated under both policies."""
        return self.same + len(self.changed) - self.failed


def scenario_files(paths: Sequence[Path]) -> list[Path]:
    """The scenario files named: a folder stands for its ``*.yaml``, ``*.yml`` and ``*.json`` files
    (a policy test file, ``*.test.yaml``, among them: :func:`diff_scenarios` runs its cases)."""
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
    """Each scenario file under ``a`` and under ``b`` (never under the policy it names); each case of a
    policy test file (``*.test.yaml``) is a scenario of its own, named ``FILE: CASE``."""
    changed, same = [], 0
    for name, data, error in _scenarios(paths, limits):
        if error is not None:
            changed.append(ScenarioDelta(name, (error, error)))
            continue
        delta = diff_scenario(name, data, a, b, limits)
        if delta is None:
            same += 1
        else:
            changed.append(delta)
    return ScenarioReport(tuple(changed), same)


def _scenarios(paths: Sequence[Path], limits: Limits) -> Iterator[tuple[str, Any, Optional[MedpolicyError]]]:
    """(name, parsed scenario, None) for each scenario, or (name, None, why it cannot be read)."""
    from .policytests.files import TEST_SUFFIX, read_file

    for path in paths:
        if not path.name.endswith(TEST_SUFFIX):
            try:
                yield str(path), load_scenario(path, limits), None
            except ScenarioError as err:
                yield str(path), None, err
            continue
        try:
            cases = read_file(path)
        except MedpolicyError as err:
            yield str(path), None, err
            continue
        for case in cases:
            named = _named_policy(case.file, case.policy, TEST_SUFFIX)
            yield f"{path}: {case.name}", ({"policy": named} if named else {}) | case.scenario, None


def _named_policy(file: Path, ref: Optional[str], suffix: str) -> Optional[str]:
    """The display path of the policy a test file's case is for (its ``policy``, else the policy
    beside the file), for :func:`_home`; never loaded."""
    from .loader import display_path, resolve

    try:
        if ref is not None:
            return display_path(resolve(ref, file.parent))
        beside = file.with_name(file.name.removesuffix(suffix) + ".mpol")
        return display_path(beside) if beside.is_file() else None
    except MedpolicyError:
        return ref


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


__all__ = ["diff_policies", "diff_scenarios", "diff_scenario", "scenario_files", "shown_path", "canonical_text",
           "PolicyDiff", "Change", "Part", "Member", "Words", "ScenarioReport", "ScenarioDelta", "ClaimDelta", "Figure",
           "SECTIONS"]
