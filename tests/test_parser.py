"""The parser's recovery from syntax errors: one diagnostic per bad declaration, no cascades.

After a syntax error the parser blanks the declaration holding it and parses
again, so later declarations are checked too (medpolicy.parser).  A valid
text is parsed once.  The wording of each diagnostic is pinned by the golden
cases (tests/diagnostics/syntax_error*.mpol, mistakes_in_three_declarations.mpol).
"""
from __future__ import annotations

import pytest

from medpolicy import parser
from medpolicy.errors import PolicyError
from medpolicy.parser import MAX_SYNTAX_ERRORS, parse
from medpolicy.resources import bundled_policies

HEAD = 'policy p {\n  title "t"\n  year 2026-01-01 .. 2026-12-31\n}\n\nlevels {\n  "1" "一级"\n}\n'

GOOD = '\nbenefit good "好" {\n  priority {priority}\n  when claim.care == inpatient\n  ratio 70%\n}\n'


def good(priority: int) -> str:
    return GOOD.replace("{priority}", str(priority))


def errors(text: str) -> list[tuple[str, int]]:
    """(code, line) of each diagnostic parsing TEXT gives."""
    with pytest.raises(PolicyError) as info:
        parse(text, "p.mpol")
    return [(d.code, d.span.line) for d in info.value.diagnostics]


def line_of(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


def test_a_valid_file_is_parsed_once(monkeypatch):
    calls = []
    real = parser._lark()

    class Counting:
        def parse(self, text):
            calls.append(text)
            return real.parse(text)

    monkeypatch.setattr(parser, "_lark", lambda: Counting())
    text = (bundled_policies() / "karamay.mpol").read_text("utf-8")
    assert parse(text, "karamay.mpol").header.id == "karamay"
    assert len(calls) == 1


def test_two_mistakes_in_one_benefit_give_one_diagnostic():
    text = HEAD + '\nbenefit b "B" {\n  priority 1\n  when claim.care = inpatient\n  ratio 70% 80%\n}\n' + good(2)
    assert errors(text) == [("E001", line_of(text, "claim.care = "))]


def test_each_bad_declaration_gives_one_diagnostic_in_order():
    text = (HEAD + '\nparam a "甲" = 70%%\n' + good(1)
            + '\nbenefit b "B" {\n  priority 2\n  when claim.care == inpatient\n  ratio 70% 80%\n}\n'
            + '\nlet c "丙" = (claim.care == outpatient\n' + good(3))
    # The unclosed parenthesis is found at the next declaration, the benefit after `let c`.
    assert errors(text) == [("E001", line_of(text, "70%%")), ("E001", line_of(text, "80%")),
                            ("E001", text[:text.rindex("benefit good")].count("\n") + 1)]


def test_an_unclosed_block_is_reported_where_the_next_declaration_starts_and_parsing_goes_on():
    text = (HEAD + '\nbenefit b "B" {\n  priority 1\n  when claim.care == inpatient\n  ratio 70%\n' + good(2)
            + '\nparam x "x" = "open\n')
    assert errors(text) == [("E001", line_of(text, "benefit good")), ("E001", line_of(text, "param x"))]


def test_a_misspelt_keyword_skips_to_the_next_declaration():
    text = HEAD + '\nbenifit b "B" {\n  priority 1\n}\n' + good(2) + '\nparam x "x" = ¥1 ¥2\n'
    assert errors(text) == [("E001", line_of(text, "benifit")), ("E001", line_of(text, "param x"))]


def test_an_error_in_the_header_does_not_hide_those_after_it():
    text = HEAD.replace("  title", "  titel") + '\nparam x "x" = ¥1 ¥2\n' + good(2)
    assert errors(text) == [("E001", line_of(text, "titel")), ("E001", line_of(text, "param x"))]
    unclosed = HEAD.replace("\n}\n\nlevels", "\n\nlevels") + '\nparam x "x" = ¥1 ¥2\n'
    assert errors(unclosed) == [("E001", line_of(unclosed, "levels")), ("E001", line_of(unclosed, "param x"))]


def test_a_keyword_swallowed_by_the_bad_declaration_gives_no_cascade():
    # `cite` takes the next line's `param` as its source name: the two lines are one bad declaration.
    text = HEAD + '\nparam a "甲" = 5 cite\nparam b "乙" = 6\nlet c "丙" = 7\n'
    assert errors(text) == [("E001", line_of(text, "param b"))]


def test_an_unfinished_last_declaration_gives_one_diagnostic():
    text = HEAD + good(1) + '\nbenefit b "B" {\n  priority 2\n'
    assert errors(text) == [("E001", text.rstrip().count("\n") + 1)]


def test_conversion_mistakes_are_reported_with_syntax_errors():
    text = (HEAD + '\nparam d "日期" = 2026-02-30\n'
            + '\nbenefit b "B" {\n  priority 1\n  priority 2\n  when claim.care == inpatient\n  ratio 70%\n}\n'
            + '\nbenefit c "C" {\n  priority 3\n  ratio 70% 80%\n}\n')
    assert errors(text) == [("E002", line_of(text, "2026-02-30")), ("E102", line_of(text, "priority 2")),
                            ("E001", line_of(text, "80%"))]


def test_the_number_of_syntax_errors_is_bounded():
    text = HEAD + "".join(f'\nparam p{i} "p" = ¥1 ¥2\n' for i in range(MAX_SYNTAX_ERRORS + 5))
    assert len(errors(text)) == MAX_SYNTAX_ERRORS


def test_a_file_of_nothing_but_an_error_gives_one_diagnostic():
    assert errors("benefit") == [("E001", 1)]
    assert errors("policy p {\n") == [("E001", 1)]


def test_a_byte_order_mark_is_no_character_of_the_policy():
    text = (bundled_policies() / "karamay.mpol").read_text(encoding="utf-8")
    assert parse("\ufeff" + text, "k.mpol") == parse(text, "k.mpol")
