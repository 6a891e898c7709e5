"""Chinese uppercase (大写) RMB amounts: write the canonical form, read and check written ones.

The conventions are those of the PBOC 《正确填写票据和结算凭证的基本规定》
and MOF 《会计基础工作规范》 Art. 52. In short:

* digits 零壹贰叁肆伍陆柒捌玖, place units 拾佰仟, section units 万亿, money units 元角分,
  terminator 整; traditional 貳 陸 萬 億 圓, simplified 圆 and 正 (for 整) are accepted;
* one 零 for each run of zeros between two nonzero digits; the 零 is optional when the run
  ends at the 万位 (or 亿位) and the next digit is a 仟, and after 元 when 元位 is 0 and 角
  is not; it is mandatory before 分 when 角 is 0 (canonical form: optional 零s omitted);
* 整 after 元, optional after 角 (configurable), never after 分; a head 拾 is written 壹拾.

`to_upper` writes the canonical form (without the 人民币 prefix). `parse_upper` is a lenient
reader: it returns the amount for any readable text (style problems included) and None for
malformed or ambiguous text. `upper_issues` is the strict reporter; its codes are listed in
`ISSUE_CODES` (`ERROR_CODES` are the ones that make a text unreadable). Positions in
messages ("at 3") are 0-based indexes into the normalised amount (prefix and blanks removed).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Final, Literal

from checker.lang.values import Number

from ..fastclass import dataclass, field

ZhengAfterJiao = Literal["optional", "required"]

ISSUE_CODES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "malformed": "not an uppercase amount: a forbidden character (一, 十, 0-9, 两, ...), "
        "units out of order, a digit without a unit, no closing 元/角/分, ...",
        "ambiguous": "a bare digit closes a section after 佰/仟 or 万/亿 without 零, so it "
        "reads like a higher digit (壹佰伍元: 105 or 150?)",
        "missing-zero": "a mandatory 零 is missing (壹仟伍拾元整 for 1050, 壹元贰分 for 1.02)",
        "extra-zero": "a 零 that is not written: before a digit that directly follows the "
        "previous one (壹万零伍仟元整), repeated, before 元/万/整, or 零角/零分/零元伍角",
        "missing-zheng": "an amount ending at 元 has no 整 (or one ending at 角, when 整 after "
        "角 is required)",
        "zheng-after-fen": "整 follows 分",
        "head-shi": "the amount starts with a bare 拾 (canonical: 壹拾)",
        "blank-after-prefix": "a blank separates 人民币 from the amount",
        "non-standard": "readable, but not an accepted spelling of its amount for another "
        "reason than the ones above",
    }
)
"""Every code `upper_issues` can report, with its meaning."""

ERROR_CODES: Final[frozenset[str]] = frozenset({"malformed", "ambiguous"})
"""Codes that make the text unreadable (`parse_upper` returns None); the others are style."""

_DIGIT_CHARS: Final = "零壹贰叁肆伍陆柒捌玖"
_DIGITS: Final[Mapping[str, int]] = MappingProxyType(
    {c: i for i, c in enumerate(_DIGIT_CHARS) if i}
)
_PLACE_CHARS: Final = ("", "拾", "佰", "仟")
_PLACES: Final[Mapping[str, int]] = MappingProxyType({"拾": 1, "佰": 2, "仟": 3})
_SECTIONS: Final[Mapping[str, int]] = MappingProxyType({"万": 4, "亿": 8})
_ALLOWED: Final[frozenset[str]] = frozenset(_DIGIT_CHARS + "拾佰仟万亿元角分整")
_VARIANT_MAP: Final = str.maketrans(
    {"貳": "贰", "陸": "陆", "萬": "万", "億": "亿", "圓": "元", "圆": "元", "正": "整"}
)
_LABEL_RE: Final = re.compile(r"[（(]\s*大写(?:金额)?\s*[）)]")
_LEAD_LABEL_RE: Final = re.compile(r"^大写(?:金额)?")
_LIMIT: Final = 10**12
_CENT: Final = Decimal("0.01")


@dataclass(frozen=True)
class Issue:
    """One problem with how an amount is written: a code of `ISSUE_CODES` and a message."""

    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


# -- amounts ----------------------------------------------------------------------------


def _to_cents(amount: Number) -> int:
    """The amount in 分; raise ValueError when it cannot be written in uppercase."""
    if isinstance(amount, bool) or not isinstance(amount, int | Decimal):
        raise TypeError(f"expected an int or Decimal amount, got {type(amount).__name__}")
    d = Decimal(amount)
    if not d.is_finite():
        raise ValueError(f"not a finite amount: {amount}")
    if d < 0:
        raise ValueError(f"negative amount {amount}: uppercase amounts are written without a sign")
    if d >= _LIMIT:
        raise ValueError(f"amount {amount} is out of range: uppercase amounts must be below 10^12")
    q = d.quantize(_CENT)
    if q != d:
        raise ValueError(f"amount {amount} has more than 2 decimals; round it explicitly first")
    return int(q * 100)


def _from_cents(cents: int) -> Number:
    """An int for whole yuan, otherwise a Decimal with exactly two places (1409.50)."""
    if cents % 100 == 0:
        return cents // 100
    return Decimal(cents).scaleb(-2)


# -- generator --------------------------------------------------------------------------


def _optional_zero(pos: int, prev: int) -> bool:
    """Whether the 零 before a digit at `pos` after one at `prev` may be left out."""
    return (pos == 3 and prev >= 5) or (pos == 7 and prev >= 9)


def _spell(cents: int, *, yi_zero: bool, wan_zero: bool, yuan_zero: bool, zheng: bool) -> str:
    """One spelling of the amount; the flags write the optional 零s and 整 after 角."""
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    digits = [yuan // 10**p % 10 for p in range(12)]
    out: list[str] = []
    prev: int | None = None
    for p in range(11, -1, -1):
        d = digits[p]
        if d:
            write_optional = yi_zero if p == 7 else wan_zero
            gap = prev is not None and prev > p + 1
            if gap and (write_optional or not _optional_zero(p, prev or 0)):
                out.append("零")
            out.append(_DIGIT_CHARS[d] + _PLACE_CHARS[p % 4])
            prev = p
        if p in (8, 4) and any(digits[p : p + 4]):
            out.append("亿" if p == 8 else "万")
    if yuan:
        out.append("元")
    if jiao == 0 and fen == 0:
        out.append("整" if yuan else "零元整")
    elif jiao:
        if yuan and digits[0] == 0 and yuan_zero:
            out.append("零")
        out.append(_DIGIT_CHARS[jiao] + "角")
        if fen:
            out.append(_DIGIT_CHARS[fen] + "分")
        elif zheng:
            out.append("整")
    else:
        if yuan:
            out.append("零")
        out.append(_DIGIT_CHARS[fen] + "分")
    return "".join(out)


def _check_option(zheng_after_jiao: str) -> bool:
    if zheng_after_jiao not in ("optional", "required"):
        raise ValueError(
            f"zheng_after_jiao must be 'optional' or 'required', not {zheng_after_jiao!r}"
        )
    return zheng_after_jiao == "required"


def to_upper(amount: Number, *, zheng_after_jiao: ZhengAfterJiao = "optional") -> str:
    """The canonical uppercase form of an amount, without the 人民币 prefix.

    `100000` → `壹拾万元整`; `Decimal("1234.56")` → `壹仟贰佰叁拾肆元伍角陆分`. With
    `zheng_after_jiao="required"` an amount ending at 角 gets 整 (伍角整). Raises ValueError
    for a negative amount, one with more than two decimals (never rounded) or one >= 10^12.
    """
    required = _check_option(zheng_after_jiao)
    cents = _to_cents(amount)
    return _spell(cents, yi_zero=False, wan_zero=False, yuan_zero=False, zheng=required)


@functools.lru_cache(maxsize=1024)
def _variants_of(cents: int, required: bool) -> tuple[str, ...]:
    """Every accepted spelling (normalised characters), the canonical one first (eight
    spellings built per amount: kept for the amounts a contract writes again and again)."""
    ends_at_jiao = cents // 10 % 10 != 0 and cents % 10 == 0
    zhengs = [True] if required else [False, True] if ends_at_jiao else [False]
    seen: dict[str, None] = {}
    for zheng, yi, wan, yuan in itertools.product(zhengs, *[(False, True)] * 3):
        seen[_spell(cents, yi_zero=yi, wan_zero=wan, yuan_zero=yuan, zheng=zheng)] = None
    return tuple(seen)


def upper_variants(amount: Number, *, zheng_after_jiao: ZhengAfterJiao = "optional") -> list[str]:
    """Every accepted spelling of an amount in standard characters, canonical form first.

    Optional 零s on or off and, unless `zheng_after_jiao="required"`, 整 after 角 on or off.
    (正 for 整, 圆 for 元 and traditional 貳 陸 萬 億 圓 are accepted too but not listed.)
    Raises ValueError like `to_upper`.
    """
    return list(_variants_of(_to_cents(amount), _check_option(zheng_after_jiao)))


# -- reader -----------------------------------------------------------------------------


def _normalise(text: str) -> tuple[str, bool]:
    """The bare amount (prefix, labels, colons and blanks removed, variants mapped) and
    whether a blank followed the 人民币 prefix."""
    t = _LABEL_RE.sub("", text).replace(":", "").replace("：", "").strip()
    t = _LEAD_LABEL_RE.sub("", t).strip()
    blank = False
    if t.startswith("人民币"):
        t = t[3:]
        blank = t[:1].isspace()
    return "".join(t.split()).translate(_VARIANT_MAP), blank


@dataclass(frozen=True)
class _Term:
    digit: int  # 0 only for a written 零角 / 零分
    pos: int  # decimal position: 0..11 for yuan, -1 for 角, -2 for 分
    zeros: int  # number of 零 written directly before it


@dataclass
class _Reading:
    terms: list[_Term] = field(default_factory=list)
    last_unit: str = ""  # 元, 角 or 分
    zheng: bool = False
    head_shi: bool = False
    zero_yuan: bool = False  # the text starts with 零元
    stray: list[str] = field(default_factory=list)  # 零s that precede no digit

    def cents(self) -> int:
        return sum(t.digit * 10 ** (t.pos + 2) for t in self.terms)


class _Bad(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.issue = Issue(code, message)


class _Scanner:
    """Reads a normalised amount left to right into terms (see §3.4 of the domain doc)."""

    def __init__(self, s: str) -> None:
        self.s = s
        self.r = _Reading()
        self.section: list[tuple[int, int, int]] = []  # (digit, place, zeros) of the open section
        self.pending: tuple[int, int] | None = None  # a digit read but not yet placed, zeros
        self.zeros = 0
        self.last_place = 4
        self.closer: int | None = None  # exponent of the last 亿/万
        self.stage = 0  # 0: integer part, 1: after 元, 2: after 角, 3: after 分

    def run(self) -> _Reading:
        s = self.s
        bad = [c for c in dict.fromkeys(s) if c not in _ALLOWED]
        if bad:
            raise _Bad("malformed", "forbidden characters: " + " ".join(bad))
        if not s:
            raise _Bad("malformed", "no amount")
        for i, c in enumerate(s):
            if c == "零":
                if self.pending is not None:
                    raise _Bad("malformed", f"digit without a unit before 零 at {i}")
                self.zeros += 1
            elif c in _DIGITS:
                if self.pending is not None:
                    raise _Bad("malformed", f"two digits in a row at {i}")
                if self.stage == 3:
                    raise _Bad("malformed", f"digit after 分 at {i}")
                self.pending = (_DIGITS[c], self.zeros)
                self.zeros = 0
            elif c in _PLACES:
                self._place(c, i)
            elif c in _SECTIONS or c == "元":
                self._close(c, i)
            elif c in "角分":
                self._decimal(c, i)
            else:  # 整
                self._zheng(i)
        if self.pending is not None:
            raise _Bad("malformed", f"{_DIGIT_CHARS[self.pending[0]]} at the end has no unit")
        if self.stage == 0:
            raise _Bad("malformed", "the amount does not end with 元, 角 or 分")
        if self.zeros and not self.r.zheng:
            self.r.stray.append("零 at the end")
        return self.r

    def _place(self, c: str, i: int) -> None:
        if self.stage:
            raise _Bad("malformed", f"{c} after {self.r.last_unit} at {i}")
        place = _PLACES[c]
        if self.pending is not None:
            digit, zeros = self.pending
        elif i == 0 and c == "拾":
            self.r.head_shi = True
            digit, zeros = 1, 0
        elif self.zeros:
            raise _Bad("malformed", f"零 cannot take the unit {c} (at {i})")
        else:
            raise _Bad("malformed", f"unit {c} without a digit at {i}")
        if place >= self.last_place:
            prev = _PLACE_CHARS[self.last_place]
            raise _Bad("malformed", f"units not descending at {i} ({c} after {prev})")
        self.section.append((digit, place, zeros))
        self.last_place = place
        self.pending = None

    def _close(self, c: str, i: int) -> None:
        """万, 亿 or 元: place the open section at its exponent."""
        if self.stage:
            raise _Bad("malformed", f"{c} after {self.r.last_unit} at {i}")
        exp = _SECTIONS.get(c, 0)
        if self.closer is not None and exp >= self.closer:
            prev = "亿" if self.closer == 8 else "万"
            raise _Bad("malformed", f"section units not descending at {i} ({c} after {prev})")
        if self.pending is not None:
            digit, zeros = self.pending
            name = _DIGIT_CHARS[digit]
            implied = ""
            if zeros == 0 and self.section and self.section[-1][1] >= 2:
                implied = _PLACE_CHARS[self.section[-1][1] - 1]  # 壹佰伍元: 伍拾?
            elif zeros == 0 and not self.section and self.closer is not None and c == "元":
                implied = "仟"  # 壹万伍元: 伍仟?
            if implied:
                raise _Bad(
                    "ambiguous",
                    f"bare {name} before {c} without 零 (reads like a higher digit, "
                    f"{name}{implied}; write 零{name} if {name} is meant)",
                )
            self.section.append((digit, 0, zeros))
            self.pending = None
        elif self.zeros:
            if c == "元" and not self.r.terms and not self.section and self.closer is None:
                self.r.zero_yuan = True
                if self.zeros > 1:
                    self.r.stray.append("repeated 零 before 元")
            else:
                self.r.stray.append(f"零 before {c}")
        if not self.section and c != "元":
            raise _Bad("malformed", f"{c} without digits at {i}")
        if not self.section and c == "元" and not self.r.terms and not self.r.zero_yuan:
            raise _Bad("malformed", f"元 without an amount at {i}")
        self.r.terms.extend(_Term(d, place + exp, z) for d, place, z in self.section)
        self.section = []
        self.last_place = 4
        self.zeros = 0
        if c == "元":
            self.stage = 1
            self.r.last_unit = "元"
        else:
            self.closer = exp

    def _decimal(self, c: str, i: int) -> None:
        """角 or 分 with the digit before it (零角 / 零分 become a zero term)."""
        stage = 2 if c == "角" else 3
        if self.stage >= stage:
            raise _Bad("malformed", f"{c} after {self.r.last_unit} at {i}")
        if self.stage == 0 and (self.section or self.r.terms or self.closer is not None):
            raise _Bad("malformed", f"missing 元 before {c} at {i}")
        if self.pending is not None:
            digit, zeros = self.pending
        elif self.zeros:
            digit, zeros = 0, self.zeros - 1
        else:
            raise _Bad("malformed", f"{c} without a digit at {i}")
        self.r.terms.append(_Term(digit, -1 if c == "角" else -2, zeros))
        self.pending = None
        self.zeros = 0
        self.stage = stage
        self.r.last_unit = c

    def _zheng(self, i: int) -> None:
        if i != len(self.s) - 1:
            raise _Bad("malformed", f"整 must be the last character (found at {i})")
        if self.stage == 0:
            raise _Bad("malformed", "整 without 元, 角 or 分 before it")
        if self.pending is not None:
            raise _Bad("malformed", f"digit without a unit before 整 at {i}")
        if self.zeros:
            self.r.stray.append("零 before 整")
            self.zeros = 0
        self.r.zheng = True


_MEMO_CHARS: Final = 64
"""Texts up to this long are read once per process: rules read the same uppercase amount
several times (its issues, its value, whether it matches its figure). A reading is never
changed once made."""


def _read(text: str) -> tuple[str, bool, _Reading | Issue]:
    """The normalised text, whether a blank followed 人民币, and the reading or its error."""
    return _read_short(text) if len(text) <= _MEMO_CHARS else _read_text(text)


@functools.lru_cache(maxsize=1024)
def _read_short(text: str) -> tuple[str, bool, _Reading | Issue]:
    return _read_text(text)


def _read_text(text: str) -> tuple[str, bool, _Reading | Issue]:
    s, blank = _normalise(text)
    try:
        return s, blank, _Scanner(s).run()
    except _Bad as bad:
        return s, blank, bad.issue


# -- reporter ---------------------------------------------------------------------------


def _label(t: _Term) -> str:
    """How a term is written, for messages: 伍拾, 壹万, 贰分."""
    if t.pos < 0:
        return _DIGIT_CHARS[t.digit] + ("角" if t.pos == -1 else "分")
    unit = {8: "亿", 4: "万", 0: "元"}.get(t.pos, _PLACE_CHARS[t.pos % 4])
    return _DIGIT_CHARS[t.digit] + unit


def _zero_rule(t: _Term, prev: int | None, yuan: int, jiao: int) -> str:
    """Whether a 零 before this term is mandatory, optional or forbidden."""
    if t.pos >= 0:
        if prev is None or prev == t.pos + 1:
            return "forbidden"
        return "optional" if _optional_zero(t.pos, prev) else "mandatory"
    if t.pos == -1:
        return "optional" if yuan and yuan % 10 == 0 else "forbidden"
    return "mandatory" if jiao == 0 and yuan else "forbidden"


def _style_issues(r: _Reading, s: str, required: bool) -> list[Issue]:
    cents = r.cents()
    yuan, jiao = cents // 100, cents // 10 % 10
    variants = _variants_of(cents, required)
    expected = "expected one of: " + ", ".join(variants)
    issues: list[Issue] = []
    if r.head_shi:
        issues.append(Issue("head-shi", "head 拾 without 壹 (canonical: 壹拾)"))
    if r.zero_yuan and cents:
        issues.append(Issue("extra-zero", f"零元 is not written before 角 or 分; {expected}"))
    prev: int | None = None
    carry = 0
    for t in r.terms:
        if t.digit == 0:
            issues.append(Issue("extra-zero", f"{_label(t)} is not written; {expected}"))
            carry = 1
            continue
        zeros, carry = t.zeros + carry, 0
        rule = _zero_rule(t, prev, yuan, jiao)
        if zeros > 1:
            issues.append(Issue("extra-zero", f"repeated 零 before {_label(t)}; {expected}"))
        elif zeros == 1 and rule == "forbidden":
            issues.append(Issue("extra-zero", f"extra 零 before {_label(t)}; {expected}"))
        elif zeros == 0 and rule == "mandatory":
            issues.append(Issue("missing-zero", f"missing mandatory 零 before {_label(t)}"))
        if t.pos >= 0:
            prev = t.pos
    issues.extend(Issue("extra-zero", f"{where}; {expected}") for where in r.stray)
    if r.last_unit == "分" and r.zheng:
        issues.append(Issue("zheng-after-fen", "整 must not follow 分"))
    elif r.last_unit == "元" and not r.zheng:
        issues.append(Issue("missing-zheng", "missing 整 after 元"))
    elif r.last_unit == "角" and not r.zheng and required:
        issues.append(Issue("missing-zheng", "missing 整 after 角 (required by this pack)"))
    if not issues and s not in variants:
        issues.append(Issue("non-standard", f"non-standard spelling; {expected}"))
    return issues


def upper_issues(text: str, *, zheng_after_jiao: ZhengAfterJiao = "optional") -> list[Issue]:
    """Every problem with how `text` writes an amount; empty for accepted spellings.

    The text may carry a 人民币 prefix, a （大写） label, colons and blanks. A malformed or
    ambiguous text gets that one error (plus `blank-after-prefix`); a readable one gets
    every style issue found. Codes and meanings: `ISSUE_CODES`.
    """
    required = _check_option(zheng_after_jiao)
    s, blank, reading = _read(text)
    issues: list[Issue] = []
    if blank:
        issues.append(Issue("blank-after-prefix", "blank between 人民币 and the amount"))
    if isinstance(reading, Issue):
        return [*issues, reading]
    return issues + _style_issues(reading, s, required)


def parse_upper(text: str) -> Number | None:
    """The amount an uppercase text writes, or None when it is malformed or ambiguous.

    Lenient: style issues (a missing 零 or 整, a head 拾, ...) do not stop the reading.
    Returns an int for whole yuan, otherwise a Decimal with two places (`Decimal("0.50")`).
    """
    reading = _read(text)[2]
    if isinstance(reading, Issue):
        return None
    return _from_cents(reading.cents())


def upper_matches(text: str, amount: Number) -> bool:
    """True when `text` is a readable uppercase amount equal to `amount`.

    A 人民币 prefix, blanks, 整/正 and other style issues are tolerated; a malformed or
    ambiguous text, or an amount that cannot be written in uppercase, never matches.
    """
    try:
        cents = _to_cents(amount)
    except (TypeError, ValueError):
        return False
    reading = _read(text)[2]
    return not isinstance(reading, Issue) and reading.cents() == cents
