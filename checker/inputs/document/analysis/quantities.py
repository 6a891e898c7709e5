"""Quantities in the text: amounts (paired with their 大写), percentages, durations, dates.

Values are written in the forms the contract schema's `x-type`s read (`checker.inputs.schema`):
money as `CNY 100000.00`, a duration as `3 years` / `15 working days`, a date as
`2025-03-20`; a percentage is a plain number (30 for 30%, 0.05 for 万分之五). The text
parsers are the language's own (`checker.lang.textparse`, `cnupper`), so a value the
document model holds reads exactly as the same value in contract data.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Final

from checker.inputs.document.analysis.context import CN_NUM, Context, finditer
from checker.lang.textparse import parse_chinese_number, parse_date, parse_duration, parse_money
from checker.lang.values import Number, format_duration, format_money, normalize_number

_UPPER_CHARS: Final = "零壹贰叁肆伍陆柒捌玖拾佰仟万亿元圆角分整正"
_CURRENCY: Final = {
    "人民币": "CNY",
    "RMB": "CNY",
    "CNY": "CNY",
    "¥": "CNY",
    "元": "CNY",
    "圆": "CNY",
    "USD": "USD",
    "$": "USD",
    "美元": "USD",
    "EUR": "EUR",
    "€": "EUR",
    "欧元": "EUR",
    "GBP": "GBP",
    "£": "GBP",
    "英镑": "GBP",
    "HKD": "HKD",
    "港元": "HKD",
    "港币": "HKD",
    "JPY": "JPY",
    "日元": "JPY",
}
_PRE: Final = r"人民币|RMB|CNY|USD|EUR|GBP|HKD|JPY|[¥$€£]"
_UNIT: Final = r"美元|欧元|英镑|港元|港币|日元|元|圆"
_FIGURE: Final = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]{1,2})?|[0-9]+(?:\.[0-9]{1,2})?"
_AMOUNT: Final = re.compile(
    rf"(?<![0-9A-Za-z.,])(?:(?P<pre>{_PRE})\s?)?(?P<num>{_FIGURE})\s?(?P<mult>万|亿)?\s?"
    rf"(?P<unit>{_UNIT})?(?:整|正)?"
)
_UPPER_AFTER: Final = re.compile(
    r"\s?\(\s?(?:大写|大寫)(?:金额)?\s?:?\s?(?P<upper>[^()\n]{1,40}?)\s?\)"
)
_UPPER_FIRST: Final = re.compile(
    rf"(?P<upper>(?:人民币)?[{_UPPER_CHARS}]{{2,30}})\s?\(\s?(?P<inner>(?:{_PRE})?\s?[0-9][0-9,.]*\s?(?:万|亿)?\s?(?:元)?)\s?\)"
)

_PERCENT: Final = re.compile(
    r"(?<![0-9.])(?P<num>[0-9]+(?:\.[0-9]+)?)\s?%"
    rf"|百分之(?P<pct>[{CN_NUM}点]{{1,8}}|[0-9]+(?:\.[0-9]+)?)"
    rf"|(?P<scale>千分之|万分之)(?P<frac>[{CN_NUM}点]{{1,8}}|[0-9]+(?:\.[0-9]+)?)"
)
_PER_DAY: Final = re.compile(r"\s?(?:/|每)(?:日|天)")

_DURATION: Final = re.compile(
    rf"(?<![0-9.第])(?P<num>[0-9]+(?:\.[0-9]+)?|[{CN_NUM}半]{{1,6}})\s?"
    r"(?P<unit>个工作日|工作日|个自然日|自然日|个日历日|日历日|个月|个星期|星期|周年|年|日|天|周)(?P<half>半)?"
)
_DATE: Final = re.compile(
    r"(?<![0-9])(?P<y>[0-9]{4})\s?年\s?(?P<m>[0-9]{1,2})\s?月\s?(?P<d>[0-9]{1,2})\s?[日号]"
    r"|(?P<cy>[〇零一二三四五六七八九]{4})年(?P<cm>[一二三四五六七八九十]{1,3})月"
    r"(?P<cd>[一二三四五六七八九十]{1,3})[日号]"
    r"|(?<![0-9])(?P<iso>[0-9]{4}(?P<sep>[-/.])[0-9]{1,2}(?P=sep)[0-9]{1,2})(?![0-9])"
)


def _money(m: re.Match[str]) -> str | None:
    pre, unit, mult = m["pre"], m["unit"], m["mult"] or ""
    if pre is None and unit is None:
        return None  # a bare figure is no amount
    currencies = {_CURRENCY[c] for c in (pre, unit) if c}
    if len(currencies) != 1:
        return None
    try:
        return format_money(parse_money(f"{currencies.pop()} {m['num']}{mult}"))
    except ValueError:
        return None


def find_amounts(ctx: Context) -> list[dict[str, Any]]:
    """Money in the text, each with the 大写 written beside it (after, or before in brackets)."""
    items: list[dict[str, Any]] = []
    text = ctx.text
    seen: set[int] = set()
    for m in finditer(ctx, _UPPER_FIRST):  # 人民币壹拾万元整（¥100,000.00）
        inner = _AMOUNT.fullmatch(m["inner"])
        value = _money(inner) if inner else None
        if value is None:
            continue
        items.append(_amount(ctx, m.start(), m[0], value, m["upper"], m.start()))
        seen.update(range(m.start("inner"), m.end("inner")))
    for m in finditer(ctx, _AMOUNT):
        if m.start("num") in seen:
            continue
        value = _money(m)
        if value is None:
            continue
        after = _UPPER_AFTER.match(text, m.end())
        upper = after["upper"] if after else None
        end = after.end() if after else m.end()
        items.append(
            _amount(
                ctx,
                m.start(),
                text[m.start() : end].strip(),
                value,
                upper,
                after.start("upper") if after else None,
            )
        )
    items.sort(key=lambda item: item["_at"])
    for i, item in enumerate(items):
        ctx.locate(("document", "amounts", i), item.pop("_at"))
        upper_at = item.pop("_upper_at")
        if upper_at is not None:
            ctx.locate(("document", "amounts", i, "upper"), upper_at)
    return items


def _amount(
    ctx: Context, at: int, text: str, value: str, upper: str | None, upper_at: int | None
) -> dict[str, Any]:
    return {
        "value": value,
        "upper": upper.strip() if upper else None,
        "text": text,
        "clause": ctx.clause_at(at),
        "_at": at,
        "_upper_at": upper_at,
    }


def _number(text: str) -> Number | None:
    try:
        return parse_chinese_number(text)
    except ValueError:
        return None


def find_percentages(ctx: Context, offsets: list[int] | None = None) -> list[dict[str, Any]]:
    """Percentages as plain numbers (30 for 30%, 0.05 for 万分之五), `per: "day"` for `/日`;
    where each starts is appended to `offsets` when given (payment plans need it)."""
    items: list[dict[str, Any]] = []
    text = ctx.text
    for m in finditer(ctx, _PERCENT):
        value: Number | None
        if m["num"] is not None:
            value = _number(m["num"])
        elif m["pct"] is not None:
            value = _number(m["pct"])
        else:
            n = _number(m["frac"])
            scale = Decimal(10) if m["scale"] == "千分之" else Decimal(100)
            value = normalize_number(Decimal(n) / scale) if n is not None else None
        if value is None:
            continue
        per = _PER_DAY.match(text, m.end())
        i = len(items)
        ctx.locate(("document", "percentages", i), m.start())
        if offsets is not None:
            offsets.append(m.start())
        items.append(
            {
                "value": value,
                "per": "day" if per else None,
                "text": text[m.start() : per.end() if per else m.end()],
                "clause": ctx.clause_at(m.start()),
            }
        )
    return items


def find_durations(ctx: Context) -> list[dict[str, Any]]:
    """Lengths of time (`三年`, `15个工作日`, `30日`), never a date's year or day."""
    items: list[dict[str, Any]] = []
    text = ctx.text
    for m in finditer(ctx, _DURATION):
        unit, num = m["unit"], m["num"]
        before = text[max(0, m.start() - 1) : m.start()]
        if unit in ("日", "天") and before == "月":
            continue  # 3月20日: a day of a date
        if unit == "年":
            if len(num) >= 3 and not any(c in "十百千" for c in num):
                continue  # 2025年, 二〇二五年: a year
            if re.match(
                r"\s?(?:[0-9]{1,2}|[一二三四五六七八九十]{1,3})\s?月|度|底|末|初",
                text[m.end() :][:4],
            ):
                continue
        if unit == "周年":
            unit = "年"
        try:
            value = parse_duration(f"{num}{unit}{m['half'] or ''}")
        except ValueError:
            continue
        i = len(items)
        ctx.locate(("document", "durations", i), m.start())
        items.append(
            {"value": format_duration(value), "text": m[0], "clause": ctx.clause_at(m.start())}
        )
    return items


# What a date is, from the words just before it (nearest first) or just after it.
_ROLE_WORDS: Final = (
    ("signing", re.compile(r"签订|签署|签约|签字|订立|Signed|signed|Signing|signing")),
    ("effective", re.compile(r"生效|Effective|effective")),
    ("end", re.compile(r"至|止|届满|终止|截止|到期|结束|until|Expir|expir")),
    ("start", re.compile(r"自|从|起|开始|commenc|Commenc|from")),
)
_ROLE_STOP: Final = re.compile(r"[。;,，\n]")


def _role(text: str, start: int, end: int) -> str | None:
    """The date's role (signing, effective, start, end) from the words around it, or None."""
    lo = max(0, start - 16)
    stop = max((m.end() for m in _ROLE_STOP.finditer(text, lo, start)), default=lo)
    before = text[stop:start]
    best: tuple[int, str] | None = None
    for role, words in _ROLE_WORDS:
        for m in words.finditer(before):
            distance = len(before) - m.end()
            if best is None or distance < best[0]:
                best = (distance, role)
    after_end = _ROLE_STOP.search(text, end, end + 8)
    after = text[end : after_end.start() if after_end else end + 8]
    if (best is None or best[1] == "start") and "生效" in after:
        return "effective"  # 自2025年3月10日起生效: the start of effectiveness
    if best is not None:
        return best[1]
    for role, words in _ROLE_WORDS:
        if role != "end" and words.search(after):  # `2025年4月1日起至…`: 起 wins over 至
            return role
    return None


def find_dates(ctx: Context) -> list[dict[str, Any]]:
    """Calendar dates as ISO text; a date that does not exist (2月30日) has value null.
    `role` says what the date is when the words around it tell (signing, effective,
    start, end)."""
    items: list[dict[str, Any]] = []
    for m in finditer(ctx, _DATE):
        try:
            value: str | None = parse_date(m[0]).isoformat()
        except ValueError:
            value = None
        i = len(items)
        ctx.locate(("document", "dates", i), m.start())
        items.append(
            {
                "value": value,
                "valid": value is not None,
                "role": _role(ctx.text, m.start(), m.end()),
                "text": m[0],
                "clause": ctx.clause_at(m.start()),
            }
        )
    return items
