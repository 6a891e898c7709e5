"""The versioned JSON report (`contract-checker schema findings` describes it)."""

from __future__ import annotations

import json
from typing import Any

from ..models import Finding
from ..packs.packschema import FINDINGS_SCHEMA
from . import RunResult, exact_json


def finding_json(f: Finding, message: str) -> dict[str, Any]:
    """One finding as documented: refs without empty fields, values exact."""
    out = f.model_dump(mode="json", exclude={"refs", "values", "message"})
    out["message"] = message
    out["refs"] = [r.model_dump(mode="json", exclude_none=True) for r in f.refs]
    out["values"] = f.values
    keys = _FINDING_KEYS
    extra = {k: v for k, v in out.items() if k not in keys and v is not None}
    if extra.get("suppression"):
        extra["suppression"] = {k: v for k, v in extra["suppression"].items() if v is not None}
    # A record of a record file: its id goes next to the file.
    head = {"file": out["file"], "record": extra.pop("record")} if "record" in extra else {}
    return head | {k: out[k] for k in keys} | extra


# The documented order of a finding's keys: the ones `schema findings` requires.
_FINDING_KEYS: list[str] = FINDINGS_SCHEMA["properties"]["findings"]["items"]["required"]


def render(run: RunResult) -> str:
    report = run.report
    doc = {
        "version": report.version,
        "tool": report.tool.model_dump(mode="json"),
        "findings": [finding_json(f, run.message(f)) for f in report.findings],
        "summary": report.summary.model_dump(mode="json", exclude_none=True),
    }
    return json.dumps(doc, ensure_ascii=False, indent=2, default=exact_json) + "\n"
