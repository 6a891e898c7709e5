"""Read any contract file: YAML/JSON through the loader, .md/.txt/.docx documents as their data."""

from __future__ import annotations

import os
import re
from typing import Final, Literal

from ..fastclass import dataclass
from .document import (
    DocFormat,
    LoadedDocument,
    PositionKind,
    document_format,
    read_document,
)
from .loader import LoadedContract, LoadProblem, Position, load_file

_FENCE_CLOSE: Final = re.compile(r"(?:---|\.\.\.)[ \t]*")


@dataclass
class DocumentContract(LoadedContract):
    """A document read as a contract: its data is the front matter plus the model under
    `document`; `location_kind` says what its positions count (lines, or .docx paragraphs)."""

    format: DocFormat = "md"
    location_kind: PositionKind = "line"
    front_matter: bool = False  # the document has front matter: contract data to check
    front_matter_lines: int = 0  # lines of the front matter block, its fences included


RecordFormat = Literal["jsonl", "parquet"]
RECORD_SUFFIXES: Final[dict[str, RecordFormat]] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
}


@dataclass(frozen=True)
class RecordOptions:
    """How record files are read and where they are checked (checker.portfolio)."""

    scheduler: str | None
    id_column: str
    partition_size: int
    jobs: int


def record_format(path: str | os.PathLike[str]) -> RecordFormat | None:
    """The record format of a file by its extension (a file of many contracts, one per
    line or row: see checker.portfolio), or None for a contract file."""
    return RECORD_SUFFIXES.get(os.path.splitext(os.fspath(path))[1].lower())


def is_document(name: str) -> bool:
    """Whether a file name's extension makes it a document (.md, .markdown, .txt, .docx)."""
    return document_format(name) is not None


def as_contract(doc: LoadedDocument, template: bool = False) -> DocumentContract:
    """A read document as the runner's contract; `template`: the configuration says it is
    one (its front matter may say so too)."""
    data = doc.data
    if data is not None and template:
        data["document"]["is_template"] = True
    kind: PositionKind = "docx-paragraph" if doc.format == "docx" else "line"
    return DocumentContract(
        doc.file,
        data,
        positions={p: Position(v.line, v.column) for p, v in doc.positions.items()},
        key_positions={p: Position(v.line, v.column) for p, v in doc.key_positions.items()},
        problems=[LoadProblem(p.code, p.message, p.line, p.column, p.path) for p in doc.problems],
        lines=doc.lines,
        format=doc.format,
        location_kind=kind,
        front_matter=doc.front_matter is not None,
        front_matter_lines=_front_matter_lines(doc),
    )


def _front_matter_lines(doc: LoadedDocument) -> int:
    if doc.front_matter is None or doc.format != "md":
        return 0
    for i, line in enumerate(doc.lines[1:], start=2):
        if _FENCE_CLOSE.fullmatch(line):
            return i
    return 0


def load_contract(path: str | os.PathLike[str], template: bool = False) -> LoadedContract:
    """A contract file in the mode its extension says: a document (.md, .markdown, .txt,
    .docx) or YAML/JSON data; never raises for bad content (see `load_file`)."""
    if is_document(os.fspath(path)):
        return as_contract(read_document(path), template)
    return load_file(path)
