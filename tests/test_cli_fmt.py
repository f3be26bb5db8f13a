"""``medpolicy fmt``: in-place rewrite, ``--check`` exit codes, stdin to stdout, files with syntax errors left alone."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from medpolicy.cli import main
from medpolicy.formatter import format_source

from conftest import POLICIES, ROOT

MESSY = (ROOT / "tests" / "fmt" / "comments.mpol").read_text(encoding="utf-8")
TIDY = format_source(MESSY)
BROKEN = 'policy p {\n  title "t"\n  year 2026-01-01 ..\n}\n'


def invoke(*args, stdin=None, lang="en"):
    return CliRunner().invoke(main, ["fmt", *args, "--lang", lang], input=stdin, catch_exceptions=False)


@pytest.fixture
def files(tmp_path, monkeypatch):
    """A messy, a tidy and a broken policy in the current folder."""
    monkeypatch.chdir(tmp_path)
    for name, text in (("messy.mpol", MESSY), ("tidy.mpol", TIDY), ("broken.mpol", BROKEN)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_rewrites_files_in_place_and_names_those_it_changed(files):
    result = invoke("messy.mpol", "tidy.mpol")
    assert result.exit_code == 0, result.output
    assert result.stdout == "messy.mpol: reformatted\n"
    assert (files / "messy.mpol").read_text(encoding="utf-8") == TIDY
    assert (files / "tidy.mpol").read_text(encoding="utf-8") == TIDY
    again = invoke("messy.mpol")
    assert again.exit_code == 0 and again.stdout == ""


def test_check_writes_nothing_and_exits_1_when_a_file_would_change(files):
    result = invoke("--check", "tidy.mpol", "messy.mpol")
    assert result.exit_code == 1
    assert result.stdout == "messy.mpol: would be reformatted\n"
    assert (files / "messy.mpol").read_text(encoding="utf-8") == MESSY


def test_check_exits_0_when_every_file_is_canonical(files):
    result = invoke("--check", "tidy.mpol")
    assert result.exit_code == 0 and result.stdout == ""


def test_check_passes_on_the_bundled_policies(monkeypatch):
    monkeypatch.chdir(ROOT)
    paths = [str(p.relative_to(ROOT)) for p in sorted(POLICIES.rglob("*.mpol"))]
    result = invoke("--check", *paths)
    assert result.exit_code == 0, result.output


def test_dash_reads_stdin_and_writes_stdout(files):
    result = invoke("-", stdin=MESSY)
    assert result.exit_code == 0
    assert result.stdout == TIDY


def test_dash_with_check_names_stdin_and_prints_no_text(files):
    result = invoke("--check", "-", stdin=MESSY)
    assert result.exit_code == 1
    assert result.stdout == "<stdin>: would be reformatted\n"


def test_a_syntax_error_is_shown_like_check_shows_it_and_the_file_is_left_alone(files):
    result = invoke("broken.mpol", "messy.mpol")
    assert result.exit_code == 1
    assert (files / "broken.mpol").read_text(encoding="utf-8") == BROKEN
    assert "broken.mpol:4:1: error[E001]" in result.stderr
    assert "broken.mpol: 1 problem" in result.stderr
    assert "Traceback" not in result.stderr
    # The other files are still formatted.
    assert (files / "messy.mpol").read_text(encoding="utf-8") == TIDY


def test_messages_in_chinese(files):
    assert invoke("--check", "messy.mpol", lang="zh").stdout == "messy.mpol：格式不规范，需要重排\n"
    assert invoke("messy.mpol", lang="zh").stdout == "messy.mpol：已按规范格式重排\n"


def test_a_missing_file_is_an_error_without_a_traceback(files):
    result = invoke("nowhere.mpol")
    assert result.exit_code == 2
    assert "policy file not found: nowhere.mpol" in result.stderr and "Traceback" not in result.stderr


def test_windows_line_endings_and_a_byte_order_mark_are_the_editor_s_not_a_layout(files):
    # Notepad saves UTF-8 with a BOM and CRLF line endings: the policy still checks, and fmt keeps both.
    (files / "win.mpol").write_bytes(b"\xef\xbb\xbf" + TIDY.replace("\n", "\r\n").encode("utf-8"))
    assert invoke("--check", "win.mpol").exit_code == 0
    (files / "messy-win.mpol").write_bytes(MESSY.replace("\n", "\r\n").encode("utf-8"))
    assert invoke("messy-win.mpol").stdout == "messy-win.mpol: reformatted\n"
    assert (files / "messy-win.mpol").read_bytes() == TIDY.replace("\n", "\r\n").encode("utf-8")
    city = (ROOT / "docs" / "tutorial" / "example-city.mpol").read_text(encoding="utf-8")
    (files / "city.mpol").write_bytes(b"\xef\xbb\xbf" + city.replace("\n", "\r\n").encode("utf-8"))
    checked = CliRunner().invoke(main, ["check", "city.mpol"], catch_exceptions=False)
    assert checked.exit_code == 0, checked.output
