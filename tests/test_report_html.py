"""The HTML report and `report FINDINGS.json`: self-contained page, escaping, counts, spans,
and a saved JSON report rendered again exactly as the run rendered it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from clirun import cli

import checker
from checker.models import Finding, Ref, Report, Suppression, ToolInfo, summarise
from checker.packs.packschema import FINDINGS_SCHEMA
from checker.report import RunResult, html
from checker.report.sources import Source, Sources, gather
from checker.runner import FileResult

PACK = "tests/fixtures/acme"
CONTRACTS = "tests/fixtures/contracts"


def finding(**kw: Any) -> Finding:
    base: dict[str, Any] = dict(file="c.yaml", line=2, column=3, pointer="/a", pack="acme")
    base |= dict(rule="percent-100", severity="error", outcome="fail", message="m")
    return Finding(**(base | kw))


def run_of(*findings: Finding, lines: list[str] | None = None, baselined: int = 0) -> RunResult:
    files: dict[str, FileResult] = {}
    for f in findings:
        files.setdefault(f.file, FileResult(f.file, [], lines or [])).findings.append(f)
    report = Report(
        tool=ToolInfo(version=checker.__version__),
        findings=list(findings),
        summary=summarise(list(findings), len(files), 4, baselined=baselined),
    )
    return RunResult(list(files.values()), report)


def data_block(page: str) -> dict[str, Any]:
    m = re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.S)
    assert m
    parsed: dict[str, Any] = json.loads(m.group(1))
    return parsed


def test_the_page_is_self_contained_and_may_run_only_its_own_script() -> None:
    page = html.render(
        run_of(finding(refs=[Ref(law="民法典", article="510", url="https://x.cn/510")]))
    )
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=\"?(https?:)?//", page)
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert csp and "default-src 'none'" in csp.group(1)
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(scripts) == 1
    import base64
    import hashlib

    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp.group(1)


def test_contract_text_is_never_markup() -> None:
    evil = "</script><img src=x onerror=alert(1)>"
    page = html.render(
        run_of(finding(file=f"{evil}.yaml", message=evil, values={evil: evil}), lines=["a", evil])
    )
    assert "<img" not in page and "</script><" not in page
    data = data_block(page)
    assert data["items"][0]["msg"] == evil  # the script shows it, as text
    assert data["files"][0]["lines"]["2"] == evil
    assert "&lt;/script&gt;&lt;img src=x" in page  # the file filter's option, escaped


def test_a_javascript_url_in_a_pack_is_not_a_link() -> None:
    refs = [Ref(text="see", url="javascript:alert(1)"), Ref(law="L", url="http://ok.example/")]
    data = data_block(html.render(run_of(finding(refs=refs))))
    assert data["items"][0]["refs"] == [
        {"text": "see", "url": ""},
        {"text": "L", "url": "http://ok.example/"},
    ]


def test_summary_counts_waived_and_baselined_findings_apart() -> None:
    waived = Suppression(reason="agreed")
    run = run_of(
        finding(),
        finding(rule="other", severity="warning"),
        finding(pack="p2", rule="x", severity="warning", suppression=waived),
        baselined=5,
    )
    page = html.render(run)
    counts = dict(re.findall(r'<dd id="count-(\w+)">(\d+)</dd>', page))
    assert counts == {"files": "1", "open": "2", "waived": "1", "baselined": "5"}
    # Charts count the open findings only: acme 2, p2 none.
    pack_chart = page[page.index('id="chart-pack"') : page.index('id="chart-rule"')]
    assert re.findall(r"<title>(.*?)</title>", pack_chart) == ["acme: 2"]
    assert 'class="verdict verdict-error"' in page


def test_messages_and_words_follow_the_language() -> None:
    run = run_of(finding(message="english", message_zh="中文说明"))
    zh = html.render(RunResult(run.files, run.report, "zh"))
    assert '<html lang="zh-CN">' in zh and "合同审查报告" in zh
    assert data_block(zh)["items"][0]["msg"] == "中文说明"
    assert data_block(html.render(run))["items"][0]["msg"] == "english"


@pytest.mark.parametrize(
    ("line", "column", "fmt", "span"),
    [
        ("  name: 'it''s' # note", 9, "yaml", "'it''s'"),
        ("  name: plain value  # note", 9, "yaml", "plain value"),
        ("  list: [1, [2, 3]] # c", 9, "yaml", "[1, [2, 3]]"),
        ('  "a": "x\\"y", "b": 2', 8, "json", '"x\\"y"'),
        ('  "b": 22, "c": 3', 8, "json", "22"),
        ("    - percent: 30", 5, "yaml", "- percent: 30"),
    ],
)
def test_the_span_of_a_data_finding_is_its_value(
    line: str, column: int, fmt: str, span: str
) -> None:
    f = finding(file=f"c.{fmt}", line=1, column=column)
    end = gather(run_of(f, lines=[line])).end(0)
    assert end is not None and line[column - 1 : end - 1] == span


def test_a_document_finding_spans_its_model_item(tmp_path: Path) -> None:
    doc = tmp_path / "draft.md"
    doc.write_text("# 合同\n\n甲方应于____年前付款。\n", encoding="utf-8")
    from checker.inputs.document import read_document

    data = read_document(doc).data
    assert data is not None and data["document"]["blanks"][0]["text"] == "____"
    f = finding(file=str(doc), line=3, column=5, pointer="/document/blanks/0")
    sources = gather(run_of(f))
    assert sources.end(0) == 9
    assert sources.files[str(doc)] == Source(
        "md", {1: "# 合同", 2: "", 3: "甲方应于____年前付款。"}, True
    )


def test_check_html_and_report_of_its_json_are_the_same_page(tmp_path: Path) -> None:
    """CI keeps one JSON report; `report` renders the page (and Markdown) it would have made."""
    r = cli(
        "check",
        CONTRACTS,
        "--pack",
        PACK,
        "--today",
        "2025-06-01",
        "--format",
        f"html:{tmp_path / 'a.html'}",
        "--format",
        f"json:{tmp_path / 'r.json'}",
        "--format",
        f"markdown:{tmp_path / 'a.md'}",
    )
    assert r.returncode == 1, r.stderr
    saved = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(FINDINGS_SCHEMA).validate(saved)
    r = cli(
        "report",
        str(tmp_path / "r.json"),
        "--format",
        f"html:{tmp_path / 'b.html'}",
        "--format",
        f"markdown:{tmp_path / 'b.md'}",
    )
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    assert (tmp_path / "b.html").read_text("utf-8") == (tmp_path / "a.html").read_text("utf-8")
    assert (tmp_path / "b.md").read_text("utf-8") == (tmp_path / "a.md").read_text("utf-8")
    # One format without a path goes to standard output, like `check`.
    r = cli("report", str(tmp_path / "r.json"), "--format", "sarif")
    assert r.returncode == 0 and json.loads(r.stdout)["version"] == "2.1.0"


def test_report_of_a_file_that_is_not_a_report_says_where(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    summary = '{"files": 1, "rules": 1, "findings": 1, "by_severity": {"error": 1, "warning": 0, "info": 0}, "by_outcome": {"fail": 1, "missing": 0, "error": 0}}'
    bad.write_text(
        '{"version": 1,\n "tool": {"name": "contract-checker", "version": "1"},\n'
        f' "summary": {summary},\n "findings": [{{"file": 3}}]}}',
        encoding="utf-8",
    )
    r = cli("report", str(bad), "--format", "html")
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr.startswith(f"contract-checker: {bad}:4:")
    assert "not a contract-checker JSON report (at findings/0" in r.stderr
    bad.write_text("{\n  oops", encoding="utf-8")
    r = cli("report", str(bad))
    assert (r.returncode, r.stderr) == (
        2,
        f"contract-checker: {bad}:2:3: not JSON: Expecting property name enclosed in double quotes\n",
    )
    r = cli("report", str(bad), "--format", "docx:x.docx")
    assert r.returncode == 2 and "cannot make a Word review copy" in r.stderr


def test_the_baseline_count_is_reported(tmp_path: Path) -> None:
    base = tmp_path / "base.json"
    cli("check", CONTRACTS, "--pack", PACK, "--write-baseline", str(base), "--format", "json")
    r = cli("check", CONTRACTS, "--pack", PACK, "--baseline", str(base), "--format", "json")
    doc = json.loads(r.stdout)
    assert (r.returncode, doc["findings"], doc["summary"]["baselined"]) == (0, [], 7)


def test_saved_sources_are_used_as_saved() -> None:
    run = run_of(finding(line=1, column=1))
    saved = RunResult(
        run.files, run.report, sources=Sources({"c.yaml": Source("yaml", {1: "x: 1"})}, [4])
    )
    data = data_block(html.render(saved))
    assert (data["files"][0]["lines"], data["items"][0]["end"]) == ({"1": "x: 1"}, 4)
