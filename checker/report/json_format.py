"""The versioned JSON report (`contract-checker schema findings` describes it)."""

from __future__ import annotations

from typing import Any

from ..models import Finding
from ..packs.packschema import FINDINGS_SCHEMA
from . import RunResult, json_text
from .sources import Sources, gather


def finding_json(f: Finding, message: str, end_column: int | None = None) -> dict[str, Any]:
    """One finding as documented: refs without empty fields, values exact; the rule's
    title and where the span ends when known (what a re-rendered report shows)."""
    out = f.model_dump(mode="json", exclude={"refs", "values", "message"})
    out["message"] = message
    # by_alias: a period is written `in_force: {from, until}`, as in packs.
    out["refs"] = [r.model_dump(mode="json", exclude_none=True, by_alias=True) for r in f.refs]
    out["values"] = f.values
    out["title"] = f.title or None
    out["end_column"] = end_column
    keys = _FINDING_KEYS
    extra = {k: v for k, v in out.items() if k not in keys and v is not None}
    if extra.get("suppression"):
        extra["suppression"] = {k: v for k, v in extra["suppression"].items() if v is not None}
    # A record of a record file: its id goes next to the file.
    head = {"file": out["file"], "record": extra.pop("record")} if "record" in extra else {}
    return head | {k: out[k] for k in keys} | extra


# The documented order of a finding's keys: the ones `schema findings` requires.
_FINDING_KEYS: list[str] = FINDINGS_SCHEMA["properties"]["findings"]["items"]["required"]


def sources_json(sources: Sources) -> dict[str, Any]:
    """The quoted lines of each file with findings, by line number (JSON keys are text)."""
    return {
        name: {
            "format": s.format,
            "whole": s.whole,
            "lines": {str(n): t for n, t in s.lines.items()},
        }
        for name, s in sources.files.items()
    }


def render(run: RunResult) -> str:
    report = run.report
    sources = gather(run)
    doc = {
        "version": report.version,
        "tool": report.tool.model_dump(mode="json"),
        "findings": [
            finding_json(f, run.message(f), sources.end(i)) for i, f in enumerate(report.findings)
        ],
        "summary": report.summary.model_dump(mode="json", exclude_none=True),
        "files": [fr.file for fr in run.files if fr.skipped is None],
        "sources": sources_json(sources),
    }
    return json_text(doc)
