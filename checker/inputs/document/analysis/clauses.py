"""Clauses: numbered headings in every style Chinese and English drafts use, nested by level.

One pass of one precompiled pattern finds every candidate number (`第三章`, `第五条`,
`一、`, `（一）`, `1.`, `1.1`, `（1）`, `①`, `Article 3`, `3.2(a)`). A candidate at the start
of a line (or of a heading) is a clause. Inside a line — scraped text has whole contracts
on one line — a candidate is a clause only when it continues the numbering where it
stands (the next number of its style, or 1 for a new level), so `1.5倍` or `第1页` inside
a sentence is never a clause.

Levels come from the order styles appear in, as in Markdown lists: a style seen before
closes the clauses opened after it; a new style opens a level below the current one
unless it is a larger unit by nature (a chapter is never inside an article). `index` is
the numeric path: the clause's number appended to its parent's.
"""

from __future__ import annotations

import re
from typing import Any, Final

from checker.inputs.document.analysis.context import CJK, CN_NUM, Context
from checker.lang.textparse import parse_chinese_number

from ....fastclass import dataclass

# Styles, larger units first: a style never nests inside one of a smaller rank.
RANKS: Final = {
    "attachment": 0,
    "part": 0,
    "chapter": 1,
    "section-cn": 2,
    "article": 3,
    "article-en": 3,
    "cn-comma": 4,
    "cn-paren": 5,
    "decimal": 6,
    "decimal-comma": 6,
    "decimal-2": 7,
    "decimal-3": 8,
    "decimal-4": 9,
    "paren-decimal": 10,
    "circled": 11,
    "paren-letter": 12,
}

_N: Final = f"[{CN_NUM}]{{1,6}}|[0-9]{{1,3}}"
_CANDIDATE: Final = re.compile(
    rf"(?<![见及和与、])附件[ \t]?(?P<attachment>[{CN_NUM}]{{1,4}}|[0-9]{{1,2}})(?![{CN_NUM}0-9:《])"
    rf"|第[ \t]?(?P<part>{_N})[ \t]?部分"
    rf"|第[ \t]?(?P<chapter>{_N})[ \t]?章"
    rf"|第[ \t]?(?P<section>{_N})[ \t]?节"
    rf"|第[ \t]?(?P<article>{_N}|[0-9]{{1,3}}(?:\.[0-9]{{1,3}})+)[ \t]?条(?![款项例件])"
    r"|(?<![A-Za-z])(?:Article|ARTICLE|Clause|CLAUSE|Section|SECTION)\s(?P<en>[0-9]{1,3}|[IVXL]{1,6})\b"
    rf"|(?<![{CN_NUM}第])(?P<comma>[一二三四五六七八九十]{{1,3}})、"
    r"|\((?P<cnparen>[一二三四五六七八九十]{1,3})\)"
    r"|(?<![0-9A-Za-z.,¥$/:%-])(?P<dec>[1-9][0-9]{0,2}(?:\.[0-9]{1,3}){0,3})"
    rf"(?:\((?P<letter>[a-z])\)|(?P<decsep>[.、])(?![0-9])|(?=[ {CJK}(]))"
    r"|\((?P<pdec>[1-9][0-9]?)\)"
    r"|(?P<circled>[\u2460-\u2473])"
    r"|(?<![A-Za-z0-9])\((?P<plet>[a-h])\)"
)
_HEADING_STOP: Final = re.compile(
    rf"[。;:,!?，；：！？\n]|(?<=[{CJK}]{{2}})(?:甲方|乙方|丙方|双方|本合同|本协议|有权|应当|应|如|若|凡)"
)
_LEAD: Final = re.compile(r"([^ :。,;]{1,16})[ :]")
_ROMAN: Final = {"I": 1, "V": 5, "X": 10, "L": 50}
# Words before `第五条` that make it a reference, not a heading.
_REFERRING: Final = re.compile(
    r"(?:本合同|本协议|合同|协议|根据|依据|按照|依照|见|违反|前款|》|和|及|或|与|、|至)\s?$"
)


@dataclass
class _Candidate:
    start: int
    end: int  # where the number (and its separator) ends
    number: str
    style: str
    value: int
    path: tuple[int, ...] = ()  # every component of a dotted number (3.2 → (3, 2))


@dataclass
class _Frame:
    style: str
    value: int
    index: list[int]
    clause: int  # position in the clause list


def _value(text: str) -> int | None:
    try:
        n = parse_chinese_number(text)
    except ValueError:
        return None
    return n if isinstance(n, int) and 0 < n < 10_000 else None


def _roman(text: str) -> int:
    total = 0
    for i, c in enumerate(text):
        v = _ROMAN[c]
        total += -v if i + 1 < len(text) and _ROMAN[text[i + 1]] > v else v
    return total


def _candidate(m: re.Match[str]) -> _Candidate | None:
    g = m.lastgroup
    number = m[0].strip()
    if g in ("attachment", "part", "chapter", "section", "comma", "cnparen"):
        style = {"part": "part", "chapter": "chapter", "section": "section-cn"}.get(
            g, {"comma": "cn-comma", "cnparen": "cn-paren"}.get(g, "attachment")
        )
        value = _value(m[g])
        return _Candidate(m.start(), m.end(), number, style, value) if value else None
    if m["article"] is not None:
        parts = m["article"].split(".")
        if len(parts) > 1:
            path = tuple(int(p) for p in parts)
            return _Candidate(m.start(), m.end(), number, "article", path[-1], path)
        value = _value(m["article"])
        return _Candidate(m.start(), m.end(), number, "article", value) if value else None
    if m["en"] is not None:
        en = m["en"]
        value = int(en) if en.isdigit() else _roman(en)
        return _Candidate(m.start(), m.end(), number, "article-en", value)
    if m["dec"] is not None:
        path = tuple(int(p) for p in m["dec"].split("."))
        if m["letter"] is not None:
            letter = ord(m["letter"]) - ord("a") + 1
            return _Candidate(m.start(), m.end(), number, "paren-letter", letter, (*path, letter))
        if len(path) == 1 and m["decsep"] is None:
            return None  # a bare number is a quantity, not a clause
        if len(path) == 1:
            style = "decimal-comma" if m["decsep"] == "、" else "decimal"
        else:
            style = f"decimal-{len(path)}"
        return _Candidate(m.start(), m.end(), number, style, path[-1], path)
    if m["pdec"] is not None:
        return _Candidate(m.start(), m.end(), number, "paren-decimal", int(m["pdec"]))
    if m["circled"] is not None:
        return _Candidate(m.start(), m.end(), number, "circled", ord(m["circled"]) - 0x245F)
    if m["plet"] is not None:
        return _Candidate(m.start(), m.end(), number, "paren-letter", ord(m["plet"]) - 96)
    return None


def _at_line_start(ctx: Context, offset: int) -> bool:
    start = ctx.line_start(offset)
    return not ctx.text[start:offset].strip(" \t>*#-•·")


class _Numbering:
    """The open clauses, innermost last: where the next candidate would go and its index."""

    def __init__(self) -> None:
        self.stack: list[_Frame] = []

    def placement(self, c: _Candidate) -> tuple[int, _Frame | None]:
        """How many open clauses the candidate closes, and its previous sibling if any."""
        styles = [f.style for f in self.stack]
        if c.style in styles:
            k = len(styles) - 1 - styles[::-1].index(c.style)
            return len(self.stack) - k, self.stack[k]
        keep = len(self.stack)
        rank = RANKS[c.style]
        while keep and RANKS[self.stack[keep - 1].style] >= rank:
            keep -= 1
        return len(self.stack) - keep, None

    def plausible(self, c: _Candidate) -> bool:
        """Whether a candidate inside a line continues the numbering where it stands."""
        closes, sibling = self.placement(c)
        if sibling is not None:
            if c.value != sibling.value + 1:
                return False
        elif c.value != 1 and not (len(c.path) > 1 and c.value <= 2):
            return False
        if len(c.path) > 1 and c.style != "article":
            parent = self.stack[len(self.stack) - closes - 1] if len(self.stack) > closes else None
            if sibling is not None:
                return c.path[:-1] == tuple(sibling.index[-len(c.path) : -1]) or (
                    parent is not None and c.path[-2] == parent.value
                )
            return parent is not None and c.path[-2] == parent.value
        return True

    def push(self, c: _Candidate, clause: int) -> tuple[int, list[int], int, _Frame | None]:
        """Open the candidate's clause; its level, index, parent clause (-1 for none) and
        previous sibling (None for the first clause of its level)."""
        closes, sibling = self.placement(c)
        del self.stack[len(self.stack) - closes :]
        parent = self.stack[-1] if self.stack else None
        if parent is None and len(c.path) > 1:
            index = list(c.path)
        else:
            index = [*(parent.index if parent else []), c.value]
        self.stack.append(_Frame(c.style, c.value, index, clause))
        return len(self.stack), index, parent.clause if parent else -1, sibling


def _heading(ctx: Context, c: _Candidate, next_start: int, whole_line: bool) -> tuple[str, int]:
    """The clause's heading and where it starts: the words after its number, up to a stop."""
    text = ctx.text
    i = c.end
    while i < len(text) and text[i] in " \t.、:)":
        i += 1
    line_end = min(ctx.line_end(i), next_start)
    end = min(line_end, i + 40)
    if whole_line:
        rest = text[i:line_end]
        if len(rest) <= 40 and "。" not in rest:
            cut = re.search(r"[ :]", rest)  # a long line of its own: its first words
            return (rest if cut is None or len(rest) <= 20 else rest[: cut.start()]).strip(), i
        # a sentence of its own has a heading only when words before a colon lead it
        lead = _LEAD.match(rest)
        return (lead[1] if lead else ""), i
    stop = _HEADING_STOP.search(text, i, end)
    if stop is not None:
        end = stop.start()
    heading = text[i:end].strip()
    if len(heading) > 24:
        heading = ""
    return heading, i


def find_clauses(ctx: Context) -> list[dict[str, Any]]:
    """Every clause in document order, recording positions and the clause spans in `ctx`."""
    candidates: list[tuple[_Candidate, bool]] = []
    numbering = _Numbering()
    # (previous clause, expected number) per clause, for `clause-numbering`. Articles
    # (第X条) number on across chapters, so the last article is their previous one.
    sequence: list[tuple[int, int]] = []
    last_article = -1
    for m in _CANDIDATE.finditer(ctx.text):
        if ctx.in_furniture(m.start()):
            continue
        c = _candidate(m)
        if c is None:
            continue
        line_start = _at_line_start(ctx, c.start) or ctx.original_line(c.start) in ctx.heading_lines
        if not line_start and (
            c.style == "attachment"  # an attachment's own heading starts a line
            or not numbering.plausible(c)
            or (c.style == "article" and _REFERRING.search(ctx.text, max(0, c.start - 4), c.start))
        ):
            continue
        level, index, parent, sibling = numbering.push(c, len(candidates))
        previous = sibling.clause if sibling is not None else -1
        if previous < 0 and c.style in ("article", "article-en"):
            previous = last_article
        if previous < 0:
            sequence.append((-1, 1))
        else:
            value, expected = candidates[previous][0].value, sequence[previous][1]
            # After a misnumbered clause, going on from the number it should have had is
            # right too: one slip (`第三条` twice, then `第五条`) is reported once.
            ok = c.value == value + 1 or (value != expected and c.value == expected + 1)
            sequence.append((previous, c.value if ok else value + 1))
        if c.style in ("article", "article-en"):
            last_article = len(candidates)
        elif c.style in ("attachment", "part"):
            last_article = -1  # an attachment numbers its own articles from 1
        candidates.append((c, line_start))
        ctx.clause_starts.append(c.start)
        ctx.clause_numbers.append(c.number)
        ctx.clause_parents.append(parent)
        c.path = (level, *index)  # kept for the second pass: level, then the index
    clauses: list[dict[str, Any]] = []
    n = len(candidates)
    ends = [len(ctx.text)] * n
    open_: list[int] = []  # clauses whose end is not known yet, by level
    for k, (c, _) in enumerate(candidates):
        level = c.path[0]
        while open_ and candidates[open_[-1]][0].path[0] >= level:
            ends[open_.pop()] = c.start
        open_.append(k)
    ctx.clause_ends = ends
    for k, (c, whole_line) in enumerate(candidates):
        next_start = candidates[k + 1][0].start if k + 1 < n else len(ctx.text)
        heading, heading_at = _heading(ctx, c, next_start, whole_line)
        clause = {
            "number": c.number,
            "level": c.path[0],
            "heading": heading,
            "text": ctx.text[c.start : ends[k]].strip(),
            "index": list(c.path[1:]),
            "value": c.value,
            "expected": sequence[k][1],
            "previous": candidates[sequence[k][0]][0].number if sequence[k][0] >= 0 else None,
        }
        ctx.locate(("document", "clauses", k), c.start)
        ctx.locate(("document", "clauses", k, "heading"), heading_at)
        clauses.append(clause)
    return clauses
