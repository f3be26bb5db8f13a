"""The index of a program: scopes as the checker builds them, and every name of the main file explained."""
from __future__ import annotations

import pytest

from medpolicy import ast
from medpolicy.loader import load
from medpolicy.lsp.index import build_index

from conftest import POLICIES, ast_nodes


@pytest.mark.parametrize("name", ["karamay", "lanzhou", "shanghai"])
def test_every_name_written_in_a_bundled_policy_is_explained(name):
    """Each name, attribute and level string of the policy has a reference saying what it is."""
    index = build_index(load(POLICIES / f"{name}.mpol"))
    unexplained = []
    for node in ast_nodes(index.program.main):
        if isinstance(node, (ast.Name, ast.LookupEntry)) or \
                isinstance(node, ast.Literal) and node.kind == "text" and node.value in index.levels:
            ref = index.reference_at(node.span.line, node.span.column)
            if ref is None or ref.span.line != node.span.line or (ref.symbol, ref.fact, ref.member) == (None,) * 3:
                unexplained.append((node, node.span))
    assert unexplained == []


def test_scopes_follow_the_files(tmp_path):
    index = build_index(load(POLICIES / "karamay.mpol"))
    main = index.names()
    assert main["national"].kind == "module" and main["national"].target == "policies/shared/national_waiting_period.mpol"
    assert main["pku"].kind == "condition" and main["inpatient"].kind == "benefit"
    assert "fixed_wait" not in main and index.module_names("national")["fixed_wait"].kind == "param"
    assert index.module_names("needy") == {}  # not a module
    assert "pku" not in index.names("policies/shared/national_waiting_period.mpol")  # conditions: the policy's


def test_the_innermost_reference_wins_and_a_word_end_counts():
    index = build_index(load(POLICIES / "karamay.mpol"))
    text = index.program.texts[index.main]
    line = text.split("\n").index("  else national.benefits_start") + 1
    assert index.reference_at(line, 8).symbol.kind == "module"            # on `national`
    assert index.reference_at(line, 16).symbol.kind == "module"           # just after it, on the dot
    assert index.reference_at(line, 17).symbol.name == "benefits_start"   # the module's let
    assert index.reference_at(line, 31).symbol.name == "benefits_start"   # just after its last letter
    assert index.reference_at(line, 3) is None                            # on `else`
