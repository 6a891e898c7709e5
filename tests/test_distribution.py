"""What ships: built-in pack tests run from an installed wheel, their fixtures match examples/."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from clirun import cli

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
EXAMPLES = ROOT / "examples"
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)\n")
FIXTURES = sorted(RULES.glob("*/tests/fixtures/**/*.yaml"))


def test_builtin_pack_tests_read_contracts_from_their_own_pack_only() -> None:
    assert len(FIXTURES) >= 40
    for case in RULES.glob("*/tests/*.yaml"):
        ref = re.search(r"^file: (\S+)$", case.read_text("utf-8"), re.M)
        if ref:
            assert ref.group(1).startswith("fixtures/"), case


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: str(p.relative_to(RULES)))
def test_each_pack_test_fixture_is_its_examples_original(fixture: Path) -> None:
    """The shipped fixtures are copies of examples/ (same path under examples/); only the
    editor's schema modeline differs, and it points at the built-in schema from each place."""
    _pack, _tests, _fixtures, *rel = fixture.relative_to(RULES).parts
    original = EXAMPLES.joinpath(*rel)
    assert original.is_file(), f"{fixture} has no original {original}"
    copy, source = fixture.read_text("utf-8"), original.read_text("utf-8")
    for path, text in ((fixture, copy), (original, source)):
        m = MODELINE.match(text)
        assert m, f"{path} does not start with the schema modeline"
        target = (path.parent / m.group(1)).resolve()
        assert target == RULES / "schemas" / "service-contract.json", path
    assert MODELINE.sub("", copy, count=1) == MODELINE.sub("", source, count=1), (
        f"{fixture} differs from {original}: copy the example again (keeping its first line)"
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package as a wheel built from this tree and installed (no -e) in a folder."""
    wheels = tmp_path_factory.mktemp("wheel")
    target = tmp_path_factory.mktemp("site")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    build = subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    if build.returncode != 0:
        if "No module named" in build.stderr and "hatchling" in build.stderr:
            pytest.skip("the build backend (hatchling) is not installed")
        pytest.fail(build.stderr)
    (wheel,) = wheels.glob("*.whl")
    subprocess.run(
        [*pip, "install", "--no-deps", "--no-compile", "--target", str(target), str(wheel)],
        check=True,
    )
    return target


def test_the_installed_wheel_passes_its_own_pack_tests(installed: Path, tmp_path: Path) -> None:
    # Dependencies come from this interpreter's site-packages; the checker only from the
    # installed folder (the working directory is elsewhere, so not this source tree).
    env = {**os.environ, "PYTHONPATH": str(installed)}
    r = cli("test", cwd=tmp_path, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "checker/rules/drafting/tests/" not in r.stdout  # nothing failed
    last = r.stdout.strip().splitlines()[-1]
    assert re.match(r"\d+ passed, 0 failed in ", last), last
    assert int(last.split()[0]) == len(list(RULES.glob("*/tests/*.yaml")))
    where = subprocess.run(
        [sys.executable, "-c", "import checker; print(checker.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    assert Path(where.stdout.strip()).is_relative_to(installed)
