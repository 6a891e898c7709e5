"""A review copy of a .docx draft: every finding as a Word comment anchored at the text it
concerns, the draft's own text untouched (runs are only split where a comment starts or ends)."""

from __future__ import annotations

import copy
import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

from docx.document import Document
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from ..fastclass import dataclass
from ..inputs.document.docx_package import open_docx
from ..inputs.document.docx_reader import _blocks, _mark_deleted, _parts, paragraph_text
from ..inputs.document.model import DocProblem
from ..models import Finding, format_ref
from ..outputs import OutputError
from . import RunResult, xml_text
from .html_words import WORDS
from .sources import gather

AUTHOR: Final = "contract-checker"
INITIALS: Final = "CC"
_R: Final = qn("w:r")
_T: Final = qn("w:t")
_RPR: Final = qn("w:rPr")
# What a run's children stand for in the text, as docx_reader reads them (length in characters).
_ONE_CHAR: Final = frozenset(qn(t) for t in ("w:tab", "w:br", "w:cr", "w:noBreakHyphen"))
# Subtrees whose runs are not part of the text as it reads (docx_reader skips them too).
_NOT_TEXT: Final = frozenset(
    qn(t) for t in ("w:del", "w:moveFrom", "w:pPr", "w:rPr", "w:drawing", "w:pict", "w:object")
) | {qn("w:txbxContent"), "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"}


@dataclass(frozen=True)
class Placed:
    """A paragraph in reading order (numbered as positions number them) and whether it is
    in the body: Word keeps comments in the body only, not in headers and footers."""

    element: Any
    in_body: bool


def docx_inputs(run: RunResult) -> list[str]:
    """The .docx files of the run: the checked ones, then any other a finding names."""
    names = [fr.file for fr in run.files] + [f.file for f in run.report.findings]
    return [n for n in dict.fromkeys(names) if n.lower().endswith(".docx")]


def render(run: RunResult) -> bytes:
    """The review copy of the run's one .docx input. Raises OutputError when the run has
    no .docx input or several (a copy is one document), or the draft cannot be read."""
    inputs = docx_inputs(run)
    if not inputs:
        raise OutputError(
            "--format docx writes a review copy of a .docx draft, and this run checked none"
        )
    if len(inputs) > 1:
        raise OutputError(
            f"--format docx writes a review copy of one .docx draft, and this run checked "
            f"{len(inputs)}: {', '.join(inputs[:5])}{', …' if len(inputs) > 5 else ''} "
            "(check each draft on its own)"
        )
    name = inputs[0]
    sources = gather(run)
    chosen = [(i, f) for i, f in enumerate(run.report.findings) if f.file == name]
    try:
        raw = Path(name).read_bytes()
    except OSError as exc:
        raise OutputError(f"--format docx: cannot read {name}: {exc.strerror or exc}") from None
    return review_copy(
        raw,
        [f for _, f in chosen],
        [sources.end(i) for i, _ in chosen],
        run.message,
        run.lang,
    )


def review_copy(
    raw: bytes,
    findings: Sequence[Finding],
    ends: Sequence[int | None],
    message: Callable[[Finding], str],
    lang: str = "en",
) -> bytes:
    """The draft `raw` with one comment per finding (`ends[i]`: the column after finding
    i's span). Raises OutputError when the draft is not a readable .docx."""
    doc = open_docx(raw)
    if isinstance(doc, DocProblem):
        raise OutputError(f"--format docx: {doc.message}")
    placed = [
        Placed(p, root is doc.element.body)
        for root in _parts(doc)
        for p in _blocks(root)
        if not (_mark_deleted(p) and not paragraph_text(p).strip())
    ]
    words = WORDS["zh" if lang == "zh" else "en"]
    for f, end in zip(findings, ends, strict=True):
        runs, note = _anchor(doc, placed, f, end, words)
        # A pack's message (or a waiver's reason) may hold what XML cannot: escaped.
        lines = [
            xml_text(s) for s in _comment_lines(f, message(f), words) + ([note] if note else [])
        ]
        comment = doc.add_comment(runs, text=lines[0], author=AUTHOR, initials=INITIALS)
        for line in lines[1:]:
            comment.add_paragraph(line)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _comment_lines(f: Finding, message: str, words: dict[str, str]) -> list[str]:
    """Severity and message, the rule, its basis and any waiver: one paragraph each."""
    colon = words["colon"]
    lines = [f"{words[f.severity]}{colon}{message}", f"{f.pack}/{f.rule}"]
    if f.refs:
        lines.append(words["basis"] + colon + "; ".join(format_ref(r) for r in f.refs))
    if f.suppression is not None:
        lines.append(words["waived_by"] + colon + f.suppression.reason)
    return lines


def _anchor(
    doc: Document, placed: list[Placed], f: Finding, end: int | None, words: dict[str, str]
) -> tuple[list[Run], str]:
    """The runs a finding's comment spans, and a note when it is not at its own place."""
    where = placed[f.line - 1] if f.line and 1 <= f.line <= len(placed) else None
    if where is not None and where.in_body:
        para = Paragraph(where.element, doc._body)
        start = max(0, (f.column or 1) - 1)
        runs = _span_runs(para, start, max(start + 1, (end or 0) - 1))
        if runs:
            return runs, ""
    note = (
        words["in_header"].format(n=f.line)
        if where is not None and not where.in_body
        else words["general"]
    )
    return _title_runs(doc, placed), note


def _title_runs(doc: Document, placed: list[Placed]) -> list[Run]:
    """All runs of the title: Word's Title paragraph, else the first body paragraph with text."""
    body = [Paragraph(p.element, doc._body) for p in placed if p.in_body]
    titled = [p for p in body if p.style is not None and p.style.name in ("Title", "标题")]
    with_text = [p for p in body if paragraph_text(p._p).strip()]
    for para in titled + with_text:
        runs = _span_runs(para, 0, len(paragraph_text(para._p)))
        if runs:
            return runs
    # A draft without text: anchor on an empty run, which adds no text.
    first = body[0] if body else doc.add_paragraph()
    return [first.add_run()]


def _text_runs(p: Any) -> list[tuple[Any, int, int]]:
    """The paragraph's runs that carry text, with where their text starts and ends."""
    out: list[tuple[Any, int, int]] = []
    at = 0

    def walk(el: Any) -> None:
        nonlocal at
        for child in el.iterchildren():
            tag = child.tag
            if not isinstance(tag, str) or tag in _NOT_TEXT:
                continue
            if tag == _R:
                size = sum(_length(c) for c in child.iterchildren())
                if size:
                    out.append((child, at, at + size))
                at += size
            else:
                walk(child)

    walk(p)
    return out


def _length(child: Any) -> int:
    if child.tag == _T:
        return len(child.text or "")
    return 1 if child.tag in _ONE_CHAR else 0


def _span_runs(para: Paragraph, start: int, end: int) -> list[Run]:
    """The runs covering characters [start, end) of the paragraph, split at both ends so
    that the comment covers exactly that text; empty when the paragraph has no text there."""
    runs = _text_runs(para._p)
    if not runs or start >= runs[-1][2]:
        return []
    end = min(end, runs[-1][2])
    first = next(r for r in runs if r[2] > start)
    if start > first[1]:
        _split(first[0], start - first[1])
    runs = _text_runs(para._p)
    last = next(r for r in reversed(runs) if r[1] < end)
    if end < last[2]:
        _split(last[0], end - last[1])
        runs = _text_runs(para._p)
    inside = [r for r, s, e in runs if s >= start and e <= end]
    return [Run(inside[0], para), Run(inside[-1], para)] if inside else []


def _split(r: Any, k: int) -> None:
    """Split run `r` after its k-th character into two runs with the same properties."""
    second = copy.deepcopy(r)
    r.addnext(second)
    for run, keep_before in ((r, True), (second, False)):
        at = 0
        for child in list(run.iterchildren()):
            if child.tag == _RPR:
                continue
            size = _length(child)
            if child.tag == _T and at < k < at + size:  # the text element cut in two
                text = child.text or ""
                child.text = text[: k - at] if keep_before else text[k - at :]
                child.set(qn("xml:space"), "preserve")
            elif (at < k) != keep_before:
                run.remove(child)
            at += size
