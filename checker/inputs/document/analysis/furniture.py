"""Page furniture of scraped documents: page markers, site notices and widgets, not contract text.

Contracts copied from document-sharing sites carry the site's furniture (`第1頁`,
`下載本文檔`, `溫馨提示` notices, comment widgets, `PAGE1` field codes). Lines that are
furniture stay in `document.text` but no analysis reads them.
"""

from __future__ import annotations

import re
from typing import Final

from checker.inputs.document.analysis.context import Context

# Whole lines (normalised: simplified characters, half-width punctuation).
_LINE: Final = re.compile(
    r"[ \t]*(?:"
    r".{0,80}_第\d{1,4}页"  # 合同名称_第1页
    r"|已阅读\d+页.{0,40}"
    r"|下载本文档|文档简介|温馨提示|最新文档|相关文档|评论|提交评论|查看更多|实名认证|文档贡献者"
    r"|文档评论\(\d+\)|\d+/150|PAGE\d*|1亿VIP精品文档|该用户很懒.{0,20}"
    r"|\S{0,20}\*{3,}\d{2,4} ?\+ ?关注"  # 130****3819 + 关注
    r"|.{0,80}\.docx?(?:VIP)?"  # 合同模板.docxVIP (a file name as page title)
    r"|.*(?:本站|原创力文档|人人文库|book118|VIP文档|VIP会员|成为VIP|下载本文档|版权说明|版权申诉"
    r"|下载权益).*"
    r")[ \t]*"
)


# The site's closing notices: every line from here on is furniture.
_TAIL: Final = re.compile(r"[ \t]*温馨提示[ \t]*")


def find_furniture(ctx: Context) -> list[tuple[int, int]]:
    """The normalised spans of the lines that are furniture, in order."""
    text = ctx.text
    spans: list[tuple[int, int]] = []
    start = 0
    n = len(text)
    while start <= n:
        end = text.find("\n", start)
        if end < 0:
            end = n
        if end - start <= 400 and _TAIL.fullmatch(text, start, end):
            spans.append((start, n))
            break
        if end - start <= 400 and _LINE.fullmatch(text, start, end):
            spans.append((start, end))
        start = end + 1
    return spans
