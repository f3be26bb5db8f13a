"""--update: only the differing figures' text changes; comments, layout and quoting stay."""
from __future__ import annotations

from medpolicy.policytests import run, update


def test_update_rewrites_only_the_differing_figures_keeping_comments_and_quotes(folder):
    path = folder / "t.test.yaml"
    original = path.read_text(encoding="utf-8")
    wrong = (original.replace("basic_fund: 400.00", "basic_fund: 401.00")
             .replace('patient: "200.00"', 'patient: "199.00"')
             .replace("ratio: 80%", "ratio: 81%")
             .replace("status: paid", "status: excluded"))
    path.write_text(wrong, encoding="utf-8")
    assert update(run([folder])) == {path: 4}
    assert path.read_text(encoding="utf-8") == original
    assert run([folder]).ok


def test_update_leaves_passing_files_and_cases_that_cannot_run_alone(folder):
    path = folder / "t.test.yaml"
    original = path.read_text(encoding="utf-8")
    assert update(run([folder])) == {}
    broken = original.replace("        b:\n", "        c:\n").replace("basic_fund: 400.00", "basic_fund: 1.00")
    path.write_text(broken, encoding="utf-8")
    assert update(run([folder])) == {}
    assert path.read_text(encoding="utf-8") == broken


def test_update_writes_null_and_ids_yaml_would_misread(folder):
    path = folder / "t.test.yaml"
    text = path.read_text(encoding="utf-8").replace("benefit: inp,", "benefit: out,")
    path.write_text(text, encoding="utf-8")
    update(run([folder]))
    assert "benefit: inp," in path.read_text(encoding="utf-8")


def test_update_keeps_windows_line_endings_and_single_quotes(folder):
    path = folder / "t.test.yaml"
    original = path.read_text(encoding="utf-8").replace('patient: "200.00"', "patient: '200.00'")
    wanted = original.replace("\n", "\r\n").encode("utf-8")
    wrong = original.replace("basic_fund: 400.00", "basic_fund: 1.00").replace("patient: '200.00'", "patient: '1.00'")
    path.write_bytes(wrong.replace("\n", "\r\n").encode("utf-8"))
    assert update(run([folder])) == {path: 2}
    assert path.read_bytes() == wanted
