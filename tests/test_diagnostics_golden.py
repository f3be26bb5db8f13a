"""Golden tests of the diagnostics a policy author sees.

Each ``tests/diagnostics/*.mpol`` (top level only) is a small policy with one
deliberate mistake; beside it, ``NAME.expected`` holds exactly what
``render_all`` prints for it in English, with paths relative to the
repository root (``tests/diagnostics/NAME.mpol:LINE:COLUMN: error[E…]: …``),
and ``NAME.zh.expected`` what it prints in Chinese
(``…:LINE:COLUMN: 错误[E…]：…``).  Files in ``tests/diagnostics/modules/``
are modules the cases import, not cases.

A case is loaded and checked like ``medpolicy check`` does; if the check
passes, its warnings are rendered instead (a case for a warning code).  A case
that produces no diagnostic at all fails: each fixture exists to show one.

To regenerate the ``.expected`` files after an intended change of wording or
location, run::

    MEDPOLICY_UPDATE_GOLDEN=1 python -m pytest tests/test_diagnostics_golden.py

which writes every ``.expected`` file (both languages) and skips the
comparison; then review the diff line by line -- the Chinese ones as a policy
author would read them.  Without that variable a missing ``.expected`` file
is a failure, never a silent pass.
"""
from __future__ import annotations

import json
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
SUFFIX = {"en": ".expected", "zh": ".zh.expected"}


def diagnostics(case: Path) -> tuple[list, dict]:
    """The diagnostics of CASE, loaded by its path relative to the root, and the sources they quote."""
    try:
        policy = check(load(case.relative_to(ROOT)))
    except PolicyError as err:
        return err.diagnostics, err.sources
    return list(policy.warnings), policy.texts


def rendered(case: Path, lang: str = "en") -> str:
    """What `render_all` prints for CASE in LANG."""
    diags, sources = diagnostics(case)
    return render_all(diags, sources, lang) + "\n" if diags else ""


@pytest.mark.parametrize("lang", sorted(SUFFIX))
@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_golden_diagnostics(case: Path, lang: str, monkeypatch):
    monkeypatch.chdir(ROOT)
    actual = rendered(case, lang)
    assert actual, f"{case.name} produces no diagnostic; each case must show the mistake it was written for"
    expected_file = case.with_name(case.stem + SUFFIX[lang])
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
    orphans = [p.name for p in CASES_DIR.glob("*.expected")
               if not CASES_DIR.joinpath(p.name.split(".", 1)[0] + ".mpol").exists()]
    assert orphans == []


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_diagnostics_are_data(case: Path, monkeypatch):
    """Each diagnostic names its catalogue entry, with arguments a service can store as JSON."""
    monkeypatch.chdir(ROOT)
    for d in diagnostics(case)[0]:
        data = d.as_dict("zh")
        assert data["message_id"].split(".")[0] == d.code
        assert json.loads(json.dumps(data, ensure_ascii=False)) == data
        assert d.as_dict()["message"] == d.message and d.as_dict()["help"] == d.help


def test_every_diagnostic_code_is_tested():
    """Every code the parser, loader, checker, type checker and reachability can
    emit appears in a golden file or in the focused checker tests (tests/test_checker.py)."""
    codes = set()
    for module in ("parser", "loader", "checker", "typecheck", "reachability"):
        codes |= set(re.findall(r'"([EW]\d{3})[".]', (ROOT / "medpolicy" / f"{module}.py").read_text("utf-8")))
    tested = "".join(p.read_text("utf-8") for p in CASES_DIR.glob("*.expected"))
    tested += (ROOT / "tests" / "test_checker.py").read_text("utf-8")
    untested = sorted(code for code in codes if code not in tested)
    assert untested == []
