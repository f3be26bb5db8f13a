"""The formatter: idempotent, meaning-preserving, every comment kept, and the golden layouts.

Golden cases are ``tests/fmt/NAME.mpol`` (a messy input) beside
``tests/fmt/NAME.expected`` (what :func:`format_source` makes of it).  To
regenerate the ``.expected`` files after an intended change of layout, run::

    MEDPOLICY_UPDATE_GOLDEN=1 python -m pytest tests/test_formatter.py

and review the diff.  Comments are checked against a lexer of the test's own
(the grammar's COMMENT terminal, collected by a Lark callback), not against
the formatter's reading of the text between tokens.
"""
from __future__ import annotations

import os
import random

import lark
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medpolicy.errors import PolicyError
from medpolicy.formatter import format_source
from medpolicy.parser import parse
from medpolicy.resources import grammar_path

from conftest import POLICIES, ROOT

UPDATE = os.environ.get("MEDPOLICY_UPDATE_GOLDEN") == "1"
GOLDEN = ROOT / "tests" / "fmt"
CASES = sorted(GOLDEN.glob("*.mpol"))
BUNDLED = sorted(POLICIES.rglob("*.mpol"))


def _parses(path) -> bool:
    try:
        parse(path.read_text(encoding="utf-8"))
    except (PolicyError, UnicodeDecodeError):
        return False
    return True


DIAGNOSTIC_CASES = [p for p in sorted((ROOT / "tests" / "diagnostics").rglob("*.mpol")) if _parses(p)]
EVERY_FILE = BUNDLED + DIAGNOSTIC_CASES + CASES


def name(path) -> str:
    return str(path.relative_to(ROOT))


_COMMENTS: list[str] = []
_LEXER = lark.Lark(grammar_path().read_text(encoding="utf-8"), parser="lalr", lexer="contextual",
                   keep_all_tokens=True, lexer_callbacks={"COMMENT": lambda tok: _COMMENTS.append(tok.rstrip())})


def comments_and_tokens(text: str) -> tuple[list[str], list[lark.Token]]:
    """The comments of ``text`` in order, and its tokens (the parse tree's leaves)."""
    _COMMENTS.clear()
    tree = _LEXER.parse(text)
    return list(_COMMENTS), list(tree.scan_values(lambda v: isinstance(v, lark.Token)))


def assert_formats_well(text: str, path: str = "<string>") -> str:
    """Format ``text`` and check the three promises: same tree, same comments, a fixed point."""
    formatted = format_source(text, path)
    assert parse(formatted, path) == parse(text, path)
    assert comments_and_tokens(formatted)[0] == comments_and_tokens(text)[0]
    assert format_source(formatted, path) == formatted
    return formatted


# ---------------------------------------------------------------- real files

@pytest.mark.parametrize("path", EVERY_FILE, ids=name)
def test_formatting_keeps_meaning_and_comments_and_is_idempotent(path):
    assert_formats_well(path.read_text(encoding="utf-8"), name(path))


@pytest.mark.parametrize("path", BUNDLED, ids=name)
def test_bundled_policies_are_already_in_the_canonical_layout(path):
    """The layout was chosen to be the bundled policies' own: formatting them changes nothing."""
    text = path.read_text(encoding="utf-8")
    assert format_source(text, name(path)) == text


def test_the_checked_files_include_every_bundled_policy_and_diagnostic_case():
    assert {p.stem for p in BUNDLED} >= {"karamay", "lanzhou", "shanghai", "national_waiting_period"}
    assert len(DIAGNOSTIC_CASES) > 50


# ---------------------------------------------------------------- golden layouts

@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_golden_layout(case):
    text = case.read_text(encoding="utf-8")
    formatted = format_source(text, name(case))
    expected = case.with_suffix(".expected")
    if UPDATE:
        expected.write_text(formatted, encoding="utf-8")
        return
    assert expected.exists(), f"missing golden file {expected}; run with MEDPOLICY_UPDATE_GOLDEN=1"
    assert formatted == expected.read_text(encoding="utf-8")
    assert formatted != text, "a golden input should need formatting"


def test_golden_cases_cover_the_constructs_the_brief_names():
    assert {c.stem for c in CASES} >= {"comments", "tables", "cites", "nested", "premium", "settlement",
                                       "critical_illness"}


# ---------------------------------------------------------------- particular rules

HEAD = 'policy p { title "t" year 2026-01-01 .. 2026-12-31 }\n'


def body(text: str) -> str:
    """What the formatter makes of declarations after a one-line header (the header's lines removed)."""
    return format_source(HEAD + text).split("}\n", 1)[1]


def test_literals_and_strings_are_written_as_the_author_wrote_them():
    text = 'let a = ¥1,000 + 20 元 + ¥0.50\nlet b = 3 months + 2个月\nlet c = "a  \\" b"\nlet d = 15 days + 1天 + 2 日\n'
    assert body(text) == text


def test_clauses_go_one_a_line_and_blocks_are_indented_two_spaces():
    assert body('benefit b "B" { priority 1 when a ratio 50% }\n') == \
        'benefit b "B" {\n  priority 1\n  when a\n  ratio 50%\n}\n'


def test_runs_of_blank_lines_become_one_and_none_stay_after_an_opening_brace():
    assert body('source s "S"\n\n\n\nlevels {\n\n  "1" "a"\n\n\n  "2" "b"\n\n}\n') == \
        'source s "S"\n\nlevels {\n  "1" "a"\n\n  "2" "b"\n}\n'


def test_a_trailing_comment_stays_on_its_line_and_an_own_line_comment_above_the_next_item():
    assert body('source s "S" # about s\n    # about t\nsource t "T"\n') == \
        'source s "S"  # about s\n# about t\nsource t "T"\n'


def test_the_authors_line_breaks_inside_an_expression_stay_with_normalised_indentation():
    assert body("let a = b\n        and c\n and d\n") == "let a = b\n  and c\n  and d\n"


def test_a_table_on_one_line_stays_on_one_line_and_a_multi_line_one_gets_an_entry_a_line():
    assert body('let a = by x {"1":1 "2":2}\n') == 'let a = by x { "1": 1, "2": 2 }\n'
    assert body('let a = by x { "1": 1,\n "2": 2, }\n') == 'let a = by x {\n  "1": 1,\n  "2": 2\n}\n'


def test_a_syntax_error_raises_the_parsers_diagnostic():
    text = HEAD + "let a = (1\n"
    with pytest.raises(PolicyError) as formatting:
        format_source(text, "x.mpol")
    with pytest.raises(PolicyError) as parsing:
        parse(text, "x.mpol")
    assert formatting.value.diagnostics == parsing.value.diagnostics
    assert formatting.value.diagnostics[0].span.file == "x.mpol"


# ---------------------------------------------------------------- generated policies

SEPARATORS = st.sampled_from([" ", " ", " ", " ", "  ", "\t", "\n", "\n", "\n\n", "\n\n\n", "\n        ",
                              " \n   ", "\r\n"])
COMMENT = st.text(alphabet='ab #"中,{}', max_size=6).map(lambda s: ("#" + s).rstrip())
NAMES = st.sampled_from(["a", "b", "needy", "visits"])
LEAVES = st.sampled_from(["a", "b", "claim.level", "person.gap_years", "¥100", "¥1,000", "20 元", "¥0.5", "50%",
                          "3", "2.5", "3 months", "2个月", "15 days", "1 day", "3天", "2 日", "2026-01-01", '"text"', "true", "false"])


def _join(*parts) -> list[str]:
    """Tokens of several parts, each a token or a (nested) list of tokens."""
    out: list[str] = []
    for part in parts:
        out.extend([part] if isinstance(part, str) else _join(*part))
    return out


def _operand(expr: list[str]) -> list[str]:
    """An expression usable as an operand: a single token as it is, anything longer in parentheses."""
    return expr if len(expr) == 1 else _join("(", expr, ")")


def _comma_list(items: list[list[str]]) -> list[str]:
    out: list[str] = []
    for i, item in enumerate(items):
        out += ([","] if i else []) + item
    return out


def _extend(inner):
    pair = st.tuples(inner, inner)
    return st.one_of(
        pair.flatmap(lambda p: st.sampled_from(["+", "-", "*", "<", "==", "and", "or", "otherwise"]).map(
            lambda op: _join(_operand(p[0]), op, _operand(p[1])))),
        inner.map(lambda e: _join("not", _operand(e))),
        inner.map(lambda e: _join("-", _operand(e))),
        st.lists(inner, min_size=1, max_size=3).map(lambda es: _join("max", "(", _comma_list(es), ")")),
        st.lists(inner, max_size=3).map(lambda es: _join("[", _comma_list(es), "]")),
        st.tuples(inner, inner, inner).map(lambda t: _join("if", t[0], "then", t[1], "else", t[2])),
        st.tuples(inner, inner, st.booleans()).map(lambda t: _join(
            "by", "claim.level", "{", '"1"', ":", t[0], ",", "x", ":", t[1], ["else", ":", t[0]] if t[2] else [],
            "}")),
        st.tuples(inner, inner, inner).map(lambda t: _join(
            "cases", "{", "when", t[0], ":", t[1], "cite", "s", '"§"', "else", ":", t[2], "}")),
        inner.map(lambda e: _join(_operand(e), "in", "[", "a", ",", "b", "]")),
    )


EXPRS = st.recursive(LEAVES.map(lambda leaf: [leaf]), _extend, max_leaves=6)
CITES = st.one_of(st.just([]), st.just(["cite", "s", '"§1"']), st.just(["cite", "s", '"§2"', '"quote"']))
BENEFIT_CLAUSES = {
    "priority": st.just(["priority", "10"]),
    "when": st.tuples(EXPRS, CITES).map(lambda t: _join("when", *t)),
    "deductible": st.tuples(EXPRS, CITES).map(lambda t: _join("deductible", "per", "visit", *t)),
    "ratio": st.tuples(EXPRS, CITES).map(lambda t: _join("ratio", *t)),
    "annual": st.tuples(EXPRS, CITES).map(lambda t: _join("annual", "cap", *t)),
    "excluded": CITES.map(lambda c: _join("pays", "nothing", '"no"', c)),
}


@st.composite
def benefits(draw):
    kinds = draw(st.lists(st.sampled_from(sorted(BENEFIT_CLAUSES)), unique=True, max_size=4))
    return _join("benefit", draw(NAMES), '"B"', "{", *[draw(BENEFIT_CLAUSES[k]) for k in kinds], "}")


DECLS = st.one_of(
    st.tuples(NAMES, EXPRS, CITES).map(lambda t: _join("let", t[0], '"label"', "=", t[1], t[2])),
    st.tuples(NAMES, EXPRS, CITES).map(lambda t: _join("param", t[0], "=", t[1], t[2])),
    st.tuples(NAMES, EXPRS).map(lambda t: _join("cap", t[0], '"C"', t[1], "per", "year")),
    st.lists(NAMES, min_size=1, max_size=4).map(lambda ns: _join("list", "l", "=", "[", _comma_list([[n] for n in ns]),
                                                                 "]", "cite", "s", '"§"')),
    st.just(["levels", "{", '"1"', '"一级"', '"2"', '"二级"', "}"]),
    benefits(),
    st.tuples(EXPRS, EXPRS).map(lambda t: _join("premium", "{", "item", '"P"', "{", "when", t[0], ":", t[1],
                                                "else", ":", "unstated", "}", "}")),
    st.tuples(EXPRS, EXPRS).map(lambda t: _join("critical_illness", '"CI"', "{", "covers", t[0], "table", '"T"',
                                                "otherwise", "{", "band", "¥0", "..", "¥100", "pays", t[1], "}",
                                                "}")),
)


@st.composite
def policies(draw) -> str:
    """A policy that parses, its tokens joined by random whitespace and comments."""
    tokens = _join("policy", "p", "{", "title", '"t"', "year", "2026-01-01", "..", "2026-12-31", "}",
                   *draw(st.lists(DECLS, max_size=4)))
    text = ""
    for token in tokens:
        gap = draw(SEPARATORS)
        if draw(st.integers(0, 5)) == 0:
            gap = draw(st.sampled_from(["", " ", "\n  "])) + draw(COMMENT) + "\n" + draw(SEPARATORS)
        text += gap + token
    return text + draw(SEPARATORS)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(policies())
def test_generated_policies_format_to_the_same_tree_and_comments_and_a_fixed_point(text):
    assert_formats_well(text)


@settings(max_examples=12, deadline=None)
@given(st.sampled_from(BUNDLED), st.randoms(use_true_random=False))
def test_bundled_policies_respaced_at_random_format_back_to_the_same_tree(path, rng: random.Random):
    """Every token of a bundled file, with random whitespace and comments between: same tree, comments, fixed point."""
    text = path.read_text(encoding="utf-8")
    _, tokens = comments_and_tokens(text)
    gaps = [" ", " ", " ", "\n", "\n\n", "\n   ", "  # c\n", "\n# own line\n  "]
    respaced = "".join(rng.choice(gaps) + text[t.start_pos:t.end_pos] for t in tokens) + "\n"
    assert_formats_well(respaced, name(path))
