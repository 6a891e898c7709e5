"""Document mode's reading: .md/.txt/.docx drafts to front-matter data and a document model.

`read_document` is the one entry point. A later step wires it into the loader; until then
it stands alone: it never raises for bad content, every problem is a `DocProblem`.
"""

from __future__ import annotations

import os
import stat
from typing import Any, Final

from checker.inputs.document.model import (
    MAX_DOCUMENT_CHARS,
    MAX_DOCX_FILE_BYTES,
    MAX_DOCX_PART_BYTES,
    MAX_DOCX_PARTS,
    MAX_DOCX_RATIO,
    MAX_DOCX_TOTAL_BYTES,
    MAX_TEXT_FILE_BYTES,
    DataPath,
    DocFormat,
    DocPosition,
    DocProblem,
    LoadedDocument,
    PositionKind,
)

__all__ = [
    "DOCUMENT_SUFFIXES",
    "MAX_DOCUMENT_CHARS",
    "MAX_DOCX_FILE_BYTES",
    "MAX_DOCX_PARTS",
    "MAX_DOCX_PART_BYTES",
    "MAX_DOCX_RATIO",
    "MAX_DOCX_TOTAL_BYTES",
    "MAX_TEXT_FILE_BYTES",
    "DataPath",
    "DocFormat",
    "DocPosition",
    "DocProblem",
    "LoadedDocument",
    "PositionKind",
    "document_format",
    "read_document",
]

DOCUMENT_SUFFIXES: Final[dict[str, DocFormat]] = {
    ".md": "md",
    ".markdown": "md",
    ".txt": "txt",
    ".docx": "docx",
}


def document_format(name: str) -> DocFormat | None:
    """The document format a file name's extension says, or None when it is no document."""
    return DOCUMENT_SUFFIXES.get(os.path.splitext(name)[1].lower())


def _limit(fmt: DocFormat) -> int:
    return MAX_DOCX_FILE_BYTES if fmt == "docx" else MAX_TEXT_FILE_BYTES


def read_document(
    source: str | os.PathLike[str] | bytes, name: str | None = None
) -> LoadedDocument:
    """Read a .md, .markdown, .txt or .docx document into front-matter data and its model.

    `source` is a path, or the file's bytes with `name` giving its file name (the format
    comes from the extension). Never raises for bad content or an unreadable file: a fatal
    problem (unreadable, binary, too large, not a .docx, a zip bomb) leaves `document` None
    and is the only problem; other problems (front matter) are listed beside the model.
    """
    file = (
        name
        if name is not None
        else ("<bytes>" if isinstance(source, bytes) else os.fspath(source))
    )
    fmt = document_format(file)
    if fmt is None:
        return _failed(
            file,
            "txt",
            DocProblem(
                "unsupported-file-type",
                f"{os.path.basename(file)!r} is not a document: "
                f"expected {', '.join(DOCUMENT_SUFFIXES)}",
            ),
        )
    limit = _limit(fmt)
    if isinstance(source, bytes):
        raw = source
    else:
        try:
            # O_NONBLOCK: a FIFO named like a document must not wait for a writer; only a
            # regular file is read (checked on the open file, as the YAML loader does).
            flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
            with open(os.open(source, flags), "rb") as fh:
                st = os.fstat(fh.fileno())
                if not stat.S_ISREG(st.st_mode):
                    what = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file"
                    return _failed(
                        file,
                        fmt,
                        DocProblem("unreadable-file", f"the file cannot be read: it is {what}"),
                    )
                if st.st_size > limit:
                    return _failed(file, fmt, _too_large(limit))
                raw = fh.read(limit + 1)  # bounded: the file may grow, or be a device
        except OSError as exc:
            reason = exc.strerror or str(exc)
            return _failed(
                file, fmt, DocProblem("unreadable-file", f"the file cannot be read: {reason}")
            )
    if len(raw) > limit:
        return _failed(file, fmt, _too_large(limit))
    # The readers and the analysis (python-docx, markdown-it) are imported for a document
    # only: a run on YAML/JSON contracts starts without them.
    if fmt == "docx":
        from checker.inputs.document.docx_reader import read_docx

        read = read_docx(raw)
    elif fmt == "md":
        from checker.inputs.document.markdown import read_md

        read = read_md(raw, file)
    else:
        from checker.inputs.document.plaintext import read_txt

        read = read_txt(raw)
    if isinstance(read, DocProblem):
        kind: PositionKind = "docx-paragraph" if fmt == "docx" else "line"
        return _failed(file, fmt, read, kind)
    if len(read.source.text) > MAX_DOCUMENT_CHARS:
        return _failed(
            file,
            fmt,
            DocProblem(
                "too-large", f"the document has more than {MAX_DOCUMENT_CHARS:,} characters"
            ),
        )
    from checker.inputs.document.analysis import analyze

    model, positions = analyze(read, fmt)
    model["is_template"] = declares_template(read.front_matter)
    return LoadedDocument(
        file,
        fmt,
        front_matter=read.front_matter,
        document=model,
        positions={**read.positions, **positions},
        key_positions=read.key_positions,
        problems=read.problems,
        lines=read.lines,
    )


def declares_template(front_matter: dict[str, Any] | None) -> bool:
    """Whether front matter marks the document as a template: `is_template: true` at its
    top, or in `meta` (where the service-contract schema keeps it)."""
    if not front_matter:
        return False
    meta = front_matter.get("meta")
    return front_matter.get("is_template") is True or (
        isinstance(meta, dict) and meta.get("is_template") is True
    )


def _too_large(limit: int) -> DocProblem:
    return DocProblem("too-large", f"the file is larger than {limit // (1024 * 1024)} MB")


def _failed(
    file: str, fmt: DocFormat, problem: DocProblem, kind: PositionKind = "line"
) -> LoadedDocument:
    if problem.kind != kind:
        problem = DocProblem(
            problem.code, problem.message, problem.line, problem.column, problem.path, kind
        )
    return LoadedDocument(file, fmt, problems=[problem])
