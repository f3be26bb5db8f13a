"""Checking a buffer: the diagnostics of `medpolicy check`, imports from the buffer's folder, modules alone."""
from __future__ import annotations

import pytest

from medpolicy.lsp.analysis import UNTITLED, analyze

from conftest import POLICIES

MODULE = 'module rates "比例"\nparam base "基本比例" = 60%\n'
POLICY = """\
policy city {
  title "City"
  year 2026-01-01 .. 2026-12-31
}
import "shared/rates.mpol" as rates
levels { "1" "一级" }
benefit clinic "门诊" { priority 1 when claim.care == outpatient ratio rates.base }
"""


@pytest.mark.parametrize("name", ["karamay.mpol", "lanzhou.mpol", "shanghai.mpol",
                                  "shared/national_waiting_period.mpol"])
def test_the_bundled_files_have_nothing_to_report(name):
    path = POLICIES / name
    analysis = analyze(path.read_text(encoding="utf-8"), path)
    assert analysis.diagnostics == () and analysis.index is not None
    assert analysis.path == "policies/" + name


def test_imports_resolve_from_the_buffers_own_folder(tmp_path):
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "rates.mpol").write_text(MODULE, encoding="utf-8")
    analysis = analyze(POLICY, tmp_path / "city.mpol")
    assert analysis.diagnostics == ()
    assert set(analysis.index.program.modules) == {analysis.path.replace("city.mpol", "shared/rates.mpol")}
    elsewhere = analyze(POLICY, tmp_path / "elsewhere" / "city.mpol")
    assert [d.code for d in elsewhere.diagnostics] == ["E304"] and elsewhere.index is None


def test_an_unsaved_buffer_imports_the_bundled_modules():
    text = (POLICIES / "karamay.mpol").read_text(encoding="utf-8")
    analysis = analyze(text)
    assert analysis.path == UNTITLED and analysis.diagnostics == ()
    assert list(analysis.index.program.modules) == ["policies/shared/national_waiting_period.mpol"]


def test_every_problem_is_reported_with_its_code(tmp_path):
    text = POLICY.replace('import "shared/rates.mpol" as rates\n', "").replace("rates.base", "¥60")
    analysis = analyze(text.replace("claim.care", "claim.cure"), tmp_path / "city.mpol")
    assert sorted(d.code for d in analysis.diagnostics) == ["E200", "E204"]  # claim.cure, ratio ¥60
    assert analysis.index is not None  # it parses: the other features still work


def test_a_syntax_error_leaves_no_index(tmp_path):
    analysis = analyze(POLICY.replace("priority 1", "priority"), tmp_path / "city.mpol")
    (diagnostic,) = analysis.diagnostics
    assert diagnostic.code == "E001" and analysis.index is None


def test_a_module_is_checked_as_an_imported_module_would_be(tmp_path):
    path = tmp_path / "rates.mpol"
    assert analyze(MODULE, path).diagnostics == ()
    broken = MODULE + 'let twice "两倍" = bse * 2\nlevels { "1" "一级" }\n'
    codes = {d.code: d for d in analyze(broken, path).diagnostics}
    assert set(codes) == {"E200", "E107"}  # an unknown name, and a declaration a module cannot hold
    assert codes["E200"].span.line == 3 and codes["E200"].help == "did you mean 'base'?"
    assert all(d.span.file == analyze(broken, path).path for d in codes.values())
