"""Dispute resolution: which forums each dispute clause names, for `arbitration-or-litigation`.

A dispute clause is one whose heading speaks of disputes (`争议解决`, `纠纷`, `管辖`). It
names arbitration when it submits disputes to an arbitration body (`提交…仲裁委员会仲裁`,
`申请仲裁`) and a court when it lets a party sue (`向…人民法院起诉`, `提起诉讼`); asking a
court to enforce or set aside an award is no second forum. A clause inside another
dispute clause belongs to the outer one.
"""

from __future__ import annotations

import re
from typing import Any, Final

from checker.inputs.document.analysis.context import Context, outermost_clauses

_DISPUTE_HEADING: Final = re.compile(r"争议|纠纷|管辖|法律适用|适用法律|Dispute|Arbitration")
_ARBITRATION: Final = re.compile(
    r"[^。;,，\n]{0,30}(?:仲裁委员会|仲裁院|仲裁中心)[^。;,，\n]{0,20}仲裁|申请仲裁|提请仲裁|提交仲裁|通过仲裁"
    r"|submitted? to arbitration|arbitration"
)
_COURT: Final = re.compile(
    r"(?:向|由)[^。;,，\n]{0,30}法院(?:提起|起诉|诉讼|提出诉讼)[^。;,，\n]{0,6}"
    r"|提起诉讼|起诉|通过诉讼|诉讼解决|courts? of|litigation"
)


def find_disputes(ctx: Context, clauses: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One item per outermost dispute clause: the arbitration and court phrases it holds."""
    items: list[dict[str, Any]] = []
    text = ctx.text
    for clause, start, end in outermost_clauses(ctx, clauses, _DISPUTE_HEADING):
        arbitration = _ARBITRATION.search(text, start, end)
        court = _COURT.search(text, start, end)
        n = len(items)
        ctx.locate(("document", "disputes", n), start)
        for key, m in (("arbitration", arbitration), ("court", court)):
            if m is not None:
                ctx.locate(("document", "disputes", n, key), m.start())
        items.append(
            {
                "clause": clause["number"],
                "arbitration": arbitration[0].strip() if arbitration else None,
                "court": court[0].strip() if court else None,
            }
        )
    return items
