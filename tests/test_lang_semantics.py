"""Operator and function semantics, run through both evaluators (compiled and interpreted)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from conftest import evaluate

from checker.lang import Duration, Money

D = Decimal
DATA: dict[str, Any] = {
    "payment": {
        "installments": [
            {"percent": 30, "amount": 30000, "trigger": "signing"},
            {"percent": 60, "amount": 60000, "trigger": "acceptance"},
        ]
    },
    "fee": {"total": 100000, "currency": "CNY"},
    "rate": D("0.03"),
    "float_rate": 0.05,
    "name": "华东智能制造有限公司",
    "blank_name": "   ",
    "placeholder": "____",
    "nothing": None,
    "flag": True,
    "tags": ["a", "b", "a"],
    "m": {"key-with-dash": 1, "in": 2},
    "start": dt.date(2025, 1, 31),
    "term": "3年",
    "amount_text": "人民币100,000元",
    "upper": "壹拾万元整",
    "mixed": [1, "x"],
}


def M(n: Any, c: str = "CNY") -> Money:
    return Money(n, c)


VALUES = [
    # numbers are exact decimals
    ("0.1 + 0.2 == 0.3", True),
    ("33.3 + 33.3 + 33.4 == 100", True),
    ("1_000_000", 1000000),
    ("-2", -2),
    ("7 / 2", D("3.5")),
    ("6 / 3", 2),
    ("2 * 3 + 1", 7),
    ("2 * (3 + 1)", 8),
    ("10 - 2 - 3", 5),
    ("-(1 - 3)", 2),
    ("1 / 3 * 3 == 1", False),
    # strings
    ('"保密期限"', "保密期限"),
    ("'text'", "text"),
    (r'"a\n\t\"\\\u4e2d"', 'a\n\t"\\中'),
    ('"ab" + "cd"', "abcd"),
    ('"b" in "abc"', True),
    ('"abc" matches "b"', True),
    ('"abc" matches "^b"', False),
    ('name matches "有限公司$"', True),
    # null and bool
    ("nothing == null", True),
    ("name == null", False),
    ("nothing != null", False),
    ("not flag", False),
    ("true and false", False),
    ("true or false", True),
    ("false implies false", True),
    ("true implies false", False),
    ("true implies true implies false", False),
    ("false implies true implies false", True),
    # dates and durations
    ("2025-01-31", dt.date(2025, 1, 31)),
    ("2025-01-31 + 1 month", dt.date(2025, 2, 28)),
    ("2024-01-31 + 1 month", dt.date(2024, 2, 29)),
    ("start + 1 year", dt.date(2026, 1, 31)),
    ("start + 30 days", dt.date(2025, 3, 2)),
    ("start + 2 weeks", dt.date(2025, 2, 14)),
    ("2025-01-31 + 1 working day", dt.date(2025, 2, 3)),
    ("2025-02-03 + 5 working days", dt.date(2025, 2, 10)),
    ("2025-02-10 - 5 working days", dt.date(2025, 2, 3)),
    ("2025-03-01 - 2025-01-31", Duration(29, "days")),
    ("2025-03-01 - 1 month", dt.date(2025, 2, 1)),
    ("36 months == 3 years", True),
    ("3 years > 35 months", True),
    ("14 days == 2 weeks", True),
    ("1 year + 6 months", Duration(18, "months")),
    ("2 years * 2", Duration(48, "months")),
    ("3 years / 1 year", 3),
    ("15 working days < 20 working days", True),
    ("duration(term) >= 2 years", True),
    ('duration("P18M")', Duration(18, "months")),
    ('duration("15个工作日")', Duration(15, "working_days")),
    ('duration("30天") == 30 days', True),
    ("years(36 months)", 3),
    ("months(2 years)", 24),
    ("days(2 weeks)", 14),
    ("working_days(15 working days)", 15),
    ("days_between(2025-01-01, 2025-03-01)", 59),
    ("days_between(2025-03-01, 2025-01-01)", -59),
    ("months_between(2025-01-31, 2025-02-28)", 1),  # = 2025-01-31 + 1 month (clamped)
    ("months_between(2025-01-31, 2025-02-27)", 0),
    ("months_between(2025-01-31, 2025-03-31)", 2),
    ("months_between(2025-01-15, 2026-01-15)", 12),
    ("months_between(2026-01-15, 2025-01-14)", -12),
    ('date("2025年1月31日") == 2025-01-31', True),
    ("today()", dt.date(2025, 6, 1)),
    # money
    ("CNY 100 + CNY 2.5", M(D("102.5"))),
    ("CNY 1_000.50", M(D("1000.50"))),
    ("CNY 100 * 3", M(300)),
    ("3 * CNY 100", M(300)),
    ("CNY 100 / 4", M(25)),
    ("CNY 100 / CNY 400", D("0.25")),
    ("CNY 100 < CNY 200", True),
    ("USD 20 == USD 20.00", True),
    ("amount(CNY 5)", 5),
    ("currency(USD 20)", "USD"),
    ("money(amount_text) == CNY 100000", True),
    ('money("¥1,000.00")', M(D("1000.00"))),
    ('money("RMB 5,000")', M(5000)),
    ('money("100000元")', M(100000)),
    ("-CNY 5", M(-5)),
    ("abs(-CNY 5)", M(5)),
    # lists, paths, projections, filters
    ("[1, 2, 3]", [1, 2, 3]),
    ("[1, 2] + [3]", [1, 2, 3]),
    ("payment.installments[0].percent", 30),
    ("payment.installments[-1].percent", 60),
    ("payment.installments[*].percent", [30, 60]),
    ('payment["installments"][1]["amount"]', 60000),
    ('m["key-with-dash"]', 1),
    ('m["in"]', 2),
    ('payment.installments[? @.trigger == "acceptance"][0].amount', 60000),
    ("payment.installments[? @.percent > 100]", []),
    ("payment.installments[? @.percent >= 30][*].trigger", ["signing", "acceptance"]),
    ("contract.fee.total", 100000),
    ('"fee" in contract', True),
    ('"b" in tags', True),
    ('"z" not in tags', True),
    ("2 in [1, 2]", True),
    # comparisons chain
    ("0 <= rate <= 0.05", True),
    ("0 <= float_rate <= 0.05", True),
    ("float_rate == 0.05", True),
    ("0 < 1 < 1", False),
    ("1 < 2 > 1", True),
    ("rate * 100 == 3", True),
    # ?? and if
    ("missing_key ?? 3", 3),
    ("nothing ?? 3", 3),
    ("rate ?? 3", D("0.03")),
    ("payment.nope ?? payment.installments[0].percent", 30),
    ("if flag then 1 else 2", 1),
    ("if not flag then 1 else if true then 2 else 3", 2),
    # quantifiers
    ("all i in payment.installments: i.percent > 0", True),
    ("any i in payment.installments: i.percent > 50", True),
    ("none i in payment.installments: i.percent > 60", True),
    ("all x in []: false", True),
    ("any x in []: true", False),
    ("all i in payment.installments: any j in payment.installments: j.percent >= i.percent", True),
    ("all x in [1, 2]: x > 0 and x < 3", True),
    # aggregates
    ("sum(payment.installments[*].percent)", 90),
    ("sum([])", 0),
    ("sum([CNY 1, CNY 2])", M(3)),
    ("sum([1 year, 6 months])", Duration(18, "months")),
    ("count(payment.installments)", 2),
    ("min([3, 1, 2])", 1),
    ("max([2025-01-01, 2025-06-01])", dt.date(2025, 6, 1)),
    ("avg([1, 2])", D("1.5")),
    ("len(name)", 10),
    ("len(tags)", 3),
    ("len(m)", 2),
    ("distinct(tags)", ["a", "b"]),
    ("unique(tags)", False),
    ("unique([1, 2])", True),
    ("compact([1, nothing, missing_key, 2])", [1, 2]),
    ("flatten([[1], [2, 3], 4])", [1, 2, 3, 4]),
    ('join(tags, "、")', "a、b、a"),
    ("join([1, CNY 5])", "1, CNY 5.00"),
    ("join([])", ""),
    ("keys(fee)", ["total", "currency"]),
    # presence
    ("exists(fee.total)", True),
    ("exists(fee.nope)", False),
    ("exists(nothing)", True),
    ("exists(nothing.deeper)", False),
    ("blank(blank_name)", True),
    ("blank(placeholder)", True),
    ("blank(nothing)", True),
    ("blank(missing_key)", True),
    ("blank(name)", False),
    ("blank([])", True),
    # strings
    ('lower("ABC")', "abc"),
    ('upper("abc")', "ABC"),
    ('trim("  a  ")', "a"),
    ('contains("abc", "b")', True),
    ('contains(tags, "b")', True),
    ('starts_with(name, "华东")', True),
    ('ends_with(name, "公司")', True),
    ('matches("CNY 100", "^[A-Z]{3} ")', True),
    ('replace("北京 云帆 (集团)", "[\\\\s()]+", "")', "北京云帆集团"),
    ('replace("a1b22", "[0-9]+", "\\\\1")', "a\\1b\\1"),  # the replacement is literal
    ('replace(name, "有限公司$", "")', "华东智能制造"),
    # numbers
    ("round(2.345, 2)", D("2.35")),
    ("round(2.5)", 3),
    ("round(-2.5)", -3),
    ("round(CNY 1.005, 2)", M(D("1.01"))),
    ("abs(-3)", 3),
    # Chinese drafting
    ("cny_upper(100000)", "壹拾万元整"),
    ("cny_upper(1234.56)", "壹仟贰佰叁拾肆元伍角陆分"),
    ("cny_upper(CNY 10)", "壹拾元整"),
    ("cny_upper_matches(upper, 100000)", True),
    ('cny_upper_matches("人民币 壹拾万元正", CNY 100000)', True),
    ("cny_upper_matches(upper, 20000)", False),
    ("parse_cny_upper(upper)", 100000),
    ('cny_upper_issues("壹拾万元")', ["missing-zheng"]),
    ("cny_upper_issues(upper)", []),
    ('cny_upper(1409.5, "required")', "壹仟肆佰零玖元伍角整"),
    ('cny_upper_issues("壹仟肆佰零玖元伍角")', []),
    ('cny_upper_issues("壹仟肆佰零玖元伍角", "required")', ["missing-zheng"]),
    ('cn_number("百分之三十")', 30),
    ('cn_number("叁年")', 3),
    ('cn_number("十五个工作日")', 15),
    ('cn_number("千分之五")', 5),
    ('cn_number("零点五")', D("0.5")),
    ('uscc_valid("91320506MA1MXK3P78")', True),
    ('uscc_valid("91350100M000100Y43")', True),
    ('uscc_valid(" 91350100m000100y43 ")', True),
    ('uscc_valid("91350100M000100Y44")', False),  # wrong check character
    ('uscc_valid("91350100M000100Y4")', False),  # 17 characters
    ('uscc_valid("9135010OM000100Y43")', False),  # O is not in the code's alphabet
]


@pytest.mark.parametrize(("text", "expected"), VALUES, ids=[t for t, _ in VALUES])
def test_value(text: str, expected: Any) -> None:
    out = evaluate(text, DATA)
    assert out.error is None and out.missing is None, out
    assert out.value == expected
    assert type(out.value) is type(expected) or isinstance(expected, int | Decimal)


MISSING = [
    ("payment.nope", ["payment.nope"]),
    ("payment.installments[5].percent", ["payment.installments[5]"]),
    (
        "sum(payment.installments[*].nope)",
        ["payment.installments[0].nope", "payment.installments[1].nope"],
    ),
    ("missing_key + 1", ["missing_key"]),
    ("missing_key == null", ["missing_key"]),
    ("not missing_key", ["missing_key"]),
    ("true and missing_key", ["missing_key"]),
    ("false or missing_key", ["missing_key"]),
    ("missing_key implies true", []),  # true wins implies: see VALUES-like check below
    (
        "all i in payment.installments: i.nope > 1",
        ["payment.installments[0].nope", "payment.installments[1].nope"],
    ),
    (
        "any i in payment.installments: i.nope > 1",
        ["payment.installments[0].nope", "payment.installments[1].nope"],
    ),
    ("all x in missing_list: x", ["missing_list"]),
    ("min([])", []),
    ("avg([])", []),
    ("count([1, missing_key])", ["missing_key"]),
    ('join(["a", missing_key])', ["missing_key"]),
    ('duration("about three years")', []),
    ('money("a lot")', []),
    ('money("Fee 5")', []),  # not a currency code: not guessed
    ('cn_number("abc")', []),
    ('date("someday")', []),
    ('parse_cny_upper("一万元")', []),
    ("if missing_key then 1 else 2", ["missing_key"]),
    ("nothing.deeper", ["nothing.deeper"]),
    ('if flag then missing("no unit") else 1', []),
    (
        "payment.installments[? @.nope == 1]",
        ["payment.installments[0].nope", "payment.installments[1].nope"],
    ),
]


@pytest.mark.parametrize(("text", "paths"), MISSING, ids=[t for t, _ in MISSING])
def test_missing(text: str, paths: list[str]) -> None:
    out = evaluate(text, DATA)
    if text == "missing_key implies true":
        assert out.value is True
        return
    assert out.missing is not None, out
    assert list(out.missing.paths) == paths
    if not paths:
        assert out.missing.reasons  # a parse failure or an empty list says why


def test_short_circuit_cases() -> None:
    assert evaluate("false and missing_key", DATA).value is False
    assert evaluate("missing_key and false", DATA).value is False
    assert evaluate("true or missing_key", DATA).value is True
    assert evaluate("missing_key or true", DATA).value is True
    assert evaluate("all i in [1, missing_key]: i > 5", DATA).value is False
    assert evaluate("any i in [missing_key, 9]: i > 5", DATA).value is True


def test_absent_percentage_cannot_make_a_sum_pass() -> None:
    data = {"installments": [{"percent": 40}, {"percent": 60}, {}]}
    out = evaluate("sum(installments[*].percent) == 100", data)
    assert out.missing is not None and out.missing.paths == ("installments[2].percent",)
    out = evaluate("sum(compact(installments[*].percent)) == 100", data)
    assert out.value is True


def test_missing_on_purpose_carries_its_reason() -> None:
    out = evaluate('if flag then missing("the rate has no unit") else 1', DATA)
    assert out.missing is not None and out.missing.reasons == ("the rate has no unit",)


def test_missing_reason_is_kept() -> None:
    out = evaluate('duration("about three years")', DATA)
    assert out.missing is not None
    assert out.missing.reasons[0].startswith('cannot read "about three years" as a duration')
    out = evaluate("min([])", DATA)
    assert out.missing is not None and out.missing.reasons == ("min() of an empty list",)


ERRORS = [
    ("1 / 0", "division by zero"),
    ("CNY 1 / 0", "division by zero"),
    ("name == 1", 'cannot compare string "华东智能制造有限公司" with number 1'),
    ("mixed[0] + mixed[1]", 'cannot apply `+` to number 1 and string "x"'),
    ("sum(mixed)", 'sum() needs numbers, money or durations, found string "x"'),
    (
        "payment.installments.percent",
        "cannot read `.percent` of list payment.installments (use `[*]` to read it from every item)",
    ),
    (
        "if name then 1 else 2",
        'the condition of `if` must be true or false, found string "华东智能制造有限公司"',
    ),
    ("name and true", "the left side of `and` must be true or false"),
    (
        "duration(term) + 1 day",
        "cannot apply `+` to 3 years and 1 day: months, days and working days do not convert into each other",
    ),
    ("duration(term) > 10 days", "cannot compare 3 years with 10 days using `>`"),
    ("money(amount_text) + USD 1", "currencies differ"),
    ("all x in name: x", "needs a list, found string"),
    ("tags[0.5]", "a list index must be a whole number, found 0.5"),
    ('years(duration("30天"))', "years() cannot express 30 days in that unit"),
    ("cny_upper(USD 5)", "cny_upper() needs CNY money, found USD 5.00"),
    ("name matches rate", "`matches` needs a pattern string on the right, found number"),
    ('replace(name, "(", "")', "invalid pattern"),
    ('replace(rate, "1", "")', "replace() needs a string"),
]


@pytest.mark.parametrize(("text", "message"), ERRORS, ids=[t for t, _ in ERRORS])
def test_runtime_error(text: str, message: str) -> None:
    out = evaluate(text, DATA)
    assert out.error is not None, out
    assert message in out.error


def test_python_floats_read_through_shortest_repr() -> None:
    assert evaluate("x * 3 == 0.3", {"x": 0.1}).value is True
    assert evaluate("x + y == 0.3", {"x": 0.1, "y": 0.2}).value is True
    assert evaluate("sum(xs) == 0.6", {"xs": [0.1, 0.2, 0.3]}).value is True


def test_bool_is_not_a_number() -> None:
    out = evaluate("flag + 1", DATA)
    assert out.error is not None and "cannot apply `+` to bool true and number 1" in out.error
    assert evaluate("flag == 1", DATA).error is not None


def test_quantifier_variable_shadows_data_and_restores() -> None:
    data = {"x": 5, "xs": [1, 2]}
    assert evaluate("(all x in xs: x < 3) and x == 5", data).value is True


def test_let_names_resolve_before_data() -> None:
    from checker.lang import Program

    p = Program()
    p.add_let("total", "sum(payment.installments[*].percent)")
    p.add_let("fee", "1")
    out = evaluate("total == 90 and fee == 1", DATA, program=p)
    assert out.value is True


def test_params() -> None:
    from checker.lang import Program, types

    p = Program(param_types={"min_term": types.DURATION})
    out = evaluate(
        "duration(term) >= params.min_term",
        DATA,
        program=p,
        params={"min_term": Duration(24, "months")},
    )
    assert out.value is True


def test_a_let_sees_only_the_lets_before_it() -> None:
    from checker.lang import Program

    p = Program()
    p.add_let("a", "b + 1")  # `b` is not a let yet here: the data key
    p.add_let("b", "10")
    assert evaluate("a", {"b": 1}, program=p).value == 2
    assert evaluate("b", {"b": 1}, program=p).value == 10


def test_lists_holding_missing_items_are_not_equal_or_unequal() -> None:
    out = evaluate("[1, x] != [1, 2]", {})
    assert out.missing is not None and out.missing.paths == ("x",)
    assert evaluate("[x] == [x]", {}).missing is not None
    assert evaluate("len([1, x])", {}).missing is not None


def test_a_null_list_reads_as_missing_everywhere() -> None:
    for text in ("xs[*].a", "xs[? true]", "all x in xs: true", "any x in xs: true"):
        out = evaluate(text, {"xs": None})
        assert out.missing is not None and out.missing.paths == ("xs",), text


def test_enum_literals_in_a_list_and_contains_items_are_checked() -> None:
    from checker.lang import ExprTypeError, Program

    p = Program.from_schema(
        {
            "properties": {
                "m": {"enum": ["arbitration", "litigation"]},
                "xs": {"type": "array", "items": {"type": "string"}},
            }
        }
    )
    with pytest.raises(ExprTypeError, match='"arbitraton" is not one of the values'):
        p.compile('m in ["arbitraton", "litigation"]')
    with pytest.raises(ExprTypeError, match="expected an item of the list's type"):
        p.compile("contains(xs, 1)")


def test_messages_say_null_once() -> None:
    out = evaluate("sum([1, null])", {})
    assert out.error == "sum() needs numbers, money or durations, found null"


def test_a_map_holding_a_missing_value_is_still_not_null() -> None:
    from checker.lang import Missing

    data = {"fees": {"total": Missing(["fees.total"], ["unreadable"])}}
    assert evaluate("fees != null", data).value is True
    assert evaluate("fees == null", data).value is False


def test_month_lengths_are_the_calendars() -> None:
    import calendar

    from checker.lang.ops import _month_days

    for year in (1, 4, 100, 400, 1900, 2000, 2023, 2024, 2100, 9999):
        for month in range(1, 13):
            assert _month_days(year, month) == calendar.monthrange(year, month)[1]
