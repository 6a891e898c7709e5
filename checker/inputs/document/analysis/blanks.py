"""Blanks: placeholders left to fill, with the field each belongs to.

Kinds: `underscore` (`____`, `＿＿`), `bracket` (`[行业名称]`, `[X]`, `[•]`, `【 】`, one
nested level: `[规模，如不少于[X]人]` is one blank), `xx` (`XX`, `××`, `＊＊`, `20XX`),
`template` (`{{var}}`, `${var}`, `<NAME>`), `pending` (`TBD`, `待定`), `date` (`年 月 日`
with empty fields) and `empty-field` (a form label with no value: `名称：` followed by the
next label or the line end). A date written `____年____月____日` gives one `underscore`
blank per field. `label` is the field a blank belongs to: the form label before it
(`日期：____`) or a term the sentence names before it (`保密期限为[X]年`).
"""

from __future__ import annotations

import re
from typing import Any, Final

from checker.inputs.document.analysis.context import CJK, Context
from checker.inputs.document.analysis.labels import FIELD, HAND_FILLED, PARTY, VALUE_STOP

_X: Final = "Xx×ＸｘＸ"
_PATTERNS: Final[tuple[tuple[str, str], ...]] = (
    ("underscore", r"_{3,}"),
    # square brackets holding a label or an X, with one nested level; empty brackets
    (
        "bracket",
        rf"\[(?=[^\[\]\n]{{0,80}}[{CJK}{_X}•·*])(?:[^\[\]\n]|\[[^\[\]\n]{{0,40}}\]){{1,120}}\]"
        r"|\[\s*\]|【\s*】|\(\s+\)|〔\s*〕",
    ),
    ("xx", r"(?<![0-9])(?:19|20)[Xx×]{2}(?![0-9Xx×])"),  # 20XX年
    ("xx", r"(?<![A-Za-z@])(?:X{2,}|x{2,}|×{2,})(?![A-Za-z@])|(?<![0-9*])\*{2,}(?![0-9*A-Za-z])"),
    ("template", r"\{\{[^{}\n]{1,80}\}\}|\$\{[^{}\n]{1,80}\}|<[A-Z][A-Z0-9_ ]{1,30}>"),
    ("pending", r"(?<![A-Za-z])(?:TBD|TBC|tbd)(?![A-Za-z])|待定(?!期)|待补充|待填写?"),
    ("date", r"(?<![0-9零〇一二三四五六七八九十_])(?<![0-9] )年 +月 +日"),
)
_BLANK: Final = re.compile("|".join(f"(?P<k{i}>{p})" for i, (_, p) in enumerate(_PATTERNS)))
_KINDS: Final = [kind for kind, _ in _PATTERNS]
# A bracket holding only a footnote number or a citation is not a blank.
_NOT_BLANK_BRACKET: Final = re.compile(r"\[[0-9, ]+\]")

_COLON_LABEL: Final = re.compile(rf"(?P<label>[{CJK}]{{2,8}})\s?(?:\([^()\n]{{0,16}}\))?\s?:")
_TERMS: Final = (
    "保密期限",
    "有效期",
    "服务期限",
    "合同期限",
    "合同有效期",
    "合同金额",
    "合同总价",
    "服务费用总额",
    "服务费总额",
    "服务费用",
    "服务费",
    "违约金",
    "预付款",
    "尾款",
    "首付款",
    "税率",
    "付款期限",
    "大写",
    "期限",
    "金额",
    "比例",
)
_TERM: Final = re.compile("|".join(sorted(_TERMS, key=len, reverse=True)))
_SENTENCE: Final = re.compile(r"[。;!?\n]")


def _label(ctx: Context, start: int) -> str | None:
    """The field a blank at `start` belongs to, from the text before it in its sentence."""
    text = ctx.text
    window = max(ctx.line_start(start), start - 40)
    before = text[window:start]
    cut = max((s.end() for s in _SENTENCE.finditer(before)), default=0)
    # a form label counts only just before the blank (`日期:____年____月`), never a colon
    # that closes a sentence further back (`达成如下协议:一、…[行业名称]`)
    clause = ctx.clause_index(start)
    found = [
        (m.end(), m["label"])
        for m in _COLON_LABEL.finditer(before, cut)
        if len(before) - m.end() <= 12 and ctx.clause_index(window + m.end()) == clause
    ]
    found += [(m.end(), m[0]) for m in _TERM.finditer(before, cut)]
    return max(found)[1] if found else None  # the nearest one before the blank


def blank_at(text: str, pos: int) -> int | None:
    """Where the blank starting exactly at `pos` ends, or None when none starts there."""
    m = _BLANK.match(text, pos)
    return m.end() if m is not None and m.end() > pos else None


def _spans(ctx: Context) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []
    end = 0
    for m in _BLANK.finditer(ctx.text):
        # finditer gives leftmost matches and the alternation its first kind there;
        # overlaps cannot happen, as each match resumes after the previous one
        if m.start() < end or ctx.in_furniture(m.start()):
            continue
        kind = _KINDS[int((m.lastgroup or "k0")[1:])]
        if kind == "bracket" and _NOT_BLANK_BRACKET.fullmatch(m[0]):
            continue
        found.append((m.start(), m.end(), kind))
        end = m.end()
    return found


def _empty_fields(ctx: Context) -> list[tuple[int, int, str]]:
    """Form labels with no value: `名称：` then the next label, a recital, or the line end."""
    found = []
    text = ctx.text
    for pattern, group in ((FIELD, "field"), (PARTY, "party")):
        for m in pattern.finditer(text):
            name = m[group]
            if name in HAND_FILLED or ctx.in_furniture(m.start()):
                continue
            if group == "party":
                role = m["role"] or ""
                if any(w in role for w in ("盖章", "签字", "签章", "签名")):
                    continue
                if FIELD.match(text, _skip_blank(text, m.end())):
                    continue  # `甲方：名称：…` opens a party block, it is no blank
            if VALUE_STOP.match(text, m.end()):
                found.append((m.start(), m.end(), name))
    return sorted(found)


def _skip_blank(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\n":
        i += 1
    return i


MAX_BLANK_TEXT: Final = 40  # characters of a blank's text kept (a run of 10,000 `_` is one blank)


def _shown(text: str) -> str:
    return text if len(text) <= MAX_BLANK_TEXT else text[:MAX_BLANK_TEXT] + "…"


def find_blanks(ctx: Context) -> list[dict[str, Any]]:
    """Every blank in document order, with positions; a long one's text is cut (`____…`)."""
    items: list[tuple[int, dict[str, Any]]] = []
    for start, end, kind in _spans(ctx):
        label = _label(ctx, start)
        items.append(
            (
                start,
                {
                    "text": _shown(ctx.text[start:end]),
                    "kind": kind,
                    "label": label,
                    "clause": ctx.clause_at(start),
                },
            )
        )
    for start, end, name in _empty_fields(ctx):
        items.append(
            (
                start,
                {
                    "text": ctx.text[start:end],
                    "kind": "empty-field",
                    "label": name,
                    "clause": ctx.clause_at(start),
                },
            )
        )
    items.sort(key=lambda item: item[0])
    for i, (start, _) in enumerate(items):
        ctx.locate(("document", "blanks", i), start)
    return [item for _, item in items]
