"""Completion's keywords come from the grammar: every clause of a block, and nothing the grammar lacks."""
from __future__ import annotations

import re

from medpolicy.lsp.keywords import BLOCK_RULES, expression_keywords, phrases
from medpolicy.resources import grammar_path

GRAMMAR = grammar_path().read_text(encoding="utf-8")


def test_a_benefit_offers_each_clause_by_its_leading_keywords():
    assert phrases("benefit_clause") == (
        "priority", "when", "visits grouped by day and institution", "includes", "counts", "deductible per",
        "deductible per year", "no deductible", "ratio", "ratio banded over", "pays", "adjust", "visit cap",
        "annual cap", "pays nothing")


def test_the_top_of_a_file_offers_every_declaration():
    declarations = set(re.findall(r'^(\w+_decl): "(\w+)"', GRAMMAR, re.M))
    offered = {p.split()[0] for p in phrases(BLOCK_RULES[None])}
    assert offered == {keyword for _, keyword in declarations}


def test_every_block_rule_exists_and_offers_something():
    for head, rule in BLOCK_RULES.items():
        assert re.search(rf"^\??{rule}:", GRAMMAR, re.M), rule
        assert phrases(rule), head


def test_expression_keywords_are_the_grammars():
    words = expression_keywords()
    assert {"if", "then", "else", "and", "or", "not", "in", "otherwise", "by", "cases", "true", "false"} <= set(words)
    assert "cite" not in words and "benefit" not in words
    assert all(f'"{word}"' in GRAMMAR for word in words)
