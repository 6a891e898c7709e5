"""CI integration: the pre-commit hook run by pre-commit itself, and the GitHub Action's shape."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_pre_commit_hook_blocks_a_bad_draft(tmp_path: Path) -> None:
    pytest.importorskip("pre_commit")
    if not (ROOT / ".git").exists():
        pytest.skip("the hook repository must be a git checkout")
    repo = tmp_path / "drafts-repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "ci@example.com")
    _git(repo, "config", "user.name", "CI")
    shutil.copytree(FIXTURES / "acme", repo / "rules/acme")
    (repo / "contract-checker.yaml").write_text("packs: [rules/acme]\n", encoding="utf-8")
    shutil.copy(FIXTURES / "contracts/bad.yaml", repo / "draft.yaml")
    _git(repo, "add", ".")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    cmd = [
        sys.executable,
        "-m",
        "pre_commit",
        "try-repo",
        str(ROOT),
        "contract-checker",
        "--files",
        "draft.yaml",
    ]
    r = subprocess.run(
        cmd, cwd=repo, capture_output=True, text=True, env=env, check=False, timeout=600
    )
    assert r.returncode == 1, r.stdout + r.stderr
    assert "acme/percent-100" in r.stdout
    assert "Installments add up to 90%, not 100%." in r.stdout
    shutil.copy(FIXTURES / "contracts/good.yaml", repo / "draft.yaml")
    _git(repo, "add", ".")
    r = subprocess.run(
        cmd, cwd=repo, capture_output=True, text=True, env=env, check=False, timeout=600
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_hook_definition() -> None:
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert hook["id"] == "contract-checker"
    assert hook["entry"] == "contract-checker check"
    assert hook["language"] == "python"
    assert set(hook["types_or"]) == {"yaml", "json"}


def test_action_runs_the_checker_and_uploads_sarif() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    names = [s.get("name", s.get("uses", "")) for s in steps]
    assert names[0].startswith("actions/setup-python")
    install = next(s for s in steps if s.get("name") == "Install contract-checker")
    assert '"${{ github.action_path }}"' in install["run"]
    check = next(s for s in steps if s.get("id") == "check")
    assert '--format sarif --output "$CC_SARIF"' in check["run"]
    assert "--format github" in check["run"]
    assert "GITHUB_STEP_SUMMARY" in check["run"]
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"
    assert steps[-1]["run"] == 'exit "${{ steps.check.outputs.exit-code }}"'
    for name, spec in action["inputs"].items():
        assert spec.get("description"), name
