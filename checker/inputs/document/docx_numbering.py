"""The list labels Word generates for numbered paragraphs (`第三条`, `3.1`, `（一）`), from numbering.xml.

A numbered paragraph names a numbering instance (`w:numId`) and a level (`w:ilvl`), in its
own properties or through its style. The instance points at an abstract definition whose
levels give the start value, the number format (`w:numFmt`) and the label template
(`w:lvlText`, `%1` standing for level 1's counter). Instances of one abstract definition
share their counters, as in Word, unless one overrides a level's start (`w:startOverride`),
which restarts that level when the instance is first used. A level restarts after a higher
level is used unless `w:lvlRestart` says otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Final

from docx.oxml.ns import qn

from ...fastclass import dataclass, field

_CN_DIGITS: Final = "零一二三四五六七八九"
_CN_UPPER: Final = "零壹贰叁肆伍陆柒捌玖"
_STEMS: Final = "甲乙丙丁戊己庚辛壬癸"
_BRANCHES: Final = "子丑寅卯辰巳午未申酉戌亥"
_PLACEHOLDER: Final = re.compile(r"%([1-9])")


def chinese_numeral(n: int, digits: str = _CN_DIGITS, units: str = "十百千") -> str:
    """An ordinary Chinese numeral: 1 → 一, 10 → 十, 21 → 二十一, 105 → 一百零五, 12000 → 一万二千."""
    if n <= 0:
        return str(n)
    if n >= 100_000_000:
        return str(n)
    high, low = divmod(n, 10_000)
    text = _section(low, digits, units)
    if high:
        head = _section(high, digits, units) + "万"
        text = head + ("零" if 0 < low < 1000 else "") + text if low else head
    if digits == _CN_DIGITS and text.startswith("一十"):
        text = text[1:]  # 十一, 十万: counting style drops the leading 一
    return text


def _section(n: int, digits: str, units: str) -> str:
    out: list[str] = []
    zero = False
    for place in (3, 2, 1, 0):
        d = n // 10**place % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out.append(digits[0])
            zero = False
        out.append(digits[d] + (units[place - 1] if place else ""))
    return "".join(out)


def _letters(n: int, upper: bool) -> str:
    # Word repeats the letter past Z: a … z, aa … zz, aaa …
    letter = chr((ord("A") if upper else ord("a")) + (n - 1) % 26)
    return letter * ((n - 1) // 26 + 1)


def _roman(n: int) -> str:
    out = []
    for value, numeral in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while n >= value:
            out.append(numeral)
            n -= value
    return "".join(out)


def _enclosed(base: int, last: int) -> Callable[[int], str]:
    return lambda n: chr(base + n - 1) if 1 <= n <= last else str(n)


def _cyclic(chars: str) -> Callable[[int], str]:
    return lambda n: chars[(n - 1) % len(chars)] if n > 0 else str(n)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


FORMATS: Final[Mapping[str, Callable[[int], str]]] = MappingProxyType(
    {
        "decimal": str,
        "decimalZero": lambda n: f"{n:02d}",
        "decimalFullWidth": lambda n: "".join(chr(ord(c) + 0xFEE0) for c in str(n)),
        "decimalHalfWidth": str,
        "upperRoman": _roman,
        "lowerRoman": lambda n: _roman(n).lower(),
        "upperLetter": lambda n: _letters(n, True),
        "lowerLetter": lambda n: _letters(n, False),
        "ordinal": _ordinal,
        "chineseCounting": chinese_numeral,
        "chineseCountingThousand": chinese_numeral,
        "japaneseCounting": chinese_numeral,
        "taiwaneseCounting": chinese_numeral,
        "taiwaneseCountingThousand": chinese_numeral,
        "ideographDigital": lambda n: "".join(_CN_DIGITS[int(c)] for c in str(n)),
        "chineseLegalSimplified": lambda n: chinese_numeral(n, _CN_UPPER, "拾佰仟"),
        "ideographLegalTraditional": lambda n: chinese_numeral(n, _CN_UPPER, "拾佰仟"),
        "ideographTraditional": _cyclic(_STEMS),
        "ideographZodiac": _cyclic(_BRANCHES),
        "decimalEnclosedCircle": _enclosed(0x2460, 20),
        "decimalEnclosedCircleChinese": _enclosed(0x2460, 20),
        "ideographEnclosedCircle": _enclosed(0x3220, 10),  # ㈠ … ㈩
        "decimalEnclosedParen": _enclosed(0x2474, 20),  # ⑴
        "decimalEnclosedFullstop": _enclosed(0x2488, 20),  # ⒈
        "none": lambda n: "",
    }
)
"""Word's number formats (`w:numFmt`) this module writes; any other is written as decimal."""


@dataclass(frozen=True, slots=True)
class _Level:
    start: int
    fmt: str
    text: str
    restart: int | None  # w:lvlRestart: restart after a use of a level above this (1-based)
    legal: bool  # w:isLgl: every counter in the label is written as decimal
    suffix: str  # what Word puts between the label and the text


@dataclass
class _Instance:
    abstract: str
    overrides: dict[int, int]


@dataclass
class _Counters:
    values: dict[int, int] = field(default_factory=dict)


def _val(el: Any, tag: str) -> str | None:
    child = el.find(qn(tag)) if el is not None else None
    return child.get(qn("w:val")) if child is not None else None


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


class Numbering:
    """Computes each numbered paragraph's label in reading order (call `label` in that order)."""

    def __init__(self, numbering: Any, styles: Any) -> None:
        """`numbering` is the root of numbering.xml, `styles` of styles.xml (either may be None)."""
        self._levels: dict[str, dict[int, _Level]] = {}
        self._instances: dict[str, _Instance] = {}
        self._counters: dict[str, _Counters] = {}
        self._started: set[str] = set()
        self._style_numpr: dict[str, tuple[str | None, str | None, str | None]] = {}
        if numbering is not None:
            for abstract in numbering.iterchildren(qn("w:abstractNum")):
                levels = {}
                for lvl in abstract.iterchildren(qn("w:lvl")):
                    ilvl = _int(lvl.get(qn("w:ilvl")), 0)
                    restart = _val(lvl, "w:lvlRestart")
                    suffix = {"space": " ", "nothing": ""}.get(_val(lvl, "w:suff") or "", " ")
                    levels[ilvl] = _Level(
                        start=_int(_val(lvl, "w:start"), 1),
                        fmt=_val(lvl, "w:numFmt") or "decimal",
                        text=_val(lvl, "w:lvlText") or "",
                        restart=_int(restart, 0) if restart is not None else None,
                        legal=lvl.find(qn("w:isLgl")) is not None,
                        suffix=suffix,
                    )
                self._levels[abstract.get(qn("w:abstractNumId")) or ""] = levels
            for num in numbering.iterchildren(qn("w:num")):
                overrides = {}
                for ov in num.iterchildren(qn("w:lvlOverride")):
                    start = _val(ov, "w:startOverride")
                    if start is not None:
                        overrides[_int(ov.get(qn("w:ilvl")), 0)] = _int(start, 1)
                self._instances[num.get(qn("w:numId")) or ""] = _Instance(
                    _val(num, "w:abstractNumId") or "", overrides
                )
        if styles is not None:
            for style in styles.iterchildren(qn("w:style")):
                ppr = style.find(qn("w:pPr"))
                numpr = ppr.find(qn("w:numPr")) if ppr is not None else None
                self._style_numpr[style.get(qn("w:styleId")) or ""] = (
                    _val(numpr, "w:numId"),
                    _val(numpr, "w:ilvl"),
                    _val(style, "w:basedOn"),
                )

    def _numpr(self, p: Any) -> tuple[str | None, int]:
        ppr = p.find(qn("w:pPr"))
        numpr = ppr.find(qn("w:numPr")) if ppr is not None else None
        num_id, ilvl = _val(numpr, "w:numId"), _val(numpr, "w:ilvl")
        style = _val(ppr, "w:pStyle")
        for _ in range(16):  # a style's numbering, through its basedOn chain (bounded)
            if num_id is not None or style is None or style not in self._style_numpr:
                break
            s_num, s_lvl, style = self._style_numpr[style]
            num_id = s_num
            ilvl = ilvl if ilvl is not None else s_lvl
        return num_id, _int(ilvl, 0)

    def label(self, p: Any) -> tuple[str, str] | None:
        """The label and suffix Word shows before paragraph `p`, advancing the counters."""
        num_id, ilvl = self._numpr(p)
        if num_id is None or num_id == "0" or num_id not in self._instances:
            return None
        instance = self._instances[num_id]
        levels = self._levels.get(instance.abstract)
        if not levels or ilvl not in levels:
            return None
        counters = self._counters.setdefault(instance.abstract, _Counters()).values
        if num_id not in self._started:
            self._started.add(num_id)
            for overridden, start in instance.overrides.items():
                counters[overridden] = start - 1
                for deeper in [d for d in counters if d > overridden]:
                    del counters[deeper]
        level = levels[ilvl]
        counters[ilvl] = counters.get(ilvl, level.start - 1) + 1
        for deeper in [d for d in counters if d > ilvl]:
            restart = levels[deeper].restart if deeper in levels else None
            if restart is None or ilvl < restart:
                del counters[deeper]
        if level.fmt == "bullet":
            return None  # a bullet is no number: the paragraph is not a numbered clause

        def fill(m: re.Match[str]) -> str:
            k = int(m[1]) - 1
            lvl = levels.get(k)
            if lvl is None:
                return ""
            value = counters.get(k, lvl.start)
            fmt = "decimal" if level.legal else lvl.fmt
            return FORMATS.get(fmt, str)(value)

        text = _PLACEHOLDER.sub(fill, level.text)
        return (text, level.suffix) if text else None
