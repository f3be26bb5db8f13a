"""The VS Code extension as VS Code runs it: `activate` in Node, then the server started the way
vscode-languageclient starts it, spoken to over stdio.

`vscode` and `vscode-languageclient/node` are stood in for (neither is installed here): the stand-in
client records what the extension asks for, and the test turns that into the command line as
vscode-languageclient 9 does (`lib/node/main.js`: an executable whose `transport` is
`TransportKind.stdio` gets `--stdio` appended to its arguments; with no `transport` it is run as
configured and spoken to over its stdio).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

FOLDER = ROOT / "editors" / "vscode"
PACKAGE = json.loads((FOLDER / "package.json").read_text(encoding="utf-8"))
STDIO = 0
"""``TransportKind.stdio`` in vscode-languageclient."""

ACTIVATE = """
const Module = require("module");
const settings = JSON.parse(process.argv[2]);
const recorded = {};
const vscode = {
  workspace: { getConfiguration: (section) => ({ get: (key, fallback) =>
    settings[section + "." + key] !== undefined ? settings[section + "." + key] : fallback }) },
};
class LanguageClient {
  constructor(id, name, serverOptions, clientOptions) { Object.assign(recorded, { id, serverOptions, clientOptions }); }
  start() { return Promise.resolve(); }
  stop() { return Promise.resolve(); }
  dispose() {}
}
const client = { LanguageClient, TransportKind: { stdio: 0, ipc: 1, pipe: 2, socket: 3 } };
const load = Module._load;
Module._load = function (request, ...rest) {
  if (request === "vscode") return vscode;
  if (request === "vscode-languageclient/node") return client;
  return load.call(this, request, ...rest);
};
const extension = require(process.argv[1]);
Promise.resolve(extension.activate({ subscriptions: [] })).then(() => console.log(JSON.stringify(recorded)));
"""


def activate(settings: dict) -> dict:
    """What the extension hands vscode-languageclient, with VS Code's settings as ``settings`` (package.json's
    defaults where a setting is not given)."""
    defaults = {name: spec["default"] for name, spec in PACKAGE["contributes"]["configuration"]["properties"].items()}
    done = subprocess.run(["node", "-e", ACTIVATE, str(FOLDER / PACKAGE["main"]), json.dumps({**defaults, **settings})],
                          capture_output=True, text=True, timeout=60, check=True)
    return json.loads(done.stdout)


def command_line(executable: dict) -> list[str]:
    """The process vscode-languageclient starts for an executable server."""
    args = list(executable.get("args", []))
    if executable.get("transport") == STDIO:
        args.append("--stdio")
    return [executable["command"], *args]


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")
def test_activation_starts_medpolicy_lsp_and_it_answers(tmp_path):
    pytest.importorskip("pygls")
    from lsp.client import TIMEOUT_S, LspClient  # tests/lsp, a package beside this one (tests/ is on the path)

    recorded = activate({"medpolicy.lang": "zh"})
    assert recorded["id"] == "medpolicy"
    assert {"scheme": "file", "language": "medpolicy"} in recorded["clientOptions"]["documentSelector"]
    assert recorded["clientOptions"]["initializationOptions"] == {"lang": "zh"}
    run = recorded["serverOptions"]["run"]
    command = command_line(run)
    assert command[:2] == ["medpolicy", "lsp"]
    # `medpolicy` is this interpreter's: run it as a module, with the arguments the extension gave
    env = dict(os.environ, LANG="C.UTF-8")
    client = LspClient([sys.executable, "-m", "medpolicy", *command[1:]], ROOT, env, tmp_path / "server.log")
    try:
        answer = client.request("initialize", {"processId": None, "rootUri": None, "capabilities": {},
                                               "initializationOptions": recorded["clientOptions"]["initializationOptions"]})
        assert answer["result"]["capabilities"]["hoverProvider"]
        assert client.request("shutdown", None)["result"] is None
        client.notify("exit", None)
        assert client.process.wait(timeout=TIMEOUT_S) == 0
    finally:
        client.close()


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")
def test_the_settings_choose_the_command_and_the_language():
    run = activate({"medpolicy.server.command": "/venv/bin/medpolicy", "medpolicy.lang": ""})
    assert command_line(run["serverOptions"]["run"]) == ["/venv/bin/medpolicy", "lsp"]
    assert run["clientOptions"]["initializationOptions"] == {}


def test_the_extension_readme_has_no_relative_link():
    """`vsce package` refuses a README whose relative links it cannot rewrite (the extension names no
    repository): it stops with "Couldn't detect the repository where this extension is published"."""
    readme = (FOLDER / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)]*)\)", readme)
    assert [link for link in links if not re.match(r"[a-z]+:", link) and not link.startswith("#")] == []
