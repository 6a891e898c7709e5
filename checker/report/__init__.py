"""Output formats: each module renders a finished run (files and findings) in one format."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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
