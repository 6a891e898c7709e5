"""Pack test files: strict (unknown keys, empty `expect`, contracts outside the pack) and
described by `contract-checker schema pack-test`, the schema the loader itself uses."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path
from typing import Any

import clirun
import jsonschema
import pytest
import yaml
from clirun import THIS_TREE

from checker.config import CONFIG_SCHEMA, load_config
from checker.packs.packschema import PACK_TEST_SCHEMA
from checker.packs.scaffold import FILES

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ACME = FIXTURES / "acme"


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return clirun.cli(*args, cwd=cwd, env=THIS_TREE)


def make_pack(tmp_path: Path, tests: dict[str, str]) -> Path:
    """The acme fixture pack in tmp_path/p with these test files (name → text)."""
    pack = tmp_path / "p"
    (pack / "tests").mkdir(parents=True)
    for name in ("pack.yaml", "schema.json"):
        (pack / name).write_text((ACME / name).read_text("utf-8"), encoding="utf-8")
    for name, text in tests.items():
        (pack / "tests" / name).parent.mkdir(parents=True, exist_ok=True)
        (pack / "tests" / name).write_text(text, encoding="utf-8")
    return pack


GOOD = "contract:\n  term: 3 years\nexpect:\n  pass: [term-long-enough]\n"


@pytest.mark.parametrize(
    ("text", "where", "message", "hint"),
    [
        (
            "contract: {term: 3 years}\nexpect:\n  failed: [term-long-enough]\n",
            "3:3",
            "unknown key `failed`",
            "hint: did you mean `fail`?",
        ),
        (
            "contract: {term: 3 years}\nexpected:\n  pass: [term-long-enough]\n",
            "2:1",
            "unknown key `expected`",
            "hint: did you mean `expect`?",
        ),
        (
            "contract: {term: 3 years}\nexpect:\n  fail: [{rule: term-long-enough, lines: 2}]\n",
            "3:35",
            "unknown key `lines`",
            "hint: did you mean `line`?",
        ),
        (
            "contract: {term: 3 years}\nexpect: {}\n",
            "2:9",
            "`expect` is empty: a test must expect something",
            "hint: list rules under fail, pass, skip, missing or error, or say `others: pass`",
        ),
        (
            "contract: {term: 3 years}\nexpect:\n",
            "2:8",
            "`expect` is empty: a test must expect something",
            "hint: list rules under fail, pass, skip, missing or error, or say `others: pass`",
        ),
        ("contract: {term: 3 years}\n", "1:1", "'expect' is required", None),
        (
            "contract: {term: 3 years}\nexpect:\n  pass: []\n",
            "3:9",
            "`expect.pass` lists no rule",
            None,
        ),
        (
            "contract: {term: 3 years}\nexpect:\n  others: fail\n",
            "3:11",
            '"fail" is not one of "pass", "skip"',
            None,
        ),
        (
            "contract: {term: 3 years}\ntoday: 2025-06-31\nexpect: {others: pass}\n",
            "2:8",
            "2025-06-31 is not a valid date (day is out of range for month); it was read as null",
            None,
        ),
        (
            "expect: {others: pass}\n",
            "1:1",
            "a test needs `file` (a contract file) or `contract` (the contract inline)",
            None,
        ),
        (
            "file: c.yaml\ncontract: {term: 3 years}\nexpect: {others: pass}\n",
            "1:7",
            "give either `file` or `contract`, not both",
            None,
        ),
        (
            "file: ../../outside.yaml\nexpect: {others: pass}\n",
            "1:7",
            "`file` ../../outside.yaml is outside the pack's folder p/",
            "hint: copy the contract into the pack (e.g. tests/fixtures/), so the pack's "
            "tests travel with it",
        ),
        (
            "file: fixtures/../../../p2/c.yaml\nexpect: {others: pass}\n",
            "1:7",
            "`file` fixtures/../../../p2/c.yaml is outside the pack's folder p/",
            "hint: copy the contract into the pack (e.g. tests/fixtures/), so the pack's "
            "tests travel with it",
        ),
        (
            "file: fixtures/none.yaml\nexpect: {others: pass}\n",
            "1:7",
            "cannot read fixtures/none.yaml: ",
            None,
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 12 else None,
)
def test_a_malformed_test_file_is_an_error_with_its_position(
    tmp_path: Path, text: str, where: str, message: str, hint: str | None
) -> None:
    pack = make_pack(tmp_path, {"bad.yaml": text, "good.yaml": GOOD})
    r = cli("test", str(pack))
    assert r.returncode == 2, r.stdout + r.stderr
    assert r.stdout.splitlines()[0] == "p (2 cases) E."
    bad = pack / "tests" / "bad.yaml"
    lines = r.stdout.splitlines()
    assert f"ERROR {bad}" in lines
    error = next(line for line in lines if line.startswith(f"{bad}:"))
    assert error.startswith(f"{bad}:{where}: error: {message}"), error
    if hint is not None:
        assert hint in lines
    assert lines[-1].startswith("1 passed, 0 failed, 1 error in ")


def test_an_absolute_contract_path_outside_the_pack_is_an_error(tmp_path: Path) -> None:
    contract = FIXTURES / "contracts" / "bad.yaml"
    pack = make_pack(tmp_path, {"abs.yaml": f"file: {contract}\nexpect: {{others: pass}}\n"})
    r = cli("test", str(pack))
    assert r.returncode == 2
    assert f"error: `file` {contract} is outside the pack's folder p/" in r.stdout


def test_a_contract_inside_the_pack_is_found_from_any_working_directory(tmp_path: Path) -> None:
    pack = make_pack(
        tmp_path,
        {
            "fixtures/c.yaml": "term: 1 year\n",
            "short.yaml": "file: fixtures/c.yaml\nexpect:\n  fail: [{rule: term-long-enough, "
            "line: 1}]\n",
        },
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    r = cli("test", str(pack), cwd=elsewhere)
    assert (r.returncode, r.stdout.splitlines()[0]) == (0, "p (1 case) ."), r.stdout


def test_an_unknown_rule_in_expect_suggests_the_nearest(tmp_path: Path) -> None:
    pack = make_pack(
        tmp_path, {"t.yaml": "contract: {term: 1 year}\nexpect:\n  fail: [term-long-enogh]\n"}
    )
    r = cli("test", str(pack))
    assert r.returncode == 1
    assert (
        "  term-long-enogh: no such rule in pack acme (did you mean term-long-enough?)"
        in r.stdout.splitlines()
    )


# -- the published schemas are the ones in use -------------------------------------------


def test_schema_command_prints_the_schemas_the_loaders_use() -> None:
    assert json.loads(cli("schema", "pack-test").stdout) == PACK_TEST_SCHEMA
    assert json.loads(cli("schema", "config").stdout) == CONFIG_SCHEMA


def _plain(value: Any) -> Any:
    """YAML data as a JSON tool sees it (dates as ISO text)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _validator(which: str) -> jsonschema.Draft202012Validator:
    schema = json.loads(cli("schema", which).stdout)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


BUILTIN_TESTS = sorted((ROOT / "rules").glob("*/tests/*.yaml"))


def test_every_builtin_pack_test_validates_against_schema_pack_test() -> None:
    validator = _validator("pack-test")
    assert len(BUILTIN_TESTS) >= 80
    for path in BUILTIN_TESTS:
        doc = _plain(yaml.safe_load(path.read_text("utf-8")))
        errors = [e.message for e in validator.iter_errors(doc)]
        assert errors == [], f"{path}: {errors}"


@pytest.mark.parametrize(
    "doc",
    [
        {"contract": {}, "expect": {"failed": ["x"]}},
        {"contract": {}, "expect": {}},
        {"contract": {}},
        {"file": "a.yaml", "contract": {}, "expect": {"others": "pass"}},
        {"contract": {}, "expect": {"fail": [{"rule": "x", "line": 0}]}},
        {"contract": {}, "today": "June 1", "expect": {"others": "pass"}},
    ],
)
def test_invalid_pack_tests_do_not_validate(doc: dict[str, Any]) -> None:
    assert not _validator("pack-test").is_valid(doc)


def _ci_md_config() -> str:
    """The configuration example of docs/ci.md (the block after `## Configuration`)."""
    text = (ROOT / "docs" / "ci.md").read_text("utf-8")
    block = text.split("## Configuration", 1)[1].split("```yaml\n", 1)[1]
    return block.split("```", 1)[0]


@pytest.mark.parametrize(
    "text",
    [FILES["contract-checker.yaml"], _ci_md_config()],
    ids=["init", "docs-ci"],
)
def test_example_configs_validate_against_schema_config(text: str, tmp_path: Path) -> None:
    doc = _plain(yaml.safe_load(text))
    assert [e.message for e in _validator("config").iter_errors(doc)] == []
    (tmp_path / "contract-checker.yaml").write_text(text, encoding="utf-8")
    load_config(tmp_path / "contract-checker.yaml")  # and the loader agrees


@pytest.mark.parametrize(
    "doc",
    [
        {"packs": ["drafting"], "fail_on": "sometimes"},
        {"pack": ["drafting"]},
        {"waivers": [{"rule": "x"}]},
        {"waivers": [{"rule": "x", "reason": "r", "expires": "soon"}]},
        {"rules": {"drafting/x": "loud"}},
    ],
)
def test_invalid_configs_do_not_validate(doc: dict[str, Any]) -> None:
    assert not _validator("config").is_valid(doc)
