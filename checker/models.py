"""Results and findings: immutable pydantic models that serialise to the documented JSON."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Severity = Literal["error", "warning", "info"]
Outcome = Literal["pass", "fail", "skip", "missing", "error"]
Basis = Literal["statute", "secondary", "unverified"]

SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
FINDING_OUTCOMES: tuple[Outcome, ...] = ("fail", "missing", "error")


class _Frozen(BaseModel):
    # defer_build: a model's validators are built at its first use, not at import (start-up).
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Ref(_Frozen):
    """The legal or drafting basis a rule cites."""

    law: str | None = None
    article: str | None = None
    url: str | None = None
    basis: Basis | None = None
    note: str | None = None
    text: str | None = Field(default=None, description="a free-text reference")


class RuleResult(_Frozen):
    """The outcome of one rule (or one element of an `each` rule) on one contract."""

    pack: str
    rule: str
    outcome: Outcome
    severity: Severity
    title: str = ""
    element: int | None = None
    pointer: str | None = None
    message: str | None = None
    message_zh: str | None = None
    values: dict[str, Any] = Field(default_factory=dict)
    missing: list[str] = Field(default_factory=list)
    reason: str | None = None  # why a skipped rule was not run (`not a document`)

    @property
    def is_finding(self) -> bool:
        return self.outcome in FINDING_OUTCOMES


class Suppression(_Frozen):
    """Why a finding is waived: it is still reported and counted, marked as waived.

    `waiver`: by the configuration's `waivers`; `inline`: by a comment in the contract."""

    kind: Literal["waiver", "inline"] = "waiver"
    reason: str
    approver: str | None = None
    expires: str | None = None


class Finding(_Frozen):
    """One reported problem, located in a file (the JSON output's `findings` items)."""

    file: str
    line: int | None = None
    column: int | None = None
    pointer: str = ""
    pack: str
    rule: str
    severity: Severity
    outcome: Outcome
    message: str
    refs: list[Ref] = Field(default_factory=list)
    values: dict[str, Any] = Field(default_factory=dict)
    suppression: Suppression | None = None
    # What `line`/`column` count: None (a line and column) or "docx-paragraph" (a .docx
    # paragraph number and the character offset in it plus one).
    location_kind: Literal["line", "docx-paragraph"] | None = None
    title: str | None = Field(default=None, exclude=True)
    message_zh: str | None = Field(default=None, exclude=True)


class Summary(_Frozen):
    files: int
    rules: int
    findings: int
    waived: int = 0
    skipped: int = 0
    by_severity: dict[str, int]
    by_outcome: dict[str, int]


class ToolInfo(_Frozen):
    name: str = "contract-checker"
    version: str


class Report(_Frozen):
    """A whole run: every finding in file order, and the counts."""

    version: Literal[1] = 1
    tool: ToolInfo
    findings: list[Finding]
    summary: Summary


def summarise(findings: list[Finding], files: int, rules: int, skipped: int = 0) -> Summary:
    """The counts of a run; `files` checked, `skipped` files that were not contracts."""
    by_severity: dict[str, int] = {s: 0 for s in SEVERITIES}
    by_outcome: dict[str, int] = {o: 0 for o in FINDING_OUTCOMES}
    for f in findings:
        by_severity[f.severity] += 1
        by_outcome[f.outcome] += 1
    waived = sum(1 for f in findings if f.suppression is not None)
    return Summary(
        waived=waived,
        skipped=skipped,
        files=files,
        rules=rules,
        findings=len(findings),
        by_severity=by_severity,
        by_outcome=by_outcome,
    )


def fingerprint(f: Finding) -> str:
    """A stable identity for a finding that does not depend on lines or columns.

    File, pack, rule and JSON pointer name the place in the data, which survives
    reformatting and edits elsewhere in the file (used by baselines and SARIF).
    """
    import hashlib

    key = "\x1f".join((f.file.replace("\\", "/"), f.pack, f.rule, f.pointer))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
