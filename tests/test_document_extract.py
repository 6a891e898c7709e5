"""`contract-checker extract`: the document model, or a schema's fields filled from a draft."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import clirun
import pytest
import yaml
from clirun import THIS_TREE

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "examples" / "documents"
SEEDS = ROOT / "tests" / "fixtures" / "seeds"
CLEAN = ROOT / "tests" / "fixtures" / "documents" / "clean-service-contract.md"


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return clirun.cli("extract", *args, cwd=cwd, env=THIS_TREE)


def extracted(path: Path, schema: str = "service-contract") -> tuple[dict[str, Any], str]:
    r = cli(str(path), "--schema", schema)
    assert r.returncode == 0, r.stderr
    data = yaml.safe_load(r.stdout)
    assert isinstance(data, dict)
    return data, r.stdout


def where(text: str, key: str, value: str) -> str:
    """The comment on the line `key: value` of the output."""
    m = re.search(rf"^ *(?:- )?{re.escape(key)}: {re.escape(value)}  # (.+)$", text, re.M)
    assert m is not None, f"{key}: {value} not in\n{text}"
    return m[1]


def test_fields_of_the_clean_contract_with_their_lines() -> None:
    data, text = extracted(CLEAN)
    assert data["meta"] == {
        "id": "YF-CRM-2025-0318",
        "signing_date": dt.date(2025, 3, 20),
        "signing_place": None,
    }
    assert where(text, "id", '"YF-CRM-2025-0318"') == "line 11"
    assert [(p["label"], p["name"], p["legal_representative"]) for p in data["parties"]] == [
        ("甲方", "北京云帆科技有限公司", "王立新"),
        ("乙方", "上海恒信客户服务有限公司", "陈思远"),
    ]
    assert where(text, "unified_social_credit_code", '"91310115MA1HXYZ83Q"') == "line 20"
    assert data["term"] == {
        "start_date": dt.date(2025, 4, 1),
        "end_date": dt.date(2026, 3, 31),
        "duration": "一年",
    }
    assert where(text, "end_date", "2026-03-31") == "line 45"
    assert data["fees"] == {"total": "CNY 360000.00", "total_upper": "人民币叁拾陆万元整"}
    assert where(text, "total", '"CNY 360000.00"') == "line 59"
    assert [(i["percent"], i["amount"]) for i in data["payment"]["installments"]] == [
        (30, "CNY 108000.00"),
        (40, "CNY 144000.00"),
        (30, "CNY 108000.00"),
    ]
    assert data["confidentiality"] == {"term": "三年"}
    assert where(text, "term", '"三年"') == "line 97"
    assert data["liabilities"]["late_payment"]["penalty"] == {"value": 0.05}
    assert data["disputes"] == {
        "arbitration": {"institution": None},
        "litigation": {"court": "甲方住所地有管辖权的人民法院"},
    }
    assert "    institution: null  # not found\n" in text
    assert "  signing_place: null  # not found\n" in text


def test_a_docx_twin_gives_the_same_fields_at_paragraphs() -> None:
    md, _ = extracted(DOCS / "c4-sales-outsourcing.md")
    docx, text = extracted(DOCS / "c4-sales-outsourcing.docx")
    assert docx == md
    assert docx["disputes"]["arbitration"]["institution"] == "厦门仲裁委员会"
    assert where(text, "institution", '"厦门仲裁委员会"') == "¶29"
    assert where(text, "signing_date", "2025-06-18") == "¶40"
    assert "# line" not in text


def test_the_extracted_fields_agree_with_the_yaml_draft() -> None:
    data, _ = extracted(DOCS / "c1-customer-acquisition.md")
    draft = yaml.safe_load((ROOT / "examples" / "c1-customer-acquisition.yaml").read_text("utf-8"))
    assert data["meta"]["signing_date"] == draft["meta"]["signing_date"]
    assert data["meta"]["signing_place"] == draft["meta"]["signing_place"]
    for got, want in zip(data["parties"], draft["parties"], strict=True):
        for key in ("label", "name", "unified_social_credit_code", "address"):
            assert got[key] == want[key]
    assert [i["percent"] for i in data["payment"]["installments"]] == [
        i["percent"] for i in draft["payment"]["installments"]
    ]


@pytest.mark.parametrize("seed", sorted(p.name for p in SEEDS.glob("*.txt")))
def test_a_scraped_template_loads_with_its_blanks_not_found(seed: str) -> None:
    data, text = extracted(SEEDS / seed)
    # `甲方:名称:法定代表人:` and `甲方:XXX` hold no names
    assert all(p["name"] is None for p in data["parties"])
    assert data["fees"]["total"] is None
    assert data["fees"]["total_upper"] is None  # `[大写金额]` is a placeholder, no value
    assert "null  # not found" in text


def test_seed_dispute_court_is_read_where_it_is() -> None:
    data, text = extracted(SEEDS / "000_9e77fe81c2ab4551.txt")
    assert data["disputes"]["litigation"]["court"] == "有管辖权的人民法院"
    assert where(text, "court", '"有管辖权的人民法院"') == "line 14"


def test_a_custom_schema_extracts_by_its_own_annotations(tmp_path: Path) -> None:
    schema = {
        "type": "object",
        "properties": {
            "price": {"type": "string", "x-type": "money", "x-labels": ["服务费用总额为"]},
            "secrecy": {"type": "string", "x-type": "duration", "x-labels": ["期限为"],
                        "x-clause": ["保密"]},
            "notice_days": {"type": "number", "x-labels": ["变更后"], "x-clause": ["通知"]},
            "unlabelled": {"type": "string"},
        },
    }  # fmt: skip
    path = tmp_path / "s.json"
    path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    data, text = extracted(CLEAN, str(path))
    assert data == {"price": "CNY 360000.00", "secrecy": "三年", "notice_days": 5}
    assert where(text, "secrecy", '"三年"') == "line 97"  # the 期限 of 保密, not of the term


def test_without_a_schema_the_document_model_is_printed() -> None:
    r = cli(str(DOCS / "c2-customer-management.md"))
    assert r.returncode == 0, r.stderr
    model = yaml.safe_load(r.stdout)["document"]
    assert model["title"] == "客户管理策略合同协议"
    assert [c["number"] for c in model["clauses"]][:3] == ["第一条", "1.1", "1.2"]
    assert model["payment_plans"][0]["percentages"] == [50, 50]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["examples/c1-customer-acquisition.yaml"], "extract reads documents"),
        (["README.docx"], "cannot read the document"),
        (["examples/documents/c1-customer-acquisition.md", "--schema", "nope"], "nope"),
    ],
)
def test_bad_input_is_one_message_and_exit_2(args: list[str], message: str) -> None:
    r = cli(*args)
    assert r.returncode == 2
    assert message in r.stderr and "Traceback" not in r.stderr
