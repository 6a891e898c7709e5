"""The API's results and findings as pydantic models, and their conversion from the
pipeline's records (`models`), which carry exactly the same fields.

Imported only where the API hands results to its caller (`Pack.evaluate`, `check_paths`) or
validates data from outside, so that a `check` run never pays for pydantic.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from . import models
from .models import Basis, Outcome, Severity

__all__ = [
    "Finding",
    "InForce",
    "Ref",
    "Report",
    "RuleResult",
    "Summary",
    "Suppression",
    "ToolInfo",
    "public",
    "record",
]


class _Frozen(BaseModel):
    # defer_build: a model's validators are built at its first use, not at import (start-up).
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class InForce(_Frozen):
    """When a law (or the version of it a ref cites) applies: both days inclusive, open
    when not given."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True, populate_by_name=True)

    from_: _dt.date | None = Field(default=None, alias="from")
    until: _dt.date | None = None

    # The records' methods read only fields both classes share.
    covers = models.InForce.covers
    describe = models.InForce.describe


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

    in_force_on = models.Ref.in_force_on


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

    is_finding = models.RuleResult.is_finding


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


_PUBLIC: dict[type, type[BaseModel]] = {
    models.InForce: InForce,
    models.Ref: Ref,
    models.RuleResult: RuleResult,
    models.Suppression: Suppression,
    models.Finding: Finding,
    models.Summary: Summary,
    models.ToolInfo: ToolInfo,
    models.Report: Report,
}
_RECORD: dict[type[BaseModel], type] = {v: k for k, v in _PUBLIC.items()}


def public(value: Any) -> Any:
    """A pipeline record (or list of them) as the API's pydantic model: the same fields,
    without validating them again (the checker set them)."""
    cls = _PUBLIC.get(type(value))
    if cls is None:
        return [public(v) for v in value] if type(value) is list else value
    if cls is Ref:  # a rule's refs are the pack's own, cited by every finding of the rule
        hit = _REFS.get(id(value))
        if hit is not None:
            return hit[1]
    fields = {name: public(getattr(value, name)) for name in _FIELDS[cls]}
    model = cls.model_construct(**fields)
    if cls is Ref:
        if len(_REFS) >= _REFS_MAX:
            _REFS.clear()
        _REFS[id(value)] = (value, model)  # holding the record keeps its id its own
    return model


_FIELDS: dict[type[BaseModel], tuple[str, ...]] = {
    m: tuple(f.name for f in dataclasses.fields(r)) for r, m in _PUBLIC.items()
}
_REFS: dict[int, tuple[models.Ref, BaseModel]] = {}
_REFS_MAX = 4096


def record(value: Any) -> Any:
    """An API model (validated from outside data) as the pipeline's record."""
    cls = _RECORD.get(type(value))
    if cls is not None:
        return cls(**{name: record(getattr(value, name)) for name in type(value).model_fields})
    if type(value) is list:
        return [record(v) for v in value]
    return value
