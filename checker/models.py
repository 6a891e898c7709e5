"""Results and findings: immutable pydantic models that serialise to the documented JSON."""

from __future__ import annotations

import datetime as _dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Severity = Literal["error", "warning", "info"]
Outcome = Literal["pass", "fail", "skip", "missing", "error"]
# What kind of source a ref is (how binding it is); whether it was checked against the
# official text is the separate `unverified` flag. "unverified" as a kind is kept only so
# that packs written before the flag existed still load.
Basis = Literal[
    "statute",
    "administrative-regulation",
    "judicial-interpretation",
    "departmental-rule",
    "normative-document",
    "practice",
    "secondary",
    "unverified",
]

SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
FINDING_OUTCOMES: tuple[Outcome, ...] = ("fail", "missing", "error")


class _Frozen(BaseModel):
    # defer_build: a model's validators are built at its first use, not at import (start-up).
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class InForce(_Frozen):
    """When a law (or the version of it a ref cites) applies: both days inclusive, open
    when not given."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True, populate_by_name=True)

    from_: _dt.date | None = Field(default=None, alias="from")
    until: _dt.date | None = None

    def covers(self, day: _dt.date) -> bool:
        return (self.from_ is None or self.from_ <= day) and (
            self.until is None or day <= self.until
        )

    def describe(self) -> str:
        """`from 2025-06-01`, `until 2026-02-28`, `2020-09-01 to 2025-05-31`."""
        if self.from_ and self.until:
            return f"{self.from_.isoformat()} to {self.until.isoformat()}"
        if self.from_:
            return f"from {self.from_.isoformat()}"
        return f"until {self.until.isoformat()}" if self.until else "always"


class Ref(_Frozen):
    """The legal or drafting basis a rule cites."""

    law: str | None = None
    article: str | None = None
    url: str | None = None
    basis: Basis | None = None
    unverified: bool | None = Field(
        default=None, description="true when the article was not checked against the official text"
    )
    in_force: InForce | None = Field(
        default=None, description="when the cited version applies (contract date inside it)"
    )
    note: str | None = None
    text: str | None = Field(default=None, description="a free-text reference")

    def in_force_on(self, day: _dt.date | None) -> bool:
        """Whether the ref applies to a contract dated `day` (every ref does without a date)."""
        return day is None or self.in_force is None or self.in_force.covers(day)


def format_ref(ref: Ref, markdown: bool = False) -> str:
    """One cited basis on one line: law, article, how it was checked, and the note."""
    if ref.law is None:
        text = ref.text or ref.url or ref.note or ""
        return f"[{text}]({ref.url})" if markdown and ref.url and text != ref.url else text
    head = ref.law + (f" art. {ref.article}" if ref.article else "")
    if markdown and ref.url:
        head = f"[{head}]({ref.url})"
    elif ref.url:
        head += f" <{ref.url}>"
    if ref.basis:
        head += f" ({ref.basis}{', unverified' if ref.unverified else ''})"
    if ref.in_force is not None:
        head += f" [in force {ref.in_force.describe()}]"
    if ref.note:
        head += f" — {ref.note}"
    return head


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
    refs: list[Ref] = Field(
        default_factory=list, description="the rule's refs in force at the contract's date"
    )
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
    # The record's id when the contract is one record of a JSON Lines or Parquet file
    # (`file` is then that file, and `line`/`column` are None: the pointer locates).
    record: str | None = None
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
    # Findings left out because the baseline already had them (not in `findings`).
    baselined: int = 0
    by_severity: dict[str, int]
    by_outcome: dict[str, int]
    # Runs over record files only: records checked, and records not checked (a partition
    # that failed on every try); None (left out of the JSON) otherwise.
    records: int | None = None
    unchecked: int | None = None


class ToolInfo(_Frozen):
    name: str = "contract-checker"
    version: str


class Report(_Frozen):
    """A whole run: every finding in file order, and the counts."""

    version: Literal[1] = 1
    tool: ToolInfo
    findings: list[Finding]
    summary: Summary


def summarise(
    findings: list[Finding], files: int, rules: int, skipped: int = 0, baselined: int = 0
) -> Summary:
    """The counts of a run; `files` checked, `skipped` files that were not contracts,
    `baselined` findings the baseline left out."""
    tally = Tally()
    tally.add(findings)
    return tally.summary(files, rules, skipped, baselined=baselined)


class Tally:
    """The counts of findings seen so far: a summary of a run whose findings stream past
    (record files) and are not all kept."""

    def __init__(self) -> None:
        self.findings = 0
        self.waived = 0
        self.by_severity: dict[str, int] = {s: 0 for s in SEVERITIES}
        self.by_outcome: dict[str, int] = {o: 0 for o in FINDING_OUTCOMES}
        self.live: set[Severity] = set()  # severities of the findings no waiver covers

    def add(self, findings: list[Finding]) -> None:
        for f in findings:
            self.by_severity[f.severity] += 1
            self.by_outcome[f.outcome] += 1
            if f.suppression is None:
                self.live.add(f.severity)
            else:
                self.waived += 1
        self.findings += len(findings)

    def summary(
        self,
        files: int,
        rules: int,
        skipped: int = 0,
        records: int | None = None,
        unchecked: int | None = None,
        baselined: int = 0,
    ) -> Summary:
        return Summary(
            waived=self.waived,
            skipped=skipped,
            baselined=baselined,
            files=files,
            rules=rules,
            findings=self.findings,
            by_severity=dict(self.by_severity),
            by_outcome=dict(self.by_outcome),
            records=records,
            unchecked=unchecked,
        )


def fingerprint(f: Finding) -> str:
    """A stable identity for a finding that does not depend on lines or columns.

    File, pack, rule and JSON pointer name the place in the data, which survives
    reformatting and edits elsewhere in the file (used by baselines and SARIF); a record
    of a record file adds its id (the records of one file share everything else).
    """
    import hashlib

    parts = (f.file.replace("\\", "/"), f.pack, f.rule, f.pointer)
    key = "\x1f".join(parts if f.record is None else (*parts, f.record))
    # surrogatepass: a lone surrogate (a JSON `\udfff` escape) still hashes, and reads
    # back from a JSON report as the same string, so baselines keep matching.
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
