"""The server's wiring (pygls): documents in, diagnostics, completions, hovers and edits out."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace import TextDocument
from pygls.workspace.position_codec import ServerTextPosition

from .. import __version__
from ..config import CONFIG_NAMES
from ..inputs.loader import LoadedContract
from ..packs.pack import PackScope
from .complete import Item, complete
from .contracts import FORMATS, Contracts, suppression_edit
from .navigate import definition, hover
from .packview import PackView, analyze_case, analyze_pack
from .spans import Problem, Span

SOURCE: Final = "contract-checker"
_SEVERITY: Final = {
    "error": lsp.DiagnosticSeverity.Error,
    "warning": lsp.DiagnosticSeverity.Warning,
    "info": lsp.DiagnosticSeverity.Information,
}
_KIND: Final = {
    "field": lsp.CompletionItemKind.Field,
    "function": lsp.CompletionItemKind.Function,
    "variable": lsp.CompletionItemKind.Variable,
    "unit": lsp.CompletionItemKind.Unit,
    "constant": lsp.CompletionItemKind.Constant,
    "value": lsp.CompletionItemKind.EnumMember,
    "keyword": lsp.CompletionItemKind.Keyword,
    "module": lsp.CompletionItemKind.Module,
}
_PACK_KEY: Final = re.compile(r"^pack\s*:", re.M)
_RULES_KEY: Final = re.compile(r"^rules\s*:", re.M)


def kind_of(path: Path, text: str) -> str:
    """What a file is to the server: pack, case (a pack test), contract, or other."""
    if path.suffix.lower() not in FORMATS or path.name in CONFIG_NAMES:
        return "other"
    if path.suffix.lower() != ".json" and (
        path.name == "pack.yaml" or (_PACK_KEY.search(text) and _RULES_KEY.search(text))
    ):
        return "pack"
    if path.parent.name == "tests" and (path.parent.parent / "pack.yaml").is_file():
        return "case"
    return "contract"


class CheckerServer(LanguageServer):
    """The server and what it knows of the open files."""

    def __init__(self) -> None:
        super().__init__(SOURCE, __version__)
        self.views: dict[str, PackView] = {}
        self.scopes: dict[Path, PackScope] = {}  # the last pack scope that could be built
        self.problems: dict[str, list[Problem]] = {}
        self.loaded: dict[str, LoadedContract] = {}
        self.contracts = Contracts()

    # -- documents ------------------------------------------------------------------------

    def document(self, uri: str) -> tuple[TextDocument, Path]:
        doc = self.workspace.get_text_document(uri)
        return doc, Path(to_fs_path(uri) or uri).resolve()

    def pack_texts(self) -> dict[Path, str]:
        """The unsaved text of every open pack file: packs extending it read it from here."""
        out = {}
        for uri, view in self.views.items():
            if not view.is_case:
                out[view.path] = self.workspace.get_text_document(uri).source
        return out

    def analyze(self, uri: str, saved: bool) -> None:
        """Refresh a file's diagnostics: a pack or pack test at every change, a contract
        when it is opened or saved."""
        doc, path = self.document(uri)
        text = doc.source
        kind = kind_of(path, text)
        try:
            if kind == "pack":
                view = analyze_pack(path, text, self.pack_texts(), self.scopes.get(path))
                if view.scope is not None:
                    self.scopes[path] = view.scope
                self.views[uri] = view
                problems = view.problems
            elif kind == "case":
                pack_file = (path.parent.parent / "pack.yaml").resolve()
                view = analyze_case(path, pack_file, text, self.pack_texts())
                self.views[uri] = view
                problems = view.problems
            elif kind == "contract" and saved:
                problems, loaded = self.contracts.check(path, text)
                if loaded is not None:
                    self.loaded[uri] = loaded
            else:
                return
        except Exception as exc:  # a bug must not take the server down: say it on the file
            problems = [
                Problem(
                    Span(1, 1, 1, 1),
                    f"contract-checker failed on this file ({type(exc).__name__}: {exc}); "
                    "please report it",
                    "error",
                )
            ]
        self.publish(uri, doc, problems)

    def publish(self, uri: str, doc: TextDocument, problems: list[Problem]) -> None:
        self.problems[uri] = problems
        self.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(
                uri=uri,
                version=doc.version,
                diagnostics=[self.diagnostic(doc, p) for p in problems],
            )
        )

    def diagnostic(self, doc: TextDocument, p: Problem) -> lsp.Diagnostic:
        return lsp.Diagnostic(
            range=self.to_range(doc, p.span),
            message=p.message,
            severity=_SEVERITY.get(p.severity, lsp.DiagnosticSeverity.Error),
            code=p.code,
            source=SOURCE,
            data=p.data,
        )

    # -- positions: ours are 1-based lines and columns in characters ----------------------

    def to_range(self, doc: TextDocument, span: Span) -> lsp.Range:
        lines = doc.lines
        return lsp.Range(
            start=doc.position_codec.position_to_client_units(
                lines, ServerTextPosition(span.line - 1, span.column - 1)
            ),
            end=doc.position_codec.position_to_client_units(
                lines, ServerTextPosition(span.end_line - 1, span.end_column - 1)
            ),
        )

    def from_position(self, doc: TextDocument, position: lsp.Position) -> tuple[int, int]:
        pos = doc.position_from_client_units(position)
        return pos.line + 1, pos.character + 1

    def view_at(self, uri: str, position: lsp.Position) -> tuple[PackView, int, int] | None:
        view = self.views.get(uri)
        if view is None:
            return None
        doc = self.workspace.get_text_document(uri)
        line, column = self.from_position(doc, position)
        return view, line, column

    # -- code actions ---------------------------------------------------------------------

    def actions(self, uri: str, wanted: lsp.Range) -> list[lsp.CodeAction]:
        doc = self.workspace.get_text_document(uri)
        out: list[lsp.CodeAction] = []
        for p in self.problems.get(uri, []):
            rng = self.to_range(doc, p.span)
            if not _overlaps(rng, wanted):
                continue
            diagnostic = self.diagnostic(doc, p)
            if p.fix is not None:
                out.append(
                    lsp.CodeAction(
                        title=p.fix.title,
                        kind=lsp.CodeActionKind.QuickFix,
                        diagnostics=[diagnostic],
                        is_preferred=True,
                        edit=lsp.WorkspaceEdit(changes={uri: [lsp.TextEdit(rng, p.fix.text)]}),
                    )
                )
            loaded = self.loaded.get(uri)
            if p.data and loaded is not None and not uri.lower().endswith(".json"):
                found = suppression_edit(loaded, p.data["pointer"], p.data["rule"])
                if found is not None:
                    span, text = found
                    rule = p.data["rule"]
                    out.append(
                        lsp.CodeAction(
                            title=f"Suppress {rule} here (write the reason after `--`)",
                            kind=lsp.CodeActionKind.QuickFix,
                            diagnostics=[diagnostic],
                            edit=lsp.WorkspaceEdit(
                                changes={uri: [lsp.TextEdit(self.to_range(doc, span), text)]}
                            ),
                        )
                    )
        return out


def _overlaps(a: lsp.Range, b: lsp.Range) -> bool:
    def key(p: lsp.Position) -> tuple[int, int]:
        return (p.line, p.character)

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


def _completion(item: Item) -> lsp.CompletionItem:
    return lsp.CompletionItem(
        label=item.label,
        kind=_KIND.get(item.kind),
        detail=item.detail,
        documentation=lsp.MarkupContent(lsp.MarkupKind.Markdown, item.doc) if item.doc else None,
        insert_text=item.insert,
    )


def build() -> CheckerServer:
    """A server with every feature registered."""
    server = CheckerServer()

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: CheckerServer, params: lsp.DidOpenTextDocumentParams) -> None:
        ls.analyze(params.text_document.uri, saved=True)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: CheckerServer, params: lsp.DidChangeTextDocumentParams) -> None:
        ls.analyze(params.text_document.uri, saved=False)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: CheckerServer, params: lsp.DidSaveTextDocumentParams) -> None:
        ls.analyze(params.text_document.uri, saved=True)
        # Packs and tests open beside a saved pack may see it differently now.
        for uri in list(ls.views):
            if uri != params.text_document.uri:
                ls.analyze(uri, saved=False)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: CheckerServer, params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.views.pop(uri, None)
        ls.problems.pop(uri, None)
        ls.loaded.pop(uri, None)
        ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(
        lsp.TEXT_DOCUMENT_COMPLETION,
        lsp.CompletionOptions(trigger_characters=[".", " ", '"', "'", "@"]),
    )
    def completion(ls: CheckerServer, params: lsp.CompletionParams) -> lsp.CompletionList:
        found = ls.view_at(params.text_document.uri, params.position)
        items = complete(*found) if found else []
        return lsp.CompletionList(is_incomplete=False, items=[_completion(i) for i in items])

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def on_hover(ls: CheckerServer, params: lsp.HoverParams) -> lsp.Hover | None:
        found = ls.view_at(params.text_document.uri, params.position)
        text = hover(*found) if found else None
        if text is None:
            return None
        return lsp.Hover(contents=lsp.MarkupContent(lsp.MarkupKind.Markdown, text))

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    def on_definition(ls: CheckerServer, params: lsp.DefinitionParams) -> lsp.Location | None:
        found = ls.view_at(params.text_document.uri, params.position)
        target = definition(*found) if found else None
        if target is None:
            return None
        at = lsp.Position(target.line - 1, target.column - 1)
        return lsp.Location(uri=from_fs_path(str(target.file)) or "", range=lsp.Range(at, at))

    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]),
    )
    def code_action(ls: CheckerServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        return ls.actions(params.text_document.uri, params.range)

    return server


def serve() -> None:
    """Speak LSP over standard input and output until the client says exit."""
    build().start_io()
