"""Regenerate docs/images/report-html.png and report-docx.png from the examples.

Needs Debian's chromium and chromium-driver (with selenium), LibreOffice (soffice) and
poppler-utils (pdftoppm); nothing is downloaded. Run from the repository root:

    PYTHONPATH=. python docs/images/make_screenshots.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from html import escape
from pathlib import Path
from typing import Any

import docx
from docx.oxml.ns import qn
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

import checker
from checker.inputs.document import read_document
from checker.models import Finding, Report, ToolInfo, summarise
from checker.report import RunResult
from checker.report.docx_format import review_copy

ROOT = Path(__file__).resolve().parents[2]
IMAGES = ROOT / "docs" / "images"
EXAMPLE = "examples/defects/d01-percentages-sum-to-90.yaml"
# Comments printed in the page margin, as Word shows them (LibreOffice 7.4+ filter options).
PDF_WITH_COMMENTS = (
    'pdf:writer_pdf_Export:{"ExportNotesInMargin":{"type":"boolean","value":"true"}}'
)
DRAFT = (
    ("技术服务合同", "Title"),
    ("甲方：北京云帆科技有限公司", None),
    ("乙方：____________", None),
    ("第一条 服务内容", "Heading 1"),
    ("乙方应按照附件三所列标准向甲方提供客户回访服务。", None),
    ("第二条 服务费用", "Heading 1"),
    ("服务费总额为人民币100,000元（大写：壹拾万伍仟元整），于____年__月__日前支付。", None),
    ("第三条 保密", "Heading 1"),
    ("乙方对甲方的客户数据负有保密义务，保密期限为一年。", None),
)


def screenshot(page: Path, out: Path, work: Path, size: str = "1200,1500") -> None:
    """What Debian's chromium shows of a local page (nothing is downloaded)."""
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={work / 'profile'}", f"--window-size={size}", "--hide-scrollbars",
    ):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        driver.get(page.as_uri())
        driver.save_screenshot(str(out))
    finally:
        driver.quit()


def html_screenshot(out: Path, work: Path) -> None:
    """The HTML report of one example defect, as a browser shows it."""
    page = work / "report.html"
    subprocess.run(
        [sys.executable, "-m", "checker", "check", EXAMPLE, "--today", "2025-06-01",
         "--format", f"html:{page}"],
        cwd=ROOT, check=False,
    )  # fmt: skip
    screenshot(page, out, work)


def docx_screenshot(out: Path, work: Path) -> None:
    """A Word review copy of a short draft, its first page as LibreOffice prints it."""
    draft = work / "draft.docx"
    doc = docx.Document()
    for text, style in DRAFT:
        doc.add_paragraph(text, style=style)
    doc.save(str(draft))
    loaded = read_document(draft)
    assert loaded.data is not None
    findings, ends = [], []
    for i, blank in enumerate(loaded.data["document"]["blanks"]):
        pos = loaded.positions[("document", "blanks", i)]
        findings.append(
            Finding(
                file=str(draft), line=pos.line, column=pos.column,
                pointer=f"/document/blanks/{i}", pack="document", rule="placeholder-left",
                severity="error", outcome="fail",
                message=f"A blank is left in the draft: {blank['text']}",
            )
        )  # fmt: skip
        ends.append(pos.column + len(blank["text"]))
    text = DRAFT[6][0]
    findings.append(
        Finding(
            file=str(draft), line=7, column=text.index("人民币") + 1, pointer="/document/amounts/0",
            pack="document", rule="amount-words-match-figures", severity="error", outcome="fail",
            message="The amount in words (壹拾万伍仟元) does not read the figures (100,000).",
        )
    )  # fmt: skip
    ends.append(text.index("）") + 2)
    report = Report(
        tool=ToolInfo(version=checker.__version__),
        findings=findings,
        summary=summarise(findings, 1, 10),
    )
    run = RunResult([], report)
    review = work / "review.docx"
    review.write_bytes(review_copy(draft.read_bytes(), findings, ends, run.message))
    subprocess.run(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation={(work / 'lo').as_uri()}",
         "--convert-to", PDF_WITH_COMMENTS, "--outdir", str(work), str(review)],
        check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", "-hide-annotations",
         str(work / "review.pdf"), str(work / "page")],
        check=True,
    )  # fmt: skip
    # LibreOffice 7.4 prints comments as icons only: show them beside the page, read back
    # from the review copy (anchor text and comment), as Word's margin shows them.
    boxes = "".join(
        f"<div class=c><b>{escape(c.author)}</b> · <q>{escape(anchor)}</q>"
        + "".join(f"<p>{escape(p.text)}</p>" for p in c.paragraphs)
        + "</div>"
        for c, anchor in comments_with_anchors(review)
    )
    page = work / "docx.html"
    page.write_text(
        "<!DOCTYPE html><meta charset=utf-8><style>body{margin:0;display:flex;gap:12px;"
        "font:13px 'Noto Sans CJK SC',sans-serif;background:#e8e8e8;padding:12px}"
        "img{box-shadow:0 1px 4px #999}.m{width:360px}.c{background:#fff8c4;border-left:"
        "4px solid #c62828;margin:0 0 10px;padding:6px 8px}.c p{margin:4px 0}q{color:#555}"
        f"</style><img src=page.png><div class=m>{boxes}</div>",
        encoding="utf-8",
    )
    screenshot(page, out, work, "1080,900")


def comments_with_anchors(path: Path) -> list[tuple[Any, str]]:
    """Each comment of a .docx with the document text its range covers."""
    doc = docx.Document(str(path))
    open_: dict[str, list[str]] = {}
    spans: dict[str, str] = {}
    for el in doc.element.body.iter():
        if el.tag == qn("w:commentRangeStart"):
            open_[el.get(qn("w:id"))] = []
        elif el.tag == qn("w:commentRangeEnd"):
            spans[el.get(qn("w:id"))] = "".join(open_.pop(el.get(qn("w:id")), []))
        elif el.tag == qn("w:t"):
            for parts in open_.values():
                parts.append(el.text or "")
    return [(c, spans.get(str(c.comment_id), "")) for c in doc.comments]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        html_screenshot(IMAGES / "report-html.png", Path(tmp))
        docx_screenshot(IMAGES / "report-docx.png", Path(tmp))
    print("wrote", IMAGES / "report-html.png", "and", IMAGES / "report-docx.png")


if __name__ == "__main__":
    main()
