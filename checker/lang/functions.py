"""The table of built-in functions: one entry per function holds its type rule and its implementation."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

from . import cnupper, ops, textparse
from . import types as T
from .ops import norm
from .types import Type
from .values import (
    Duration,
    EvalError,
    Missing,
    Money,
    Number,
    display,
    merge_missing,
    type_name,
)

TypeRule = Callable[[list[Type], "Checker"], Type]


class Checker:
    """What a type rule may do: report a problem with one argument (by index) or the call."""

    def __init__(self, report: Callable[[int | None, str, str | None], None]) -> None:
        self._report = report

    def error(self, arg: int | None, message: str, hint: str | None = None) -> None:
        self._report(arg, message, hint)


@dataclass(frozen=True)
class Function:
    """A built-in: arity, static type rule, implementation and how it treats missing arguments.

    `lenient` functions receive missing arguments themselves (exists, blank, compact, ...);
    for the others a missing argument makes the result missing before `impl` is called.
    `needs_context` functions get an `EvalContext` first (today's date, pack parameters,
    and the data path of each argument).
    """

    name: str
    min_args: int
    max_args: int
    type_rule: TypeRule
    impl: Callable[..., Any]
    doc: str
    signature: str
    lenient: bool = False
    needs_context: bool = False


@dataclass
class EvalContext:
    """Per-evaluation facts some functions need."""

    today: _dt.date
    placeholder_patterns: Sequence[str] = ()
    arg_paths: list[str | None] = field(default_factory=list)


FUNCTIONS: dict[str, Function] = {}


def _register(
    name: str,
    args: tuple[int, int],
    signature: str,
    doc: str,
    type_rule: TypeRule,
    *,
    lenient: bool = False,
    needs_context: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        FUNCTIONS[name] = Function(
            name,
            args[0],
            args[1],
            type_rule,
            fn,
            doc,
            signature,
            lenient=lenient,
            needs_context=needs_context,
        )
        return fn

    return deco


# -- type rule helpers --------------------------------------------------------------------


def _expect(t: Type, kinds: tuple[str, ...], chk: Checker, i: int, what: str) -> bool:
    if t.is_any or t.kind in kinds or (t.kind == "record" and "map" in kinds):
        return True
    chk.error(i, f"expected {what}, found {t}")
    return False


def _fixed(params: Sequence[tuple[tuple[str, ...], str]], ret: Type) -> TypeRule:
    def rule(args: list[Type], chk: Checker) -> Type:
        for i, (t, (kinds, what)) in enumerate(zip(args, params, strict=False)):
            _expect(t, kinds, chk, i, what)
        return ret

    return rule


def _list_elem(t: Type) -> Type:
    return t.elem or T.ANY if t.kind == "list" else T.ANY


def _aggregate(
    kinds: tuple[str, ...], what: str, ret_elem: bool = True, ret: Type | None = None
) -> TypeRule:
    def rule(args: list[Type], chk: Checker) -> Type:
        t = args[0]
        if _expect(t, ("list",), chk, 0, "a list"):
            e = _list_elem(t)
            if not e.is_any and e.kind not in kinds and e.kind != "null":
                chk.error(0, f"expected a list of {what}, found a list of {e}")
            if ret_elem:
                return T.strip_null(e) if not e.is_any else T.ANY
        return ret or T.ANY

    return rule


_NUMLIKE: Final = ("number", "money", "duration")
_ORDERED: Final = ("number", "money", "duration", "string", "date")

# -- aggregates ---------------------------------------------------------------------------


def _items(xs: Any, fname: str) -> list[Any]:
    """The elements of a list argument; missing elements make the caller's result missing."""
    if not isinstance(xs, list):
        raise EvalError(f"{fname}() needs a list, found {type_name(xs)} {display(xs)}")
    return [norm(x) for x in xs]


def _first_missing(items: list[Any], compute: Callable[[], Any]) -> Any:
    """Missing when any item is missing (aggregates never skip absent data), else compute()."""
    miss = _missing_in(items)
    return miss if miss is not None else compute()


def _missing_in(items: list[Any]) -> Missing | None:
    ms = [x for x in items if isinstance(x, Missing)]
    return merge_missing(*ms) if ms else None


@_register(
    "count",
    (1, 1),
    "count(list) -> number",
    "Number of items in a list.",
    _fixed([(("list",), "a list")], T.NUMBER),
)
def f_count(xs: Any) -> Any:
    items = _items(xs, "count")
    return _first_missing(items, lambda: len(items))


def _sum(items: list[Any], fname: str) -> Any:
    if not items:
        return 0
    for x in items:
        if not (ops.is_number(x) or isinstance(x, Money | Duration)):
            raise EvalError(
                f"{fname}() needs numbers, money or durations, found {type_name(x)} {display(x)}"
            )
    total = items[0]
    for x in items[1:]:
        total = ops.add(total, x)
    return total


@_register(
    "sum",
    (1, 1),
    "sum(list) -> number | money | duration",
    "Sum of numbers, money of one currency, or durations of one family; sum([]) == 0.",
    _aggregate(_NUMLIKE, "numbers, money or durations"),
)
def f_sum(xs: Any) -> Any:
    items = _items(xs, "sum")
    return _first_missing(items, lambda: _sum(items, "sum"))


def _extreme(xs: Any, fname: str, pick_max: bool) -> Any:
    items = _items(xs, fname)
    miss = _missing_in(items)
    if miss is not None:
        return miss
    if not items:
        return Missing(reasons=[f"{fname}() of an empty list"])
    best = items[0]
    for x in items[1:]:
        a, b = ops.order_key("max" if pick_max else "min", x, best)
        if (a > b) if pick_max else (a < b):
            best = x
    return best


@_register(
    "min",
    (1, 1),
    "min(list) -> item",
    "Smallest item; missing for an empty list.",
    _aggregate(_ORDERED, "comparable values"),
)
def f_min(xs: Any) -> Any:
    return _extreme(xs, "min", False)


@_register(
    "max",
    (1, 1),
    "max(list) -> item",
    "Largest item; missing for an empty list.",
    _aggregate(_ORDERED, "comparable values"),
)
def f_max(xs: Any) -> Any:
    return _extreme(xs, "max", True)


@_register(
    "avg",
    (1, 1),
    "avg(list) -> number | money | duration",
    "Arithmetic mean; missing for an empty list.",
    _aggregate(_NUMLIKE, "numbers, money or durations"),
)
def f_avg(xs: Any) -> Any:
    items = _items(xs, "avg")
    miss = _missing_in(items)
    if miss is not None:
        return miss
    if not items:
        return Missing(reasons=["avg() of an empty list"])
    return ops.div(_sum(items, "avg"), len(items))


def _len_rule(args: list[Type], chk: Checker) -> Type:
    _expect(args[0], ("string", "list", "map"), chk, 0, "a string, a list or a map")
    return T.NUMBER


@_register(
    "len",
    (1, 1),
    "len(string | list | map) -> number",
    "Characters of a string, items of a list or entries of a map.",
    _len_rule,
)
def f_len(x: Any) -> Any:
    if isinstance(x, str | list | Mapping):
        return len(x)
    raise EvalError(f"len() needs a string, a list or a map, found {type_name(x)}")


def _same_list(args: list[Type], chk: Checker) -> Type:
    _expect(args[0], ("list",), chk, 0, "a list")
    return args[0] if args[0].kind == "list" else T.LIST


def _dedupe(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for x in items:
        if not any(ops.equal(x, y) for y in out):
            out.append(x)
    return out


@_register(
    "distinct",
    (1, 1),
    "distinct(list) -> list",
    "The list without repeated items, first occurrence kept.",
    _same_list,
)
def f_distinct(xs: Any) -> Any:
    items = _items(xs, "distinct")
    return _first_missing(items, lambda: _dedupe(items))


@_register(
    "unique",
    (1, 1),
    "unique(list) -> bool",
    "True when no item occurs twice.",
    _fixed([(("list",), "a list")], T.BOOL),
)
def f_unique(xs: Any) -> Any:
    items = _items(xs, "unique")
    return _first_missing(items, lambda: len(_dedupe(items)) == len(items))


def _compact_rule(args: list[Type], chk: Checker) -> Type:
    _expect(args[0], ("list",), chk, 0, "a list")
    e = _list_elem(args[0])
    return T.list_of(T.strip_null(e))


@_register(
    "compact",
    (1, 1),
    "compact(list) -> list",
    "The list without missing and null items (drops them deliberately).",
    _compact_rule,
    lenient=True,
)
def f_compact(xs: Any) -> Any:
    if isinstance(xs, Missing):
        return xs
    return [x for x in _items(xs, "compact") if x is not None and not isinstance(x, Missing)]


def _flatten_rule(args: list[Type], chk: Checker) -> Type:
    _expect(args[0], ("list",), chk, 0, "a list")
    e = _list_elem(args[0])
    return e if e.kind == "list" else T.LIST


@_register(
    "flatten",
    (1, 1),
    "flatten(list) -> list",
    "Items of nested lists, one level deep.",
    _flatten_rule,
)
def f_flatten(xs: Any) -> Any:
    out: list[Any] = []
    for x in _items(xs, "flatten"):
        if isinstance(x, list):
            out.extend(x)
        else:
            out.append(x)
    return _first_missing(out, lambda: out)


@_register(
    "keys",
    (1, 1),
    "keys(map) -> list of string",
    "The keys of a map.",
    _fixed([(("map",), "a map")], T.list_of(T.STRING)),
)
def f_keys(m: Any) -> Any:
    if not isinstance(m, Mapping):
        raise EvalError(f"keys() needs a map, found {type_name(m)}")
    return [str(k) for k in m]


# -- presence -----------------------------------------------------------------------------


@_register(
    "exists",
    (1, 1),
    "exists(any) -> bool",
    "False when the value is missing; true otherwise (also for null).",
    lambda args, chk: T.BOOL,
    lenient=True,
)
def f_exists(x: Any) -> bool:
    return not isinstance(x, Missing)


@_register(
    "blank",
    (1, 1),
    "blank(any) -> bool",
    "True for missing, null, an empty or whitespace-only string, an empty list or map, "
    "or a string that holds only a template placeholder.",
    lambda args, chk: T.BOOL,
    lenient=True,
)
def f_blank(x: Any) -> bool:
    if x is None or isinstance(x, Missing):
        return True
    if isinstance(x, str):
        return textparse.blank_text(x)
    if isinstance(x, list | Mapping):
        return len(x) == 0
    return False


# -- strings ------------------------------------------------------------------------------


def _str_arg(x: Any, fname: str, pos: str = "") -> str:
    if not isinstance(x, str):
        raise EvalError(f"{fname}() needs a string{pos}, found {type_name(x)} {display(x)}")
    return x


_S = (("string",), "a string")


@_register("lower", (1, 1), "lower(string) -> string", "Lower-case.", _fixed([_S], T.STRING))
def f_lower(s: Any) -> str:
    return _str_arg(s, "lower").lower()


@_register("upper", (1, 1), "upper(string) -> string", "Upper-case.", _fixed([_S], T.STRING))
def f_upper(s: Any) -> str:
    return _str_arg(s, "upper").upper()


@_register(
    "trim",
    (1, 1),
    "trim(string) -> string",
    "Without leading and trailing white space (also full-width spaces).",
    _fixed([_S], T.STRING),
)
def f_trim(s: Any) -> str:
    return _str_arg(s, "trim").strip()


def _contains_rule(args: list[Type], chk: Checker) -> Type:
    _expect(args[0], ("string", "list"), chk, 0, "a string or a list")
    if args[0].kind == "string":
        _expect(args[1], ("string",), chk, 1, "a string")
    return T.BOOL


@_register(
    "contains",
    (2, 2),
    "contains(string | list, x) -> bool",
    "Substring of a string, or item of a list.",
    _contains_rule,
)
def f_contains(s: Any, x: Any) -> Any:
    if isinstance(s, str):
        return x in s if isinstance(x, str) else _type_err("contains", "a string", x, 2)
    if isinstance(s, list):
        return ops.member(x, s)
    raise EvalError(f"contains() needs a string or a list, found {type_name(s)}")


def _type_err(fname: str, what: str, x: Any, pos: int) -> Any:
    raise EvalError(f"{fname}() needs {what} as argument {pos}, found {type_name(x)} {display(x)}")


@_register(
    "starts_with",
    (2, 2),
    "starts_with(string, prefix) -> bool",
    "Prefix test.",
    _fixed([_S, _S], T.BOOL),
)
def f_starts_with(s: Any, p: Any) -> bool:
    return _str_arg(s, "starts_with").startswith(_str_arg(p, "starts_with", " prefix"))


@_register(
    "ends_with",
    (2, 2),
    "ends_with(string, suffix) -> bool",
    "Suffix test.",
    _fixed([_S, _S], T.BOOL),
)
def f_ends_with(s: Any, p: Any) -> bool:
    return _str_arg(s, "ends_with").endswith(_str_arg(p, "ends_with", " suffix"))


@_register(
    "matches",
    (2, 2),
    "matches(string, pattern) -> bool",
    "Regular-expression search (RE2 syntax, linear time).",
    _fixed([_S, _S], T.BOOL),
)
def f_matches(s: Any, p: Any) -> Any:
    return ops.matches(s, p)


_PLACEHOLDER_T: Final = T.list_of(
    Type("record", fields=(("text", T.STRING), ("path", T.STRING)), closed=True)
)


@_register(
    "placeholders",
    (1, 1),
    "placeholders(any) -> list of {text, path}",
    "Every unfilled template token in every string under the value, with its path.",
    lambda args, chk: _PLACEHOLDER_T,
    lenient=True,
    needs_context=True,
)
def f_placeholders(ctx: EvalContext, x: Any) -> Any:
    if isinstance(x, Missing):
        return x
    base = ctx.arg_paths[0] if ctx.arg_paths else None
    return textparse.find_placeholders(x, base or "", ctx.placeholder_patterns)


# -- dates and durations ------------------------------------------------------------------


def _parse_with(parser: Callable[[str], Any], x: Any, what: str) -> Any:
    if isinstance(x, str):
        try:
            return parser(x)
        except ValueError as exc:
            return Missing(reasons=[f"cannot read {display(x)} as {what}: {exc}"])
    raise EvalError(f"cannot read {type_name(x)} {display(x)} as {what}")


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
        raise EvalError(f"{fname}() needs dates, found {type_name(x)} {display(x)}")
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


def _unit_rule(family: str, label: str) -> TypeRule:
    def rule(args: list[Type], chk: Checker) -> Type:
        t = args[0]
        if _expect(t, ("duration",), chk, 0, "a duration") and t.family and t.family != family:
            chk.error(
                0,
                f"{label}() needs a duration in {family.replace('_', ' ')}, found {t}",
                "months, days and working days do not convert into each other",
            )
        return T.NUMBER

    return rule


def _in_unit(d: Any, family: str, divisor: int, fname: str) -> Number:
    if not isinstance(d, Duration):
        raise EvalError(f"{fname}() needs a duration, found {type_name(d)} {display(d)}")
    if d.family != family:
        raise EvalError(
            f"{fname}() cannot express {display(d)} in that unit: "
            "months, days and working days do not convert into each other"
        )
    return ops.num_div(d.amount, divisor) if divisor != 1 else d.amount


@_register(
    "years",
    (1, 1),
    "years(duration) -> number",
    "A years/months duration in years.",
    _unit_rule("months", "years"),
)
def f_years(d: Any) -> Number:
    return _in_unit(d, "months", 12, "years")


@_register(
    "months",
    (1, 1),
    "months(duration) -> number",
    "A years/months duration in months.",
    _unit_rule("months", "months"),
)
def f_months(d: Any) -> Number:
    return _in_unit(d, "months", 1, "months")


@_register(
    "days",
    (1, 1),
    "days(duration) -> number",
    "A days/weeks duration in days.",
    _unit_rule("days", "days"),
)
def f_days(d: Any) -> Number:
    return _in_unit(d, "days", 1, "days")


@_register(
    "working_days",
    (1, 1),
    "working_days(duration) -> number",
    "A working-days duration in working days.",
    _unit_rule("working_days", "working_days"),
)
def f_working_days(d: Any) -> Number:
    return _in_unit(d, "working_days", 1, "working_days")


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
        raise EvalError(f"amount() needs money, found {type_name(m)} {display(m)}")
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
        raise EvalError(f"currency() needs money, found {type_name(m)} {display(m)}")
    return m.currency


def _round_rule(args: list[Type], chk: Checker) -> Type:
    _expect(args[0], ("number", "money"), chk, 0, "a number or money")
    if len(args) > 1:
        _expect(args[1], ("number",), chk, 1, "a whole number of decimal places")
    return T.strip_null(args[0]) if args[0].kind in ("number", "money") else T.ANY


def _round_num(x: Number, places: int) -> Number:
    q = Decimal(1).scaleb(-places)
    out = ops._d(x).quantize(q, rounding=ROUND_HALF_UP, context=ops.CTX)
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
    raise EvalError(f"round() needs a number or money, found {type_name(x)} {display(x)}")


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


# -- Chinese drafting ---------------------------------------------------------------------


def _cny_amount(x: Any, fname: str) -> Number:
    if isinstance(x, Money):
        if x.currency != "CNY":
            raise EvalError(f"{fname}() needs CNY money, found {display(x)}")
        return x.amount
    if ops.is_number(x):
        return x  # type: ignore[no-any-return]
    raise EvalError(f"{fname}() needs a number or CNY money, found {type_name(x)} {display(x)}")


_NUM_OR_MONEY = (("number", "money"), "a number or CNY money")


@_register(
    "cny_upper",
    (1, 1),
    "cny_upper(number | money) -> string",
    "The canonical Chinese uppercase form of an amount: 100000 → 壹拾万元整.",
    _fixed([_NUM_OR_MONEY], T.STRING),
)
def f_cny_upper(x: Any) -> Any:
    amount = _cny_amount(x, "cny_upper")
    try:
        return cnupper.to_upper(amount)
    except ValueError as exc:
        return Missing(reasons=[f"cny_upper({display(x)}): {exc}"])


@_register(
    "cny_upper_matches",
    (2, 2),
    "cny_upper_matches(string, number | money) -> bool",
    "True when the uppercase text writes the same amount (人民币, spaces, 整/正 tolerated).",
    _fixed([_S, _NUM_OR_MONEY], T.BOOL),
)
def f_cny_upper_matches(text: Any, x: Any) -> bool:
    return cnupper.upper_matches(
        _str_arg(text, "cny_upper_matches"), _cny_amount(x, "cny_upper_matches")
    )


@_register(
    "parse_cny_upper",
    (1, 1),
    "parse_cny_upper(string) -> number",
    "The amount an uppercase text writes; missing when it is not a valid uppercase amount.",
    _fixed([_S], T.NUMBER),
)
def f_parse_cny_upper(text: Any) -> Any:
    value = cnupper.parse_upper(_str_arg(text, "parse_cny_upper"))
    if value is None:
        return Missing(reasons=[f"{display(text)} is not a valid uppercase amount"])
    return value


@_register(
    "cny_upper_issues",
    (1, 1),
    "cny_upper_issues(string) -> list of string",
    "Problems with how an uppercase amount is written (malformed, ambiguous, missing-zero, "
    "missing-zheng, zheng-after-fen, ...); empty for the canonical form and accepted variants.",
    _fixed([_S], T.list_of(T.STRING)),
)
def f_cny_upper_issues(text: Any) -> list[str]:
    return [i.code for i in cnupper.upper_issues(_str_arg(text, "cny_upper_issues"))]


_USCC_ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


@_register(
    "uscc_valid",
    (1, 1),
    "uscc_valid(string) -> bool",
    "True when the text is a well-formed unified social credit code (统一社会信用代码, "
    "GB 32100-2015): 18 characters of the code's alphabet with a correct check character.",
    _fixed([_S], T.BOOL),
)
def f_uscc_valid(code: Any) -> bool:
    text = _str_arg(code, "uscc_valid").strip().upper()
    if len(text) != 18 or any(c not in _USCC_ALPHABET for c in text):
        return False
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(text, _USCC_WEIGHTS, strict=False))
    return _USCC_ALPHABET[(31 - total % 31) % 31] == text[17]


def lookup(name: str) -> Function | None:
    return FUNCTIONS.get(name)
