"""Golden tests of the diagnostics a policy author sees.

Each ``tests/diagnostics/*.mpol`` (top level only) is a small policy with one
deliberate mistake; beside it, ``NAME.expected`` holds exactly what
``render_all`` prints for it, with paths relative to the repository root
(``tests/diagnostics/NAME.mpol:LINE:COLUMN: error[E…]: …``).  Files in
``tests/diagnostics/modules/`` are modules the cases import, not cases.

A case is loaded and checked like ``medpolicy check`` does; if the check
passes, its warnings are rendered instead (a case for a warning code).  A case
that produces no diagnostic at all fails: each fixture exists to show one.

To regenerate the ``.expected`` files after an intended change of wording or
location, run::

    MEDPOLICY_UPDATE_GOLDEN=1 python -m pytest tests/test_diagnostics_golden.py

which writes every ``.expected`` file and skips the comparison; then review
the diff line by line.  Without that variable a missing ``.expected`` file is
a failure, never a silent pass.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from medpolicy.checker import check
from medpolicy.diagnostics import render_all
from medpolicy.errors import PolicyError
from medpolicy.loader import load

ROOT = Path(__file__).resolve().parent.parent
CASES_DIR = ROOT / "tests" / "diagnostics"
CASES = sorted(CASES_DIR.glob("*.mpol"))
UPDATE = os.environ.get("MEDPOLICY_UPDATE_GOLDEN") == "1"


def rendered(case: Path) -> str:
    """What `render_all` prints for CASE, loaded by its path relative to the root."""
    try:
        policy = check(load(case.relative_to(ROOT)))
    except PolicyError as err:
        return render_all(err.diagnostics, err.sources) + "\n"
    if not policy.warnings:
        return ""
    return render_all(policy.warnings, policy.texts) + "\n"


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_golden_diagnostics(case: Path, monkeypatch):
    monkeypatch.chdir(ROOT)
    actual = rendered(case)
    assert actual, f"{case.name} produces no diagnostic; each case must show the mistake it was written for"
    expected_file = case.with_suffix(".expected")
    if UPDATE:
        expected_file.write_text(actual, encoding="utf-8")
        pytest.skip(f"wrote {expected_file.relative_to(ROOT)}")
    if not expected_file.exists():
        pytest.fail(f"{expected_file.relative_to(ROOT)} is missing; "
                    "run with MEDPOLICY_UPDATE_GOLDEN=1 to write it, then review it")
    assert actual == expected_file.read_text(encoding="utf-8")


def test_there_are_cases():
    assert len(CASES) > 50


def test_every_expected_file_has_a_case():
    """A stale .expected (its case renamed or deleted) is an error, not dead weight."""
    orphans = [p.name for p in CASES_DIR.glob("*.expected") if not p.with_suffix(".mpol").exists()]
    assert orphans == []


def test_every_diagnostic_code_is_tested():
    """Every code the parser, loader and checker can emit appears in a golden
    file or in the focused checker tests (tests/test_checker.py)."""
    codes = set()
    for module in ("parser", "loader", "checker"):
        codes |= set(re.findall(r'"([EW]\d{3})"', (ROOT / "medpolicy" / f"{module}.py").read_text("utf-8")))
    tested = "".join(p.read_text("utf-8") for p in CASES_DIR.glob("*.expected"))
    tested += (ROOT / "tests" / "test_checker.py").read_text("utf-8")
    untested = sorted(code for code in codes if code not in tested)
    assert untested == []
