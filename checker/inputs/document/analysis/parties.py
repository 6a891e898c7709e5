"""Party blocks: `甲方（委托方）：名称 / 法定代表人 / 地址 …`, in the header and the signature block.

A block starts at a party label followed by a colon (`甲方：`, `乙方（受托方）：`,
`Party A:`) where a block can be: before the first clause, at the start of a line, in a
signature (`甲方（盖章）：`), or followed by a form field or a blank. Its fields are the
form labels that follow (`名称：…`, `地址：…`), on the same line or the next ones; a value
that is empty or only a placeholder is null. `block` is `signature` for a block whose
label or fields are about signing (`盖章`, `签字`) or that comes after the last clause's
heading, `header` otherwise, so the two can be compared; `body` for a party the text
names by definition (`北京某公司（以下简称“甲方”）`), listed after the blocks.
"""

from __future__ import annotations

import re
from typing import Any, Final

from checker.inputs.document.analysis.blanks import blank_at
from checker.inputs.document.analysis.context import Context
from checker.inputs.document.analysis.labels import FIELD, PARTY, SIGNATURE_ROLE, VALUE_STOP
from checker.lang.textparse import blank_text

_VALUE_END: Final = re.compile(r"[;。\n]|\s{2}")
_MAX_VALUE: Final = 80


def _value(ctx: Context, start: int) -> tuple[str | None, int]:
    """The value after a label's colon, and where it ends (the next label, a stop, the line end)."""
    text = ctx.text
    if VALUE_STOP.match(text, start):
        return None, start
    lead = start
    while lead < len(text) and text[lead] == " ":
        lead += 1
    blank_end = blank_at(text, lead)
    if blank_end is not None:
        return None, blank_end  # the value is a placeholder: nothing filled in
    end = min(ctx.line_end(start), start + _MAX_VALUE)
    stop = _VALUE_END.search(text, start, end)
    if stop is not None:
        end = stop.start()
    nxt = FIELD.search(text, start, end)
    party = PARTY.search(text, start, end)
    for m in (nxt, party):
        if m is not None and m.start() < end:
            end = m.start()
    value = text[start:end].strip(" ,，")
    if not value or blank_text(value):
        return None, end
    return value, end


def find_parties(ctx: Context) -> list[dict[str, Any]]:
    """Every party block in document order."""
    text = ctx.text
    first_clause = ctx.clause_starts[0] if ctx.clause_starts else len(text)
    last_clause = ctx.clause_starts[-1] if ctx.clause_starts else len(text)
    items: list[dict[str, Any]] = []
    pos = 0
    while True:
        m = PARTY.search(text, pos)
        if m is None:
            break
        pos = m.end()
        if ctx.in_furniture(m.start()):
            continue
        role = m["role"] or ""
        line_start = not text[ctx.line_start(m.start()) : m.start()].strip(" \t")
        name, end = _value(ctx, m.end())
        after = _skip(text, end)
        fields: dict[str, str | None] = {}
        field_at: dict[str, int] = {}
        f = FIELD.match(text, _skip(text, m.end()))
        signature = bool(SIGNATURE_ROLE.search(role))
        opens_block = (
            m.start() < first_clause or line_start or signature or f is not None or name is None
        )
        if not opens_block:
            continue
        cursor = after if name is not None else _skip(text, m.end())
        while (f := FIELD.match(text, cursor)) is not None:
            value, value_end = _value(ctx, f.end())
            label = f["field"]
            fields.setdefault(label, value)
            field_at.setdefault(label, f.start())
            signature = signature or label in ("签字", "盖章", "签章")
            cursor = _skip(text, max(value_end, f.end()))
        pos = max(pos, cursor)
        if name is None:
            name = fields.get("名称") or fields.get("公司名称")
        block = "signature" if signature or m.start() > last_clause else "header"
        i = len(items)
        ctx.locate(("document", "parties", i), m.start())
        for label, at in field_at.items():
            ctx.locate(("document", "parties", i, "fields", label), at)
        items.append(
            {
                "label": m["party"],
                "role": role or None,
                "name": name,
                "fields": fields,
                "block": block,
                "clause": ctx.clause_at(m.start()),
            }
        )
    return items


PARTY_LABELS: Final = frozenset(
    {"甲方", "乙方", "丙方", "丁方", "Party A", "Party B", "Party C", "Party D"}
)


def body_parties(ctx: Context, parties: list[dict[str, Any]], terms: list[dict[str, Any]]) -> None:
    """Append the parties the body names by definition (`北京某公司（以下简称“甲方”）`) as
    blocks `body`, after the header and signature blocks, at their definitions."""
    for i, term in enumerate(terms):
        if term["term"] not in PARTY_LABELS or not term["definition"]:
            continue
        pos = ctx.positions.get(("document", "terms", i))
        if pos is not None:
            ctx.positions[("document", "parties", len(parties))] = pos
        parties.append(
            {
                "label": term["term"],
                "role": None,
                "name": term["definition"],
                "fields": {},
                "block": "body",
                "clause": term["defined_at"],
            }
        )


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\n,，;；":
        i += 1
    return i
