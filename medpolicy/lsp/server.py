"""The language server: :mod:`medpolicy.lsp.features` spoken over LSP on stdin/stdout (pygls).

Each open ``.mpol`` buffer is analysed (parsed, its imports followed, checked)
when it is opened, changed or saved, and its diagnostics are published.
Hover, go-to-definition and completion read the last analysis of the buffer
that parsed, so that they keep working while the text is half typed.
Positions cross the protocol in the client's encoding (UTF-16 unless it
negotiates another); the features count code points, and pygls's position
codec converts between the two.

The language of diagnostics and hovers is the client's
``initializationOptions.lang`` (``zh`` or ``en``), else the one the
``medpolicy lsp`` command was given (``--lang``, default: the locale's).
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from ..messages import LANGS
from ..version import __version__
from . import features
from .analysis import Analysis, analyze

_SEVERITY = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning}
_KIND = {
    "param": types.CompletionItemKind.Constant,
    "let": types.CompletionItemKind.Variable,
    "list": types.CompletionItemKind.Variable,
    "counter": types.CompletionItemKind.Variable,
    "history": types.CompletionItemKind.Variable,
    "cap": types.CompletionItemKind.Variable,
    "deductible": types.CompletionItemKind.Variable,
    "measure": types.CompletionItemKind.Variable,
    "module": types.CompletionItemKind.Module,
    "condition": types.CompletionItemKind.EnumMember,
    "category": types.CompletionItemKind.EnumMember,
    "benefit": types.CompletionItemKind.EnumMember,
    "member": types.CompletionItemKind.EnumMember,
    "level": types.CompletionItemKind.Value,
    "fact": types.CompletionItemKind.Field,
    "function": types.CompletionItemKind.Function,
    "keyword": types.CompletionItemKind.Keyword,
}


class MedpolicyServer(LanguageServer):
    def __init__(self, lang: str):
        super().__init__("medpolicy", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.lang = lang
        self.analyses: dict[str, Analysis] = {}
        """URI → the analysis of the buffer's current text."""
        self.parsed: dict[str, Analysis] = {}
        """URI → the analysis of the last text that parsed (what hover and completion read)."""

    def refresh(self, uri: str) -> None:
        """Analyse the buffer again and publish its diagnostics."""
        document = self.workspace.get_text_document(uri)
        path = to_fs_path(uri) if uri.startswith("file:") else None
        analysis = analyze(document.source, Path(path) if path else None)
        self.analyses[uri] = analysis
        if analysis.index is not None:
            self.parsed[uri] = analysis
        lines = document.lines
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=uri, version=document.version,
            diagnostics=[types.Diagnostic(range=self.client_range(lines, finding.range), message=finding.message,
                                          severity=_SEVERITY.get(finding.severity), code=finding.code,
                                          source="medpolicy")
                         for finding in features.findings(analysis, self.lang)]))

    def forget(self, uri: str) -> None:
        self.analyses.pop(uri, None)
        self.parsed.pop(uri, None)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def position(self, uri: str, position: types.Position) -> tuple[Sequence[str], int, int]:
        """The buffer's lines and a client position in code points."""
        document = self.workspace.get_text_document(uri)
        lines = document.lines
        at = self.workspace.position_codec.position_from_client_units(lines, position)
        return lines, at.line, at.character

    def answer(self, params: types.HoverParams | types.DefinitionParams, reply):
        """``reply(analysis, lines, line, character)`` for a request about a position; None before any text
        of the buffer parsed."""
        uri = params.text_document.uri
        analysis = self.parsed.get(uri)
        return reply(analysis, *self.position(uri, params.position)) if analysis is not None else None

    def client_range(self, lines, where: features.Range) -> types.Range:
        return self.workspace.position_codec.range_to_client_units(lines, types.Range(
            start=types.Position(line=where.start_line, character=where.start_character),
            end=types.Position(line=where.end_line, character=where.end_character)))

    def location(self, uri: str, analysis: Analysis, target: features.Target) -> Optional[types.Location]:
        """Where a target is, as a URI and a range in that file's own text."""
        program = analysis.index.program if analysis.index is not None else None
        if program is None:
            return None
        if target.file == analysis.path:
            text, target_uri = analysis.text, uri
        elif target.file in program.files:
            text, target_uri = program.texts.get(target.file, ""), from_fs_path(str(program.files[target.file]))
        else:
            return None
        return types.Location(uri=target_uri, range=self.client_range(text.splitlines(True), target.range))


def build_server(lang: str) -> MedpolicyServer:
    server = MedpolicyServer(lang)

    @server.feature(types.INITIALIZE)
    def initialize(ls: MedpolicyServer, params: types.InitializeParams) -> None:
        options = params.initialization_options
        if isinstance(options, dict) and options.get("lang") in LANGS:
            ls.lang = options["lang"]

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: MedpolicyServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.refresh(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: MedpolicyServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.refresh(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: MedpolicyServer, params: types.DidSaveTextDocumentParams) -> None:
        # A saved module changes what every open policy importing it sees.
        for uri in list(ls.analyses):
            ls.refresh(uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: MedpolicyServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.forget(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: MedpolicyServer, params: types.HoverParams) -> Optional[types.Hover]:
        def reply(analysis, lines, line, character):
            found = features.hover(analysis, line, character, ls.lang)
            return None if found is None else types.Hover(
                contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=found.markdown),
                range=ls.client_range(lines, found.range))
        return ls.answer(params, reply)

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    def definition(ls: MedpolicyServer,
                   params: types.DefinitionParams) -> types.Location | list[types.Location] | None:
        def reply(analysis, lines, line, character):
            found = [ls.location(params.text_document.uri, analysis, target)
                     for target in features.definitions(analysis, line, character)]
            found = [location for location in found if location is not None]
            return found[0] if len(found) == 1 else found or None  # several: the editor lets the user choose
        return ls.answer(params, reply)

    @server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=[".", '"']))
    def completion(ls: MedpolicyServer, params: types.CompletionParams) -> types.CompletionList:
        uri = params.text_document.uri
        analysis = ls.parsed.get(uri)
        _, line, character = ls.position(uri, params.position)
        text = ls.workspace.get_text_document(uri).source
        items = features.completions(analysis.index if analysis else None, text, line, character, ls.lang)
        return types.CompletionList(is_incomplete=False, items=[
            types.CompletionItem(label=item.label, kind=_KIND.get(item.kind), detail=item.detail or None,
                                 insert_text=item.insert) for item in items])

    @server.feature(types.TEXT_DOCUMENT_FORMATTING)
    def formatting(ls: MedpolicyServer, params: types.DocumentFormattingParams) -> Optional[list[types.TextEdit]]:
        document = ls.workspace.get_text_document(params.text_document.uri)
        new_text = features.formatted(document.source, document.path or "<buffer>")
        if new_text is None:
            return None
        return [types.TextEdit(range=ls.client_range(document.lines, features.whole(document.source)),
                               new_text=new_text)]

    return server


def serve(lang: str) -> None:
    """Speak LSP on stdin/stdout until the client says exit."""
    build_server(lang).start_io()
