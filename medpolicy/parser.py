"""Stage 1: text → AST.

Parses a ``.mpol`` text with the Lark grammar in ``grammar/medpolicy.lark``
(LALR, contextual lexer) and converts the Lark tree at once into the frozen
nodes of :mod:`medpolicy.ast`.  Syntax errors become a
:class:`~medpolicy.errors.PolicyError` holding a diagnostic for each
declaration that has one, saying what was expected, in the author's terms.

After a syntax error the parser resynchronises at the next declaration: a
line whose first word is a top-level keyword (``benefit``, ``param``, …).  The
declaration holding the error is blanked out (spaces, keeping every line and
column where it was) and the text parsed again, so that an error in one
declaration gives one diagnostic, and errors in later declarations are found
too.  A valid text is parsed once, as before.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from functools import lru_cache

import attrs
import lark
from lark import Token, Transformer, v_args

from . import ast
from .diagnostics import Diagnostic, did_you_mean
from .errors import PolicyError
from .localize import msg
from .resources import grammar_path
from .span import Span

@lru_cache(maxsize=1)
def _lark() -> lark.Lark:
    # Building the LALR tables takes about a third of a second; Lark keeps them in
    # a cache file named by a hash of the grammar and options (and rebuilds it when
    # either changes), so each process after the first only loads them.
    return lark.Lark(
        grammar_path().read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=True,
        cache=_cache_file(),
    )


def _cache_file() -> str | bool:
    """Where the parse tables are cached: the user's cache folder, else Lark's default (the temp folder)."""
    import os
    from pathlib import Path

    base = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache")
    folder = Path(base) / "medpolicy"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return True
    import hashlib

    digest = hashlib.sha256(grammar_path().read_bytes() + lark.__version__.encode()).hexdigest()[:16]
    return str(folder / f"grammar-{digest}.lark")


MAX_SYNTAX_ERRORS = 20
"""Most syntax errors reported for one text; past it the parser stops looking."""

# The keywords that start a top-level declaration (the `item` rule of the grammar).
_DECLARATION_KEYWORDS = ("source", "import", "levels", "conditions", "categories", "list", "param", "let", "counter",
                         "history", "cap", "coverage", "adjustment", "benefit", "critical_illness", "payer", "premium",
                         "settlement")
_DECLARATION_START = re.compile(r"^[ \t]*(?:" + "|".join(_DECLARATION_KEYWORDS) + r")\b", re.M)


def parse(text: str, path: str = "<string>", max_nesting: int = 200) -> ast.File:
    """Parse one file's text; raise PolicyError with a diagnostic per bad declaration on bad syntax.

    ``max_nesting`` bounds how deeply expressions may nest, so that no later
    stage (all of which walk the tree recursively) can run out of stack.
    """
    diagnostics: list[Diagnostic] = []
    text = text.removeprefix("\ufeff")  # a byte-order mark an editor left in a buffer
    tree, current, floor = None, text, 0
    while tree is None and current is not None:
        try:
            tree = _lark().parse(current)
        except lark.exceptions.UnexpectedInput as exc:
            if _position(exc, current) < floor or floor == len(current) > 0:
                break  # an error inside or before what was blanked (or with all after it blanked) is the blanking's
            diagnostics.append(_syntax_diagnostic(exc, current, path))
            current, floor = _skip_declaration(current, exc) if len(diagnostics) < MAX_SYNTAX_ERRORS else (None, 0)
    if tree is not None:
        deepest = _deepest(tree)
        if deepest is not None and deepest[0] > max_nesting:
            depth, meta = deepest
            diagnostics.append(Diagnostic.of(
                msg("E006", depth=depth, limit=max_nesting),
                Span(path, meta.line, meta.column, meta.line, meta.column + 1), help=msg("E006.help")))
        else:
            converter = _ToAst(path)
            result = converter.transform(tree)
            diagnostics += converter.diagnostics
    if diagnostics:
        raise PolicyError(sorted(diagnostics, key=lambda d: (d.span.line, d.span.column)), {path: text})
    return result


def _position(exc: lark.exceptions.UnexpectedInput, text: str) -> int:
    """Where in TEXT the parser met the error."""
    token = getattr(exc, "token", None)
    return len(text) if token is not None and token.type == "$END" else exc.pos_in_stream


def _skip_declaration(text: str, exc: lark.exceptions.UnexpectedInput) -> tuple[str | None, int]:
    """TEXT with the declaration holding the error blanked out, and where the blank ends;
    None if the parser cannot go on.

    The declaration starts with the first token the parser holds after the
    header and the declarations it completed (at the error itself if it holds
    none: a misspelt keyword) and runs to the next declaration start after the
    error; when the error is the keyword of the next declaration, the one
    before it is unfinished.  A header with an error gives way to the shortest
    header there is.
    """
    at = _position(exc, text)
    starts = [m.end() - len(m.group().lstrip()) for m in _DECLARATION_START.finditer(text)]
    begin = _open_declaration(exc, at)
    if begin is None:
        return None, 0
    end = at if at in starts and begin < at else next((s for s in starts if s > at), len(text))
    blank = re.sub(r"[^\n]", " ", text[begin:end])
    if begin == 0:
        blank = _stand_in_header(blank)
    return (text[:begin] + blank + text[end:], end) if blank is not None else (None, 0)


def _open_declaration(exc: lark.exceptions.UnexpectedInput, at: int) -> int | None:
    """Where the declaration the parser was reading when it met the error starts (0: the header),
    or None if the parser does not say."""
    state = getattr(getattr(exc, "interactive_parser", None), "parser_state", None)
    if state is None:
        return None
    held = list(state.value_stack)
    if not held or not (isinstance(held[0], lark.Tree) and held[0].data in ("policy_header", "module_header")):
        return 0
    open_ = [v for v in held[1:] if not (isinstance(v, lark.Tree) and v.data.startswith("__start_star"))]
    if not open_:
        return at
    first = open_[0]
    return getattr(first.meta, "start_pos", None) if isinstance(first, lark.Tree) else first.start_pos


def _stand_in_header(blank: str) -> str | None:
    """BLANK (the blanked header and what follows it) holding the shortest header, on its first
    line long enough, so that the declarations after it can be parsed; None if no line is."""
    stand_in = 'module m""'
    offset = 0
    for line in blank.split("\n"):
        if len(line) >= len(stand_in):
            return blank[:offset] + stand_in + blank[offset + len(stand_in):]
        offset += len(line) + 1
    return None


def _deepest(tree: lark.Tree):
    """(depth, meta) of the deepest subtree, found without recursion."""
    best = None
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if best is None or depth > best[0]:
            best = (depth, node.meta)
        for child in node.children:
            if isinstance(child, lark.Tree):
                stack.append((child, depth + 1))
    return best


_FULL_WIDTH = {"￥": "¥", "％": "%", "，": ",", "：": ":", "（": "(", "）": ")", "＝": "=", "＜": "<",
               "＞": ">", "＋": "+", "－": "-", "＊": "*", "．": ".", "［": "[", "］": "]", "｛": "{", "｝": "}",
               "“": '"', "”": '"', **{chr(0xFF10 + d): str(d) for d in range(10)}}
"""Full-width characters a Chinese keyboard types, and the half-width ones the language reads."""


def _expected(names):
    """Help listing what the grammar expected (worded by medpolicy.localize), or None."""
    shown = sorted(name for name in names if not name.startswith("_"))
    return msg("E001.expected", expected=shown) if shown else None


def _end_of_text(text: str) -> tuple[int, int]:
    """Line and column just after the last non-blank character."""
    body = text.rstrip()
    line = body.count("\n") + 1
    return line, len(body) - (body.rfind("\n") + 1) + 1


def _syntax_diagnostic(exc: lark.exceptions.UnexpectedInput, text: str, path: str) -> Diagnostic:
    line = getattr(exc, "line", 1) or 1
    column = getattr(exc, "column", 1) or 1
    width = 1
    if isinstance(exc, lark.exceptions.UnexpectedCharacters):
        ch = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else ""
        if ch == '"':
            message, help_ = msg("E001.string_not_closed"), msg("E001.string_not_closed.help")
        elif ch in "&|":
            message = msg("E001.character", char=repr(ch))
            help_ = msg("E001.character.join", word="and" if ch == "&" else "or")
        elif ch in _FULL_WIDTH:
            # What a Chinese keyboard types: say which half-width character the language reads.
            message = msg("E001.character", char=repr(ch))
            help_ = msg("E001.character.full_width", char=ch, ascii=_FULL_WIDTH[ch])
        else:
            message, help_ = msg("E001.character", char=repr(ch)), _expected(exc.allowed or ())
    else:
        tok = getattr(exc, "token", None)
        expected_set = set(getattr(exc, "accepts", None) or getattr(exc, "expected", None) or ())
        if tok is None or tok.type == "$END":
            message = msg("E001.end_of_file")
            line, column = _end_of_text(text)
        else:
            message = msg("E001.token", token=repr(tok.value))
            width = max(len(tok.value), 1)
        help_ = _expected(expected_set)
        if tok is not None and tok.value == "=" and "COMPARE" in expected_set:
            help_ = msg("E001.compare")
        elif tok is not None and tok.type == "PERCENT" and "PAYS" in expected_set and "RBRACE" not in expected_set:
            # `band ¥0 .. ¥100 60%`: the rate of a band follows `pays` (where a block could end
            # instead, `pays` is a clause of its own and `ratio 70% 80%` another mistake).
            help_ = msg("E001.pays", rate=tok.value)
    return Diagnostic.of(message, Span(path, line, column, line, column + width), help=help_)


# ----------------------------------------------------------------- converter

# Literal bounds: far beyond any real policy, small enough that no arithmetic
# on them leaves Decimal's 28 digits of exactness.
MAX_MONEY = Decimal("1000000000000")
MAX_PERCENT = Decimal("1000")
MAX_NUMBER = Decimal("1000000000")
MAX_MONTHS = 12 * 100  # a century
MAX_DAYS = 366 * 100  # a century

UNSTATED_TYPES = ("money", "percent", "number", "months", "days", "date")
# The message and help of a literal too large, by kind.
_TOO_LARGE = {
    "money": ("E007.money", "E007.money.help"),
    "percent": ("E007.percent", "E007.percent.help"),
    "number": ("E007.number", "E007.number.help"),
    "months": ("E007.months", "E007.months.help"),
    "days": ("E007.days", "E007.days.help"),
}

_MONEY_CLEAN = re.compile(r"[¥,\s元]")


def _unquote(tok: str) -> str:
    body = tok[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


def _money(tok: str) -> Decimal:
    return Decimal(_MONEY_CLEAN.sub("", tok))


@v_args(meta=True, inline=True)
class _ToAst(Transformer):
    """Lark tree → ast nodes.  Each method receives the rule's children.

    A mistake found while converting (a clause set twice, a date that does not
    exist, …) is recorded in ``diagnostics`` and the conversion goes on, so
    that every such mistake of a file is reported at once.
    """

    def __init__(self, path: str):
        super().__init__()
        self.path = path
        self.diagnostics: list[Diagnostic] = []

    # -- helpers
    def _span(self, meta) -> Span:
        if getattr(meta, "empty", True):
            return Span(self.path, 0, 0)
        return Span(self.path, meta.line, meta.column, meta.end_line, meta.end_column)

    def _tspan(self, tok: Token) -> Span:
        return Span(self.path, tok.line, tok.column, tok.end_line or tok.line, tok.end_column or tok.column + 1)

    def _fail(self, message, span, help=None) -> None:
        self.diagnostics.append(Diagnostic.of(message, span, help=help))

    # -- file
    def start(self, meta, header, *items):
        return ast.File(header, tuple(items), path=self.path)

    def policy_header(self, meta, name, *fields):
        values: dict = {}
        kw = {}
        for key, value, span in fields:
            if key in values:
                self._fail(msg("E102.header", key=key), span)
            values[key] = value
            if key in ("year", "collection"):
                kw[key + "_span"] = span
        header = ast.PolicyHeader(id=str(name), span=self._tspan(name))
        for key, value in values.items():
            if key in ("collection", "rounding"):
                kw[key], kw[key + "_cite"] = value
            else:
                kw[key] = value
        return attrs.evolve(header, **kw)

    def module_header(self, meta, name, title):
        return ast.ModuleHeader(str(name), _unquote(title), span=self._tspan(name))

    def h_title(self, meta, s):
        return ("title", _unquote(s), self._span(meta))

    def h_jurisdiction(self, meta, s):
        return ("jurisdiction", _unquote(s), self._span(meta))

    def h_year(self, meta, a, b):
        return ("year", (self._date(a), self._date(b)), self._span(meta))

    def h_collection(self, meta, a, b, cite):
        return ("collection", ((self._date(a) if a is not None else None, self._date(b)), cite), self._span(meta))

    def h_rounding(self, meta, mode, unit, cite):
        if str(mode) not in ("half_up", "half_even", "down"):
            self._fail(msg("E003", mode=str(mode)), self._tspan(mode), help=msg("E003.help"))
        return ("rounding", ((str(mode), _money(unit)), cite), self._span(meta))

    # -- declarations
    def source_decl(self, meta, name, title, file):
        return ast.Source(str(name), _unquote(title), _unquote(file) if file else None, span=self._tspan(name))

    def import_decl(self, meta, path, alias):
        return ast.Import(_unquote(path), str(alias), span=self._span(meta))

    def levels_decl(self, meta, *levels):
        return ast.Levels(tuple(levels), span=self._span(meta))

    def level_entry(self, meta, id_, name):
        return ast.Level(_unquote(id_), _unquote(name), span=self._tspan(id_))

    def conditions_decl(self, meta, *conds):
        return ast.Conditions(tuple(conds), span=self._span(meta))

    def condition_entry(self, meta, id_, name):
        return ast.Condition(str(id_), _unquote(name), span=self._tspan(id_))

    def categories_decl(self, meta, *entries):
        return ast.Categories(tuple(entries), span=self._span(meta))

    def category_entry(self, meta, id_, name):
        return ast.Category(str(id_), _unquote(name), span=self._tspan(id_))

    def list_decl(self, meta, name, title, items, cite):
        return ast.ListDecl(str(name), _unquote(title) if title else None, items, cite, span=self._tspan(name))

    def param_value(self, meta, name, label, value, cite):
        return ast.Param(str(name), _unquote(label) if label else None, value, None, cite, span=self._tspan(name))

    def param_unstated(self, meta, name, label, type_, cite):
        if str(type_) not in UNSTATED_TYPES:
            self._fail(msg("E202", type=str(type_)), self._tspan(type_),
                       help=did_you_mean(str(type_), UNSTATED_TYPES) or msg("E202.help"))
        return ast.Param(str(name), _unquote(label) if label else None, None, str(type_), cite,
                         span=self._tspan(name))

    def let_decl(self, meta, name, label, value, cite):
        return ast.Let(str(name), _unquote(label) if label else None, value, cite, span=self._tspan(name))

    def counter_decl(self, meta, name, label):
        return ast.Counter(str(name), _unquote(label), span=self._tspan(name))

    def history_decl(self, meta, name, label, measure, where, cite):
        kind, value = measure
        return ast.History(str(name), _unquote(label), kind, value, where, cite, span=self._tspan(name))

    def hm_count(self, meta):
        return ("count", None)

    def hm_sum(self, meta, value):
        return ("sum", value)

    def hm_last(self, meta, value):
        return ("last", value)

    def cap_decl(self, meta, name, label, amount, cite):
        return ast.CapDecl(str(name), _unquote(label), amount, cite, span=self._tspan(name))

    def deductible_pool_decl(self, meta, name, label, amount, mode, cite):
        return ast.DeductiblePool(str(name), _unquote(label), amount, mode, cite, span=self._tspan(name))

    def measure_decl(self, meta, name, label, cite):
        return ast.Measure(str(name), _unquote(label), cite, span=self._tspan(name))

    def coverage_decl(self, meta, starts, reason, cite):
        return ast.Coverage(starts, _unquote(reason), cite, span=self._span(meta))

    def coverage_end_decl(self, meta, ends, reason, cite):
        return ast.CoverageEnd(ends, _unquote(reason), cite, span=self._span(meta))

    def adjustment_decl(self, meta, name, label, *clauses):
        kw: dict = {"benefits": None, "when": None, "ratio": None, "cite": None}
        seen = set()
        for key, value, span in clauses:
            if key in seen:
                self._fail(msg("E102.adjustment", name=str(name), key=key), span)
            seen.add(key)
            kw[key] = value
        if kw["ratio"] is None:
            self._fail(msg("E103", name=str(name)), self._tspan(name), help=msg("E103.help"))
        return ast.Adjustment(str(name), _unquote(label), span=self._tspan(name), **kw)

    def adj_applies(self, meta, lst):
        for item in lst.items:
            if not isinstance(item, ast.Name):
                self._fail(msg("E001.applies_to"), item.span)
        return ("benefits", tuple(lst.items), self._span(meta))

    def adj_applies_all(self, meta):
        return ("benefits", None, self._span(meta))

    def adj_when(self, meta, expr):
        return ("when", expr, self._span(meta))

    def adj_ratio(self, meta, expr):
        return ("ratio", expr, self._span(meta))

    def adj_cite(self, meta, cite):
        return ("cite", cite, self._span(meta))

    # -- benefits
    def benefit_decl(self, meta, name, title, *clauses):
        kw: dict = {}
        repeatable = {"counts": [], "adjustments": [], "annual_caps": []}
        for key, value, cite, span in clauses:
            if key in repeatable:
                repeatable[key].append(value)
                continue
            if key in kw:
                self._fail(msg("E102.benefit", name=str(name), key=key), span, help=msg("E102.benefit.help"))
            kw[key] = value
            if cite is not None and key in ("when", "grouping", "ratio", "visit_cap", "excluded"):
                kw[key + "_cite"] = cite
        for key, items in repeatable.items():
            kw[key] = tuple(items)
        return ast.Benefit(str(name), _unquote(title), span=self._tspan(name), **kw)

    def b_priority(self, meta, num):
        if "." in num:
            self._fail(msg("E002.priority"), self._tspan(num))
            return ("priority", None, None, self._span(meta))
        return ("priority", int(num), None, self._span(meta))

    def b_when(self, meta, expr, cite):
        return ("when", expr, cite, self._span(meta))

    def b_grouping(self, meta, cite):
        return ("grouping", True, cite, self._span(meta))

    def b_includes(self, meta, care, days, _word, cite):
        if "." in days:
            self._fail(msg("E002.days"), self._tspan(days))
            days = "0"
        node = ast.Includes(ast.Name(str(care), span=self._tspan(care)), int(days), cite, span=self._span(meta))
        return ("includes", node, None, self._span(meta))

    def b_counts(self, meta, name, cite):
        return ("counts", ast.Name(str(name), span=self._tspan(name)), cite, self._span(meta))

    def b_deductible_visit(self, meta, word, amount, cite):
        return ("deductible", ast.Deductible(word, amount, cite, span=self._span(meta)), None, self._span(meta))

    def b_deductible_year(self, meta, amount, mode, cite):
        # Without a mode the amount names a shared `deductible` pool, whose declaration says it.
        return ("deductible", ast.Deductible(str(mode) if mode else "pool", amount, cite, span=self._span(meta)),
                None, self._span(meta))

    def b_no_deductible(self, meta, cite):
        none = ast.Deductible("none", ast.Literal("money", Decimal(0), span=self._span(meta)), cite,
                              span=self._span(meta))
        return ("deductible", none, None, self._span(meta))

    def b_ratio(self, meta, expr, cite):
        return ("ratio", expr, cite, self._span(meta))

    def b_ratio_bands(self, meta, measure, *bands):
        node = ast.RatioBands(ast.Name(str(measure), span=self._tspan(measure)), tuple(bands), span=self._span(meta))
        return ("ratio_bands", node, None, self._span(meta))

    def rb_band(self, meta, low, high, rate, cite):
        return ast.Band(low, high, rate, cite, span=self._span(meta))

    def rb_band_open(self, meta, low, rate, cite):
        return ast.Band(low, None, rate, cite, span=self._span(meta))

    def b_pays(self, meta, amount, above, cite):
        return ("pays", ast.Pays(amount, above is not None, cite, span=self._span(meta)), None, self._span(meta))

    def above_covered(self, meta):
        return True

    def b_adjust(self, meta, label, points, when, cite):
        return ("adjustments", ast.RatioAdjust(_unquote(label), points, when, cite, span=self._span(meta)),
                None, self._span(meta))

    def b_visit_cap(self, meta, expr, cite):
        return ("visit_cap", expr, cite, self._span(meta))

    def b_annual_cap(self, meta, amount, per, when, cite):
        return ("annual_caps", ast.AnnualCap(amount, per, when, cite, span=self._span(meta)), None,
                self._span(meta))

    def b_excluded(self, meta, reason, cite):
        return ("excluded", _unquote(reason), cite, self._span(meta))

    # -- critical illness
    def payer_decl(self, meta, name, title, *clauses):
        return attrs.evolve(self.critical_decl(meta, title, *clauses), id=str(name))

    def critical_decl(self, meta, title, *clauses):
        covers = covers_cite = None
        tables = []
        for clause in clauses:
            if isinstance(clause, ast.CITable):
                tables.append(clause)
            else:
                if covers is not None:
                    self._fail(msg("E102.covers"), clause[2])
                covers, covers_cite = clause[0], clause[1]
        return ast.CriticalIllness(_unquote(title), covers, covers_cite, tuple(tables), span=self._span(meta))

    def covers_clause(self, meta, expr, cite):
        return (expr, cite, self._span(meta))

    def ci_table(self, meta, title, selector, *clauses):
        kw: dict = {}
        bands = []
        for key, value, cite, span in clauses:
            if key == "band":
                bands.append(value)
                continue
            if key in kw:
                self._fail(msg("E102.table", title=str(title), key=key), span)
            kw[key] = value
            if cite is not None:
                kw[key + "_cite"] = cite
        return ast.CITable(_unquote(title), selector, bands=tuple(bands), span=self._span(meta), **kw)

    def sel_when(self, meta, expr):
        return expr

    def sel_otherwise(self, meta):
        return None

    def t_deductible(self, meta, expr, cite):
        return ("deductible", expr, cite, self._span(meta))

    def t_measure(self, meta, mode):
        return ("measure", str(mode), None, self._span(meta))

    def t_band(self, meta, low, high, rate, cite):
        return ("band", ast.Band(low, high, rate, cite, span=self._span(meta)), None, self._span(meta))

    def t_band_open(self, meta, low, rate, cite):
        return ("band", ast.Band(low, None, rate, cite, span=self._span(meta)), None, self._span(meta))

    def t_cap(self, meta, expr, cite):
        return ("cap", expr, cite, self._span(meta))

    # -- settlement by hand
    def settlement_decl(self, meta, name, title, *clauses):
        kw: dict = {}
        materials = []
        for key, value, cite, span in clauses:
            if key == "material":
                materials.append(value)
                continue
            if key in kw:
                self._fail(msg("E102.settlement", name=str(name), key=key), span, help=msg("E102.settlement.help"))
            kw[key] = value
            if cite is not None:
                kw[key + "_cite"] = cite
        return ast.Settlement(str(name), _unquote(title), materials=tuple(materials), span=self._tspan(name), **kw)

    def s_when(self, meta, expr, cite):
        return ("when", expr, cite, self._span(meta))

    def s_material(self, meta, text, when, cite):
        return ("material", ast.Material(_unquote(text), when, cite, span=self._span(meta)), None, self._span(meta))

    def s_submit(self, meta, text, cite):
        return ("submit", _unquote(text), cite, self._span(meta))

    def s_deadline(self, meta, expr, cite):
        return ("deadline", expr, cite, self._span(meta))

    def s_takes(self, meta, text, cite):
        return ("takes", _unquote(text), cite, self._span(meta))

    # -- premium
    def premium_decl(self, meta, *items):
        return ast.Premium(tuple(items), span=self._span(meta))

    def premium_item(self, meta, title, when, *cases):
        return ast.PremiumItem(_unquote(title), when, tuple(cases), span=self._span(meta))

    def pc_when(self, meta, cond, value, cite):
        return ast.PremiumCase(cond, value, cite, span=self._span(meta))

    def pc_else(self, meta, value, cite):
        return ast.PremiumCase(None, value, cite, span=self._span(meta))

    def unstated(self, meta):
        return ast.Unstated(span=self._span(meta))

    def visit_word(self, meta, tok):
        return str(tok)

    def year_mode(self, meta, tok):
        return str(tok)

    def band_mode(self, meta, tok):
        return str(tok)

    def cite(self, meta, source, section, quote):
        return ast.Cite(str(source), _unquote(section), _unquote(quote) if quote else None, span=self._span(meta))

    # -- expressions
    def if_expr(self, meta, c, t, e):
        return ast.IfElse(c, t, e, span=self._span(meta))

    def maybe_default(self, meta, value, fallback=None):
        if fallback is None:
            return value
        return ast.Default(value, fallback, span=self._span(meta))

    def maybe_or(self, meta, *operands):
        return operands[0] if len(operands) == 1 else ast.Logic("or", operands, span=self._span(meta))

    def maybe_and(self, meta, *operands):
        return operands[0] if len(operands) == 1 else ast.Logic("and", operands, span=self._span(meta))

    def not_op(self, meta, operand):
        return ast.Unary("not", operand, span=self._span(meta))

    def compare(self, meta, left, op, right):
        return ast.Compare(str(op), left, right, span=self._span(meta))

    def member(self, meta, item, coll):
        return ast.Member(item, coll, False, span=self._span(meta))

    def not_member(self, meta, item, coll):
        return ast.Member(item, coll, True, span=self._span(meta))

    def binary(self, meta, left, op, right):
        return ast.Binary(str(op), left, right, span=self._span(meta))

    def negate(self, meta, operand):
        return ast.Unary("neg", operand, span=self._span(meta))

    def attribute(self, meta, target, name):
        return ast.Attribute(target, str(name), span=self._span(meta))

    def name(self, meta, tok):
        return ast.Name(str(tok), span=self._tspan(tok))

    def call(self, meta, fn, *args):
        return ast.Call(str(fn), tuple(a for a in args if a is not None), span=self._span(meta))

    def list_lit(self, meta, *items):
        return ast.ListExpr(tuple(i for i in items if i is not None), span=self._span(meta))

    def lookup(self, meta, key, *rest):
        entries = [r for r in rest if isinstance(r, ast.LookupEntry)]
        default = next((r for r in rest if r is not None and not isinstance(r, ast.LookupEntry)), None)
        seen = {}
        for entry in entries:
            if entry.key in seen:
                self._fail(msg("E101.table_key", key=entry.key), entry.span)
            seen[entry.key] = entry
        return ast.Lookup(key, tuple(entries), default, span=self._span(meta))

    def lookup_entry(self, meta, key, value):
        quoted = key.type == "STRING"
        return ast.LookupEntry(_unquote(key) if quoted else str(key), value, quoted, span=self._tspan(key))

    def lookup_else(self, meta, value):
        return value

    def cases(self, meta, *rest):
        branches = tuple(r for r in rest if isinstance(r, ast.CaseBranch))
        tail = [r for r in rest if not isinstance(r, ast.CaseBranch)]
        default, cite = tail[0], tail[1] if len(tail) > 1 else None
        return ast.Cases(branches, default, cite, span=self._span(meta))

    def case_branch(self, meta, cond, value, cite):
        return ast.CaseBranch(cond, value, cite, span=self._span(meta))

    # literals
    def _bounded(self, tok, kind, value, limit):
        if value > limit:
            message, help_ = _TOO_LARGE[kind]
            self._fail(msg(message, literal=tok.strip(), limit=str(limit)), self._tspan(tok), help=msg(help_))
        return ast.Literal(kind, value, span=self._tspan(tok))

    def money(self, meta, tok):
        return self._bounded(tok, "money", _money(tok), MAX_MONEY)

    def percent(self, meta, tok):
        return self._bounded(tok, "percent", Decimal(str(tok)[:-1]), MAX_PERCENT)

    def months(self, meta, tok):
        return self._bounded(tok, "months", int(re.match(r"\d+", tok).group()), MAX_MONTHS)

    def days(self, meta, tok):
        return self._bounded(tok, "days", int(re.match(r"\d+", tok).group()), MAX_DAYS)

    def date(self, meta, tok):
        return ast.Literal("date", self._date(tok), span=self._tspan(tok))

    def number(self, meta, tok):
        return self._bounded(tok, "number", Decimal(str(tok)), MAX_NUMBER)

    def string(self, meta, tok):
        return ast.Literal("text", _unquote(tok), span=self._tspan(tok))

    def true(self, meta):
        return ast.Literal("bool", True, span=self._span(meta))

    def false(self, meta):
        return ast.Literal("bool", False, span=self._span(meta))

    def _date(self, tok: Token) -> dt.date:
        try:
            return dt.date.fromisoformat(str(tok))
        except ValueError:
            self._fail(msg("E002.date", date=str(tok)), self._tspan(tok))
            return None
