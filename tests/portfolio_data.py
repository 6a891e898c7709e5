"""Record files for the portfolio tests: the example contracts as JSON Lines records."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path
from typing import Any

import clirun

from checker.inputs.loader import load_file
from checker.report import exact_json

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
# Passing contracts and defects (each defect example has findings of its own).
SOURCES = [
    EXAMPLES / "c1-customer-acquisition.yaml",
    EXAMPLES / "defects" / "d01-percentages-sum-to-90.yaml",
    EXAMPLES / "defects" / "d03-confidentiality-one-year.yaml",
    EXAMPLES / "defects" / "d10-misspelled-field.yaml",
    EXAMPLES / "c2-customer-management.yaml",
    EXAMPLES / "defects" / "d13-uscc-check-character.yaml",
]


def _default(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date) else exact_json(v)


def record_line(source: Path, rid: str) -> str:
    data = load_file(source).data
    assert data is not None
    return json.dumps({"id": rid, **data}, ensure_ascii=False, default=_default)


def write_records(path: Path, count: int) -> list[str]:
    """`count` records cycling through SOURCES (ids R000, R001, …); their ids."""
    ids = [f"R{i:03d}" for i in range(count)]
    lines = [record_line(SOURCES[i % len(SOURCES)], rid) for i, rid in enumerate(ids)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ids


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return clirun.cli("check", "--no-config", "--today", "2025-06-01", *args, cwd=cwd, timeout=120)
