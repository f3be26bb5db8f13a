"""The keywords completion offers, read from the grammar itself.

Each kind of block (the top of a file, a benefit, a table …) is a rule of
``grammar/medpolicy.lark``; what may start a line there is the run of
keywords each alternative of that rule begins with (``visits grouped by day
and institution``, ``annual cap``).  Reading them from the parser's own
tables keeps completion in step with the language as it grows.
"""
from __future__ import annotations

from functools import lru_cache

BLOCK_RULES = {
    None: "item",
    "policy": "header_field",
    "benefit": "benefit_clause",
    "ratio": "ratio_band",  # `ratio banded over MEASURE {` (`ratio by …{` is a table: ``by``)
    "critical_illness": "critical_clause",
    "payer": "critical_clause",
    "table": "table_clause",
    "adjustment": "adjustment_clause",
    "settlement": "settlement_clause",
    "premium": "premium_item",
    "item": "premium_case",
}
"""The keyword that opens a ``{`` block (None: the top of the file) → the rule of its lines."""


def _grammar():
    from ..parser import _lark  # the parser's tables, built (or loaded from their cache) once

    lark = _lark()
    rules: dict[str, list] = {}
    for rule in lark.rules:
        rules.setdefault(rule.origin.name, []).append(rule.expansion)
    terminals = {t.name: t.pattern for t in lark.terminals}
    return rules, terminals


def _keyword(symbol, terminals) -> str | None:
    pattern = terminals.get(symbol.name) if symbol.is_term else None
    if pattern is not None and pattern.type == "str" and pattern.value.isidentifier():
        return pattern.value
    return None


@lru_cache(maxsize=None)
def phrases(rule: str) -> tuple[str, ...]:
    """The keyword runs the alternatives of ``rule`` begin with, in grammar order, each once."""
    rules, terminals = _grammar()
    found: list[str] = []
    for expansion in rules.get(rule, ()):
        if expansion and not expansion[0].is_term:
            found.extend(phrases(expansion[0].name))
            continue
        words = []
        for symbol in expansion:
            word = _keyword(symbol, terminals)
            if word is None:
                break
            words.append(word)
        if words:
            found.append(" ".join(words))
    return tuple(dict.fromkeys(found))


@lru_cache(maxsize=None)
def expression_keywords() -> tuple[str, ...]:
    """Every keyword that can stand inside an expression (``if``, ``and``, ``otherwise``, ``by`` …)."""
    rules, terminals = _grammar()
    seen, todo, found = set(), ["expr"], []
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for expansion in rules.get(name, ()):
            for symbol in expansion:
                if symbol.is_term:
                    word = _keyword(symbol, terminals)
                    if word is not None:
                        found.append(word)
                elif symbol.name != "cite":  # a citation ends a clause; it is not part of the expression
                    todo.append(symbol.name)
    return tuple(sorted(set(found)))
