"""contract-checker in the shared engine benchmark: the rules are bench/pack/pack.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import checker

NAME = "contract_checker"
DIST = "contract-checker"
IMPORT = "checker"
NOTES = (
    "rules read from a pack file (bench/pack/pack.yaml), compiled to one generated Python "
    "function per pack with an optimistic fast path; Pack.verdicts, floats read exactly"
)

PACK = Path(__file__).resolve().parent.parent / "pack" / "pack.yaml"


def compile(rule_ids: list[str]) -> Any:  # the harness names it so
    pack = checker.load_pack(PACK)
    # Pack rule ids are kebab-case (r1); the harness names them R1.
    assert [r.id.upper() for r in pack.rules] == list(rule_ids), "bench pack and harness disagree"
    return pack


_HARNESS_IDS = [f"R{i}" for i in range(1, 9)]


def evaluate(compiled: Any, contract: dict[str, Any]) -> dict[str, bool]:
    return {
        r: v is True for r, v in zip(_HARNESS_IDS, compiled.verdict_list(contract), strict=True)
    }
