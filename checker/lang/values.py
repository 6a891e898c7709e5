"""Runtime values of the rule language: numbers, durations, money, missing, and their JSON form."""

from __future__ import annotations

import datetime as _dt
import itertools
import json
from collections.abc import Mapping, Sequence
from decimal import Context, Decimal, InvalidOperation
from typing import Any, Final, Literal, TypeAlias

Family = Literal["months", "days", "working_days"]

Number: TypeAlias = int | Decimal
"""Numbers are exact: `int` where integral text was read, `Decimal` otherwise. Never float."""

MAX_DIGITS: Final = 60
"""Digits of a number: literals have at most this many, results are exact to this many
significant digits and smaller than 10**MAX_DIGITS (a larger one is "out of range").
Unbounded integers would let `x * x * x …` in a let chain run for minutes."""


class EvalError(Exception):
    """A run-time error of an expression: a wrong type in the data, division by zero, ..."""


class MissingTruth(TypeError):
    """Raised when *missing* is used as a Python truth value.

    The compiled evaluator relies on this: a missing value reaching a place that needs a
    bool aborts its optimistic fast path, and the reference interpreter takes over.
    """


class Missing:
    """The value of a path that does not exist in the data (or a failed parse).

    `paths` names the data paths that were absent; `reasons` says why for values that
    are missing for another cause (a parse failure, an empty list given to `min`).
    """

    __slots__ = ("paths", "reasons")

    def __init__(self, paths: Sequence[str] = (), reasons: Sequence[str] = ()) -> None:
        self.paths: tuple[str, ...] = tuple(paths)
        self.reasons: tuple[str, ...] = tuple(reasons)

    def __bool__(self) -> bool:
        raise MissingTruth("missing value used as a truth value")

    def __repr__(self) -> str:
        return f"Missing(paths={self.paths!r}, reasons={self.reasons!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Missing) and (self.paths, self.reasons) == (
            other.paths,
            other.reasons,
        )

    def __hash__(self) -> int:
        return hash((self.paths, self.reasons))

    def describe(self) -> str:
        """One line naming what was missing, e.g. `payment.installments[1].percent`."""
        parts = list(dict.fromkeys(self.paths)) + list(dict.fromkeys(self.reasons))
        return ", ".join(parts) if parts else "a value"


def merge_missing(*values: object) -> Missing:
    """Combine the missing operands of one operation into one missing value."""
    # Dictionaries as ordered sets: a long chain `a + b + c …` merges ever longer lists.
    paths: dict[str, None] = {}
    reasons: dict[str, None] = {}
    for v in values:
        if isinstance(v, Missing):
            paths.update(dict.fromkeys(v.paths))
            reasons.update(dict.fromkeys(v.reasons))
    return Missing(tuple(paths), tuple(reasons))


_UNIT_NAMES: Final[dict[Family, tuple[str, str]]] = {
    "months": ("month", "months"),
    "days": ("day", "days"),
    "working_days": ("working day", "working days"),
}


CURRENCIES: Final = frozenset(
    [
        "AED",
        "AFN",
        "ALL",
        "AMD",
        "ANG",
        "AOA",
        "ARS",
        "AUD",
        "AWG",
        "AZN",
        "BAM",
        "BBD",
        "BDT",
        "BGN",
        "BHD",
        "BIF",
        "BMD",
        "BND",
        "BOB",
        "BRL",
        "BSD",
        "BTN",
        "BWP",
        "BYN",
        "BZD",
        "CAD",
        "CDF",
        "CHF",
        "CLP",
        "CNY",
        "COP",
        "CRC",
        "CUP",
        "CVE",
        "CZK",
        "DJF",
        "DKK",
        "DOP",
        "DZD",
        "EGP",
        "ERN",
        "ETB",
        "EUR",
        "FJD",
        "FKP",
        "GBP",
        "GEL",
        "GHS",
        "GIP",
        "GMD",
        "GNF",
        "GTQ",
        "GYD",
        "HKD",
        "HNL",
        "HTG",
        "HUF",
        "IDR",
        "ILS",
        "INR",
        "IQD",
        "IRR",
        "ISK",
        "JMD",
        "JOD",
        "JPY",
        "KES",
        "KGS",
        "KHR",
        "KMF",
        "KPW",
        "KRW",
        "KWD",
        "KYD",
        "KZT",
        "LAK",
        "LBP",
        "LKR",
        "LRD",
        "LSL",
        "LYD",
        "MAD",
        "MDL",
        "MGA",
        "MKD",
        "MMK",
        "MNT",
        "MOP",
        "MRU",
        "MUR",
        "MVR",
        "MWK",
        "MXN",
        "MYR",
        "MZN",
        "NAD",
        "NGN",
        "NIO",
        "NOK",
        "NPR",
        "NZD",
        "OMR",
        "PAB",
        "PEN",
        "PGK",
        "PHP",
        "PKR",
        "PLN",
        "PYG",
        "QAR",
        "RON",
        "RSD",
        "RUB",
        "RWF",
        "SAR",
        "SBD",
        "SCR",
        "SDG",
        "SEK",
        "SGD",
        "SHP",
        "SLE",
        "SOS",
        "SRD",
        "SSP",
        "STN",
        "SVC",
        "SYP",
        "SZL",
        "THB",
        "TJS",
        "TMT",
        "TND",
        "TOP",
        "TRY",
        "TTD",
        "TWD",
        "TZS",
        "UAH",
        "UGX",
        "USD",
        "UYU",
        "UZS",
        "VES",
        "VND",
        "VUV",
        "WST",
        "XAF",
        "XCD",
        "XCG",
        "XOF",
        "XPF",
        "YER",
        "ZAR",
        "ZMW",
        "ZWG",
        "ZWL",
    ]
)
"""Active ISO 4217 currency codes: money is never in a currency that does not exist."""


class Duration:
    """A length of time in one of three families; years are stored as 12 months, weeks as 7 days.

    Values of one family compare and add after normalising; values of different families
    do not compare at all (a month has no fixed number of days).
    """

    __slots__ = ("amount", "family")

    def __init__(self, amount: Number, family: Family) -> None:
        self.amount: Number = amount
        self.family: Family = family

    @classmethod
    def of(cls, amount: Number, unit: str) -> Duration:
        """Build from a unit word: year(s), month(s), week(s), day(s), working day(s)."""
        u = unit.strip().lower().replace("_", " ")
        u = " ".join(u.split())
        if u.endswith("s"):
            u = u[:-1]
        if u == "year":
            return cls(amount * 12, "months")
        if u == "month":
            return cls(amount, "months")
        if u == "week":
            return cls(amount * 7, "days")
        if u == "day":
            return cls(amount, "days")
        if u == "working day":
            return cls(amount, "working_days")
        raise ValueError(f"unknown duration unit {unit!r}")

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Duration)
            and self.family == other.family
            and self.amount == other.amount
        )

    def __hash__(self) -> int:
        return hash((self.family, self.amount))

    def __repr__(self) -> str:
        return f"Duration({self.amount!r}, {self.family!r})"

    def __str__(self) -> str:
        return format_duration(self)


class Money:
    """An amount of one currency (ISO 4217 code); currencies never mix."""

    __slots__ = ("amount", "currency")

    def __init__(self, amount: Number, currency: str) -> None:
        self.amount: Number = amount
        self.currency: str = currency

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Money)
            and self.currency == other.currency
            and self.amount == other.amount
        )

    def __hash__(self) -> int:
        return hash((self.currency, self.amount))

    def __repr__(self) -> str:
        return f"Money({self.amount!r}, {self.currency!r})"

    def __str__(self) -> str:
        return format_money(self)


def normalize_number(n: Number) -> Number:
    """An integral Decimal becomes an int, so `2.0` and `2` are one value; others stay Decimal."""
    if type(n) is int:
        return n
    assert isinstance(n, Decimal)
    if n.is_finite() and n == n.to_integral_value():
        return int(n)
    return n


def parse_number_text(text: str) -> Number:
    """Read a decimal numeral exactly (underscores allowed); raise ValueError otherwise."""
    t = text.replace("_", "")
    try:
        d = Decimal(t)
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {text!r}") from exc
    if not d.is_finite():
        raise ValueError(f"not a finite number: {text!r}")
    if "." not in t and "e" not in t.lower():
        return int(t)
    return d


def from_float(f: float) -> Number:
    """A Python float read through its shortest repr, as a person reads it (0.05 is 0.05)."""
    if f != f or f in (float("inf"), float("-inf")):
        raise EvalError(f"not a finite number: {f!r}")
    if f.is_integer():
        return int(f)
    return Decimal(repr(f))


def format_number(n: Number) -> str:
    """Exact decimal text without exponent or trailing zeros: `150`, `0.3`, `-2.5`."""
    if type(n) is int:
        return str(n)
    assert isinstance(n, Decimal)
    if n == n.to_integral_value():
        return str(int(n))
    text = format(n, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def wide_context(d: Decimal, extra: int = 2) -> Context:
    """A decimal context with room for every digit of `d` and `extra` more, so quantizing
    or dividing a contract's number (up to 100 digits, or more after arithmetic) neither
    fails nor drops digits the way the default 28-digit context does."""
    return Context(prec=max(28, d.adjusted() + 1 + extra, len(d.as_tuple().digits) + extra))


def format_duration(d: Duration) -> str:
    """`3 years`, `18 months`, `30 days`, `15 working days` (whole years shown as years)."""
    amount = d.amount
    years: Number | None = None
    if d.family == "months" and amount != 0:
        if isinstance(amount, Decimal):
            ctx = wide_context(amount)
            if ctx.remainder(amount, Decimal(12)) == 0:
                years = normalize_number(ctx.divide(amount, Decimal(12)))
        elif amount % 12 == 0:
            years = amount // 12
    if years is not None:
        return f"{format_number(years)} {'year' if years in (1, -1) else 'years'}"
    one, many = _UNIT_NAMES[d.family]
    return f"{format_number(amount)} {one if amount in (1, -1) else many}"


def format_money(m: Money) -> str:
    """`CNY 100000.00`: the currency code and the amount with at least two decimals."""
    amount = Decimal(m.amount)
    if -amount.as_tuple().exponent < 2:  # type: ignore[operator]
        amount = amount.quantize(Decimal("0.01"), context=wide_context(amount))
    return f"{m.currency} {format(amount, 'f')}"


def type_name(v: object) -> str:
    """The language's name for the type of a run-time value (used in messages)."""
    if v is None:
        return "null"
    if v is True or v is False:
        return "bool"
    t = type(v)
    if t is int or t is Decimal or t is float:
        return "number"
    if t is str:
        return "string"
    if t is _dt.date:
        return "date"
    if t is Duration:
        return "duration"
    if t is Money:
        return "money"
    if isinstance(v, list | tuple):
        return "list"
    if isinstance(v, Mapping):
        return "map"
    if isinstance(v, Missing):
        return "missing"
    return t.__name__


def describe(v: object) -> str:
    """A value with its type for messages: `string "abc"`, `number 5`, `null`."""
    if v is None:
        return "null"
    return f"{type_name(v)} {display(v)}"


def to_json(v: object) -> Any:
    """The JSON form of a value, as `eval` prints it (numbers stay exact: see `dumps`)."""
    if v is None or v is True or v is False or type(v) is str or type(v) is int:
        return v
    if isinstance(v, Decimal):
        return v
    if isinstance(v, float):
        return from_float(v)
    if isinstance(v, _dt.date):
        return v.isoformat()
    if isinstance(v, Duration):
        return format_duration(v)
    if isinstance(v, Money):
        return format_money(v)
    if isinstance(v, list | tuple):
        return [to_json(x) for x in v]
    if isinstance(v, Mapping):
        return {str(k): to_json(x) for k, x in v.items()}
    if isinstance(v, Missing):
        return None
    return str(v)


# How much of a value a message shows (a finding's `values` keep the whole value): a
# contract's 5 MB string or 500,000-item list must not make a 5 MB message per finding.
SHOWN_CHARS: Final = 200  # characters of a string
SHOWN_ITEMS: Final = 10  # items of a list
SHOWN_KEYS: Final = 6  # entries of a map
SHOWN_DEPTH: Final = 4  # nesting levels; deeper lists and maps show as […] and {…}


def shorten(text: str, limit: int = SHOWN_CHARS) -> str:
    """The text, or its first `limit` characters, `…` and how many more there are."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit:,} more characters)"


def _more(shown: list[str], total: int) -> list[str]:
    return [*shown, f"… ({total - len(shown):,} more)"] if total > len(shown) else shown


def display(v: object, _depth: int = 0) -> str:
    """A short human rendering of a value for messages: strings quoted, others as written;
    long strings, lists and maps and deep nesting are cut (see SHOWN_CHARS and the others)."""
    if isinstance(v, Missing):
        return "missing"
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, str):
        text = v[:SHOWN_CHARS].replace("\\", "\\\\").replace('"', '\\"')
        if len(v) <= SHOWN_CHARS:
            return f'"{text}"'
        return f'"{text}…" ({len(v) - SHOWN_CHARS:,} more characters)'
    if isinstance(v, int | Decimal):
        return format_number(v)
    if isinstance(v, float):
        return format_number(from_float(v))
    if isinstance(v, _dt.date):
        return v.isoformat()
    if isinstance(v, Duration):
        return format_duration(v)
    if isinstance(v, Money):
        return format_money(v)
    if isinstance(v, list | tuple):
        if _depth >= SHOWN_DEPTH and v:
            return "[…]"
        shown = [display(x, _depth + 1) for x in v[:SHOWN_ITEMS]]
        return "[" + ", ".join(_more(shown, len(v))) + "]"
    if isinstance(v, Mapping):
        if _depth >= SHOWN_DEPTH and v:
            return "{…}"
        entries = [
            f"{shorten(str(k))}: {display(x, _depth + 1)}"
            for k, x in itertools.islice(v.items(), SHOWN_KEYS)
        ]
        return "{" + ", ".join(_more(entries, len(v))) + "}"
    return shorten(str(v))


def dumps(v: object, indent: int | None = None) -> str:
    """JSON text of a language value: numbers exact (no exponent, no float), dates ISO."""
    return _dump(to_json(v), indent, 0)


def _dump(v: Any, indent: int | None, level: int) -> str:

    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int | Decimal):
        return format_number(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        if not v:
            return "[]"
        items = [_dump(x, indent, level + 1) for x in v]
        return _join("[", "]", items, indent, level)
    if isinstance(v, Mapping):
        if not v:
            return "{}"
        items = [
            f"{json.dumps(str(k), ensure_ascii=False)}: {_dump(x, indent, level + 1)}"
            for k, x in v.items()
        ]
        return _join("{", "}", items, indent, level)
    return json.dumps(str(v), ensure_ascii=False)


def _join(open_: str, close: str, items: list[str], indent: int | None, level: int) -> str:
    if indent is None:
        return open_ + ", ".join(items) + close
    pad = " " * (indent * (level + 1))
    end = " " * (indent * level)
    return open_ + "\n" + ",\n".join(pad + i for i in items) + "\n" + end + close
