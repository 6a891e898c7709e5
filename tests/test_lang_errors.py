"""Syntax and type errors: every diagnostic asserted to its line and column, with its message."""

from __future__ import annotations

import pytest

from checker.lang import ExprError, ExprSyntaxError, ExprTypeError, Program, types
from checker.lang.nodes import Literal
from checker.lang.parser import MAX_DEPTH, MAX_LENGTH, parse

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "confidentiality": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "term": {"type": "string", "x-type": "duration"},
                "survives_termination": {"type": "boolean"},
            },
        },
        "fee": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"total": {"x-type": "money"}, "note": {"type": "string"}},
        },
        "payment": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "installments": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            "percent": {"type": "number"},
                            "due": {"type": "string", "format": "date"},
                            "trigger": {"enum": ["signing", "acceptance", "delivery"]},
                        },
                    },
                }
            },
        },
        "dispute": {
            "type": "object",
            "properties": {"method": {"type": "string", "enum": ["arbitration", "litigation"]}},
        },
        "notice": {"type": "string", "x-type": "duration"},
    },
}


def program() -> Program:
    return Program.from_schema(SCHEMA, param_types={"min_term": types.DURATION})


def diagnostics(text: str, p: Program | None = None) -> list[tuple[int, int, str, str | None]]:
    with pytest.raises(ExprError) as info:
        (p or program()).compile(text)
    return [(d.line, d.column, d.message, d.hint) for d in info.value.diagnostics]


def test_the_language_md_example() -> None:
    [(line, col, msg, hint)] = diagnostics("confidentiality.term >= 2")
    assert (line, col) == (1, 25)
    assert msg == "expected a duration on the right of `>=`, found number"
    assert hint == "write `2 years`"


def test_render_has_caret_under_the_column() -> None:
    with pytest.raises(ExprTypeError) as info:
        program().compile("confidentiality.term >= 2")
    assert info.value.render("pack.yaml") == (
        "pack.yaml:1:25: expected a duration on the right of `>=`, found number\n"
        "    confidentiality.term >= 2\n"
        "                            ^\n"
        "hint: write `2 years`"
    )


TYPE_ERRORS = [
    (
        "confidentialty.term >= 2 years",
        1,
        1,
        "unknown field `confidentialty` in the contract",
        "did you mean `confidentiality`?",
    ),
    (
        "confidentiality.trem >= 2 years",
        1,
        17,
        "unknown field `trem` in `confidentiality`",
        "did you mean `term`?",
    ),
    (
        "payment.installments[*].precent",
        1,
        25,
        "unknown field `precent` in `payment.installments[*]`",
        "did you mean `percent`?",
    ),
    (
        "3 years >= 10 days",
        1,
        12,
        "cannot compare duration (years/months) with duration (days) using `>=`",
        "months, days and working days do not convert into each other",
    ),
    (
        "fee.total > 100",
        1,
        13,
        "expected money on the right of `>`, found number",
        "write `CNY 100`",
    ),
    (
        "fee.total == 5 days",
        1,
        14,
        "expected money on the right of `==`, found duration (days)",
        None,
    ),
    ("fee.note < 3", 1, 12, "expected a string on the right of `<`, found number", None),
    (
        'dispute.method == "arbitraton"',
        1,
        19,
        '"arbitraton" is not one of the values the schema allows here ("arbitration", "litigation")',
        'did you mean "arbitration"?',
    ),
    ('payment.installments[0].trigger == "sign"', 1, 36, '"sign" is not one of the values', None),
    (
        "sun(payment.installments[*].percent) == 100",
        1,
        1,
        "unknown function `sun`",
        "did you mean `sum`?",
    ),
    (
        "sum(1, 2)",
        1,
        1,
        "sum() takes 1 argument, found 2",
        "signature: sum(list) -> number | money | duration",
    ),
    ("sum(fee.note)", 1, 5, "sum(): expected a list, found string", None),
    (
        "years(30 days)",
        1,
        7,
        "years(): needs a duration in months, found duration (days)",
        None,
    ),
    ('fee.note matches "(a"', 1, 18, 'invalid regular expression "(a"', None),
    ('matches(fee.note, "a)")', 1, 19, 'invalid regular expression "a)"', None),
    (
        "payment.installments.percent",
        1,
        22,
        "cannot read `.percent` of a list",
        "write `[*].percent` to read it from every item",
    ),
    ("if fee.note then 1 else 2", 1, 4, "the condition of `if` must be a bool, found string", None),
    ("fee.note and true", 1, 1, "the left side of `and` must be a bool, found string", None),
    (
        "all i in payment.installments: i.percent",
        1,
        32,
        "the body of `all` must be a bool, found number",
        None,
    ),
    ("all i in fee.note: true", 1, 10, "`all … in` needs a list, found string", None),
    ("@.x", 1, 1, "`@` is only meaningful inside a filter `[? …]`", None),
    ("params.min_trm > 1 year", 1, 8, "unknown parameter `min_trm`", "did you mean `min_term`?"),
    (
        "params.min_term > 3",
        1,
        19,
        "expected a duration on the right of `>`, found number",
        "write `3 years`",
    ),
    ("1 year + CNY 5", 1, 1, "cannot add duration (years/months) and money (CNY)", None),
    ("CNY 5 + USD 5", 1, 1, "cannot add money (CNY) and money (USD): currencies differ", None),
    (
        "1 year + 5 days",
        1,
        1,
        "cannot add duration (years/months) and duration (days)",
        "months, days and working days do not convert into each other",
    ),
    ('"a" in 5', 1, 8, "`in` needs a list, a map or a string on the right, found number", None),
    (
        '1 in ["a", "b"]',
        1,
        1,
        "`in` a list of string needs a string on the left, found number",
        None,
    ),
    ("-fee.note", 1, 2, "cannot negate string", None),
    ("not 3", 1, 5, "the operand of `not` must be a bool, found number", None),
    ("2025-01-01 - 3", 1, 1, "cannot subtract date and number", None),
]


@pytest.mark.parametrize(
    ("text", "line", "col", "message", "hint"), TYPE_ERRORS, ids=[t[0] for t in TYPE_ERRORS]
)
def test_type_error(text: str, line: int, col: int, message: str, hint: str | None) -> None:
    found = diagnostics(text)
    assert (found[0][0], found[0][1]) == (line, col), found
    assert found[0][2].startswith(message), found
    if hint is not None:
        assert found[0][3] == hint


@pytest.mark.parametrize(
    "text",
    [
        "notice + 1 year",  # `notice` is a duration whose family the schema does not fix
        'years(duration("30天"))',  # the family of a parsed duration is known at run time
    ],
)
def test_no_type_error_when_the_types_may_fit(text: str) -> None:
    assert program().compile(text).type.kind in ("duration", "number")


def test_all_errors_of_an_expression_are_reported_at_once() -> None:
    text = "confidentialty.term >= 2 years and\n  fee.total > 100 and\n  sun([1]) == 1"
    found = diagnostics(text)
    assert [(line, col) for line, col, _, _ in found] == [(1, 1), (2, 15), (3, 3)]


def test_literals_are_checked_without_a_schema() -> None:
    p = Program()
    found = diagnostics('3 years > 10 days or 1 + "a" == 2 or x > 5 years', p)
    assert [m for _, _, m, _ in found] == [
        "cannot compare duration (years/months) with duration (days) using `>`",
        "cannot add number and string",
    ]
    p.compile('x > 5 years and y == "a"')  # unknown data: no error until run time


SYNTAX = [
    ("1 +", 1, 4, "syntax error: unexpected end of expression"),
    ("a = b", 1, 3, "syntax error: unexpected character '='"),
    ("a b", 1, 3, "syntax error: unexpected `b`"),
    ("3years", 1, 1, "syntax error: unexpected character '3'"),
    ("CNy 3", 1, 1, "syntax error: `CNy 3`: a name followed by a number is only valid as money"),
    ("2025-02-30", 1, 1, "syntax error: 2025-02-30 is not a calendar date"),
    ('"abc', 1, 1, "syntax error: unexpected character '\"'"),
    ("x.in", 1, 3, "syntax error: `in` is a reserved word and cannot be used as a name"),
    ('"\\q"', 1, 2, "syntax error: unknown escape `\\q` in a string"),
    ("all x in xs x > 1", 1, 13, "syntax error: unexpected `x`"),
    ("(1 + 2", 1, 7, "syntax error: unexpected end of expression"),
    ("a and\n  or b", 2, 3, "syntax error: unexpected `or`"),
    ("3 yeras", 1, 1, "syntax error: `3 yeras`: unknown duration unit `yeras`"),
]


@pytest.mark.parametrize(("text", "line", "col", "message"), SYNTAX, ids=[s[0] for s in SYNTAX])
def test_syntax_error(text: str, line: int, col: int, message: str) -> None:
    with pytest.raises(ExprSyntaxError) as info:
        parse(text)
    [d] = info.value.diagnostics
    assert (d.line, d.column) == (line, col), d
    assert d.message.startswith(message), d.message


def test_hints_for_common_slips() -> None:
    with pytest.raises(ExprSyntaxError) as info:
        parse("a = 1")
    assert info.value.diagnostics[0].hint == "write `==` to compare"
    with pytest.raises(ExprSyntaxError) as info:
        parse("a && b")
    assert info.value.diagnostics[0].hint == "write `and`"


def test_nesting_and_length_limits_fail_cleanly() -> None:
    with pytest.raises(ExprSyntaxError, match="nested too deeply"):
        parse("(" * 5000 + "1" + ")" * 5000)
    with pytest.raises(ExprSyntaxError, match="nested too deeply"):
        parse("not " * 5000 + "x")
    with pytest.raises(ExprSyntaxError, match="nested too deeply"):
        parse("-" * 5000 + "1")
    with pytest.raises(ExprSyntaxError, match="too long"):
        parse("1" + "+1" * 500_000)
    parse("(" * (MAX_DEPTH // 3) + "1" + ")" * (MAX_DEPTH // 3))
    # The length limit is exact: a string literal of MAX_LENGTH characters parses.
    assert parse('"' + "a" * (MAX_LENGTH - 2) + '"') == Literal("string", "a" * (MAX_LENGTH - 2))
    with pytest.raises(ExprSyntaxError, match="too long"):
        parse('"' + "a" * (MAX_LENGTH - 1) + '"')


def test_catastrophic_patterns_run_in_linear_time() -> None:
    p = Program()
    expr = p.compile('s matches "(a+)+$"')
    env = p.env({"s": "a" * 100_000 + "b"})
    assert expr.run(env) is False


def test_backreferences_are_rejected_when_the_pack_loads() -> None:
    found = diagnostics(r's matches "(a)\\1"', Program())
    assert found[0][2].startswith(r'invalid regular expression "(a)\\1"')
    assert found[0][3] == "patterns use RE2 syntax: no backreferences or look-around"


def test_money_needs_an_iso_4217_code() -> None:
    with pytest.raises(ExprSyntaxError) as info:
        parse("RMB 100")
    [d] = info.value.diagnostics
    assert (d.message, d.hint) == (
        "syntax error: `RMB` is not an ISO 4217 currency code",
        "did you mean `CNY`?",
    )
    with pytest.raises(ExprSyntaxError, match="`XYZ` is not an ISO 4217 currency code"):
        parse("XYZ 5")


def test_a_nullable_bool_is_not_a_condition() -> None:
    p = Program.from_schema({"properties": {"flag": {"type": ["boolean", "null"]}}})
    found = diagnostics("not flag", p)
    assert found == [
        (
            1,
            5,
            "the operand of `not` may be null (the schema allows a blank here)",
            "write `x == true`, `x != false` or `x ?? false` to say what a blank means",
        )
    ]
    p.compile("flag == true and (flag ?? false)")
