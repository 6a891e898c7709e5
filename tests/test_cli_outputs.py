"""`check --format FORMAT[:PATH]`: one destination per format, usage errors, atomic writes."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from test_cli_check import PACK, ROOT, cli

from checker import cli_check
from checker.atomic import atomic_write_text
from checker.cli import main
from checker.outputs import Output, OutputError, parse_format, plan_outputs

BAD = "tests/fixtures/contracts/bad.yaml"


def test_each_format_goes_to_its_own_destination(tmp_path: Path) -> None:
    r = cli(
        "check",
        BAD,
        "--pack",
        PACK,
        "--format",
        f"json:{tmp_path}/r.json",
        "--format",
        "github",
        "--format",
        f"junit:{tmp_path}/r.xml",
    )
    assert (r.returncode, r.stderr) == (1, "")
    assert r.stdout.splitlines()[0].startswith("::error file=tests/fixtures/contracts/bad.yaml,")
    assert json.loads((tmp_path / "r.json").read_text("utf-8"))["summary"]["findings"] == 6
    assert ET.parse(tmp_path / "r.xml").getroot().tag == "testsuites"


def test_a_path_may_contain_colons_after_the_first(tmp_path: Path) -> None:
    r = cli("check", BAD, "--pack", PACK, "--format", f"json:{tmp_path}/a:b/c:d.json")
    assert (r.returncode, r.stdout, r.stderr) == (1, "", "")
    assert json.loads((tmp_path / "a:b" / "c:d.json").read_text("utf-8"))["findings"]


def test_output_with_a_single_format_still_works(tmp_path: Path) -> None:
    r = cli("check", BAD, "--pack", PACK, "--format", "json", "--output", str(tmp_path / "r.json"))
    assert (r.returncode, r.stdout) == (1, "")
    assert json.loads((tmp_path / "r.json").read_text("utf-8"))["summary"]["files"] == 1
    r = cli("check", BAD, "--pack", PACK, "-o", str(tmp_path / "r.txt"))  # text by default
    assert (r.returncode, r.stdout) == (1, "")
    assert (tmp_path / "r.txt").read_text("utf-8").startswith(f"{BAD}\n  3:5 ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--format", "github", "--format", "sarif", "--output", "cc.sarif"],
            "contract-checker: --output goes with a single --format; with several, give each "
            "format its own destination: --format sarif:cc.sarif --format markdown:cc.md "
            "--format github (no path: standard output)\n",
        ),
        (
            ["--format", "github", "--format", "markdown"],
            "contract-checker: only one format can go to standard output, not github, markdown: "
            "give the others a file, e.g. --format sarif:cc.sarif --format markdown:cc.md "
            "--format github\n",
        ),
        (
            ["--format", "json:r.json", "--output", "other.json"],
            "contract-checker: --format json:r.json already names a file: drop --output "
            "other.json\n",
        ),
        (
            ["--format", "sarf:cc.sarif"],
            "contract-checker: --format sarf:cc.sarif: unknown format `sarf`; did you mean "
            "`sarif`? (formats: text, json, sarif, junit, github, markdown, html, docx, jsonl, "
            "parquet; a file goes after a colon: FORMAT:PATH)\n",
        ),
        (["--format", "sarif:"], "contract-checker: --format sarif:: no file after `sarif:`\n"),
        (
            ["--format", "json:r.json", "--format", "sarif:./r.json"],
            "contract-checker: r.json is the destination of both --format json and "
            "--format sarif: give each its own file\n",
        ),
    ],
)
def test_ambiguous_or_wrong_destinations_are_usage_errors(
    tmp_path: Path, args: list[str], message: str
) -> None:
    r = cli("check", str(ROOT / BAD), "--pack", str(ROOT / PACK), *args, cwd=tmp_path)
    assert (r.returncode, r.stdout, r.stderr) == (2, "", message)
    assert list(tmp_path.iterdir()) == []  # nothing was checked, nothing written


def test_parse_format_splits_on_the_first_colon_of_a_known_format_only() -> None:
    assert parse_format("sarif") == Output("sarif")
    assert parse_format("sarif:x:y.sarif") == Output("sarif", Path("x:y.sarif"))
    with pytest.raises(OutputError, match="unknown format `C`"):
        parse_format(r"C:\reports\cc.sarif")
    assert plan_outputs([]) == [Output("text")]
    assert plan_outputs([], Path("r.txt")) == [Output("text", Path("r.txt"))]


# -- atomic writes ----------------------------------------------------------------------------


def test_atomic_write_replaces_whole_or_not_at_all(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text("old report", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        atomic_write_text(report, "new report with a lone surrogate \udc80 in it")
    assert report.read_text("utf-8") == "old report"
    atomic_write_text(report, "new report")
    assert report.read_text("utf-8") == "new report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temporary file left
    atomic_write_text(tmp_path / "new" / "folder" / "r.md", "x")
    assert (tmp_path / "new" / "folder" / "r.md").read_text("utf-8") == "x"


def _existing(tmp_path: Path) -> dict[Path, str]:
    files = {tmp_path / "r.json": "old json", tmp_path / "r.md": "old md"}
    files[tmp_path / "base.json"] = "old baseline"
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    return files


def _invoke(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Result:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(
        main,
        [
            "check",
            BAD,
            "--pack",
            PACK,
            "--write-baseline",
            str(tmp_path / "base.json"),
            "--format",
            f"json:{tmp_path}/r.json",
            "--format",
            f"markdown:{tmp_path}/r.md",
        ],
    )
    return result


def test_reports_and_baseline_survive_a_format_that_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _existing(tmp_path)
    real = cli_check.renderer

    def renderer(fmt: str) -> Callable[..., str]:
        if fmt != "markdown":
            return real(fmt)

        def render(run: object) -> str:
            raise RuntimeError("the markdown format failed half-way")

        return render

    monkeypatch.setattr(cli_check, "renderer", renderer)
    result = _invoke(tmp_path, monkeypatch)
    assert isinstance(result.exception, RuntimeError)  # `run` turns it into exit 2
    assert {p: p.read_text("utf-8") for p in files} == files
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base.json", "r.json", "r.md"]


def test_reports_and_baseline_survive_a_failed_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write that fails half-way (here: text that cannot be encoded) leaves the old file."""
    files = _existing(tmp_path)
    monkeypatch.setattr(cli_check.json_format, "render", lambda run: '{"half": "\udc80')
    result = _invoke(tmp_path, monkeypatch)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(f"contract-checker: cannot write {tmp_path}/base.json: ")
    assert {p: p.read_text("utf-8") for p in files} == files
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base.json", "r.json", "r.md"]
