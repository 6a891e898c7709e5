"""Values as Chinese messages show them: 人民币112,000.00元, 三年, 2025年6月1日, 是/否, enum labels."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any, Final

from .lang.values import Duration, Missing, Money, format_number

_DIGITS: Final = "零一二三四五六七八九"
_PLACES: Final = ("", "十", "百", "千")
# Currencies a Chinese contract names in words; others keep their ISO code.
_CURRENCIES: Final = {
    "CNY": ("人民币", "元"),
    "USD": ("美元", ""),
    "EUR": ("欧元", ""),
    "HKD": ("港币", ""),
    "JPY": ("日元", ""),
    "GBP": ("英镑", ""),
}


def cn_int(n: int) -> str:
    """An integer in Chinese numerals as drafts write counts: 3 → 三, 15 → 十五, 105 → 一百零五,
    470 → 四百七十, 1000 → 一千; 10,000 and above (and negatives) stay in figures."""
    if n < 0 or n >= 10000:
        return str(n)
    if n < 10:
        return _DIGITS[n]
    out = ""
    zero = False
    for place in range(3, -1, -1):
        digit = n // 10**place % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += (
            _PLACES[place]
            if (digit == 1 and place == 1 and not out)
            else _DIGITS[digit] + _PLACES[place]
        )
    return out


def _count(amount: Any) -> str:
    """A count before a measure word: 两年, 两个月 (二 only inside a longer numeral: 十二个月)."""
    if isinstance(amount, int) or (
        isinstance(amount, Decimal) and amount == amount.to_integral_value()
    ):
        return "两" if int(amount) == 2 else cn_int(int(amount))
    return format_number(amount)


def duration_zh(d: Duration) -> str:
    """`三年`, `十八个月`, `三十日`, `十五个工作日` (whole years shown as years)."""
    if d.family == "months":
        if d.amount != 0 and d.amount % 12 == 0:
            return f"{_count(Decimal(d.amount) / 12)}年"
        return f"{_count(d.amount)}个月"
    if d.family == "days":
        return f"{_count(d.amount)}日"
    return f"{_count(d.amount)}个工作日"


def money_zh(m: Money) -> str:
    """`人民币112,000.00元`; other currencies by their Chinese name (`美元20.00`)."""
    amount = Decimal(m.amount)
    text = f"{amount:,.2f}" if -amount.as_tuple().exponent <= 2 else f"{amount:,f}"  # type: ignore[operator]
    name, unit = _CURRENCIES.get(m.currency, (m.currency + " ", ""))
    return f"{name}{text}{unit}"


def date_zh(d: _dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def render_zh(v: Any, labels: Mapping[str, str]) -> str:
    """A value in a Chinese message: quantities, dates and booleans in Chinese, enum values by
    their Chinese label (`labels`), lists joined with 、; text written by the parties as is."""
    if isinstance(v, Missing):
        return "？"
    if v is None:
        return "无"
    if v is True:
        return "是"
    if v is False:
        return "否"
    if isinstance(v, str):
        return labels.get(v, v)
    if isinstance(v, int | Decimal):
        return format_number(v)
    if isinstance(v, _dt.date):
        return date_zh(v)
    if isinstance(v, Duration):
        return duration_zh(v)
    if isinstance(v, Money):
        return money_zh(v)
    if isinstance(v, list | tuple):
        return "、".join(render_zh(x, labels) for x in v) if v else "无"
    if isinstance(v, Mapping):
        return "、".join(f"{k}：{render_zh(x, labels)}" for k, x in v.items()) or "无"
    return str(v)


class EnumLabels(Mapping[str, str]):
    """A schema's `x-enum-zh` labels (`enum_labels_zh`), gathered at the first lookup: only
    a Chinese message quoting an enum value needs them, and walking the schema took 2% of
    a one-file check."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self._schema = schema
        self._labels: dict[str, str] | None = None

    def _all(self) -> dict[str, str]:
        if self._labels is None:
            self._labels = enum_labels_zh(self._schema)
        return self._labels

    def __getitem__(self, value: str) -> str:
        return self._all()[value]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


def enum_labels_zh(schema: Mapping[str, Any]) -> dict[str, str]:
    """Every `x-enum-zh` label of a contract schema, by enum value (one value, one label)."""
    out: dict[str, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, Mapping):
            labels = node.get("x-enum-zh")
            if isinstance(labels, Mapping):
                for value, label in labels.items():
                    out.setdefault(str(value), str(label))
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(schema)
    return out
