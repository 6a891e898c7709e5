"""Reading values as contract drafts write them: durations, money, dates, numerals, placeholders.

Every parser takes the text of one value and either returns an exact value (int or Decimal,
never float) or raises ValueError with a reason a person can act on; none of them guesses.
Text is read after Unicode NFKC normalisation, so full-width digits, ￥, （ ） and ： count
as their ASCII forms.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final

from checker.lang import cnupper
from checker.lang.ops import compile_pattern
from checker.lang.values import (
    CURRENCIES,
    Duration,
    Missing,
    Money,
    Number,
    normalize_number,
    parse_number_text,
)

# -- Chinese numerals -------------------------------------------------------------------

_CN_DIGITS: Final[Mapping[str, int]] = MappingProxyType(
    {
        **{c: 0 for c in "零〇○"},
        **dict(zip("一二三四五六七八九", range(1, 10), strict=True)),
        **dict(zip("壹贰叁肆伍陆柒捌玖", range(1, 10), strict=True)),
        **{"两": 2, "兩": 2, "貳": 2, "叄": 3, "陸": 6},
    }
)
_CN_PLACES: Final[Mapping[str, int]] = MappingProxyType(
    {"十": 1, "拾": 1, "百": 2, "佰": 2, "千": 3, "仟": 3}
)
_CN_SECTIONS: Final[Mapping[str, int]] = MappingProxyType({"万": 4, "萬": 4, "亿": 8, "億": 8})
_UNIT_NAMES: Final = "十百千"


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def parse_chinese_number(text: str) -> Number:
    """Read an ordinary Chinese numeral: 三, 十五, 二十, 两, 一百零五, 一万二千, 零点五, 二〇二五.

    Uppercase digits and units (叁, 拾, 佰) and plain Arabic figures are read too. Returns an
    int, or a Decimal when the numeral has a 点 fraction. Raises ValueError for anything else,
    including colloquial abbreviations that could mean two numbers (一百五: 150 or 105?).
    """
    t = _nfkc(text)
    if re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", t):
        return parse_number_text(t)
    if not t:
        raise ValueError("empty numeral")
    whole, dot, frac = t.partition("点")
    if dot:
        if not frac or any(_CN_DIGITS.get(c) is None for c in frac):
            raise ValueError(f"not a numeral: {text!r} (the part after 点 must be digits)")
        decimals = "".join(str(_CN_DIGITS[c]) for c in frac)
        return Decimal(f"{_chinese_integer(whole, text)}.{decimals}")
    return _chinese_integer(whole, text)


def _chinese_integer(t: str, text: str) -> int:
    if not t:
        raise ValueError(f"not a numeral: {text!r}")
    bad = [c for c in t if c not in _CN_DIGITS and c not in _CN_PLACES and c not in _CN_SECTIONS]
    if bad:
        raise ValueError(f"not a numeral: {text!r} (unexpected {bad[0]!r})")
    if all(c in _CN_DIGITS for c in t):  # 三, 二〇二五: digits read by position
        return int("".join(str(_CN_DIGITS[c]) for c in t))
    total = section = 0
    digit: int | None = None
    after_zero = zero = False  # a 零 before the pending digit / since the last unit
    last_place = 4  # the place of the last 十/百/千 in this section, 4 for none
    closer: int | None = None  # the exponent of the last 万/亿
    for c in t:
        value = _CN_DIGITS.get(c)
        if value == 0:
            if digit is not None:
                raise ValueError(f"not a numeral: {text!r} (a digit before 零 has no unit)")
            zero = True
        elif value is not None:
            if digit is not None:
                raise ValueError(f"not a numeral: {text!r} (two digits in a row)")
            digit, after_zero, zero = value, zero, False
        elif c in _CN_PLACES:
            place = _CN_PLACES[c]
            if digit is None and place != 1:
                raise ValueError(f"not a numeral: {text!r} ({c} without a digit)")
            if place >= last_place:
                raise ValueError(f"not a numeral: {text!r} (units out of order at {c})")
            section += (1 if digit is None else digit) * 10**place
            digit, zero, last_place = None, False, place
        else:
            exp = _CN_SECTIONS[c]
            if closer is not None and exp >= closer:
                raise ValueError(f"not a numeral: {text!r} (units out of order at {c})")
            _check_bare_digit(digit, after_zero, last_place, False, text)
            if section + (digit or 0) == 0:
                raise ValueError(f"not a numeral: {text!r} ({c} without digits)")
            total += (section + (digit or 0)) * 10**exp
            section, digit, zero, last_place, closer = 0, None, False, 4, exp
    if zero:
        raise ValueError(f"not a numeral: {text!r} (ends with 零)")
    _check_bare_digit(digit, after_zero, last_place, closer is not None, text)
    return total + section + (digit or 0)


def _check_bare_digit(
    digit: int | None, after_zero: bool, last_place: int, after_section: bool, text: str
) -> None:
    """Reject colloquial short forms: 一百五 (150, not 105) and a final 一万五 (15000)."""
    if digit is None or after_zero:
        return
    if 2 <= last_place <= 3 or (last_place == 4 and after_section):
        unit = _UNIT_NAMES[last_place - 1] if last_place < 4 else "万/亿"
        raise ValueError(
            f"ambiguous numeral {text!r}: a bare digit after {unit} can mean the next lower "
            "unit (一百五 = 150, 一万五 = 15000); write it in full (一百五十, 一百零五)"
        )


# -- durations --------------------------------------------------------------------------

_EN_UNITS: Final[Mapping[str, str]] = MappingProxyType(
    {
        **dict.fromkeys(("year", "years", "yr", "yrs"), "year"),
        **dict.fromkeys(("month", "months", "mo", "mos"), "month"),
        **dict.fromkeys(("week", "weeks", "wk", "wks"), "week"),
        **dict.fromkeys(("day", "days", "calendar day", "calendar days"), "day"),
        **dict.fromkeys(
            ("working day", "working days", "business day", "business days", "workday"),
            "working day",
        ),
        "workdays": "working day",
    }
)
_ZH_UNITS: Final[Mapping[str, str]] = MappingProxyType(
    {
        **dict.fromkeys(("个工作日", "工作日", "个营业日", "营业日"), "working day"),
        **dict.fromkeys(("个自然日", "自然日", "个日历日", "日历日", "日", "天"), "day"),
        **dict.fromkeys(("个星期", "星期", "个礼拜", "礼拜", "周"), "week"),
        "个月": "month",
        "年": "year",
    }
)
_EN_RE: Final = re.compile(r"(?P<num>[0-9][0-9_]*(?:\.[0-9]+)?)\s*(?P<unit>[A-Za-z][A-Za-z_ ]*)")
_ISO_RE: Final = re.compile(
    r"P(?:(?P<Y>[0-9]+)Y)?(?:(?P<M>[0-9]+)M)?(?:(?P<W>[0-9]+)W)?(?:(?P<D>[0-9]+)D)?", re.I
)
_ZH_RE: Final = re.compile(
    r"(?P<num>[^\s个工营自日星礼周年天月]+)\s*(?P<unit>"
    + "|".join(sorted(_ZH_UNITS, key=len, reverse=True))
    + r")(?P<half>半)?(?:以?内)?"
)


def parse_duration(text: str) -> Duration:
    """Read a duration: 3 years, 6 months, 2 weeks, 30 days, 15 working days; ISO P3Y,
    P18M, P1Y6M, P2W, P30D; Chinese 3年, 三年, 叁年, 两年, 半年, 1年半, 36个月, 六个月, 2周,
    30日, 30天, 15个工作日, 十五个工作日 (a trailing 内/以内 is allowed).

    Years become 12 months and weeks 7 days. Raises ValueError for anything else: a negative
    amount, an ISO value that mixes months and days (P1Y2D), 3月 (a month's name), ...
    """
    t = _nfkc(text)
    if not t:
        raise ValueError("empty duration")
    if t.startswith("-"):
        raise ValueError(f"negative duration {text!r}")
    if t[0] in "Pp":
        return _iso_duration(t, text)
    m = _EN_RE.fullmatch(t)
    if m:
        unit = " ".join(m["unit"].lower().replace("_", " ").split())
        if unit not in _EN_UNITS:
            raise ValueError(f"unknown duration unit {m['unit']!r} in {text!r}")
        return _duration(parse_number_text(m["num"]), _EN_UNITS[unit])
    if t in ("半年", "半年内", "半年以内"):
        return Duration(6, "months")
    m = _ZH_RE.fullmatch(t)
    if m is None:
        if re.fullmatch(r".+?月(?:以?内)?", t) and "个月" not in t:
            raise ValueError(f"{text!r} names a month of the year; write 个月 for a length")
        raise ValueError(f"not a duration: {text!r} (write e.g. 3 years, 30日 or 15个工作日)")
    try:
        amount = parse_chinese_number(m["num"])
    except ValueError as exc:
        raise ValueError(f"not a duration: {text!r}: {exc}") from None
    unit = _ZH_UNITS[m["unit"]]
    if m["half"]:
        if unit != "year":
            raise ValueError(f"half units are only read for years (1年半): {text!r}")
        return Duration(normalize_number(amount * 12 + 6), "months")
    return _duration(amount, unit)


def _duration(amount: Number, unit: str) -> Duration:
    d = Duration.of(amount, unit)
    return Duration(normalize_number(d.amount), d.family)


def _iso_duration(t: str, text: str) -> Duration:
    m = _ISO_RE.fullmatch(t)
    if m is None or not any(m.groupdict().values()):
        raise ValueError(
            f"not an ISO 8601 duration: {text!r} (PnYnMnWnD with whole numbers, no time part)"
        )
    y, mo, w, d = (int(m[k]) if m[k] else None for k in "YMWD")
    if (y is not None or mo is not None) and (w is not None or d is not None):
        raise ValueError(f"{text!r} mixes months and days: a month has no fixed number of days")
    if y is not None or mo is not None:
        return Duration((y or 0) * 12 + (mo or 0), "months")
    return Duration((w or 0) * 7 + (d or 0), "days")


# -- money ------------------------------------------------------------------------------

_SYMBOLS: Final[Mapping[str, str]] = MappingProxyType(
    {"¥": "CNY", "人民币": "CNY", "€": "EUR", "£": "GBP"}
)
_MONEY_RE: Final = re.compile(
    r"(?:(?P<code>[A-Za-z]{3})|(?P<sym>¥|人民币|€|£))?\s*(?P<sym2>¥)?\s*"
    r"(?P<num>[0-9][0-9,_]*(?:\.[0-9]+)?)\s*(?P<mult>万|亿)?\s*"
    r"(?:(?P<yuan>元|圆)(?:整|正)?|(?P<code2>[A-Za-z]{3}))?"
)
_UPPER_CHARS_RE: Final = re.compile(r"[零壹贰貳叁肆伍陆陸柒捌玖拾佰仟]")
_PAREN_RE: Final = re.compile(r"\(([^()]*)\)\s*$")


def parse_money(text: str, default_currency: str | None = None) -> Money:
    """Read money: CNY 100000, CNY 1_000.50, USD 20, RMB 5,000, ¥1,000.00, ￥1,000.00,
    人民币100,000元, 人民币 100,000.00 元, 100000元, 10万元, 人民币壹拾万元整.

    ¥, ￥, 元, 人民币 and RMB mean CNY; a currency code may also follow the figure (100 USD).
    A trailing parenthesised uppercase amount （大写：壹拾万元整） is ignored: checking it
    against the figure is `cny_upper_matches`' job. A figure without any currency takes
    `default_currency`. Amounts are exact. Raises ValueError otherwise (negative amounts,
    misplaced thousands separators, conflicting currencies, ordinary numerals like 十万元).
    """
    t = _nfkc(text)
    paren = _PAREN_RE.search(t)
    if paren:
        inner = paren[1]
        if "大写" not in inner and cnupper.parse_upper(inner) is None:
            raise ValueError(f"unexpected text in parentheses: {paren[0].strip()!r}")
        t = t[: paren.start()].strip()
    if not t:
        raise ValueError("empty amount")
    if t.startswith("-") or re.match(r"(?:[A-Za-z]{3}|¥|人民币)\s*-", t):
        raise ValueError(f"negative amount {text!r}")
    if _UPPER_CHARS_RE.search(t) and not re.search(r"[0-9]", t):
        value = cnupper.parse_upper(t)
        if value is None:
            reasons = "; ".join(str(i) for i in cnupper.upper_issues(t))
            raise ValueError(f"not a valid uppercase amount: {reasons}")
        return Money(value, "CNY")
    m = _MONEY_RE.fullmatch(t)
    if m is None:
        if re.search(r"[一二三四五六七八九十百千两]", t):
            raise ValueError(f"{text!r}: write money in figures or in uppercase (大写)")
        raise ValueError(f"not a money amount: {text!r} (write e.g. CNY 100000 or 100000元)")
    currencies = {
        c
        for c in (
            _code(m["code"]),
            _SYMBOLS.get(m["sym"] or ""),
            "CNY" if m["sym2"] or m["yuan"] else None,
            _code(m["code2"]),
        )
        if c
    }
    if len(currencies) > 1:
        raise ValueError(f"{text!r} names two currencies: {', '.join(sorted(currencies))}")
    currency = currencies.pop() if currencies else default_currency
    if currency is None:
        raise ValueError(f"{text!r} has no currency (write e.g. CNY 100000 or 100000元)")
    amount = _figure(m["num"], text)
    if m["mult"]:
        amount = normalize_number(amount * 10 ** (4 if m["mult"] == "万" else 8))
    return Money(amount, currency)


def _code(code: str | None) -> str | None:
    if not code:
        return None
    code = code.upper()
    if code == "RMB":
        return "CNY"
    if code not in CURRENCIES:
        raise ValueError(f"{code!r} is not an ISO 4217 currency code")
    return code


def _figure(num: str, text: str) -> Number:
    """A figure with optional thousands commas or underscores, read exactly."""
    if "," in num:
        if not re.fullmatch(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?", num):
            raise ValueError(f"misplaced thousands separator in {text!r}")
        num = num.replace(",", "")
    elif "_" in num and not re.fullmatch(r"[0-9]+(?:_[0-9]+)*(?:\.[0-9]+)?", num):
        raise ValueError(f"misplaced underscore in {text!r}")
    return parse_number_text(num)


# -- dates ------------------------------------------------------------------------------

_DATE_RE: Final = re.compile(r"([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})")
_ZH_DATE_RE: Final = re.compile(
    r"(?P<y>[^\s年]+)\s*年\s*(?P<m>[^\s月]+)\s*月\s*(?P<d>[^\s日号]+)\s*[日号]"
)


def parse_date(text: str) -> _dt.date:
    """Read a calendar date: 2025-01-31, 2025/1/31, 2025.1.31, 20250131, 2025年1月31日,
    2025 年 1 月 31 日, 二〇二五年一月三十一日. Raises ValueError for other forms and for
    dates that do not exist (2025-02-30)."""
    t = _nfkc(text)
    m = _DATE_RE.fullmatch(t)
    if m:
        parts = (int(m[1]), int(m[3]), int(m[4]))
    elif re.fullmatch(r"[0-9]{8}", t):
        parts = (int(t[:4]), int(t[4:6]), int(t[6:]))
    else:
        z = _ZH_DATE_RE.fullmatch(t)
        if z is None:
            raise ValueError(f"not a date: {text!r} (write e.g. 2025-01-31 or 2025年1月31日)")
        parts = (_date_part(z["y"], text), _date_part(z["m"], text), _date_part(z["d"], text))
    if not 1000 <= parts[0] <= 9999:
        raise ValueError(f"not a date: {text!r} (the year needs four digits)")
    try:
        return _dt.date(*parts)
    except ValueError as exc:
        raise ValueError(f"no such date: {text!r} ({exc})") from None


def _date_part(part: str, text: str) -> int:
    try:
        n = parse_chinese_number(part)
    except ValueError:
        raise ValueError(f"not a date: {text!r} ({part!r} is not a number)") from None
    if not isinstance(n, int):
        raise ValueError(f"not a date: {text!r} ({part!r} is not a whole number)")
    return n


# -- placeholders -----------------------------------------------------------------------

_BLANK: Final = r"[ \t\u3000]"
_NOT_ALNUM_BEFORE: Final = r"(?<![A-Za-z0-9])"
_NOT_ALNUM_AFTER: Final = r"(?![A-Za-z0-9])"

DEFAULT_PLACEHOLDER_PATTERNS: Final[tuple[tuple[str, str], ...]] = (
    # ____年____月____日, 年  月  日: an empty date slot (年月日 with no blank is a word)
    # (the look-behind keeps the search linear: a match only starts where a run of _ starts)
    ("date-slot", rf"(?<![_＿])(?:[_＿]+{_BLANK}*)?年[ \t\u3000_＿]+月[ \t\u3000_＿]+日"),
    ("underscores", r"[_＿]{3,}"),  # ________
    ("bracket-x", r"[\[［【]\s*[XxＸｘ×]{1,4}\s*[\]］】]"),  # [X], 【XX】
    ("empty-brackets", r"[\[［【〔][\s\u3000]*[\]］】〕]|（[\s\u3000]*）|\([\s\u3000]+\)"),
    # [大写金额], [甲方名称]: square brackets holding a Chinese label (one nested level);
    # 【…】 with text is left alone: drafts use it for headings and emphasis
    (
        "bracket-label",
        r"[\[［](?=[^\]］\n]{0,100}?[\u3400-\u9fff])"
        r"(?:[^\[\]［］\n]|[\[［][^\[\]［］\n]{0,100}[\]］]){1,100}[\]］]",
    ),
    # X%, X个工作日, X年, X元: a letter X standing for a number before a unit
    (
        "x-quantity",
        rf"{_NOT_ALNUM_BEFORE}[XxＸｘ×]{{1,3}}[ \t]*"
        r"(?:[%％]|个工作日|工作日|个自然日|自然日|个月|个|日|天|年|月|周|小时|万元|元|人|次|期|倍)",
    ),
    ("year-xx", r"(?<![0-9])(?:19|20)[Xx×]{2}(?![A-Za-z0-9])"),  # 20XX年
    # XXX, xx, ×××, ＸＸ standing alone: not next to ASCII letters, digits or @ (XXL, xx@a.cn)
    ("xxx", r"(?<![A-Za-z0-9@Ｘｘ×])(?:[Xx]{2,}|[Ｘｘ]{2,}|×{2,})(?![A-Za-z0-9@Ｘｘ×])"),
    ("template-variable", r"\{\{[^{}\n]{0,100}\}\}|\$\{[^{}\n]{1,100}\}"),  # {{name}}, ${name}
    ("tbd", rf"{_NOT_ALNUM_BEFORE}(?i:tbd|tbc){_NOT_ALNUM_AFTER}"),
    ("pending", r"待定(?!期)|待补充|待填写?"),  # 待定, 待补充, 待填写
)
"""The built-in placeholder patterns, (name, regular expression), in Python `re` syntax.

Each pattern is bounded or unambiguous, so matching is linear in the text. Where several
patterns match overlapping text the longest leftmost match is reported once.
"""


# Compiled at first use, not at import: they cost a tenth of a warm one-file check's
# start-up, and many runs never look for a placeholder.
@functools.cache
def _default_compiled() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for _, p in DEFAULT_PLACEHOLDER_PATTERNS)


_IDENT_RE: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@functools.cache
def _default_union() -> re.Pattern[str]:
    # One search of this union tells whether any built-in pattern can match a string at
    # all: most strings of a contract hold no placeholder, and one search is far cheaper
    # than twelve.
    return re.compile("|".join(f"(?:{p})" for _, p in DEFAULT_PLACEHOLDER_PATTERNS))


def _compile(extra_patterns: Sequence[str]) -> tuple[re.Pattern[str], ...]:
    return _default_compiled() + _compile_extra(tuple(extra_patterns))


@functools.lru_cache(maxsize=64)
def _compile_extra(extra_patterns: tuple[str, ...]) -> tuple[Any, ...]:
    # Extra patterns come from packs: RE2 compiles them, so none can backtrack for ever.
    extra: list[Any] = []
    for p in extra_patterns:
        try:
            extra.append(compile_pattern(p))
        except ValueError as exc:
            raise ValueError(f"invalid placeholder pattern {p!r}: {exc}") from None
    return tuple(extra)


def _spans(s: str, patterns: Sequence[re.Pattern[str]]) -> list[tuple[int, int]]:
    """Non-overlapping placeholder spans of `s`, leftmost first, the longest at each start."""
    found = sorted(
        ((m.start(), -m.end()) for p in patterns for m in p.finditer(s) if m.end() > m.start()),
    )
    spans: list[tuple[int, int]] = []
    end = 0
    for start, neg_end in found:
        if start >= end:
            spans.append((start, -neg_end))
            end = -neg_end
    return spans


def _key_path(path: str, key: object) -> str:
    k = str(key)
    if _IDENT_RE.fullmatch(k):
        return f"{path}.{k}" if path else k
    return f"{path}[{json.dumps(k, ensure_ascii=False)}]"


def _path_text(path: str, steps: list[object]) -> str:
    """The path of a value from its container steps (keys and indexes), built only for hits."""
    for step in steps:
        path = f"{path}[{step}]" if isinstance(step, int) else _key_path(path, step)
    return path


def _walk(
    value: object,
    path: str,
    steps: list[object],
    patterns: Sequence[re.Pattern[str]],
    prefilter: re.Pattern[str] | None,
    active: set[int],
) -> Iterator[dict[str, str]]:
    if isinstance(value, str):
        if prefilter is not None and prefilter.search(value) is None:
            return
        spans = _spans(value, patterns)
        if spans:
            where = _path_text(path, steps)
            for start, end in spans:
                yield {"text": value[start:end], "path": where}
        return
    if not isinstance(value, Mapping | list | tuple) or id(value) in active:
        return  # other scalars hold no text; a container inside itself is read once
    active.add(id(value))
    # Keys are steps as text (a key 1 is `["1"]`), list positions as int (`[1]`).
    items = (
        ((str(k), v) for k, v in value.items()) if isinstance(value, Mapping) else enumerate(value)
    )
    for k, v in items:
        if isinstance(v, str | Mapping | list | tuple):
            steps.append(k)
            yield from _walk(v, path, steps, patterns, prefilter, active)
            steps.pop()
    active.discard(id(value))


_SPACE: Final = (
    r"\t\n\x{b}\x{c}\r\x{1c}-\x{20}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}"
    r"\x{202f}\x{205f}\x{3000}"
)
"""The characters Python's `\\s` and str.isspace() take for white space, in RE2 syntax
(RE2's own `\\s` is ASCII only)."""

# Where a built-in pattern matches, this one does too (inside that match): each alternative
# is a part of one or more of them that every match holds, without look-arounds. RE2 runs it
# over all the strings of a contract at once in a small fraction of the time `re` takes to
# try the patterns string by string; most contracts hold no placeholder at all.
_MAYBE_PLACEHOLDER: Final = "|".join(
    (
        r"年[ \t\x{3000}_＿]+月",  # date-slot
        r"[_＿]{3}",  # underscores
        r"[\[［]",  # bracket-x, bracket-label, empty-brackets
        rf"【[{_SPACE}]*[XxＸｘ×\]］】〕]|〔[{_SPACE}]*[\]］】〕]",  # bracket-x, empty-brackets
        rf"（[{_SPACE}]*）|\([{_SPACE}]+\)",  # empty-brackets
        r"[XxＸｘ×][ \t]*[%％个工自日天年月周小万元人次期倍]",  # x-quantity
        r"(?:19|20)[Xx×]{2}",  # year-xx
        r"[Xx]{2}|[Ｘｘ]{2}|××",  # xxx
        r"\{\{|\$\{",  # template-variable
        r"(?i:tb[dc])",  # tbd
        r"待[定补填]",  # pending
    )
)


@functools.cache
def _maybe_placeholder() -> Any:
    return compile_pattern(_MAYBE_PLACEHOLDER)


def _strings(value: Any, out: list[str], active: set[int]) -> None:
    """Every string `_walk` searches under `value` (map values and list items), in order."""
    if isinstance(value, str):
        out.append(value)
        return
    # The exact types first: an ABC check costs more than the rest of a visit.
    t = type(value)
    is_map = t is dict or (t is not list and isinstance(value, Mapping))
    if not (is_map or isinstance(value, list | tuple)) or id(value) in active:
        return
    active.add(id(value))
    for v in value.values() if is_map else value:
        t = type(v)
        if t is str:
            out.append(v)
        elif t is dict or t is list:
            _strings(v, out, active)
        elif t in _NO_TEXT:
            continue  # the usual scalars, told apart without a costly Mapping check
        elif isinstance(v, str):
            out.append(v)
        elif isinstance(v, Mapping | list | tuple):
            _strings(v, out, active)
    active.discard(id(value))


_NO_TEXT: Final = frozenset(
    {int, float, bool, type(None), Decimal, _dt.date, Duration, Money, Missing}
)


def may_hold_placeholders(value: object) -> bool:
    """False when no string under `value` can hold a built-in placeholder (one search)."""
    texts: list[str] = []
    _strings(value, texts, set())
    # One text, "\n" between strings: a match across two is a false alarm, not a miss.
    return _may_hold("\n".join(texts))


def find_placeholders(
    value: object, path: str = "", extra_patterns: Sequence[str] = ()
) -> list[dict[str, str]]:
    """Every unfilled template token in every string under `value`, as `{text, path}` maps.

    Maps and lists are searched recursively in order; `path` names the value itself and is
    extended as `a.b`, `a[0]` and `a["non-identifier key"]`. The tokens are those of
    `DEFAULT_PLACEHOLDER_PATTERNS` plus `extra_patterns` (Python regular expressions from a
    pack parameter: the caller must vet them, e.g. compile them with RE2 first, as `re` does
    not guard against catastrophic backtracking). Raises ValueError for an invalid pattern.
    """
    if not extra_patterns and not may_hold_placeholders(value):
        return []
    patterns = _compile(extra_patterns)
    prefilter = None if extra_patterns else _default_union()
    return list(_walk(value, path, [], patterns, prefilter, set()))


# Every built-in placeholder pattern contains one of these characters.
_PLACEHOLDER_CHARS: Final = frozenset("_＿[［【〔(（{$XxＸｘ×Tt待年12")


def blank_text(s: str, extra_patterns: Sequence[str] = ()) -> bool:
    """True when `s` is empty or holds only placeholders, blanks, punctuation and symbols."""
    if not extra_patterns and (_PLACEHOLDER_CHARS.isdisjoint(s) or not _may_hold(s)):
        # No placeholder in it: only the first content character matters.
        return _no_content(s)
    return _blank_text_by_patterns(s, extra_patterns)


def _no_content(s: str) -> bool:
    """Only blanks, punctuation and symbols in `s` (a loop: all() over a generator took
    five times as long on the usual text, whose first character is content)."""
    for c in s:  # noqa: SIM110 - see above
        if not (c.isspace() or unicodedata.category(c)[0] in "PS"):
            return False
    return True


def _may_hold(s: str) -> bool:
    """Whether a built-in placeholder can be in `s` (one RE2 search, see `_MAYBE_PLACEHOLDER`)."""
    try:
        return _maybe_placeholder().search(s) is not None
    except UnicodeEncodeError:  # a lone surrogate (from JSON) is not UTF-8: RE2 cannot read it
        return True


def _blank_text_by_patterns(s: str, extra_patterns: Sequence[str] = ()) -> bool:
    spans = _spans(s, _compile(extra_patterns))
    rest, pos = [], 0
    for start, end in spans:
        rest.append(s[pos:start])
        pos = end
    rest.append(s[pos:])
    return _no_content("".join(rest))
