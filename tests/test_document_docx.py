"""Reading .docx drafts: reading order, Word's list labels, tracked changes, comments, hostile files."""

from __future__ import annotations

import io
import time
import zipfile
from typing import Any

import docx
import pytest
from docx.oxml import parse_xml

from checker.inputs.document import DocPosition, read_document
from checker.inputs.document.docx_numbering import FORMATS, chinese_numeral

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _numbering(doc: Any, abstract_id: int, levels: list[tuple[str, str, int]]) -> None:
    """Add an abstract numbering (levels: numFmt, lvlText, start) and num `abstract_id + 100`.

    A level whose text shows several counters (`%1.%2`) is legal numbering (`w:isLgl`),
    as Word's outline numbering makes it: every counter in it is written in figures.
    """
    lvls = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
        f"{'<w:isLgl/>' if text.count('%') > 1 else ''}"
        f'<w:lvlText w:val="{text}"/><w:suff w:val="space"/></w:lvl>'
        for i, (fmt, text, start) in enumerate(levels)
    )
    root = doc.part.numbering_part.element
    root.append(
        parse_xml(f'<w:abstractNum {W} w:abstractNumId="{abstract_id}">{lvls}</w:abstractNum>')
    )
    root.append(
        parse_xml(
            f'<w:num {W} w:numId="{abstract_id + 100}">'
            f'<w:abstractNumId w:val="{abstract_id}"/></w:num>'
        )
    )


def _numbered(doc: Any, text: str, num_id: int, ilvl: int = 0) -> None:
    p = doc.add_paragraph(text)
    p._p.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {W}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>')
    )


def _bytes(doc: Any) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _read(doc: Any) -> Any:
    loaded = read_document(_bytes(doc), "draft.docx")
    assert loaded.problems == []
    assert loaded.document is not None
    return loaded


def test_word_list_numbering_reads_as_the_labels_word_shows() -> None:
    doc = docx.Document()
    doc.add_paragraph("客户关系管理外包服务合同", style="Title")
    _numbering(doc, 7, [("chineseCounting", "第%1条", 1), ("decimal", "%1.%2", 1)])
    _numbered(doc, "服务内容", 107)
    _numbered(doc, "乙方提供客户信息管理服务。", 107, 1)
    _numbered(doc, "乙方提供投诉处理服务。", 107, 1)
    _numbered(doc, "服务费用", 107)
    _numbered(doc, "服务费用为人民币100,000元（大写：壹拾万元整）。", 107, 1)
    _numbered(doc, "保密", 107)
    loaded = _read(doc)
    model = loaded.document
    assert [(c["number"], c["level"], c["index"], c["heading"]) for c in model["clauses"]] == [
        ("第一条", 1, [1], "服务内容"),
        ("1.1", 2, [1, 1], ""),
        ("1.2", 2, [1, 2], ""),
        ("第二条", 1, [2], "服务费用"),
        ("2.1", 2, [2, 1], ""),
        ("第三条", 1, [3], "保密"),
    ]
    assert model["title"] == "客户关系管理外包服务合同"
    # paragraph 2 is the first clause; a position inside a label is the paragraph's start
    assert loaded.positions[("document", "clauses", 0)] == DocPosition(2, 1, "docx-paragraph")
    assert loaded.positions[("document", "amounts", 0)] == DocPosition(6, 6, "docx-paragraph")
    assert loaded.lines[1] == "服务内容"  # the source line has no label: columns are Word's


def test_numbering_starts_restarts_and_overrides() -> None:
    doc = docx.Document()
    _numbering(doc, 8, [("decimal", "%1.", 3), ("lowerLetter", "(%2)", 1)])
    _numbered(doc, "甲", 108)
    _numbered(doc, "乙", 108, 1)
    _numbered(doc, "丙", 108, 1)
    _numbered(doc, "丁", 108)
    _numbered(doc, "戊", 108, 1)  # restarts at (a) after a higher level
    root = doc.part.numbering_part.element
    root.append(
        parse_xml(
            f'<w:num {W} w:numId="208"><w:abstractNumId w:val="8"/>'
            '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'
        )
    )
    _numbered(doc, "己", 208)
    _numbered(doc, "庚", 108)  # the instances share the counters of their definition
    loaded = _read(doc)
    assert loaded.document["text"].split("\n") == [
        "3. 甲", "(a) 乙", "(b) 丙", "4. 丁", "(a) 戊", "1. 己", "2. 庚",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("fmt", "values", "expected"),
    [
        (
            "chineseCounting",
            [1, 10, 11, 20, 21, 105],
            ["一", "十", "十一", "二十", "二十一", "一百零五"],
        ),
        ("chineseLegalSimplified", [3, 12], ["叁", "壹拾贰"]),
        ("ideographTraditional", [1, 3, 10, 11], ["甲", "丙", "癸", "甲"]),
        ("decimalEnclosedCircle", [1, 20], ["①", "⑳"]),
        ("lowerLetter", [1, 26, 27], ["a", "z", "aa"]),
        ("upperRoman", [4, 9, 14], ["IV", "IX", "XIV"]),
        ("decimalZero", [7], ["07"]),
    ],
)
def test_number_formats(fmt: str, values: list[int], expected: list[str]) -> None:
    assert [FORMATS[fmt](v) for v in values] == expected


def test_chinese_numeral_thousands() -> None:
    assert [chinese_numeral(n) for n in (1000, 1001, 10000, 12000, 100005)] == [
        "一千", "一千零一", "一万", "一万二千", "十万零五",
    ]  # fmt: skip


def test_tables_headers_footers_in_reading_order() -> None:
    doc = docx.Document()
    doc.sections[0].header.paragraphs[0].text = "页眉：机密"
    doc.sections[0].footer.paragraphs[0].text = "第1页"
    doc.add_paragraph("正文开始")
    table = doc.add_table(rows=2, cols=2)
    for r, row in enumerate((("甲方", "北京某科技有限公司"), ("乙方", "上海某服务有限公司"))):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    doc.add_paragraph("正文结束")
    loaded = _read(doc)
    assert loaded.lines == [
        "正文开始", "甲方", "北京某科技有限公司", "乙方", "上海某服务有限公司", "正文结束",
        "页眉：机密", "第1页",
    ]  # fmt: skip


def _with_runs(doc: Any, xml_runs: str) -> None:
    p = doc.add_paragraph()
    for el in parse_xml(f"<w:p {W}>{xml_runs}</w:p>"):
        p._p.append(el)


def test_tracked_changes_are_accepted_and_comments_ignored() -> None:
    doc = docx.Document()
    _with_runs(
        doc,
        '<w:r><w:t xml:space="preserve">保密期限为</w:t></w:r>'
        '<w:del w:id="1" w:author="a" w:date="2025-01-01T00:00:00Z"><w:r><w:delText>两</w:delText></w:r></w:del>'
        '<w:ins w:id="2" w:author="a" w:date="2025-01-01T00:00:00Z"><w:r><w:t>三</w:t></w:r></w:ins>'
        "<w:r><w:t>年</w:t></w:r>"
        '<w:moveFrom w:id="3" w:author="a" w:date="2025-01-01T00:00:00Z"><w:r><w:t>（旧）</w:t></w:r></w:moveFrom>'
        '<w:commentRangeStart w:id="0"/><w:r><w:t>。</w:t></w:r><w:commentRangeEnd w:id="0"/>'
        '<w:r><w:commentReference w:id="0"/></w:r>'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>',
    )
    para = doc.paragraphs[-1]
    doc.add_comment(para.runs[0], text="请确认期限 [X]", author="审阅人")
    loaded = _read(doc)
    assert loaded.lines == ["保密期限为三年。"]
    assert loaded.document["durations"] == [{"value": "3 years", "text": "三年", "clause": None}]
    assert loaded.document["blanks"] == []  # the comment's [X] is not contract text


def _zip(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return out.getvalue()


def _problem(raw: bytes) -> tuple[str, str]:
    loaded = read_document(raw, "bad.docx")
    assert loaded.document is None
    assert len(loaded.problems) == 1
    return loaded.problems[0].code, loaded.problems[0].message


def test_not_a_zip() -> None:
    assert _problem(b"%PDF-1.7 not a word file") == (
        "not-docx", "the file is not a .docx: it is not a zip archive",
    )  # fmt: skip


def test_a_zip_without_a_document() -> None:
    assert _problem(_zip({"hello.txt": b"hi"})) == (
        "not-docx", "the zip archive is not a Word document: it has no word/document.xml",
    )  # fmt: skip


def test_zip_bomb_refused_by_declared_size_in_bounded_time() -> None:
    bomb = _zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"\0" * (60 * 1024 * 1024)})
    assert len(bomb) < 200_000
    start = time.perf_counter()
    code, message = _problem(bomb)
    assert time.perf_counter() - start < 1.0
    assert code == "docx-too-large"
    assert message == (
        "word/document.xml inflates to 60 MB (at most 50 MB): "
        "the .docx is refused as a possible zip bomb"
    )


def test_zip_bomb_by_ratio() -> None:
    bomb = _zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"a" * (20 * 1024 * 1024)})
    code, message = _problem(bomb)
    assert code == "docx-too-large"
    assert "word/document.xml inflates" in message and "times (at most 200 times)" in message


def test_a_part_that_lies_about_its_size_is_a_broken_archive() -> None:
    raw = bytearray(
        _zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<w>" + b"a" * 5000 + b"</w>"})
    )
    # shrink the declared inflated size in both headers: zipfile stops there, the CRC fails
    for header, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = raw.find(header, raw.find(b"word/document.xml") - 60 if header == b"PK\x03\x04" else 0)
        at = raw.find(header, at)
        while at >= 0:
            name_len = int.from_bytes(
                raw[at + (26 if header == b"PK\x03\x04" else 28) :][:2], "little"
            )
            start = at + (30 if header == b"PK\x03\x04" else 46)
            if raw[start : start + name_len] == b"word/document.xml":
                raw[at + offset : at + offset + 4] = (100).to_bytes(4, "little")
            at = raw.find(header, at + 4)
    code, message = _problem(bytes(raw))
    assert code == "not-docx"
    assert message.startswith("the file is not a readable .docx: broken zip archive (")


def test_xml_with_a_dtd_is_refused() -> None:
    doc = docx.Document()
    doc.add_paragraph("正文")
    raw = _bytes(doc)
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    parts["word/document.xml"] = parts["word/document.xml"].replace(
        b"?>", b'?><!DOCTYPE w [<!ENTITY x SYSTEM "http://example.invalid/x">]>', 1
    )
    assert _problem(_zip(parts)) == (
        "unsafe-xml",
        "word/document.xml declares a DTD or entities, which Word documents never do; "
        "the .docx is refused",
    )


def test_a_huge_file_is_refused_before_reading() -> None:
    assert _problem(b"PK" + b"\0" * (21 * 1024 * 1024)) == (
        "too-large",
        "the file is larger than 20 MB",
    )
