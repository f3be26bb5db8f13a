"""``medpolicy lsp`` end to end: a real server process, spoken to over stdio by a client.

One session (module fixture) goes through what an editor does: initialize
(asking for Chinese), open a policy with an error, fix it, hover, jump to
definitions (in the buffer and in a module imported from the policy's own
folder), complete, format, then shut down and exit.  Positions are in UTF-16,
the protocol's default: the policy has a character outside the BMP before an
error, so a server counting code points would be caught.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls")

from pygls.uris import from_fs_path  # noqa: E402

from .client import TIMEOUT_S, LspClient  # noqa: E402

from conftest import ROOT  # noqa: E402

MODULE = """\
module rates "比例"

source notice "比例通知"

param base "基本比例" = 60%
  cite notice "第一条" "门诊报销比例为 60%"
"""

POLICY = """\
policy city {
  title "City"
  year 2026-01-01 .. 2026-12-31
  rounding half_up to ¥0.01
}

import "shared/rates.mpol" as rates

levels { "1" "一级医疗机构" }

param ded "起付线𠀀" = ¥10

benefit clinic "门诊" {
  priority 1
  when claim.care == outpatient and claim.level == "1"
  deductible per visit ded
  ratio rates.base
}
"""
BROKEN = POLICY.replace("= ¥10", "= ¥10 + 5%")


def position(text: str, needle: str, offset: int = 0) -> dict:
    """The LSP position (UTF-16) of ``needle``'s first occurrence, plus ``offset`` characters."""
    at = text.index(needle) + offset
    line = text.count("\n", 0, at)
    column = text[text.rfind("\n", 0, at) + 1:at]
    return {"line": line, "character": len(column.encode("utf-16-le")) // 2}


class Session:
    """One server, one open policy; :meth:`edit` replaces the buffer's text as an editor does."""

    def __init__(self, client: LspClient, uri: str, folder: Path):
        self.client, self.uri, self.folder = client, uri, folder
        self.version = 1

    def edit(self, text: str) -> dict:
        """Replace the buffer's text; the diagnostics published for it."""
        self.version += 1
        self.client.notify("textDocument/didChange", {"textDocument": {"uri": self.uri, "version": self.version},
                                                      "contentChanges": [{"text": text}]})
        return self.client.notification("textDocument/publishDiagnostics",
                                        lambda p: p["uri"] == self.uri and p.get("version") == self.version)

    def ask(self, method: str, text: str, needle: str, offset: int = 0):
        """The result of a request about the position of ``needle`` (plus ``offset``) in ``text``."""
        answer = self.client.request(method, {"textDocument": {"uri": self.uri},
                                              "position": position(text, needle, offset)})
        return answer["result"]


def start(folder: Path) -> LspClient:
    env = dict(os.environ, LANG="C.UTF-8", LC_ALL="", LC_MESSAGES="", LANGUAGE="")
    return LspClient([sys.executable, "-m", "medpolicy", "lsp", "--lang", "en"], ROOT, env, folder / "server.log")


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lsp")
    (folder / "shared").mkdir()
    (folder / "shared" / "rates.mpol").write_text(MODULE, encoding="utf-8")
    policy = folder / "city.mpol"
    policy.write_text(POLICY, encoding="utf-8")
    client = start(folder)
    try:
        answer = client.request("initialize", {"processId": os.getpid(), "rootUri": None, "capabilities": {},
                                               "initializationOptions": {"lang": "zh"}})
        client.notify("initialized", {})
        uri = from_fs_path(str(policy))
        client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "medpolicy",
                                                                "version": 1, "text": BROKEN}})
        opened = client.notification("textDocument/publishDiagnostics", lambda p: p["uri"] == uri)
        yield Session(client, uri, folder), answer["result"]["capabilities"], opened
    finally:
        client.close()


def test_the_server_says_what_it_can_do(session):
    _, capabilities, _ = session
    assert capabilities["hoverProvider"] and capabilities["definitionProvider"]
    assert capabilities["documentFormattingProvider"]
    assert set(capabilities["completionProvider"]["triggerCharacters"]) == {".", '"'}


def test_diagnostics_when_the_buffer_opens_and_changes(session):
    s, _, opened = session
    (diagnostic,) = opened["diagnostics"]
    assert diagnostic["code"] == "E204" and diagnostic["severity"] == 1 and diagnostic["source"] == "medpolicy"
    # ¥10 + 5%, after a label holding a character outside the BMP (two UTF-16 units)
    assert diagnostic["range"] == {"start": position(BROKEN, "¥10"), "end": position(BROKEN, "5%", 2)}
    assert diagnostic["range"]["start"]["character"] == 20
    assert "金额" in diagnostic["message"] and "提示：" in diagnostic["message"]  # zh, as initialize asked
    assert s.edit(POLICY)["diagnostics"] == []
    (syntax,) = s.edit(POLICY.replace("priority 1", "priority"))["diagnostics"]
    assert syntax["code"] == "E001" and syntax["range"]["start"] == position(POLICY, "\n  when", 3)


def test_hover_shows_a_module_parameter_with_its_citation(session):
    s, _, _ = session
    s.edit(POLICY)
    hover = s.ask("textDocument/hover", POLICY, "rates.base", 7)
    assert hover["contents"]["kind"] == "markdown"
    text = hover["contents"]["value"]
    assert "`base` · 基本比例" in text and 'param base "基本比例" = 60%' in text
    assert "第一条" in text and "门诊报销比例为 60%" in text and "shared/rates.mpol" in text
    assert hover["range"] == {"start": position(POLICY, "base\n"), "end": position(POLICY, "base\n", 4)}


def test_hover_on_a_fact(session):
    s, _, _ = session
    s.edit(POLICY)
    text = s.ask("textDocument/hover", POLICY, "claim.care", 7)["contents"]["value"]
    assert "`claim.care`" in text and "`outpatient`" in text and "就诊类型" in text


def test_definition_in_the_buffer_and_in_an_imported_module(session):
    s, _, _ = session
    s.edit(POLICY)
    assert s.ask("textDocument/definition", POLICY, "visit ded", 7) == {
        "uri": s.uri, "range": {"start": position(POLICY, 'ded "'), "end": position(POLICY, 'ded "', 3)}}
    imported = s.ask("textDocument/definition", POLICY, "rates.base", 8)
    assert Path(imported["uri"].removeprefix("file://")).resolve() == (s.folder / "shared" / "rates.mpol").resolve()
    assert imported["range"] == {"start": position(MODULE, 'base "'), "end": position(MODULE, 'base "', 4)}


def test_a_word_with_two_declarations_hovers_and_goes_to_both(session):
    """`clinic` is a claim category and a benefit (the checker reads it by what it is compared with): the
    hover says both, the definition offers both."""
    s, _, _ = session
    text = POLICY.replace('levels { "1" "一级医疗机构" }\n', 'levels { "1" "一级医疗机构" }\ncategories { clinic "门诊费用" }\n')
    text = text.replace('claim.level == "1"\n', 'claim.level == "1" and claim.category == clinic\n')
    assert s.edit(text)["diagnostics"] == []
    hover = s.ask("textDocument/hover", text, "== clinic", 4)["contents"]["value"]
    assert hover == "**费用类别** `clinic` · 门诊费用\n\n---\n\n**待遇** `clinic` · 门诊\n\n优先级 1"  # zh, as asked
    assert s.ask("textDocument/definition", text, "== clinic", 4) == [
        {"uri": s.uri, "range": {"start": position(text, 'clinic "门诊费用'), "end": position(text, 'clinic "门诊费用', 6)}},
        {"uri": s.uri, "range": {"start": position(text, 'clinic "门诊" {'), "end": position(text, 'clinic "门诊" {', 6)}}]
    s.edit(POLICY)


def test_completion_while_the_text_does_not_parse(session):
    s, _, _ = session
    s.edit(POLICY)
    typing = POLICY.replace("  ratio rates.base\n", "  ratio rates.base\n  annual cap by claim.\n")
    assert s.edit(typing)["diagnostics"][0]["code"] == "E001"
    labels = {item["label"] for item in s.ask("textDocument/completion", typing, "claim.\n", 6)["items"]}
    assert {"care", "level", "condition", "total"} <= labels and "ded" not in labels
    items = s.ask("textDocument/completion", typing, "rates.base", 6)["items"]
    assert [(item["label"], item["kind"]) for item in items] == [("base", 21)]  # a constant


def test_formatting_returns_one_edit_of_the_whole_document(session):
    formatter = pytest.importorskip("medpolicy.formatter")
    s, _, _ = session
    untidy = POLICY.replace("param ded", "param    ded").replace("  priority 1", "      priority 1")
    s.edit(untidy)
    options = {"tabSize": 2, "insertSpaces": True}
    (edit,) = s.client.request("textDocument/formatting", {"textDocument": {"uri": s.uri}, "options": options})[
        "result"]
    assert edit["newText"] == formatter.format_source(untidy) != untidy
    assert edit["range"] == {"start": {"line": 0, "character": 0}, "end": {"line": untidy.count("\n"), "character": 0}}
    s.edit(edit["newText"])
    again = s.client.request("textDocument/formatting", {"textDocument": {"uri": s.uri}, "options": options})
    assert again["result"] is None  # already formatted: no edit


def test_closing_a_buffer_clears_its_diagnostics(session):
    s, _, _ = session
    other = from_fs_path(str(s.folder / "other.mpol"))
    s.client.notify("textDocument/didOpen", {"textDocument": {"uri": other, "languageId": "medpolicy",
                                                              "version": 1, "text": "policy"}})
    assert s.client.notification("textDocument/publishDiagnostics", lambda p: p["uri"] == other)["diagnostics"]
    s.client.notify("textDocument/didClose", {"textDocument": {"uri": other}})
    assert s.client.notification("textDocument/publishDiagnostics",
                                 lambda p: p["uri"] == other and not p["diagnostics"])


def test_shutdown_then_exit_ends_the_process(tmp_path):
    client = start(tmp_path)
    try:
        assert "capabilities" in client.request("initialize", {"processId": None, "rootUri": None,
                                                               "capabilities": {}})["result"]
        assert client.request("shutdown", None)["result"] is None
        client.notify("exit", None)
        assert client.process.wait(timeout=TIMEOUT_S) == 0
    finally:
        client.close()
