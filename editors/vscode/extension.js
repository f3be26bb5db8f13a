// The medpolicy extension: starts `medpolicy lsp` and connects VS Code to it over stdio.
// Highlighting comes from the TextMate grammar (syntaxes/); everything else from the server.
"use strict";

const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration("medpolicy");
  // No `transport`: the client then speaks over the process's stdio as it is. With
  // `TransportKind.stdio` it would add `--stdio` to the arguments, which `medpolicy lsp` refuses.
  const server = {
    command: config.get("server.command", "medpolicy"),
    args: config.get("server.args", ["lsp"]),
  };
  const lang = config.get("lang", "");
  client = new LanguageClient("medpolicy", "medpolicy", { run: server, debug: server }, {
    documentSelector: [
      { scheme: "file", language: "medpolicy" },
      { scheme: "untitled", language: "medpolicy" },
    ],
    initializationOptions: lang ? { lang } : {},
  });
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
