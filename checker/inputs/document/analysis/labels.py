"""Field labels of contract forms (`名称：`, `地址：`), shared by party blocks and blanks."""

from __future__ import annotations

import re
from typing import Final

# Longest first, so `联系电话` is not read as `电话`.
FIELD_LABELS: Final = tuple(
    sorted(
        (
            "名称",
            "公司名称",
            "法定代表人",
            "负责人",
            "授权代表",
            "委托代理人",
            "地址",
            "住所",
            "住所地",
            "通讯地址",
            "联系地址",
            "注册地址",
            "联系方式",
            "联系人",
            "联系电话",
            "电话",
            "手机",
            "传真",
            "邮箱",
            "电子邮箱",
            "邮编",
            "邮政编码",
            "统一社会信用代码",
            "身份证号码",
            "身份证号",
            "开户行",
            "开户银行",
            "账号",
            "银行账号",
            "账户名称",
            "户名",
            "签字",
            "盖章",
            "签章",
            "日期",
            "签订日期",
            "签署日期",
            "签订地点",
            "合同编号",
        ),
        key=len,
        reverse=True,
    )
)
"""Labels whose value a party block or a form line holds."""

HAND_FILLED: Final = frozenset({"签字", "盖章", "签章", "日期", "签订日期", "签署日期"})
"""Labels left empty on purpose in a printed contract: people sign, seal and date by hand."""

PARTY_LABEL: Final = r"甲方|乙方|丙方|丁方|Party [A-D]"
FIELD: Final = re.compile(rf"(?P<field>{'|'.join(FIELD_LABELS)})\s?:")
PARTY: Final = re.compile(rf"(?P<party>{PARTY_LABEL})\s?(?:\((?P<role>[^()\n]{{1,20}})\))?\s?:")
# What cannot start a field's value: the next label, a recital, a clause number.
VALUE_STOP: Final = re.compile(
    rf"\s*(?:$|\n|(?:{'|'.join(FIELD_LABELS)}|{PARTY_LABEL})\s?(?:\([^()\n]{{0,20}}\))?\s?:"
    r"|鉴于|根据|为了|经双方|一、|第[一二三四五六七八九十]+条|[0-9]+\.)"
)
SIGNATURE_ROLE: Final = re.compile(r"盖章|签字|签章|签名|签署")
