"""Analysis of a document's text into the document model (docs/documents.md), with positions."""

from __future__ import annotations

import re
from typing import Any, Final

from checker.inputs.document.analysis.blanks import find_blanks
from checker.inputs.document.analysis.clauses import find_clauses
from checker.inputs.document.analysis.context import Context
from checker.inputs.document.analysis.disputes import find_disputes
from checker.inputs.document.analysis.furniture import find_furniture
from checker.inputs.document.analysis.parties import body_parties, find_parties
from checker.inputs.document.analysis.payments import find_payment_plans
from checker.inputs.document.analysis.quantities import (
    find_amounts,
    find_dates,
    find_durations,
    find_percentages,
)
from checker.inputs.document.analysis.references import (
    count_attachment_references,
    find_attachments,
    find_references,
    find_terms,
    find_undefined_terms,
)
from checker.inputs.document.model import DataPath, DocFormat, DocPosition, ReadResult
from checker.inputs.document.normalize import normalize

_TITLE_WORD: Final = re.compile(r"合同|协议|契约|Agreement|AGREEMENT|Contract|CONTRACT")
_TITLE_HEAD: Final = re.compile(
    r"[^\s,.:;!?，。：；、“”\"()\[\]]{0,50}?(?:合同协议书|合同协议|协议书|合同书|合同|协议)"
)


def _title(ctx: Context, hint: str | None) -> tuple[str | None, int]:
    """The title and where it is: the format's own title, else the first line naming a contract."""
    text = ctx.text
    if hint is not None:
        wanted = normalize(hint).text.strip()
        at = text.find(wanted)
        return wanted, max(at, 0)
    end_of_head = ctx.clause_starts[0] if ctx.clause_starts else len(text)
    start = 0
    checked = 0
    while start < end_of_head and checked < 8:
        end = ctx.line_end(start)
        line = text[start:end]
        stripped = line.strip()
        if stripped and not ctx.in_furniture(start):
            checked += 1
            lead = start + len(line) - len(line.lstrip())
            if len(stripped) <= 60 and ":" not in stripped and _TITLE_WORD.search(stripped):
                return stripped, lead
            head = _TITLE_HEAD.match(text, lead, min(end, end_of_head))
            if head is not None:
                return head[0], lead
        start = end + 1
    return None, 0


def analyze(read: ReadResult, fmt: DocFormat) -> tuple[dict[str, Any], dict[DataPath, DocPosition]]:
    """The document model of a read document, and the positions of its items."""
    ctx = Context(read.source, normalize(read.source.text), read.heading_lines)
    ctx.furniture = find_furniture(ctx)
    clauses = find_clauses(ctx)
    title, title_at = _title(ctx, read.title)
    attachments, listed_at = find_attachments(ctx, clauses)
    references = find_references(ctx, clauses, attachments, listed_at)
    count_attachment_references(attachments, references)
    percentage_at: list[int] = []
    percentages = find_percentages(ctx, percentage_at)
    terms = find_terms(ctx)
    parties = find_parties(ctx)
    body_parties(ctx, parties, terms)
    model: dict[str, Any] = {
        "format": fmt,
        "title": title,
        "is_template": False,  # the front matter or the configuration may say otherwise
        "text": ctx.text,
        "clauses": clauses,
        "blanks": find_blanks(ctx),
        "amounts": find_amounts(ctx),
        "percentages": percentages,
        "payment_plans": find_payment_plans(ctx, clauses, percentages, percentage_at),
        "durations": find_durations(ctx),
        "dates": find_dates(ctx),
        "references": references,
        "attachments": attachments,
        "terms": terms,
        "undefined_terms": find_undefined_terms(ctx, terms),
        "parties": parties,
        "disputes": find_disputes(ctx, clauses),
    }
    ctx.locate(("document",), 0)
    ctx.locate(("document", "text"), 0)
    if title is not None:
        ctx.locate(("document", "title"), title_at)
    return model, ctx.positions
