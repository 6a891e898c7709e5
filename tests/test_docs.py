"""The documentation cannot rot: pack pages are what `docs` generates, the format reference's
worked examples load and pass, and nothing points outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from clirun import THIS_TREE, cli

from checker import load_pack
from checker.packs.pack import builtin_packs
from checker.packs.packdoc import render
from checker.packs.packschema import PACK_SCHEMA, PACK_TEST_SCHEMA

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


FORMAT = ROOT / "docs" / "pack-format.md"
BLOCK = re.compile(r"<!-- file: (\S+) -->\n```yaml\n(.*?)```", re.S)


def worked_example(folder: Path) -> dict[str, str]:
    """The files of docs/pack-format.md's worked example, written into `folder`."""
    files = dict(BLOCK.findall(FORMAT.read_text("utf-8")))
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return files


def test_the_format_reference_names_every_key_of_both_schemas() -> None:
    text = FORMAT.read_text("utf-8")
    keys = [
        *PACK_SCHEMA["properties"],
        *PACK_SCHEMA["$defs"]["rule"]["properties"],
        *PACK_SCHEMA["properties"]["params"]["additionalProperties"]["properties"],
        *PACK_TEST_SCHEMA["properties"],
        *PACK_TEST_SCHEMA["properties"]["expect"]["properties"],
    ]
    assert [k for k in keys if f"`{k}`" not in text] == []


def test_the_worked_example_uses_every_pack_key_and_its_tests_pass(tmp_path: Path) -> None:
    import yaml

    files = worked_example(tmp_path / "acme-services")
    assert sorted(files) == [
        "pack.yaml",
        "tests/short-confidentiality.yaml",
        "tests/template.yaml",
    ]
    pack = yaml.safe_load(files["pack.yaml"])
    rule_keys = {k for rule in pack["rules"] for k in rule}
    assert set(PACK_SCHEMA["properties"]) <= set(pack)
    assert set(PACK_SCHEMA["$defs"]["rule"]["properties"]) <= rule_keys
    r = cli("test", "acme-services", cwd=tmp_path, env=THIS_TREE)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stderr == ""  # no load warning either
    assert r.stdout.splitlines()[0] == "acme-services (2 cases) .."


def test_every_install_instruction_installs_this_project() -> None:
    """PyPI's `contract-checker` is another project: no `pip install` in the docs names it;
    installing this one names its distribution (with extras), or a checkout."""
    import tomllib

    name = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["name"]
    assert name == "contract-compliance-checker"
    pages = [ROOT / "README.md", ROOT / "action.yml", *sorted((ROOT / "docs").rglob("*.md"))]
    ours = 0
    for page in pages:
        for line in page.read_text("utf-8").splitlines():
            m = re.search(r"pip install\s+(.*)", line)
            if m is None:
                continue
            targets = [w.strip("'\"`") for w in m.group(1).split() if not w.startswith("-")]
            assert not any(re.fullmatch(r"contract-checker(\[.*\])?", w) for w in targets), (
                f"{page.name}: {line.strip()}"
            )
            ours += any(w.startswith(name) for w in targets)
    assert ours >= 3  # docs/ci.md (by hand, GitLab), docs/editors.md, …


def test_the_readme_counts_the_built_in_rules() -> None:
    packs = [load_pack(name) for name in builtin_packs()]
    rules = {(r.pack, r.id) for p in packs for r in p.rules}
    readme = (ROOT / "README.md").read_text("utf-8")
    assert f", {len(rules)} rules grounded in PRC" in readme
