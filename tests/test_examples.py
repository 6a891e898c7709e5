"""The example corpus, end to end through the real command line with the built-in packs."""

from __future__ import annotations

import importlib.util
import json
import os
import re
from pathlib import Path

import pytest
import yaml
from clirun import cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
GOLDEN = Path(__file__).resolve().parent / "golden" / "examples-findings.txt"
LOADER_RULES = {
    "duplicate key": "duplicate-key",
    "unreadable value": "unreadable-value",
    "unknown field": "contract-schema",
}


def _check(*args: str) -> dict[str, object]:
    r = cli("check", *args, "--format", "json", "--today", "2025-06-01")
    assert r.returncode == 1, r.stderr
    doc: dict[str, object] = json.loads(r.stdout)
    return doc


@pytest.fixture(scope="module")
def report() -> dict[str, object]:
    """The YAML corpus (a folder scan reads no documents: EXPECTED.md is no contract), then
    the document twins read as documents."""
    doc = _check("examples")
    documents = _check("examples/documents", "--documents")
    doc["findings"] = [*doc["findings"], *documents["findings"]]  # type: ignore[misc]
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
    r = cli("test")
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


DOCUMENTS = EXAMPLES / "documents"
TWINS = sorted(p.stem for p in DOCUMENTS.glob("c*.md"))
DEFECT_DOCUMENTS = sorted((DOCUMENTS / "defects").glob("*.md"))


def test_every_example_draft_has_a_document_twin() -> None:
    assert sorted(p.stem for p in EXAMPLES.glob("c*.yaml")) == TWINS
    assert all((DOCUMENTS / f"{name}.docx").is_file() for name in TWINS)
    rules = {p.stem.removeprefix("d-") for p in DEFECT_DOCUMENTS}
    pack = yaml.safe_load((ROOT / "rules" / "document" / "pack.yaml").read_text("utf-8"))
    assert rules == {r["id"] for r in pack["rules"]}  # one planted defect per rule


@pytest.mark.parametrize("name", TWINS)
def test_a_twins_front_matter_is_its_yaml_draft(name: str) -> None:
    text = (DOCUMENTS / f"{name}.md").read_text("utf-8")
    front = text.split("\n---\n", 1)[0].removeprefix("---\n")
    yaml_data = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text("utf-8"))
    assert yaml.safe_load(front) == yaml_data


@pytest.mark.parametrize("name", [f"{n}.{ext}" for n in TWINS for ext in ("md", "docx")])
def test_clean_documents_have_no_findings(report: dict[str, object], name: str) -> None:
    assert by_file(report).get(name, []) == []


@pytest.mark.parametrize("path", DEFECT_DOCUMENTS, ids=lambda p: p.name)
def test_each_planted_defect_is_reported_at_its_line(report: dict[str, object], path: Path) -> None:
    m = re.match(r"<!-- DEFECT: (\S+) at line (\d+):", path.read_text("utf-8"))
    assert m is not None, f"{path.name} does not say its defect"
    got = [(f["rule"], f["line"]) for f in by_file(report).get(path.name, [])]
    assert got == [(m[1], int(m[2]))]


@pytest.mark.parametrize("path", DEFECT_DOCUMENTS, ids=lambda p: p.name)
def test_docx_twins_give_the_same_findings_at_paragraphs(
    report: dict[str, object], path: Path
) -> None:
    md = by_file(report).get(path.name, [])
    docx = by_file(report).get(path.with_suffix(".docx").name, [])
    assert [(f["rule"], f["message"]) for f in docx] == [(f["rule"], f["message"]) for f in md]
    assert all(f["location_kind"] == "docx-paragraph" for f in docx)
    assert all("location_kind" not in f for f in md)


def test_docx_twins_are_what_make_docx_makes() -> None:
    """The .docx files are generated (never edited by hand) and reproducible."""
    spec = importlib.util.spec_from_file_location("make_docx", DOCUMENTS / "make_docx.py")
    assert spec is not None and spec.loader is not None
    make_docx = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_docx)
    for md in sorted(DOCUMENTS.glob("*.md")) + DEFECT_DOCUMENTS:
        made = make_docx.to_docx(md.read_text("utf-8"))
        assert made == md.with_suffix(".docx").read_bytes(), f"{md.name}: run make_docx.py"
