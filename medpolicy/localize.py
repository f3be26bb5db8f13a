"""Wording a catalogue message in English or Chinese.

A :class:`Message` is what the parser, checker, scenario reader and CLI
produce instead of a sentence: the id of an entry of the catalogues
(:mod:`medpolicy.diagnostic_messages`, :mod:`medpolicy.error_messages`) and
its arguments as JSON-safe data.  :meth:`Message.text` words it in a
language, so that one diagnostic or error can be shown in either, and a
service can store the id and arguments and word them later.

An argument whose placeholder has a format spec is data worded per language
(``{want:type}`` holds a type such as ``opt:money``); the renderers for the
specs are in :data:`SPECS`.
"""
from __future__ import annotations

import re
import string
from typing import Callable, Iterable

import attrs

from .diagnostic_messages import (CLAUSES, CONTEXTS, DIAGNOSTICS, FACTS, KINDS, SEPARATORS, SEVERITIES, TOKENS,
                                  TYPES)
from .error_messages import ERRORS, FIELDS

LANGS = ("zh", "en")

CATALOGUE: dict[str, dict[str, str]] = {**DIAGNOSTICS, **ERRORS}
"""Every message id, with its two wordings."""


@attrs.frozen
class Message:
    """A catalogue id and its arguments (str, int, bool, None or lists of str)."""

    id: str
    args: dict = attrs.field(factory=dict)

    def text(self, lang: str = "en") -> str:
        return say(self.id, lang, **self.args)

    @property
    def code(self) -> str:
        """The diagnostic code an id starts with (``E204`` for ``E204.expect``)."""
        return self.id.split(".", 1)[0]


def msg(message_id: str, **args) -> Message:
    """The message ``message_id`` with ``args``; the id must be in the catalogue."""
    if message_id not in CATALOGUE:
        raise KeyError(f"no catalogue entry {message_id!r}")
    return Message(message_id, args)


def say(message_id: str, lang: str = "en", **args) -> str:
    """One catalogue entry, worded in ``lang``."""
    text = _Formatter(lang).format(CATALOGUE[message_id][lang], **args)
    return _CODE_BESIDE_CHINESE.sub(" ", text) if lang == "zh" else text


# Chinese text sets code (`when`) off from the characters around it by a space;
# an argument can put code right beside the template's characters.  (Only
# backticks: a quote cannot tell opening from closing, and quoted Chinese is common.)
_CODE_BESIDE_CHINESE = re.compile(r"(?<=`)(?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff])(?=`)")


def placeholders(template: str) -> set[tuple[str, str]]:
    """The (name, spec) of each placeholder of a template."""
    return {(name, spec or "") for _, name, spec, _ in string.Formatter().parse(template) if name is not None}


# ------------------------------------------------- arguments worded per language

def _word(table: dict, key, lang: str) -> str:
    entry = table.get(key)
    return entry[lang] if entry else str(key)


def _join(items: Iterable[str], lang: str, sep: str = "list") -> str:
    return SEPARATORS[sep][lang].join(items)


def describe_type(t: str, lang: str = "en") -> str:
    """A checker type (``money``, ``opt:date``, ``list:enum:level``, ``sym:care,level``) in words."""
    if t.startswith("opt:"):
        return TYPES["opt"][lang].format(inner=describe_type(t[4:], lang))
    if t.startswith("list:"):
        return TYPES["list"][lang].format(inner=describe_type(t[5:], lang))
    if t.startswith("enum:"):
        return TYPES["enum"][lang].format(kind=_word(KINDS, t[5:], lang))
    if t.startswith("sym:"):
        kinds = sorted(k for k in t[4:].split(",") if k)
        return TYPES["sym"][lang].format(kinds=TYPES["sym.or"][lang].join(_word(KINDS, k, lang) for k in kinds))
    return _word(TYPES, t, lang)


# Punctuation the grammar expects is shown as is in both languages.
_SYMBOLS = {"LBRACE": "'{'", "RBRACE": "'}'", "LPAR": "'('", "RPAR": "')'", "LSQB": "'['", "RSQB": "']'",
            "COLON": "':'", "COMMA": "','", "EQUAL": "'='", "DOT": "'.'", "MUL_OP": "'*'", "MINUS": "'-'"}
_CLOSERS = ("'}'", "')'", "']'")
_MOST_EXPECTED = 8


def _token(name: str, lang: str) -> str:
    if name in TOKENS:
        return TOKENS[name][lang]
    return _SYMBOLS.get(name) or f"'{name.lower()}'"  # a keyword, as written


def describe_tokens(names: Iterable[str], lang: str = "en") -> str:
    """What the grammar expected, closing brackets first (a forgotten one is the likeliest mistake).

    The order is that of the English words in both languages, so that the two
    renderings list the same things in the same order.
    """
    words = {(_token(n, "en"), _token(n, lang)) for n in names if not n.startswith("_")}
    ordered = sorted(words, key=lambda w: (w[0] not in _CLOSERS, _CLOSERS.index(w[0]) if w[0] in _CLOSERS else 0,
                                           w[0]))
    shown = _join((w[1] for w in ordered[:_MOST_EXPECTED]), lang)
    if len(ordered) <= _MOST_EXPECTED:
        return shown
    more = SEPARATORS["more"][lang]
    # "'import' 等" but "名称等": a space between Latin text and Chinese.
    return shown + (" " + more if lang == "zh" and shown[-1].isascii() else more)


def _facts(roots, lang: str) -> str:
    return FACTS["and"][lang].join(_word(FACTS, r, lang) for r in sorted(roots))


def _kinds(kinds, lang: str) -> str:
    return KINDS["and"][lang].join(_word(KINDS, k, lang) for k in sorted(kinds))


SPECS: dict[str, Callable[[object, str], str]] = {
    "type": lambda t, lang: describe_type(t, lang),
    "types": lambda ts, lang: _join((describe_type(t, lang) for t in ts), lang),
    "kind": lambda k, lang: _word(KINDS, k, lang),
    "kinds": _kinds,
    "clause": lambda c, lang: _word(CLAUSES, c, lang),
    "facts": _facts,
    "context": lambda c, lang: _word(CONTEXTS, c, lang),
    "tokens": describe_tokens,
    "names": lambda names, lang: _join(names, lang),
    "chain": lambda items, lang: _join(items, lang, "chain"),
    "field": lambda f, lang: _word(FIELDS, f, lang),
    "severity": lambda s, lang: _word(SEVERITIES, s, lang),
}


class _Formatter(string.Formatter):
    def __init__(self, lang: str):
        super().__init__()
        self.lang = lang

    def format_field(self, value, format_spec: str) -> str:
        if format_spec in SPECS:
            return SPECS[format_spec](value, self.lang)
        return super().format_field(value, format_spec)


# ------------------------------------------ English text raised without an id

