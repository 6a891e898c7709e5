"""The example corpus, end to end through the real command line with the built-in packs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
GOLDEN = Path(__file__).resolve().parent / "golden" / "examples-findings.txt"
LOADER_RULES = {
    "duplicate key": "duplicate-key",
    "unreadable value": "unreadable-value",
    "unknown field": "contract-schema",
}


@pytest.fixture(scope="module")
def report() -> dict[str, object]:
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "checker",
            "check",
            "examples",
            "--format",
            "json",
            "--today",
            "2025-06-01",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert r.returncode == 1, r.stderr
    doc: dict[str, object] = json.loads(r.stdout)
    return doc


def by_file(report: dict[str, object]) -> dict[str, list[dict[str, object]]]:
    """Findings by file name; the faithful transcriptions (same names as the corrected
    drafts) have their own test below."""
    out: dict[str, list[dict[str, object]]] = {}
    for f in report["findings"]:  # type: ignore[attr-defined]
        if not f["file"].startswith("examples/faithful/"):
            out.setdefault(Path(f["file"]).name, []).append(f)
    return out


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("c*.yaml")))
def test_good_drafts_have_no_findings(report: dict[str, object], name: str) -> None:
    assert by_file(report).get(name, []) == []


def expected_rules(path: Path) -> set[str]:
    header = "\n".join(
        line for line in path.read_text("utf-8").splitlines() if line.startswith("# RULE:")
    )
    rules = set(re.findall(r"R\d+ ([a-z0-9]+(?:-[a-z0-9]+)+)", header))
    rules |= {rule for words, rule in LOADER_RULES.items() if words in header}
    return rules


@pytest.mark.parametrize(
    "path", sorted((EXAMPLES / "defects").glob("*.yaml")), ids=lambda p: p.name
)
def test_each_defect_draft_reports_its_defect(report: dict[str, object], path: Path) -> None:
    wanted = expected_rules(path)
    assert wanted, f"{path.name} names no rule in its header"
    got = {f["rule"] for f in by_file(report).get(path.name, [])}
    assert wanted <= got, f"{path.name}: expected {sorted(wanted)}, got {sorted(got)}"


@pytest.mark.parametrize("name", sorted(p.name for p in (EXAMPLES / "templates").glob("*.yaml")))
def test_templates_list_their_blanks_as_info(report: dict[str, object], name: str) -> None:
    findings = by_file(report)[name]
    blanks = [f for f in findings if f["rule"] == "template-blanks-listed"]
    assert blanks and all(f["severity"] == "info" for f in blanks)
    assert not [f for f in findings if f["outcome"] in ("missing", "error")]


def test_findings_match_the_reviewed_snapshot(report: dict[str, object]) -> None:
    """Every finding of the corpus (file, line, rule, severity, outcome), reviewed once:
    a change in any rule's behaviour shows up here. UPDATE_GOLDEN=1 rewrites it."""
    lines = [
        f"{f['file']}:{f['line']} {f['pack']}/{f['rule']} {f['severity']} {f['outcome']}"
        for f in report["findings"]
    ]  # type: ignore[attr-defined]
    text = "\n".join(lines) + "\n"
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text("utf-8")


def test_builtin_pack_tests_pass() -> None:
    r = subprocess.run(
        [sys.executable, "-m", "checker", "test"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert r.returncode == 0, r.stdout
    last = r.stdout.strip().splitlines()[-1]
    assert re.match(r"\d+ passed, 0 failed in ", last), last
    assert int(last.split()[0]) >= 70


def faithful_expected() -> dict[str, set[tuple[str, str, int]]]:
    """examples/faithful/EXPECTED.md as {file: {(rule, severity, line)}}: one `## \\`file\\``
    heading per transcription, one table row per rule with its lines (`a, b` or `a-b`)."""
    out: dict[str, set[tuple[str, str, int]]] = {}
    name = ""
    for line in (EXAMPLES / "faithful" / "EXPECTED.md").read_text("utf-8").splitlines():
        heading = re.match(r"## `([^`]+)`", line)
        if heading:
            name = heading.group(1)
            out[name] = set()
        row = re.match(r"\| `([a-z0-9-]+)` \| (error|warning|info) \| ([0-9, -]+) \|", line)
        if row:
            rule, severity, spec = row.groups()
            for part in spec.split(","):
                lo, _, hi = part.strip().partition("-")
                for n in range(int(lo), int(hi or lo) + 1):
                    out[name].add((rule, severity, n))
    return out


def test_faithful_transcriptions_report_exactly_what_a_lawyer_expects(
    report: dict[str, object],
) -> None:
    """The seeds as written: their real defects are found, no more and no fewer."""
    expected = faithful_expected()
    assert sorted(expected) == sorted(p.name for p in (EXAMPLES / "faithful").glob("*.yaml"))
    for name, wanted in expected.items():
        got = {
            (f["rule"], f["severity"], f["line"])
            for f in report["findings"]  # type: ignore[attr-defined]
            if f["file"] == f"examples/faithful/{name}"
        }
        assert got == wanted, (
            f"{name}: unexpected {sorted(got - wanted)}; not reported {sorted(wanted - got)}"
        )
