"""What each name of a parsed program is, and where every use of one stands.

The editor's features (hover, go-to-definition, completion) ask two questions
of a policy: which declarations are in scope in a file, and what is written
at a position.  :func:`build_index` answers both from a
:class:`~medpolicy.loader.Program` alone, without the checker, so that it works
on a policy that does not check yet.  Scopes follow the checker's rules
(:meth:`medpolicy.checker._Checker._build_scope`): each file sees its own
declarations and its imports' aliases; the main file also sees its
conditions, categories and benefits as members; every file sees the built-in members
(:data:`medpolicy.facts.BUILTIN_ENUMS`).  Spans are the parser's: 1-based
lines and columns, end column exclusive.
"""
from __future__ import annotations

import bisect
import re
from typing import Any, Optional

import attrs

from .. import ast
from ..facts import BUILTIN_ENUMS, EARLIER_FIELDS, FACT_ROOTS
from ..loader import Program
from ..span import Span
from ..typecheck import FUNCTIONS


@attrs.frozen
class Symbol:
    """A declared name."""

    kind: str
    """``param``, ``let``, ``list``, ``counter``, ``cap``, ``source``, ``module``, ``level``,
    ``condition``, ``category``, ``benefit``, ``settlement``, ``payer``, ``adjustment``, ``deductible``
    (a shared deductible) or ``measure``."""
    name: str
    node: Any
    """The declaring node."""
    file: str
    """Display path of the declaring file."""
    span: Span
    """Where the name is written in its declaration."""
    target: str = ""
    """For a module alias: the module's display path."""

    @property
    def label(self) -> str | None:
        """What the declaration calls it: a param's label, a benefit's title, a level's name …"""
        node = self.node
        return getattr(node, "label", None) or getattr(node, "title", None) or getattr(node, "name", None)


@attrs.frozen
class Reference:
    """Something written in the main file that the editor can explain."""

    span: Span
    symbol: Optional[Symbol] = None
    fact: Optional[str] = None
    """``claim.level``, ``person.assistance``, or a root alone (``claim``)."""
    member: Optional[tuple[str, frozenset]] = None
    """A built-in member and the enumerations it belongs to (``inpatient``, {``care``})."""
    function: Optional[str] = None


@attrs.frozen
class Index:
    program: Program
    scopes: dict[str, dict[str, Symbol]]
    """Display path → name → symbol: what a name in an expression of that file means."""
    levels: dict[str, Symbol]
    """Level id → its declaration (levels are strings, not names)."""
    sources: dict[str, dict[str, Symbol]]
    """Display path → source id → declaration."""
    references: tuple[Reference, ...]
    """Every use and declaration of a name in the main file."""

    @property
    def main(self) -> str:
        return self.program.main.path

    def reference_at(self, line: int, column: int) -> Optional[Reference]:
        """The innermost reference around a 1-based position (its end included: a cursor just after a word)."""
        around = [r for r in self.references if _contains(r.span, line, column)]
        return min(around, key=lambda r: _extent(r.span), default=None)

    def names(self, file: str | None = None) -> dict[str, Symbol]:
        """The declared names in scope in ``file`` (default: the main file)."""
        return self.scopes.get(file or self.main, {})

    def module_names(self, alias: str, file: str | None = None) -> dict[str, Symbol]:
        """The names a module imported as ``alias`` declares."""
        symbol = self.names(file).get(alias)
        if symbol is None or symbol.kind != "module":
            return {}
        return {name: s for name, s in self.scopes.get(symbol.target, {}).items() if s.kind != "module"}

    def members(self, kind: str) -> list[Symbol]:
        """The main file's conditions, categories or benefits (``kind``), in the order they are declared.

        Not read from the scope: one word may be both a claim category and the benefit that pays it
        (``checkup``), and the scope keeps one meaning per word.
        """
        main = self.program.main
        found = []
        for decl in main.decls:
            if kind == "condition" and isinstance(decl, ast.Conditions):
                found += [Symbol(kind, c.id, c, main.path, c.span) for c in decl.conditions]
            elif kind == "category" and isinstance(decl, ast.Categories):
                found += [Symbol(kind, c.id, c, main.path, c.span) for c in decl.categories]
            elif kind == "benefit" and isinstance(decl, ast.Benefit):
                found.append(Symbol(kind, decl.id, decl, main.path, decl.span))
        return found


_KINDS = {ast.Param: "param", ast.Let: "let", ast.ListDecl: "list", ast.Counter: "counter", ast.CapDecl: "cap",
          ast.History: "history", ast.DeductiblePool: "deductible", ast.Measure: "measure",
          ast.Settlement: "settlement", ast.Adjustment: "adjustment"}
ROOTS = {**FACT_ROOTS, "earlier": EARLIER_FIELDS}
"""The fact roots an editor knows: the scenario's, and ``earlier`` inside a ``history``."""
_CITED_SOURCE = re.compile(r"cite\s+([^\W\d]\w*)")
_PAYER_NAME = re.compile(r"payer\s+([^\W\d]\w*)")
_IMPORTED_PATH = re.compile(r'import\s+("[^"\n]*")')


def _builtin_members() -> dict[str, frozenset]:
    """Each built-in member and the enumerations it belongs to (``none``: assistance, filing, absence)."""
    members: dict[str, frozenset] = {}
    for kind, names in BUILTIN_ENUMS.items():
        for name in names:
            members[name] = members.get(name, frozenset()) | {kind}
    return members


_BUILTIN_MEMBERS = _builtin_members()


def build_index(program: Program) -> Index:
    files = [program.main, *program.modules.values()]
    scopes = {file.path: _scope(file, program) for file in files}
    sources = {file.path: {d.id: Symbol("source", d.id, d, file.path, d.span)
                           for d in file.decls if isinstance(d, ast.Source)} for file in files}
    levels = {level.id: Symbol("level", level.id, level, program.main.path, level.span)
              for d in program.main.decls if isinstance(d, ast.Levels) for level in d.levels}
    index = Index(program, scopes, levels, sources, ())
    collector = _Collector(index, program.texts.get(program.main.path, ""))
    collector.visit((program.main.header, program.main.decls))
    return attrs.evolve(index, references=tuple(collector.found))


def _scope(file: ast.File, program: Program) -> dict[str, Symbol]:
    scope: dict[str, Symbol] = {}
    for decl in file.decls:
        if isinstance(decl, ast.Import):
            scope.setdefault(decl.alias, Symbol("module", decl.alias, decl, file.path, _alias_span(decl),
                                                program.imports.get((file.path, decl.alias), "")))
        elif isinstance(decl, (ast.Param, ast.Let, ast.ListDecl, ast.Counter, ast.CapDecl, ast.History,
                               ast.DeductiblePool, ast.Measure)):
            scope.setdefault(decl.id, Symbol(_KINDS[type(decl)], decl.id, decl, file.path, decl.span))
        elif file is program.main and isinstance(decl, ast.Conditions):
            for cond in decl.conditions:
                scope.setdefault(cond.id, Symbol("condition", cond.id, cond, file.path, cond.span))
        elif file is program.main and isinstance(decl, ast.Categories):
            for category in decl.categories:
                scope.setdefault(category.id, Symbol("category", category.id, category, file.path, category.span))
        elif file is program.main and isinstance(decl, ast.Benefit):
            scope.setdefault(decl.id, Symbol("benefit", decl.id, decl, file.path, decl.span))
    return scope


def _alias_span(decl: ast.Import) -> Span:
    """The alias is the last word of ``import "path" as alias``."""
    s = decl.span
    return Span(s.file, s.end_line, s.end_column - len(decl.alias), s.end_line, s.end_column)


def _contains(span: Span, line: int, column: int) -> bool:
    if span.line <= 0:
        return False
    end_line, end_column = (span.end_line, span.end_column) if span.end_line else (span.line, span.column + 1)
    return (span.line, span.column) <= (line, column) <= (end_line, end_column)


def _extent(span: Span) -> tuple[int, int]:
    return (span.end_line - span.line, span.end_column - span.column)


class _Collector:
    """Walks the main file's declarations and records each reference with what it means."""

    def __init__(self, index: Index, text: str):
        self.index = index
        self.file = index.main
        self.scope = index.names()
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.found: list[Reference] = []

    def visit(self, node) -> None:
        if isinstance(node, (tuple, list)):
            for item in node:
                self.visit(item)
            return
        if not attrs.has(type(node)):
            return
        if self._record(node):
            return
        for field in attrs.fields(type(node)):
            if field.name != "span":
                self.visit(getattr(node, field.name))

    def add(self, span: Span, **meaning) -> None:
        if span.line > 0:
            self.found.append(Reference(span, **meaning))

    def _record(self, node) -> bool:
        """Record what ``node`` says; True when its children need no visit."""
        if isinstance(node, ast.Attribute):
            return self._attribute(node)
        if isinstance(node, ast.Name):
            self._name(node.name, node.span)
        elif isinstance(node, ast.LookupEntry):
            if node.quoted:
                self._level(node.key, node.span)
            else:
                self._name(node.key, node.span)
        elif isinstance(node, ast.Literal) and isinstance(node.value, str):
            self._level(node.value, node.span)
        elif isinstance(node, ast.Call) and node.function in FUNCTIONS:
            s = node.span
            self.add(Span(s.file, s.line, s.column, s.line, s.column + len(node.function)), function=node.function)
        elif isinstance(node, ast.Cite):
            self._cite(node)
        elif isinstance(node, ast.Level):
            self._level(node.id, node.span)
        elif isinstance(node, (ast.Condition, ast.Category)):
            self._name(node.id, node.span)
        elif isinstance(node, ast.Source):
            self.add(node.span, symbol=self.index.sources[self.file].get(node.id))
        elif isinstance(node, ast.Import):
            self._import(node)
        elif isinstance(node, ast.CriticalIllness) and node.id != "critical_illness":
            self._payer(node)
        elif type(node) in _KINDS or isinstance(node, ast.Benefit):
            symbol = self.scope.get(node.id)
            if symbol is None or symbol.node is not node:  # a settlement, an adjustment, or a name declared twice
                symbol = Symbol(_KINDS.get(type(node), "benefit"), node.id, node, self.file, node.span)
            self.add(node.span, symbol=symbol)
        return False

    def _name(self, name: str, span: Span) -> None:
        if name in self.scope:
            self.add(span, symbol=self.scope[name])
        elif name in _BUILTIN_MEMBERS:
            self.add(span, member=(name, _BUILTIN_MEMBERS[name]))
        elif name in ROOTS:
            self.add(span, fact=name)

    def _level(self, level: str, span: Span) -> None:
        if level in self.index.levels:
            self.add(span, symbol=self.index.levels[level])

    def _attribute(self, node: ast.Attribute) -> bool:
        s = node.span
        name_span = Span(s.file, s.end_line, s.end_column - len(node.name), s.end_line, s.end_column)
        if isinstance(node.target, ast.Name) and node.target.name in ROOTS \
                and node.target.name not in self.scope:
            self.add(s, fact=f"{node.target.name}.{node.name}")
            return True
        if isinstance(node.target, ast.Name) and node.target.name in self.scope:
            member = self.index.module_names(node.target.name).get(node.name)
            if member is not None:
                self.add(name_span, symbol=member)
        return False

    def _import(self, node: ast.Import) -> None:
        alias = self.scope.get(node.alias)
        self.add(_alias_span(node), symbol=alias)
        path = self._match_at(node.span, _IMPORTED_PATH)
        module = self.index.program.imports.get((self.file, node.alias))
        if path is not None and module is not None:
            # The path stands for the module file itself: going to its definition opens it.
            self.add(path, symbol=Symbol("module", node.alias, node, module, Span(module, 1, 1, 1, 1), module))

    def _cite(self, cite: ast.Cite) -> None:
        found = self._match_at(cite.span, _CITED_SOURCE)
        if found is not None:
            self.add(found, symbol=self.index.sources[self.file].get(cite.source))

    def _payer(self, payer: ast.CriticalIllness) -> None:
        found = self._match_at(payer.span, _PAYER_NAME)
        if found is not None:
            self.add(found, symbol=Symbol("payer", payer.id, payer, self.file, found))

    def _match_at(self, span: Span, pattern: re.Pattern) -> Optional[Span]:
        """The span of ``pattern``'s group 1 matched where ``span`` starts (a name the node keeps no span for)."""
        if span.line <= 0 or span.line > len(self.line_starts):
            return None
        match = pattern.match(self.text, self.line_starts[span.line - 1] + span.column - 1)
        if match is None:
            return None
        return _span_of(self.file, self.line_starts, match.start(1), match.end(1))


def _span_of(file: str, line_starts: list[int], start: int, end: int) -> Span:
    line = bisect.bisect_right(line_starts, start)
    end_line = bisect.bisect_right(line_starts, end)
    return Span(file, line, start - line_starts[line - 1] + 1, end_line, end - line_starts[end_line - 1] + 1)
