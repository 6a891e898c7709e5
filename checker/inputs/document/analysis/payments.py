"""Payment plans: the instalment percentages of each payment clause, for `percentages-sum-to-100`.

A payment clause is one whose heading speaks of payment (`付款方式`, `支付`, `结算`). Its
instalments are the percentages in it that say what share of the price is paid
(`支付服务费用总额的30%`, `尾款30%`), never a rate (`万分之五/日`), a tax, a penalty or a
deduction. A clause inside another payment clause belongs to the outer one's plan.
"""

from __future__ import annotations

import re
from typing import Any, Final

from checker.inputs.document.analysis.context import Context, outermost_clauses

_PAYMENT_HEADING: Final = re.compile(r"付款|支付|结算|付费|价款")
# Words of the sentence that make a percentage a share of the price paid…
_SHARE: Final = re.compile(
    r"支付|付款|预付|首付|首期|尾款|余款|进度款|总额|总价|价款|合同款|服务费"
)
# …and those that make it something else: a rate, a tax, a penalty, a deduction.
_NOT_SHARE: Final = re.compile(r"违约|逾期|滞纳|利息|利率|税|扣减|扣除|罚|赔偿|保证金|质保金|LPR")
_SENTENCE_END: Final = re.compile(r"[。;\n]")


def _sentence(text: str, offset: int) -> str:
    """The sentence around `offset` (up to 120 characters each way)."""
    lo = max(0, offset - 120)
    start = max((m.end() for m in _SENTENCE_END.finditer(text, lo, offset)), default=lo)
    end_m = _SENTENCE_END.search(text, offset, offset + 120)
    return text[start : end_m.start() if end_m else min(len(text), offset + 120)]


def find_payment_plans(
    ctx: Context,
    clauses: list[dict[str, Any]],
    percentages: list[dict[str, Any]],
    percentage_at: list[int],
) -> list[dict[str, Any]]:
    """One plan per outermost payment clause holding two or more instalment percentages."""
    plans: list[dict[str, Any]] = []
    for clause, start, end in outermost_clauses(ctx, clauses, _PAYMENT_HEADING):
        shares = [
            (i, at)
            for i, at in enumerate(percentage_at)
            if start <= at < end
            and percentages[i]["per"] is None
            and _SHARE.search(sentence := _sentence(ctx.text, at))
            and not _NOT_SHARE.search(sentence)
        ]
        if len(shares) < 2:
            continue
        n = len(plans)
        ctx.locate(("document", "payment_plans", n), shares[0][1])
        for j, (_, at) in enumerate(shares):
            ctx.locate(("document", "payment_plans", n, "percentages", j), at)
        plans.append(
            {
                "clause": clause["number"],
                "heading": clause["heading"],
                "percentages": [percentages[i]["value"] for i, _ in shares],
                "texts": [percentages[i]["text"] for i, _ in shares],
            }
        )
    return plans
