"""The command line run as a user runs it, `python -m checker ...` in a subprocess, for the tests."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The checker of this source tree, whatever else the interpreter has installed.
THIS_TREE = {"PYTHONPATH": str(ROOT)}
# What decides colour: a test that compares output unsets them unless it sets them itself.
COLOUR = ("NO_COLOR", "FORCE_COLOR")


def _env(env: Mapping[str, str] | None, unset: Iterable[str]) -> dict[str, str] | None:
    """This process's environment less `unset` plus `env`; None (inherit it as is) if no change."""
    gone = set(unset)
    if env is None and not gone:
        return None
    return {k: v for k, v in os.environ.items() if k not in gone} | dict(env or {})


def cli(
    *args: str,
    cwd: Path = ROOT,
    env: Mapping[str, str] | None = None,
    unset: Iterable[str] = (),
    input: str | None = None,
    timeout: float | None = None,
    check: bool = False,
) -> subprocess.CompletedProcess[str]:
    """`python -m checker *args` in `cwd`, its output decoded as UTF-8.

    `env` adds to (or overrides) this process's environment after the names in `unset` are
    taken out of it; `input` is the standard input; `check` raises if the exit code is not 0."""
    return subprocess.run(
        [sys.executable, "-m", "checker", *args],
        cwd=cwd,
        input=input,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=check,
        timeout=timeout,
        env=_env(env, unset),
    )


def cli_bytes(
    *args: str,
    cwd: Path = ROOT,
    env: Mapping[str, str] | None = None,
    unset: Iterable[str] = (),
    input: bytes | None = None,
    timeout: float | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """`cli` with input and output as bytes: for tests that encode or decode them themselves."""
    return subprocess.run(
        [sys.executable, "-m", "checker", *args],
        cwd=cwd,
        input=input,
        capture_output=True,
        check=False,
        timeout=timeout,
        env=_env(env, unset),
    )
