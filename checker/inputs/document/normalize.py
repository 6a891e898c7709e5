"""Normalise document text for matching, keeping a map from every character back to the original.

Matching reads one form of each character: full-width ASCII forms become half-width
(`（`→`(`, `：`→`:`, `１`→`1`), traditional characters simplified (OpenCC `t2s`), every
kind of blank a plain space with runs collapsed to one, and the pinyin that scrapers
leave in brackets after a character (`協(xié)議`) dropped. Positions are never reported in
the normalised text: `OffsetMap.to_original` gives the original offset of each character.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from typing import Final

import opencc

from ...fastclass import dataclass

# Full-width ASCII forms (U+FF01–FF5E) to ASCII, ideographic and other blanks to a space.
_FOLD: Final[dict[int, str]] = {
    **{c: chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)},
    **{c: " " for c in (0x09, 0x0B, 0x0C, 0xA0, 0x3000, 0x202F, 0x205F)},
    **{c: " " for c in range(0x2000, 0x200B)},
    0xFFE5: "¥",  # ￥
    0xFFE0: "¢",
    0xFFE1: "£",
}

_TONED: Final = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
# What is dropped: the \r of \r\n, zero-width characters, blanks after the first of a run,
# and pinyin in brackets (a syllable with a tone mark, as scrapers add it after a character).
_DROP: Final = re.compile(
    r"\r(?=\n)|[\u200b-\u200d\u2060\ufeff]+|(?<= ) +"
    rf"|\((?=[a-zü]{{0,6}}[{_TONED}])[a-zü{_TONED}]{{1,7}}\)"
)


@functools.cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def simplify_table(chars: set[str]) -> dict[int, str]:
    """A `str.translate` table taking each of `chars` to its simplified form.

    Characters are converted one by one (never as phrases), so a character's normal form
    does not depend on its neighbours and the text keeps its length; a character OpenCC
    would turn into several is left as it is.
    """
    cc = _converter()
    table: dict[int, str] = {}
    for c in chars:
        if c >= "\u3400":  # only CJK (and later) characters have traditional forms
            s = cc.convert(c)
            if s != c and len(s) == 1:
                table[ord(c)] = s
    return table


def fold_char(c: str) -> str:
    """The normal form of one character on its own (the property every kept character has)."""
    return c.translate(_FOLD).translate(simplify_table({c})).replace("\r", "\n")


class OffsetMap:
    """Normalised offsets to original offsets: runs in which both advance together."""

    __slots__ = ("_norm", "_orig")

    def __init__(self, norm_starts: list[int], orig_starts: list[int]) -> None:
        self._norm = norm_starts
        self._orig = orig_starts

    def to_original(self, i: int) -> int:
        """The original offset of normalised offset `i` (the end maps to the end)."""
        k = bisect_right(self._norm, i) - 1
        return self._orig[k] + (i - self._norm[k])


@dataclass(frozen=True, slots=True)
class Normalized:
    """Normalised text and the way back to the original."""

    text: str
    offsets: OffsetMap


def normalize(text: str) -> Normalized:
    """Normalise `text` for matching (see the module docstring); linear in its length."""
    folded = text.translate(_FOLD)
    folded = folded.translate(simplify_table(set(folded)))
    parts: list[str] = []
    norm_starts, orig_starts = [0], [0]
    kept = pos = 0
    for m in _DROP.finditer(folded):
        parts.append(folded[pos : m.start()])
        kept += m.start() - pos
        pos = m.end()
        norm_starts.append(kept)
        orig_starts.append(pos)
    parts.append(folded[pos:])
    # A lone \r ends a line by itself (the \r of \r\n was dropped above).
    return Normalized("".join(parts).replace("\r", "\n"), OffsetMap(norm_starts, orig_starts))
