"""Legal fidelity of the built-in packs: versions of laws by date, honest citations, Chinese messages."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from checker import Pack, load_pack
from checker.inputs.loader import load_file
from checker.models import RuleResult
from checker.packs.pack import builtin_packs
from checker.packs.packtest import case_files

ROOT = Path(__file__).resolve().parent.parent
KINDS = {
    "statute",
    "administrative-regulation",
    "judicial-interpretation",
    "departmental-rule",
    "normative-document",
    "practice",
    "secondary",
}


@pytest.fixture(scope="module")
def packs() -> dict[str, Pack]:
    return {name: load_pack(name) for name in builtin_packs()}


def party(label: str, role: str, **more: Any) -> dict[str, Any]:
    return {"label": label, "role": role, "name": f"{label}公司", **more}


def contract(signed: str | None, **sections: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"title": "服务合同", "kind": "other", "is_template": False}
    if signed:
        meta["signing_date"] = signed
    return {
        "meta": meta,
        "parties": sections.pop("parties", [party("甲方", "client"), party("乙方", "vendor")]),
        **sections,
    }


def result(pack: Pack, rule: str, data: dict[str, Any], today: str = "2025-06-01") -> RuleResult:
    found = [r for r in pack.evaluate(data, today=_dt.date.fromisoformat(today)) if r.rule == rule]
    assert found, f"no result for {rule}"
    return found[0]


def cited(r: RuleResult) -> list[tuple[str | None, str | None]]:
    return [(ref.law, ref.article) for ref in r.refs]


# -- 1. the version of a law in force at the contract's date --------------------------------

SME = "保障中小企业款项支付条例"
AUCL = "反不正当竞争法"
COMMISSION = {
    "fees": {"components": [{"id": "c", "type": "commission", "rate": 5}]},
    "payment": {"to_corporate_account_only": False},
}
BROAD_FM = {"force_majeure": {"present": True}}
CONFIDENTIALITY = {"confidentiality": {"present": True, "term": "1年"}}
ADVERTISING = {"advertising": {"vendor_creates_content": True}}
TAX = {"fees": {"total": "人民币100000元"}}
ARBITRATION = {"disputes": {"method": "arbitration", "arbitration": {"institution": "某地仲裁"}}}
OR_BOTH = {"disputes": {"method": "arbitration-or-litigation"}}
PUBLIC_PAYER = {
    "parties": [
        party("甲方", "client", is_government_or_public_institution=True),
        party("乙方", "vendor", enterprise_size="small"),
    ],
    "payment": {
        "installments": [{"seq": 1, "trigger": "deliverable-accepted", "due_within": "90日"}]
    },
}
LOW_INTEREST = {
    "parties": [
        party("甲方", "client", enterprise_size="large"),
        party("乙方", "vendor", enterprise_size="small"),
    ],
    "liabilities": {
        "late_payment": {
            "penalty": {"value": 0.001, "unit": "percent-per-day", "basis": "overdue-amount"}
        }
    },
}


@pytest.mark.parametrize(
    ("rule", "data", "before", "after", "boundary", "old", "new"),
    [
        # 反不正当竞争法 revised, in force 2025-10-15.
        (
            "commission-paid-openly",
            COMMISSION,
            "2025-10-14",
            "2025-10-15",
            "aucl",
            (AUCL, "7"),
            (AUCL, "8"),
        ),
        (
            "confidentiality-duration-and-survival",
            CONFIDENTIALITY,
            "2025-10-14",
            "2025-10-15",
            "aucl",
            (AUCL, "9"),
            (AUCL, "10"),
        ),
        (
            "advertising-content-responsibility",
            ADVERTISING,
            "2025-10-14",
            "2025-10-15",
            "aucl",
            (AUCL, "8"),
            (AUCL, "9"),
        ),
        # 仲裁法 revised, in force 2026-03-01.
        (
            "arbitration-institution-identifiable",
            ARBITRATION,
            "2026-02-28",
            "2026-03-01",
            "arb",
            ("仲裁法", "16"),
            ("仲裁法", "27"),
        ),
        (
            "arbitration-institution-identifiable",
            ARBITRATION,
            "2026-02-28",
            "2026-03-01",
            "arb",
            ("仲裁法", "18"),
            ("仲裁法", "29"),
        ),
        (
            "arbitration-and-litigation-not-both",
            OR_BOTH,
            "2026-02-28",
            "2026-03-01",
            "arb",
            ("仲裁法", "5"),
            ("仲裁法", "27"),
        ),
        # 增值税法 from 2026-01-01; before, the provisional regulations.
        (
            "tax-treatment-specified",
            TAX,
            "2025-12-31",
            "2026-01-01",
            "vat",
            ("增值税暂行条例", "2"),
            ("增值税法", "10"),
        ),
        # 保障中小企业款项支付条例: the 2025 text for contracts signed from 2025-06-01.
        (
            "sme-payment-term-limit-public-payer",
            PUBLIC_PAYER,
            "2025-05-31",
            "2025-06-01",
            "sme",
            (SME, "8"),
            (SME, "9"),
        ),
        (
            "sme-overdue-interest-floor",
            LOW_INTEREST,
            "2025-05-31",
            "2025-06-01",
            "sme",
            (SME, "15"),
            (SME, "17"),
        ),
    ],
)
def test_findings_cite_the_version_in_force_on_both_sides_of_the_boundary(
    packs: dict[str, Pack],
    rule: str,
    data: dict[str, Any],
    before: str,
    after: str,
    boundary: str,
    old: tuple[str, str],
    new: tuple[str, str],
) -> None:
    pack = packs["prc-service-contract"]
    early = result(pack, rule, contract(before, **data))
    late = result(pack, rule, contract(after, **data))
    assert early.is_finding and late.is_finding
    assert old in cited(early) and new not in cited(early)
    assert new in cited(late) and old not in cited(late)


def test_without_a_signing_date_the_effective_date_then_today_decides(
    packs: dict[str, Pack],
) -> None:
    pack = packs["prc-service-contract"]
    data = contract(None, **COMMISSION)
    data["meta"]["effective"] = {"condition": "on-date", "date": "2025-10-15"}
    assert (AUCL, "8") in cited(result(pack, "commission-paid-openly", data, today="2025-01-01"))
    undated = contract(None, **COMMISSION)
    assert (AUCL, "7") in cited(result(pack, "commission-paid-openly", undated, today="2025-10-14"))
    assert (AUCL, "8") in cited(result(pack, "commission-paid-openly", undated, today="2025-10-15"))


def test_the_large_payer_60_day_rule_applies_only_under_the_2025_text(
    packs: dict[str, Pack],
) -> None:
    pack = packs["prc-service-contract"]
    data = {**PUBLIC_PAYER}
    data["parties"] = [
        party("甲方", "client", enterprise_size="large"),
        party("乙方", "vendor", enterprise_size="small"),
    ]
    assert result(pack, "sme-payment-term-limit", contract("2025-05-31", **data)).outcome == "skip"
    late = result(pack, "sme-payment-term-limit", contract("2025-06-01", **data))
    assert late.outcome == "fail"
    assert (SME, "9") in cited(late)


# -- 2. honest citations ---------------------------------------------------------------------


def all_refs(packs: dict[str, Pack]) -> Iterator[tuple[str, str, Any]]:
    seen: set[tuple[str, str]] = set()
    for pack in packs.values():
        for rule in pack.rules:
            if (rule.pack, rule.id) in seen:  # came along with `extends`
                continue
            seen.add((rule.pack, rule.id))
            for ref in rule.refs:
                yield rule.pack, rule.id, ref


def test_every_ref_names_its_source_and_says_what_kind_it_is(packs: dict[str, Pack]) -> None:
    for pack, rule, ref in all_refs(packs):
        assert ref.law, f"{pack}/{rule}: a ref without a law: {ref}"
        assert ref.basis in KINDS, f"{pack}/{rule}: {ref.law} has basis {ref.basis}"


def rule_refs(packs: dict[str, Pack], rule_id: str) -> list[Any]:
    return [ref for _, rid, ref in all_refs(packs) if rid == rule_id]


@pytest.mark.parametrize(
    ("rule", "present", "absent"),
    [
        (
            "subcontracting-requires-prior-written-consent",
            [("民法典", "923"), ("民法典", "772"), ("民法典", "773")],
            [("民法典", "551")],
        ),
        ("exemption-clauses-conspicuous", [("民法典", "496")], [("民法典", "498")]),
        ("signing-effective-start-in-order", [("民法典", "490")], [("民法典", "493")]),
        (
            "governing-law-prc",
            [("涉外民事关系法律适用法", "3"), ("涉外民事关系法律适用法", "41")],
            [],
        ),
        ("labour-dispatch-risk", [("劳务派遣暂行规定", "27"), ("劳动合同法", "57-67")], []),
        ("pi-entrustment-mandatory-terms", [("网络数据安全管理条例", "12")], []),
        ("marketing-contact-consent-and-opt-out", [("消费者权益保护法实施条例", "23")], []),
    ],
)
def test_corrected_citations(
    packs: dict[str, Pack],
    rule: str,
    present: list[tuple[str, str]],
    absent: list[tuple[str, str]],
) -> None:
    refs = [(r.law, r.article) for r in rule_refs(packs, rule)]
    for item in present:
        assert item in refs, f"{rule} should cite {item}"
    for item in absent:
        assert item not in refs, f"{rule} should not cite {item}"


def test_kinds_of_the_reviewed_sources(packs: dict[str, Pack]) -> None:
    kinds = {(r.law, r.article): r.basis for _, _, r in all_refs(packs)}
    assert kinds[
        ("最高人民法院关于适用《中华人民共和国涉外民事关系法律适用法》若干问题的解释（一）", "1")
    ] == ("judicial-interpretation")
    reply = [
        r for r in rule_refs(packs, "sme-no-pay-when-paid") if "法释〔2024〕11号" in (r.law or "")
    ]
    assert reply and reply[0].basis == "judicial-interpretation"
    assert kinds[("劳务派遣暂行规定", "27")] == "departmental-rule"
    assert kinds[("劳动合同法", "57-67")] == "statute"
    for rule in ("amount-uppercase-well-formed", "amount-uppercase-style"):
        pboc = [r for r in rule_refs(packs, rule) if "正确填写票据" in (r.law or "")]
        assert [r.article for r in pboc] == ["一至四"]
    # Every judicial interpretation is called one, not a statute.
    for pack, rule, ref in all_refs(packs):
        if (ref.law or "").startswith("最高人民法院关于"):
            assert ref.basis == "judicial-interpretation", f"{pack}/{rule}: {ref.law}"


def test_the_repository_cites_the_law_not_the_research_notes() -> None:
    for folder in ("rules", "docs", "examples", "checker"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".yaml", ".md", ".py", ".json"):
                text = path.read_text("utf-8")
                assert "shared/" not in text and "prc_contract_rules" not in text, path


# -- 4. Chinese messages read like Chinese ---------------------------------------------------

# English words outside `code` (field paths) and quotes of the contract's own text (“…”, 《…》).
LATIN_WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2,}(?![A-Za-z0-9])")
ALLOWED = {"LPR"}


def chinese_messages(packs: dict[str, Pack]) -> Iterator[tuple[str, str]]:
    """Every Chinese message of every finding of every built-in pack test."""
    for name, path in builtin_packs().items():
        pack = packs[name]
        for case in case_files(path):
            spec = load_file(case).data
            assert spec is not None
            if "file" in spec:
                data = load_file((case.parent / spec["file"]).resolve()).data
            else:
                data = spec["contract"]
            if data is None:
                continue
            for r in pack.evaluate(data, today=spec.get("today")):
                if r.is_finding:
                    yield f"{name}/{case.name}/{r.rule}", r.message_zh or ""


def test_no_english_in_chinese_messages(packs: dict[str, Pack]) -> None:
    seen = 0
    for where, text in chinese_messages(packs):
        seen += 1
        prose = re.sub(r"`[^`]*`|“[^”]*”|《[^》]*》", "", text)
        words = [w for w in LATIN_WORD.findall(prose) if w not in ALLOWED]
        assert not words, f"{where}: {words} in {text}"
        assert not re.search(r"第\d+条", text), f"{where}: article in figures: {text}"
        assert "为未约定" not in text, f"{where}: {text}"
    assert seen > 300


def test_values_render_in_chinese_in_builtin_messages(packs: dict[str, Pack]) -> None:
    prc = packs["prc-service-contract"]
    r = result(
        prc,
        "confidentiality-duration-and-survival",
        contract(
            "2025-03-20",
            confidentiality={"present": True, "term": "1年", "term_starts": "effective-date"},
        ),
    )
    assert "保密期限为一年，自合同生效之日起算" in (r.message_zh or "")
    r = result(
        prc,
        "late-payment-penalty-reasonable",
        contract(
            "2025-03-20",
            liabilities={
                "late_payment": {
                    "penalty": {"value": 0.3, "unit": "percent-per-day", "basis": "overdue-amount"}
                }
            },
        ),
    )
    assert "计算基数为逾期金额" in (r.message_zh or "")
    drafting = packs["drafting"]
    signed = contract(
        "2025-03-20",
        meta={
            "title": "服务合同",
            "kind": "other",
            "is_template": False,
            "effective": {"condition": "on-signature-and-seal"},
        },
        signatures=[{"party": "乙方", "signed": True, "sealed": False, "date": "2025-03-20"}],
    )
    r = result(drafting, "execution-blocks-complete", signed)
    assert r.message_zh == "合同生效条件为“签字并盖章后生效”，但乙方已签字、未盖章，未按约定签署。"


def test_party_roles_come_from_the_contracts_labels(packs: dict[str, Pack]) -> None:
    """In C2 甲方 is the vendor: the vendor may subcontract is 甲方可转包, not 乙方."""
    data = contract(
        "2025-03-20",
        parties=[party("甲方", "vendor"), party("乙方", "client")],
        subcontracting={"allowed": True, "written_consent_required": False, "vendor_liable": False},
    )
    r = result(packs["prc-service-contract"], "subcontracting-requires-prior-written-consent", data)
    assert (
        r.message_zh
        == "甲方可转包、分包，但未约定须经乙方事先书面同意、未约定甲方对分包方的行为承担责任。"
    )


def test_governing_law_message_without_a_choice(packs: dict[str, Pack]) -> None:
    r = result(
        packs["prc-service-contract"],
        "governing-law-prc",
        contract("2025-03-20", disputes={"method": "litigation"}),
    )
    assert (
        r.message_zh
        == "合同未约定适用法律：只有涉外合同才可以选择适用的法律，本合同无论如何适用中华人民共和国法律。"
    )


def test_ld_message_keeps_the_fee_threshold_apart_from_the_loss_test(
    packs: dict[str, Pack],
) -> None:
    data = contract(
        "2025-03-20",
        fees={"total": "人民币100000元"},
        liabilities={
            "breaches": [
                {
                    "id": "sub",
                    "trigger": "unauthorised-subcontracting",
                    "penalty": {"value": 50, "unit": "percent", "basis": "total-fee"},
                }
            ]
        },
    )
    r = result(packs["prc-service-contract"], "liquidated-damages-proportionate", data)
    assert r.outcome == "fail"
    assert "the pack's drafting threshold, measured against the FEE" in (r.message or "")
    assert "a court compares LD with the LOSS" in (r.message or "")
    assert "本规则以价款为参照的起草提示标准，并非法定标准" in (r.message_zh or "")
    assert "违约金超过造成的损失百分之三十的" in (r.message_zh or "")


def test_every_builtin_rule_has_a_chinese_title(packs: dict[str, Pack]) -> None:
    for pack in packs.values():
        for rule in pack.rules:
            assert rule.title_zh and not LATIN_WORD.search(rule.title_zh.replace("LPR", "")), (
                rule.id
            )
            assert set(rule.spec.raw["title"]) == {"en", "zh"}, rule.id  # no stray keys
