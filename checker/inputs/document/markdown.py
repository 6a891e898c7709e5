"""Read a .md document: YAML front matter as contract data, the body's text with markup masked.

The body keeps every character at its place in the file: markup (heading `#`s, bullets,
table pipes and rules, block quotes, emphasis, link targets, HTML blocks) is replaced by
spaces, so analysis reads only words and every offset is a line and column of the file.
The block structure comes from markdown-it-py, which gives each block its source lines.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Final

from markdown_it import MarkdownIt
from markdown_it.token import Token

from checker.inputs.document.encoding import decode_text
from checker.inputs.document.model import (
    DataPath,
    DocPosition,
    DocProblem,
    ReadResult,
    SourceText,
    split_lines,
)
from checker.inputs.loader import Position, load_text

_FENCE_OPEN: Final = re.compile(r"---[ \t]*")
_FENCE_CLOSE: Final = re.compile(r"(?:---|\.\.\.)[ \t]*")
_ATX: Final = re.compile(r"^( {0,3})(#{1,6})(?=[ \t]|$)|[ \t]+#+[ \t]*$")
_BULLET: Final = re.compile(r"^[ \t>]*[-*+](?=[ \t]|$)")
_QUOTE: Final = re.compile(r"^(?:[ \t]{0,3}>)+")
_INLINE: Final = re.compile(
    r"\\(?=[!-/:-@\[-`{-~])"  # a backslash escape: the backslash
    r"|(?<=\])\([^()\n]{0,500}\)"  # a link target after `]`
    r"|!?\[(?=[^\[\]\n]{0,300}\]\()"  # the `[` (or `![`) opening a link
    r"|\](?=\()"  # the `]` closing it
    r"|\*{1,3}|`+"  # emphasis and code marks
)
_RULE: Final = re.compile(r"[^\n\r]")


@functools.cache
def _markdown() -> MarkdownIt:
    """The CommonMark parser with tables; built once (parsing keeps no state in it)."""
    return MarkdownIt("commonmark").enable("table")


def read_md(raw: bytes, file: str) -> ReadResult | DocProblem:
    """The text and front matter of a .md file, or the one problem that makes it unreadable."""
    text = decode_text(raw)
    if isinstance(text, DocProblem):
        return text
    lines = split_lines(text)
    source = SourceText(text)
    chars = list(text)
    result = ReadResult(source, lines)
    body_line = _front_matter(text, lines, source, file, result)
    for line in range(body_line):
        _mask_line(chars, source, line, _RULE)
    if body_line:  # markdown-it sees blank lines where the front matter was
        text = "".join(chars)
    headings: set[int] = set()
    tokens = _markdown().parse(text)
    for i, tok in enumerate(tokens):
        if tok.map is None:
            continue
        first, end = tok.map
        if tok.type == "heading_open":
            headings.add(first)
            if tok.markup.startswith("#"):
                _mask_line(chars, source, first, _ATX)
            else:  # a setext heading: its underline is markup
                _mask_line(chars, source, end - 1, _RULE)
            if result.title is None and tok.tag == "h1":
                result.title = _inline_text(tokens, i)
        elif tok.type == "list_item_open" and tok.markup in ("-", "*", "+"):
            _mask_line(chars, source, first, _BULLET)
        elif tok.type == "blockquote_open":
            for line in range(first, end):
                _mask_line(chars, source, line, _QUOTE)
        elif tok.type == "table_open":
            for line in range(first, end):
                _mask_line(chars, source, line, _RULE if line == first + 1 else _PIPE)
        elif tok.type in ("hr", "html_block"):
            for line in range(first, end):
                _mask_line(chars, source, line, _RULE)
        elif tok.type == "fence":
            _mask_line(chars, source, first, _RULE)
            if end - 1 > first:
                _mask_line(chars, source, end - 1, _RULE)
        elif tok.type == "inline":
            for line in range(first, end):
                _mask_line(chars, source, line, _INLINE)
    masked = SourceText("".join(chars))
    result.source = masked
    result.heading_lines = frozenset(headings)
    return result


_PIPE: Final = re.compile(r"(?<!\\)\|")


def _inline_text(tokens: list[Token], i: int) -> str | None:
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    if nxt is None or nxt.type != "inline":
        return None
    return _INLINE.sub("", nxt.content).strip() or None


def _mask_line(chars: list[str], source: SourceText, line: int, pattern: re.Pattern[str]) -> None:
    """Replace what `pattern` matches on one line by spaces."""
    starts = source.line_starts
    if line >= len(starts):
        return
    start = starts[line]
    end = starts[line + 1] if line + 1 < len(starts) else len(source.text)
    segment = source.text[start:end]
    for m in pattern.finditer(segment):
        for k in range(start + m.start(), start + m.end()):
            if chars[k] not in "\r\n":
                chars[k] = " "


def _front_matter(
    text: str, lines: list[str], source: SourceText, file: str, result: ReadResult
) -> int:
    """Read the front matter into `result`; the number of lines it takes (0 for none)."""
    if not lines or not _FENCE_OPEN.fullmatch(lines[0]):
        return 0
    close = next((i for i in range(1, len(lines)) if _FENCE_CLOSE.fullmatch(lines[i])), None)
    if close is None:
        result.problems.append(
            DocProblem(
                "front-matter",
                "the front matter opened by `---` on line 1 is never closed by `---`; "
                "the whole file was read as the document",
                1,
                1,
            )
        )
        return 0
    if close == 1:
        return 2  # `---` `---`: an empty front matter is no data, and nothing wrong
    yaml_text = text[source.line_starts[1] : source.line_starts[close]]
    loaded = load_text(yaml_text, file, fmt="yaml")

    for p in loaded.problems:
        line = p.line + 1 if p.line is not None else None
        if p.code == "empty":
            continue  # only comments or blanks: no data
        message = p.message if loaded.data is not None else f"front matter: {p.message}"
        result.problems.append(DocProblem(p.code, message, line, p.column, p.path))
    if loaded.data is not None:
        result.front_matter = loaded.data
        result.positions = _shifted(loaded.positions)
        result.key_positions = _shifted(loaded.key_positions)
        if "document" in loaded.data:
            pos = result.key_positions.get(("document",), DocPosition(2, 1))
            result.problems.append(
                DocProblem(
                    "reserved-key",
                    "`document` is reserved for the document's own model; "
                    "rename this front-matter key",
                    pos.line,
                    pos.column,
                    ("document",),
                )
            )
            del result.front_matter["document"]
            for table in (result.positions, result.key_positions):
                for path in [p for p in table if p[:1] == ("document",)]:
                    del table[path]
    return close + 1


def _shifted(table: Mapping[DataPath, Position]) -> dict[DataPath, DocPosition]:
    """Positions in the front matter's text as positions in the file (one line lower)."""
    return {path: DocPosition(pos.line + 1, pos.column) for path, pos in table.items()}
