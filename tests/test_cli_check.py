"""`contract-checker check`, `test`, `packs`, `rules`, `schema` through the real command line."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import clirun
import jsonschema
import pytest
from clirun import COLOUR

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOLDEN = Path(__file__).resolve().parent / "golden"
PACK = "tests/fixtures/acme"


def cli(
    *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    # Colour depends on NO_COLOR and FORCE_COLOR: only a test's own `env` sets them.
    return clirun.cli(*args, cwd=cwd, env=env, unset=COLOUR)


def golden(name: str, actual: str) -> None:
    """Compare with tests/golden/NAME; UPDATE_GOLDEN=1 rewrites the file instead."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")


def test_text_output_golden() -> None:
    r = cli("check", "tests/fixtures/contracts", "--pack", PACK, "--today", "2025-06-01")
    assert r.returncode == 1, r.stderr
    assert r.stderr == ""
    assert "\033[" not in r.stdout  # piped: no colour
    golden("check.txt", r.stdout)


def test_text_output_in_chinese() -> None:
    r = cli("check", "tests/fixtures/contracts/bad.yaml", "--pack", PACK, "--lang", "zh")
    assert r.returncode == 1
    golden("check-zh.txt", r.stdout)


def test_json_output_golden_and_valid_against_its_schema(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    r = cli(
        "check",
        "tests/fixtures/contracts",
        "--pack",
        PACK,
        "--format",
        "json",
        "--output",
        str(out),
    )
    assert (r.returncode, r.stdout) == (1, "")
    doc = json.loads(out.read_text(encoding="utf-8"))
    schema = json.loads(cli("schema", "findings").stdout)
    jsonschema.Draft202012Validator(schema).validate(doc)
    golden("check.json", out.read_text(encoding="utf-8"))
    first = doc["findings"][0]
    assert first == {
        "file": "tests/fixtures/contracts/bad.yaml",
        "line": 3,
        "column": 5,
        "pointer": "/payment/installments",
        "pack": "acme",
        "rule": "percent-100",
        "severity": "error",
        "outcome": "fail",
        "message": "Installments add up to 90%, not 100%.",
        "refs": [{"law": "民法典", "article": "510", "basis": "statute"}],
        "values": {"total_percent": 90},
        "title": "Installments add up to 100%",
        "end_column": 18,  # `- percent: 30` on line 3, from column 5
    }
    # Enough to render the report again without the files: the lines around each finding.
    assert doc["files"] == [
        f"tests/fixtures/contracts/{n}" for n in ("bad.yaml", "broken.json", "good.yaml")
    ]
    assert doc["sources"]["tests/fixtures/contracts/bad.yaml"]["lines"]["3"] == "    - percent: 30"
    assert doc["summary"] == {
        "files": 3,
        "rules": 4,
        "findings": 7,
        "waived": 0,
        "skipped": 0,
        "baselined": 0,
        "by_severity": {"error": 5, "warning": 1, "info": 1},
        "by_outcome": {"fail": 2, "missing": 2, "error": 3},
    }


def test_colour_only_when_asked_and_never_with_no_color() -> None:
    r = cli("check", "tests/fixtures/contracts/bad.yaml", "--pack", PACK, "--color")
    assert "\033[31m" in r.stdout
    r = cli("check", "tests/fixtures/contracts/bad.yaml", "--pack", PACK, env={"NO_COLOR": "1"})
    assert "\033[" not in r.stdout


@pytest.mark.parametrize(
    ("fail_on", "code"), [("error", 1), ("warning", 1), ("info", 1), ("never", 0)]
)
def test_fail_on(fail_on: str, code: int) -> None:
    r = cli("check", "tests/fixtures/contracts/bad.yaml", "--pack", PACK, "--fail-on", fail_on)
    assert r.returncode == code


def test_clean_file_exits_0() -> None:
    r = cli("check", "tests/fixtures/contracts/good.yaml", "--pack", PACK)
    assert r.returncode == 0
    assert r.stdout == "✔ no findings in 1 file (4 rules)\n"


def test_info_only_passes_by_default(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(
        "payment: {installments: [{percent: 100, amount: CNY 1}]}\nterm: 3年\nfee: {}\n",
        encoding="utf-8",
    )
    r = cli("check", str(tmp_path / "c.yaml"), "--pack", str(ROOT / PACK))
    assert r.returncode == 0, r.stdout
    assert "info    Fee is stated: missing data: fee.total" in r.stdout


def test_pack_error_exits_2_before_reading_contracts(tmp_path: Path) -> None:
    (tmp_path / "pack.yaml").write_text(
        "pack: p\nrules:\n  - {id: a, assert: 'x >= 2 yeers'}\n", encoding="utf-8"
    )
    r = cli("check", "tests/fixtures/contracts", "--pack", str(tmp_path / "pack.yaml"))
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr.startswith(
        f"{tmp_path}/pack.yaml:3:27: error in rule a: syntax error: "
        "`2 yeers`: unknown duration unit `yeers`"
    )
    assert "hint: did you mean `years`?" in r.stderr


def test_missing_path_exits_2() -> None:
    r = cli("check", "nope.yaml", "--pack", PACK)
    assert r.returncode == 2
    assert r.stderr == "contract-checker: nope.yaml: no such file or directory\n"


def test_unknown_option_exits_2() -> None:
    r = cli("check", "--formt", "json")
    assert r.returncode == 2 and "No such option '--formt'. Did you mean '--format'?" in r.stderr


BAD_INPUTS = {
    "bomb.yaml": "a: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    ),
    "deep.yaml": "a: " + "[" * 20_000 + "]" * 20_000 + "\n",
    "deep.json": '{"a": ' + "[" * 20_000 + "]" * 20_000 + "}",
    "binary.yaml": "a: 1\n\x00\x01\x02",
    "python.yaml": "term: !!python/object/apply:os.system ['echo hacked > hacked.txt']\n",
    "empty.yaml": "",
    "list.yaml": "- a\n- b\n",
    "broken.json": '{"a": [1, 2}',
}


def test_bad_inputs_are_findings_and_the_other_files_are_still_checked(tmp_path: Path) -> None:
    for name, text in BAD_INPUTS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "latin1.yaml").write_bytes("a: caf\xe9\n".encode("latin-1"))
    # Contracts (a field of the schema) with values that cannot be read.
    (tmp_path / "huge-number.yaml").write_text("term: " + "9" * 200_000 + "\n", encoding="utf-8")
    (tmp_path / "big-string.yaml").write_text("term: " + "x" * 5_000_000 + "\n", encoding="utf-8")
    (tmp_path / "zz-good.yaml").write_text(
        (FIXTURES / "contracts/bad.yaml").read_text("utf-8"), encoding="utf-8"
    )
    r = cli("check", str(tmp_path), "--pack", PACK, "--format", "json")
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "hacked.txt").exists() and not (ROOT / "hacked.txt").exists()
    findings = json.loads(r.stdout)["findings"]
    by_file: dict[str, set[str]] = {}
    for f in findings:
        by_file.setdefault(Path(f["file"]).name, set()).add(f["rule"])
    for name in [
        "bomb.yaml",
        "deep.yaml",
        "deep.json",
        "binary.yaml",
        "empty.yaml",
        "list.yaml",
        "broken.json",
        "latin1.yaml",
    ]:
        assert by_file[name] == {"unreadable-contract"}, name
    assert "unreadable-value" in by_file["huge-number.yaml"]
    assert "unreadable-value" in by_file["python.yaml"]
    assert "percent-100" in by_file["zz-good.yaml"]
    assert json.loads(r.stdout)["summary"]["files"] == 12


def test_pack_tests_runner(tmp_path: Path) -> None:
    pack = tmp_path / "p"
    (pack / "tests").mkdir(parents=True)
    (pack / "pack.yaml").write_text(
        (FIXTURES / "acme/pack.yaml").read_text("utf-8"), encoding="utf-8"
    )
    (pack / "schema.json").write_text(
        (FIXTURES / "acme/schema.json").read_text("utf-8"), encoding="utf-8"
    )
    # A pack's tests read contracts inside the pack only, so they travel with it.
    (pack / "tests/fixtures").mkdir()
    (pack / "tests/fixtures/bad.yaml").write_bytes((FIXTURES / "contracts/bad.yaml").read_bytes())
    (pack / "tests/bad.yaml").write_text(
        "description: the bad fixture\nfile: fixtures/bad.yaml\n"
        "expect:\n  fail: [percent-100, {rule: term-long-enough, line: 7}, contract-schema]\n"
        "  missing: [amount-positive, fee-stated]\n",
        encoding="utf-8",
    )
    (pack / "tests/good.yaml").write_text(
        "description: inline and good\ncontract:\n  payment:\n    installments:\n"
        "      - {percent: 100, amount: CNY 5}\n  term: 3 years\n  fee: {total: CNY 5}\n"
        "expect:\n  pass: [percent-100, amount-positive]\n  others: pass\n",
        encoding="utf-8",
    )
    r = cli("test", str(pack))
    assert (r.returncode, r.stdout.splitlines()[0]) == (0, "p (2 cases) .."), r.stdout
    assert r.stdout.splitlines()[-1].startswith("2 passed, 0 failed in ")
    (pack / "tests/wrong.yaml").write_text(
        "description: wrong expectations\ncontract: {term: 1 year}\n"
        "expect:\n  pass: [term-long-enough]\n  fail: [{rule: percent-100, line: 2}, nope]\n",
        encoding="utf-8",
    )
    r = cli("test", str(pack))
    assert r.returncode == 1
    assert "FAILED" in r.stdout and "wrong.yaml — wrong expectations" in r.stdout
    assert "  term-long-enough: expected pass, got fail" in r.stdout
    assert "  percent-100: expected fail, got skip" in r.stdout
    assert "  nope: no such rule in pack acme" in r.stdout
    assert r.stdout.splitlines()[-1].startswith("2 passed, 1 failed in ")


def test_schema_pack_validates_the_fixture_pack() -> None:
    import yaml

    schema = json.loads(cli("schema", "pack").stdout)
    doc = yaml.safe_load((FIXTURES / "acme/pack.yaml").read_text("utf-8"))
    jsonschema.Draft202012Validator(schema).validate(doc)


def test_rules_lists_severity_and_title() -> None:
    r = cli("rules", PACK)
    assert r.returncode == 0
    assert r.stdout.splitlines()[0].split() == [
        "acme/percent-100",
        "error",
        "Installments",
        "add",
        "up",
        "to",
        "100%",
    ]
