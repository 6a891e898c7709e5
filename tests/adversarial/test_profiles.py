"""Hypothesis example counts come from the profile named by HYPOTHESIS_PROFILE."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import examples
from hypothesis import settings

BASE = {"default": 100, "ci": 100, "thorough": 1000}


def test_the_profile_named_by_the_environment_is_loaded() -> None:
    expected = BASE[os.environ.get("HYPOTHESIS_PROFILE", "default")]
    assert settings.default.max_examples == expected
    assert examples(15) == 15 * expected
    assert examples(1.5) == round(1.5 * expected)


def test_thorough_runs_ten_times_as_many() -> None:
    assert {name: settings.get_profile(name).max_examples for name in BASE} == BASE
    env = {**os.environ, "HYPOTHESIS_PROFILE": "thorough"}
    r = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", __file__, "-k", "loaded"],
        env=env,
        cwd=Path(__file__).resolve().parent.parent.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "1 passed" in r.stdout
