"""Configuration, waivers, baseline and parallel runs, end to end through the command line."""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from pathlib import Path

import clirun
import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with a pack, drafts and (per test) a configuration file."""
    shutil.copytree(FIXTURES / "acme", tmp_path / "rules/acme")
    (tmp_path / "drafts").mkdir()
    shutil.copy(FIXTURES / "contracts/bad.yaml", tmp_path / "drafts/bad.yaml")
    shutil.copy(FIXTURES / "contracts/good.yaml", tmp_path / "drafts/good.yaml")
    return tmp_path


def cli(repo: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return clirun.cli(*args, cwd=cwd or repo, unset=["NO_COLOR"])


def config(repo: Path, text: str, name: str = "contract-checker.yaml") -> None:
    (repo / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


def findings(r: subprocess.CompletedProcess[str]) -> list[dict[str, object]]:
    return list(json.loads(r.stdout)["findings"])


def rules_of(r: subprocess.CompletedProcess[str]) -> list[tuple[object, ...]]:
    return [(f["file"], f["rule"], f["severity"], "suppression" in f) for f in findings(r)]


def test_config_packs_paths_and_fail_on(repo: Path) -> None:
    config(
        repo,
        """
        packs: [rules/acme]
        paths: [drafts]
        fail_on: never
    """,
    )
    r = cli(repo, "check", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert {f["file"] for f in findings(r)} == {"drafts/bad.yaml"}
    r = cli(repo, "check", "--format", "json", "--fail-on", "error")  # the command line wins
    assert r.returncode == 1


def test_config_is_found_walking_up(repo: Path) -> None:
    config(repo, "packs: [rules/acme]\nfail_on: never\n")
    r = cli(repo, "check", ".", "--format", "json", cwd=repo / "drafts")
    assert r.returncode == 0, r.stderr
    assert {f["file"] for f in findings(r)} == {"bad.yaml"}


def test_pyproject_table(repo: Path) -> None:
    config(
        repo,
        """
        [tool.contract-checker]
        packs = ["rules/acme"]
        rules = {"acme/fee-stated" = "off", "term-long-enough" = "warning"}
    """,
        name="pyproject.toml",
    )
    r = cli(repo, "check", "drafts", "--format", "json")
    rules = {(f["rule"], f["severity"]) for f in findings(r)}
    assert ("term-long-enough", "warning") in rules
    assert not any(rule == "fee-stated" for rule, _ in rules)


def test_packs_apply_to_their_files_only(repo: Path) -> None:
    config(
        repo,
        """
        packs:
          - pack: rules/acme
            files: ["drafts/good*.yaml"]
    """,
    )
    r = cli(repo, "check", "drafts", "--format", "json")
    assert r.returncode == 0
    assert findings(r) == []


def test_params_from_config(repo: Path) -> None:
    config(
        repo,
        """
        packs:
          - pack: rules/acme
            params: {min_term: 6 months}
    """,
    )
    r = cli(repo, "check", "drafts/bad.yaml", "--format", "json")
    assert "term-long-enough" not in {f["rule"] for f in findings(r)}


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (
            "packs: [rules/acme]\nfail_of: never\n",
            "contract-checker.yaml:2:1: error: unknown key `fail_of`\nhint: did you mean `fail_on`?",
        ),
        (
            "packs: [rules/acme]\nfail_on: sometimes\n",
            "contract-checker.yaml:2:10: error: fail_on: 'sometimes' is not one of",
        ),
        (
            "packs: [rules/acme]\nrules: {acme/percent-10: off}\n",
            "contract-checker.yaml:2:9: error: `rules` names an unknown rule `acme/percent-10`\n"
            "hint: did you mean `acme/percent-100`?",
        ),
        (
            "packs: [rules/acme]\nwaivers:\n  - {rule: acme/percent-100}\n",
            "contract-checker.yaml:3:5: error: waivers[0]: 'reason' is a required property",
        ),
        ("packs: [nope]\n", "nope: error: no pack 'nope'"),
        ("packs: [rules/acme\n", "contract-checker.yaml:2:1: error: YAML syntax error"),
    ],
)
def test_config_errors_exit_2_with_a_position(repo: Path, text: str, error: str) -> None:
    config(repo, text)
    r = cli(repo, "check", "drafts")
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr.replace(str(repo) + "/", "").startswith(error), r.stderr


def test_waivers_mark_findings_and_report_expired_and_unused(repo: Path) -> None:
    config(
        repo,
        """
        packs: [rules/acme]
        waivers:
          - rule: acme/percent-100
            files: ["drafts/bad.yaml"]
            reason: 90% agreed with the client; the rest is a bonus
            approver: 张律师
            expires: 2026-12-31
          - rule: term-long-enough
            pointer: /term
            reason: short pilot contract
            expires: 2025-01-01
          - rule: acme/fee-stated
            files: ["drafts/other.yaml"]
            reason: never matches
    """,
    )
    r = cli(repo, "check", "drafts", "--format", "json", "--today", "2025-06-01")
    found = findings(r)
    waived = [f for f in found if "suppression" in f]
    assert [(f["rule"], f["suppression"]) for f in waived] == [
        (
            "percent-100",
            {
                "kind": "waiver",
                "reason": "90% agreed with the client; the rest is a bonus",
                "approver": "张律师",
                "expires": "2026-12-31",
            },
        )
    ]
    by_rule = {f["rule"]: f for f in found}
    expired = by_rule["expired-waiver"]
    assert (expired["file"], expired["line"], expired["severity"]) == (
        "contract-checker.yaml",
        8,
        "error",
    )
    assert expired["message"].startswith("waiver for term-long-enough expired on 2025-01-01")
    assert (
        by_rule["term-long-enough"].get("suppression") is None
    )  # the expired waiver does not apply
    unused = by_rule["unused-waiver"]
    assert (unused["line"], unused["severity"]) == (12, "warning")
    assert json.loads(r.stdout)["summary"]["waived"] == 1
    assert r.returncode == 1  # the expired waiver and the live findings fail the run


def test_waived_findings_do_not_fail_the_run(repo: Path) -> None:
    config(
        repo,
        """
        packs: [rules/acme]
        waivers:
          - {rule: percent-100, reason: accepted}
          - {rule: term-long-enough, reason: accepted}
          - {rule: contract-checker/unreadable-value, reason: accepted}
          - {rule: contract-schema, reason: accepted}
    """,
    )
    r = cli(repo, "check", "drafts/bad.yaml")
    assert r.returncode == 0, r.stdout


def test_baseline_reports_only_new_findings(repo: Path) -> None:
    config(repo, "packs: [rules/acme]\n")
    r = cli(repo, "check", "drafts", "--write-baseline", "baseline.json", "--format", "json")
    assert r.returncode == 1
    assert (repo / "baseline.json").is_file()
    # Reformat the file (lines move) and add a new defect: only the new one is reported.
    bad = repo / "drafts/bad.yaml"
    bad.write_text(
        "\n\n# reformatted\n"
        + bad.read_text("utf-8").replace("percent: 60", "percent: 60.0")
        + "extra_field: 1\n",
        encoding="utf-8",
    )
    r = cli(repo, "check", "drafts", "--baseline", "baseline.json", "--format", "json")
    assert [f["rule"] for f in findings(r)] == ["contract-schema"]
    assert findings(r)[0]["pointer"] == "/extra_field"
    r = cli(repo, "check", "drafts", "--baseline", "missing.json")
    assert r.returncode == 2 and "baseline file not found" in r.stderr


def test_jobs_give_identical_output(repo: Path) -> None:
    for i in range(12):
        shutil.copy(repo / "drafts/bad.yaml", repo / f"drafts/bad{i:02}.yaml")
    config(repo, "packs: [rules/acme]\n")
    one = cli(repo, "check", "drafts", "--format", "json")
    two = cli(repo, "check", "drafts", "--format", "json", "--jobs", "2")
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout
    assert len(findings(one)) == 13 * 6


def test_several_formats_in_one_run(repo: Path) -> None:
    config(repo, "packs: [rules/acme]\n")
    r = cli(repo, "check", "drafts", "--format", "json:out/a.json", "--format", "text")
    assert r.returncode == 1
    assert json.loads((repo / "out/a.json").read_text("utf-8"))["summary"]["findings"] == 6
    assert r.stdout.splitlines()[0] == "drafts/bad.yaml"
    r = cli(repo, "check", "drafts", "--format", "json", "--format", "text")
    assert r.returncode == 2 and "only one format can go to standard output" in r.stderr


def test_waiver_findings_show_in_the_text_output(repo: Path) -> None:
    config(
        repo,
        """
        packs: [rules/acme]
        waivers:
          - {rule: percent-100, reason: pilot, expires: 2025-01-01}
    """,
    )
    r = cli(repo, "check", "drafts", "--today", "2025-06-01")
    assert (
        "contract-checker.yaml\n  3:5      error   waiver for percent-100 expired on 2025-01-01"
        in r.stdout
    )


def test_unused_waivers_are_reported_only_when_the_run_saw_their_files(repo: Path) -> None:
    config(
        repo,
        """
        packs: [rules/acme]
        waivers:
          - {rule: term-long-enough, files: [drafts/bad.yaml], reason: used}
          - {rule: fee-stated, files: [drafts/good.yaml], reason: names good.yaml only}
          - {rule: percent-100, files: ["drafts/good*.yaml"], reason: a glob}
          - {rule: duplicate-key, reason: names no file}
    """,
    )

    def unused(*args: str) -> list[object]:
        r = cli(repo, "check", *args, "--format", "json")
        return [f["line"] for f in findings(r) if f["rule"] == "unused-waiver"]

    assert unused("drafts/bad.yaml") == []  # pre-commit with only bad.yaml changed
    assert unused("drafts/bad.yaml", "drafts/good.yaml") == [4]  # good.yaml was in the run
    assert unused("drafts") == [4, 5]  # the folder of both files (not the whole repository)
    assert unused() == [4, 5, 6]  # the whole configuration


def test_paths_are_relative_to_the_configuration_file(repo: Path) -> None:
    config(repo, "packs: [rules/acme]\npaths: [drafts]\n")
    r = cli(repo, "check", "--format", "json", cwd=repo / "rules")
    assert r.returncode == 1, r.stderr
    assert {f["file"] for f in findings(r)} == {"../drafts/bad.yaml"}


def test_every_error_of_a_configuration_is_reported_at_once(repo: Path) -> None:
    config(
        repo,
        """
        packs: [rules/acme]
        fail_of: never
        lang: fr
        lang: en
        waivers:
          - {rule: acme/percent-100}
          - {rule: x, reason: y, expires: 2025-02-30}
    """,
    )
    r = cli(repo, "check", "drafts")
    assert r.returncode == 2
    assert r.stderr.replace(str(repo) + "/", "").splitlines() == [
        "contract-checker.yaml:2:1: error: unknown key `fail_of`",
        "hint: did you mean `fail_on`?",
        "contract-checker.yaml:4:1: error: duplicate key 'lang' (first defined at line 3); "
        "the last value is used",
        "contract-checker.yaml:6:5: error: waivers[0]: 'reason' is a required property",
        "contract-checker.yaml:7:35: error: 2025-02-30 is not a valid date (day is out of range "
        "for month); it was read as null",
    ]
    config(repo, "packs: [rules/acme]\nrules: {acme/percent-10: off, fee-stat: warning}\n")
    r = cli(repo, "check", "drafts")
    assert r.stderr.replace(str(repo) + "/", "").splitlines() == [
        "contract-checker.yaml:2:9: error: `rules` names an unknown rule `acme/percent-10`",
        "hint: did you mean `acme/percent-100`?",
        "contract-checker.yaml:2:31: error: `rules` names an unknown rule `fee-stat`",
        "hint: did you mean `fee-stated`?",
    ]
