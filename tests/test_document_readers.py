"""Reading .txt and .md drafts: encodings, front matter, Markdown structure, hostile text."""

from __future__ import annotations

import codecs
import time
from pathlib import Path

import pytest

from checker.inputs.document import DocPosition, DocProblem, read_document

CONTRACT = "第一条 服务内容\n乙方提供客户服务。\n第二条 服务费用\n服务费用为人民币100,000元（大写：壹拾万元整）。\n"


def _clauses(raw: bytes, name: str = "draft.txt") -> list[str]:
    loaded = read_document(raw, name)
    assert loaded.problems == [], loaded.problems
    assert loaded.document is not None
    return [c["number"] for c in loaded.document["clauses"]]


@pytest.mark.parametrize(
    "raw",
    [
        CONTRACT.encode("utf-8"),
        codecs.BOM_UTF8 + CONTRACT.encode("utf-8"),
        codecs.BOM_UTF16_LE + CONTRACT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + CONTRACT.encode("utf-16-be"),
        CONTRACT.encode("gb18030"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le", "utf-16-be", "gb18030"],
)
def test_encodings(raw: bytes) -> None:
    loaded = read_document(raw, "draft.txt")
    assert loaded.problems == []
    assert loaded.document is not None
    assert [c["number"] for c in loaded.document["clauses"]] == ["第一条", "第二条"]
    # the BOM is not a column: the amount is where an editor shows it
    assert loaded.positions[("document", "amounts", 0)] == DocPosition(4, 6)


def test_gb18030_and_utf16_files(tmp_path: Path) -> None:
    gb = tmp_path / "旧合同.txt"
    gb.write_bytes("甲方：北京某某科技有限公司\n第一条 保密期限为三年。\n".encode("gb18030"))
    utf16 = tmp_path / "draft.txt"
    utf16.write_bytes(codecs.BOM_UTF16_LE + "第一条 保密期限为三年。\n".encode("utf-16-le"))
    for path in (gb, utf16):
        loaded = read_document(path)
        assert loaded.problems == []
        assert loaded.document is not None
        assert loaded.document["durations"][0]["value"] == "3 years"
    assert read_document(gb).document["parties"][0]["name"] == "北京某某科技有限公司"  # type: ignore[index]


def _only_problem(raw: bytes, name: str = "draft.txt") -> DocProblem:
    loaded = read_document(raw, name)
    assert loaded.document is None
    assert len(loaded.problems) == 1
    return loaded.problems[0]


def test_unknown_encoding_names_the_encodings_tried() -> None:
    problem = _only_problem(b"caf\xe9 \xff\xfe\xfd contract")
    assert problem.code == "unreadable-encoding"
    assert problem.message == (
        "the file is not text in a known encoding (byte 0xe9 at offset 3 is not UTF-8, and the "
        "file is not GB18030 either); it must be UTF-8, UTF-16 (with a byte order mark) or GB18030"
    )


def test_binary_data_renamed_txt() -> None:
    problem = _only_problem(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 100)
    assert (problem.code, problem.message) == (
        "binary",
        "the file contains NUL bytes: it is binary data, not a text document",
    )


def test_control_characters_without_nul_are_binary() -> None:
    problem = _only_problem(bytes(range(1, 9)) * 200)
    assert problem.code == "binary"


def test_fifty_megabytes_of_text_is_one_problem_read_in_bounded_time(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    with path.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # sparse: no 50 MB written to disk
    start = time.perf_counter()
    loaded = read_document(path)
    assert time.perf_counter() - start < 0.5
    assert loaded.document is None
    assert loaded.problems == [DocProblem("too-large", "the file is larger than 10 MB")]


def test_a_line_of_a_million_characters_is_read_in_bounded_time() -> None:
    line = ("本合同服务费用为人民币100,000元（大写：壹拾万元整），保密期限为三年" * 30_000)[
        :1_000_000
    ]
    start = time.perf_counter()
    loaded = read_document(("第一条 费用\n" + line + "\n").encode(), "long.txt")
    assert time.perf_counter() - start < 20
    assert loaded.problems == []
    assert loaded.document is not None
    assert len(loaded.document["amounts"]) > 20_000


def test_unsupported_extension() -> None:
    problem = _only_problem(b"x", "draft.pdf")
    assert problem == DocProblem(
        "unsupported-file-type",
        "'draft.pdf' is not a document: expected .md, .markdown, .txt, .docx",
    )


def test_missing_file(tmp_path: Path) -> None:
    loaded = read_document(tmp_path / "none.md")
    assert loaded.problems == [
        DocProblem("unreadable-file", "the file cannot be read: No such file or directory")
    ]


MARKDOWN = """\
---
meta:
  title: 服务合同
  is_template: false
fees:
  total: 人民币100,000元
---

# 客户服务合同

## 第一条 服务内容

- 乙方提供**客户回访**服务，详见[附件一](annex.md)。

| 项目 | 金额 |
|---|---|
| 服务费 | 人民币100,000元（大写：壹拾万元整） |

<!-- 内部备注：[X] 待定 -->

## 第二条 附件

附件一：《服务标准》
"""


def test_markdown_front_matter_is_data_with_positions_in_the_file() -> None:
    loaded = read_document(MARKDOWN.encode(), "draft.md")
    assert loaded.problems == []
    assert loaded.front_matter == {
        "meta": {"title": "服务合同", "is_template": False},
        "fees": {"total": "人民币100,000元"},
    }
    assert loaded.positions[("meta", "title")] == DocPosition(3, 10)
    assert loaded.positions[("fees", "total")] == DocPosition(6, 10)
    assert loaded.key_positions[("fees",)] == DocPosition(5, 1)
    assert loaded.data is not None and set(loaded.data) == {"meta", "fees", "document"}


def test_markdown_body_structure_and_masked_markup() -> None:
    loaded = read_document(MARKDOWN.encode(), "draft.md")
    model = loaded.document
    assert model is not None
    assert model["title"] == "客户服务合同"
    assert [(c["number"], c["heading"]) for c in model["clauses"]] == [
        ("第一条", "服务内容"),
        ("第二条", "附件"),
    ]
    assert loaded.positions[("document", "clauses", 0)] == DocPosition(11, 4)
    # HTML comments are not contract text; markup is not text either
    assert model["blanks"] == []
    assert (
        "**" not in model["text"] and "annex.md" not in model["text"] and "|" not in model["text"]
    )
    assert model["amounts"][0]["upper"] == "壹拾万元整"
    assert loaded.positions[("document", "amounts", 0)] == DocPosition(17, 9)
    assert [(r["text"], r["resolved"]) for r in model["references"]] == [("附件一", True)]
    assert model["attachments"] == [
        {"number": "附件一", "index": 1, "title": "服务标准", "clause": "第二条", "references": 1}
    ]


def test_front_matter_problems_are_reported_at_their_line_and_the_body_still_read() -> None:
    raw = "---\nmeta: [unclosed\n---\n第一条 保密\n".encode()
    loaded = read_document(raw, "draft.md")
    assert loaded.document is not None
    assert loaded.front_matter is None
    assert [(p.code, p.line) for p in loaded.problems] == [("syntax", 3)]
    assert loaded.problems[0].message.startswith("front matter: YAML syntax error")


def test_front_matter_may_not_use_the_reserved_key() -> None:
    raw = "---\ndocument: x\nparties: []\n---\n正文\n".encode()
    loaded = read_document(raw, "draft.md")
    assert loaded.front_matter == {"parties": []}
    assert loaded.problems == [
        DocProblem(
            "reserved-key",
            "`document` is reserved for the document's own model; rename this front-matter key",
            2,
            1,
            ("document",),
        )
    ]


def test_unclosed_front_matter() -> None:
    loaded = read_document(b"---\na: 1\n", "draft.md")
    assert loaded.document is not None
    assert [p.code for p in loaded.problems] == ["front-matter"]
