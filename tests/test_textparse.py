"""Parsers for values as drafts write them: durations, money, dates, numerals, placeholders."""

from __future__ import annotations

import datetime as dt
import re
import time
from decimal import Decimal
from typing import Any

import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.lang.textparse import (
    DEFAULT_PLACEHOLDER_PATTERNS,
    blank_text,
    find_placeholders,
    parse_chinese_number,
    parse_date,
    parse_duration,
    parse_money,
)
from checker.lang.values import Duration, Money, Number

# -- numerals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("零", 0),
        ("三", 3),
        ("两", 2),
        ("十", 10),
        ("十五", 15),
        ("二十", 20),
        ("二十五", 25),
        ("一十五", 15),
        ("一百", 100),
        ("两百", 200),
        ("一百零五", 105),
        ("一百一十", 110),
        ("一千零五十", 1050),
        ("一万二千", 12000),
        ("十万", 100000),
        ("一亿二千万", 120000000),
        ("一亿零五万", 100050000),
        ("叁", 3),
        ("壹拾", 10),
        ("贰佰零伍", 205),
        ("二〇二五", 2025),
        ("零点五", Decimal("0.5")),
        ("三点一四", Decimal("3.14")),
        ("36", 36),
        ("１２", 12),
        ("1.5", Decimal("1.5")),
    ],
)
def test_chinese_number(text: str, value: Number) -> None:
    result = parse_chinese_number(text)
    assert result == value
    assert type(result) is type(value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("一百五", "ambiguous"),
        ("三千五", "ambiguous"),
        ("一万五", "ambiguous"),
        ("百", "without a digit"),
        ("万", "without digits"),
        ("十零", "ends with 零"),
        ("一二十", "two digits in a row"),
        ("一十二百", "out of order"),
        ("一万一亿", "out of order"),
        ("一点", "after 点"),
        ("百分之三十", "unexpected"),
        ("abc", "unexpected"),
        ("三个", "unexpected"),
    ],
)
def test_chinese_number_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_chinese_number(text)


# -- durations --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount", "family"),
    [
        ("3 years", 36, "months"),
        ("1 year", 12, "months"),
        ("6 months", 6, "months"),
        ("1 month", 1, "months"),
        ("2 weeks", 14, "days"),
        ("30 days", 30, "days"),
        ("1 day", 1, "days"),
        ("15 working days", 15, "working_days"),
        ("15 working_days", 15, "working_days"),
        ("5 business days", 5, "working_days"),
        ("30 calendar days", 30, "days"),
        ("1.5 years", 18, "months"),
        ("3 Years", 36, "months"),
        ("3years", 36, "months"),
        ("P3Y", 36, "months"),
        ("P18M", 18, "months"),
        ("P1Y6M", 18, "months"),
        ("P2W", 14, "days"),
        ("P30D", 30, "days"),
        ("P1W2D", 9, "days"),
        ("p3y", 36, "months"),
        ("3年", 36, "months"),
        ("3 年", 36, "months"),
        ("三年", 36, "months"),
        ("叁年", 36, "months"),
        ("两年", 24, "months"),
        ("半年", 6, "months"),
        ("1年半", 18, "months"),
        ("一年半", 18, "months"),
        ("36个月", 36, "months"),
        ("六个月", 6, "months"),
        ("十二个月", 12, "months"),
        ("30日", 30, "days"),
        ("30天", 30, "days"),
        ("三十日", 30, "days"),
        ("30个自然日", 30, "days"),
        ("2周", 14, "days"),
        ("两周", 14, "days"),
        ("2个星期", 14, "days"),
        ("15个工作日", 15, "working_days"),
        ("十五个工作日", 15, "working_days"),
        ("15工作日", 15, "working_days"),
        ("15个工作日内", 15, "working_days"),
        ("30日以内", 30, "days"),
        ("３０日", 30, "days"),
    ],
)
def test_duration(text: str, amount: int, family: str) -> None:
    result = parse_duration(text)
    assert result == Duration(amount, family)  # type: ignore[arg-type]
    assert type(result.amount) is int


def test_duration_equivalences() -> None:
    assert parse_duration("3 years") == parse_duration("36个月") == parse_duration("P3Y")
    assert parse_duration("2 weeks") == parse_duration("14天")
    assert parse_duration("15个工作日") != parse_duration("15 days")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("P1Y2D", "mixes months and days"),
        ("P1M1W", "mixes months and days"),
        ("P", "not an ISO 8601 duration"),
        ("PT3H", "not an ISO 8601 duration"),
        ("P1.5Y", "not an ISO 8601 duration"),
        ("-3 years", "negative"),
        ("3 fortnights", "unknown duration unit"),
        ("three years", "not a duration"),
        ("3月", "month of the year"),
        ("三月", "month of the year"),
        ("半个月", "not a duration"),
        ("3个工作日半", "only read for years"),
        ("一百五天", "ambiguous"),
        ("永久", "not a duration"),
        ("[X]年", "not a duration"),
        ("X个工作日", "not a duration"),
    ],
)
def test_duration_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_duration(text)


# -- money ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("CNY 100000", 100000, "CNY"),
        ("CNY100000", 100000, "CNY"),
        ("CNY 1_000.50", Decimal("1000.50"), "CNY"),
        ("¥1,000.00", Decimal("1000.00"), "CNY"),
        ("￥1,000.00", Decimal("1000.00"), "CNY"),
        ("¥ 100", 100, "CNY"),
        ("人民币100,000元", 100000, "CNY"),
        ("人民币 100,000.00 元", Decimal("100000.00"), "CNY"),
        ("人民币100,000元整", 100000, "CNY"),
        ("100000元", 100000, "CNY"),
        ("100000圆", 100000, "CNY"),
        ("１００元", 100, "CNY"),
        ("RMB 5,000", 5000, "CNY"),
        ("rmb 5000", 5000, "CNY"),
        ("USD 20", 20, "USD"),
        ("20 USD", 20, "USD"),
        ("usd 20", 20, "USD"),
        ("€5", 5, "EUR"),
        ("10万元", 100000, "CNY"),
        ("1.5万元", 15000, "CNY"),
        ("人民币10万元", 100000, "CNY"),
        ("2亿元", 200000000, "CNY"),
        ("100,000.00元（大写：壹拾万元整）", Decimal("100000.00"), "CNY"),
        ("人民币100,000元（大写：人民币壹拾万元整）", 100000, "CNY"),
        ("100000元(壹拾万元整)", 100000, "CNY"),
        ("人民币壹拾万元整", 100000, "CNY"),
        ("壹拾万元整", 100000, "CNY"),
        ("人民币（大写）：壹仟贰佰叁拾肆元伍角陆分", Decimal("1234.56"), "CNY"),
        ("人民币壹拾万元", 100000, "CNY"),
    ],
)
def test_money(text: str, amount: Number, currency: str) -> None:
    result = parse_money(text)
    assert result == Money(amount, currency)
    assert type(result.amount) in (int, Decimal)
    assert str(result.amount) == str(amount)


def test_money_default_currency() -> None:
    assert parse_money("100", "CNY") == Money(100, "CNY")
    assert parse_money("1,000.5", "USD") == Money(Decimal("1000.5"), "USD")
    assert parse_money("10万", "CNY") == Money(100000, "CNY")
    assert parse_money("USD 20", "CNY") == Money(20, "USD")  # the text's currency wins


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("100", "no currency"),
        ("10万", "no currency"),
        ("USD 100元", "two currencies"),
        ("¥100 USD", "two currencies"),
        ("1,00,000元", "thousands separator"),
        ("1,0000元", "thousands separator"),
        ("1__000元", "underscore"),
        ("-5元", "negative"),
        ("CNY -5", "negative"),
        ("十万元", "figures or in uppercase"),
        ("人民币壹佰伍元", "ambiguous"),
        ("人民币壹拾万", "not a valid uppercase amount"),
        ("100元（含税）", "unexpected text in parentheses"),
        ("$100", "not a money amount"),
        ("CNY", "not a money amount"),
        ("人民币[X]元", "not a money amount"),
        ("100-200元", "not a money amount"),
        ("1e5元", "not a money amount"),
    ],
)
def test_money_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_money(text)


# -- dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2025-01-31",
        "2025-1-31",
        "2025/1/31",
        "2025/01/31",
        "2025.1.31",
        "20250131",
        "2025年1月31日",
        "2025年01月31日",
        "2025 年 1 月 31 日",
        "2025年1月31号",
        "二〇二五年一月三十一日",
        "  2025-01-31  ",
        "２０２５年１月３１日",
    ],
)
def test_date(text: str) -> None:
    assert parse_date(text) == dt.date(2025, 1, 31)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not a date"),
        ("2025-02-30", "no such date"),
        ("2025年13月1日", "no such date"),
        ("2025-1/31", "not a date"),
        ("25-1-31", "not a date"),
        ("2025-01-31T10:00", "not a date"),
        ("31/01/2025", "not a date"),
        ("tomorrow", "not a date"),
        ("____年____月____日", "not a date"),
        ("2025年  月  日", "not a date"),
        ("2025年X月X日", "not a date"),
        ("二五年一月一日", "four digits"),
    ],
)
def test_date_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_date(text)


# -- placeholders -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("服务费用为人民币[X]元（大写：[大写金额]）", ["[X]", "[大写金额]"]),
        ("在合同签订后的[X]个月内", ["[X]"]),
        ("甲方在[行业名称]领域开展业务", ["[行业名称]"]),
        ("［甲方名称］", ["［甲方名称］"]),
        ("【 】", ["【 】"]),
        ("【】", ["【】"]),
        ("[ ]", ["[ ]"]),
        ("[]", ["[]"]),
        ("【X】", ["【X】"]),
        ("按第（ ）种方式", ["（ ）"]),
        ("甲方：________", ["________"]),
        ("甲方：＿＿＿＿", ["＿＿＿＿"]),
        ("有效期为____年。", ["____"]),
        ("签订日期：____年____月____日", ["____年____月____日"]),
        ("日期：    年    月    日", ["年    月    日"]),
        ("日期：年　月　日", ["年　月　日"]),
        ("甲方：XXX乙方：XXX", ["XXX", "XXX"]),
        ("联系人 xx", ["xx"]),
        ("×××公司", ["×××"]),
        ("ＸＸ有限公司", ["ＸＸ"]),
        ("20XX年", ["20XX"]),
        ("支付X%的违约金", ["X%"]),
        ("支付X％的违约金", ["X％"]),
        ("X个工作日内", ["X个工作日"]),
        ("保密期限为X年", ["X年"]),
        ("{{party_a}} 与 {{ party_b }}", ["{{party_a}}", "{{ party_b }}"]),
        ("${amount}", ["${amount}"]),
        ("Price: TBD", ["TBD"]),
        ("price tbd.", ["tbd"]),
        ("交付时间待定", ["待定"]),
        ("地址：待补充", ["待补充"]),
        (
            "[具体规模标准，如年营业额不少于[X]万元、员工人数不少于[X]人等]",
            ["[具体规模标准，如年营业额不少于[X]万元、员工人数不少于[X]人等]"],
        ),
        ("[a [X] b]", ["[X]"]),
    ],
)
def test_placeholders_found(text: str, tokens: list[str]) -> None:
    assert [p["text"] for p in find_placeholders(text)] == tokens


@pytest.mark.parametrize(
    "text",
    [
        "",
        "甲方：北京某某科技有限公司",
        "2025 年 1 月 31 日",
        "2025年1月31日",
        "出生年月日",
        "XXL码",
        "Alex Max",
        "xxx@example.com",
        "TBDX",
        "3×4",
        "[2025]第3号",
        "【保密条款】",
        "f()",
        "file__name",
        "人民币壹拾万元整",
        "待定期检查",
        "X-ray",
        "×××a",
    ],
)
def test_placeholders_not_found(text: str) -> None:
    assert find_placeholders(text) == []


def test_placeholder_paths() -> None:
    data: dict[str, Any] = {
        "parties": [{"name": "XXX", "address": "北京"}, {"name": "甲方", "id": 7}],
        "key with-dash": "____",
        "保密": {"期限": "[X]年"},
        "signing": {"date": "____年____月____日", "dates": ("TBD", None, 3.5)},
        "amount": 100,
    }
    assert find_placeholders(data) == [
        {"text": "XXX", "path": "parties[0].name"},
        {"text": "____", "path": '["key with-dash"]'},
        {"text": "[X]", "path": '["保密"]["期限"]'},
        {"text": "____年____月____日", "path": "signing.date"},
        {"text": "TBD", "path": "signing.dates[0]"},
    ]
    assert find_placeholders(["ok", "待定"], "contract.notes") == [
        {"text": "待定", "path": "contract.notes[1]"}
    ]
    assert find_placeholders({"a": {"b c": "xx"}}, "root") == [
        {"text": "xx", "path": 'root.a["b c"]'}
    ]
    assert find_placeholders("[X]", "fee") == [{"text": "[X]", "path": "fee"}]
    assert find_placeholders(None) == []
    assert find_placeholders(42) == []


def test_placeholder_paths_of_number_keys_and_index_steps() -> None:
    # A mapping key 1 is the key "1" (`["1"]`); a list position is `[1]`.
    data: dict[Any, Any] = {1: "[X]", "a b": ["ok", {"k": "TBD"}], "n": [["____"]]}
    assert find_placeholders(data, "c") == [
        {"text": "[X]", "path": 'c["1"]'},
        {"text": "TBD", "path": 'c["a b"][1].k'},
        {"text": "____", "path": "c.n[0][0]"},
    ]


def test_strings_without_placeholders_are_searched_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """One search of the union of the built-in patterns rules out a plain string; only a
    string that may hold a placeholder is searched pattern by pattern."""
    from checker.lang import textparse

    searched: list[str] = []
    spans = textparse._spans

    def counting(s: str, patterns: Any) -> list[tuple[int, int]]:
        searched.append(s)
        return spans(s, patterns)

    monkeypatch.setattr(textparse, "_spans", counting)
    data = {"a": "甲方名称", "b": ["plain text", "金额 XX 元"], "c": {"d": "完成"}}
    assert find_placeholders(data) == [{"text": "XX 元", "path": "b[1]"}]
    assert searched == ["金额 XX 元"]
    # Extra patterns are not in the union: every string is searched with them.
    searched.clear()
    assert find_placeholders(data, extra_patterns=["完成"]) == [
        {"text": "XX 元", "path": "b[1]"},
        {"text": "完成", "path": "c.d"},
    ]
    assert len(searched) == 4


def test_a_contract_without_placeholders_is_ruled_out_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One RE2 search over all of a contract's strings rules out the usual case (no
    placeholder anywhere) before any string is searched on its own."""
    from checker.lang import textparse

    walked: list[object] = []
    walk = textparse._walk

    def counting(value: object, *args: Any) -> Any:
        walked.append(value)
        return walk(value, *args)

    monkeypatch.setattr(textparse, "_walk", counting)
    data = {
        "a": "甲方名称（以下简称“甲方”）",
        "b": ["plain text 2025年1月1日", 3],
        "c": {"d": "XL"},
    }
    assert find_placeholders(data) == []
    assert walked == []
    assert find_placeholders("【第一条】 [") == []  # may hold one: searched
    assert walked == ["【第一条】 ["]
    assert find_placeholders({"a": "金额 XX 元"}) == [{"text": "XX 元", "path": "a"}]
    # A lone surrogate (JSON "\\ud800") is not UTF-8, which RE2 reads: searched as before.
    assert find_placeholders(["\ud800 XX 元"]) == [{"text": "XX 元", "path": "[0]"}]


def test_plain_maps_and_lists_are_gathered_without_abc_checks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The strings of a contract (a hundred maps and lists) are gathered for the one search
    by exact types: an isinstance check against Mapping cost more than the rest of a visit.
    Other mappings, tuples and a value holding itself are read as before."""
    import abc
    from types import MappingProxyType

    from checker.lang.textparse import may_hold_placeholders

    checked: list[type] = []
    instancecheck = abc.ABCMeta.__instancecheck__

    def counting(cls: abc.ABCMeta, instance: Any) -> bool:
        checked.append(cls)
        return instancecheck(cls, instance)

    monkeypatch.setattr(abc.ABCMeta, "__instancecheck__", counting)
    data: dict[str, Any] = {"a": "甲方", "b": [{"c": "plain", "d": [1, dt.date(2025, 1, 1)]}]}
    assert not may_hold_placeholders(data)
    assert checked == []
    loop: list[Any] = ["plain"]
    loop.append(loop)
    assert not may_hold_placeholders({"a": MappingProxyType({"b": ("x", loop)})})
    assert may_hold_placeholders({"a": MappingProxyType({"b": ("x", ["金额 XX 元"])})})


def test_the_prefilter_white_space_is_pythons() -> None:
    from checker.lang.ops import compile_pattern
    from checker.lang.textparse import _SPACE

    spaces = compile_pattern(f"[{_SPACE}]")
    assert not any(chr(c).isspace() for c in range(0x3001, 0x110000))
    for c in map(chr, range(0x3001)):
        if not 0xD800 <= ord(c) <= 0xDFFF:
            assert (spaces.fullmatch(c) is not None) == c.isspace() == bool(re.fullmatch(r"\s", c))


@settings(max_examples=examples(3), deadline=None)
@given(st.data())
def test_the_prefilter_never_misses_a_placeholder(data: st.DataObject) -> None:
    from checker.lang.textparse import may_hold_placeholders

    _, pattern = data.draw(st.sampled_from(DEFAULT_PLACEHOLDER_PATTERNS))
    text = data.draw(st.from_regex(re.compile(pattern)))
    value = ["plain", {"k": text}]
    assert may_hold_placeholders(value)
    assert find_placeholders(value) == _reference_placeholders(value)


@settings(max_examples=examples(5), deadline=None)
@given(
    st.lists(
        st.text(
            alphabet=st.sampled_from(
                list("_＿[]［］【】〔〕()（）{}$XxＸｘ×Tt待定补填年月日12 \u3000\t\n个%元a中")
            ),
            max_size=10,
        ),
        max_size=4,
    )
)
def test_placeholders_with_the_prefilter_are_those_without(texts: list[str]) -> None:
    assert find_placeholders(texts, "p") == _reference_placeholders(texts, "p")


def _reference_placeholders(value: object, path: str = "") -> list[dict[str, str]]:
    """Every string searched with every built-in pattern: no prefilter at all."""
    from checker.lang.textparse import _default_compiled, _walk

    return list(_walk(value, path, [], _default_compiled(), None, set()))


def test_placeholders_in_a_cyclic_structure_terminate() -> None:
    data: dict[str, Any] = {"a": "XXX"}
    data["self"] = data
    assert find_placeholders(data) == [{"text": "XXX", "path": "a"}]


def test_extra_patterns() -> None:
    assert find_placeholders("金额：＊＊＊元") == []
    assert find_placeholders("金额：＊＊＊元", extra_patterns=[r"＊{2,}"]) == [
        {"text": "＊＊＊", "path": ""}
    ]
    # an extra pattern overlapping a built-in one: the longest leftmost match is reported once
    assert find_placeholders("见附件[X]号", extra_patterns=[r"附件\[X\]号"]) == [
        {"text": "附件[X]号", "path": ""}
    ]
    assert find_placeholders("abc", extra_patterns=["x*"]) == []  # empty matches are ignored
    with pytest.raises(ValueError, match="invalid placeholder pattern"):
        find_placeholders("abc", extra_patterns=["("])


def test_default_patterns_table() -> None:
    names = [name for name, _ in DEFAULT_PLACEHOLDER_PATTERNS]
    assert len(names) == len(set(names))
    for _, pattern in DEFAULT_PLACEHOLDER_PATTERNS:
        re.compile(pattern)


@pytest.mark.parametrize(
    "hostile",
    [
        "_" * 50000 + "年",
        "＿" * 50000 + " " * 100 + "年" + " " * 100,
        "×" * 50000 + "a",
        "Ｘ" * 50000 + "a",
        "x" * 50000 + "1",
        "[" + "甲" * 50000,
        "[甲" * 20000,
        "[" + " " * 50000,
        "年" + " " * 50000 + "月" + " " * 50000,
        "{{" * 30000,
        "X" + " " * 50000,
    ],
)
def test_placeholder_scan_is_linear_on_hostile_text(hostile: str) -> None:
    started = time.perf_counter()
    find_placeholders(hostile)
    blank_text(hostile)
    assert time.perf_counter() - started < 5  # quadratic backtracking would take minutes


@pytest.mark.parametrize(
    ("text", "blank"),
    [
        ("", True),
        ("   ", True),
        ("\u3000\n\t", True),
        ("____", True),
        ("[X]", True),
        ("【 】", True),
        ("XXX", True),
        ("TBD", True),
        ("待定", True),
        ("{{name}}", True),
        ("[大写金额]", True),
        ("____年____月____日", True),
        (" ____ （ ） ", True),
        ("¥____", True),
        ("—", True),
        ("甲方", False),
        ("0", False),
        ("人民币____元", False),
        ("XXX有限公司", False),
        ("N/A", False),
    ],
)
def test_blank_text(text: str, blank: bool) -> None:
    assert blank_text(text) is blank


def test_blank_text_with_extra_patterns() -> None:
    assert blank_text("＊＊＊") is True  # symbols only
    assert blank_text("n.a.") is False
    assert blank_text("n.a.", extra_patterns=[r"(?i)\bn\.a\."]) is True


@settings(max_examples=examples(5), deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("_＿[]【】()（）{}$XxＸｘ×Tt待定年月日12 a中.,，-")),
        max_size=12,
    )
)
def test_blank_text_shortcut_agrees_with_the_patterns(s: str) -> None:
    from checker.lang.textparse import _blank_text_by_patterns

    assert blank_text(s) == _blank_text_by_patterns(s)


def test_blank_text_searches_pattern_by_pattern_only_where_a_placeholder_may_be(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from checker.lang import textparse

    searched: list[str] = []
    by_patterns = textparse._blank_text_by_patterns

    def counting(s: str, extra_patterns: Any = ()) -> bool:
        searched.append(s)
        return by_patterns(s, extra_patterns)

    monkeypatch.setattr(textparse, "_blank_text_by_patterns", counting)
    # Digits, 年 and Latin t / x start no placeholder here: decided at once.
    assert blank_text("北京市朝阳区建国路1号2021年") is False
    assert blank_text("Tax: 12") is False
    assert blank_text(" —— 1 ") is False
    assert searched == []
    assert blank_text("（ ）____") is True
    assert blank_text("2025年 月 日") is False
    assert searched == ["（ ）____", "2025年 月 日"]
    assert blank_text("\ud800 1") is False  # a lone surrogate: left to the patterns
    assert searched[-1] == "\ud800 1"
