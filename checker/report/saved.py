"""A saved JSON report read back into a run, so that it can be rendered in another format."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..inputs import jsonpos
from ..models import Finding, Report
from ..packs.packschema import FINDINGS_SCHEMA
from ..runner import FileResult
from . import RunResult
from .sources import Source, Sources

MAX_REPORT_BYTES = 512 * 1024 * 1024  # a saved report larger than this is refused
_LIMITS = jsonpos.Limits(max_depth=200, max_values=50_000_000, max_steps=500_000_000)


class SavedReportError(Exception):
    """A file that is not a contract-checker JSON report; the message says where and why."""


def load_saved(path: Path, lang: str = "en") -> RunResult:
    """The run a JSON report (`check --format json`) describes, with the source lines it
    saved. Raises SavedReportError with the place of the problem in the file."""
    try:
        if path.stat().st_size > MAX_REPORT_BYTES:
            raise SavedReportError(f"{path}: larger than {MAX_REPORT_BYTES // 2**20} MB")
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SavedReportError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise SavedReportError(f"{path}: not UTF-8 text ({exc.reason})") from None
    try:
        doc = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise SavedReportError(f"{path}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") from None
    import jsonschema  # a sixth of the start-up: only for `report`, not every `check`

    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(FINDINGS_SCHEMA).iter_errors(doc)
    )
    if error is not None:
        where = _where(text, tuple(error.absolute_path))
        at = "/".join(str(p) for p in error.absolute_path) or "the top level"
        raise SavedReportError(
            f"{path}{where}: not a contract-checker JSON report (at {at}: {error.message})"
        )
    return _run(doc, lang)


def _where(text: str, path: tuple[str | int, ...]) -> str:
    """`:line:column` of the value at `path` in the JSON text (or of its nearest parent)."""
    scan = jsonpos.scan(text, lambda line, col: (line, col), lambda _: None, _LIMITS)
    for end in range(len(path), -1, -1):
        pos = scan.positions.get(path[:end])
        if pos is not None:
            return f":{pos[0]}:{pos[1]}"
    return ""


def _run(doc: dict[str, Any], lang: str) -> RunResult:
    from .. import api_models as api  # validates and converts what the schema let through

    ends: list[int | None] = []
    findings: list[Finding] = []
    for item in doc["findings"]:
        ends.append(item.get("end_column"))
        fields = {k: v for k, v in item.items() if k != "end_column"}
        findings.append(api.record(api.Finding.model_validate(fields)))
    files = {
        name: Source(
            s["format"],
            {int(n): line for n, line in s["lines"].items()},
            whole=s.get("whole", False),
        )
        for name, s in doc.get("sources", {}).items()
    }
    report = Report(
        tool=api.record(api.ToolInfo.model_validate(doc["tool"])),
        findings=findings,
        summary=api.record(api.Summary.model_validate(doc["summary"])),
    )
    results = []
    for name in dict.fromkeys([*doc.get("files", []), *(f.file for f in findings)]):
        lines = files[name].lines if name in files else {}
        numbered = [lines.get(n, "") for n in range(1, max(lines, default=0) + 1)]
        results.append(FileResult(name, [f for f in findings if f.file == name], numbered))
    return RunResult(results, report, lang, (), Sources(files, ends))
