"""Quality bars of document mode: placeholders on the scraped seeds, hostile documents."""

from __future__ import annotations

import io
import re
import time
import zipfile
from pathlib import Path

import pytest
from clirun import THIS_TREE, cli

from checker.api import load_pack
from checker.inputs.document.normalize import normalize
from checker.runner import check_file

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "tests" / "fixtures" / "seeds"
SEED_FILES = sorted(p.name for p in SEEDS.glob("*.txt"))


def _rows(name: str) -> list[list[str]]:
    lines = (SEEDS / name).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line and not line.startswith("#")]


@pytest.fixture(scope="module")
def seed_findings() -> dict[str, list[tuple[str, str, str]]]:
    """(rule, line:column, message) of every finding of the document pack on each seed."""
    pack = load_pack("document")
    return {
        name: [
            (f.rule, f"{f.line}:{f.column}", f.message)
            for f in check_file(SEEDS / name, [pack]).findings
        ]
        for name in SEED_FILES
    }


def _placeholders(found: list[tuple[str, str, str]]) -> dict[str, str]:
    """line:column → the placeholder text a placeholder-left finding names."""
    out = {}
    for rule, pos, message in found:
        if rule == "placeholder-left":
            m = re.match(r'Placeholder "(.*?)" left to fill', message)
            assert m is not None, message
            out[pos] = m[1]
    return out


def test_placeholder_left_reports_at_least_75_of_the_77_tokens_of_the_seeds(
    seed_findings: dict[str, list[tuple[str, str, str]]],
) -> None:
    expected = _rows("expected-blanks.tsv")
    assert len(expected) == 77
    found = {name: _placeholders(seed_findings[name]) for name in SEED_FILES}
    hits = [(f, pos) for f, pos, token in expected if found[f].get(pos) == normalize(token).text]
    missed = [row for row in expected if (row[0], row[1]) not in set(hits)]
    assert len(hits) >= 75, missed


def test_every_other_placeholder_finding_on_the_seeds_is_reviewed(
    seed_findings: dict[str, list[tuple[str, str, str]]],
) -> None:
    """Each is a form label with no value (名称： then the next label): reviewed as right."""
    expected = {(f, pos) for f, pos, _ in _rows("expected-blanks.tsv")}
    others = sorted(
        (name, pos, text)
        for name in SEED_FILES
        for pos, text in _placeholders(seed_findings[name]).items()
        if (name, pos) not in expected
    )
    assert others == sorted((f, pos, text) for f, pos, _, text in _rows("other-blanks.tsv"))


def test_the_other_rules_findings_on_the_seeds_are_reviewed(
    seed_findings: dict[str, list[tuple[str, str, str]]],
) -> None:
    others = [
        (name, rule, pos)
        for name in SEED_FILES
        for rule, pos, _ in seed_findings[name]
        if rule != "placeholder-left"
    ]
    assert others == [
        # the scraped page repeats the contract: its numbering starts again at 一、
        ("001_51deeada2adcd9e9.txt", "clause-numbering", "96:1"),
        # 1.2 follows 一、服务内容's (1)…(7) with no 1.1: the source's own slip
        ("002_41a70e96b16da91b.txt", "clause-numbering", "16:465"),
        # the 附件列表 lists five attachments the text never refers to
        ("002_41a70e96b16da91b.txt", "attachments-consistent", "16:3646"),
    ]


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<w:document>" + b" " * (60 << 20) + b"</w:document>")
    return out.getvalue()


HOSTILE = {
    "not-a-zip.docx": (lambda: b"this is no zip at all", "not a zip archive"),
    "zip-bomb.docx": (_zip_bomb, "possible zip bomb"),
    "fifty-mb.txt": (lambda: b"a" * (50 << 20), "larger than 10 MB"),
    "binary.txt": (lambda: bytes(range(256)) * 64, "binary"),
    "million-character-line.txt": (
        lambda: "服务合同\n".encode() + b"x" * 1_000_000 + b"\n",
        'Placeholder "xxxxxxxxxx',
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_document_is_one_clear_finding_in_bounded_time(tmp_path: Path, name: str) -> None:
    make, message = HOSTILE[name]
    (tmp_path / name).write_bytes(make())
    started = time.monotonic()
    r = cli(
        "check",
        "--no-config",
        name,
        "--format",
        "text",
        cwd=tmp_path,
        env=THIS_TREE | {"NO_COLOR": "1"},
        timeout=120,
    )
    elapsed = time.monotonic() - started
    assert r.returncode == 1, r.stderr  # PRODUCT.md: a finding at or above error
    assert "Traceback" not in r.stderr + r.stdout
    assert "✖ 1 finding (1 error" in r.stdout
    assert message in r.stdout
    assert len(r.stdout) < 2_000  # the million-character line is shown as a window
    assert elapsed < 60, elapsed
