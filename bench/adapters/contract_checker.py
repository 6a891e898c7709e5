"""contract-checker: the 8 benchmark rules as a rule pack in our language, compiled once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import checker
from checker.lang import Program

NAME = "contract_checker"
DIST = "contract-checker"
IMPORT = "checker.lang"
NOTES = (
    "rules in our DSL (bench/rules.yaml), compiled to Python closures with an optimistic fast path"
)

RULES = {
    "R1": "sum(payment.installments[*].percent) == 100",
    "R2": "confidentiality.term_years >= 2",
    "R3": 'all p in parties: p.name != "" and p.legal_representative != ""',
    "R4": "liability.late_payment.daily_rate_percent <= 0.05",
    "R5": "fee.total == sum(payment.installments[*].amount)",
    "R6": "subcontracting.allowed implies subcontracting.requires_written_consent",
    "R7": 'dispute_resolution.method in ["litigation", "arbitration"] and '
    '(dispute_resolution.method == "arbitration" implies '
    "not blank(dispute_resolution.institution))",
    "R8": "all i in payment.installments: i.due_within_working_days <= 30",
}
HERE = Path(__file__).resolve().parent
assert checker


def compile(rule_ids: list[str]) -> Any:
    program = Program()
    exprs = [program.compile(RULES[r]) for r in rule_ids]
    return program, list(rule_ids), program.batch(exprs)


def evaluate(compiled: Any, contract: dict[str, Any]) -> dict[str, bool]:
    program, ids, batch = compiled
    values = batch.run(program.env(contract))
    return {r: v is True for r, v in zip(ids, values, strict=True)}
