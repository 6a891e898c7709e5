"""`contract-checker eval` through the real command line: output, stderr and exit codes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from clirun import cli

CONTRACT = """\
parties:
  - {name: 甲方科技有限公司, role: client}
  - {name: 乙方服务有限公司, role: vendor}
payment:
  installments:
    - {percent: 30, amount: 30000, trigger: signing}
    - {percent: 60, amount: 60000, trigger: acceptance}
fee: {total: 100000}
term: 3年
signed: 2025-01-31
rate: 0.05
"""

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "parties": {"type": "array", "items": {"type": "object"}},
        "payment": {"type": "object"},
        "fee": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"total": {"x-type": "money"}},
        },
        "term": {"type": "string", "x-type": "duration"},
        "signed": {"type": "string", "format": "date"},
        "rate": {"type": "number"},
    },
}


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return cli("eval", *args, cwd=cwd)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "c.yaml").write_text(CONTRACT, encoding="utf-8")
    (tmp_path / "schema.json").write_text(json.dumps(SCHEMA), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("expr", "out"),
    [
        ("sum(payment.installments[*].percent)", "90"),
        ("0.1 + 0.2", "0.3"),
        ("1 / 4", "0.25"),
        ("rate * 2", "0.1"),
        (
            'payment.installments[? @.trigger == "signing"][0]',
            '{"percent": 30, "amount": 30000, "trigger": "signing"}',
        ),
        ("parties[*].name", '["甲方科技有限公司", "乙方服务有限公司"]'),
        ("signed + 1 month", '"2025-02-28"'),
        ("duration(term)", '"3 years"'),
        ("18 months", '"18 months"'),
        ("30 days", '"30 days"'),
        ("15 working days", '"15 working days"'),
        ("CNY 100000", '"CNY 100000.00"'),
        ('money("¥1,000.5")', '"CNY 1000.50"'),
        ("null", "null"),
        ("exists(fee.nope)", "false"),
        ("cny_upper(fee.total)", '"壹拾万元整"'),
    ],
)
def test_prints_the_value_as_json(folder: Path, expr: str, out: str) -> None:
    r = run(expr, "c.yaml", cwd=folder)
    assert (r.returncode, r.stdout.strip(), r.stderr) == (0, out, "")


def test_missing_exits_1_and_names_the_paths(folder: Path) -> None:
    r = run("sum(payment.installments[*].amountt)", "c.yaml", cwd=folder)
    assert r.returncode == 1
    assert r.stdout == ""
    assert r.stderr.strip() == (
        "missing: payment.installments[0].amountt, payment.installments[1].amountt"
    )


def test_runtime_error_exits_1(folder: Path) -> None:
    r = run("fee.total / 0", "c.yaml", cwd=folder)
    assert (r.returncode, r.stdout, r.stderr.strip()) == (1, "", "error: division by zero")


def test_syntax_error_exits_2_with_caret(folder: Path) -> None:
    r = run("fee.total >", "c.yaml", cwd=folder)
    assert r.returncode == 2
    assert r.stderr.splitlines()[:3] == [
        "<expr>:1:12: syntax error: unexpected end of expression",
        "    fee.total >",
        "               ^",
    ]


def test_type_errors_with_schema_exit_2_all_reported(folder: Path) -> None:
    r = run("term >= 2 and fee.totl > CNY 1", "c.yaml", "--schema", "schema.json", cwd=folder)
    assert r.returncode == 2
    lines = r.stderr.splitlines()
    assert lines[0] == "<expr>:1:9: expected a duration on the right of `>=`, found number"
    assert lines[3] == "hint: write `2 years`"
    assert "<expr>:1:19: unknown field `totl` in `fee`" in r.stderr
    assert "hint: did you mean `total`?" in r.stderr


def test_schema_types_the_data(folder: Path) -> None:
    r = run(
        "term >= 2 years and fee.total == CNY 100000 and signed < 2025-02-01",
        "c.yaml",
        "--schema",
        "schema.json",
        cwd=folder,
    )
    assert (r.returncode, r.stdout.strip()) == (0, "true")


def test_today_is_settable(folder: Path) -> None:
    r = run("today()", "--today", "2025-06-01", cwd=folder)
    assert (r.returncode, r.stdout.strip()) == (0, '"2025-06-01"')
    r = run("today()", "--today", "June", cwd=folder)
    assert r.returncode == 2 and "--today must be a date" in r.stderr


def test_without_a_file_the_data_is_empty(folder: Path) -> None:
    r = run("x", cwd=folder)
    assert (r.returncode, r.stderr.strip()) == (1, "missing: x")


def test_unreadable_file_exits_2_without_traceback(folder: Path) -> None:
    (folder / "bad.yaml").write_text("a: [1, 2\n", encoding="utf-8")
    r = run("a", "bad.yaml", cwd=folder)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert r.stderr.startswith("contract-checker: bad.yaml:")


def test_unknown_schema_exits_2(folder: Path) -> None:
    r = run("1", "--schema", "nope", cwd=folder)
    assert r.returncode == 2 and "schema 'nope' is neither a built-in schema" in r.stderr


@pytest.mark.parametrize(
    ("args", "out"),
    [
        (["-2 + 5 * 2"], "8"),
        (["-1"], "-1"),
        (["-1 == -1"], "true"),  # `=` once made click split it as --opt=value
        (["-0.5 * -4"], "2"),
        (["-(3 days) + 5 days"], '"2 days"'),
        (["-rate", "c.yaml"], "-0.05"),
        (["-1", "c.yaml", "--today", "2025-01-01"], "-1"),  # options after it still work
        (["--today", "2025-01-01", "-3 + 1", "c.yaml"], "-2"),  # and before it
        (["--today=2025-01-01", "-1 - 1"], "-2"),
        (["--", "-3"], "-3"),  # the old way keeps working
    ],
)
def test_an_expression_starting_with_a_minus_is_never_an_option(
    folder: Path, args: list[str], out: str
) -> None:
    r = run(*args, cwd=folder)
    assert (r.returncode, r.stdout.strip(), r.stderr) == (0, out, "")


def test_eval_help_and_unknown_options_still_work(folder: Path) -> None:
    for flag in ("--help", "-h"):
        r = run(flag, cwd=folder)
        assert r.returncode == 0 and r.stdout.startswith("Usage: ")
        assert "EXPRESSION [FILE]" in r.stdout
    r = run("-1", "--tody", "2025-01-01", cwd=folder)
    assert r.returncode == 2 and "No such option '--tody'. Did you mean '--today'?" in r.stderr
