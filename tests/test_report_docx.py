"""The Word review copy (--format docx): one comment per finding at its text, the draft unchanged."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import docx
import pytest
from clirun import cli
from docx.oxml.ns import qn
from docx.shared import Pt

import checker
from checker.inputs.document import read_document
from checker.models import Finding, Ref, Report, Suppression, ToolInfo, summarise
from checker.outputs import OutputError
from checker.report import RunResult
from checker.report.docx_format import AUTHOR, render, review_copy
from checker.runner import FileResult

ROOT = Path(__file__).resolve().parent.parent
ON_CI = os.environ.get("CI") == "true"
TITLE = "技术服务合同"
BODY = "甲方应于____年前向乙方支付服务费人民币100,000元。"


def build_draft(path: Path) -> Path:
    """A draft with a title, a paragraph in three runs (the middle one bold), a table and a
    header: paragraph numbers count body, table cells, then the header."""
    doc = docx.Document()
    doc.sections[0].header.paragraphs[0].text = "机密 · 草稿"
    doc.add_paragraph(TITLE, style="Title")
    p = doc.add_paragraph()
    p.add_run("甲方应于")
    bold = p.add_run("____")
    bold.bold = True
    bold.font.size = Pt(14)
    p.add_run("年前向乙方支付服务费人民币100,000元。")
    table = doc.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "保密期限"
    table.cell(0, 1).text = "一年"
    doc.add_paragraph("第三条 争议解决")
    doc.save(str(path))
    return path


def finding(file: Path, line: int | None, column: int | None, rule: str, **kw: Any) -> Finding:
    return Finding(
        file=str(file),
        line=line,
        column=column,
        pack="document",
        rule=rule,
        severity=kw.pop("severity", "error"),
        outcome="fail",
        message=kw.pop("message", f"message of {rule}"),
        **kw,
    )


def run_of(findings: list[Finding], files: list[str], lang: str = "en") -> RunResult:
    report = Report(
        tool=ToolInfo(version=checker.__version__),
        findings=findings,
        summary=summarise(findings, len(files), 10),
    )
    return RunResult(
        [FileResult(f, [x for x in findings if x.file == f], []) for f in files], report, lang
    )


def anchors(data: bytes) -> dict[str, str]:
    """Each comment's text (its paragraphs joined by `|`) → the document text it spans."""
    doc = docx.Document(io.BytesIO(data))
    texts = {c.comment_id: "|".join(p.text for p in c.paragraphs) for c in doc.comments}
    assert all(c.author == AUTHOR for c in doc.comments)
    open_: dict[int, list[str]] = {}
    spans: dict[int, str] = {}
    for el in doc.element.body.iter():
        if el.tag == qn("w:commentRangeStart"):
            open_[int(el.get(qn("w:id")))] = []
        elif el.tag == qn("w:commentRangeEnd"):
            cid = int(el.get(qn("w:id")))
            spans[cid] = "".join(open_.pop(cid))
        elif el.tag == qn("w:t"):
            for parts in open_.values():
                parts.append(el.text or "")
    assert not open_, "every comment range is closed"
    return {texts[cid]: spans[cid] for cid in texts}


def test_each_finding_is_a_comment_at_its_exact_text(tmp_path: Path) -> None:
    draft = build_draft(tmp_path / "draft.docx")
    body = 2  # paragraph 1 is the title
    findings = [
        # "____" is a whole run (bold); "服务费" sits inside the third run; the amount spans
        # from the third run's middle to its end; "应于____年" crosses three runs.
        finding(draft, body, BODY.index("____") + 1, "placeholder-left", message="blank left"),
        finding(draft, body, BODY.index("服务费") + 1, "fee", message="fee term"),
        finding(draft, body, BODY.index("人民币") + 1, "amount", message="amount"),
        finding(draft, body, BODY.index("应于") + 1, "span", message="across runs"),
        finding(draft, 4, 1, "table-cell", message="one year is short"),  # the table's 2nd cell
    ]
    ends = [
        BODY.index("____") + 5,
        BODY.index("服务费") + 4,
        len(BODY),  # up to but not including "。"
        BODY.index("年") + 2,
        3,
    ]
    out = review_copy(draft.read_bytes(), findings, ends, lambda f: f.message)
    got = anchors(out)
    assert got == {
        "Error: blank left|document/placeholder-left": "____",
        "Error: fee term|document/fee": "服务费",
        "Error: amount|document/amount": "人民币100,000元",
        "Error: across runs|document/span": "应于____年",
        "Error: one year is short|document/table-cell": "一年",
    }


def test_control_characters_in_a_message_or_waiver_are_escaped_not_a_crash(
    tmp_path: Path,
) -> None:
    # A pack's message (YAML "\e") or a waiver's reason can hold what XML cannot.
    draft = build_draft(tmp_path / "draft.docx")
    waiver = Suppression(reason="ok\x00")
    findings = [
        finding(draft, 2, 1, "esc", message="red \x1b[31m!\x08"),
        finding(draft, 2, 3, "waived", suppression=waiver),
    ]
    got = anchors(review_copy(draft.read_bytes(), findings, [2, 4], lambda f: f.message))
    assert set(got) == {
        "Error: red \\u001b[31m!\\u0008|document/esc",
        "Error: message of waived|document/waived|Waived: ok\\u0000",
    }


def test_the_contract_text_and_its_formatting_are_unchanged(tmp_path: Path) -> None:
    draft = build_draft(tmp_path / "draft.docx")
    findings = [
        finding(draft, 2, BODY.index("__") + 2, "middle-of-bold-run"),
        finding(draft, 2, 3, "text", message="x"),
    ]
    out = tmp_path / "review.docx"
    out.write_bytes(review_copy(draft.read_bytes(), findings, [BODY.index("__") + 4, 9], str))
    before, after = read_document(draft), read_document(out)
    assert after.lines == before.lines  # every paragraph's text, header included
    bold = [r for r in docx.Document(str(out)).paragraphs[1].runs if r.text and "_" in r.text]
    assert [r.text for r in bold] == ["_", "__", "_"]  # split where comments start and end
    assert all(r.bold and r.font.size == Pt(14) for r in bold)


def test_findings_without_a_place_are_comments_on_the_title(tmp_path: Path) -> None:
    draft = build_draft(tmp_path / "draft.docx")
    findings = [
        finding(draft, None, None, "missing-clause", message="no termination clause"),
        # Paragraph 6 is the header: Word keeps no comments there.
        finding(draft, 6, 1, "header", message="draft mark left", severity="warning"),
        finding(
            draft,
            2,
            1,
            "waived",
            message="waived one",
            severity="info",
            refs=[Ref(law="民法典", article="510", basis="statute")],
            suppression=Suppression(reason="agreed with legal"),
        ),
    ]
    got = anchors(review_copy(draft.read_bytes(), findings, [None, None, 3], lambda f: f.message))
    assert got == {
        "Error: no termination clause|document/missing-clause|About the whole document": TITLE,
        "Warning: draft mark left|document/header|¶6 is in a header or footer, where Word "
        "keeps no comments": TITLE,
        "Info: waived one|document/waived|Basis: 民法典 art. 510 (statute)|Waived: agreed "
        "with legal": "甲方",
    }


def test_render_takes_spans_from_the_document_model_and_speaks_chinese(tmp_path: Path) -> None:
    draft = build_draft(tmp_path / "draft.docx")
    loaded = read_document(draft)
    assert loaded.data is not None
    blanks = loaded.data["document"]["blanks"]
    assert blanks and blanks[0]["text"] == "____"
    f = finding(
        draft,
        2,
        BODY.index("____") + 1,
        "placeholder-left",
        pointer="/document/blanks/0",
        message="blank",
        message_zh="存在未填写的空白",
    )
    got = anchors(render(run_of([f], [str(draft)], "zh")))
    assert got == {"错误：存在未填写的空白|document/placeholder-left": "____"}


def test_a_run_without_exactly_one_docx_draft_cannot_have_a_review_copy(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="this run checked none"):
        render(run_of([], ["a.yaml"]))
    with pytest.raises(OutputError, match=r"this run checked 2: a.docx, b.docx \(check each"):
        render(run_of([], ["a.docx", "b.docx"]))
    bad = tmp_path / "bad.docx"
    bad.write_text("not a zip", encoding="utf-8")
    with pytest.raises(OutputError, match="not a zip archive"):
        render(run_of([], [str(bad)]))


def test_docx_for_a_run_without_docx_is_a_usage_error(tmp_path: Path) -> None:
    r = cli(
        "check",
        "tests/fixtures/contracts/bad.yaml",
        "--pack",
        "tests/fixtures/acme",
        "--format",
        f"docx:{tmp_path / 'r.docx'}",
    )
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == (
        "contract-checker: --format docx writes a review copy of a .docx draft, and this run "
        "checked none\n"
    )
    assert not (tmp_path / "r.docx").exists()


def test_the_review_copy_converts_with_libreoffice(tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        if ON_CI:
            pytest.fail(
                "LibreOffice (soffice) is required on CI: apt-get install libreoffice-writer-nogui"
            )
        pytest.skip("LibreOffice (soffice) is not installed")
    draft = build_draft(tmp_path / "draft.docx")
    review = tmp_path / "review.docx"
    findings = [finding(draft, 2, 5, "blank"), finding(draft, None, None, "general")]
    review.write_bytes(review_copy(draft.read_bytes(), findings, [9, None], str))
    r = subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(review),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    assert "Error" not in r.stderr
    pdf = tmp_path / "review.pdf"
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 1000


def _docx_checkable(draft: Path) -> bool:
    """Whether `check` reads .docx drafts yet (document mode is wired on another branch)."""
    r = cli("check", str(draft), "--format", "json")
    if r.returncode == 2:
        return False
    doc = json.loads(r.stdout)
    return str(draft) in doc.get("files", []) and not any(
        f["rule"] == "unreadable-contract" for f in doc["findings"]
    )


def test_check_writes_a_review_copy_of_a_docx_draft(tmp_path: Path) -> None:
    draft = build_draft(tmp_path / "draft.docx")
    assert _docx_checkable(draft)  # document mode reads .docx drafts
    out = tmp_path / "review.docx"
    r = cli(
        "check", str(draft), "--format", f"docx:{out}", "--format", f"json:{tmp_path / 'r.json'}"
    )
    assert r.returncode in (0, 1), r.stderr
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    comments = docx.Document(str(out)).comments
    assert len(comments) == len(report["findings"]) > 0  # the blank at least
    assert read_document(out).lines == read_document(draft).lines
