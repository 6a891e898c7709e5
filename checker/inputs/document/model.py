"""The value types of document mode: positions, problems, the loaded document, size limits."""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Any, Final, Literal

from ...fastclass import dataclass, field

DataPath = tuple[str | int, ...]
DocFormat = Literal["md", "txt", "docx"]
PositionKind = Literal["line", "docx-paragraph"]

# Size limits: a document over one of them is one clear problem, read in bounded time and memory.
MAX_TEXT_FILE_BYTES: Final = 10 * 1024 * 1024  # a .txt/.md file
MAX_DOCX_FILE_BYTES: Final = 20 * 1024 * 1024  # a .docx file (the zip itself)
MAX_DOCX_PART_BYTES: Final = 50 * 1024 * 1024  # one inflated part (word/document.xml, …)
MAX_DOCX_TOTAL_BYTES: Final = 100 * 1024 * 1024  # all inflated parts together
MAX_DOCX_PARTS: Final = 2_000  # entries in the zip
MAX_DOCX_RATIO: Final = 200  # inflated/compressed size of one part: more is a zip bomb
MAX_DOCUMENT_CHARS: Final = 10_000_000  # characters of document text after reading


@dataclass(frozen=True, slots=True)
class DocPosition:
    """Where something is in a document, Position-compatible (1-based `line`, `column`).

    For .md/.txt `line` and `column` are the line and column (code points) in the file.
    For .docx (`kind == "docx-paragraph"`) `line` is the paragraph number in reading order
    and `column` the character offset in that paragraph plus one: text output shows `¶12:5`.
    """

    line: int
    column: int
    kind: PositionKind = "line"


@dataclass(frozen=True, slots=True)
class DocProblem:
    """Something wrong with a document file (the fields of `checker.inputs.loader.LoadProblem`)."""

    code: str
    message: str
    line: int | None = None
    column: int | None = None
    path: DataPath = ()
    kind: PositionKind = "line"


@dataclass
class LoadedDocument:
    """One document: its front-matter data, its model, where each item is, what was wrong.

    `document` is None after a fatal problem (unreadable, binary, too large, a bad .docx),
    which is then the only one in `problems`: it is reported as `unreadable-contract`.
    `positions` maps data paths to positions, front-matter paths as the YAML loader gives
    them and the model's paths under `("document", …)`; `lines` are the source lines
    (for .docx, the paragraph texts), numbered like the positions.
    """

    file: str
    format: DocFormat
    front_matter: dict[str, Any] | None = None
    document: dict[str, Any] | None = None
    positions: dict[DataPath, DocPosition] = field(default_factory=dict)
    key_positions: dict[DataPath, DocPosition] = field(default_factory=dict)
    problems: list[DocProblem] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    @property
    def data(self) -> dict[str, Any] | None:
        """The contract data rules read: the front matter plus the model under `document`."""
        if self.document is None:
            return None
        return {**(self.front_matter or {}), "document": self.document}


_BREAK: Final = re.compile("\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """The lines of a text as an editor numbers them (`\n`, `\r\n` or a lone `\r` ends one)."""
    lines = _BREAK.split(text)
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return lines


class SourceText:
    """The text that analysis reads, with the map from its offsets to positions in the file.

    For .md/.txt the text has exactly the file's characters (markup masked by spaces), so an
    offset is a line and column. For .docx it is the paragraphs joined by `\n`, each possibly
    led by the list label Word generates for it (`prefixes[i]` characters on line i); offsets
    inside a label point at the paragraph's first character.
    """

    def __init__(
        self, text: str, kind: PositionKind = "line", prefixes: list[int] | None = None
    ) -> None:
        self.text = text
        self.kind: PositionKind = kind
        self.line_starts = [0, *(m.end() for m in _BREAK.finditer(text))]
        self.prefixes = prefixes or []

    def position(self, offset: int) -> DocPosition:
        """The position of a character offset of `text`."""
        line = bisect_right(self.line_starts, offset) - 1
        column = offset - self.line_starts[line]
        if line < len(self.prefixes):
            column = max(0, column - self.prefixes[line])
        return DocPosition(line + 1, column + 1, self.kind)


@dataclass
class ReadResult:
    """What a format reader gives analysis: the text, its positions and what it already knows."""

    source: SourceText
    lines: list[str]
    title: str | None = None  # a title the format marks (a Markdown heading, Word's Title style)
    heading_lines: frozenset[int] = frozenset()  # 0-based lines that are headings by markup
    front_matter: dict[str, Any] | None = None
    positions: dict[DataPath, DocPosition] = field(default_factory=dict)
    key_positions: dict[DataPath, DocPosition] = field(default_factory=dict)
    problems: list[DocProblem] = field(default_factory=list)
