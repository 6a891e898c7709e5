"""Cross-references, the attachments a document lists, and its defined terms.

A reference is `kind` clause (`第十二条`, `本合同第3.2条`), attachment (`附件三`) or law
(`《中华人民共和国民法典》第五百八十六条`); `target` is the clause's numeric path (`12`,
`3.2`), the attachment's number (`3`) or the law's title, and `resolved` says whether the
document has that clause or attachment (null for laws, which are not in the document).
An attachment is listed where the document names it with a title (`附件一：《服务方案》`),
at the start of a line, or under a heading about attachments; every other mention of it is
a reference.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Final

from checker.inputs.document.analysis.context import CJK, CN_NUM, Context, finditer
from checker.lang.textparse import parse_chinese_number

_N: Final = f"[{CN_NUM}]{{1,8}}|[0-9]{{1,3}}"
_LAW: Final = re.compile(
    rf"《(?P<title>[^《》\n]{{0,60}}(?:法|法典|条例|规定|办法|解释|规则))》"
    rf"(?:[ \t]?第[ \t]?(?P<article>{_N})[ \t]?条)?"
)
_CLAUSE_REF: Final = re.compile(
    rf"第[ \t]?(?P<num>[0-9]{{1,3}}(?:\.[0-9]{{1,3}})+|{_N})[ \t]?条(?![款项例件])"
)
_ATTACHMENT: Final = re.compile(
    rf"附件[ \t]?(?P<num>[{CN_NUM}]{{1,4}}|[0-9]{{1,3}}|[A-Z](?![A-Za-z]))"
)
_ATTACHMENT_TITLE: Final = re.compile(r"\s?[:]?\s?《(?P<title>[^《》\n]{1,60})》")
_LIST_HEADING: Final = re.compile(r"(?:合同)?附件(?:列表|清单|目录)?")

_TERM_PATTERNS: Final = (
    # X公司（以下简称"甲方"）: the meaning is the words before the bracket
    re.compile(
        r"\((?:以下简称|以下称|下称|简称)\s?(?:为)?\s?[“\"「『]?(?P<term>[^”\"」』()\n]{1,20}?)[”\"」』]?\)"
    ),
    # 本合同所称X，是指…
    re.compile(
        r"本(?:合同|协议)(?:中)?所称(?:的)?\s?[“\"]?(?P<term>[^，,。“”\"\n]{1,20}?)[”\"]?\s?[,，]?\s?(?:是指|系指|指)(?P<meaning>[^。;\n]{1,200})"
    ),
    # "X" means … / “X”是指…
    re.compile(
        r"[“\"](?P<term>[^”\"\n]{1,30})[”\"]\s?(?:means|shall mean|是指|系指|指)\s?(?P<meaning>[^。;.\n]{1,200})"
    ),
)
MAX_TERMS: Final = 500  # each term's uses are counted over the whole text: bounded work
# The words a `（以下简称…）` bracket defines: back to a stop, a bracket or a quote; a
# conjunction leading them joins two definitions (`A（以下简称“甲方”）与B（…）`).
_BEFORE: Final = re.compile(r"[^,，。;；:\n()（）“”\"]{1,40}$")
_JOINER: Final = re.compile(r"^(?:与|和|及|同|and )\s?")


def _int(text: str) -> int | None:
    if len(text) == 1 and "A" <= text <= "Z":
        return ord(text) - ord("A") + 1
    try:
        n = parse_chinese_number(text)
    except ValueError:
        return None
    return n if isinstance(n, int) else None


def _clause_keys(clauses: list[dict[str, Any]]) -> tuple[set[str], set[str]]:
    """What clause references can name: article numbers (`12`), dotted paths (`3.2`)."""
    articles: set[str] = set()
    paths: set[str] = set()
    top = min((c["level"] for c in clauses), default=1)
    for c in clauses:
        index = c["index"]
        paths.add(".".join(str(i) for i in index))
        if c["number"].startswith("第") and c["number"].endswith("条"):
            articles.add(str(index[-1]))
        if c["level"] == top:
            paths.add(str(index[-1]))
        dotted = re.fullmatch(r"([0-9]+(?:\.[0-9]+)+)\.?", c["number"])
        if dotted:
            paths.add(dotted[1])
    return articles, paths


def find_attachments(
    ctx: Context, clauses: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], set[int]]:
    """The attachments the document lists, and the offsets of those listings."""
    text = ctx.text
    items: list[dict[str, Any]] = []
    listed_at: set[int] = set()
    numbers: set[int] = set()
    for m in finditer(ctx, _ATTACHMENT):
        value = _int(m["num"])
        if value is None:
            continue
        titled = _ATTACHMENT_TITLE.match(text, m.end())
        line_start = not text[ctx.line_start(m.start()) : m.start()].strip(" \t0-9.、()")
        heading = _LIST_HEADING.fullmatch(_clause_heading(ctx, clauses, m.start()))
        if not (titled or line_start or heading):
            continue
        listed_at.add(m.start())
        if value in numbers:
            continue
        numbers.add(value)
        ctx.locate(("document", "attachments", len(items)), m.start())
        items.append(
            {
                "number": m[0],
                "index": value,
                "title": titled["title"] if titled else None,
                "clause": ctx.clause_at(m.start()),
            }
        )
    return items, listed_at


def _clause_heading(ctx: Context, clauses: list[dict[str, Any]], offset: int) -> str:
    k = ctx.clause_index(offset)
    return str(clauses[k]["heading"]) if k >= 0 else ""


def find_references(
    ctx: Context,
    clauses: list[dict[str, Any]],
    attachments: list[dict[str, Any]],
    listed_at: set[int],
) -> list[dict[str, Any]]:
    """Every cross-reference in document order, resolved against clauses and attachments."""
    found: list[tuple[int, dict[str, Any]]] = []
    law_spans: list[tuple[int, int]] = []
    for m in finditer(ctx, _LAW):
        law_spans.append((m.start(), m.end()))
        found.append(
            (m.start(), {"text": m[0], "kind": "law", "target": m["title"], "resolved": None})
        )
    headings = set(ctx.clause_starts)
    articles, paths = _clause_keys(clauses)
    has_articles = bool(articles)
    for m in finditer(ctx, _CLAUSE_REF):
        if m.start() in headings or any(s <= m.start() < e for s, e in law_spans):
            continue
        num = m["num"]
        if "." in num:
            target = num
            resolved = num in paths
        else:
            value = _int(num)
            if value is None:
                continue
            target = str(value)
            resolved = target in (articles if has_articles else paths)
        start = m.start()
        if ctx.text.startswith(("本合同", "本协议"), max(0, start - 3)):
            start -= 3
        found.append(
            (
                start,
                {
                    "text": ctx.text[start : m.end()],
                    "kind": "clause",
                    "target": target,
                    "resolved": resolved,
                },
            )
        )
    listed = {a["index"] for a in attachments}
    for m in finditer(ctx, _ATTACHMENT):
        value = _int(m["num"])
        if value is None or m.start() in listed_at:
            continue
        found.append(
            (
                m.start(),
                {
                    "text": m[0],
                    "kind": "attachment",
                    "target": str(value),
                    "resolved": value in listed,
                },
            )
        )
    found.sort(key=lambda item: item[0])
    items = []
    for i, (start, item) in enumerate(found):
        item["clause"] = ctx.clause_at(start)
        ctx.locate(("document", "references", i), start)
        items.append(item)
    return items


def find_terms(ctx: Context) -> list[dict[str, Any]]:
    """Defined terms: `{term, definition, defined_at, uses}`, `uses` counting the other mentions."""
    text = ctx.text
    found: list[tuple[int, str, str]] = []
    for k, pattern in enumerate(_TERM_PATTERNS):
        for m in finditer(ctx, pattern):
            term = m["term"].strip()
            if not term or not re.search(rf"[{CJK}A-Za-z]", term):
                continue
            if k == 0:
                before = _BEFORE.search(text, max(0, m.start() - 40), m.start())
                meaning = _JOINER.sub("", before[0].strip()) if before else ""
            else:
                meaning = m["meaning"].strip()
            found.append((m.start("term"), term, meaning))
    found.sort()
    definitions = Counter(term for _, term, _ in found)
    items = []
    for i, (start, term, meaning) in enumerate(found[:MAX_TERMS]):
        ctx.locate(("document", "terms", i), start)
        items.append(
            {
                "term": term,
                "definition": meaning,
                "defined_at": ctx.clause_at(start),
                "uses": max(0, text.count(term) - definitions[term]),
            }
        )
    return items


# A quoted term: “X” / "X" / 「X」 of a few words, as drafts quote the terms they define.
_QUOTED: Final = re.compile(rf"[“\"「『](?P<term>[{CJK}A-Za-z][{CJK}A-Za-z0-9 ]{{1,11}})[”\"」』]")
# Words that make the quote a definition (`以下简称“X”`, `“X”是指`) or a title, not a use.
_DEFINING_BEFORE: Final = re.compile(r"(?:简称|称|称为|统称|合称|下称|所称|即)\s?(?:为)?\s?$")
_DEFINING_AFTER: Final = re.compile(r"\s?(?:是指|系指|指|means|shall mean|:)")


def find_undefined_terms(ctx: Context, terms: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Terms quoted as defined terms are (`“保密信息”`) that the document never defines:
    `{term, clause}`, each term once, at its first quotation."""
    defined = {t["term"] for t in terms}
    text = ctx.text
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    for m in finditer(ctx, _QUOTED):
        term = m["term"].strip()
        if term in defined or term in seen:
            continue
        if _DEFINING_BEFORE.search(text, max(0, m.start() - 6), m.start()):
            continue
        if _DEFINING_AFTER.match(text, m.end()):
            continue
        seen.add(term)
        ctx.locate(("document", "undefined_terms", len(items)), m.start())
        items.append({"term": term, "clause": ctx.clause_at(m.start())})
        if len(items) >= MAX_TERMS:
            break
    return items


def count_attachment_references(
    attachments: list[dict[str, Any]], references: list[dict[str, Any]]
) -> None:
    """Set each attachment's `references`: how many references in the text name it."""
    counts = Counter(r["target"] for r in references if r["kind"] == "attachment")
    for a in attachments:
        a["references"] = counts[str(a["index"])]
