"""Document positions in every output format: lines and columns, .docx paragraphs, long lines."""

from __future__ import annotations

import json
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import clirun
import jsonschema
import pytest
from clirun import THIS_TREE

from checker.packs.packschema import FINDINGS_SCHEMA
from checker.report.text import WINDOW, window

ROOT = Path(__file__).resolve().parent.parent
DOCX = ROOT / "examples" / "documents" / "defects" / "d-placeholder-left.docx"


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return clirun.cli(
        "check",
        "--no-config",
        "--pack",
        "document",
        *args,
        cwd=cwd,
        env=THIS_TREE | {"NO_COLOR": "1"},
    )


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _docx(fmt: str) -> str:
    r = cli(str(DOCX.relative_to(ROOT)), "--format", fmt)
    assert r.returncode == 1, r.stderr
    return r.stdout


def test_text_shows_the_paragraph_and_the_offset_of_a_docx_finding() -> None:
    out = _docx("text").splitlines()
    head = next(i for i, line in enumerate(out) if line.endswith("document/placeholder-left"))
    assert out[head].startswith("  ¶19:11 ")
    assert out[head + 1].startswith("   ¶19 │ 乙方应在本合同签订后[X]个工作日内提交")
    prefix = out[head + 1].split("│ ", 1)[1][:10]  # the characters before the blank
    assert out[head + 2] == "       │ " + " " * _width(prefix) + "^"


def test_json_carries_the_location_kind_and_stays_valid() -> None:
    doc = json.loads(_docx("json"))
    (finding,) = doc["findings"]
    assert (finding["line"], finding["column"], finding["location_kind"]) == (
        19,
        11,
        "docx-paragraph",
    )
    jsonschema.validate(doc, FINDINGS_SCHEMA)


def test_sarif_start_line_is_the_paragraph_with_its_kind(sarif_schema: dict[str, Any]) -> None:
    doc = json.loads(_docx("sarif"))
    jsonschema.validate(doc, sarif_schema)
    (result,) = doc["runs"][0]["results"]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region == {
        "startLine": 19,
        "startColumn": 11,
        "properties": {"locationKind": "docx-paragraph"},
    }


def test_junit_markdown_and_github_name_the_paragraph() -> None:
    assert "d-placeholder-left.docx:¶19:11: error:" in _docx("junit")
    assert "| ¶19:11 | " in _docx("markdown")
    github = _docx("github").splitlines()[0]
    assert github.startswith(
        "::error file=examples/documents/defects/d-placeholder-left.docx,"
        "title=document/placeholder-left::¶19:11 Placeholder"
    )
    assert "line=" not in github


def test_markdown_and_text_files_keep_lines_and_columns() -> None:
    md = DOCX.with_suffix(".md")
    doc = json.loads(cli(str(md.relative_to(ROOT)), "--format", "json").stdout)
    assert [(f["line"], f["column"]) for f in doc["findings"]] == [(30, 15)]
    assert "location_kind" not in doc["findings"][0]
    sarif = json.loads(cli(str(md.relative_to(ROOT)), "--format", "sarif").stdout)
    region = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 30, "startColumn": 15}


@pytest.mark.parametrize("column", [1, 25, 150, 290, 300])
def test_a_long_line_is_shown_as_a_window_with_the_caret_under_the_column(column: int) -> None:
    line = "".join(chr(0x4E00 + i) for i in range(300))  # 300 distinct wide characters
    shown, pad = window(line, column)
    assert len(shown) <= WINDOW + 2  # the window and its `…` marks
    at = shown.index(line[column - 1])  # the character the finding is at
    assert pad == _width(shown[:at])
    assert shown.startswith("…") == (column > WINDOW // 2 + 1)
    assert shown.endswith("…") == (column < 300 - WINDOW // 2)


def test_a_short_line_is_shown_whole() -> None:
    assert window("甲方：XX公司", 4) == ("甲方：XX公司", 6)


def test_text_output_of_a_scraped_line_never_shows_the_whole_line(tmp_path: Path) -> None:
    draft = tmp_path / "scraped.txt"
    draft.write_text("服务合同" + "甲方应按约定支付服务费用。" * 800 + "[X]" + "。" * 5000, "utf-8")
    r = cli(str(draft))
    assert r.returncode == 1
    source = [line for line in r.stdout.splitlines() if "│" in line]
    assert source and all(len(line) < 100 for line in source)
    caret = source[1].split("│ ", 1)[1]
    shown = source[0].split("│ ", 1)[1]
    assert shown[len(shown[: shown.index("[X]")]) :].startswith("[X]")
    assert len(caret) - 1 == _width(shown[: shown.index("[X]")])


def test_junit_says_why_a_rule_was_skipped_on_a_file() -> None:
    files = ["examples/c1-customer-acquisition.yaml", DOCX.with_suffix(".md").relative_to(ROOT)]
    r = clirun.cli("check", "--no-config", "--format", "junit", *map(str, files), env=THIS_TREE)
    yaml_suite, md_suite = r.stdout.split("<testsuite ")[1:]
    # the default packs: the document pack runs on documents only, the others skip there
    assert '<skipped message="not a document"' not in yaml_suite
    assert "document/placeholder-left" not in yaml_suite
    assert (
        '<testcase classname="examples/documents/defects/d-placeholder-left.md" '
        'name="drafting/uscc-check-character-valid">\n'
        '      <skipped message="no contract data: the document has no front matter"'
    ) in md_suite


def test_junit_marks_document_rules_on_yaml_as_not_a_document() -> None:
    yaml_file = "examples/c1-customer-acquisition.yaml"
    out = cli(yaml_file, "--pack", "drafting", "--format", "junit").stdout
    assert out.count('<skipped message="not a document" />') == 10
