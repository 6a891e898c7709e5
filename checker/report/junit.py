"""JUnit XML for CI test reports: one suite per contract file, one test case per file × rule."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence

from ..models import Finding
from . import RunResult, location, workdir_relative, xml_text


def render(run: RunResult) -> str:
    by_file: dict[str, list[Finding]] = {}
    for f in run.report.findings:
        by_file.setdefault(f.file, []).append(f)
    outcomes = {fr.file: fr.outcomes for fr in run.files}
    names = [fr.file for fr in run.files] + [n for n in by_file if n not in outcomes]
    root = ET.Element("testsuites", name="contract-checker")
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for name in names:
        suite = _suite(run, name, outcomes.get(name, {}), by_file.get(name, []))
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
        root.append(suite)
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _suite(
    run: RunResult,
    file: str,
    outcomes: Mapping[tuple[str, str], str],
    findings: list[Finding],
) -> ET.Element:
    """The file's suite: every rule that ran on it, then the tool's checks that found something."""
    shown = xml_text(workdir_relative(file))
    suite = ET.Element("testsuite", name=shown)
    by_rule: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        by_rule.setdefault((f.pack, f.rule), []).append(f)
    keys = list(outcomes) + sorted(k for k in by_rule if k not in outcomes)
    counts = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    reasons = next((fr.skip_reasons for fr in run.files if fr.file == file), {})
    for key in keys:
        case, kind = _case(run, shown, key, outcomes.get(key), by_rule.get(key, []))
        skipped = case.find("skipped")
        if skipped is not None and key in reasons:
            skipped.set("message", reasons[key])  # why the file could not decide the rule
        suite.append(case)
        counts["tests"] += 1
        if kind:
            counts[kind] += 1
    for count, value in counts.items():
        suite.set(count, str(value))
    return suite


def _case(
    run: RunResult,
    classname: str,
    key: tuple[str, str],
    outcome: str | None,
    findings: Sequence[Finding],
) -> tuple[ET.Element, str | None]:
    """One test case and which count it adds to (None for a pass)."""
    case = ET.Element("testcase", classname=classname, name=f"{key[0]}/{key[1]}")
    open_ = [f for f in findings if f.suppression is None]
    if findings and not open_:
        reasons = "; ".join(dict.fromkeys(xml_text(_waiver(f)) for f in findings))
        ET.SubElement(case, "skipped", message=f"waived: {reasons}").text = _details(run, findings)
        return case, "skipped"
    if not findings:
        if outcome == "skip":
            ET.SubElement(case, "skipped")
            return case, "skipped"
        if outcome in (None, "pass"):
            return case, None
        # The rule failed here but its findings were left out of the report (e.g. a baseline).
        ET.SubElement(case, "failure", message=f"outcome: {outcome}", type=outcome)
        return case, "failures"
    first = open_[0]
    message = xml_text(run.message(first))
    if len(open_) > 1:
        message = f"{len(open_)} findings; first: {message}"
    text = _details(run, findings)
    if outcome == "error" or any(f.outcome == "error" for f in open_):
        ET.SubElement(case, "error", message=message, type=first.severity).text = text
        return case, "errors"
    kind = "missing" if all(f.outcome == "missing" for f in open_) else first.severity
    ET.SubElement(case, "failure", message=message, type=kind).text = text
    return case, "failures"


def _waiver(f: Finding) -> str:
    return f.suppression.reason if f.suppression is not None else ""


def _details(run: RunResult, findings: Sequence[Finding]) -> str:
    """Every finding of the rule on its own line: where, severity, message (and its waiver)."""
    lines = []
    for f in findings:
        where = workdir_relative(f.file)
        if f.line:
            where += f":{location(f)}"
        line = f"{where}: {f.severity}: {run.message(f)}"
        if f.pointer:
            line += f" (at {f.pointer})"
        if f.suppression is not None:
            line += f" [waived: {f.suppression.reason}]"
        lines.append(line)
    return xml_text("\n".join(lines))
