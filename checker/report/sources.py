"""What reports quote of the checked files: source lines around findings, whole documents,
and where each finding's span ends on its line."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from ..fastclass import dataclass, field
from ..models import Finding

if TYPE_CHECKING:
    from . import RunResult

# Lines quoted around a finding's line (before, the line, after): the excerpt's context.
CONTEXT_LINES: Final = range(-2, 3)
# Document files: their reports show the whole document, with findings at their places.
DOCUMENT_FORMATS: Final = {".md": "md", ".markdown": "md", ".txt": "txt", ".docx": "docx"}
# A span found by reading the text (no closing quote, no model item) stops at most here.
_MAX_GUESS: Final = 40
_WORD_END: Final = re.compile(r"[\s，。；：、,;:)）】」』\]]")


@dataclass(frozen=True)
class Source:
    """What a report shows of one file: its format (yaml, json, md, txt, docx) and its
    lines by 1-based number; `whole`: every line of a document, else excerpts only."""

    format: str
    lines: Mapping[int, str]
    whole: bool = False

    @property
    def is_document(self) -> bool:
        return self.format in DOCUMENT_FORMATS.values()


@dataclass(frozen=True)
class Sources:
    """The quoted files by name, and for each finding of the report (same order) the
    column just after its span on its line, or None when the span is not known."""

    files: Mapping[str, Source] = field(default_factory=dict)
    ends: Sequence[int | None] = ()

    def end(self, index: int) -> int | None:
        return self.ends[index] if index < len(self.ends) else None


def file_format(name: str) -> str:
    """The format a file's extension says: a document's, `json`, else `yaml`."""
    ext = os.path.splitext(name)[1].lower()
    return DOCUMENT_FORMATS.get(ext) or ("json" if ext == ".json" else "yaml")


def gather(run: RunResult) -> Sources:
    """The run's sources: those saved with it (a re-rendered report), else read now: the
    lines the checked files kept, and each document with findings read whole again."""
    if run.sources is not None:
        return run.sources
    kept = {fr.file: fr.lines for fr in run.files}
    by_file: dict[str, list[Finding]] = {}
    for f in run.report.findings:
        by_file.setdefault(f.file, []).append(f)
    files: dict[str, Source] = {}
    models: dict[str, dict[str, Any] | None] = {}
    for name, findings in by_file.items():
        fmt = file_format(name)
        document = _read_document(name) if fmt in DOCUMENT_FORMATS.values() else None
        if document is not None:
            lines, models[name] = document
            files[name] = Source(fmt, dict(enumerate(lines, 1)), whole=True)
        else:
            files[name] = Source(fmt, _excerpts(kept.get(name, []), findings))
    ends = [_span_end(f, files.get(f.file), models.get(f.file)) for f in run.report.findings]
    return Sources(files, ends)


def _excerpts(lines: Sequence[str], findings: Iterable[Finding]) -> dict[int, str]:
    """The lines around each finding that the file kept (others were dropped to save memory)."""
    wanted = sorted({f.line + d for f in findings if f.line for d in CONTEXT_LINES})
    return {n: lines[n - 1] for n in wanted if 1 <= n <= len(lines)}


def _read_document(name: str) -> tuple[list[str], dict[str, Any] | None] | None:
    """A document's lines (for .docx, its paragraphs in the order positions count them)
    and its data, or None when it cannot be read (its finding already says why)."""
    from ..inputs.document import read_document  # python-docx & co.: only for documents

    if not os.path.isfile(name):
        return None
    loaded = read_document(name)
    if loaded.document is None:
        return None
    return list(loaded.lines), loaded.data


def _span_end(f: Finding, source: Source | None, data: dict[str, Any] | None) -> int | None:
    """The column after the last character of what the finding points at, on its line."""
    if source is None or not f.line or not f.column:
        return None
    line = source.lines.get(f.line)
    start = f.column - 1
    if line is None or start >= len(line):
        return None
    if source.is_document:
        text = _item_text(data, f.pointer) if data is not None else None
        if text and line.startswith(text, start):
            return f.column + len(text)
        match = _WORD_END.search(line, start + 1)
        stop = match.start() if match else len(line)
        return f.column + max(1, min(stop - start, _MAX_GUESS))
    return f.column + _token_length(line, start, source.format == "json")


def _item_text(data: dict[str, Any], pointer: str) -> str | None:
    """The text of the document item at a JSON pointer (`/document/blanks/3`): its `text`,
    or itself when it is a string."""
    node: Any = data
    for raw in pointer.split("/")[1:] if pointer else ():
        step = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and step in node:
            node = node[step]
        elif isinstance(node, list) and step.isdigit() and int(step) < len(node):
            node = node[int(step)]
        else:
            break
    if isinstance(node, dict):
        node = node.get("text")
    return node if isinstance(node, str) else None


# How far a token is looked for: a report highlights a span, it does not parse a 10 MB line
# once per finding (a minified JSON contract is one line).
_MAX_TOKEN: Final = 2_000


def _token_length(line: str, start: int, json: bool) -> int:
    """The length of the YAML/JSON token at `start`: a quoted string to its closing quote,
    a flow collection to its closing bracket, else the plain value up to a comment (at most
    _MAX_TOKEN characters are looked at)."""
    line = line[: start + _MAX_TOKEN]
    first = line[start]
    if first in "\"'":
        i = start + 1
        while i < len(line):
            if first == '"' and line[i] == "\\":
                i += 2
                continue
            if line[i] == first:
                if first == "'" and line[i + 1 : i + 2] == "'":  # '' inside '…'
                    i += 2
                    continue
                return i + 1 - start
            i += 1
    elif first in "[{":
        depth = 0
        for i in range(start, len(line)):
            depth += (line[i] in "[{") - (line[i] in "]}")
            if depth == 0:
                return i + 1 - start
    rest = line[start:]
    cut = rest.find(" #")
    if cut >= 0:
        rest = rest[:cut]
    if json:
        rest = re.split(r"[,\]}]", rest, maxsplit=1)[0]
    return max(1, len(rest.rstrip()))
