"""Golden tests of the diagnostics a policy author sees.

Each ``tests/diagnostics/*.mpol`` (top level only) is a small policy with one
deliberate mistake; beside it, ``NAME.expected`` holds exactly what
``render_all`` prints for it in English, with paths relative to the
repository root (``tests/diagnostics/NAME.mpol:LINE:COLUMN: error[E…]: …``),
and ``NAME.zh.expected`` what it prints in Chinese
(``…:LINE:COLUMN: 错误[E…]：…``).  Files in ``tests/diagnostics/modules/``
are modules the cases import, not cases.

A case is loaded, checked and linted like ``medpolicy check`` does; if the
check passes, its warnings are rendered instead (a case for a warning code or
a lint; such a case is otherwise lint-clean).  A case that produces no
diagnostic at all fails: each fixture exists to show one.  A case whose first
line is ``# limits: NAME=VALUE, …`` is loaded under those
:class:`~medpolicy.limits.Limits` (a file-size limit of 200 bytes, say).

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
from medpolicy.diagnostic_codes import CODES
from medpolicy.diagnostics import render_all
from medpolicy.errors import PolicyError
from medpolicy.limits import Limits
from medpolicy.loader import load

ROOT = Path(__file__).resolve().parent.parent
CASES_DIR = ROOT / "tests" / "diagnostics"
CASES = sorted(CASES_DIR.glob("*.mpol"))
UPDATE = os.environ.get("MEDPOLICY_UPDATE_GOLDEN") == "1"
SUFFIX = {"en": ".expected", "zh": ".zh.expected"}


LIMITS = re.compile(r"# limits: (.*)")


def limits_of(case: Path) -> Limits:
    """The limits CASE asks for on its first line (``# limits: max_nesting=8``), else the defaults."""
    first = case.read_text("utf-8", errors="replace").split("\n", 1)[0]
    found = LIMITS.fullmatch(first.strip())
    if not found:
        return Limits()
    settings = dict(item.strip().split("=") for item in found.group(1).split(","))
    return Limits(**{name: int(value) for name, value in settings.items()})


def diagnostics(case: Path) -> tuple[list, dict]:
    """The diagnostics of CASE, loaded by its path relative to the root, and the sources they quote."""
    try:
        policy = check(load(case.relative_to(ROOT), limits_of(case)), lint=True)
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


WITHOUT_CASE = {
    "E122": "a band bound, rate or deductible that types as a constant always evaluates, unless it takes over "
            "100,000 steps (a policy text of hundreds of kilobytes); every other way to write a non-constant "
            "is reported first as E204, E205 or E207",
}
"""Registered codes no case of reasonable size can show, and why."""


def test_every_registered_code_has_a_case():
    """Every code of the registry (medpolicy.diagnostic_codes), which holds every code the
    source emits, appears in a golden file of both languages."""
    for suffix in SUFFIX.values():
        shown = set()
        for path in CASES_DIR.glob("*" + suffix):
            if suffix == ".expected" and path.name.endswith(".zh.expected"):
                continue
            shown |= set(re.findall(r"\[([EW]\d{3})\]", path.read_text("utf-8")))
        assert sorted(set(CODES) - shown - set(WITHOUT_CASE)) == [], suffix
        assert sorted(shown & set(WITHOUT_CASE)) == [], "a code listed as without a case now has one"
