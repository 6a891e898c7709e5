"""Results and findings as the pipeline carries them: immutable, slotted records.

The API hands its callers pydantic models of the same fields (`api_models`); inside a run
these plain records are used, because pydantic's import and validation were a quarter of a
one-file `check` (about 75 ms) and every field here is set by the checker's own typed code.
Data from outside (a saved report, a pack's refs) is validated where it is read.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from typing import Any, Final, Literal

from .fastclass import dataclass, field

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

# Field metadata: the name a field is written under (`from_` → `from`), and fields that
# are carried for the reports but not part of the documented JSON.
_ALIAS: Final = "alias"
_HIDDEN: Final = "hidden"


class _Record:
    """What the pipeline uses of a pydantic model's interface, for the records below.

    Records are keyword-only dataclasses: fields keep the documented order (required ones
    among optional ones), and a misspelt field name is a TypeError, not an ignored extra."""

    __slots__ = ()

    def model_copy(self, *, update: dict[str, Any] | None = None) -> Any:
        """A copy with some fields replaced (no validation, like pydantic's)."""
        return dataclasses.replace(self, **update) if update else self  # type: ignore[type-var]

    def model_dump(
        self,
        *,
        mode: str = "json",
        exclude: set[str] | frozenset[str] = frozenset(),
        exclude_none: bool = False,
        by_alias: bool = False,
    ) -> dict[str, Any]:
        """The fields as JSON values, in declaration order, as pydantic's `model_dump`
        (mode "json") writes them: dates as ISO text, nested records as dictionaries."""
        if mode != "json":
            raise ValueError(f"records dump in JSON mode only, not {mode!r}")
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            if f.name in exclude or f.metadata.get(_HIDDEN):
                continue
            value = _dumped(getattr(self, f.name), exclude_none, by_alias)
            if value is None and exclude_none:
                continue
            out[f.metadata.get(_ALIAS, f.name) if by_alias else f.name] = value
        return out


def _dumped(value: Any, exclude_none: bool, by_alias: bool) -> Any:
    if isinstance(value, _Record):
        return value.model_dump(exclude_none=exclude_none, by_alias=by_alias)
    if isinstance(value, list):
        return [_dumped(v, exclude_none, by_alias) for v in value]
    if isinstance(value, dict):
        return {k: _dumped(v, exclude_none, by_alias) for k, v in value.items()}
    if isinstance(value, _dt.date):
        return value.isoformat()
    return value


@dataclass(frozen=True, slots=True, kw_only=True)
class InForce(_Record):
    """When a law (or the version of it a ref cites) applies: both days inclusive, open
    when not given."""

    from_: _dt.date | None = field(default=None, metadata={_ALIAS: "from"})
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


@dataclass(frozen=True, slots=True, kw_only=True)
class Ref(_Record):
    """The legal or drafting basis a rule cites."""

    law: str | None = None
    article: str | None = None
    url: str | None = None
    basis: Basis | None = None
    unverified: bool | None = None  # true when the article was not checked against the text
    in_force: InForce | None = None  # when the cited version applies (contract date inside it)
    note: str | None = None
    text: str | None = None  # a free-text reference

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


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleResult(_Record):
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
    values: dict[str, Any] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    refs: list[Ref] = field(default_factory=list)  # the rule's refs in force at its date
    reason: str | None = None  # why a skipped rule was not run (`not a document`)

    @property
    def is_finding(self) -> bool:
        return self.outcome in FINDING_OUTCOMES


@dataclass(frozen=True, slots=True, kw_only=True)
class Suppression(_Record):
    """Why a finding is waived: it is still reported and counted, marked as waived.

    `waiver`: by the configuration's `waivers`; `inline`: by a comment in the contract."""

    kind: Literal["waiver", "inline"] = "waiver"
    reason: str
    approver: str | None = None
    expires: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding(_Record):
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
    refs: list[Ref] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    suppression: Suppression | None = None
    # What `line`/`column` count: None (a line and column) or "docx-paragraph" (a .docx
    # paragraph number and the character offset in it plus one).
    location_kind: Literal["line", "docx-paragraph"] | None = None
    title: str | None = field(default=None, metadata={_HIDDEN: True})
    message_zh: str | None = field(default=None, metadata={_HIDDEN: True})


@dataclass(frozen=True, slots=True, kw_only=True)
class Summary(_Record):
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


@dataclass(frozen=True, slots=True, kw_only=True)
class ToolInfo(_Record):
    name: str = "contract-checker"
    version: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Report(_Record):
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
