"""The document model on small texts: clauses, blanks, quantities, references, terms, parties."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from checker.inputs.document import DocPosition, LoadedDocument, read_document
from checker.inputs.document.analysis.context import Context, outermost_clauses
from checker.inputs.document.model import SourceText
from checker.inputs.document.normalize import normalize


def _read(text: str) -> LoadedDocument:
    loaded = read_document(text.encode(), "draft.txt")
    assert loaded.problems == []
    assert loaded.document is not None
    return loaded


def _items(loaded: LoadedDocument, key: str, *fields: str) -> list[tuple[Any, ...]]:
    """(line, column, fields…) of every item of `document[key]`."""
    assert loaded.document is not None
    out = []
    for i, item in enumerate(loaded.document[key]):
        pos = loaded.positions[("document", key, i)]
        out.append((pos.line, pos.column, *(item[f] for f in fields)))
    return out


def test_clause_styles_nest_by_level_with_numeric_paths() -> None:
    loaded = _read(
        "第一章 总则\n第一条 定义\n一、服务\n（一）内容\n1. 市场调研\n1.1 调研范围\n（1）行业\n"
        "① 趋势\n3.2(a) 例外\nArticle 3 Fees\n第二章 附则"
    )
    assert _items(loaded, "clauses", "number", "level", "heading", "index") == [
        (1, 1, "第一章", 1, "总则", [1]),
        (2, 1, "第一条", 2, "定义", [1, 1]),
        (3, 1, "一、", 3, "服务", [1, 1, 1]),
        (4, 1, "(一)", 4, "内容", [1, 1, 1, 1]),
        (5, 1, "1.", 5, "市场调研", [1, 1, 1, 1, 1]),
        (6, 1, "1.1", 6, "调研范围", [1, 1, 1, 1, 1, 1]),
        (7, 1, "(1)", 7, "行业", [1, 1, 1, 1, 1, 1, 1]),
        (8, 1, "①", 8, "趋势", [1, 1, 1, 1, 1, 1, 1, 1]),
        (9, 1, "3.2(a)", 9, "例外", [1, 1, 1, 1, 1, 1, 1, 1, 1]),
        (10, 1, "Article 3", 2, "Fees", [1, 3]),
        (11, 1, "第二章", 1, "附则", [2]),
    ]
    assert loaded.document is not None
    assert loaded.document["clauses"][10]["text"] == "第二章 附则"


def test_clauses_inside_one_long_line_continue_the_numbering() -> None:
    loaded = _read(
        "鉴于双方协商一致,达成如下协议:一、协议背景甲方在[行业名称]领域开展业务。二、服务内容"
        "1.市场调研乙方将对市场进行调研,违约金为1.5倍。2.策略制定根据结果定制。三、费用"
    )
    assert _items(loaded, "clauses", "number", "level", "heading", "index", "text") == [
        (1, 17, "一、", 1, "协议背景", [1], "一、协议背景甲方在[行业名称]领域开展业务。"),
        (1, 39, "二、", 1, "服务内容", [2],
         "二、服务内容1.市场调研乙方将对市场进行调研,违约金为1.5倍。2.策略制定根据结果定制。"),
        (1, 45, "1.", 2, "市场调研", [2, 1], "1.市场调研乙方将对市场进行调研,违约金为1.5倍。"),
        (1, 71, "2.", 2, "策略制定根据结果定制", [2, 2], "2.策略制定根据结果定制。"),
        (1, 84, "三、", 1, "费用", [3], "三、费用"),
    ]  # fmt: skip


def test_a_reference_to_the_next_article_is_not_a_heading() -> None:
    loaded = _read("第十二条 解除\n本合同解除的，不影响第九条和第十三条的效力。\n第十三条 争议")
    assert _items(loaded, "clauses", "number") == [(1, 1, "第十二条"), (3, 1, "第十三条")]
    assert _items(loaded, "references", "text", "resolved") == [
        (2, 11, "第九条", False),
        (2, 15, "第十三条", True),
    ]


def test_blanks_of_every_kind_with_their_labels() -> None:
    loaded = _read(
        "甲方：________\n名称：\n地址：北京市\n保密期限为[X]年，合同金额：____元\n"
        "姓名：＊＊ 联系人：XX 编号：{{contract_no}} <NAME> [•] TBD 待定\n"
        "签订日期：  年  月  日\n【 】（ ）20XX年"
    )
    assert _items(loaded, "blanks", "text", "kind", "label") == [
        (1, 4, "________", "underscore", "甲方"),
        (2, 1, "名称:", "empty-field", "名称"),
        (4, 6, "[X]", "bracket", "保密期限"),
        (4, 16, "____", "underscore", "合同金额"),
        (5, 4, "**", "xx", "姓名"),
        (5, 11, "XX", "xx", "联系人"),
        (5, 17, "{{contract_no}}", "template", "编号"),
        (5, 33, "<NAME>", "template", None),
        (5, 40, "[•]", "bracket", None),
        (5, 44, "TBD", "pending", None),
        (5, 48, "待定", "pending", None),
        (6, 8, "年 月 日", "date", "签订日期"),
        (7, 1, "【 】", "bracket", None),
        (7, 4, "( )", "bracket", None),
        (7, 7, "20XX", "xx", None),
    ]


def test_not_blanks() -> None:
    loaded = _read("尺码XXL，电话130****3819，见注释[1]，年月日格式，甲方（盖章）：\n日期：\n")
    assert loaded.document is not None
    assert loaded.document["blanks"] == []


def test_amounts_paired_with_their_uppercase() -> None:
    loaded = _read(
        "服务费为人民币100,000元（大写：壹拾万元整），首付¥30,000.00，美元部分USD 5,000，奖金10万元。\n"
        "人民币壹拾万元整（¥100,000.00）"
    )
    assert _items(loaded, "amounts", "value", "upper", "text") == [
        (1, 5, "CNY 100000.00", "壹拾万元整", "人民币100,000元(大写:壹拾万元整)"),
        (1, 29, "CNY 30000.00", None, "¥30,000.00"),
        (1, 44, "USD 5000.00", None, "USD 5,000"),
        (1, 56, "CNY 100000.00", None, "10万元"),
        (2, 1, "CNY 100000.00", "人民币壹拾万元整", "人民币壹拾万元整(¥100,000.00)"),
    ]
    assert loaded.positions[("document", "amounts", 0, "upper")] == DocPosition(1, 20)


def test_percentages_durations_and_dates_typed_as_the_language_types_them() -> None:
    loaded = _read(
        "按百分之三十支付，违约金为万分之五/日，税率6%，千分之二。\n"
        "保密期限三年，15个工作日内，自2025年3月20日起，1年半，2025年2月30日，2025-01-31，二〇二五年一月一日"
    )
    assert _items(loaded, "percentages", "value", "per") == [
        (1, 2, 30, None),
        (1, 14, Decimal("0.05"), "day"),
        (1, 23, 6, None),
        (1, 26, Decimal("0.2"), None),
    ]
    assert _items(loaded, "durations", "value", "text") == [
        (2, 5, "3 years", "三年"),
        (2, 8, "15 working days", "15个工作日"),
        (2, 29, "18 months", "1年半"),
    ]
    assert _items(loaded, "dates", "value", "valid", "text") == [
        (2, 17, "2025-03-20", True, "2025年3月20日"),
        (2, 33, None, False, "2025年2月30日"),
        (2, 44, "2025-01-31", True, "2025-01-31"),
        (2, 55, "2025-01-01", True, "二〇二五年一月一日"),
    ]


def test_references_attachments_and_terms() -> None:
    loaded = _read(
        "第一条 定义\n本合同所称保密信息，是指一方披露的商业秘密。北京某公司（以下简称“甲方”）。"
        '"Services" means the CRM services.\n第二条 责任\n'
        "违反本合同第一条或第3.2条的，按《中华人民共和国民法典》第五百八十六条处理，详见附件一和附件三。\n"
        "第三条 附件\n附件一：《服务方案》"
    )
    assert _items(loaded, "references", "text", "kind", "target", "resolved") == [
        (4, 3, "本合同第一条", "clause", "1", True),
        (4, 10, "第3.2条", "clause", "3.2", False),
        (4, 18, "《中华人民共和国民法典》第五百八十六条", "law", "中华人民共和国民法典", None),
        (4, 42, "附件一", "attachment", "1", True),
        (4, 46, "附件三", "attachment", "3", False),
    ]
    assert _items(loaded, "attachments", "number", "index", "title") == [
        (6, 1, "附件一", 1, "服务方案")
    ]
    assert _items(loaded, "terms", "term", "definition", "defined_at", "uses") == [
        (2, 6, "保密信息", "一方披露的商业秘密", "第一条", 0),
        (2, 34, "甲方", "北京某公司", "第一条", 0),
        (2, 40, "Services", "the CRM services", "第一条", 0),
    ]


def test_party_blocks_of_the_header_and_the_signature() -> None:
    loaded = _read(
        "甲方（委托方）：北京云帆科技有限公司\n法定代表人：王立新\n地址：北京市海淀区\n"
        "乙方：名称：上海某公司 联系方式：021-1234\n第一条 服务\n（1）甲方与乙方：甲方是合同主体。\n"
        "甲方（盖章）：北京云帆科技有限公司\n乙方（盖章）："
    )
    assert _items(loaded, "parties", "label", "role", "name", "fields", "block") == [
        (1, 1, "甲方", "委托方", "北京云帆科技有限公司",
         {"法定代表人": "王立新", "地址": "北京市海淀区"}, "header"),
        (4, 1, "乙方", None, "上海某公司", {"名称": "上海某公司", "联系方式": "021-1234"}, "header"),
        (7, 1, "甲方", "盖章", "北京云帆科技有限公司", {}, "signature"),
        (8, 1, "乙方", "盖章", None, {}, "signature"),
    ]  # fmt: skip
    assert loaded.positions[("document", "parties", 0, "fields", "地址")] == DocPosition(3, 1)
    assert loaded.document is not None
    assert loaded.document["blanks"] == []  # a seal is put by hand: no blank


def test_title_and_page_furniture_of_scraped_text() -> None:
    loaded = _read(
        "客戶拉新的合同協(xié)議_第1頁\n下載本文檔\n\n客戶拉新的合同協(xié)議甲方:名稱:乙方:名稱:"
        "一、背景[X]\n\n溫馨提示\n1. 本站資源[X]\n"
    )
    assert loaded.document is not None
    assert loaded.document["title"] == "客户拉新的合同协议"
    assert loaded.positions[("document", "title")] == DocPosition(4, 1)
    assert _items(loaded, "blanks", "text") == [(4, 18, "名称:"), (4, 24, "名称:"), (4, 31, "[X]")]
    assert _items(loaded, "clauses", "number") == [(4, 27, "一、")]


def test_dispute_and_payment_clauses_are_the_outermost_with_such_a_heading() -> None:
    # 2.1's heading speaks of disputes too, but it belongs to 第二条 (outermost_clauses).
    loaded = _read(
        "技术服务合同\n\n第一条 付款方式\n1.1 首付款为合同总价的30%。\n1.2 验收后支付合同总价的70%。\n"
        "第二条 争议解决\n2.1 争议解决的仲裁\n双方同意提交厦门仲裁委员会仲裁。\n"
        "第三条 管辖\n任何一方可向甲方所在地人民法院起诉。\n"
    )
    assert _items(loaded, "disputes", "clause", "arbitration", "court") == [
        (6, 1, "第二条", "双方同意提交厦门仲裁委员会仲裁", None),
        (9, 1, "第三条", None, "向甲方所在地人民法院起诉"),
    ]
    assert _items(loaded, "payment_plans", "clause", "percentages") == [(4, 14, "第一条", [30, 70])]


def test_outermost_clauses_skips_a_matching_clause_inside_one_given() -> None:
    ctx = Context(SourceText(""), normalize(""))
    ctx.clause_starts, ctx.clause_ends = [0, 7, 16], [16, 16, 22]
    clauses = [{"heading": "争议"}, {"heading": "争议的仲裁"}, {"heading": "争议二"}]
    got = list(outermost_clauses(ctx, clauses, re.compile("争议")))
    assert got == [(clauses[0], 0, 16), (clauses[2], 16, 22)]
