"""Document mode end to end: drafts read by `check`, rules typed and skipped by what a file is."""

from __future__ import annotations

import subprocess
from pathlib import Path

import clirun
import pytest
from clirun import THIS_TREE

from checker.api import PackError, load_pack
from checker.runner import NO_FRONT_MATTER, NOT_A_DOCUMENT, check_file

ROOT = Path(__file__).resolve().parent.parent

PACK = """\
pack: t
schema: service-contract
rules:
  - id: no-blanks
    severity: error
    severity_if:
      info: document.is_template
    each: b in document.blanks
    assert: "false"
    at: b
    message: 'blank {b.text}'
  - id: has-title
    assert: not blank(meta.title)
  - id: kind-known
    assert: meta.kind != "other"
"""

FRONT = """\
---
meta:
  title: 服务合同
  kind: other   # contract-checker: disable=kind-known -- a mixed service

  is_template: false
parties:
  - {label: 甲方, role: client, name: 甲方公司}
  - {label: 乙方, role: vendor, name: 乙方公司}
---
# 服务合同

第一条 服务

乙方在[行业名称]领域提供服务。
"""


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return clirun.cli(*args, cwd=cwd, env=THIS_TREE)


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    path = tmp_path / "t" / "pack.yaml"
    path.parent.mkdir()
    path.write_text(PACK, encoding="utf-8")
    return path


def _load_error(tmp_path: Path, rule: str) -> str:
    """What loading a service-contract pack of this one rule (YAML under `rules:`) reports."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"pack: bad\nschema: service-contract\nrules:\n{rule}", encoding="utf-8")
    with pytest.raises(PackError) as err:
        load_pack(bad)
    return err.value.render()


def _outcomes(result: object) -> dict[str, str]:
    return {rule: o for (_, rule), o in result.outcomes.items()}  # type: ignore[attr-defined]


def test_document_paths_are_typed_in_a_pack_of_the_contract_schema(tmp_path: Path) -> None:
    error = _load_error(tmp_path, "  - id: r\n    assert: count(document.blankz) == 0\n")
    assert "unknown field `blankz` in `document`" in error


def test_a_yaml_contract_skips_document_rules_as_not_a_document(pack: Path) -> None:
    contract = ROOT / "examples" / "c1-customer-acquisition.yaml"
    result = check_file(contract, [load_pack(pack)])
    assert _outcomes(result) == {"no-blanks": "skip", "has-title": "pass", "kind-known": "pass"}
    assert result.skip_reasons == {("t", "no-blanks"): NOT_A_DOCUMENT}
    assert result.findings == []


def test_front_matter_is_contract_data_and_the_body_is_the_document(
    pack: Path, tmp_path: Path
) -> None:
    draft = tmp_path / "draft.md"
    draft.write_text(FRONT, encoding="utf-8")
    result = check_file(draft, [load_pack(pack)])
    found = [(f.rule, f.line, f.column, f.message) for f in result.findings]
    # the body's blank at its line; the front matter's finding waived by its comment
    assert found == [
        ("kind-known", 4, 9, 'kind-known: `meta.kind != "other"` is false — meta.kind was "other"'),
        ("no-blanks", 15, 4, "blank [行业名称]"),
    ]
    assert result.findings[0].suppression is not None
    assert result.findings[0].suppression.kind == "inline"
    assert _outcomes(result) == {"no-blanks": "fail", "has-title": "pass", "kind-known": "fail"}


def test_a_document_without_front_matter_skips_contract_rules_not_missing(
    pack: Path, tmp_path: Path
) -> None:
    draft = tmp_path / "draft.txt"
    draft.write_text("服务合同\n第一条 服务\n甲方名称：____\n", encoding="utf-8")
    result = check_file(draft, [load_pack(pack)])
    assert _outcomes(result) == {"no-blanks": "fail", "has-title": "skip", "kind-known": "skip"}
    assert result.skip_reasons == {
        ("t", "has-title"): NO_FRONT_MATTER,
        ("t", "kind-known"): NO_FRONT_MATTER,
    }
    assert [(f.rule, f.line, f.column) for f in result.findings] == [("no-blanks", 3, 6)]


def test_a_template_by_front_matter_or_configuration_reports_blanks_as_info(
    pack: Path, tmp_path: Path
) -> None:
    draft = tmp_path / "draft.md"
    draft.write_text(FRONT.replace("is_template: false", "is_template: true"), encoding="utf-8")
    result = check_file(draft, [load_pack(pack)])
    assert [f.severity for f in result.findings if f.rule == "no-blanks"] == ["info"]
    assert [f.severity for f in result.findings if f.rule == "kind-known"] == ["error"]
    plain = tmp_path / "t.txt"
    plain.write_text("服务合同\n乙方在[行业名称]领域提供服务。\n", encoding="utf-8")
    assert [f.severity for f in check_file(plain, [load_pack(pack)]).findings] == ["error"]
    templated = check_file(plain, [load_pack(pack)], template=True)
    assert [f.severity for f in templated.findings] == ["info"]


def test_severity_if_must_be_a_bool(tmp_path: Path) -> None:
    error = _load_error(
        tmp_path, "  - id: r\n    assert: 'true'\n    severity_if: {info: document.title}\n"
    )
    assert "`severity_if.info` must be a bool, found string" in error


def test_front_matter_problems_are_the_loaders_findings(pack: Path, tmp_path: Path) -> None:
    draft = tmp_path / "draft.md"
    draft.write_text(
        FRONT.replace("  is_template: false\n", "  is_template: false\n  is_template: false\n"),
        encoding="utf-8",
    )
    result = check_file(draft, [load_pack(pack)])
    dup = [(f.rule, f.line, f.column) for f in result.findings if f.pack == "contract-checker"]
    assert dup == [("duplicate-key", 7, 3)]
    assert "kind-known" in {f.rule for f in result.findings}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bin.txt", b"\x00\x01\x02binary", "binary"),
        ("not-a-zip.docx", b"this is no zip", "not a .docx"),
    ],
)
def test_an_unreadable_document_is_one_finding(
    pack: Path, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    draft = tmp_path / name
    draft.write_bytes(content)
    result = check_file(draft, [load_pack(pack)])
    assert [f.rule for f in result.findings] == ["unreadable-contract"]
    assert message in result.findings[0].message


def test_folders_read_documents_only_when_told(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# Our contracts\n\nSee [X] for details.\n", "utf-8")
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / "a.md").write_text("# 服务合同\n\n价款为____元。\n", "utf-8")
    (tmp_path / "notes.txt").write_text("服务合同\n待定\n", "utf-8")
    r = cli("check", "--no-config", "--pack", "document", str(tmp_path))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no contract files found" in r.stderr
    r = cli("check", "--no-config", "--pack", "document", "--documents", str(tmp_path))
    assert r.returncode == 1
    assert "drafts/a.md" in r.stdout and "notes.txt" in r.stdout and "README" not in r.stdout
    (tmp_path / "contract-checker.yaml").write_text(
        "packs: [document]\ndocuments: [drafts/**]\n", "utf-8"
    )
    r = cli("check", ".", cwd=tmp_path)
    assert r.returncode == 1
    assert "drafts/a.md" in r.stdout and "notes.txt" not in r.stdout
    # a file named is always read in the mode its extension says
    r = cli("check", "README.md", cwd=tmp_path)
    assert "README.md" in r.stdout and "placeholder-left" in r.stdout


def test_the_default_packs_include_the_document_pack_for_documents_only(tmp_path: Path) -> None:
    draft = tmp_path / "a.txt"
    draft.write_text("服务合同\n第一条 服务\n第三条 费用\n", "utf-8")
    r = cli("check", "--no-config", str(draft), "--format", "json")
    assert '"rule": "clause-numbering"' in r.stdout and '"outcome": "missing"' not in r.stdout
    r = cli("check", "--no-config", str(ROOT / "examples" / "c1-customer-acquisition.yaml"), "-q")
    assert r.returncode == 0 and r.stdout == ""


def test_a_pack_test_may_read_a_document(pack: Path) -> None:
    fixtures = pack.parent / "tests" / "fixtures"
    fixtures.mkdir(parents=True)
    (fixtures / "d.md").write_text(FRONT, encoding="utf-8")
    (pack.parent / "tests" / "d.yaml").write_text(
        "file: fixtures/d.md\nexpect:\n  fail:\n    - {rule: no-blanks, line: 15}\n"
        "    - {rule: kind-known, line: 4}\n  pass: [has-title]\n",
        encoding="utf-8",
    )
    (fixtures / "y.yaml").write_text(
        (ROOT / "examples" / "c1-customer-acquisition.yaml").read_text("utf-8"), "utf-8"
    )
    (pack.parent / "tests" / "y.yaml").write_text(
        "file: fixtures/y.yaml\nexpect:\n  skip: [no-blanks]\n  pass: [has-title, kind-known]\n",
        encoding="utf-8",
    )
    r = cli("test", str(pack))
    assert r.returncode == 0, r.stdout
    assert "2 passed, 0 failed" in r.stdout


@pytest.mark.parametrize(
    ("text", "rule", "line", "words"),
    [
        (
            "---\nmeta: {title: x\n---\n乙方在[X]领域提供服务。\n",
            "unreadable-contract",
            3,
            "front matter",
        ),
        ("---\nmeta: x\n乙方在[X]领域提供服务。\n", "unreadable-contract", 1, "never closed"),
        ("---\ndocument: x\n---\n乙方在[X]领域提供服务。\n", "contract-schema", 2, "reserved"),
    ],
)
def test_front_matter_problems_are_tool_findings_and_the_body_is_still_checked(
    pack: Path, tmp_path: Path, text: str, rule: str, line: int, words: str
) -> None:
    draft = tmp_path / "draft.md"
    draft.write_text(text, encoding="utf-8")
    result = check_file(draft, [load_pack(pack)])
    tool = [(f.rule, f.line) for f in result.findings if f.pack == "contract-checker"]
    assert tool == [(rule, line)]
    assert words in next(f.message for f in result.findings if f.rule == rule)
    assert "no-blanks" in {f.rule for f in result.findings}


def test_a_draft_on_standard_input_is_read_by_its_name() -> None:
    text = (ROOT / "examples" / "documents" / "defects" / "d-placeholder-left.md").read_bytes()
    r = clirun.cli_bytes(
        "check",
        "--no-config",
        "-",
        "--stdin-filename",
        "draft.md",
        "--format",
        "json",
        input=text,
        env=THIS_TREE,
    )
    assert r.returncode == 1
    assert b'"file": "draft.md"' in r.stdout and b'"line": 30' in r.stdout


def test_documents_true_reads_every_document_but_a_projects_own(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# Notes\n\n[X]\n", "utf-8")
    (tmp_path / "CHANGELOG.md").write_text("# 1.0\n\n[X]\n", "utf-8")
    (tmp_path / "a.docx").write_bytes(
        (ROOT / "examples" / "documents" / "defects" / "d-placeholder-left.docx").read_bytes()
    )
    (tmp_path / "contract-checker.yaml").write_text("documents: true\n", "utf-8")
    r = cli("check", ".", "--format", "json", cwd=tmp_path)
    assert r.returncode == 1
    assert '"file": "a.docx"' in r.stdout and "README" not in r.stdout
    assert "CHANGELOG" not in r.stdout


def test_eval_and_explain_read_a_document_as_check_does() -> None:
    defect = "examples/documents/defects/d-placeholder-left"
    r = cli("eval", "document.blanks[0].text", f"{defect}.docx", "--schema", "service-contract")
    assert (r.returncode, r.stdout) == (0, '"[X]"\n')
    r = cli("explain", "placeholder-left", f"{defect}.md", "--no-config")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[1] == "outcome: fail"
