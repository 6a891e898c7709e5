"""The CI output formats (SARIF, JUnit, GitHub annotations, Markdown) on real checker runs."""

from __future__ import annotations

import datetime as dt
import json
import os
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import checker
from checker.models import Finding, Report, Suppression, ToolInfo, fingerprint, summarise
from checker.report import RunResult, github, junit, markdown, sarif
from checker.runner import FileResult, check_file

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
TODAY = dt.date(2025, 6, 1)
CONTRACTS = (
    "tests/fixtures/contracts/bad.yaml",
    "tests/fixtures/contracts/broken.json",
    "tests/fixtures/contracts/good.yaml",
)
WAIVER = Suppression(reason="fee agreed by email", approver="legal@acme", expires="2025-12-31")


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Outputs name files relative to the working directory: run where the fixtures are."""
    monkeypatch.chdir(ROOT)


def golden(name: str, actual: str) -> None:
    """Compare with tests/golden/NAME; UPDATE_GOLDEN=1 rewrites the file instead."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")


def build(files: list[FileResult], lang: str = "en", rules: int = 4) -> RunResult:
    findings = [f for fr in files for f in fr.findings]
    report = Report(
        tool=ToolInfo(version=checker.__version__),
        findings=findings,
        summary=summarise(findings, len(files), rules),
    )
    return RunResult(files, report, lang, [checker.load_pack("tests/fixtures/acme")])


def make_run(lang: str = "en", paths: Sequence[str] = CONTRACTS) -> RunResult:
    """The fixture contracts checked with the acme pack; fee-stated on bad.yaml is waived."""
    pack = checker.load_pack("tests/fixtures/acme")
    files = [check_file(Path(p), [pack], TODAY) for p in paths]
    for fr in files:
        fr.findings = [
            f.model_copy(update={"suppression": WAIVER}) if f.rule == "fee-stated" else f
            for f in fr.findings
        ]
    return build(files, lang)


def synthetic(*findings: Finding, outcomes: dict[tuple[str, str], str] | None = None) -> RunResult:
    files: dict[str, FileResult] = {}
    for f in findings:
        fr = files.setdefault(f.file, FileResult(f.file, [], [], dict(outcomes or {})))
        fr.findings.append(f)
    return build(list(files.values()))


def finding(message: str = "m", **kw: Any) -> Finding:
    base: dict[str, Any] = dict(file="c.yaml", line=2, column=3, pointer="/a", pack="acme")
    base |= dict(rule="percent-100", severity="error", outcome="fail", message=message)
    return Finding(**(base | kw))


# -- SARIF ----------------------------------------------------------------------------------


def test_sarif_is_valid_against_the_oasis_schema(sarif_schema: dict[str, Any]) -> None:
    schema = sarif_schema
    for run in (make_run(), make_run("zh"), synthetic(finding(line=None, column=None))):
        jsonschema.Draft4Validator(schema).validate(json.loads(sarif.render(run)))


def test_sarif_golden() -> None:
    golden("format-check.sarif", sarif.render(make_run()))


def test_sarif_rules_results_fingerprints_and_suppressions() -> None:
    run = make_run()
    doc = json.loads(sarif.render(run))
    assert (doc["$schema"].endswith("sarif-schema-2.1.0.json"), doc["version"]) == (True, "2.1.0")
    (out,) = doc["runs"]
    driver = out["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("contract-checker", checker.__version__)
    rules = [(r["id"], r["defaultConfiguration"]["level"]) for r in driver["rules"]]
    assert rules == [
        ("acme/percent-100", "error"),
        ("acme/amount-positive", "warning"),
        ("acme/term-long-enough", "error"),
        ("acme/fee-stated", "note"),
        ("contract-checker/contract-schema", "error"),
        ("contract-checker/unreadable-contract", "error"),
        ("contract-checker/unreadable-value", "error"),
    ]
    assert driver["rules"][0]["help"]["markdown"].endswith("Basis:\n\n- 民法典 art. 510 (statute)")
    assert driver["rules"][0]["shortDescription"] == {"text": "Installments add up to 100%"}
    results = out["results"]
    got = [
        (
            r["ruleId"],
            driver["rules"][r["ruleIndex"]]["id"],
            r["level"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"],
            r["partialFingerprints"]["contractChecker/v1"],
        )
        for r in results
    ]
    bad, broken = CONTRACTS[0], CONTRACTS[1]
    assert got == [
        ("acme/percent-100", "acme/percent-100", "error", bad, {"startLine": 3, "startColumn": 5}, "140b4a033c07e2305a205f4c5f97bd06"),
        ("acme/amount-positive", "acme/amount-positive", "warning", bad, {"startLine": 6, "startColumn": 15}, "9bdaae19a3cf560fd9d803cad1faec18"),
        ("contract-checker/unreadable-value", "contract-checker/unreadable-value", "error", bad, {"startLine": 6, "startColumn": 15}, "9ad476868b85fc5bbcad5d8d4ef42d9f"),
        ("acme/term-long-enough", "acme/term-long-enough", "error", bad, {"startLine": 7, "startColumn": 7}, "bf4a007569692ac9245c3480d12c3b9d"),
        ("acme/fee-stated", "acme/fee-stated", "note", bad, {"startLine": 9, "startColumn": 3}, "70ee8baf0a6077335299bb9f0a44a448"),
        ("contract-checker/contract-schema", "contract-checker/contract-schema", "error", bad, {"startLine": 9, "startColumn": 3}, "07ae2b4af5606dcc45c6e9308fe00631"),
        ("contract-checker/unreadable-contract", "contract-checker/unreadable-contract", "error", broken, {"startLine": 1, "startColumn": 35}, "2471ff552c0f4ce06577c18ada24c5e0"),
    ]  # fmt: skip
    assert [g[-1] for g in got] == [fingerprint(f) for f in run.report.findings]
    assert all(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        for r in results
    )
    assert results[0]["locations"][0]["logicalLocations"] == [
        {"name": "installments", "fullyQualifiedName": "/payment/installments", "kind": "property"}
    ]
    assert results[0]["properties"] == {
        "outcome": "fail",
        "values": {"total_percent": 90},
        "refs": ["民法典 art. 510 (statute)"],
    }
    assert [r.get("suppressions") for r in results] == [None] * 4 + [
        [
            {
                "kind": "external",
                "status": "accepted",
                "justification": "fee agreed by email",
                "properties": {"approver": "legal@acme", "expires": "2025-12-31"},
            }
        ]
    ] + [None] * 2
    assert out["invocations"] == [{"executionSuccessful": True}]
    assert tuple(a["location"]["uri"] for a in out["artifacts"]) == CONTRACTS
    assert str(ROOT) not in json.dumps(doc, ensure_ascii=False)


ORIGINAL = """\
payment:
  installments:
    - {percent: 30, amount: CNY 30000}
    - {percent: 60, amount: CNY 0}
term: 1年
fee: {total: CNY 100}
"""
REFORMATTED = """\
# the same contract: keys reordered, blank lines, block style

fee:
  total: CNY 100


term: 1年

payment:

  installments:
    - amount: CNY 30000
      percent: 30

    - amount: CNY 0
      percent: 60
"""
OTHER_ELEMENT = """\
payment:
  installments:
    - {percent: 30, amount: CNY 0}
    - {percent: 60, amount: CNY 1}
term: 1年
fee: {total: CNY 100}
"""


def _fingerprints(tmp_path: Path, text: str) -> dict[str, tuple[str, int]]:
    path = tmp_path / "contract.yaml"
    path.write_text(text, encoding="utf-8")
    pack = checker.load_pack("tests/fixtures/acme")
    run = build([check_file(path, [pack], TODAY, display_name="drafts/acme.yaml")])
    results = json.loads(sarif.render(run))["runs"][0]["results"]
    return {
        r["ruleId"]: (
            r["partialFingerprints"]["contractChecker/v1"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in results
    }


def test_fingerprints_survive_reformatting_but_not_another_pointer(tmp_path: Path) -> None:
    before = _fingerprints(tmp_path, ORIGINAL)
    after = _fingerprints(tmp_path, REFORMATTED)
    assert sorted(before) == ["acme/amount-positive", "acme/percent-100", "acme/term-long-enough"]
    assert {k: v[0] for k, v in before.items()} == {k: v[0] for k, v in after.items()}
    assert all(before[k][1] != after[k][1] for k in before)  # every finding moved line
    moved = _fingerprints(tmp_path, OTHER_ELEMENT)
    assert moved["acme/amount-positive"][0] != before["acme/amount-positive"][0]
    assert moved["acme/percent-100"][0] == before["acme/percent-100"][0]


def test_sarif_paths_are_relative_to_the_working_directory(tmp_path: Path) -> None:
    pack = checker.load_pack("tests/fixtures/acme")
    outside = tmp_path / "合同 1.yaml"
    outside.write_text(ORIGINAL, encoding="utf-8")
    files = [check_file(ROOT / CONTRACTS[0], [pack], TODAY), check_file(outside, [pack], TODAY)]
    doc = json.loads(sarif.render(build(files)))
    locations = [a["location"] for a in doc["runs"][0]["artifacts"]]
    assert locations[0] == {"uri": CONTRACTS[0], "uriBaseId": "%SRCROOT%"}
    assert locations[1] == {"uri": outside.as_uri()}  # outside: an absolute file URI
    assert "%E5%90%88%E5%90%8C%201.yaml" in locations[1]["uri"]
    assert sarif.workdir_relative(str(ROOT / "drafts" / "a.yaml")) == "drafts/a.yaml"
    assert sarif.workdir_relative("./drafts/a.yaml") == "drafts/a.yaml"


# -- JUnit ----------------------------------------------------------------------------------


def test_junit_golden() -> None:
    golden("format-check.xml", junit.render(make_run()))


def test_junit_counts_and_one_case_per_file_and_rule() -> None:
    root = ET.fromstring(junit.render(make_run()))
    counts = ("tests", "failures", "errors", "skipped")
    assert root.tag == "testsuites"
    assert [root.get(k) for k in counts] == ["11", "3", "3", "1"]
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert tuple(suites) == CONTRACTS
    assert {n: [s.get(k) for k in counts] for n, s in suites.items()} == {
        CONTRACTS[0]: ["6", "3", "2", "1"],
        CONTRACTS[1]: ["1", "0", "1", "0"],
        CONTRACTS[2]: ["4", "0", "0", "0"],
    }
    acme = ["acme/percent-100", "acme/amount-positive", "acme/term-long-enough", "acme/fee-stated"]

    def cases(name: str) -> list[tuple[str | None, ...]]:
        """(name, outcome element, its type, its message) of every test case of a suite."""
        out: list[tuple[str | None, ...]] = []
        for case in suites[name].iter("testcase"):
            assert case.get("classname") == name
            child = next(iter(case), None)
            if child is None:
                out.append((case.get("name"), None, None, None))
            else:
                out.append((case.get("name"), child.tag, child.get("type"), child.get("message")))
        return out

    assert [c[:3] for c in cases(CONTRACTS[0])] == [
        ("acme/percent-100", "failure", "error"),
        ("acme/amount-positive", "failure", "missing"),
        ("acme/term-long-enough", "failure", "error"),
        ("acme/fee-stated", "skipped", None),
        ("contract-checker/contract-schema", "error", "error"),
        ("contract-checker/unreadable-value", "error", "error"),
    ]
    assert cases(CONTRACTS[0])[3][3] == "waived: fee agreed by email"
    assert cases(CONTRACTS[0])[0][3] == "Installments add up to 90%, not 100%."
    failure = suites[CONTRACTS[0]].find("testcase/failure")
    assert failure is not None and failure.text == (
        f"{CONTRACTS[0]}:3:5: error: Installments add up to 90%, not 100%. (at /payment/installments)"
    )
    assert [c[:2] for c in cases(CONTRACTS[1])] == [
        ("contract-checker/unreadable-contract", "error")
    ]
    assert cases(CONTRACTS[2]) == [(n, None, None, None) for n in acme]


def test_junit_outcomes_skip_and_error_and_unwritable_characters() -> None:
    f = finding("bad byte \x00 here\nsecond line", outcome="error")
    outcomes = {("acme", "percent-100"): "error", ("acme", "fee-stated"): "skip"}
    root = ET.fromstring(junit.render(synthetic(f, outcomes=outcomes)))
    (error,) = root.iter("error")
    assert error.get("message") == "bad byte \\u0000 here\nsecond line"
    assert [c.tag for c in root.iter() if c.tag in ("error", "failure", "skipped")] == [
        "error",
        "skipped",
    ]
    assert [root.get(k) for k in ("tests", "failures", "errors", "skipped")] == ["2", "0", "1", "1"]


# -- GitHub annotations -----------------------------------------------------------------------


def test_github_golden() -> None:
    golden("format-github.txt", github.render(make_run()))


def test_github_escaping() -> None:
    f = finding("50% done\r\nnext: a, b", file="dir,x/a:b.yaml", severity="warning")
    assert github.annotation(f, f.message) == (
        "::warning file=dir%2Cx/a%3Ab.yaml,line=2,col=3,title=acme/percent-100::"
        "50%25 done%0D%0Anext: a, b"
    )
    assert github.escape_property("a%b\n:,") == "a%25b%0A%3A%2C"
    g = finding("no place", line=None, column=None, severity="info")
    assert (
        github.annotation(g, g.message) == "::notice file=c.yaml,title=acme/percent-100::no place"
    )
    w = finding("waived", suppression=Suppression(reason="ok: agreed"))
    assert github.annotation(w, w.message).endswith("::waived (waived: ok: agreed)")
    assert github.annotation(w, w.message).startswith("::notice ")


def test_github_summary_line() -> None:
    lines = github.render(make_run("zh")).splitlines()
    assert lines[-1] == (
        "contract-checker：7 个问题（错误 5，警告 1，提示 1，已豁免 1），涉及 2/3 个文件，4 条规则"
    )
    assert github.render(make_run(paths=[CONTRACTS[2]])) == (
        "contract-checker: no findings in 1 file (4 rules)\n"
    )


# -- Markdown -------------------------------------------------------------------------------


def test_markdown_golden() -> None:
    golden("format-check.md", markdown.render(make_run()))
    golden("format-check-zh.md", markdown.render(make_run("zh")))


def test_markdown_no_findings() -> None:
    text = markdown.render(make_run(paths=[CONTRACTS[2]]))
    assert text.startswith("## ✅ contract-checker: no findings\n")
    assert "\nNo findings.\n" in text and "| 0 | 0 | 0 | 0 | 1 | 4 |" in text


def test_markdown_escapes_cells_and_folds_long_files() -> None:
    text = markdown.render(synthetic(finding("a | b\nc", rule="x|y")))
    assert "| 2:3 | 🔴 error | `acme/x\\|y` | a \\| b<br>c |" in text
    many = [finding(f"n{i}", line=i + 1) for i in range(51)]
    text = markdown.render(synthetic(*many))
    assert "<details>\n<summary>51 findings</summary>\n\n| Line |" in text
    assert "<details>" not in markdown.render(synthetic(*many[:50]))
    assert markdown.code("a `b` c") == "``a `b` c``"
