"""CI integration: the pre-commit hook run by pre-commit itself, the GitHub Action's shape,
and the exact command lines of action.yml and docs/ci.md run with their reports validated."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from checker.packs.packschema import FINDINGS_SCHEMA

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ANNOTATION = re.compile(r"^::(error|warning|notice) ")


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
    assert '--format "sarif:$CC_SARIF"' in check["run"]
    assert "--format github" in check["run"]
    assert "--output" not in check["run"]
    assert "GITHUB_STEP_SUMMARY" in check["run"]
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"
    assert steps[-1]["run"] == 'exit "${{ steps.check.outputs.exit-code }}"'
    for name, spec in action["inputs"].items():
        assert spec.get("description"), name


# -- the documented command lines, run as written ---------------------------------------


def _shim(tmp: Path) -> dict[str, str]:
    """An environment where `contract-checker` is this checkout's command line."""
    folder = tmp / "bin"
    folder.mkdir()
    shim = folder / "contract-checker"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m checker "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    path = os.pathsep.join([str(folder), os.environ.get("PATH", "")])
    python_path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PATH": path, "PYTHONPATH": python_path}
    env.pop("NO_COLOR", None)
    env.pop("FORCE_COLOR", None)
    return env


def _workspace(tmp: Path) -> Path:
    """A folder where `drafts/` (the documentation's folder of contracts) is examples/."""
    work = tmp / "work"
    work.mkdir()
    (work / "drafts").symlink_to(ROOT / "examples", target_is_directory=True)
    return work


def _validate(fmt: str, text: str, sarif_schema: dict[str, Any]) -> None:
    """A report is what its format promises."""
    assert text.strip(), fmt
    if fmt == "sarif":
        jsonschema.Draft4Validator(sarif_schema).validate(json.loads(text))
    elif fmt == "json":
        jsonschema.Draft202012Validator(FINDINGS_SCHEMA).validate(json.loads(text))
    elif fmt == "junit":
        assert ET.fromstring(text).tag == "testsuites"
    elif fmt == "github":
        *annotations, summary = text.splitlines()
        assert annotations and all(ANNOTATION.match(line) for line in annotations), text[:500]
        assert summary.startswith("contract-checker: "), summary
    elif fmt == "markdown":
        assert text.lstrip().startswith("#"), text[:200]


def _destinations(args: list[str]) -> dict[str | None, str]:
    """Where each format of a `check` command line goes (None: standard output)."""
    out: dict[str | None, str] = {}
    formats = [args[i + 1] for i, a in enumerate(args) if a == "--format"]
    output = next((args[i + 1] for i, a in enumerate(args) if a in ("--output", "-o")), None)
    for spec in formats or ["text"]:
        fmt, _, path = spec.partition(":")
        out[path or output] = fmt
    if "--write-baseline" in args:
        out[args[args.index("--write-baseline") + 1]] = "json"
    return out


@pytest.mark.skipif(shutil.which("bash") is None, reason="the action's step is a bash script")
def test_the_action_check_step_runs_as_written(
    tmp_path: Path, sarif_schema: dict[str, Any]
) -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "check")
    script = step["run"]
    assert "${{" not in script  # inputs reach the script only through its env
    work = _workspace(tmp_path)
    (tmp_path / "runner-temp").mkdir()
    env = _shim(tmp_path) | {
        "CC_PATHS": "drafts/",
        "CC_PACKS": "prc-service-contract pipl-customer-data",
        "CC_ARGS": "--today 2025-06-01",
        "CC_SARIF": str(tmp_path / "out dir" / "cc.sarif"),
        "CC_CONFIG": "",
        "RUNNER_TEMP": str(tmp_path / "runner-temp"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_OUTPUT": str(tmp_path / "github-output"),
    }
    assert set(step["env"]) <= set(env)
    r = subprocess.run(
        ["bash", "-e", "-c", script], cwd=work, env=env, capture_output=True, text=True, check=False
    )
    assert (r.returncode, r.stderr) == (0, ""), r.stderr
    assert (tmp_path / "github-output").read_text("utf-8") == "exit-code=1\n"
    _validate("github", r.stdout, sarif_schema)
    assert "file=drafts/defects/d01-percentages-sum-to-90.yaml" in r.stdout
    sarif = (tmp_path / "out dir" / "cc.sarif").read_text("utf-8")
    _validate("sarif", sarif, sarif_schema)
    markdown = (tmp_path / "runner-temp" / "contract-checker.md").read_text("utf-8")
    _validate("markdown", markdown, sarif_schema)
    assert (tmp_path / "summary.md").read_text("utf-8") == markdown


def _doc_commands(text: str) -> Iterator[str]:
    """Every `contract-checker check …` command of the code blocks of a Markdown page:
    shell lines (with their continuations) and the strings of YAML workflows."""
    for lang, body in re.findall(r"^```(\w*)\n(.*?)^```", text, re.S | re.M):
        if lang == "yaml":
            yield from (s for s in _strings(yaml.safe_load(body)) if "contract-checker check" in s)
        else:
            for line in body.replace("\\\n", " ").splitlines():
                if line.lstrip().startswith("contract-checker check"):
                    yield line


def _strings(doc: Any) -> Iterator[str]:
    if isinstance(doc, str):
        yield doc
    elif isinstance(doc, dict):
        for v in doc.values():
            yield from _strings(v)
    elif isinstance(doc, list):
        for v in doc:
            yield from _strings(v)


def test_every_check_command_of_docs_ci_md_runs_as_written(
    tmp_path: Path, sarif_schema: dict[str, Any]
) -> None:
    text = (ROOT / "docs/ci.md").read_text("utf-8")
    commands = list(_doc_commands(text))
    # Each documented command line was found (a new example is run too).
    in_blocks = "".join(re.findall(r"^```\w*\n(.*?)^```", text, re.S | re.M))
    found = len(re.findall(r"(?<!`)contract-checker check", in_blocks))  # not in a comment
    assert len(commands) == found == 5, commands
    work = _workspace(tmp_path)
    env = _shim(tmp_path)
    codes = []
    for command in commands:  # in the page's order: the baseline is written, then used
        args = shlex.split(command, comments=True)
        assert args[:2] == ["contract-checker", "check"], command
        r = subprocess.run(args, cwd=work, env=env, capture_output=True, text=True, check=False)
        assert r.stderr == "", (command, r.stderr)
        codes.append(r.returncode)
        for path, fmt in _destinations(args[2:]).items():
            _validate(
                fmt,
                r.stdout if path is None else (work / path).read_text("utf-8"),
                sarif_schema,
            )
    # The drafts have defects; against the baseline just written, nothing is new.
    assert codes == [1, 1, 1, 1, 0]
