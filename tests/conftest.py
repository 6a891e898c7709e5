"""Shared helpers for the test suite."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from checker.lang import EvalError, Missing, Program

TODAY = dt.date(2025, 6, 1)

# Property tests take their example counts from a profile: HYPOTHESIS_PROFILE=thorough runs
# ten times as many as `default` and `ci` (see docs/security.md, "Testing the defences").
# No deadlines: a shared 2-core CI machine makes one example's time noise, not a finding (the
# speed targets live in bench/). Under CI=true the `ci` profile also prints a reproduction blob.
settings.register_profile("default", max_examples=100, deadline=None)
settings.register_profile("ci", max_examples=100, deadline=None, print_blob=True)
settings.register_profile("thorough", max_examples=1000, deadline=None)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default")
)


def examples(weight: float) -> int:
    """A test's example count: `weight` times the profile's base (100, or 1000 when thorough)."""
    return max(1, round(weight * settings.default.max_examples))


def pytest_configure(config: pytest.Config) -> None:
    """Keep the tests' parse and code caches out of the user's own cache folder (the
    property tests parse thousands of one-off expressions); subprocesses inherit it."""
    import os
    import tempfile

    folder = tempfile.mkdtemp(prefix="contract-checker-test-cache-")
    os.environ["XDG_CACHE_HOME"] = folder
    config.stash[_CACHE_KEY] = folder


def pytest_unconfigure(config: pytest.Config) -> None:
    import shutil

    folder = config.stash.get(_CACHE_KEY, None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


_CACHE_KEY = pytest.StashKey[str]()


@pytest.fixture(scope="session")
def sarif_schema() -> dict[str, Any]:
    """The OASIS SARIF 2.1.0 JSON Schema (draft-04; oasis-tcs/sarif-spec,
    sarif-2.1/schema/sarif-schema-2.1.0.json). It is not part of this repository: the file is
    named by SARIF_SCHEMA (.ci/run sets it). Without it the test is skipped, but never in CI."""
    import json
    import os
    from pathlib import Path

    name = os.environ.get("SARIF_SCHEMA")
    if not name or not Path(name).is_file():
        message = f"SARIF_SCHEMA names no file ({name!r}): cannot validate SARIF output"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    schema: dict[str, Any] = json.loads(Path(name).read_text(encoding="utf-8"))
    return schema


class Outcome:
    """What evaluating an expression gave: a value, missing (with its paths) or an error."""

    def __init__(self, value: Any = None, missing: Missing | None = None, error: str | None = None):
        self.value, self.missing, self.error = value, missing, error

    def __repr__(self) -> str:
        if self.error is not None:
            return f"error({self.error})"
        if self.missing is not None:
            return f"missing({self.missing.describe()})"
        return repr(self.value)


def run_both(
    text: str,
    data: dict[str, Any] | None = None,
    program: Program | None = None,
    params: dict[str, Any] | None = None,
) -> tuple[Outcome, Outcome]:
    """Evaluate with the compiled evaluator and with the interpreter."""
    program = program or Program()
    expr = program.compile(text)
    results = []
    for evaluate in (expr.run, expr.interpret):
        env = program.env(data or {}, params=params, today=TODAY)
        try:
            v = evaluate(env)
        except EvalError as exc:
            results.append(Outcome(error=str(exc)))
            continue
        results.append(Outcome(missing=v) if isinstance(v, Missing) else Outcome(value=v))
    return results[0], results[1]


def evaluate(text: str, data: dict[str, Any] | None = None, **kw: Any) -> Outcome:
    """Evaluate both ways, assert they agree, and return the outcome."""
    compiled, interpreted = run_both(text, data, **kw)
    assert repr(compiled) == repr(interpreted), (text, compiled, interpreted)
    return compiled


@pytest.fixture
def ev() -> Any:
    return evaluate


def reopen_caches() -> None:
    """Forget the process's cache folder, caches and stamp, so the next use opens them
    afresh (under the XDG_CACHE_HOME in force)."""
    from checker.lang import cache

    fd = cache.folder_fd() if cache.folder_fd.cache_info().currsize else None
    cache.folder_fd.cache_clear()
    cache.named.cache_clear()
    cache.stamp.cache_clear()
    if fd is not None:
        os.close(fd)


@pytest.fixture
def xdg_cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh XDG cache home, caching on; the process's caches are reopened there (and
    again after, under the usual one)."""
    base = tmp_path / "xdg"
    base.mkdir()
    monkeypatch.setenv("XDG_CACHE_HOME", str(base))
    monkeypatch.delenv("CONTRACT_CHECKER_NO_CACHE", raising=False)
    reopen_caches()
    yield base
    reopen_caches()
