"""SARIF 2.1.0 for code scanning: the run's rules with their basis, and one result per finding."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..api import Pack
from ..models import Finding, Ref, Severity, fingerprint, format_ref
from ..packs.pack import CompiledRule
from ..toolrules import TOOL_PACK, TOOL_RULES
from . import RunResult, json_text, workdir_relative

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://contract-checker.dev/"
FINGERPRINT_KEY = "contractChecker/v1"
SRCROOT = "%SRCROOT%"

LEVELS: dict[str, str] = {"error": "error", "warning": "warning", "info": "note"}


# The tool's own checks (reading the file, the contract schema, waivers): title, what it checks.
def render(run: RunResult) -> str:
    rules, index = _rules(run)
    files = _files(run)
    artifacts = {_artifact_location(name)["uri"]: i for i, name in enumerate(files)}
    results = [_result(run, f, index, artifacts) for f in run.report.findings]
    sarif_run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": run.report.tool.name,
                "version": run.report.tool.version,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        "invocations": [{"executionSuccessful": True}],
        "artifacts": [{"location": _artifact_location(name)} for name in files],
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    if run.lang == "zh":
        sarif_run["language"] = "zh-CN"
    doc = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [sarif_run]}
    return json_text(doc)


def _files(run: RunResult) -> list[str]:
    """Every file of the run in order: those checked, then any only findings name."""
    names = [fr.file for fr in run.files]
    seen = set(names)
    for f in run.report.findings:
        if f.file not in seen:
            seen.add(f.file)
            names.append(f.file)
    return names


def _artifact_location(file: str) -> dict[str, Any]:
    path = workdir_relative(file)
    if Path(path).is_absolute():  # outside the working directory: only a file URI can say where
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT}


def _pack_rules(packs: Sequence[Pack]) -> Iterator[CompiledRule]:
    for pack in packs:
        yield from pack.rules


def _rules(run: RunResult) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Descriptors of every rule the packs ran, then of tool rules and others findings name."""
    out: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for rule in _pack_rules(run.packs):
        rid = f"{rule.pack}/{rule.id}"
        if rid not in index:
            index[rid] = len(out)
            description = rule.spec.raw.get("description")
            out.append(
                _descriptor(
                    rid,
                    rule.id,
                    rule.title,
                    str(description).strip() if description else rule.title,
                    rule.severity,
                    rule.refs,
                    rule.tags,
                )
            )
    extra = sorted(
        {f"{f.pack}/{f.rule}": f for f in run.report.findings}.items(),
        key=lambda item: (item[1].pack != TOOL_PACK, item[0]),
    )
    for rid, f in extra:
        if rid in index:
            continue
        index[rid] = len(out)
        tool = TOOL_RULES.get(f.rule) if f.pack == TOOL_PACK else None
        title = tool.title if tool else (f.title or f.rule)
        what = tool.description if tool else title
        severity: Severity = tool.severity if tool else f.severity
        out.append(_descriptor(rid, f.rule, title, what, severity, f.refs, []))
    return out, index


def _descriptor(
    rid: str,
    name: str,
    title: str,
    description: str,
    severity: Severity,
    refs: Sequence[Ref],
    tags: Sequence[str],
) -> dict[str, Any]:
    text, markdown = _help(title, description, refs)
    out: dict[str, Any] = {
        "id": rid,
        "name": name,
        "shortDescription": {"text": title},
        "fullDescription": {"text": description},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": LEVELS[severity]},
    }
    if tags:
        out["properties"] = {"tags": list(dict.fromkeys(tags))}
    return out


def _help(title: str, description: str, refs: Sequence[Ref]) -> tuple[str, str]:
    """The rule's documentation as plain text and as Markdown, listing the basis it cites."""
    text = [title] if description == title else [title, "", description]
    md = [f"**{title}**"] if description == title else [f"**{title}**", "", description]
    if refs:
        text += ["", "Basis:"] + [f"- {format_ref(r)}" for r in refs]
        md += ["", "Basis:", ""] + [f"- {format_ref(r, markdown=True)}" for r in refs]
    return "\n".join(text), "\n".join(md)


def _result(
    run: RunResult, f: Finding, index: dict[str, int], artifacts: dict[str, int]
) -> dict[str, Any]:
    rid = f"{f.pack}/{f.rule}"
    artifact = _artifact_location(f.file)
    physical: dict[str, Any] = {
        "artifactLocation": {**artifact, "index": artifacts[artifact["uri"]]}
    }
    # Code scanning needs a start line; with no position the finding is about the whole file.
    region: dict[str, Any] = {"startLine": f.line or 1}
    if f.line and f.column:
        region["startColumn"] = f.column
    if f.line and f.location_kind == "docx-paragraph":
        # A .docx has paragraphs, not lines: the start line is the paragraph's number.
        region["properties"] = {"locationKind": "docx-paragraph"}
    physical["region"] = region
    location: dict[str, Any] = {"physicalLocation": physical}
    if f.pointer:
        location["logicalLocations"] = [_logical(f.pointer)]
    out: dict[str, Any] = {
        "ruleId": rid,
        "ruleIndex": index[rid],
        "level": LEVELS[f.severity],
        "message": {"text": run.message(f)},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(f)},
    }
    if f.suppression is not None:
        s = f.suppression
        suppression: dict[str, Any] = {
            # SARIF's names: a comment in the file is "inSource", a waiver "external".
            "kind": "inSource" if s.kind == "inline" else "external",
            "status": "accepted",
            "justification": s.reason,
        }
        extra = {k: v for k, v in (("approver", s.approver), ("expires", s.expires)) if v}
        if extra:
            suppression["properties"] = extra
        out["suppressions"] = [suppression]
    out["properties"] = {"outcome": f.outcome, "values": f.values}
    if f.refs:  # the basis in force at the contract's date (the rule's help lists every version)
        out["properties"]["refs"] = [format_ref(r) for r in f.refs]
    if f.record is not None:  # one record of a record file: which one
        out["properties"]["record"] = f.record
    return out


def _logical(pointer: str) -> dict[str, Any]:
    """The JSON pointer as a logical location: its last step is the name."""
    last = pointer.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
    return {
        "name": last,
        "fullyQualifiedName": pointer,
        "kind": "value" if last.isdigit() else "property",
    }
