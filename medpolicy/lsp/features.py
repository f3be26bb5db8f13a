"""What the language server answers, as plain functions of a buffer's text and analysis.

Nothing here knows the protocol: positions are 0-based lines and characters
counted in code points (the server converts them to the client's UTF-16),
and answers are small attrs records the server turns into LSP types.
:mod:`medpolicy.lsp.server` wires them to the protocol.
"""
from __future__ import annotations

import re
import textwrap
from typing import Optional

import attrs

from .. import ast
from ..errors import PolicyError
from ..facts import BUILTIN_ENUMS, FACT_ROOTS
from ..localize import SPECS, describe_type, say
from ..messages import value_label
from ..span import Span
from ..typecheck import FUNCTIONS
from .analysis import Analysis
from .index import ROOTS, Index, Symbol
from .keywords import BLOCK_RULES, expression_keywords, phrases
from .words import fact_note, function_note, word


@attrs.frozen
class Range:
    """0-based, end exclusive, in code points."""

    start_line: int
    start_character: int
    end_line: int
    end_character: int


@attrs.frozen
class Finding:
    """A diagnostic placed in the buffer."""

    range: Range
    severity: str
    code: str
    message: str


@attrs.frozen
class HoverText:
    markdown: str
    range: Range


@attrs.frozen
class Target:
    """Where a name is declared: a file (by display path) and the name's range there."""

    file: str
    range: Range


@attrs.frozen
class Completion:
    label: str
    kind: str
    """A symbol kind (``param``, ``condition`` …), ``member``, ``fact``, ``function``, ``level`` or ``keyword``."""
    detail: str = ""
    insert: Optional[str] = None
    """The text to insert, when not the label."""


# ------------------------------------------------------------------ positions

def span_range(span: Span, text: str) -> Range:
    """The range of a span; a span that marks only a position covers the word there (or one character)."""
    if span.line <= 0:
        return Range(0, 0, 0, 0)
    line, column = span.line - 1, max(span.column - 1, 0)
    if span.end_line and (span.end_line, span.end_column) > (span.line, span.column):
        return Range(line, column, span.end_line - 1, span.end_column - 1)
    lines = text.split("\n")
    source = lines[line] if line < len(lines) else ""
    word_match = re.compile(r"\w+").match(source, column)
    end = word_match.end() if word_match else min(column + 1, len(source.rstrip("\r")))
    return Range(line, column, line, max(end, column))


# ---------------------------------------------------------------- diagnostics

_IMPORT = re.compile(r'^[ \t]*import\s+"([^"\n]*)"', re.M)


def findings(analysis: Analysis, lang: str) -> list[Finding]:
    """Every diagnostic of the analysis, placed in the buffer and worded in ``lang``.

    A problem in an imported module is shown on the ``import`` that brings it
    in, its own place named in the message.
    """
    found = []
    for diagnostic in analysis.diagnostics:
        message = diagnostic.text(lang)
        help_text = diagnostic.help_text(lang)
        if help_text:
            message += "\n" + say("render.help", lang, help=help_text).strip()
        if diagnostic.span.file == analysis.path:
            where = span_range(diagnostic.span, analysis.text)
        elif diagnostic.span.line > 0:
            where = _import_range(analysis.text, diagnostic.span.file)
            message = say("error.at", lang, path=str(diagnostic.span), message=message)
        else:  # about the policy as a whole (no benefit declared …): its first line
            where = Range(0, 0, 0, 0)
        found.append(Finding(where, diagnostic.severity, diagnostic.code, message))
    return found


def _import_range(text: str, file: str) -> Range:
    """The ``import`` line of the module ``file`` (a display path), else the first import, else the start."""
    imports = list(_IMPORT.finditer(text))
    best = next((m for m in imports if file.endswith(m.group(1))), imports[0] if imports else None)
    if best is None:
        return Range(0, 0, 0, 0)
    line = text.count("\n", 0, best.start())  # the match starts its line
    indent = len(best.group(0)) - len(best.group(0).lstrip())
    return Range(line, indent, line, len(best.group(0)))


# --------------------------------------------------------------------- hover

def hover(analysis: Analysis, line: int, character: int, lang: str) -> Optional[HoverText]:
    """What the name at a position is: its declaration as written, label and citation; or a fact, a member."""
    index = analysis.index
    ref = index.reference_at(line + 1, character + 1) if index is not None else None
    if index is None or ref is None:
        return None
    if ref.symbol is not None and ref.span == ref.symbol.span:  # the declaration itself: what it declares
        body = _describe_symbol(ref.symbol, index, lang)
    elif ref.symbol is not None:
        body = "\n\n---\n\n".join(_describe_symbol(s, index, lang) for s in _meanings(ref.symbol, index))
        builtin = frozenset(kind for kind, members in BUILTIN_ENUMS.items() if ref.symbol.name in members)
        if ref.symbol.kind in _MEMBER_KINDS and builtin:  # `inpatient`: a benefit, and a kind of care
            body += "\n\n---\n\n" + _describe_member(ref.symbol.name, builtin, lang)
    elif ref.fact is not None:
        body = _describe_fact(ref.fact, index, lang)
    elif ref.member is not None:
        body = _describe_member(*ref.member, lang)
    else:
        body = f"**{word('kind.function', lang)}** {function_note(ref.function or '', lang)}"
    return HoverText(body, span_range(ref.span, analysis.text)) if body else None


_MEMBER_KINDS = ("condition", "category", "benefit")


def _meanings(symbol: Symbol, index: Index) -> list[Symbol]:
    """Every declaration a word of the main file may stand for, ``symbol`` first.

    The checker reads a member by what it is compared with, so a word may be a claim category in
    ``claim.category == checkup`` and a benefit in ``earlier.benefit == checkup``: a hover says both.
    """
    if symbol.kind not in _MEMBER_KINDS or symbol.file != index.main:
        return [symbol]
    others = [s for kind in _MEMBER_KINDS for s in index.members(kind) if s.name == symbol.name and s != symbol]
    return [symbol, *others]


def _describe_symbol(symbol: Symbol, index: Index, lang: str) -> str:
    node, label = symbol.node, symbol.label
    shown = f'"{symbol.name}"' if symbol.kind == "level" else symbol.name
    parts = [f"**{word('kind.' + symbol.kind, lang)}** `{shown}`" + (f" · {label}" if label else "")]
    written = _as_written(symbol, index)
    if written:
        parts.append(f"```medpolicy\n{written}\n```")
    if isinstance(node, ast.Param) and node.value is None:
        parts.append(word("unstated", lang, type=describe_type(node.declared_type or "", lang)))
    if isinstance(node, ast.Benefit):
        if node.priority is not None:
            parts.append(word("priority", lang, priority=node.priority))
        if node.excluded:
            parts.append(word("pays_nothing", lang, reason=node.excluded))
    if isinstance(node, ast.Source) and node.file:
        parts.append(word("source.file", lang, file=node.file))
    if symbol.kind == "module":
        module = index.program.modules.get(symbol.target)
        if module is not None:
            parts.append(word("module", lang, path=symbol.target, title=module.header.title))
    cite = getattr(node, "cite", None) or getattr(node, "when_cite", None)
    if isinstance(cite, ast.Cite):
        parts.append(_describe_cite(cite, symbol.file, index, lang))
    if symbol.file != index.main and symbol.kind != "module":
        parts.append(word("defined_in", lang, file=symbol.file))
    return "\n\n".join(parts)


def _describe_cite(cite: ast.Cite, file: str, index: Index, lang: str) -> str:
    source = index.sources.get(file, {}).get(cite.source)
    named = word("cite.source", lang, id=cite.source, title=source.node.title) if source else cite.source
    text = word("cite", lang, source=named, section=cite.section)
    return text + (f"\n\n> {cite.quote}" if cite.quote else "")


_VALUE_OF = {ast.Param: "value", ast.Let: "value", ast.ListDecl: "items", ast.CapDecl: "amount",
             ast.History: "where"}
_WHOLE_LINE = (ast.Counter, ast.DeductiblePool, ast.Measure)
_MOST_LINES = 12


def _as_written(symbol: Symbol, index: Index) -> str:
    """The declaration's text from its keyword to the end of its value (its citation left out)."""
    if type(symbol.node) not in (*_VALUE_OF, *_WHOLE_LINE):
        return ""
    lines = index.program.texts.get(symbol.file, "").split("\n")
    start = symbol.span
    if not 0 < start.line <= len(lines):
        return ""
    value = getattr(symbol.node, _VALUE_OF.get(type(symbol.node), ""), None)
    if value is None and isinstance(symbol.node, ast.History):
        value = symbol.node.value  # `sum X` or `last X` with no `where`
    if value is not None and value.span.end_line:
        end_line, end_column = value.span.end_line, value.span.end_column
    else:  # a counter, an unstated param, a shared deductible (its mode), a measure: their line says it all
        end_line, end_column = start.line, len(lines[start.line - 1]) + 1
        cite = getattr(symbol.node, "cite", None)
        if cite is not None and cite.span.line == start.line:
            end_column = cite.span.column
    chunk = lines[start.line - 1:end_line]
    chunk[-1] = chunk[-1][:end_column - 1]
    chunk[0] = chunk[0].lstrip()
    if len(chunk) > 1:
        chunk = [chunk[0]] + ["  " + line for line in textwrap.dedent("\n".join(chunk[1:])).split("\n")]
    if len(chunk) > _MOST_LINES:
        chunk = chunk[:_MOST_LINES] + ["…"]
    return "\n".join(line.rstrip() for line in chunk)


def _describe_fact(fact: str, index: Index, lang: str) -> str:
    root, _, field = fact.partition(".")
    note = fact_note(fact, lang)
    if not field:
        return f"**{word('kind.fact', lang)}** `{root}` · {note}"
    kind_of = ROOTS[root].get(field)
    if kind_of is None:
        return ""  # an unknown fact: the diagnostic says so
    parts = [f"**{word('kind.fact', lang)}** `{fact}`" + (f" · {note}" if note else ""),
             word("type", lang, type=describe_type(kind_of, lang))]
    enum = kind_of.rpartition("enum:")[2] if "enum:" in kind_of else None
    if enum in BUILTIN_ENUMS:
        parts.append(word("values", lang, values=", ".join(f"`{v}`" for v in BUILTIN_ENUMS[enum])))
    elif enum is not None:
        declared = _declared(enum, index)
        if declared:
            parts.append(word("values.policy", lang, kind=SPECS["kind"](enum, lang), values=", ".join(declared)))
    return "\n\n".join(parts)


def _declared(enum: str, index: Index) -> list[str]:
    """The members of a policy's own enumeration (levels, conditions, categories, benefits) as they are written."""
    if enum == "level":
        return [f'`"{level}"` {s.node.name}' for level, s in index.levels.items()]
    return [f"`{s.name}`" for s in index.members(enum)]


def _describe_member(name: str, kinds: frozenset, lang: str) -> str:
    lines = []
    for kind in sorted(kinds):
        fact = next((f"{root}.{field}" for root, fields in FACT_ROOTS.items() for field, t in fields.items()
                     if t.rpartition(":")[2] == kind), "")
        label = value_label(kind, name, lang)
        lines.append(f"**{SPECS['kind'](kind, lang)}** `{name}`" + (f" · {label}" if label != name else "")
                     + "\n\n" + word("member", lang, kind=SPECS["kind"](kind, lang), fact=fact))
    return "\n\n".join(lines)


# ---------------------------------------------------------------- definition

def definition(analysis: Analysis, line: int, character: int) -> Optional[Target]:
    """Where the name at a position is declared (in the buffer or in an imported module)."""
    return next(iter(definitions(analysis, line, character)), None)


def definitions(analysis: Analysis, line: int, character: int) -> list[Target]:
    """Every declaration the name at a position may stand for, :func:`definition`'s first: a word that is a
    claim category and a benefit (``checkup``) goes to both, as its hover describes both."""
    index = analysis.index
    ref = index.reference_at(line + 1, character + 1) if index is not None else None
    if index is None or ref is None or ref.symbol is None:
        return []
    symbols = [ref.symbol] if ref.span == ref.symbol.span else _meanings(ref.symbol, index)
    return [Target(s.file, span_range(s.span, index.program.texts.get(s.file, ""))) for s in symbols]


# ---------------------------------------------------------------- completion

_AFTER_DOT = re.compile(r"([^\W\d]\w*)\.(\w*)$")
_LOOKUP_HEAD = re.compile(r"\b(by\b.*|cases\s*)$")
_HEAD_WORD = re.compile(r"\s*([^\W\d]\w*)")
_COMMENT = re.compile(r"#[^\n]*")
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"?')


_BANDED_OVER = re.compile(r"\bratio\s+banded\s+over\s+\w*$")
_CITE = re.compile(r"\bcite\s+\w*$")


def completions(index: Optional[Index], text: str, line: int, character: int, lang: str) -> list[Completion]:
    """What may be written at a position of ``text``; names come from ``index`` (the last text that parsed)."""
    lines = text.split("\n")
    if line >= len(lines):
        return []
    prefix = "\n".join(lines[:line] + [lines[line][:character]])
    head, in_string, string_start = _scan(prefix)
    current = prefix[prefix.rfind("\n") + 1:]
    if in_string:
        return _levels(index) if index is not None and _wants_level(prefix, string_start, head) else []
    if "#" in _STRING.sub("", current):  # a comment is prose: `claim.` there asks for nothing
        return []
    dotted = _AFTER_DOT.search(current)
    if dotted is not None:
        return _members_of(dotted.group(1), index, lang)
    if head in ("levels", "conditions", "categories"):
        return []
    if _BANDED_OVER.search(current):  # only a measure may follow
        return [_name_item(s, lang) for s in index.names().values() if s.kind == "measure"] if index else []
    if _CITE.search(current):  # only a source of this file may follow
        return [_name_item(s, lang) for s in index.sources.get(index.main, {}).values()] if index else []
    starts_line = re.fullmatch(r"\s*\w*", current) is not None
    items: list[Completion] = []
    if head in BLOCK_RULES and starts_line and (head is not None or not current[:1].isspace()):
        items += [Completion(p, "keyword", word("kind.keyword", lang)) for p in phrases(BLOCK_RULES[head])]
        if head is None and not _COMMENT.sub("", prefix[:len(prefix) - len(current)]).strip():
            items += [Completion(k, "keyword", word("kind.keyword", lang)) for k in ("policy", "module")]
        if head is None:
            return items
    items += [Completion(k, "keyword", word("kind.keyword", lang)) for k in expression_keywords()]
    items += [Completion(root, "fact", fact_note(root, lang) or "") for root in ROOTS]
    items += [Completion(f, "function", function_note(f, lang) or "", insert=f"{f}(") for f in FUNCTIONS]
    if index is not None:
        items += [_name_item(s, lang) for s in index.names().values()]
    for kind, members in BUILTIN_ENUMS.items():
        items += [Completion(m, "member", SPECS["kind"](kind, lang)) for m in members]
    unique: dict[str, Completion] = {}
    for item in items:  # the first meaning of a word wins (`when` the clause, `inpatient` the benefit)
        unique.setdefault(item.label, item)
    return list(unique.values())


def _scan(prefix: str) -> tuple[Optional[str], bool, int]:
    """The keyword of the innermost open ``{`` block (``by`` for a table lookup, ``(`` / ``[`` inside
    brackets; None at the top of the file), whether the prefix ends inside a string, and where it opened."""
    openers: list[int] = []
    i, in_string, string_start = 0, False, -1
    while i < len(prefix):
        ch = prefix[i]
        if in_string:
            if ch == "\\":
                i += 1
            elif ch in '"\n':
                in_string = False
        elif ch == '"':
            in_string, string_start = True, i
        elif ch == "#":
            newline = prefix.find("\n", i)
            i = len(prefix) if newline < 0 else newline
            continue
        elif ch in "{[(":
            openers.append(i)
        elif ch in "}])" and openers:
            openers.pop()
        i += 1
    if not openers:
        return None, in_string, string_start
    at = openers[-1]
    if prefix[at] != "{":
        return prefix[at], in_string, string_start
    before = prefix[prefix.rfind("\n", 0, at) + 1:at]
    if _LOOKUP_HEAD.search(before):
        return "by", in_string, string_start
    first = _HEAD_WORD.match(before)
    return (first.group(1) if first else ""), in_string, string_start


def _wants_level(prefix: str, string_start: int, head: Optional[str]) -> bool:
    """Whether the string being written is a level id: after ``claim.level`` on its line, or as a key of
    a table looked up by ``claim.level``."""
    line_before = prefix[prefix.rfind("\n", 0, string_start) + 1:string_start]
    if "claim.level" in line_before:
        return True
    if head == "by":
        opener = prefix.rfind("{", 0, string_start)
        return "claim.level" in prefix[prefix.rfind("\n", 0, opener) + 1:opener]
    return False


def _levels(index: Index) -> list[Completion]:
    return [Completion(level, "level", s.node.name) for level, s in index.levels.items()]


def _members_of(target: str, index: Optional[Index], lang: str) -> list[Completion]:
    if target in ROOTS:
        return [Completion(field, "fact", fact_note(f"{target}.{field}", lang) or describe_type(t, lang))
                for field, t in ROOTS[target].items()]
    if index is None:
        return []
    return [_name_item(s, lang) for s in index.module_names(target).values()]


def _name_item(symbol: Symbol, lang: str) -> Completion:
    kind = word("kind." + symbol.kind, lang)
    return Completion(symbol.name, symbol.kind, f"{kind} · {symbol.label}" if symbol.label else kind)


# ---------------------------------------------------------------- formatting

def formatted(text: str, path: str = "<string>") -> Optional[str]:
    """The formatted text, or None when it would not change or the text does not parse."""
    from ..formatter import format_source  # imported when asked: formatting is the only user

    try:
        result = format_source(text, path)
    except PolicyError:
        return None
    return None if result == text else result


def whole(text: str) -> Range:
    """The range of a whole text."""
    lines = text.split("\n")
    return Range(0, 0, len(lines) - 1, len(lines[-1]))

