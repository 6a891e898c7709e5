"""The documentation cannot rot: pack pages are what `docs` generates, the format reference's
worked examples load and pass, and nothing points outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from checker import load_pack
from checker.pack import builtin_packs
from checker.packdoc import render

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", sorted(builtin_packs()))
def test_pack_pages_are_what_docs_generates(name: str) -> None:
    page = ROOT / "docs" / "packs" / f"{name}.md"
    assert page.read_text("utf-8") == render(load_pack(name)), (
        f"regenerate it: contract-checker docs {name} -o docs/packs/{name}.md"
    )


def test_pack_page_states_the_packs_version_and_rule_count() -> None:
    pack = load_pack("prc-service-contract")
    text = (ROOT / "docs" / "packs" / "prc-service-contract.md").read_text("utf-8")
    assert text.startswith(f"# {pack.title} (`prc-service-contract` {pack.version})\n")
    own = sum(r.pack == pack.id for r in pack.rules)
    assert f"\n{len(pack.rules)} rules ({own} of its own, the others from `drafting`)." in text


# Paths into the workspace around the repository (its seeds, research notes, benchmark
# harness, schemas) mean nothing to a reader of the repository alone.
OUTSIDE = re.compile(r"\.\./(\.\./)*shared/|\bshared/(seeds|domain|bench|schemas|spec)\b")
FOLDERS = ("checker", "rules", "docs", "tests", "examples", "bench")


def test_nothing_points_outside_the_repository() -> None:
    found = []
    files = [ROOT / "README.md"]
    for folder in FOLDERS:
        files += [p for p in (ROOT / folder).rglob("*") if p.is_file()]
    for path in files:
        if path.suffix in (".pyc",) or path == Path(__file__):
            continue
        try:
            text = path.read_text("utf-8")
        except UnicodeDecodeError:
            continue
        for n, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert found == []
