"""What every analysis reads: the normalised text, the way back to positions, clause spans."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from typing import Any, Final

from checker.inputs.document.model import DataPath, DocPosition, SourceText
from checker.inputs.document.normalize import Normalized

from ....fastclass import dataclass, field

CJK: Final = "\u3400-\u9fff"
CN_NUM: Final = "零〇一二三四五六七八九十百千两"


@dataclass
class Context:
    """The document being analysed; items found are appended to `model` with their positions."""

    source: SourceText
    norm: Normalized
    heading_lines: frozenset[int] = frozenset()  # original 0-based lines that are headings
    furniture: list[tuple[int, int]] = field(default_factory=list)  # normalised spans
    positions: dict[DataPath, DocPosition] = field(default_factory=dict)
    clause_starts: list[int] = field(default_factory=list)  # normalised offset per clause
    clause_ends: list[int] = field(default_factory=list)
    clause_numbers: list[str] = field(default_factory=list)
    clause_parents: list[int] = field(default_factory=list)  # -1 for a top-level clause
    _line_starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        text = self.norm.text
        self._line_starts = [0, *(m.end() for m in re.finditer("\n", text))]

    @property
    def text(self) -> str:
        return self.norm.text

    def position(self, offset: int) -> DocPosition:
        """The position in the file of a normalised offset."""
        return self.source.position(self.norm.offsets.to_original(offset))

    def locate(self, path: DataPath, offset: int) -> None:
        """Record where the item at `path` starts."""
        self.positions[path] = self.position(offset)

    def line_start(self, offset: int) -> int:
        """The normalised offset where the line holding `offset` starts."""
        return self._line_starts[bisect_right(self._line_starts, offset) - 1]

    def line_end(self, offset: int) -> int:
        end = self.text.find("\n", offset)
        return len(self.text) if end < 0 else end

    def original_line(self, offset: int) -> int:
        """The 0-based line in the file of a normalised offset."""
        return self.position(offset).line - 1

    def in_furniture(self, offset: int) -> bool:
        spans = self.furniture
        k = bisect_right(spans, (offset, len(self.text) + 1)) - 1
        return k >= 0 and spans[k][0] <= offset < spans[k][1]

    def clause_index(self, offset: int) -> int:
        """The innermost clause holding `offset` (its place in the list), -1 for none."""
        k = bisect_right(self.clause_starts, offset) - 1
        while k >= 0:  # up the parent chain: a few steps, never a scan of all clauses
            if offset < self.clause_ends[k]:
                return k
            k = self.clause_parents[k]
        return -1

    def clause_at(self, offset: int) -> str | None:
        """The number of the innermost clause holding `offset`, or None outside every clause."""
        k = self.clause_index(offset)
        return self.clause_numbers[k] if k >= 0 else None


def finditer(ctx: Context, pattern: re.Pattern[str], start: int = 0) -> list[re.Match[str]]:
    """Matches of `pattern` in the normalised text outside page furniture."""
    return [m for m in pattern.finditer(ctx.text, start) if not ctx.in_furniture(m.start())]


def outermost_clauses(
    ctx: Context, clauses: list[dict[str, Any]], heading: re.Pattern[str]
) -> Iterator[tuple[dict[str, Any], int, int]]:
    """The clauses whose heading matches, each with its normalised span; a matching clause
    inside one already given belongs to it and is left out."""
    taken_until = -1
    for k, clause in enumerate(clauses):
        start, end = ctx.clause_starts[k], ctx.clause_ends[k]
        if start < taken_until or not heading.search(clause["heading"]):
            continue
        taken_until = end
        yield clause, start, end
