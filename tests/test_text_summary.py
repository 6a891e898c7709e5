"""The text format's summary line: counts of files, or of records and contract files."""

from __future__ import annotations

import checker
from checker.models import Finding, Report, ToolInfo, summarise
from checker.report import RunResult, text
from checker.runner import FileResult


def _finding(file: str, severity: str, record: str | None = None) -> Finding:
    return Finding(
        file=file, record=record, pack="p", rule="r", severity=severity, outcome="fail", message="m"
    )  # type: ignore[arg-type]


def _summary(findings: list[Finding], files: int, records: int | None, lang: str) -> str:
    summary = summarise(findings, files, 3)
    if records is not None:
        summary = summary.model_copy(update={"records": records})
    report = Report(tool=ToolInfo(version=checker.__version__), findings=findings, summary=summary)
    results = [FileResult(f.file, [f], [], record=f.record) for f in findings]
    return text.render(RunResult(results, report, lang)).splitlines()[-1]


def test_file_counts_in_english_and_chinese() -> None:
    one = [_finding("a.yaml", "error")]
    assert (
        _summary(one, 2, None, "en")
        == "✖ 1 finding (1 error, 0 warnings, 0 info) in 1 of 2 files (3 rules)"
    )
    assert _summary([], 1, None, "en") == "✔ no findings in 1 file (3 rules)"
    assert (
        _summary(one, 2, None, "zh")
        == "✖ 1 个问题（错误 1，警告 0，提示 0），涉及 1/2 个文件，3 条规则"
    )
    assert _summary([], 2, None, "zh") == "✔ 未发现问题（2 个文件，3 条规则）"


def test_record_counts_name_records_and_any_contract_files() -> None:
    found = [
        _finding("r.jsonl", "warning", record="R1"),
        _finding("r.jsonl", "warning", record="R2"),
        _finding("c.yaml", "info"),
    ]
    assert _summary(found, 2, 5, "en") == (
        "✖ 3 findings (0 errors, 2 warnings, 1 info) in 2 of 5 records and 1 of 2 files (3 rules)"
    )
    assert _summary(found[:1], 0, 1, "en") == (
        "✖ 1 finding (0 errors, 1 warning, 0 info) in 1 of 1 record (3 rules)"
    )
    assert _summary([], 0, 1, "en") == "✔ no findings in 1 record (3 rules)"
    assert _summary([], 2, 4, "en") == "✔ no findings in 4 records and 2 files (3 rules)"
    assert _summary(found, 2, 5, "zh") == (
        "✖ 3 个问题（错误 0，警告 2，提示 1），涉及 2/5 条记录、1/2 个文件，3 条规则"
    )
    assert _summary([], 0, 4, "zh") == "✔ 未发现问题（4 条记录，3 条规则）"
