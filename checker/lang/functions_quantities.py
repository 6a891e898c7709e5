"""Built-in functions over dates, durations, money and numbers: reading, converting, rounding."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from . import ops, textparse
from . import types as T
from .registry import (
    _NUMLIKE,
    Checker,
    EvalContext,
    TypeRule,
    _expect,
    _fixed,
    _register,
)
from .types import Type
from .values import (
    Duration,
    EvalError,
    Family,
    Missing,
    Money,
    Number,
    describe,
    display,
    type_name,
    wide_context,
)

# -- dates and durations ------------------------------------------------------------------


def _parse_with(parser: Callable[[str], Any], x: Any, what: str) -> Any:
    if isinstance(x, str):
        try:
            return parser(x)
        except ValueError as exc:
            return Missing(reasons=[f"cannot read {display(x)} as {what}: {exc}"])
    raise EvalError(f"cannot read {describe(x)} as {what}")


@_register(
    "date",
    (1, 1),
    "date(string) -> date",
    "Reads a date (2025-01-31, 2025/1/31, 2025年1月31日); missing when it cannot.",
    _fixed([(("string", "date"), "a string")], T.DATE),
)
def f_date(s: Any) -> Any:
    if isinstance(s, _dt.date):
        return s
    return _parse_with(textparse.parse_date, s, "a date")


@_register(
    "today",
    (0, 0),
    "today() -> date",
    "The date of the run: one value per run, set with --today.",
    lambda args, chk: T.DATE,
    needs_context=True,
)
def f_today(ctx: EvalContext) -> _dt.date:
    return ctx.today


def _date_arg(x: Any, fname: str) -> _dt.date:
    if type(x) is not _dt.date:
        raise EvalError(f"{fname}() needs dates, found {describe(x)}")
    return x


_D = (("date",), "a date")


@_register(
    "days_between",
    (2, 2),
    "days_between(date, date) -> number",
    "Days from the first date to the second (negative when the second is earlier).",
    _fixed([_D, _D], T.NUMBER),
)
def f_days_between(a: Any, b: Any) -> int:
    return (_date_arg(b, "days_between") - _date_arg(a, "days_between")).days


@_register(
    "months_between",
    (2, 2),
    "months_between(date, date) -> number",
    "Whole calendar months from the first date to the second (counted like add-months).",
    _fixed([_D, _D], T.NUMBER),
)
def f_months_between(a: Any, b: Any) -> int:
    x, y = _date_arg(a, "months_between"), _date_arg(b, "months_between")
    sign = 1
    if y < x:
        x, y, sign = y, x, -1
    months = (y.year - x.year) * 12 + (y.month - x.month)
    if ops.add_months(x, months) > y:
        months -= 1
    return sign * months


@_register(
    "duration",
    (1, 1),
    "duration(string) -> duration",
    "Reads a duration (3 years, P18M, 3年, 三年, 36个月, 30日, 15个工作日); missing when it cannot.",
    _fixed([(("string", "duration"), "a string")], T.DURATION),
)
def f_duration(s: Any) -> Any:
    if isinstance(s, Duration):
        return s
    return _parse_with(textparse.parse_duration, s, "a duration")


def _unit_rule(family: Family) -> TypeRule:
    def rule(args: list[Type], chk: Checker) -> Type:
        t = args[0]
        if _expect(t, ("duration",), chk, 0, "a duration") and t.family and t.family != family:
            chk.error(
                0,
                f"needs a duration in {family.replace('_', ' ')}, found {t}",
                "months, days and working days do not convert into each other",
            )
        return T.NUMBER

    return rule


def _register_unit(name: str, family: Family, divisor: int, doc: str) -> None:
    """`years(d)`, `months(d)`, ...: a duration as a number of one unit of its family."""

    def in_unit(d: Any) -> Number:
        if not isinstance(d, Duration):
            raise EvalError(f"{name}() needs a duration, found {describe(d)}")
        if d.family != family:
            raise EvalError(
                f"{name}() cannot express {display(d)} in that unit: "
                "months, days and working days do not convert into each other"
            )
        return ops.num_div(d.amount, divisor) if divisor != 1 else d.amount

    _register(name, (1, 1), f"{name}(duration) -> number", doc, _unit_rule(family))(in_unit)


_register_unit("years", "months", 12, "A years/months duration in years.")
_register_unit("months", "months", 1, "A years/months duration in months.")
_register_unit("days", "days", 1, "A days/weeks duration in days.")
_register_unit("working_days", "working_days", 1, "A working-days duration in working days.")


# -- money and numbers --------------------------------------------------------------------


@_register(
    "money",
    (1, 1),
    "money(string) -> money",
    "Reads money (CNY 100000, ¥1,000.00, 人民币100,000元, RMB 5,000); missing when it cannot.",
    _fixed([(("string", "money"), "a string")], T.MONEY),
)
def f_money(s: Any) -> Any:
    if isinstance(s, Money):
        return s
    return _parse_with(textparse.parse_money, s, "money")


@_register(
    "amount",
    (1, 1),
    "amount(money) -> number",
    "The number part of money.",
    _fixed([(("money",), "money")], T.NUMBER),
)
def f_amount(m: Any) -> Any:
    if not isinstance(m, Money):
        raise EvalError(f"amount() needs money, found {describe(m)}")
    return m.amount


@_register(
    "currency",
    (1, 1),
    "currency(money) -> string",
    "The ISO 4217 code of money.",
    _fixed([(("money",), "money")], T.STRING),
)
def f_currency(m: Any) -> Any:
    if not isinstance(m, Money):
        raise EvalError(f"currency() needs money, found {describe(m)}")
    return m.currency


def _round_rule(args: list[Type], chk: Checker) -> Type:
    _expect(args[0], ("number", "money"), chk, 0, "a number or money")
    if len(args) > 1:
        _expect(args[1], ("number",), chk, 1, "a whole number of decimal places")
    return T.strip_null(args[0]) if args[0].kind in ("number", "money") else T.ANY


def _round_num(x: Number, places: int) -> Number:
    q = Decimal(1).scaleb(-places)
    d = ops._d(x)
    ctx = wide_context(d, max(places, 0) + 2)  # a 100-digit amount has more than CTX holds
    out = d.quantize(q, rounding=ROUND_HALF_UP, context=ctx)
    return int(out) if places <= 0 else out


@_register(
    "round",
    (1, 2),
    "round(number | money, places = 0) -> same",
    "Rounds half away from zero (half-up) to the given decimal places.",
    _round_rule,
)
def f_round(x: Any, n: Any = 0) -> Any:
    if not ops.is_number(n) or n != int(n) or not -20 <= n <= 20:
        raise EvalError(
            f"round() needs a whole number of places between -20 and 20, found {display(n)}"
        )
    places = int(n)
    if isinstance(x, Money):
        return Money(_round_num(x.amount, places), x.currency)
    if ops.is_number(x):
        return _round_num(x, places)
    raise EvalError(f"round() needs a number or money, found {describe(x)}")


def _abs_rule(args: list[Type], chk: Checker) -> Type:
    _expect(args[0], _NUMLIKE, chk, 0, "a number, money or a duration")
    return T.strip_null(args[0]) if not args[0].is_any else T.ANY


@_register("abs", (1, 1), "abs(number | money | duration) -> same", "Absolute value.", _abs_rule)
def f_abs(x: Any) -> Any:
    if ops.is_number(x):
        return -x if x < 0 else x
    if isinstance(x, Money):
        return Money(-x.amount if x.amount < 0 else x.amount, x.currency)
    if isinstance(x, Duration):
        return Duration(-x.amount if x.amount < 0 else x.amount, x.family)
    raise EvalError(f"abs() needs a number, money or a duration, found {type_name(x)}")
