"""Lowering checked expressions to closures (part of the compile stage).

:class:`ExpressionCompiler` turns each expression of a checked policy into a
:class:`Code`: a Python closure ``fn(frame)`` plus what is known of it at
load time — its type, the facts it reads and, when it reads none, its value.
Names are resolved here once: parameters and lists become constants,
operations are picked from the checked operand types
(:data:`~medpolicy.values.RAW_OPERATIONS`), tables become dictionaries.
Evaluating a ``Code`` does no name lookup and walks no tree.

A ``let`` is computed at most once per :class:`Frame` scope: once per
scenario when it reads only person and policy facts, once per claim when it
reads the claim, and at load time when it reads nothing.  So a chain of lets
that reuse each other costs one evaluation per let, not one per path.

Values are raw: money, percentages (in points) and numbers are ``Decimal``,
months and days an ``int``, dates ``datetime.date``, members their id (``str``).
While explaining, a frame's ``trace`` collects :class:`~medpolicy.explain.Detail`
items saying which table row, named value or counter decided a value.
"""
from __future__ import annotations

import operator
from decimal import Decimal
from typing import Callable, Optional

import attrs

from . import ast
from .explain import Detail
from .facts import EARLIER_FIELDS, FACT_ROOTS
from .model import Policy
from .values import OPERATIONS, RAW_OPERATIONS, age, end_of_year, typed, typer

_NOT_CONSTANT = object()
_ZEROS = {"money": Decimal(0), "number": Decimal(0), "days": 0}
"""What a history's ``sum`` is when no earlier claim matches, by the type it adds up."""


class Frame:
    """What compiled code reads: the person, the claim being paid, the year's counters.

    ``person_lets`` is shared by every frame of one scenario; ``claim_lets``
    belongs to one claim (or visit).  ``trace`` is a list while explaining and
    None otherwise.  ``benefit`` is the id of the benefit paying the claim
    (``claim.benefit``): kept here, not on the claim, so that a scenario's
    claims are read as they are, never copied.  ``earlier`` is the year's
    settled claims before this visit (:class:`Earlier`), which ``history``
    declarations read.
    """

    __slots__ = ("person", "claim", "counters", "person_lets", "claim_lets", "trace", "benefit", "earlier")

    def __init__(self, person, claim, counters, person_lets, claim_lets, trace, benefit=None, earlier=()):
        self.person = person
        self.claim = claim
        self.counters = counters
        self.person_lets = person_lets
        self.claim_lets = claim_lets
        self.trace = trace
        self.benefit = benefit
        self.earlier = earlier

    def take(self) -> tuple:
        """The details traced since the last take, without repeats; starts a new trace."""
        trace = self.trace
        if trace is None:
            return ()
        self.trace = []
        if len(trace) < 2:
            return tuple(trace)
        return _unique(trace)


class Earlier:
    """One settled claim of the year, as a ``history`` reads it (``earlier.*``): the claim's
    facts, the benefit that took it and what the basic fund paid on it."""

    __slots__ = ("claim", "benefit", "basic_fund")

    def __init__(self, claim, benefit: str, basic_fund: Decimal):
        self.claim, self.benefit, self.basic_fund = claim, benefit, basic_fund


def _unique(details: list) -> tuple:
    """Details in first-seen order, each once (a value read twice is explained once)."""
    seen, out = set(), []
    for item in details:
        key = (item.kind, item.name, item.key)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return tuple(out)


@attrs.frozen
class Code:
    """One compiled expression."""

    fn: Callable[[Frame], object]
    type: str
    """Its checked type (see :mod:`medpolicy.values`)."""
    facts: frozenset = frozenset()
    """Facts it reads: ``claim.level``, ``person.assistance``, ``counter``,
    ``certified:claim.condition`` / ``certified:<id>`` (membership of the claim's
    condition, or of a named condition, in ``person.certified``)."""
    size: int = 1
    """Nodes evaluated at most, for the step budget."""
    value: object = _NOT_CONSTANT
    """The value, when it is known at load time and tracing it says nothing."""

    @property
    def constant(self) -> bool:
        return self.value is not _NOT_CONSTANT

    @property
    def reads_claim(self) -> bool:
        return any(f.startswith(("claim.", "certified:claim")) for f in self.facts)


def _on(value, fr, one):
    """``value`` read on the earlier claim ``one`` (a history's scan restores ``fr.earlier`` after)."""
    fr.earlier = one
    return value(fr)


def _const(value, type_: str) -> Code:
    return Code(lambda fr: value, type_, value=value)


def _base(t: str) -> str:
    return t[4:] if t.startswith("opt:") else t


def _join(types: list[str]) -> str:
    optional = any(t.startswith("opt:") for t in types)
    bases = [_base(t) for t in types]
    chosen = next((b for b in bases if not b.startswith("sym") and not b.endswith(":sym:")), bases[0])
    return ("opt:" + chosen) if optional else chosen


class ExpressionCompiler:
    """Compiles the expressions of one checked policy; lets are compiled once."""

    def __init__(self, policy: Policy):
        self.policy = policy
        self.scopes = policy.scopes
        self.definitions: dict[tuple[str, str], Code] = {}
        """(file, name) → the compiled param, let or list, compiled once."""
        self.policy_facts = {"start": policy.start, "end": policy.end,
                             "collection_start": policy.collection_start,
                             "collection_end": policy.collection_end}

    def compile(self, e: ast.Expr, file: str) -> Code:
        return self._compile(e, file)

    def prepare(self) -> None:
        """Compile every definition once, those it uses first.

        Compiling bottom-up keeps the compiler's own recursion as shallow as one
        definition's expression, however long a chain of definitions is.
        """
        for key in _definition_order(self.scopes):
            file, name = key
            binding = self.scopes[file][name]
            self._definition(binding, name)

    # -- dispatch
    def _compile(self, e, file: str) -> Code:
        method = getattr(self, "_" + type(e).__name__.lower())
        return method(e, file)

    def _children(self, codes: list[Code], fn, type_: str, extra_facts=frozenset()) -> Code:
        facts = frozenset().union(extra_facts, *(c.facts for c in codes))
        size = 1 + sum(c.size for c in codes)
        if all(c.constant for c in codes) and not extra_facts:
            try:
                return Code(fn, type_, facts, size, fn(None))
            except (ArithmeticError, ValueError, OverflowError):
                pass  # out of range: left to evaluation, which reports it
        return Code(fn, type_, facts, size)

    # -- leaves
    def _literal(self, e: ast.Literal, file):
        kind = "text" if e.kind == "string" else e.kind
        return _const(e.value, kind)

    def _unstated(self, e, file):
        return _const(None, "unstated")

    def _name(self, e: ast.Name, file):
        binding = self.scopes[file][e.name]
        if binding.kind == "member":
            kinds = sorted(binding.kinds)
            return _const(e.name, "enum:" + kinds[0] if len(kinds) == 1 else "sym:" + ",".join(kinds))
        if binding.kind in ("param", "list", "let"):
            return self._definition(binding, e.name)
        if binding.kind == "counter":
            return self._counter(binding.node)
        if binding.kind == "history":
            return self._history(binding)
        raise AssertionError(f"{binding.kind} {e.name} in an expression")  # the checker forbids it

    def _counter(self, counter: ast.Counter) -> Code:
        name, label = counter.id, counter.label

        def read(fr):
            count = fr.counters.get(name, 0)
            if fr.trace is not None:
                fr.trace.append(Detail("counter", name, label, count))
            return Decimal(count)

        return Code(read, "number", frozenset({"counter"}))

    def _history(self, binding) -> Code:
        """A ``history``: one scan of the earlier claims per claim frame, kept in ``claim_lets``."""
        key = ("history", binding.file, binding.node.id)
        code = self.definitions.get(key)
        if code is not None:
            return code
        node: ast.History = binding.node
        where = self._compile(node.where, binding.file).fn if node.where is not None else None
        measure, name, label = node.measure, node.id, node.label
        value, type_ = None, "number"
        if node.value is not None:
            code = self._compile(node.value, binding.file)
            value, type_ = code.fn, ("opt:" if measure == "last" else "") + _base(code.type)
        wrap = typer(type_)

        def scan(fr):
            """(value, ids of the earlier claims it read): the current claim stays ``fr.claim``, and
            ``fr.earlier`` is swapped for one earlier claim at a time while ``where`` and the value run."""
            matched = []
            saved, trace = fr.earlier, fr.trace
            fr.trace = None  # what decided each earlier claim's test is not this claim's explanation
            try:
                for one in saved:
                    fr.earlier = one
                    if where is None or where(fr):
                        matched.append(one)
                if measure == "count":
                    result = Decimal(len(matched))
                elif measure == "sum":
                    result = sum((_on(value, fr, one) for one in matched), _ZEROS[type_])
                elif matched:  # last: the latest match, the one the explanation names
                    matched = matched[-1:]
                    result = _on(value, fr, matched[0])
                else:
                    result = None
            finally:
                fr.earlier, fr.trace = saved, trace
            return result, tuple(one.claim.id for one in matched)

        def read(fr):
            hit = fr.claim_lets.get(key)
            if hit is None:
                hit = fr.claim_lets[key] = scan(fr)
            if fr.trace is not None:
                fr.trace.append(Detail("history", name, label, wrap(hit[0]), claims=hit[1]))
            return hit[0]

        code = Code(read, type_, frozenset({"history"}))
        self.definitions[key] = code
        return code

    def _definition(self, binding, name: str) -> Code:
        key = (binding.file, name)
        code = self.definitions.get(key)
        if code is not None:
            return code
        if binding.kind == "param":
            node = binding.node
            code = _const(None, "opt:" + node.declared_type) if node.value is None else \
                self._compile(node.value, binding.file)
        elif binding.kind == "list":
            code = self._compile(binding.node.items, binding.file)
        else:
            code = self._let(binding, name)
        self.definitions[key] = code
        return code

    def _let(self, binding, name: str) -> Code:
        key = (binding.file, name)
        node: ast.Let = binding.node
        body = self._compile(node.value, binding.file)
        label = node.label or ""
        body_fn, type_ = body.fn, body.type
        if body.constant:
            detail = Detail("let", name, label, typed(type_, body.value))
            value = body.value

            def read_constant(fr):
                if fr is not None and fr.trace is not None:
                    fr.trace.append(detail)
                return value

            code = Code(read_constant, type_, body.facts, 1)
        else:
            per_claim = body.reads_claim
            wrap = typer(type_)

            def read(fr):
                cache = fr.claim_lets if per_claim else fr.person_lets
                hit = cache.get(key)
                trace = fr.trace
                if hit is None or (trace is not None and hit[1] is None):
                    if trace is None:
                        hit = (body_fn(fr), None)
                    else:
                        # What decided the let is kept with its value, so that every
                        # later read explains it the same way.
                        fr.trace = inner = []
                        try:
                            value = body_fn(fr)
                        finally:
                            fr.trace = trace
                        inner.append(Detail("let", name, label, wrap(value)))
                        hit = (value, _unique(inner))
                    cache[key] = hit
                if trace is not None:
                    trace.extend(hit[1])
                return hit[0]

            # A let is computed once per scope, so reading it costs one step here.
            code = Code(read, type_, body.facts, 1)
        return code

    def _attribute(self, e: ast.Attribute, file):
        target = e.target
        if isinstance(target, ast.Name) and target.name == "earlier":
            return self._earlier(e.name)
        if isinstance(target, ast.Name) and target.name in FACT_ROOTS and target.name not in self.scopes[file]:
            root, field = target.name, e.name
            type_ = FACT_ROOTS[root][field]
            if root == "policy":
                return _const(self.policy_facts[field], type_)
            get = operator.attrgetter(field)
            if root == "person":
                return Code(lambda fr: get(fr.person), type_, frozenset({f"person.{field}"}))
            if field == "benefit":
                return Code(lambda fr: fr.benefit, type_, frozenset({"claim.benefit"}))
            return Code(lambda fr: get(fr.claim), type_, frozenset({f"claim.{field}"}))
        binding = self.scopes[file][target.name]  # a module alias: the checker allows nothing else
        return self._name(ast.Name(e.name, span=e.span), binding.file)

    def _earlier(self, field: str) -> Code:
        """``earlier.FIELD``: read from the earlier claim a history's scan has put in the frame."""
        get = operator.attrgetter(field if field in ("benefit", "basic_fund") else "claim." + field)
        return Code(lambda fr: get(fr.earlier), EARLIER_FIELDS[field], frozenset({f"earlier.{field}"}))

    # -- operations
    def _call(self, e: ast.Call, file):
        args = [self._compile(a, file) for a in e.args]
        fns = [a.fn for a in args]
        if e.function == "known":
            (f,) = fns
            return self._children(args, lambda fr: f(fr) is not None, "bool")
        if e.function == "end_of_year":
            (f,) = fns
            return self._children(args, lambda fr: end_of_year(f(fr)), "date")
        if e.function == "age":
            birth, on = fns
            return self._children(args, lambda fr: age(birth(fr), on(fr)), "number")
        pick = min if e.function == "min" else max
        if len(fns) == 2:
            a, b = fns
            return self._children(args, lambda fr: pick(a(fr), b(fr)), _join([x.type for x in args]))
        return self._children(args, lambda fr: pick([f(fr) for f in fns]), _join([x.type for x in args]))

    def _unary(self, e: ast.Unary, file):
        operand = self._compile(e.operand, file)
        f = operand.fn
        if e.op == "not":
            return self._children([operand], lambda fr: not f(fr), "bool")
        return self._children([operand], lambda fr: -f(fr), operand.type)

    def _binary(self, e: ast.Binary, file):
        left, right = self._compile(e.left, file), self._compile(e.right, file)
        signature = (e.op, _base(left.type), _base(right.type))
        op, result = RAW_OPERATIONS[signature], OPERATIONS[signature][0]
        a, b = left.fn, right.fn
        return self._children([left, right], lambda fr: op(a(fr), b(fr)), result)

    def _compare(self, e: ast.Compare, file):
        left, right = self._compile(e.left, file), self._compile(e.right, file)
        a, b = left.fn, right.fn
        if e.op == "==":
            fn = lambda fr: a(fr) == b(fr)  # noqa: E731
        elif e.op == "!=":
            fn = lambda fr: a(fr) != b(fr)  # noqa: E731
        else:
            cmp = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}[e.op]

            def fn(fr):
                x, y = a(fr), b(fr)
                return False if x is None or y is None else cmp(x, y)
        return self._children([left, right], fn, "bool")

    def _member(self, e: ast.Member, file):
        item, collection = self._compile(e.item, file), self._compile(e.collection, file)
        extra = frozenset()
        if collection.facts == {"person.certified"}:
            # Which memberships a benefit's condition depends on, for choosing benefits
            # by a table of finite facts (see compiler.BenefitChooser).
            if item.constant:
                extra = frozenset({f"certified:{item.value}"})
            elif item.facts == {"claim.condition"} and isinstance(e.item, ast.Attribute):
                extra = frozenset({"certified:claim.condition"})
        i, c, negated = item.fn, collection.fn, e.negated
        if collection.constant:
            members = frozenset(collection.value)

            def fn(fr):
                return (i(fr) not in members) if negated else (i(fr) in members)
        elif negated:
            def fn(fr):
                x = i(fr)
                return x is None or x not in c(fr)
        else:
            def fn(fr):
                x = i(fr)
                return x is not None and x in c(fr)
        code = self._children([item, collection], fn, "bool")
        if extra:
            code = attrs.evolve(code, facts=(code.facts - {"person.certified"}) | extra)
        return code

    def _logic(self, e: ast.Logic, file):
        parts = [self._compile(x, file) for x in e.operands]
        fns = tuple(p.fn for p in parts)
        if e.op == "and":
            if len(fns) == 2:
                a, b = fns
                fn = lambda fr: bool(a(fr) and b(fr))  # noqa: E731
            else:
                fn = lambda fr: all(f(fr) for f in fns)  # noqa: E731
        elif len(fns) == 2:
            a, b = fns
            fn = lambda fr: bool(a(fr) or b(fr))  # noqa: E731
        else:
            fn = lambda fr: any(f(fr) for f in fns)  # noqa: E731
        return self._children(parts, fn, "bool")

    def _ifelse(self, e: ast.IfElse, file):
        cond, then, other = (self._compile(x, file) for x in (e.condition, e.then, e.otherwise))
        c, t, o = cond.fn, then.fn, other.fn
        return self._children([cond, then, other], lambda fr: t(fr) if c(fr) else o(fr), _join([then.type, other.type]))

    def _default(self, e: ast.Default, file):
        value, fallback = self._compile(e.value, file), self._compile(e.fallback, file)
        v, f = value.fn, fallback.fn

        def fn(fr):
            x = v(fr)
            return f(fr) if x is None else x

        return self._children([value, fallback], fn, fallback.type)

    def _listexpr(self, e: ast.ListExpr, file):
        items = [self._compile(x, file) for x in e.items]
        fns = tuple(x.fn for x in items)
        inner = _join([x.type for x in items]) if items else "sym:"
        return self._children(items, lambda fr: tuple(f(fr) for f in fns), "list:" + inner)

    def _lookup(self, e: ast.Lookup, file):
        key = self._compile(e.key, file)
        rows = {entry.key: self._compile(entry.value, file) for entry in e.entries}
        default = self._compile(e.default, file) if e.default is not None else None
        codes = [key, *rows.values()] + ([default] if default else [])
        type_ = _join([c.type for c in [*rows.values()] + ([default] if default else [])])
        key_fn = key.fn
        table = {k: c.fn for k, c in rows.items()}
        fallback = default.fn if default is not None else None
        name, label, kind = _describe_key(e.key, self, file), _key_label(e.key, self, file), _base(key.type)[5:]
        wrap = typer(type_)

        def fn(fr):
            k = key_fn(fr)
            row = table.get(k)
            otherwise = row is None
            if otherwise:
                row = fallback
            value = row(fr)
            if fr is not None and fr.trace is not None:
                fr.trace.append(Detail("row", name, label, wrap(value), k, kind, otherwise))
            return value

        code = self._children(codes, fn, type_)
        # A table keyed by a constant still explains its row: never fold it silently.
        return attrs.evolve(code, value=_NOT_CONSTANT) if code.constant else code

    def _cases(self, e: ast.Cases, file):
        branches = [(self._compile(b.condition, file), self._compile(b.value, file)) for b in e.branches]
        default = self._compile(e.default, file)
        pairs = tuple((c.fn, v.fn) for c, v in branches)
        d = default.fn

        def fn(fr):
            for cond, value in pairs:
                if cond(fr):
                    return value(fr)
            return d(fr)

        codes = [x for pair in branches for x in pair] + [default]
        return self._children(codes, fn, _join([v.type for _, v in branches] + [default.type]))


def _definition_order(scopes: dict) -> list[tuple[str, str]]:
    """Every param, let and list, each after the definitions it reads (no recursion)."""
    deps: dict[tuple[str, str], list] = {}
    for file, scope in scopes.items():
        for name, binding in scope.items():
            if binding.kind in ("param", "let", "list"):
                deps[(file, name)] = _reads(binding, scopes)
    order, done = [], set()
    for root in deps:
        stack = [(root, iter(deps[root]))]
        seen = {root}
        while stack:
            key, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                if key not in done:
                    done.add(key)
                    order.append(key)
            elif child in deps and child not in done and child not in seen:
                seen.add(child)
                stack.append((child, iter(deps[child])))
    return order


def _reads(binding, scopes: dict) -> list[tuple[str, str]]:
    """The definitions a definition's expression names directly."""
    node = binding.node
    root = node.items if binding.kind == "list" else node.value
    found, stack = [], [root] if root is not None else []
    scope = scopes[binding.file]
    while stack:
        e = stack.pop()
        if isinstance(e, ast.Name):
            target = scope.get(e.name)
            if target is not None and target.kind in ("param", "let", "list"):
                found.append((target.file, e.name))
            continue
        if isinstance(e, ast.Attribute) and isinstance(e.target, ast.Name):
            alias = scope.get(e.target.name)
            if alias is not None and alias.kind == "module":
                found.append((alias.file, e.name))
                continue
        for field in attrs.fields(type(e)):
            value = getattr(e, field.name)
            if isinstance(value, (ast.Expr, ast.LookupEntry, ast.CaseBranch)):
                stack.append(value)
            elif isinstance(value, tuple):
                stack.extend(v for v in value if isinstance(v, (ast.Expr, ast.LookupEntry, ast.CaseBranch)))
    return found


def _describe_key(expr, compiler: ExpressionCompiler, file: str) -> str:
    if isinstance(expr, ast.Attribute) and isinstance(expr.target, ast.Name):
        return f"{expr.target.name}.{expr.name}"
    if isinstance(expr, ast.Name):
        return expr.name
    return "key"


def _key_label(expr, compiler: ExpressionCompiler, file: str) -> str:
    if isinstance(expr, ast.Name):
        binding = compiler.scopes[file].get(expr.name)
        if binding is not None and binding.node is not None:
            return getattr(binding.node, "label", None) or ""
    return ""


def evaluate_constant(code: Code) -> Optional[object]:
    """The value of a code that reads no fact (a cap amount, a band edge)."""
    if code.constant:
        return code.value
    return code.fn(Frame(None, None, {}, {}, {}, None))
