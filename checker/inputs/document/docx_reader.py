"""Read a .docx document: paragraphs in reading order, with Word's list labels, changes accepted.

Reading order is the body (paragraphs, and tables row by row, cell by cell, nested tables
in place), then the headers, then the footers, each part once; paragraph numbers (the
`line` of a position) count in that order, so a header never shifts the body's numbers.
Tracked changes read as if all were accepted: inserted text is kept, deleted and
moved-away text dropped. Comments live in their own part and are not read; field codes,
drawings and the fallback copies of alternate content are skipped.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, Final

from docx.document import Document
from docx.oxml.ns import qn

from checker.inputs.document.docx_numbering import Numbering
from checker.inputs.document.docx_package import open_docx
from checker.inputs.document.model import (
    MAX_DOCUMENT_CHARS,
    DocProblem,
    ReadResult,
    SourceText,
)

_P: Final = qn("w:p")
_TBL: Final = qn("w:tbl")
_T: Final = qn("w:t")
# Elements that stand for characters: a tab or a line break reads as a space (a paragraph
# is one line of the document), a non-breaking hyphen as a hyphen.
_CHARS: Final = {
    qn("w:tab"): " ",
    qn("w:br"): " ",
    qn("w:cr"): " ",
    qn("w:noBreakHyphen"): "-",
    qn("w:softHyphen"): "",
}
# Subtrees that are not the text as it reads with every change accepted.
_SKIP: Final = frozenset(
    qn(t)
    for t in (
        "w:del",
        "w:moveFrom",
        "w:instrText",
        "w:delText",
        "w:delInstrText",
        "w:pPr",
        "w:rPr",
        "w:drawing",
        "w:pict",
        "w:object",
        "w:txbxContent",
        "w:footnoteReference",
        "w:endnoteReference",
        "w:commentReference",
    )
) | {"{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"}
_CONTAINERS: Final = frozenset(qn(t) for t in ("w:sdt", "w:sdtContent", "w:customXml"))


def _blocks(parent: Any) -> Iterator[Any]:
    """The paragraphs under a body, cell, header or footer, in reading order."""
    for child in parent.iterchildren():
        tag = child.tag
        if tag == _P:
            yield child
        elif tag == _TBL:
            for row in child.iterchildren(qn("w:tr")):
                for cell in row.iterchildren(qn("w:tc")):
                    yield from _blocks(cell)
        elif tag in _CONTAINERS:
            yield from _blocks(child)


def _text(el: Any, out: list[str]) -> None:
    for child in el.iterchildren():
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue  # comments and processing instructions have no str tag
        if tag == _T:
            out.append(child.text or "")
        elif tag in _CHARS:
            out.append(_CHARS[tag])
        else:
            _text(child, out)


def paragraph_text(p: Any) -> str:
    """The text of one paragraph with every tracked change accepted, on one line."""
    out: list[str] = []
    _text(p, out)
    return "".join(out).replace("\r", " ").replace("\n", " ")


def _mark_deleted(p: Any) -> bool:
    """Whether the paragraph mark itself is a tracked deletion (the paragraph goes away)."""
    ppr = p.find(qn("w:pPr"))
    rpr = ppr.find(qn("w:rPr")) if ppr is not None else None
    return rpr is not None and rpr.find(qn("w:del")) is not None


def _parts(doc: Document) -> Iterator[Any]:
    yield doc.element.body
    seen: set[int] = set()
    for kind in (
        ("header", "first_page_header", "even_page_header"),
        (
            "footer",
            "first_page_footer",
            "even_page_footer",
        ),
    ):
        for section in doc.sections:
            for attr in kind:
                part = getattr(section, attr)
                if part.is_linked_to_previous:
                    continue
                element = part._element
                if id(element) not in seen:
                    seen.add(id(element))
                    yield element


def read_docx(raw: bytes) -> ReadResult | DocProblem:
    """The paragraphs of a .docx as text, or the one problem that makes it unreadable."""
    doc = open_docx(raw)
    if isinstance(doc, DocProblem):
        return doc
    part = doc.part
    numbering_root = None
    with contextlib.suppress(KeyError, NotImplementedError):  # no numbering: no labels
        numbering_root = part.numbering_part.element
    styles_root = part.styles.element if part.styles is not None else None
    numbering = Numbering(numbering_root, styles_root)
    title_ids, heading_ids = _style_ids(styles_root)
    lines: list[str] = []
    texts: list[str] = []
    prefixes: list[int] = []
    headings: set[int] = set()
    title: str | None = None
    size = 0
    for root in _parts(doc):
        for p in _blocks(root):
            text = paragraph_text(p)
            label = numbering.label(p)
            if _mark_deleted(p) and not text.strip():
                continue
            prefix = label[0] + label[1] if label else ""
            style = _style_of(p)
            if style in title_ids and title is None and text.strip():
                title = text.strip()
            if style in heading_ids:
                headings.add(len(lines))
            lines.append(text)
            texts.append(prefix + text)
            prefixes.append(len(prefix))
            size += len(prefix) + len(text) + 1
            if size > MAX_DOCUMENT_CHARS:
                return DocProblem(
                    "too-large",
                    f"the document has more than {MAX_DOCUMENT_CHARS:,} characters of text",
                )
    source = SourceText("\n".join(texts), "docx-paragraph", prefixes)
    return ReadResult(source, lines, title=title, heading_lines=frozenset(headings))


def _style_of(p: Any) -> str | None:
    ppr = p.find(qn("w:pPr"))
    style = ppr.find(qn("w:pStyle")) if ppr is not None else None
    return style.get(qn("w:val")) if style is not None else None


def _style_ids(styles: Any) -> tuple[set[str], set[str]]:
    """The ids of the Title style and of the Heading 1–9 styles."""
    titles: set[str] = set()
    headings: set[str] = set()
    if styles is None:
        return titles, headings
    for style in styles.iterchildren(qn("w:style")):
        name_el = style.find(qn("w:name"))
        name = (name_el.get(qn("w:val")) if name_el is not None else "") or ""
        sid = style.get(qn("w:styleId")) or ""
        if name.lower() in ("title", "标题"):
            titles.add(sid)
        elif name.lower().startswith("heading") or name.startswith("标题 "):
            headings.add(sid)
    return titles, headings
