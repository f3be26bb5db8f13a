"""Which claims can reach which benefit, decided exactly.

A benefit's ``when`` may read only facts with few values (care, level, category,
condition, pediatric, location, filing, assistance, long-term care) and
whether given conditions are certified (``X in person.certified``, where X is
the claim's condition or a condition named in the policy).  Trying every
combination finds benefits that can never match or are always shadowed by
higher priorities, and table lookups missing a row for a value a benefit can
receive.  A benefit whose condition reads any other fact (a date, an amount),
or reads ``person.certified`` otherwise, proves nothing about itself: it is
not reported, and the others are probed as if it took no claim from them (so
their tables must cover what it might take).  :class:`Reachability` is mixed
into the checker.

``person.certified`` is a set of conditions, but only its members that some
condition asks about matter: at each combination of the other facts, the
probes try every subset of the conditions asked about there (the claim's
own condition, if some ``claim.condition in person.certified`` asks, and
each condition named in an ``… in person.certified``).

The same probing finds the opposite of a missing row: a row for a value no
claim that reaches the table has (its benefit's ``when``, after the benefits
of higher priority took theirs, and the ``if`` / ``cases`` branches around
the table, exclude it).  The checker keeps them in ``dead_rows``
(:class:`DeadRow`) for the lint ``dead-row`` (W408, :mod:`medpolicy.lints`)
to report; they are not errors, as such a row changes no figure.
"""
from __future__ import annotations

import itertools
from typing import NamedTuple

from . import ast
from .errors import EvaluationError
from .expressions import StepBudget, evaluate
from .facts import FACT_ROOTS, FINITE_CLAIM_FIELDS, FINITE_PERSON_FIELDS
from .localize import msg
from .typecheck import ConstantEnvironment, base_type

_FINITE = {f"claim.{f}" for f in FINITE_CLAIM_FIELDS} | {f"person.{f}" for f in FINITE_PERSON_FIELDS}

CERTIFIED = "person.certified"
MAX_CERTIFIED_ASKED = 8
"""Most conditions whose certification the probes of one combination try (2**8 subsets)."""
MAX_PROBES = 1 << 17
"""Most combinations tried; a policy whose conditions need more proves nothing."""


class ProbeEnvironment(ConstantEnvironment):
    """Evaluates benefit conditions on one combination of finite facts.

    ``point`` maps ``claim.care``, … and ``person.certified`` (a tuple of the
    certified conditions) to their values; each definition is evaluated once
    per point, and all the conditions tried on one point share a step budget.
    """

    def __init__(self, checker, file: str, point: dict, steps: StepBudget | None = None,
                 values: dict | None = None):
        super().__init__(checker, file, steps, values)
        self.point = point

    def in_file(self, file: str) -> "ProbeEnvironment":
        return ProbeEnvironment(self.checker, file, self.point, self.steps, self.values)

    def fact(self, root, field):
        key = f"{root}.{field}"
        if key in self.point:
            return self.point[key]
        return super().fact(root, field)


class _Reads(NamedTuple):
    """What an expression (with the definitions it reads) needs from the probes."""

    ok: bool
    """False if it reads a fact the probes cannot enumerate."""
    facts: frozenset = frozenset()
    """The finite facts it reads (``claim.care``, …)."""
    certified_claim: bool = False
    """Whether it asks ``claim.condition in person.certified``."""
    certified_named: frozenset = frozenset()
    """The conditions it names in ``X in person.certified``."""

    def __or__(self, other: "_Reads") -> "_Reads":
        return _Reads(self.ok and other.ok, self.facts | other.facts,
                      self.certified_claim or other.certified_claim,
                      self.certified_named | other.certified_named)


class DeadRow(NamedTuple):
    """A row of a table in a benefit's clause for a value no claim reaching the table has (W408)."""

    benefit: ast.Benefit
    key: str
    """The fact the table is by: ``claim.level``, ``claim.condition``, …."""
    entry: ast.LookupEntry
    received: tuple
    """The values of ``key`` the claims reaching the table have, in declaration order (None: absent)."""
    branched: bool
    """Whether `if` / `cases` branches lead to the table (so that they, too, decide what reaches it)."""


_NOTHING = _Reads(True)
_UNPROVABLE = _Reads(False)


# ------------------------------------------------------------------- checker


class Reachability:
    """Benefit reachability; mixed into the checker."""

    dead_rows: tuple | list = ()
    """The rows no claim can use (:class:`DeadRow`), found with the missing rows, for the lints."""

    def _check_reachability(self, benefits: list[ast.Benefit], file: str) -> None:
        """Find benefits no claim can reach, table rows that are missing, and rows no claim can use."""
        self.dead_rows = []
        try:
            found = self._probe(benefits, file)
        except RecursionError:  # definitions nested too deeply to follow: nothing can be proved
            return
        if found is None:
            return
        winners, matched, unprovable = found
        for b in benefits:
            if b.id in unprovable:
                continue
            if b.id not in matched:
                self.error(msg("E115", benefit=b.id), b.when.span, help=msg("E115.help"))
            elif not winners[b.id]:
                self.error(msg("E116", benefit=b.id), b.span, help=msg("E116.help"))
        for b in benefits:
            if winners.get(b.id):
                self._check_tables(b, winners[b.id], file)

    def _probe(self, benefits: list[ast.Benefit], file: str) -> tuple[dict, set, set] | None:
        """Try the benefits on every probe point: the points each wins, the benefits that match,
        and the benefits whose conditions cannot be probed (left out).

        None if nothing can be proved: there are too many points, or a
        condition cannot be evaluated.
        """
        reads = _NOTHING
        unprovable = set()
        for b in benefits:
            own = self._reads(b.when, file)
            if own.ok:
                reads = reads | own
            else:
                unprovable.add(b.id)
        benefits = [b for b in benefits if b.id not in unprovable]
        points = self._probe_points(reads)
        if points is None:
            return None
        winners: dict[str, list[dict]] = {b.id: [] for b in benefits}
        matched: set[str] = set()
        for point in points:
            env = ProbeEnvironment(self, file, point)
            won = False
            for b in benefits:
                try:
                    hit = evaluate(b.when, env)
                except (EvaluationError, ArithmeticError, ValueError, OverflowError):
                    return None
                if hit:
                    matched.add(b.id)
                    if not won:
                        winners[b.id].append(point)
                        won = True
        return winners, matched, unprovable

    def _probe_points(self, reads: _Reads) -> list[dict] | None:
        """Every combination of the facts in ``reads``; None if there are too many."""
        axes = [(name, self._domain(name)) for name in sorted(reads.facts)]
        named = sorted(reads.certified_named)
        count = 1
        for _, values in axes:
            count *= len(values)
        asked = len(named) + (1 if reads.certified_claim else 0)
        if count << min(asked, MAX_CERTIFIED_ASKED + 1) > MAX_PROBES:
            return None
        points = []
        for combo in itertools.product(*[values for _, values in axes]):
            base = {name: value for (name, _), value in zip(axes, combo)}
            if not (reads.certified_claim or named):
                points.append(base)
                continue
            asked = set(named)
            if reads.certified_claim and base.get("claim.condition") is not None:
                asked.add(base["claim.condition"])
            if len(asked) > MAX_CERTIFIED_ASKED:
                return None
            asked = sorted(asked)
            for size in range(len(asked) + 1):
                for certified in itertools.combinations(asked, size):
                    points.append({**base, CERTIFIED: certified})
        return points

    def _reads(self, expr, file) -> _Reads:
        """What ``expr``, in ``file``, reads: finite facts and certification questions."""
        if isinstance(expr, ast.Attribute) and isinstance(expr.target, ast.Name) and expr.target.name in FACT_ROOTS:
            key = f"{expr.target.name}.{expr.name}"
            if key in _FINITE:
                return _Reads(True, frozenset({key}))
            return _NOTHING if expr.target.name == "policy" else _UNPROVABLE  # person.certified too
        if isinstance(expr, (ast.Name, ast.Attribute)):
            found = self._definition(expr, file)
            if found is None:
                return _NOTHING  # a member, a parameter, a list
            return self._definition_reads(*found)
        if isinstance(expr, ast.Member) and self._is_certified(expr.collection, file):
            item, item_file = self._alias(expr.item, file)
            if _is_fact(item, "claim", "condition"):
                return _Reads(True, frozenset({"claim.condition"}), certified_claim=True)
            if isinstance(item, ast.Name):
                binding = self.scopes[item_file].get(item.name)
                if binding is not None and binding.kind == "member" and "condition" in binding.kinds:
                    return _Reads(True, certified_named=frozenset({item.name}))
            return _UNPROVABLE  # which conditions it asks about is not known
        reads = _NOTHING
        for child in _children(expr):
            reads = reads | self._reads(child, file)
            if not reads.ok:
                break
        return reads

    def _definition_reads(self, file: str, name: str) -> _Reads:
        """What the let NAME of FILE reads, worked out once per let."""
        cache = self.__dict__.setdefault("_reads_of_let", {})
        key = (file, name)
        if key not in cache:
            cache[key] = _UNPROVABLE  # a cycle (the checker reports cycles first) proves nothing
            cache[key] = self._reads(self.scopes[file][name].node.value, file)
        return cache[key]

    def _definition(self, expr, file) -> tuple[str, str] | None:
        """(file, name) of the let that the name or ``module.name`` EXPR stands for, if it is one."""
        if isinstance(expr, ast.Attribute):
            if not isinstance(expr.target, ast.Name):
                return None
            module = self.scopes[file].get(expr.target.name)
            if module is None or module.kind != "module":
                return None
            file, name = module.file, expr.name
        elif isinstance(expr, ast.Name):
            name = expr.name
        else:
            return None
        binding = self.scopes.get(file, {}).get(name)
        if binding is None or binding.kind != "let":
            return None
        return binding.file, name

    def _alias(self, expr, file):
        """EXPR with the lets it merely renames followed: ``(expression, file)``."""
        found = self._definition(expr, file)
        if found is None:
            return expr, file
        cache = self.__dict__.setdefault("_alias_of_let", {})
        if found not in cache:
            cache[found] = (expr, file)  # a cycle (the checker reports cycles first) stops here
            cache[found] = self._alias(self.scopes[found[0]][found[1]].node.value, found[0])
        return cache[found]

    def _is_certified(self, expr, file) -> bool:
        return _is_fact(self._alias(expr, file)[0], "person", "certified")

    def _guards_hold(self, guards: tuple, point: dict, file: str) -> bool:
        """Whether a probe point takes every branch in ``guards``; a condition that cannot be judged
        on the point (it reads other facts) is taken to hold, as a table must then serve both ways."""
        for condition, outcome in guards:
            try:
                if bool(evaluate(condition, ProbeEnvironment(self, file, point))) != outcome:
                    return False
            except (EvaluationError, ArithmeticError, ValueError, OverflowError):
                continue
        return True

    def _domain(self, fact: str) -> list:
        root, field = fact.split(".")
        t = FACT_ROOTS[root][field]
        if t == "bool":
            return [False, True]
        values = self._enum_members(base_type(t)[5:])
        return values + ([None] if t.startswith("opt:") else [])

    def _check_tables(self, b: ast.Benefit, points: list[dict], file: str) -> None:
        exprs = [b.ratio, b.visit_cap, b.deductible.amount if b.deductible else None,
                 b.pays.amount if b.pays else None]
        exprs += [c.amount for c in b.annual_caps] + [a.points for a in b.adjustments]
        for expr in exprs:
            if expr is None:
                continue
            for lookup, guards in _guarded_lookups(expr, ()):
                if not isinstance(lookup.key, ast.Attribute):
                    continue
                key = f"{lookup.key.target.name}.{lookup.key.name}" if isinstance(lookup.key.target, ast.Name) else ""
                if key not in _FINITE:
                    continue
                rows = {entry.key for entry in lookup.entries}
                # Only the claims the enclosing `if` / `cases` branches send to this table need a row.
                reached = [p for p in points if self._guards_hold(guards, p, file)]
                if all(key in p for p in reached):
                    received = {p[key] for p in reached}
                    needed = sorted(received - rows, key=str)
                    if received:  # no claim takes the branch at all: that is not a row's fault
                        self._dead_rows(b, key, lookup, received, bool(guards))
                else:  # the conditions do not read the fact: any value may come
                    needed = sorted(set(self._domain(key)) - rows, key=str)
                if lookup.default is not None:
                    continue
                for value in needed:
                    if value is None:
                        self.error(msg("E117.absent", key=key, benefit=b.id), lookup.span, help=msg("E117.absent.help"))
                        continue
                    shown = f'"{value}"' if key == "claim.level" else str(value)
                    self.error(msg("E117.row", key=key, value=shown, benefit=b.id), lookup.span,
                               help=msg("E117.row.help"))

    def _dead_rows(self, b: ast.Benefit, key: str, lookup: ast.Lookup, received: set, branched: bool) -> None:
        """Keep the rows of ``lookup`` for values outside ``received`` (an `else` row is never one)."""
        dead = [entry for entry in lookup.entries if entry.key not in received]
        if dead:
            shown = tuple(v for v in self._domain(key) if v in received)
            self.dead_rows.extend(DeadRow(b, key, entry, shown, branched) for entry in dead)


def _guarded_lookups(e, guards: tuple) -> list[tuple[ast.Lookup, tuple]]:
    """Every table in ``e`` with the (condition, outcome) pairs of the branches that lead to it."""
    if isinstance(e, ast.IfElse):
        return (_guarded_lookups(e.condition, guards) + _guarded_lookups(e.then, guards + ((e.condition, True),))
                + _guarded_lookups(e.otherwise, guards + ((e.condition, False),)))
    if isinstance(e, ast.Cases):
        found, before = [], guards
        for branch in e.branches:
            found += _guarded_lookups(branch.condition, before)
            found += _guarded_lookups(branch.value, before + ((branch.condition, True),))
            before += ((branch.condition, False),)
        return found + _guarded_lookups(e.default, before)
    found = [(e, guards)] if isinstance(e, ast.Lookup) else []
    for child in _children(e):
        found.extend(_guarded_lookups(child, guards))
    return found


def _is_fact(e, root: str, field: str) -> bool:
    return isinstance(e, ast.Attribute) and isinstance(e.target, ast.Name) \
        and e.target.name == root and e.name == field


def _children(e) -> list:
    if isinstance(e, ast.Lookup):
        return [e.key] + [x.value for x in e.entries] + ([e.default] if e.default else [])
    if isinstance(e, ast.Cases):
        return [x for b in e.branches for x in (b.condition, b.value)] + [e.default]
    out = []
    for field in ("target", "operand", "left", "right", "item", "collection", "condition", "then",
                  "otherwise", "value", "fallback"):
        child = getattr(e, field, None)
        if isinstance(child, ast.Expr):
            out.append(child)
    for field in ("args", "operands", "items"):
        out.extend(getattr(e, field, ()) or ())
    return out
