"""The editor's catalogue: both languages for every entry, and a note for every fact and function."""
from __future__ import annotations

import re
import string

import pytest

from medpolicy.facts import FACT_ROOTS
from medpolicy.lsp.index import _KINDS
from medpolicy.lsp.words import FACT_NOTES, FUNCTION_NOTES, WORDS, fact_note
from medpolicy.typecheck import FUNCTIONS

CJK = re.compile(r"[\u4e00-\u9fff]")
TABLES = {"WORDS": WORDS, "FACT_NOTES": FACT_NOTES, "FUNCTION_NOTES": FUNCTION_NOTES}


def fields(template: str) -> set:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_entry_is_worded_in_both_languages(table):
    for key, entry in TABLES[table].items():
        assert set(entry) == {"zh", "en"}, key
        assert fields(entry["zh"]) == fields(entry["en"]), key
        if fields(entry["zh"]) != {"id", "title"}:  # layout only
            assert CJK.search(entry["zh"]), key


def test_every_fact_and_function_has_a_note():
    facts = {f"{root}.{field}" for root, table in FACT_ROOTS.items() for field in table} | set(FACT_ROOTS)
    # `earlier` (inside a history) has the claim's facts, worded by the claim's notes, and basic_fund of its own.
    assert set(FACT_NOTES) == facts | {"earlier", "earlier.basic_fund"}
    assert fact_note("earlier.date", "en") == fact_note("claim.date", "en")
    assert fact_note("earlier.basic_fund", "zh")
    assert set(FUNCTION_NOTES) == set(FUNCTIONS)


def test_every_kind_of_symbol_has_a_name():
    kinds = set(_KINDS.values()) | {"source", "module", "level", "condition", "benefit", "payer"}
    assert {f"kind.{kind}" for kind in kinds} <= set(WORDS)
