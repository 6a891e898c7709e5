"""Output formats: each module renders a finished run (files and findings) in one format."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..api import Pack
from ..models import Finding, Report
from ..runner import FileResult


@dataclass(frozen=True)
class RunResult:
    """A whole run as the formats see it: per-file results (with source lines), the report,
    and the packs that ran (their rules' metadata: titles, refs, descriptions)."""

    files: Sequence[FileResult]
    report: Report
    lang: str = "en"
    packs: Sequence[Pack] = ()

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
