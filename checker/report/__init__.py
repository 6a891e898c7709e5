"""Output formats: each module renders a finished run (files and findings) in one format."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..api import Pack
from ..fastclass import dataclass
from ..models import Finding, Report
from ..runner import FileResult
from .sources import Sources


@dataclass(frozen=True)
class RunResult:
    """A whole run as the formats see it: per-file results (with source lines), the report,
    and the packs that ran (their rules' metadata: titles, refs, descriptions)."""

    files: Sequence[FileResult]
    report: Report
    lang: str = "en"
    packs: Sequence[Pack] = ()
    # The quoted sources and spans when they were saved with the report (`report` command);
    # None: read from the files checked (see `sources.gather`).
    sources: Sources | None = None

    def message(self, f: Finding) -> str:
        """The finding's message in the chosen language (English when no translation)."""
        if self.lang == "zh" and f.message_zh:
            return f.message_zh
        return f.message


PARAGRAPH = "¶"


def location(f: Finding) -> str:
    """Where a finding is, as people read it: `12:5` (line and column), `¶12:5` (a .docx
    paragraph and the offset in it), `12` without a column, `` without a position."""
    if not f.line:
        return ""
    head = f"{PARAGRAPH}{f.line}" if f.location_kind == "docx-paragraph" else str(f.line)
    return f"{head}:{f.column}" if f.column else head


def workdir_relative(file: str) -> str:
    """The file's path with `/` separators, relative to the working directory when inside it."""
    path = Path(file)
    if path.is_absolute():
        try:
            path = path.relative_to(Path.cwd())
        except ValueError:
            return path.as_posix()
    return path.as_posix()


def exact_json(v: Any) -> Any:
    """`json.dumps` default for our exact numbers: an integral Decimal is an int, another one
    a float when that float reads back exactly, else its text."""
    if isinstance(v, Decimal):
        if v == v.to_integral_value():
            return int(v)
        f = float(v)
        return f if Decimal(repr(f)) == v else str(v)
    raise TypeError(f"not JSON serialisable: {type(v).__name__}")


# Lone surrogates (from a JSON `\udfff` escape, or a file name that is not UTF-8) cannot be
# encoded: text formats show U+FFFD, JSON formats keep them as `\udfff` escapes.
_SURROGATE = re.compile("[\ud800-\udfff]")
# What a terminal, a CI log or a one-line field must not receive raw: C0 and C1 controls,
# DEL, and the Unicode line and paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_control(m: re.Match[str]) -> str:
    c = m.group()
    if c in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[c]
    return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"


def encodable(text: str) -> str:
    """The text with every lone surrogate replaced by U+FFFD, so UTF-8 can encode it."""
    return _SURROGATE.sub("\ufffd", text)


def one_line(text: str) -> str:
    """Untrusted text safe to print on one line: control characters and line separators as
    `\\n`, `\\x1b`, `\\u2028` escapes (so a contract cannot move the cursor, colour the
    terminal or start a line a CI runner reads as a command), lone surrogates as U+FFFD."""
    return encodable(_CONTROL.sub(_escape_control, text))


# XML 1.0 cannot hold most control characters (a binary file's message may quote them).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """The text with every character XML 1.0 cannot hold as a `\\uXXXX` escape."""
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def json_text(doc: Any) -> str:
    """A JSON document as UTF-8-encodable text: non-ASCII kept as is, exact numbers, and lone
    surrogates as `\\udfff` escapes (valid JSON that reads back as the same string)."""
    text = json.dumps(doc, ensure_ascii=False, indent=2, default=exact_json)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"
