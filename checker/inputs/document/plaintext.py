"""Read a .txt document: the whole decoded file is the document."""

from __future__ import annotations

from checker.inputs.document.encoding import decode_text
from checker.inputs.document.model import DocProblem, ReadResult, SourceText, split_lines


def read_txt(raw: bytes) -> ReadResult | DocProblem:
    """The text of a .txt file, or the one problem that makes it unreadable."""
    text = decode_text(raw)
    if isinstance(text, DocProblem):
        return text
    return ReadResult(SourceText(text), split_lines(text))
