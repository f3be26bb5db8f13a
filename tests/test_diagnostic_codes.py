"""The registry of diagnostic codes (medpolicy.diagnostic_codes): complete, consistent, documented.

Every code the source names is registered; every catalogue entry of the
diagnostics belongs to a registered code (or is a help or layout shared by
several); every registered code has its messages; the table of codes in
docs/diagnostics.md is the one the registry generates (run with
``MEDPOLICY_UPDATE_GOLDEN=1`` to rewrite it).  That each code has a golden
case is tested with the cases (tests/test_diagnostics_golden.py).
"""
from __future__ import annotations

import re

import pytest

from medpolicy.diagnostic_codes import CODES, SEVERITIES, STAGES, default_severity, lint_name, markdown_table
from medpolicy.diagnostic_messages import DIAGNOSTICS
from medpolicy.diagnostics import Diagnostic
from medpolicy.localize import Message, msg
from medpolicy.span import Span

from conftest import ROOT, UPDATE_GOLDEN

DOCS = ROOT / "docs" / "diagnostics.md"
TABLE = re.compile(r"(<!-- codes: [^\n]*-->\n)(.*?)(<!-- end of codes -->)", re.S)
CODE = re.compile(r"[EW]\d{3}")
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_the_docs_table_is_the_registry():
    text = DOCS.read_text("utf-8")
    found = TABLE.search(text)
    assert found, "docs/diagnostics.md has lost the markers around its table of codes"
    if UPDATE_GOLDEN:
        DOCS.write_text(text[:found.start(2)] + markdown_table() + text[found.end(2):], encoding="utf-8")
        return
    assert found.group(2) == markdown_table(), \
        "the table of codes differs from the registry: run with MEDPOLICY_UPDATE_GOLDEN=1 and review the diff"


def test_every_code_the_source_names_is_registered():
    named = set()
    for path in sorted((ROOT / "medpolicy").rglob("*.py")):
        if path.name in ("diagnostic_codes.py", "diagnostic_messages.py"):
            continue
        named |= set(re.findall(r"""["']([EW]\d{3})[."']""", path.read_text("utf-8")))
    assert named, "no code found: the search is broken"
    assert sorted(named - set(CODES)) == []


def test_every_diagnostic_message_belongs_to_a_registered_code():
    for message_id in DIAGNOSTICS:
        head = message_id.split(".")[0]
        if CODE.fullmatch(head):
            assert head in CODES, message_id
        else:
            assert head in ("help", "render"), f"{message_id} belongs to no code"


def test_every_registered_code_has_a_message():
    worded = {message_id.split(".")[0] for message_id in DIAGNOSTICS}
    assert sorted(set(CODES) - worded) == []


@pytest.mark.parametrize("code", sorted(CODES))
def test_each_entry_is_complete(code):
    entry = CODES[code]
    assert entry.code == code and CODE.fullmatch(code)
    assert entry.stage in STAGES and entry.severity in SEVERITIES
    assert entry.en.strip() and CJK.search(entry.zh)
    assert (entry.lint is not None) == (entry.stage == "lint")
    if entry.lint:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)+", entry.lint) and code.startswith("W")


def test_lint_names_are_unique():
    names = [c.lint for c in CODES.values() if c.lint]
    assert len(names) == len(set(names)) > 0


def test_a_diagnostic_takes_its_default_severity_from_the_registry():
    span = Span("p.mpol", 1, 1)
    assert Diagnostic.of(msg("W401.benefit", clause="ratio", benefit="b"), span).severity == "warning"
    assert Diagnostic.of(msg("E112", benefit="b"), span).severity == "error"
    assert Diagnostic.of(msg("W201"), span, "error").severity == "error"  # --strict
    assert default_severity("W120") == "warning" and lint_name("W402") == "unused-declaration"
    assert lint_name("E001") is None


def test_an_unregistered_code_is_refused():
    with pytest.raises(KeyError):
        Diagnostic.of(Message("E999"), Span("p.mpol", 1, 1))
