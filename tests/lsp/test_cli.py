"""`medpolicy lsp`: listed by the command, and a one-line hint (no traceback) when pygls is missing."""
from __future__ import annotations

import sys

from click.testing import CliRunner

from medpolicy.cli import main


def test_without_pygls_the_command_says_which_extra_to_install(monkeypatch):
    for name in [m for m in sys.modules if m == "pygls" or m.startswith(("pygls.", "medpolicy.lsp.server"))]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "pygls", None)  # an import of pygls now fails
    for lang, expected in (("en", "error: medpolicy lsp needs pygls: pip install 'medpolicy[lsp]'\n"),
                           ("zh", "错误：medpolicy lsp 需要 pygls：pip install 'medpolicy[lsp]'\n")):
        result = CliRunner().invoke(main, ["lsp", "--lang", lang])
        assert (result.exit_code, result.output) == (2, expected)  # as for verify and serve: a missing extra


def test_the_stdio_flag_editors_pass_is_accepted():
    # vscode-languageclient and others add `--stdio` to the server's command line.
    result = CliRunner().invoke(main, ["lsp", "--stdio", "--help"])
    assert result.exit_code == 0, result.output


def test_the_command_is_listed():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0 and "lsp" in result.output
