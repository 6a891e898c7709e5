"""The action's `config` input passes `--config`, so CI can take it from a trusted path."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent.parent


def _run_check_step(tmp_path: Path, config: str) -> list[str]:
    action = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
    assert action["inputs"]["config"]["default"] == ""
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "check")
    assert step["env"]["CC_CONFIG"] == "${{ inputs.config }}"
    fake = tmp_path / "bin"
    fake.mkdir()
    script = fake / "contract-checker"
    script.write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$RUNNER_TEMP/args"\n', encoding="utf-8")
    script.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{fake}{os.pathsep}{os.environ['PATH']}",
        "CC_PATHS": "drafts/",
        "CC_PACKS": "drafting",
        "CC_ARGS": "",
        "CC_SARIF": "out.sarif",
        "CC_CONFIG": config,
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
    }
    subprocess.run(["bash", "-e", "-c", step["run"]], env=env, check=True, cwd=tmp_path)
    return (tmp_path / "args").read_text("utf-8").splitlines()


@pytest.mark.skipif(shutil.which("bash") is None, reason="the action's steps run in bash")
def test_the_config_input_becomes_config_option(tmp_path: Path) -> None:
    args = _run_check_step(tmp_path, "/trusted/cc.yaml")
    assert args[:5] == ["check", "drafts/", "--pack", "drafting", "--config"]
    assert args[5] == "/trusted/cc.yaml"


@pytest.mark.skipif(shutil.which("bash") is None, reason="the action's steps run in bash")
def test_without_the_config_input_no_option_is_passed(tmp_path: Path) -> None:
    args = _run_check_step(tmp_path, "")
    assert "--config" not in args
    assert args[:4] == ["check", "drafts/", "--pack", "drafting"]
