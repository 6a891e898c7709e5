"""`check` conventions: `-` reads standard input, --select/--ignore, -q, FORCE_COLOR/NO_COLOR."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import clirun
import pytest
from clirun import COLOUR
from test_cli_check import GOLDEN, PACK, ROOT, cli

BAD = "tests/fixtures/contracts/bad.yaml"
BAD_TEXT = (ROOT / BAD).read_text("utf-8")


def stdin_cli(
    text: str, *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The command line with `text` on its standard input."""
    return clirun.cli(*args, cwd=cwd, env=env, input=text, unset=COLOUR)


def found(stdout: str) -> list[tuple[Any, ...]]:
    """(file, line, column, pack/rule) of each finding of a JSON report."""
    return [
        (f["file"], f["line"], f["column"], f"{f['pack']}/{f['rule']}")
        for f in json.loads(stdout)["findings"]
    ]


BAD_FINDINGS = [
    (3, 5, "acme/percent-100"),
    (6, 15, "acme/amount-positive"),
    (6, 15, "contract-checker/unreadable-value"),
    (7, 7, "acme/term-long-enough"),
    (9, 3, "acme/fee-stated"),
    (9, 3, "contract-checker/contract-schema"),
]

# -- check - (standard input) -----------------------------------------------------------------


def test_stdin_is_checked_like_a_file_and_named_dash() -> None:
    r = stdin_cli(BAD_TEXT, "check", "-", "--pack", PACK, "--format", "json")
    assert (r.returncode, r.stderr) == (1, "")
    assert found(r.stdout) == [("-", *f) for f in BAD_FINDINGS]
    text = stdin_cli(BAD_TEXT, "check", "-", "--pack", PACK)
    golden = (GOLDEN / "check.txt").read_text("utf-8").split("\n\n")[0]
    assert text.stdout.startswith(golden.replace(BAD, "-", 1) + "\n\n")


def test_stdin_filename_names_the_contract_in_reports() -> None:
    r = stdin_cli(BAD_TEXT, "check", "-", "--stdin-filename", "drafts/a.yaml", "--pack", PACK, "-q")
    assert r.returncode == 1
    assert r.stdout.splitlines()[:2] == [
        "drafts/a.yaml",
        "  3:5      error   Installments add up to 90%, not 100%.  acme/percent-100",
    ]


def test_stdin_filename_picks_the_format_by_extension() -> None:
    contract = (
        '{"payment": {"installments": [{"percent": 100, "amount": "CNY 5"}]},\n'
        ' "term": "1年", "fee": {"total": "CNY 5"}}\n'
    )
    args = ("check", "-", "--pack", PACK, "--format", "json")
    # JSON by its extension; without a name, JSON is read too (YAML's default reads it).
    for extra in (["--stdin-filename", "c.json"], []):
        r = stdin_cli(contract, *args, *extra)
        name = "c.json" if extra else "-"
        assert found(r.stdout) == [(name, 2, 10, "acme/term-long-enough")], r.stdout
    # A .json name is read as JSON only: YAML text is then unreadable.
    r = stdin_cli(BAD_TEXT, *args, "--stdin-filename", "c.json")
    assert found(r.stdout) == [("c.json", 1, 1, "contract-checker/unreadable-contract")]


def test_stdin_filename_selects_per_file_packs_and_is_never_excluded(tmp_path: Path) -> None:
    (tmp_path / "contract-checker.yaml").write_text(
        f"packs:\n  - pack: {ROOT / PACK}\n    files: ['drafts/crm/**']\n"
        "exclude: ['drafts/crm/**']\n",
        encoding="utf-8",
    )
    args = ("check", "-", "--format", "json", "--stdin-filename")
    r = stdin_cli(BAD_TEXT, *args, "drafts/crm/a.yaml", cwd=tmp_path)
    assert found(r.stdout) == [("drafts/crm/a.yaml", *f) for f in BAD_FINDINGS]
    r = stdin_cli(BAD_TEXT, *args, "drafts/other/a.yaml", cwd=tmp_path)
    assert (r.returncode, found(r.stdout)) == (0, [])  # the pack is not for this file


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--stdin-filename", "a.yaml", BAD],
            "--stdin-filename names the contract read from standard input: give `-` as the path",
        ),
        (["-", BAD], "`-` (standard input) cannot be checked together with other paths"),
    ],
)
def test_stdin_usage_errors(args: list[str], message: str) -> None:
    r = stdin_cli(BAD_TEXT, "check", "--pack", PACK, *args)
    assert (r.returncode, r.stdout, r.stderr) == (2, "", f"contract-checker: {message}\n")


# -- --select / --ignore ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "rules"),
    [
        (["--select", "percent-100,acme/term-long-enough"], {"percent-100", "term-long-enough"}),
        (["--select", "acme/"], {"percent-100", "amount-positive", "term-long-enough", "fee-stated"}),
        (["--select", "acme", "--ignore", "fee-stated", "--ignore", "amount-positive"],
         {"percent-100", "term-long-enough"}),
        (["--ignore", "acme/percent-100,term-long-enough"], {"amount-positive", "fee-stated"}),
        (["--select", "percent-100", "--ignore", "acme"], set()),
    ],
)  # fmt: skip
def test_select_and_ignore(args: list[str], rules: set[str]) -> None:
    r = cli("check", BAD, "--pack", PACK, "--format", "json", *args)
    doc = json.loads(r.stdout)
    acme = {f["rule"] for f in doc["findings"] if f["pack"] == "acme"}
    assert (acme, doc["summary"]["rules"]) == (rules, len(rules))
    tool = [f["rule"] for f in doc["findings"] if f["pack"] == "contract-checker"]
    assert tool == ["unreadable-value", "contract-schema"]  # the checker's own: always


def test_selection_reaches_worker_processes() -> None:
    r = cli(
        "check",
        "tests/fixtures/contracts",
        "--pack",
        PACK,
        "--jobs",
        "2",
        "--select",
        "term-long-enough",
        "--format",
        "json",
    )
    assert {f["rule"] for f in json.loads(r.stdout)["findings"] if f["pack"] == "acme"} == {
        "term-long-enough"
    }


def test_select_unknown_or_ambiguous_is_a_usage_error(tmp_path: Path) -> None:
    r = cli("check", BAD, "--pack", PACK, "--select", "acme/percent-10")
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == (
        "contract-checker: --select acme/percent-10: no such rule or pack among the packs in "
        "use; did you mean `acme/percent-100`?\n"
    )
    r = cli("check", BAD, "--pack", PACK, "--ignore", "nothing-like-it")
    assert r.stderr == (
        "contract-checker: --ignore nothing-like-it: no such rule or pack among the packs in "
        "use; see `contract-checker rules`\n"
    )
    other = tmp_path / "other"
    other.mkdir()
    for name in ("pack.yaml", "schema.json"):
        text = (ROOT / PACK / name).read_text("utf-8")
        (other / name).write_text(text.replace("pack: acme", "pack: other"), encoding="utf-8")
    r = cli("check", BAD, "--pack", PACK, "--pack", str(other), "--select", "percent-100")
    assert (r.returncode, r.stderr) == (
        2,
        "contract-checker: --select percent-100: several packs have this rule; name one of "
        "acme/percent-100, other/percent-100\n",
    )


# -- -q and colour ----------------------------------------------------------------------------


def test_quiet_prints_the_findings_only() -> None:
    r = cli("check", BAD, "--pack", PACK, "-q")
    full = cli("check", BAD, "--pack", PACK)
    assert r.returncode == full.returncode == 1
    body, summary = full.stdout.rsplit("\n\n", 1)
    assert summary.startswith("✖ 6 findings")
    assert r.stdout == body + "\n"
    r = cli("check", "tests/fixtures/contracts/good.yaml", "--pack", PACK, "--quiet")
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")


@pytest.mark.parametrize(
    ("env", "args", "coloured"),
    [
        ({"FORCE_COLOR": "1"}, [], True),
        ({"FORCE_COLOR": "true"}, [], True),
        ({"FORCE_COLOR": ""}, [], False),  # empty means unset
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, [], False),  # NO_COLOR wins
        ({"FORCE_COLOR": "1"}, ["--no-color"], False),  # the command line wins
        ({"NO_COLOR": "1"}, ["--color"], True),
        ({}, [], False),  # piped
    ],
)
def test_force_color_and_no_color(env: dict[str, str], args: list[str], coloured: bool) -> None:
    r = cli("check", BAD, "--pack", PACK, *args, env=env)
    assert ("\033[31m" in r.stdout) is coloured


def test_force_color_is_for_the_terminal_not_report_files(tmp_path: Path) -> None:
    out = tmp_path / "r.txt"
    r = cli("check", BAD, "--pack", PACK, "--format", f"text:{out}", env={"FORCE_COLOR": "1"})
    assert r.returncode == 1
    assert "\033[" not in out.read_text("utf-8")


def test_no_config_ignores_the_configuration_file(tmp_path: Path) -> None:
    (tmp_path / "contract-checker.yaml").write_text(
        f"packs: [{ROOT / PACK}]\nrules: {{percent-100: 'off'}}\n", encoding="utf-8"
    )
    args = ("check", str(ROOT / BAD), "--format", "json")
    r = cli(*args, cwd=tmp_path)
    assert "acme/percent-100" not in {rule for *_, rule in found(r.stdout)}
    r = cli(*args, "--no-config", "--pack", str(ROOT / PACK), cwd=tmp_path)
    assert "acme/percent-100" in {rule for *_, rule in found(r.stdout)}


def test_the_entry_point_tunes_the_cyclic_collector(monkeypatch: pytest.MonkeyPatch) -> None:
    """`contract-checker` (cli.run) collects cycles every 50,000 allocations, and a check
    freezes what loading the packs made; a check invoked otherwise (as a library, or by a
    test runner) leaves the collector as it was."""
    import gc

    from click.testing import CliRunner

    from checker import cli
    from checker.cli_check import GC_THRESHOLD

    example = str(ROOT / "examples" / "c1-customer-acquisition.yaml")
    before = gc.get_threshold()
    try:
        CliRunner().invoke(cli.main, ["check", "--no-config", "-q", example])
        assert gc.get_threshold() == before and gc.get_freeze_count() == 0
        monkeypatch.setattr(
            sys, "argv", ["contract-checker", "check", "--no-config", "-q", example]
        )
        with pytest.raises(SystemExit) as stop:
            cli.run()
        assert stop.value.code == 0
        assert gc.get_threshold() == (GC_THRESHOLD, 20, 100)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
