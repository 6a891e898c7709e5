"""Run-time semantics of the operators, shared by the interpreter and the compiled evaluator."""

from __future__ import annotations

import datetime as _dt
import functools
from collections.abc import Callable, Mapping
from decimal import Context, Decimal, DivisionByZero, InvalidOperation, Overflow, Underflow
from typing import Any, Final

import re2

from .values import (
    MAX_DIGITS,
    Duration,
    EvalError,
    Missing,
    Money,
    Number,
    describe,
    display,
    from_float,
    merge_missing,
    type_name,
)

_TRAPS: Final = [InvalidOperation, DivisionByZero, Overflow, Underflow]
CTX: Final = Context(prec=MAX_DIGITS, Emax=MAX_DIGITS - 1, Emin=1 - MAX_DIGITS, traps=_TRAPS)
"""Decimal arithmetic is exact up to 60 significant digits; only `/` can need rounding.
A result of 10**60 or more (or too small to hold its digits) is out of range."""
DIV_CTX: Final = Context(prec=34, Emax=MAX_DIGITS - 1, Emin=1 - MAX_DIGITS, traps=_TRAPS)
"""A quotient that does not terminate is rounded to 34 significant digits (IEEE decimal128)."""
INT_LIMIT: Final = 10**MAX_DIGITS

_NUM_TYPES: Final = (int, Decimal)


def is_number(v: object) -> bool:
    t = type(v)
    return t is int or t is Decimal


def norm(v: Any) -> Any:
    """A data value as the language sees it: floats (from the Python API) become exact."""
    if type(v) is float:
        return from_float(v)
    return v


def _d(n: Number) -> Decimal:
    return n if type(n) is Decimal else Decimal(n)


def out_of_range() -> EvalError:
    return EvalError(f"number out of range: a result needs more than {MAX_DIGITS} digits")


def bounded(n: int) -> int:
    """An integer result, if it has at most MAX_DIGITS digits; else an EvalError."""
    if -INT_LIMIT < n < INT_LIMIT:
        return n
    raise out_of_range()


def _decimal(op: Callable[[Decimal, Decimal], Decimal], a: Number, b: Number) -> Decimal:
    try:
        return op(_d(a), _d(b))
    except (Overflow, Underflow):
        raise out_of_range() from None


def num_add(a: Number, b: Number) -> Number:
    if type(a) is int and type(b) is int:
        return bounded(a + b)
    return _decimal(CTX.add, a, b)


def num_sub(a: Number, b: Number) -> Number:
    if type(a) is int and type(b) is int:
        return bounded(a - b)
    return _decimal(CTX.subtract, a, b)


def num_mul(a: Number, b: Number) -> Number:
    if type(a) is int and type(b) is int:
        return bounded(a * b)
    return _decimal(CTX.multiply, a, b)


def num_div(a: Number, b: Number) -> Number:
    if b == 0:
        raise EvalError("division by zero")
    if type(a) is int and type(b) is int and a % b == 0:
        return bounded(a // b)
    return _decimal(DIV_CTX.divide, a, b)


def _mismatch(op: str, a: object, b: object) -> EvalError:
    return EvalError(f"cannot apply `{op}` to {describe(a)} and {describe(b)}")


def _families(op: str, a: Duration, b: Duration) -> None:
    if a.family != b.family:
        what = (
            f"cannot compare {display(a)} with {display(b)} using `{op}`"
            if op in ("<", "<=", ">", ">=", "min", "max")
            else f"cannot apply `{op}` to {display(a)} and {display(b)}"
        )
        raise EvalError(f"{what}: months, days and working days do not convert into each other")


def _currencies(op: str, a: Money, b: Money) -> None:
    if a.currency != b.currency:
        what = (
            f"cannot compare {display(a)} with {display(b)} using `{op}`"
            if op in ("<", "<=", ">", ">=", "min", "max")
            else f"cannot apply `{op}` to {display(a)} and {display(b)}"
        )
        raise EvalError(f"{what}: currencies differ")


def add(a: Any, b: Any) -> Any:
    if isinstance(a, Missing) or isinstance(b, Missing):
        return merge_missing(a, b)
    ta, tb = type(a), type(b)
    if (ta is int or ta is Decimal) and (tb is int or tb is Decimal):
        return num_add(a, b)
    if ta is str and tb is str:
        return a + b
    if ta is Money and tb is Money:
        _currencies("+", a, b)
        return Money(num_add(a.amount, b.amount), a.currency)
    if ta is Duration and tb is Duration:
        _families("+", a, b)
        return Duration(num_add(a.amount, b.amount), a.family)
    if ta is _dt.date and tb is Duration:
        return add_duration(a, b)
    if ta is Duration and tb is _dt.date:
        return add_duration(b, a)
    if ta is list and tb is list:
        return a + b
    raise _mismatch("+", a, b)


def sub(a: Any, b: Any) -> Any:
    if isinstance(a, Missing) or isinstance(b, Missing):
        return merge_missing(a, b)
    ta, tb = type(a), type(b)
    if (ta is int or ta is Decimal) and (tb is int or tb is Decimal):
        return num_sub(a, b)
    if ta is Money and tb is Money:
        _currencies("-", a, b)
        return Money(num_sub(a.amount, b.amount), a.currency)
    if ta is Duration and tb is Duration:
        _families("-", a, b)
        return Duration(num_sub(a.amount, b.amount), a.family)
    if ta is _dt.date and tb is Duration:
        return add_duration(a, Duration(-b.amount, b.family))
    if ta is _dt.date and tb is _dt.date:
        return Duration((a - b).days, "days")
    raise _mismatch("-", a, b)


def mul(a: Any, b: Any) -> Any:
    if isinstance(a, Missing) or isinstance(b, Missing):
        return merge_missing(a, b)
    ta, tb = type(a), type(b)
    if (ta is int or ta is Decimal) and (tb is int or tb is Decimal):
        return num_mul(a, b)
    if ta is Money and (tb is int or tb is Decimal):
        return Money(num_mul(a.amount, b), a.currency)
    if tb is Money and (ta is int or ta is Decimal):
        return Money(num_mul(a, b.amount), b.currency)
    if ta is Duration and (tb is int or tb is Decimal):
        return Duration(num_mul(a.amount, b), a.family)
    if tb is Duration and (ta is int or ta is Decimal):
        return Duration(num_mul(a, b.amount), b.family)
    raise _mismatch("*", a, b)


def div(a: Any, b: Any) -> Any:
    if isinstance(a, Missing) or isinstance(b, Missing):
        return merge_missing(a, b)
    ta, tb = type(a), type(b)
    if (ta is int or ta is Decimal) and (tb is int or tb is Decimal):
        return num_div(a, b)
    if ta is Money and (tb is int or tb is Decimal):
        return Money(num_div(a.amount, b), a.currency)
    if ta is Money and tb is Money:
        _currencies("/", a, b)
        return num_div(a.amount, b.amount)
    if ta is Duration and (tb is int or tb is Decimal):
        return Duration(num_div(a.amount, b), a.family)
    if ta is Duration and tb is Duration:
        _families("/", a, b)
        return num_div(a.amount, b.amount)
    raise _mismatch("/", a, b)


def neg(a: Any) -> Any:
    if isinstance(a, Missing):
        return a
    ta = type(a)
    if ta is int:
        return bounded(-a)
    if ta is Decimal:
        return _decimal(CTX.subtract, 0, a)
    if ta is Money:
        return Money(-a.amount, a.currency)
    if ta is Duration:
        return Duration(-a.amount, a.family)
    raise EvalError(f"cannot negate {describe(a)}")


# -- dates ------------------------------------------------------------------------------


def add_months(d: _dt.date, months: int) -> _dt.date:
    """Calendar month arithmetic; a day past the target month's end clamps to its last day."""
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise EvalError(f"date out of range: {display(d)} + {months} months")
    return _dt.date(year, month + 1, min(d.day, _month_days(year, month + 1)))


def _month_days(year: int, month: int) -> int:
    """Days in a month (what calendar.monthrange gives, without importing calendar)."""
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def add_working_days(d: _dt.date, n: int) -> _dt.date:
    """Move n working days (Monday to Friday; no holiday calendar) forward or back."""
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    if remaining > 100_000:
        raise EvalError(f"{n} working days is out of range")
    weeks, rest = divmod(remaining, 5)
    out = d + _dt.timedelta(days=7 * weeks * step)
    while rest:
        out += _dt.timedelta(days=step)
        if out.weekday() < 5:
            rest -= 1
    return out


def add_duration(d: _dt.date, dur: Duration) -> _dt.date:
    amount = dur.amount
    if amount != int(amount):
        raise EvalError(f"cannot add a fractional duration {display(dur)} to a date")
    n = int(amount)
    try:
        if dur.family == "months":
            return add_months(d, n)
        if dur.family == "days":
            return d + _dt.timedelta(days=n)
        return add_working_days(d, n)
    except OverflowError:
        raise EvalError(f"date out of range: {display(d)} + {display(dur)}") from None


# -- comparison -------------------------------------------------------------------------


def comparable(a: Any, b: Any) -> bool:
    """Whether two values are of one type for `==` (null meets anything)."""
    if a is None or b is None:
        return True
    ta, tb = type(a), type(b)
    if ta in _NUM_TYPES and tb in _NUM_TYPES:
        return True
    if ta is bool or tb is bool:
        return ta is tb
    if isinstance(a, list) and isinstance(b, list):
        return True
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return True
    return ta is tb


def equal(a: Any, b: Any) -> bool:
    """Deep equality; values of different types are unequal (used inside lists and `in`)."""
    if a is None or b is None:
        return a is b
    ta, tb = type(a), type(b)
    if ta in _NUM_TYPES and tb in _NUM_TYPES:
        return bool(a == b)
    if (
        ta is not tb
        and not (isinstance(a, list) and isinstance(b, list))
        and not (isinstance(a, Mapping) and isinstance(b, Mapping))
    ):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(equal(norm(x), norm(y)) for x, y in zip(a, b, strict=True))
    if isinstance(a, Mapping):
        return a.keys() == b.keys() and all(equal(norm(a[k]), norm(b[k])) for k in a)
    if ta is Duration and a.family != b.family:
        raise EvalError(
            f"cannot compare {display(a)} with {display(b)}: different duration families"
        )
    if ta is Money and a.currency != b.currency:
        raise EvalError(f"cannot compare {display(a)} with {display(b)}: currencies differ")
    return bool(a == b)


def eq(a: Any, b: Any) -> Any:
    if type(a) is str and type(b) is str:  # the common case (a filter by label), at once
        return a == b
    if isinstance(a, Missing) or isinstance(b, Missing):
        return merge_missing(a, b)
    if not comparable(a, b):
        raise EvalError(f"cannot compare {describe(a)} with {describe(b)}")
    if a is not None and b is not None and isinstance(a, list | Mapping):
        # Lists and maps holding missing items are not known to be equal or unequal
        # (but a map is not null, whatever it holds).
        inside = missing_inside(a) + missing_inside(b)
        if inside:
            return merge_missing(*inside)
    return equal(a, b)


def missing_inside(v: Any) -> list[Missing]:
    """The missing values anywhere inside a list or map (empty for other values)."""
    out: list[Missing] = []
    stack = [v]
    while stack:
        x = stack.pop()
        if isinstance(x, Missing):
            out.append(x)
        elif isinstance(x, list):
            stack.extend(x)
        elif isinstance(x, Mapping):
            stack.extend(x.values())
    return out


def ne(a: Any, b: Any) -> Any:
    r = eq(a, b)
    return r if isinstance(r, Missing) else not r


def order_key(op: str, a: Any, b: Any) -> tuple[Any, Any]:
    """The two values as Python-comparable keys, or an error when they have no order."""
    ta, tb = type(a), type(b)
    if ta in _NUM_TYPES and tb in _NUM_TYPES:
        return a, b
    if ta is tb and ta in (str, _dt.date):
        return a, b
    if ta is Duration and tb is Duration:
        _families(op, a, b)
        return a.amount, b.amount
    if ta is Money and tb is Money:
        _currencies(op, a, b)
        return a.amount, b.amount
    raise EvalError(f"cannot compare {describe(a)} with {describe(b)} using `{op}`")


def lt(a: Any, b: Any) -> Any:
    if isinstance(a, Missing) or isinstance(b, Missing):
        return merge_missing(a, b)
    x, y = order_key("<", a, b)
    return bool(x < y)


def le(a: Any, b: Any) -> Any:
    if isinstance(a, Missing) or isinstance(b, Missing):
        return merge_missing(a, b)
    x, y = order_key("<=", a, b)
    return bool(x <= y)


def gt(a: Any, b: Any) -> Any:
    if isinstance(a, Missing) or isinstance(b, Missing):
        return merge_missing(a, b)
    x, y = order_key(">", a, b)
    return bool(x > y)


def ge(a: Any, b: Any) -> Any:
    if isinstance(a, Missing) or isinstance(b, Missing):
        return merge_missing(a, b)
    x, y = order_key(">=", a, b)
    return bool(x >= y)


def member(a: Any, b: Any) -> Any:
    """`a in b`: an item of a list, a key of a map, or a substring of a string."""
    if isinstance(a, Missing) or isinstance(b, Missing):
        return merge_missing(a, b)
    if isinstance(b, list):
        if type(a) is str:
            # A text equals only a text: Python's own search (in C) decides, where the
            # language's equality would be called item by item.
            if a in b and any(type(x) is str and x == a for x in b):
                return True
            if a not in b and Missing not in map(type, b):  # both searches in C
                return False
        if any(equal(a, norm(x)) for x in b if not isinstance(x, Missing)):
            return True
        missing = [x for x in b if isinstance(x, Missing)]
        return merge_missing(*missing) if missing else False
    if isinstance(b, Mapping):
        return a in b if isinstance(a, str) else False
    if isinstance(b, str):
        if not isinstance(a, str):
            raise EvalError(f"`in` a string needs a string on the left, found {type_name(a)}")
        return a in b
    raise EvalError(f"`in` needs a list, a map or a string on the right, found {type_name(b)}")


def not_member(a: Any, b: Any) -> Any:
    r = member(a, b)
    return r if isinstance(r, Missing) else not r


MAX_PATTERN: Final = 1_000
MAX_MATCH_INPUT: Final = 1_000_000
"""Longest text matched against a pattern, in characters: RE2 is linear, but a rule run
over every string of a 10 MB contract should still take milliseconds."""


@functools.lru_cache(maxsize=256)
def compile_pattern(pattern: str) -> Any:
    """A pattern compiled by RE2 (linear time, no backtracking); raises ValueError if invalid."""
    if len(pattern) > MAX_PATTERN:
        raise ValueError(f"pattern is longer than {MAX_PATTERN} characters")
    options = re2.Options()
    options.max_mem = 8 << 20
    options.log_errors = False
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        detail = exc.args[0] if exc.args else b""
        text = detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)
        raise ValueError(text or "invalid pattern") from None


def matches(s: Any, pattern: Any) -> Any:
    if isinstance(s, Missing) or isinstance(pattern, Missing):
        return merge_missing(s, pattern)
    if not isinstance(s, str):
        raise EvalError(f"`matches` needs a string on the left, found {type_name(s)}")
    if not isinstance(pattern, str):
        raise EvalError(
            f"`matches` needs a pattern string on the right, found {type_name(pattern)}"
        )
    try:
        compiled = compile_pattern(pattern)
    except ValueError as exc:
        raise EvalError(f"invalid pattern {display(pattern)}: {exc}") from None
    if len(s) > MAX_MATCH_INPUT:
        raise EvalError(
            f"`matches` needs a text of at most {MAX_MATCH_INPUT:,} characters, found {len(s):,}"
        )
    return compiled.search(s) is not None


COMPARE_OPS: Final = {
    "==": eq,
    "!=": ne,
    "<": lt,
    "<=": le,
    ">": gt,
    ">=": ge,
    "in": member,
    "not in": not_member,
    "matches": matches,
}
ARITH_OPS: Final = {"+": add, "-": sub, "*": mul, "/": div}


def truth(v: Any, what: str) -> Any:
    """A value used as a condition: a bool, or missing; anything else is an error."""
    if v is True or v is False or isinstance(v, Missing):
        return v
    raise EvalError(f"{what} must be true or false, found {describe(v)}")
