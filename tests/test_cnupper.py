"""Chinese uppercase amounts: the worked examples and negative vectors of the domain doc §3."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.lang.cnupper import (
    ERROR_CODES,
    ISSUE_CODES,
    Issue,
    parse_upper,
    to_upper,
    upper_issues,
    upper_matches,
    upper_variants,
)
from checker.lang.values import Number


def _amount(text: str) -> Number:
    d = Decimal(text)
    return int(d) if d == d.to_integral_value() else d


def _codes(text: str, **kw: str) -> list[str]:
    return [i.code for i in upper_issues(text, **kw)]  # type: ignore[arg-type]


# §3.5: numeric, canonical (with 人民币, as printed), other accepted spellings
WORKED: list[tuple[str, str, list[str]]] = [
    ("1409.50", "人民币壹仟肆佰零玖元伍角", ["壹仟肆佰零玖元伍角整"]),
    ("6007.14", "人民币陆仟零柒元壹角肆分", []),
    ("1680.32", "人民币壹仟陆佰捌拾元叁角贰分", ["壹仟陆佰捌拾元零叁角贰分"]),
    (
        "107000.53",
        "人民币壹拾万柒仟元伍角叁分",
        ["壹拾万柒仟元零伍角叁分", "壹拾万零柒仟元伍角叁分", "壹拾万零柒仟元零伍角叁分"],
    ),
    ("16409.02", "人民币壹万陆仟肆佰零玖元零贰分", []),
    ("325.04", "人民币叁佰贰拾伍元零肆分", []),
    ("10.00", "人民币壹拾元整", []),
    ("200000.00", "人民币贰拾万元整", []),
    ("1000500.00", "人民币壹佰万零伍佰元整", []),
    ("100010000.00", "人民币壹亿零壹万元整", []),
    ("120000300.00", "人民币壹亿贰仟万零叁佰元整", []),
    ("1070000000.00", "人民币壹拾亿柒仟万元整", ["壹拾亿零柒仟万元整"]),
    ("1230456789.01", "人民币壹拾贰亿叁仟零肆拾伍万陆仟柒佰捌拾玖元零壹分", []),
    (
        "1010.10",
        "人民币壹仟零壹拾元壹角",
        ["壹仟零壹拾元壹角整", "壹仟零壹拾元零壹角", "壹仟零壹拾元零壹角整"],
    ),
    ("0.50", "人民币伍角", ["伍角整"]),
    ("0.05", "人民币伍分", []),
    ("0.00", "人民币零元整", []),
]

ALL_SPELLINGS = [
    (numeric, spelling)
    for numeric, canonical, others in WORKED
    for spelling in [canonical, canonical.removeprefix("人民币"), *others]
]


@pytest.mark.parametrize(("numeric", "canonical", "others"), WORKED)
def test_worked_example_canonical(numeric: str, canonical: str, others: list[str]) -> None:
    expected = canonical.removeprefix("人民币")
    assert to_upper(Decimal(numeric)) == expected
    assert to_upper(_amount(numeric)) == expected


@pytest.mark.parametrize(("numeric", "spelling"), ALL_SPELLINGS)
def test_worked_example_spellings_are_accepted(numeric: str, spelling: str) -> None:
    assert parse_upper(spelling) == Decimal(numeric)
    assert upper_issues(spelling) == []
    assert upper_matches(spelling, Decimal(numeric))
    assert upper_matches(spelling, _amount(numeric))


@pytest.mark.parametrize(("numeric", "canonical", "others"), WORKED)
def test_variants_are_exactly_the_accepted_spellings(
    numeric: str, canonical: str, others: list[str]
) -> None:
    variants = upper_variants(Decimal(numeric))
    assert variants[0] == canonical.removeprefix("人民币")
    assert set(variants) == {canonical.removeprefix("人民币"), *others}


def test_zheng_after_jiao_required() -> None:
    assert to_upper(Decimal("1409.50"), zheng_after_jiao="required") == "壹仟肆佰零玖元伍角整"
    assert to_upper(Decimal("0.50"), zheng_after_jiao="required") == "伍角整"
    assert to_upper(Decimal("1409.55"), zheng_after_jiao="required") == "壹仟肆佰零玖元伍角伍分"
    assert _codes("壹仟肆佰零玖元伍角", zheng_after_jiao="required") == ["missing-zheng"]
    assert _codes("壹仟肆佰零玖元伍角整", zheng_after_jiao="required") == []
    assert upper_variants(Decimal("0.50"), zheng_after_jiao="required") == ["伍角整"]
    with pytest.raises(ValueError, match="zheng_after_jiao"):
        to_upper(1, zheng_after_jiao="sometimes")  # type: ignore[arg-type]


# §3.6: id, written, numeric in the contract, codes, what parse_upper returns, message part
NEGATIVE: list[tuple[str, str, str, list[str], Number | None, str]] = [
    ("N1", "壹万伍元", "10005.00", ["ambiguous"], None, "bare 伍 before 元 without 零"),
    ("N2", "壹佰伍元", "105.00", ["ambiguous"], None, "bare 伍 before 元 without 零"),
    ("N3", "壹仟伍万元整", "10050000.00", ["ambiguous"], None, "bare 伍 before 万 without 零"),
    ("N4", "壹仟伍拾元整", "1050.00", ["missing-zero"], 1050, "missing mandatory 零 before 伍拾"),
    (
        "N5",
        "壹亿壹万元整",
        "100010000.00",
        ["missing-zero"],
        100010000,
        "missing mandatory 零 before 壹万",
    ),
    ("N6", "壹拾万元", "100000.00", ["missing-zheng"], 100000, "missing 整 after 元"),
    (
        "N7",
        "叁佰贰拾伍元零肆分整",
        "325.04",
        ["zheng-after-fen"],
        Decimal("325.04"),
        "整 must not follow 分",
    ),
    ("N8", "拾元整", "10.00", ["head-shi"], 10, "head 拾 without 壹"),
    ("N9", "壹万零伍仟元整", "15000.00", ["extra-zero"], 15000, "expected one of: 壹万伍仟元整"),
    ("N10", "贰拾万元整", "20000.00", [], 200000, ""),
    ("N11", "一万元整", "10000.00", ["malformed"], None, "forbidden characters: 一"),
    ("N12", "壹佰贰仟元", "102000.00", ["malformed"], None, "units not descending at 3"),
    ("N13", "壹萬圓正", "10000.00", [], 10000, ""),
]


@pytest.mark.parametrize(
    ("vid", "text", "numeric", "codes", "parsed", "message"),
    NEGATIVE,
    ids=[row[0] for row in NEGATIVE],
)
def test_negative_vectors(
    vid: str, text: str, numeric: str, codes: list[str], parsed: Number | None, message: str
) -> None:
    issues = upper_issues(text)
    assert [i.code for i in issues] == codes
    assert message in " ".join(i.message for i in issues)
    assert parse_upper(text) == parsed
    if parsed is not None:
        assert type(parse_upper(text)) is type(parsed)
    # a readable text matches the figure exactly when it writes that amount
    assert upper_matches(text, Decimal(numeric)) is (parsed == Decimal(numeric))


def test_n10_is_a_mismatch() -> None:
    assert parse_upper("贰拾万元整") == 200000
    assert upper_matches("贰拾万元整", Decimal("20000.00")) is False
    assert upper_matches("人民币贰拾万元整", 200000) is True


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("人民币（大写）：壹拾万元整", 100000),
        ("人民币(大写):壹拾万元整", 100000),
        ("大写：人民币壹拾万元整", 100000),
        ("壹 拾 万 元 整", 100000),
        ("  人民币壹拾万元整\u3000", 100000),
        ("人民币壹拾万元正", 100000),
        ("壹拾万圆整", 100000),
        ("壹拾萬元整", 100000),
        ("貳佰陸拾元整", 260),
        ("壹億零壹萬圓正", 100010000),
    ],
)
def test_normalisation_accepts_labels_blanks_and_variants(text: str, amount: int) -> None:
    assert parse_upper(text) == amount
    assert upper_issues(text) == []
    assert upper_matches(text, amount)


@pytest.mark.parametrize(
    "text", ["人民币 壹拾万元整", "人民币\u3000壹拾万元整", "人民币： 壹拾万元整"]
)
def test_blank_after_prefix(text: str) -> None:
    assert _codes(text) == ["blank-after-prefix"]
    assert parse_upper(text) == 100000
    assert upper_matches(text, 100000)


@pytest.mark.parametrize(
    ("text", "codes", "parsed"),
    [
        ("壹元贰分", ["missing-zero"], Decimal("1.02")),
        ("壹仟伍元整", ["ambiguous"], None),
        ("壹拾万伍元整", ["ambiguous"], None),
        ("壹万伍仟伍元整", ["ambiguous"], None),
        ("壹亿伍万元整", ["missing-zero"], 100050000),
        ("零元伍角", ["extra-zero"], Decimal("0.50")),
        ("零伍分", ["extra-zero"], Decimal("0.05")),
        ("壹拾万零元整", ["extra-zero"], 100000),
        ("壹万零零伍元整", ["extra-zero"], 10005),
        ("零零元整", ["extra-zero"], 0),
        ("壹元零角伍分", ["extra-zero"], Decimal("1.05")),
        ("壹元伍角零分", ["extra-zero"], Decimal("1.50")),
        ("壹元零", ["extra-zero", "missing-zheng"], 1),
        ("壹仟肆佰零玖元零伍角", ["extra-zero"], Decimal("1409.50")),
        ("零元", ["missing-zheng"], 0),
        ("拾元", ["head-shi", "missing-zheng"], 10),
        ("拾伍万元整", ["head-shi"], 150000),
        ("人民币 壹仟伍拾元", ["blank-after-prefix", "missing-zero", "missing-zheng"], 1050),
        ("人民币 壹万伍元", ["blank-after-prefix", "ambiguous"], None),
    ],
)
def test_style_and_error_issues(text: str, codes: list[str], parsed: Number | None) -> None:
    assert _codes(text) == codes
    assert parse_upper(text) == parsed


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no amount"),
        ("人民币", "no amount"),
        ("100000元", "forbidden characters: 1 0"),
        ("壹拾万", "does not end with 元, 角 or 分"),
        ("整", "整 without 元"),
        ("壹元伍", "伍 at the end has no unit"),
        ("壹拾万元整整", "整 must be the last character"),
        ("壹元整伍角", "整 must be the last character"),
        ("壹亿万元整", "万 without digits"),
        ("壹万亿元整", "section units not descending"),
        ("伍角元", "元 after 角"),
        ("零佰元", "零 cannot take the unit 佰"),
        ("壹拾伍角", "missing 元 before 角"),
        ("伍分伍角", "digit after 分"),
        ("佰元整", "unit 佰 without a digit"),
        ("壹拾拾元", "unit 拾 without a digit"),
        ("壹元角", "角 without a digit"),
        ("壹贰元", "two digits in a row"),
        ("壹拾万两千元", "forbidden characters: 两 千"),
        ("伍毛", "forbidden characters: 毛"),
        ("¥壹拾元整", "forbidden characters: ¥"),
    ],
)
def test_malformed(text: str, message: str) -> None:
    issues = upper_issues(text)
    assert [i.code for i in issues] == ["malformed"]
    assert message in issues[0].message
    assert parse_upper(text) is None
    assert upper_matches(text, 0) is False


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (0, "零元整"),
        (1, "壹元整"),
        (15, "壹拾伍元整"),
        (100000, "壹拾万元整"),
        (Decimal("1234.56"), "壹仟贰佰叁拾肆元伍角陆分"),
        (Decimal("1.500"), "壹元伍角"),
        (Decimal("-0"), "零元整"),
        (100000005, "壹亿零伍元整"),
        (107000, "壹拾万柒仟元整"),
        (100007000, "壹亿柒仟元整"),
        (1005000000, "壹拾亿零伍佰万元整"),
        (999999999999, "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元整"),
        (Decimal("0.01"), "壹分"),
        (Decimal("10.10"), "壹拾元壹角"),
    ],
)
def test_to_upper(amount: Number, expected: str) -> None:
    assert to_upper(amount) == expected
    assert parse_upper(expected) == amount


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (-1, "negative"),
        (Decimal("-0.01"), "negative"),
        (Decimal("1.005"), "more than 2 decimals"),
        (Decimal("0.001"), "more than 2 decimals"),
        (10**12, "out of range"),
        (Decimal("1E+12"), "out of range"),
        (Decimal("NaN"), "not a finite"),
        (Decimal("Infinity"), "not a finite"),
    ],
)
def test_to_upper_rejects(amount: Number, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        to_upper(amount)
    assert upper_matches("零元整", amount) is False


def test_to_upper_rejects_non_numbers() -> None:
    with pytest.raises(TypeError):
        to_upper(True)
    with pytest.raises(TypeError):
        to_upper(1.5)  # type: ignore[arg-type]


def test_parse_result_types() -> None:
    assert type(parse_upper("壹拾万元整")) is int
    value = parse_upper("伍角")
    assert isinstance(value, Decimal)
    assert str(value) == "0.50"
    assert str(parse_upper("壹仟贰佰叁拾肆元伍角陆分")) == "1234.56"


def test_issue_codes_table() -> None:
    assert ERROR_CODES.issubset(ISSUE_CODES)
    for code in (
        "malformed",
        "ambiguous",
        "missing-zero",
        "extra-zero",
        "missing-zheng",
        "zheng-after-fen",
        "head-shi",
        "blank-after-prefix",
    ):
        assert ISSUE_CODES[code]
    seen = {c for row in NEGATIVE for c in row[3]}
    assert seen <= set(ISSUE_CODES)


def test_issue_is_a_frozen_value() -> None:
    issue = upper_issues("拾元整")[0]
    assert issue == Issue("head-shi", issue.message)
    assert str(issue).startswith("head-shi: ")
    with pytest.raises(AttributeError):
        issue.code = "x"  # type: ignore[misc]


_CENTS = st.integers(min_value=0, max_value=10**14 - 1)


@settings(max_examples=examples(5))
@given(_CENTS)
def test_round_trip(cents: int) -> None:
    amount = Decimal(cents).scaleb(-2)
    text = to_upper(amount)
    assert parse_upper(text) == amount
    assert upper_issues(text) == []
    assert upper_matches("人民币" + text, amount)


@settings(max_examples=examples(3))
@given(_CENTS)
def test_every_variant_round_trips(cents: int) -> None:
    amount = Decimal(cents).scaleb(-2)
    for text in upper_variants(amount):
        assert parse_upper(text) == amount
        assert upper_issues(text) == []


@settings(max_examples=examples(3))
@given(st.text(alphabet="零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整", max_size=14))
def test_reader_and_reporter_agree(text: str) -> None:
    codes = set(_codes(text))
    value = parse_upper(text)
    assert (value is None) == bool(codes & ERROR_CODES)
    if value is not None and not codes:
        assert text in upper_variants(value)


def test_a_text_is_read_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rules read the same uppercase amount several times (its issues, its value, whether it
    matches its figure): it is read once; a very long text is not kept."""
    from checker.lang import cnupper

    read: list[str] = []
    normalise = cnupper._normalise

    def counting(text: str) -> tuple[str, bool]:
        read.append(text)
        return normalise(text)

    monkeypatch.setattr(cnupper, "_normalise", counting)
    cnupper._read_short.cache_clear()
    text = "人民币壹万贰仟元"
    for _ in range(2):
        assert upper_issues(text) == [Issue("missing-zheng", "missing 整 after 元")]
        assert parse_upper(text) == 12000
        assert upper_matches(text, 12000)
    assert read == [text]
    long = "人民币" + " " * 70 + "壹元整"
    for _ in range(2):
        assert parse_upper(long) == 1
    assert read == [text, long, long]


def test_variants_are_a_fresh_list_each_time() -> None:
    first = upper_variants(Decimal("1.50"))
    first.clear()
    assert upper_variants(Decimal("1.50")) == ["壹元伍角", "壹元伍角整"]
