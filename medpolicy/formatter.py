"""``medpolicy fmt``: one canonical layout for a ``.mpol`` text, keeping every comment.

:func:`format_source` parses the text with the project's grammar, keeping
every token (a Lark parser of its own, built with ``keep_all_tokens``; the
comments are read back from the text between tokens), and prints the tree
again.  The layout follows the bundled policies' hand-written style:

* Two spaces of indentation per brace level.  A declaration, a header field,
  a clause, a ``levels``/``conditions``/``categories`` entry, a premium case and each ``}``
  closing them start a line of their own (one clause per line); ``{`` ends the
  line that opens its block.
* Line breaks inside a clause are the author's: where the author broke a line
  the formatter breaks it too, and it never adds a break of its own.  A
  continuation line is indented one step (2 spaces) past the line on which the
  innermost construct holding the break starts; the ``then`` and ``else`` of an
  ``if`` line up with the line of its ``if`` when the ``if`` starts that line
  (``else if`` chains line up with their first ``if``).
* ``cite`` stays where its author put it: on its clause's line, or on a
  continuation line under it (one step in).  The quote of a cite, when on a
  line of its own, is indented one step past the cite, counting a cite that
  ends its clause's line as if it stood on the continuation line (so the
  quote is always two steps past the clause).
* A lookup table ``by x { … }``, a ``cases { … }`` and a list ``[ … ]`` stay on
  one line when the author wrote them on one line.  Otherwise a table or
  ``cases`` puts one entry on each line, and a list opens after ``[`` and
  closes with ``]`` on a line of its own, its items flowing as the author
  broke them.  Commas go between entries and items, never after the last.
* Blank lines: a run of blank lines between declarations, clauses or entries
  (at the same level) becomes one blank line; blank lines inside a clause,
  after a ``{`` and before a ``}`` go.
* A comment on a line of its own stays on a line of its own, above what
  followed it, indented like it; a trailing comment stays at the end of its
  line, after two spaces.  Comment texts are kept, trailing blanks aside.
* Literals and strings are written exactly as the author wrote them
  (``¥1,000`` stays ``¥1,000``, ``3 months`` stays ``3 months``, ``15 天`` stays ``15 天``).
* Spacing on a line: one space between tokens, none inside ``( )`` and
  ``[ ]``, before ``,`` ``:`` ``)`` ``]``, around an attribute's ``.``, after a
  unary ``-`` or between a function and its ``(``.

The result is idempotent (``format_source`` of its own output is that
output) and parses to the same syntax tree as the input; the second is
checked on every call.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Callable, Union

import lark
from lark import Token, Tree

from . import parser
from .resources import grammar_path

HARD, SOFT, JOIN = "hard", "soft", "join"
"""How a token is placed: on a new line always; on a new line where the author had one; on the line of the
token before (unless a comment ended that line)."""

_NO_SPACE_BEFORE = frozenset({",", ":", ")", "]", "."})
_BRACKETED = ("lookup", "cases", "list_lit")
"""Brackets inside an expression: one line or one entry a line, as the author wrote them."""
_OWN_COMMAS = ("lookup_entry", "lookup_else", "case_branch")
"""Nodes whose optional trailing comma the formatter writes itself."""

Indent = Callable[[], int]
"""A token's indentation should it start a line: asked only then, once the lines before it are written."""


@lru_cache(maxsize=1)
def _lark() -> lark.Lark:
    # The same grammar and parser as medpolicy.parser, keeping every token (keywords and
    # punctuation) so that the tree can be printed back; its tables go to a cache file of
    # their own, beside the parser's.
    cache = parser._cache_file()
    if cache is not True:
        cache = str(Path(cache).with_name("format-" + Path(cache).name))
    return lark.Lark(grammar_path().read_text(encoding="utf-8"), parser="lalr", lexer="contextual",
                     keep_all_tokens=True, maybe_placeholders=False, cache=cache)


def format_source(text: str, path: str = "<string>") -> str:
    """``text`` in the canonical layout; raise PolicyError with the parser's diagnostics if it does not parse."""
    text = text.removeprefix("\ufeff")
    before = parser.parse(text, path)
    printer = _Printer(text)
    _Layout(printer, text).walk(_lark().parse(text), HARD, lambda: 0)
    result = printer.finish()
    if parser.parse(result, path) != before:  # pragma: no cover - a bug of this module, never of the input
        raise RuntimeError(f"formatting {path} would change its meaning; please report it")
    return result


def _gap(text: str) -> tuple[list[tuple[int, str]], int]:
    """The comments between two tokens, each with the newlines before it, and the newlines after the last.

    Besides whitespace and comments, the gap holds only commas the formatter drops and writes itself."""
    comments = []
    newlines = at = 0
    while at < len(text):
        if text[at] == "#":
            end = text.find("\n", at)
            end = len(text) if end < 0 else end
            comments.append((newlines, text[at:end].rstrip()))
            newlines, at = 0, end
        else:
            newlines += text[at] == "\n"
            at += 1
    return comments, newlines


def _verbatim(tok: Token) -> str:
    """A token's text as written; a money, months or days literal broken over lines is joined with one space."""
    if tok.type in ("MONEY", "MONTHS", "DAY_COUNT") and "\n" in tok:
        return " ".join(tok.split())
    return str(tok)


def _first(node: Union[Tree, Token]) -> Token:
    while isinstance(node, Tree):
        node = node.children[0]
    return node


class _Printer:
    """Lines of output, with the comments and blank lines of the text between tokens put back."""

    def __init__(self, text: str):
        self.text = text
        self.lines: list[str] = []
        self.line = ""          # the line being written
        self.indent = 0         # its indentation
        self.pos = 0            # where the last token written ends in the text
        self.placed: dict[int, tuple[int, bool]] = {}  # token start -> (its line's indentation, starts the line)
        self.tight = True       # no space before the next token
        self.opened = False     # the last line opens a block: no blank line after it

    def token(self, tok: Union[Token, str], brk: str, indent: Indent, *, space: bool = True,
              tight_after: bool = False, opens: bool = False, closes: bool = False) -> None:
        """Write one token (a str is one the formatter adds: a comma), after the comments before it."""
        newline = brk == HARD or not self.line
        blank = False
        if isinstance(tok, Token):
            comments, newlines = _gap(self.text[self.pos:tok.start_pos])
            for lines_before, comment in comments:
                if lines_before == 0 and self.line:
                    self.line += "  " + comment
                else:
                    self._end_line()
                    if lines_before > 1 and brk == HARD:
                        self._blank()
                    # A comment just before a closing brace belongs inside the block.
                    self._start(indent() + (2 if closes else 0), comment)
                self._end_line()
            newline = newline or bool(comments) or (newlines > 0 and brk == SOFT)
            blank = newlines > 1 and brk == HARD and not closes
        text = _verbatim(tok) if isinstance(tok, Token) else tok
        if newline:
            self._end_line()
            if blank:
                self._blank()
            self._start(indent(), text)
        else:
            self.line += (" " if space and not self.tight else "") + text
        if isinstance(tok, Token):
            self.placed[tok.start_pos] = (self.indent, newline)
            self.pos = tok.end_pos
        self.tight = tight_after
        self.opened = opens

    def finish(self) -> str:
        """The output, with the comments after the last token."""
        comments, _ = _gap(self.text[self.pos:])
        for lines_before, comment in comments:
            if lines_before == 0 and self.line:
                self.line += "  " + comment
            else:
                self._end_line()
                if lines_before > 1:
                    self._blank()
                self._start(0, comment)
            self._end_line()
        self._end_line()
        return "\n".join(self.lines) + "\n"

    def _start(self, indent: int, text: str) -> None:
        self.line, self.indent, self.opened = " " * indent + text, indent, False

    def _end_line(self) -> None:
        if self.line:
            self.lines.append(self.line)
            self.line = ""

    def _blank(self) -> None:
        if self.lines and self.lines[-1] and not self.opened:
            self.lines.append("")


class _Layout:
    """Walks the full Lark tree, telling the printer how each token is placed."""

    def __init__(self, printer: _Printer, text: str):
        self.out = printer
        self.text = text

    def at(self, node) -> tuple[int, bool]:
        """(indentation of the line where ``node`` starts, whether it starts that line)."""
        return self.out.placed[_first(node).start_pos]

    def inside(self, node) -> Indent:
        """Indentation of a line that starts inside ``node`` (not with its first token)."""
        return lambda: self.at(node)[0] + 2

    def walk(self, node, brk: str, indent: Indent, parent: Tree | None = None) -> None:
        if isinstance(node, Token):
            self.leaf(node, parent, brk, indent)
        elif node.data == "start":
            for kid in node.children:
                self.walk(kid, HARD, indent)
        elif node.data == "if_expr":
            self.if_expr(node, brk, indent)
        elif node.data in _BRACKETED or any(isinstance(k, Token) and k == "{" for k in node.children):
            self.bracketed(node, brk, indent)
        elif node.data == "cite":
            # A cite ending its clause's line counts as if on the continuation line below.
            self.children(node, node.children, brk, indent, lambda: self.at(node)[0] + (2 if self.at(node)[1] else 4))
        else:
            self.children(node, node.children, brk, indent, self.inside(node))

    def children(self, node: Tree, kids: list, brk: str, indent: Indent, inside: Indent) -> None:
        """``kids`` of ``node`` in order: the first placed as ``brk``/``indent`` say, the others inside."""
        for i, kid in enumerate(kids):
            if node.data in _OWN_COMMAS and isinstance(kid, Token) and kid == ",":
                continue
            self.walk(kid, brk if i == 0 else SOFT, indent if i == 0 else inside, node)

    def leaf(self, tok: Token, parent: Tree, brk: str, indent: Indent, **flags) -> None:
        space = tok not in _NO_SPACE_BEFORE and not (tok == "(" and parent.data == "call")
        if brk == SOFT and (not space or tok == "{"):
            brk = JOIN
        tight = tok in ("(", "[", ".") or (tok == "-" and parent.data == "negate")
        self.out.token(tok, brk, indent, space=space, tight_after=tight, **flags)

    def if_expr(self, node: Tree, brk: str, indent: Indent, chain: Indent | None = None) -> None:
        if_, cond, then, value, else_, other = node.children
        inside = self.inside(node)

        def align() -> int:
            if chain is not None:
                return chain()
            line, starts = self.at(node)
            return line if starts else line + 2

        self.leaf(if_, node, brk, indent)
        self.walk(cond, SOFT, inside, node)
        self.leaf(then, node, SOFT, align)
        self.walk(value, SOFT, inside, node)
        self.leaf(else_, node, SOFT, align)
        if isinstance(other, Tree) and other.data == "if_expr":
            self.if_expr(other, SOFT, inside, chain=align)
        else:
            self.walk(other, SOFT, inside, node)

    def bracketed(self, node: Tree, brk: str, indent: Indent) -> None:
        """A block ``{ … }`` of a declaration, a lookup table, ``cases`` or a list."""
        kids = node.children
        opening = next(i for i, k in enumerate(kids) if isinstance(k, Token) and k in ("{", "["))
        closing = max(i for i, k in enumerate(kids) if isinstance(k, Token) and k in ("}", "]"))
        multi = node.data not in _BRACKETED or "\n" in self.text[kids[opening].start_pos:kids[closing].end_pos]
        inside = self.inside(node)
        self.children(node, kids[:opening], brk, indent, inside)
        self.leaf(kids[opening], node, brk if opening == 0 else SOFT, indent if opening == 0 else inside,
                  opens=multi)
        entries = self.entries(node, kids[opening + 1:closing])
        for i, entry in enumerate(entries):
            # A list keeps the author's breaks between its items; other blocks put one entry on each line.
            hard = multi and (i == 0 or node.data != "list_lit")
            if isinstance(entry, list):  # the `else: value` of `cases`
                self.children(node, entry, HARD if hard else SOFT, inside, lambda e=entry[0]: self.at(e)[0] + 2)
            else:
                self.walk(entry, HARD if hard else SOFT, inside, node)
            if node.data in _BRACKETED and i < len(entries) - 1:
                self.out.token(",", JOIN, inside, space=False)
        self.leaf(kids[closing], node, HARD if multi else SOFT, lambda: self.at(node)[0], closes=True)
        self.children(node, kids[closing + 1:], SOFT, inside, inside)

    @staticmethod
    def entries(node: Tree, kids: list) -> list:
        """What goes between the brackets, one item each: the `else` tail of `cases` as one list."""
        if node.data == "list_lit":
            return [k for k in kids if not (isinstance(k, Token) and k == ",")]
        if node.data == "cases":
            tail = next(i for i, k in enumerate(kids) if isinstance(k, Token))
            return kids[:tail] + [kids[tail:]]
        return kids
