"""Every example's full JSON statement, compared exactly with tests/golden/statements/.

Any change in a payout or in an explanation shows up here, and in review as a
diff of the golden file. Regenerate them only on purpose:

    MEDPOLICY_UPDATE_GOLDEN=1 python3 -m pytest tests/test_golden_statements.py
"""
from __future__ import annotations

import os

import pytest

from medpolicy import render_json

from conftest import EXAMPLES, ROOT, run_example

GOLDEN = ROOT / "tests" / "golden" / "statements"
UPDATE = os.environ.get("MEDPOLICY_UPDATE_GOLDEN") == "1"
CASES = sorted(p.name for p in EXAMPLES.iterdir() if p.suffix in (".yaml", ".yml", ".json"))


def test_there_are_examples_for_every_city():
    cities = {name.split("-")[0] for name in CASES}
    assert {"karamay", "lanzhou", "shanghai"} <= cities and len(CASES) >= 10


@pytest.mark.parametrize("name", CASES)
def test_statement_matches_golden(name, monkeypatch):
    monkeypatch.chdir(ROOT)  # sources print as policies/…, whatever the caller's directory
    text = render_json(run_example(name))
    golden = GOLDEN / (name.rsplit(".", 1)[0] + ".json")
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
        pytest.skip("golden file rewritten")
    assert golden.exists(), f"no golden statement for {name}: run with MEDPOLICY_UPDATE_GOLDEN=1"
    assert text == golden.read_text(encoding="utf-8")


def test_no_orphan_golden_files():
    expected = {name.rsplit(".", 1)[0] + ".json" for name in CASES}
    assert {p.name for p in GOLDEN.glob("*.json")} <= expected
