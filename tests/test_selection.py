"""What `check` reads: git-ignored files, the tool's own files, non-contracts, symlinks, FIFOs."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import clirun
import pytest
import yaml

from checker.packs.scaffold import FILES
from checker.selection import default_selected

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
HAS_GIT = shutil.which("git") is not None
ACME = "packs: [rules/acme]\n"


def cli(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return clirun.cli(*args, cwd=cwd, env=env, timeout=120)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def files_of(r: subprocess.CompletedProcess[str]) -> set[str]:
    return {f["file"] for f in json.loads(r.stdout)["findings"]}


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A folder with the acme pack, its configuration and one bad draft (no git yet)."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "acme", root / "rules/acme")
    write(root / "contract-checker.yaml", ACME)
    (root / "drafts").mkdir()
    shutil.copy(FIXTURES / "contracts/bad.yaml", root / "drafts/bad.yaml")
    return root


@pytest.mark.skipif(not HAS_GIT, reason="git is not installed")
def test_after_init_a_folder_scan_checks_only_the_drafts(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    assert cli(tmp_path, "init").returncode == 0
    # The scaffold's own test case holds a contract: use it as the draft.
    case = yaml.safe_load(FILES["rules/my-pack/tests/short-confidentiality.yaml"])
    write(tmp_path / "drafts/a.yaml", yaml.safe_dump(case["contract"], allow_unicode=True))
    for ignored in ("build/x.yaml", "out/x.yaml", "local.yaml"):
        write(tmp_path / ignored, "term: 1年\n")
    write(tmp_path / ".gitignore", "out/\n")
    write(tmp_path / ".git/info/exclude", "local.yaml\n")
    write(tmp_path / "node_modules/pkg/package.json", '{"name": "pkg"}\n')
    write(tmp_path / "docker-compose.yaml", "services: {web: {image: nginx}}\n")
    write(tmp_path / ".github/workflows/ci.yml", "on: push\njobs: {}\n")
    write(tmp_path / "notes.yaml", "todo: [call the client]\n")
    write(tmp_path / "report.json", '{"version": 1, "findings": []}\n')
    r = cli(tmp_path, "check", ".", "--format", "json")
    assert files_of(r) == {"drafts/a.yaml"}, r.stdout
    summary = json.loads(r.stdout)["summary"]
    assert (summary["files"], summary["skipped"]) == (1, 2)  # notes.yaml, report.json
    assert r.stderr == ""  # nothing named on the command line was left out
    r = cli(tmp_path, "check", ".", "-v")
    assert r.stdout.rstrip().endswith("; 2 files skipped: not contracts"), r.stdout
    assert sorted(r.stderr.splitlines()) == [
        "contract-checker: skipped notes.yaml: not a contract (no top-level field of the "
        "contract schema)",
        "contract-checker: skipped report.json: not a contract (no top-level field of the "
        "contract schema)",
        "contract-checker: skipped rules/my-pack/pack.yaml: a rule pack",
        "contract-checker: skipped rules/my-pack/tests/long-confidentiality.yaml: a rule-pack test",
        "contract-checker: skipped rules/my-pack/tests/short-confidentiality.yaml: a rule-pack "
        "test",
    ]
    # A file named on the command line is checked even when git ignores it.
    r = cli(tmp_path, "check", "out/x.yaml", "local.yaml", "--format", "json")
    assert files_of(r) == {"out/x.yaml", "local.yaml"}
    # An ignored folder named on the command line: its files were asked for.
    assert files_of(cli(tmp_path, "check", "out", "--format", "json")) == {"out/x.yaml"}


@pytest.mark.skipif(not HAS_GIT, reason="git is not installed")
def test_global_git_excludes_are_respected(repo: Path, tmp_path: Path) -> None:
    git(repo, "init", "-q")
    write(repo / "drafts/scratch.yaml", "term: 1年\n")
    excludes = write(tmp_path / "global-ignore", "scratch.yaml\n")
    gitconfig = write(tmp_path / "gitconfig", f"[core]\n\texcludesFile = {excludes}\n")
    r = cli(repo, "check", ".", "--format", "json", env={"GIT_CONFIG_GLOBAL": str(gitconfig)})
    assert files_of(r) == {"drafts/bad.yaml"}


def test_without_git_nothing_is_ignored_but_the_defaults(repo: Path) -> None:
    write(repo / ".gitignore", "out/\n")
    write(repo / "out/x.yaml", "term: 1年\n")
    write(repo / "build/x.yaml", "term: 1年\n")  # a tool folder: never scanned
    r = cli(repo, "check", ".", "--format", "json", env={"PATH": ""})  # no git to run
    assert files_of(r) == {"drafts/bad.yaml", "out/x.yaml"}


def test_pack_files_by_content_and_named_files_are_not_contracts(repo: Path) -> None:
    pack = (FIXTURES / "acme/pack.yaml").read_text("utf-8")
    write(repo / "other/pack.yaml", pack.replace("pack: acme", "pack: other"))
    write(repo / "other/tests/case.yaml", "description: x\ncontract: {term: 1年}\n")
    r = cli(repo, "check", ".", "--format", "json", "-v")
    assert files_of(r) == {"drafts/bad.yaml"}
    assert "skipped rules/acme/schema.json: a contract schema of a pack" in r.stderr
    assert "skipped other/pack.yaml: a rule pack, not a contract" in r.stderr
    assert "skipped other/tests/case.yaml: a rule-pack test" in r.stderr


def test_files_named_that_are_not_contracts_are_listed_and_the_run_passes(repo: Path) -> None:
    write(repo / "notes.yaml", "todo: [call the client]\n")
    r = cli(repo, "check", "notes.yaml", "contract-checker.yaml")
    assert r.returncode == 0, r.stdout
    assert r.stderr.splitlines() == [
        "contract-checker: skipped contract-checker.yaml: the tool's configuration",
        "contract-checker: skipped notes.yaml: not a contract (no top-level field of the "
        "contract schema)",
        "contract-checker: no contract files found in notes.yaml, contract-checker.yaml",
    ]


def test_no_file_selected_says_so_and_passes_a_missing_path_fails(repo: Path) -> None:
    (repo / "empty").mkdir()
    r = cli(repo, "check", "empty")
    assert (r.returncode, r.stderr) == (0, "contract-checker: no contract files found in empty\n")
    assert "no findings in 0 files" in r.stdout
    r = cli(repo, "check", "empty", "nope")
    assert (r.returncode, r.stderr) == (2, "contract-checker: nope: no such file or directory\n")


def test_symlinks_out_of_the_tree_are_not_followed(repo: Path, tmp_path: Path) -> None:
    secret = write(tmp_path / "elsewhere/secret.yaml", "term: TOP-SECRET\n")
    (repo / "drafts/passwd.yaml").symlink_to("/etc/passwd")
    (repo / "drafts/secret.yaml").symlink_to(secret)
    (repo / "drafts/inside.yaml").symlink_to(repo / "drafts/bad.yaml")
    for args in (["drafts"], ["drafts/secret.yaml", "drafts/passwd.yaml"]):
        r = cli(repo, "check", *args, "--format", "json")
        found = json.loads(r.stdout)["findings"]
        links = sorted(
            (f["file"], f["rule"], f["severity"])
            for f in found
            if f["file"] not in ("drafts/inside.yaml", "drafts/bad.yaml")
        )
        assert links == [
            ("drafts/passwd.yaml", "symlink-outside-tree", "error"),
            ("drafts/secret.yaml", "symlink-outside-tree", "error"),
        ], args
        assert "TOP-SECRET" not in r.stdout and "root:" not in r.stdout
        assert r.returncode == 1
    message = next(f["message"] for f in found if f["file"] == "drafts/secret.yaml")
    assert (
        message == f"symbolic link to {secret.resolve()}, outside the checked folder: not followed"
    )
    r = cli(repo, "check", "drafts", "--format", "json")
    assert {"drafts/inside.yaml", "drafts/bad.yaml"} <= files_of(r)  # a link inside is read
    text = cli(repo, "check", "drafts/secret.yaml").stdout
    assert "TOP-SECRET" not in text and "contract-checker/symlink-outside-tree" in text


def test_exclude_matches_where_a_link_is_not_where_it_points(repo: Path) -> None:
    write(repo / "archive/old.yaml", "term: 1年\n")
    (repo / "drafts/link.yaml").symlink_to("../archive/old.yaml")
    write(repo / "contract-checker.yaml", ACME + "exclude: [drafts/link.yaml]\n")
    assert files_of(cli(repo, "check", ".", "--format", "json")) == {
        "archive/old.yaml",
        "drafts/bad.yaml",
    }
    write(repo / "contract-checker.yaml", ACME + "exclude: [archive/**]\n")
    assert files_of(cli(repo, "check", ".", "--format", "json")) == {
        "drafts/bad.yaml",
        "drafts/link.yaml",
    }


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_named_like_a_contract_does_not_hang_the_run(repo: Path) -> None:
    os.mkfifo(repo / "drafts/pipe.yaml")
    for target in ("drafts", "drafts/pipe.yaml"):
        r = cli(repo, "check", target, "--format", "json")  # the timeout fails a hang
        [pipe] = [f for f in json.loads(r.stdout)["findings"] if f["file"] == "drafts/pipe.yaml"]
        assert (pipe["rule"], pipe["message"]) == (
            "unreadable-contract",
            "cannot read the contract: the file cannot be read: it is a named pipe (FIFO), "
            "not a regular file",
        )


@pytest.mark.parametrize(
    ("path", "selected"),
    [
        ("drafts/acme.yaml", True),
        ("a.yml", True),
        ("deep/er/b.json", True),
        ("mybuild/a.yaml", True),
        ("docker-compose.yaml", False),
        ("deploy/docker-compose.prod.yml", False),
        ("compose.yaml", False),
        (".github/workflows/ci.yml", False),
        (".pre-commit-config.yaml", False),
        ("x/.hidden.yaml", False),
        ("node_modules/pkg/x.yaml", False),
        ("build/a.yaml", False),
        ("dist/a.json", False),
        ("package.json", False),
        ("web/tsconfig.base.json", False),
        ("contract-checker.yaml", False),
        ("sub/contract-checker.yml", False),
        ("README.md", False),
    ],
)
def test_the_pre_commit_hook_selects_what_a_folder_scan_selects(path: str, selected: bool) -> None:
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert default_selected(path) is selected
    assert (re.search(hook["files"], path) is not None) is selected


def test_candidates_come_one_at_a_time(tmp_path: Path) -> None:
    """A folder's files are listed as they are taken, not as a list of path objects."""
    from checker.selection import candidates

    for i in range(3):
        (tmp_path / f"c{i}.yaml").write_text("a: 1\n", encoding="utf-8")
    found, missing = candidates([tmp_path, tmp_path / "nope.yaml"])
    assert missing == [(tmp_path / "nope.yaml", "no such file or directory")]
    assert next(found).path == tmp_path / "c0.yaml"
    assert [c.path.name for c in found] == ["c1.yaml", "c2.yaml"]


def test_each_folder_is_resolved_once_for_the_tool_s_own_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether a file is one of the tool's own (a pack, its tests) is asked of every file:
    its folder is resolved once, not for each of its files; the answers stay the same."""
    from checker.selection import OwnFiles

    real = tmp_path / "real"
    (real / "tests").mkdir(parents=True)
    (real / "pack.yaml").write_text("pack: p\nrules: []\n", encoding="utf-8")
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    own = OwnFiles({real / "pack.yaml": "a rule pack"})
    resolved: list[Path] = []
    resolve = Path.resolve

    def counting(self: Path, strict: bool = False) -> Path:
        resolved.append(self)
        return resolve(self, strict)

    monkeypatch.setattr(Path, "resolve", counting)
    link = tmp_path / "link"
    assert own.reason(link / "pack.yaml") == "a rule pack"  # where the folder really is
    assert [own.reason(link / f"c{i}.yaml") for i in range(3)] == [None] * 3
    assert own.reason(link / "tests" / "case.yaml") == "a rule-pack test"
    assert own.reason(link / "contract-checker.yaml") == "the tool's configuration"
    assert resolved == [link, link / "tests"]
