"""Quality bars on real drafts: the four scraped seeds, a clean contract, the document schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from checker.inputs.document import LoadedDocument, read_document
from checker.inputs.document.normalize import normalize
from checker.inputs.schema import ContractSchema
from checker.lang.cnupper import upper_matches
from checker.lang.textparse import parse_money

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = FIXTURES / "seeds"
SEED_FILES = sorted(p.name for p in SEEDS.glob("*.txt"))


def _rows(name: str) -> list[list[str]]:
    lines = (SEEDS / name).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line and not line.startswith("#")]


def _blanks(file: str) -> dict[str, dict[str, Any]]:
    loaded = read_document(SEEDS / file)
    assert loaded.problems == [] and loaded.document is not None
    out = {}
    for i, blank in enumerate(loaded.document["blanks"]):
        pos = loaded.positions[("document", "blanks", i)]
        out[f"{pos.line}:{pos.column}"] = blank
    return out


def test_seeds_are_the_public_contracts_byte_for_byte() -> None:
    assert SEED_FILES == [
        "000_9e77fe81c2ab4551.txt", "001_51deeada2adcd9e9.txt",
        "002_41a70e96b16da91b.txt", "003_559b5a884a5b557a.txt",
    ]  # fmt: skip
    sizes = [(SEEDS / f).stat().st_size for f in SEED_FILES]
    assert sizes == [14923, 6975, 12889, 13964]


def test_at_least_75_of_the_77_placeholder_tokens_are_found_where_they_are() -> None:
    expected = _rows("expected-blanks.tsv")
    assert len(expected) == 77
    found = {f: _blanks(f) for f in SEED_FILES}
    hits = [
        (f, pos, token)
        for f, pos, token in expected
        if pos in found[f] and found[f][pos]["text"] == normalize(token).text
    ]
    missed = [row for row in expected if tuple(row) not in set(hits)]
    assert len(hits) >= 75, missed


def test_every_other_blank_on_the_seeds_is_reviewed() -> None:
    expected = {(f, pos) for f, pos, _ in _rows("expected-blanks.tsv")}
    others = sorted(
        (f, pos, blank["kind"], blank["text"])
        for f in SEED_FILES
        for pos, blank in _blanks(f).items()
        if (f, pos) not in expected
    )
    reviewed = sorted(tuple(row) for row in _rows("other-blanks.tsv"))
    assert others == reviewed


@pytest.fixture(scope="module")
def clean() -> LoadedDocument:
    loaded = read_document(FIXTURES / "documents" / "clean-service-contract.md")
    assert loaded.problems == [] and loaded.document is not None
    return loaded


def test_clean_contract_has_no_blank(clean: LoadedDocument) -> None:
    assert clean.document is not None
    assert clean.document["blanks"] == []


def test_clean_contract_numbering_is_consistent(clean: LoadedDocument) -> None:
    assert clean.document is not None
    clauses = clean.document["clauses"]
    # siblings: the clauses of one style under one parent (the last clause a level up)
    siblings: dict[tuple[str, int], list[int]] = {}
    open_at: dict[int, int] = {0: -1}
    for k, c in enumerate(clauses):
        number = c["number"]
        style = "第" + number[-1] if number[0] == "第" else number[:2] if number[0] == "附" else ""
        siblings.setdefault((style, open_at[c["level"] - 1]), []).append(c["index"][-1])
        open_at[c["level"]] = k
    for numbers in siblings.values():
        assert numbers == list(range(1, len(numbers) + 1))
    articles = [c["number"] for c in clauses if c["level"] == 1]
    assert (
        articles[0] == "第一条"
        and articles[15] == "第十六条"
        and articles[16:] == ["附件一", "附件二"]
    )


def test_clean_contract_amounts_are_paired_with_matching_uppercase(clean: LoadedDocument) -> None:
    assert clean.document is not None
    amounts = clean.document["amounts"]
    assert len(amounts) == 5
    for amount in amounts:
        assert amount["upper"] is not None
        assert upper_matches(amount["upper"], parse_money(amount["value"]).amount)


def test_clean_contract_references_are_resolved(clean: LoadedDocument) -> None:
    assert clean.document is not None
    references = clean.document["references"]
    assert len([r for r in references if r["kind"] != "law"]) >= 10
    assert all(r["resolved"] is not False for r in references)
    assert [a["number"] for a in clean.document["attachments"]] == ["附件一", "附件二"]


def test_clean_contract_parties_agree(clean: LoadedDocument) -> None:
    assert clean.document is not None
    parties = [(p["label"], p["name"], p["block"]) for p in clean.document["parties"]]
    assert parties == [
        ("甲方", "北京云帆科技有限公司", "header"),
        ("乙方", "上海恒信客户服务有限公司", "header"),
        ("甲方", "北京云帆科技有限公司", "signature"),
        ("乙方", "上海恒信客户服务有限公司", "signature"),
    ]


@pytest.mark.parametrize(
    "path",
    [SEEDS / f for f in SEED_FILES] + sorted((FIXTURES / "documents").glob("*")),
    ids=lambda p: p.name,
)
def test_every_test_document_fits_the_document_schema(path: Path) -> None:
    loaded = read_document(path)
    assert loaded.document is not None
    _typed, problems = ContractSchema.load("document").apply({"document": loaded.document})
    assert problems == []
    # every item has its position
    for key, items in loaded.document.items():
        if isinstance(items, list):
            for i in range(len(items)):
                assert ("document", key, i) in loaded.positions
