"""Make the .docx twin of every Markdown draft in examples/documents/ (and defects/).

    python examples/documents/make_docx.py

A twin has the Markdown body (the front matter is contract data, not text), with the
clauses numbered by Word's list numbering as drafters make them: `第X条` and `X.Y` are
labels Word generates (a numbering definition with `第%1条` in Chinese counting and
`%1.%2`), not typed text. When the draft's numbering breaks (a planted defect), that
clause and every later one are typed as written, so the twin keeps the defect.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path

import docx
from docx.oxml import parse_xml

HERE = Path(__file__).resolve().parent
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
NUM_ID = 1
_CN = "零一二三四五六七八九"
_ARTICLE = re.compile(r"第([一二三四五六七八九十]{1,3})条\s*(.*)")
_SUBCLAUSE = re.compile(r"(\d+)\.(\d+)\s+(.*)")
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)


def chinese(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (clause numbers up to 99)."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN[tens] + "十")
    return head + (_CN[ones] if ones else "")


def _numbering(doc: docx.document.Document) -> None:
    levels = (
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
        '<w:lvlText w:val="第%1条"/><w:suff w:val="space"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:isLgl/>'
        '<w:lvlText w:val="%1.%2"/><w:suff w:val="space"/></w:lvl>'
    )
    root = doc.part.numbering_part.element
    root.append(
        parse_xml(f'<w:abstractNum {W} w:abstractNumId="{NUM_ID}">{levels}</w:abstractNum>')
    )
    root.append(
        parse_xml(f'<w:num {W} w:numId="{NUM_ID}"><w:abstractNumId w:val="{NUM_ID}"/></w:num>')
    )


def _numbered(doc: docx.document.Document, text: str, level: int, style: str | None) -> None:
    p = doc.add_paragraph(text, style=style)
    p._p.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {W}><w:ilvl w:val="{level}"/><w:numId w:val="{NUM_ID}"/></w:numPr>')
    )


def to_docx(markdown: str) -> bytes:
    """The .docx bytes of a Markdown draft (front matter left out)."""
    doc = docx.Document()
    _numbering(doc)
    body = _FRONT_MATTER.sub("", markdown, count=1)
    article = 0  # the last article Word numbered
    sub = 0
    numbered = True  # False after the first break in the numbering: typed as written
    for raw in body.splitlines():
        line = raw.strip()
        if not line or line.startswith("<!--"):
            continue
        heading = line.startswith("#")
        text = line.lstrip("#").strip()
        if line.startswith("# "):
            doc.add_paragraph(text, style="Title")
            continue
        m = _ARTICLE.fullmatch(text)
        if m is not None and heading:
            numbered = numbered and m[1] == chinese(article + 1)
            if numbered:
                article, sub = article + 1, 0
                _numbered(doc, m[2], 0, "Heading 2")
            else:
                doc.add_paragraph(text, style="Heading 2")
            continue
        s = _SUBCLAUSE.fullmatch(text)
        if s is not None:
            numbered = numbered and int(s[1]) == article and int(s[2]) == sub + 1
            if numbered:
                sub += 1
                _numbered(doc, s[3], 1, None)
                continue
        doc.add_paragraph(text, style="Heading 2" if heading else None)
    out = io.BytesIO()
    doc.save(out)
    return _reproducible(out.getvalue())


def _reproducible(data: bytes) -> bytes:
    """The same package with fixed entry times, so a twin changes only when its text does."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def main() -> None:
    sources = sorted(HERE.glob("*.md")) + sorted((HERE / "defects").glob("*.md"))
    for md in sources:
        target = md.with_suffix(".docx")
        target.write_bytes(to_docx(md.read_text(encoding="utf-8")))
        print(f"{md.relative_to(HERE)} -> {target.name}", file=sys.stderr)


if __name__ == "__main__":
    main()
