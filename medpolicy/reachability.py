"""Which claims can reach which benefit, decided exactly.

A benefit's ``when`` may read only facts with few values (care, level,
condition, pediatric, location, filing, assistance, long-term care, and
whether the claim's condition is certified).  Trying every combination finds
benefits that can never match or are always shadowed by higher priorities,
and table lookups missing a row for a value a benefit can receive.  A
condition that reads any other fact proves nothing and is skipped.
:class:`Reachability` is mixed into the checker.
"""
from __future__ import annotations

import itertools

from . import ast
from .errors import EvaluationError
from .expressions import evaluate
from .facts import FACT_ROOTS, FINITE_CLAIM_FIELDS, FINITE_PERSON_FIELDS
from .typecheck import ConstantEnvironment, base_type

_FINITE = {f"claim.{f}" for f in FINITE_CLAIM_FIELDS} | {f"person.{f}" for f in FINITE_PERSON_FIELDS}


class ProbeEnvironment(ConstantEnvironment):
    """Evaluates benefit conditions on one combination of finite facts."""

    def __init__(self, checker, file: str, point: dict):
        super().__init__(checker, file)
        self.point = point

    def in_file(self, file: str) -> "ProbeEnvironment":
        return ProbeEnvironment(self.checker, file, self.point)

    def fact(self, root, field):
        key = f"{root}.{field}"
        if key == "person.certified":
            return _CertifiedProbe(self.point.get("certified", False))
        if key in self.point:
            return self.point[key]
        return super().fact(root, field)


class _CertifiedProbe(tuple):
    """Stands for ``person.certified``: whether the claim's condition is certified."""

    def __new__(cls, certified: bool):
        obj = super().__new__(cls, ())
        obj.certified = certified
        return obj

    def __contains__(self, item):
        return self.certified


# ------------------------------------------------------------------- checker


class Reachability:
    """Benefit reachability; mixed into the checker."""

    def _check_reachability(self, benefits: list[ast.Benefit], file: str) -> None:
        """Find benefits no claim can reach, and table rows that are missing."""
        whens = [b.when for b in benefits]
        facts = set()
        for w in whens:
            if not self._collect_finite(w, file, facts):
                return  # a condition reads a non-finite fact: nothing can be proved
        axes = [(name, self._domain(name)) for name in sorted(facts)]
        winners: dict[str, list[dict]] = {b.id: [] for b in benefits}
        matched: set[str] = set()
        for combo in itertools.product(*[values for _, values in axes]):
            point = {name: value for (name, _), value in zip(axes, combo)}
            env = ProbeEnvironment(self, file, point)
            won = False
            for b in benefits:
                try:
                    hit = evaluate(b.when, env)
                except (EvaluationError, ArithmeticError, ValueError, OverflowError):
                    return  # a condition that cannot be probed proves nothing
                if hit:
                    matched.add(b.id)
                    if not won:
                        winners[b.id].append(point)
                        won = True
        for b in benefits:
            if b.id not in matched:
                self.error("E115", f"benefit '{b.id}' can never match: its `when` is false for every claim",
                           b.when.span, help="check the levels, care types and conditions it names")
            elif not winners[b.id]:
                self.error("E116", f"benefit '{b.id}' can never receive a claim: higher-priority benefits "
                           "take every claim it matches", b.span,
                           help="raise its priority or narrow the benefits above it")
        for b in benefits:
            if winners[b.id]:
                self._check_tables(b, winners[b.id], file)

    def _collect_finite(self, expr, file, facts: set) -> bool:
        """Gather the finite facts ``expr`` reads; False if it reads any other."""
        ok = True

        def walk(e):
            nonlocal ok
            if isinstance(e, ast.Attribute) and isinstance(e.target, ast.Name) and e.target.name in FACT_ROOTS:
                key = f"{e.target.name}.{e.name}"
                if key == "person.certified":
                    facts.add("certified")
                elif key in _FINITE:
                    facts.add(key)
                elif e.target.name != "policy":
                    ok = False
                return
            if isinstance(e, ast.Attribute) and isinstance(e.target, ast.Name):
                binding = self.scopes[file].get(e.target.name)
                if binding is not None and binding.kind == "module":
                    inner = self.scopes.get(binding.file, {}).get(e.name)
                    if inner is not None and inner.kind == "let":
                        ok = ok and self._collect_finite(inner.node.value, binding.file, facts)
                return
            if isinstance(e, ast.Name):
                binding = self.scopes[file].get(e.name)
                if binding is not None and binding.kind == "let":
                    ok = ok and self._collect_finite(binding.node.value, binding.file, facts)
                return
            for child in _children(e):
                walk(child)

        walk(expr)
        return ok

    def _domain(self, fact: str) -> list:
        if fact == "certified":
            return [False, True]
        root, field = fact.split(".")
        t = FACT_ROOTS[root][field]
        if t == "bool":
            return [False, True]
        values = self._enum_members(base_type(t)[5:])
        return values + ([None] if t.startswith("opt:") else [])

    def _check_tables(self, b: ast.Benefit, points: list[dict], file: str) -> None:
        exprs = [b.ratio, b.visit_cap, b.deductible.amount if b.deductible else None]
        exprs += [c.amount for c in b.annual_caps] + [a.points for a in b.adjustments]
        for expr in exprs:
            if expr is None:
                continue
            for lookup in _lookups(expr):
                if lookup.default is not None or not isinstance(lookup.key, ast.Attribute):
                    continue
                key = f"{lookup.key.target.name}.{lookup.key.name}" if isinstance(lookup.key.target, ast.Name) else ""
                rows = {entry.key for entry in lookup.entries}
                if key in _FINITE and all(key in p for p in points):
                    needed = sorted({p[key] for p in points} - rows, key=str)
                elif key in _FINITE:
                    needed = sorted(set(self._domain(key)) - rows, key=str)
                else:
                    continue
                for value in needed:
                    shown = "absent" if value is None else (f'"{value}"' if key == "claim.level" else value)
                    self.error("E117", f"the table has no row for {key} = {shown}, which benefit '{b.id}' can receive",
                               lookup.span, help="add `else: …` (no row can name an absent value)" if value is None
                               else "add the row, or `else: …`")


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


def _lookups(e) -> list[ast.Lookup]:
    found = [e] if isinstance(e, ast.Lookup) else []
    for child in _children(e):
        found.extend(_lookups(child))
    return found
