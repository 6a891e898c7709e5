"""Laws change over time: refs and rules with `in_force`, the contract's date, zh rendering of values."""

from __future__ import annotations

import datetime as _dt
import json
import textwrap
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from clirun import cli

from checker import PackError, load_pack
from checker.lang.values import Duration, Money
from checker.zhtext import cn_int, render_zh

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "signed": {"type": ["string", "null"], "x-type": "date"},
        "effective": {"type": ["string", "null"], "x-type": "date"},
        "kind": {
            "type": "string",
            "enum": ["fixed", "other"],
            "x-enum-zh": {"fixed": "固定价格", "other": "其他"},
        },
        "term": {"type": "string", "x-type": "duration"},
        "fee": {"type": "string", "x-type": "money"},
        "sealed": {"type": "boolean"},
    },
}

PACK = """
pack: dated
schema: schema.json
dates:
  in_force_at: [signed, effective]
rules:
  - id: old-law-only
    title: {en: Only under the old law, zh: 仅适用旧法}
    in_force: {until: "2025-05-31"}
    assert: "false"
  - id: new-law-only
    title: Only under the new law
    in_force: {from: 2025-06-01}
    assert: "false"
  - id: cites-the-version
    title: Cites the version in force
    assert: "false"
    message:
      en: "term {term}, fee {fee}, kind {kind}, sealed {sealed}, signed {signed}"
      zh: "期限{term}，费用{fee}，计价方式{kind}，已盖章{sealed}，签订于{signed}"
    refs:
      - {law: 旧条例, article: "8", basis: administrative-regulation, in_force: {until: "2025-05-31"}}
      - {law: 新条例, article: "9", basis: administrative-regulation, in_force: {from: "2025-06-01"}}
      - {law: 民法典, article: "509", basis: statute}
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


@pytest.fixture
def pack_dir(tmp_path: Path) -> Path:
    write(tmp_path, "dated/schema.json", json.dumps(SCHEMA))
    write(tmp_path, "dated/pack.yaml", PACK)
    return tmp_path / "dated"


def run(pack_dir: Path, data: dict[str, Any], today: str = "2025-07-01") -> dict[str, Any]:
    pack = load_pack(pack_dir)
    return {
        r.rule: r
        for r in pack.evaluate(
            {"kind": "fixed", "term": "3年", "fee": "人民币112000元", "sealed": False, **data},
            today=_dt.date.fromisoformat(today),
        )
    }


@pytest.mark.parametrize(
    ("data", "today", "old", "new", "laws"),
    [
        # The signing date decides, on both sides of the boundary.
        ({"signed": "2025-05-31"}, "2025-07-01", "fail", "skip", ["旧条例", "民法典"]),
        ({"signed": "2025-06-01"}, "2025-01-01", "skip", "fail", ["新条例", "民法典"]),
        # No signing date: the effective date.
        (
            {"signed": None, "effective": "2025-05-31"},
            "2025-07-01",
            "fail",
            "skip",
            ["旧条例", "民法典"],
        ),
        # Neither: the date of the run (--today).
        ({}, "2025-05-31", "fail", "skip", ["旧条例", "民法典"]),
        ({}, "2025-06-01", "skip", "fail", ["新条例", "民法典"]),
        # An unreadable signing date is no date: the next one decides.
        (
            {"signed": "soon", "effective": "2025-06-02"},
            "2025-01-01",
            "skip",
            "fail",
            ["新条例", "民法典"],
        ),
    ],
)
def test_the_version_in_force_at_the_contract_date_applies(
    pack_dir: Path, data: dict[str, Any], today: str, old: str, new: str, laws: list[str]
) -> None:
    results = run(pack_dir, data, today)
    assert results["old-law-only"].outcome == old
    assert results["new-law-only"].outcome == new
    assert [r.law for r in results["cites-the-version"].refs] == laws


def test_findings_in_json_cite_only_the_version_in_force(pack_dir: Path, tmp_path: Path) -> None:
    contract = write(tmp_path, "c.yaml", "signed: 2025-05-31\nkind: fixed\nterm: 3年\n")
    r = cli(
        "check",
        str(contract),
        "--pack",
        str(pack_dir),
        "--format",
        "json",
        "--today",
        "2025-07-01",
    )
    assert r.returncode == 1, r.stderr
    refs = {f["rule"]: f["refs"] for f in json.loads(r.stdout)["findings"]}
    assert refs["cites-the-version"] == [
        {
            "law": "旧条例",
            "article": "8",
            "basis": "administrative-regulation",
            "in_force": {"until": "2025-05-31"},
        },
        {"law": "民法典", "article": "509", "basis": "statute"},
    ]
    assert "new-law-only" not in refs


def test_docs_show_every_version_with_its_period(pack_dir: Path) -> None:
    from checker.packs.packdoc import render

    text = render(load_pack(pack_dir))
    assert "- 旧条例 art. 8 (administrative-regulation) [in force until 2025-05-31]" in text
    assert "- 新条例 art. 9 (administrative-regulation) [in force from 2025-06-01]" in text
    assert "applies to contracts dated until 2025-05-31" in text
    assert "the first of `signed`, `effective` that is given, else the date of the run" in text
    assert "**Only under the old law** (仅适用旧法)" in text


def test_zh_messages_render_values_in_chinese(pack_dir: Path) -> None:
    r = run(pack_dir, {"signed": "2025-06-01"})["cites-the-version"]
    assert (
        r.message == "term 3 years, fee CNY 112000.00, kind fixed, sealed false, signed 2025-06-01"
    )
    assert (
        r.message_zh
        == "期限三年，费用人民币112,000.00元，计价方式固定价格，已盖章否，签订于2025年6月1日"
    )


def test_zh_title_in_missing_data_message(pack_dir: Path) -> None:
    write(
        pack_dir,
        "pack.yaml",
        PACK
        + """
  - id: needs-a-fee
    title: {en: A fee is stated, zh: 约定了费用}
    assert: fee > CNY 0
""",
    )
    results = run(pack_dir, {"fee": "a lot"})
    assert results["needs-a-fee"].outcome == "missing"
    assert results["needs-a-fee"].message_zh == "约定了费用：缺少数据：`fee`、有值无法读取或计算"
    assert results["needs-a-fee"].message.startswith("A fee is stated: missing data: fee")


@pytest.mark.parametrize(
    ("value", "zh"),
    [
        (Duration(36, "months"), "三年"),
        (Duration(18, "months"), "十八个月"),
        (Duration(30, "days"), "三十日"),
        (Duration(15, "working_days"), "十五个工作日"),
        (Duration(Decimal("1.5"), "days"), "1.5日"),
        (Money(Decimal("112000"), "CNY"), "人民币112,000.00元"),
        (Money(Decimal("20.5"), "USD"), "美元20.50"),
        (True, "是"),
        (False, "否"),
        (None, "无"),
        (_dt.date(2025, 10, 15), "2025年10月15日"),
        (["fixed", "other"], "固定价格、其他"),
        ([], "无"),
        ("甲方", "甲方"),
    ],
)
def test_render_zh(value: object, zh: str) -> None:
    assert render_zh(value, {"fixed": "固定价格", "other": "其他"}) == zh


@pytest.mark.parametrize(
    ("n", "zh"),
    [
        (0, "零"),
        (3, "三"),
        (10, "十"),
        (15, "十五"),
        (20, "二十"),
        (105, "一百零五"),
        (201, "二百零一"),
        (470, "四百七十"),
        (1000, "一千"),
        (1010, "一千零一十"),
        (9999, "九千九百九十九"),
        (10000, "10000"),
    ],
)
def test_cn_int(n: int, zh: str) -> None:
    assert cn_int(n) == zh


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        ("in_force: {from: 2026-01-01, until: 2025-01-01}", "`in_force` ends before it starts"),
        ("in_force: {since: 2026-01-01}", "unknown key `since`"),
        ("in_force: {}", "should be non-empty"),
    ],
)
def test_bad_in_force_is_a_pack_error(tmp_path: Path, snippet: str, message: str) -> None:
    write(
        tmp_path,
        "p/pack.yaml",
        f"""
        pack: p
        rules:
          - id: r
            assert: "true"
            {snippet}
        """,
    )
    with pytest.raises(PackError) as exc:
        load_pack(tmp_path / "p")
    assert message in exc.value.render()


def test_in_force_at_must_give_dates(pack_dir: Path) -> None:
    write(pack_dir, "pack.yaml", PACK.replace("[signed, effective]", "[kind]"))
    with pytest.raises(PackError) as exc:
        load_pack(pack_dir)
    assert "`in_force_at` needs dates, found string" in exc.value.render()


def test_enum_labels_are_gathered_at_the_first_lookup() -> None:
    from checker.zhtext import EnumLabels, enum_labels_zh

    schema = {"properties": {"kind": {"enum": ["fixed"], "x-enum-zh": {"fixed": "固定价格"}}}}
    labels = EnumLabels(schema)
    assert labels._labels is None  # nothing walked yet
    assert labels.get("fixed") == "固定价格" and dict(labels) == enum_labels_zh(schema)
    assert labels._labels is not None and len(labels) == 1
