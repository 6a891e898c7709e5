"""`explain`, `docs` and `init` through the real command line."""

from __future__ import annotations

from pathlib import Path

from clirun import cli

ROOT = Path(__file__).resolve().parent.parent


def test_explain_shows_every_step_with_its_value() -> None:
    r = cli(
        "explain",
        "acme/percent-100",
        "tests/fixtures/contracts/bad.yaml",
        "--pack",
        "tests/fixtures/acme",
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "acme/percent-100 (error): Installments add up to 100%",
        "outcome: fail",
        "when:",
        "  exists(payment.installments)  → true",
        "    payment.installments  → [{percent: 30, amount: CNY 30000.00}, {percent: 60, amount: missing}]",
        "      payment  → {installments: [{percent: 30, amount: CNY 30000.00}, {percent: 60, amount: missing}]}",
        "assert:",
        "  total_percent == 100  → false",
        "    total_percent  → 90",
        "finding at /payment/installments: Installments add up to 90%, not 100%.",
    ]


def test_explain_each_rule_shows_every_element() -> None:
    r = cli(
        "explain",
        "amount-positive",
        "tests/fixtures/contracts/good.yaml",
        "--pack",
        "tests/fixtures/acme",
    )
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[1] == "outcome: pass"
    assert "assert, i = payment.installments[0]:" in lines
    assert "assert, i = payment.installments[1]:" in lines
    assert "  i.amount > CNY 0.00  → true" in lines


def test_explain_unknown_rule_suggests() -> None:
    r = cli(
        "explain",
        "percent-10",
        "tests/fixtures/contracts/good.yaml",
        "--pack",
        "tests/fixtures/acme",
    )
    assert r.returncode == 2
    assert "no rule 'percent-10' in the packs; did you mean 'acme/percent-100'?" in r.stderr


def test_docs_writes_a_markdown_reference() -> None:
    r = cli("docs", "tests/fixtures/acme")
    assert r.returncode == 0, r.stderr
    text = r.stdout
    assert text.startswith("# Acme test pack (`acme` 1.0.0)\n")
    assert "| `min_term` | duration | 2 years | shortest acceptable term |" in text
    assert "| [`acme/percent-100`](#percent-100) | error | Installments add up to 100% |" in text
    assert "- 民法典 art. 510 (statute)" in text


def test_init_scaffolds_a_pack_whose_tests_pass(tmp_path: Path) -> None:
    r = cli("init", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "contract-checker.yaml").is_file()
    r = cli("test", str(tmp_path / "rules/my-pack"))
    assert r.returncode == 0, r.stdout
    assert r.stdout.splitlines()[0] == "my-pack (2 cases) .."
    r = cli("init", str(tmp_path))
    assert r.returncode == 2 and "already exists: nothing was written" in r.stderr


def test_packs_lists_the_builtin_packs() -> None:
    r = cli("packs")
    assert r.returncode == 0
    names = [line.split()[0] for line in r.stdout.splitlines()]
    assert names == ["document", "drafting", "pipl-customer-data", "prc-service-contract"]
    assert all("rules" in line for line in r.stdout.splitlines())


def test_progress_is_shown_for_long_runs_on_a_terminal(capsys: object) -> None:
    from checker.cli_check import _Progress

    shown = _Progress(enabled=True)
    for i in range(1, 26):
        shown(i, 25)
    shown.clear()
    silent = _Progress(enabled=False)
    for i in range(1, 26):
        silent(i, 25)
    short = _Progress(enabled=True)
    for i in range(1, 6):
        short(i, 5)
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert err == ("\rchecking 10/25 files\rchecking 20/25 files\rchecking 25/25 files\r\033[K")


def test_a_failure_of_the_checker_on_one_file_is_a_finding_and_the_others_are_checked(
    monkeypatch: object,
) -> None:
    import checker
    from checker.runner import check_file

    pack = checker.load_pack(ROOT / "tests/fixtures/acme")
    good = ROOT / "tests/fixtures/contracts/good.yaml"
    bad = ROOT / "tests/fixtures/contracts/bad.yaml"
    real_run = pack.run

    def broken_on_bad(data: object, today: object = None, *rest: object) -> object:
        if "totl" in str(data):
            raise ZeroDivisionError("a bug")
        return real_run(data, today, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(pack, "run", broken_on_bad)  # type: ignore[attr-defined]
    [finding] = check_file(bad, [pack]).findings
    assert (finding.rule, finding.severity, finding.message) == (
        "internal-error",
        "error",
        "contract-checker failed on this file (ZeroDivisionError: a bug); please report it",
    )
    assert check_file(good, [pack]).findings == []


def test_the_command_line_never_prints_a_traceback(monkeypatch: object, capsys: object) -> None:
    import pytest

    from checker import cli

    def boom(**_: object) -> None:  # as click's main, which run() passes its context obj
        raise RuntimeError("unexpected")

    monkeypatch.setattr(cli, "main", boom)  # type: ignore[attr-defined]
    monkeypatch.delenv("CONTRACT_CHECKER_DEBUG", raising=False)  # type: ignore[attr-defined]
    with pytest.raises(SystemExit) as info:
        cli.run()
    assert info.value.code == 2
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert err.startswith(
        "contract-checker: internal error (RuntimeError: unexpected); please report it"
    )
    assert "Traceback" not in err


# -- explain and test read the configuration, as check does ---------------------------------

ACME = ROOT / "tests/fixtures/acme"
BAD = ROOT / "tests/fixtures/contracts/bad.yaml"


def _configure(folder: Path, text: str) -> Path:
    config = folder / "contract-checker.yaml"
    config.write_text(text, encoding="utf-8")
    return config


def test_explain_uses_the_configured_packs_params_and_severities(tmp_path: Path) -> None:
    config = _configure(
        tmp_path,
        f"packs:\n  - pack: {ACME}\n    params: {{min_term: 6 months}}\n"
        "rules:\n  acme/term-long-enough: warning\n",
    )
    r = cli("explain", "term-long-enough", str(BAD), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[:2] == [
        "acme/term-long-enough (warning): Term is long enough",
        "outcome: pass",
    ]
    assert "    params.min_term  → 6 months" in r.stdout.splitlines()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    r = cli("explain", "term-long-enough", str(BAD), "--config", str(config), cwd=elsewhere)
    assert r.stdout.splitlines()[:2] == [
        "acme/term-long-enough (warning): Term is long enough",
        "outcome: pass",
    ]
    r = cli(
        "explain", "term-long-enough", str(BAD), "--no-config", "--pack", str(ACME), cwd=tmp_path
    )
    assert r.stdout.splitlines()[:2] == [
        "acme/term-long-enough (error): Term is long enough",
        "outcome: fail",
    ]


def test_explain_says_why_a_configured_rule_is_not_run(tmp_path: Path) -> None:
    config = _configure(
        tmp_path,
        f"packs:\n  - pack: {ACME}\n    files: ['drafts/**']\nrules:\n  fee-stated: off\n",
    )
    r = cli("explain", "acme/percent-100", str(BAD), cwd=tmp_path)
    assert (r.returncode, r.stderr) == (
        2,
        f"contract-checker: acme/percent-100 does not apply to {BAD}: {config} uses pack acme "
        "only for drafts/**\n",
    )
    (tmp_path / "drafts").mkdir()
    draft = tmp_path / "drafts" / "a.yaml"
    draft.write_text(BAD.read_text("utf-8"), encoding="utf-8")
    r = cli("explain", "acme/fee-stated", "drafts/a.yaml", cwd=tmp_path)
    assert (r.returncode, r.stderr) == (
        2,
        f"contract-checker: acme/fee-stated is turned off in {config} (rules: fee-stated: off)\n",
    )
    assert cli("explain", "acme/percent-100", "drafts/a.yaml", cwd=tmp_path).returncode == 0
    r = cli(
        "explain", "percent-100", str(draft), "--config", str(config), "--no-config", cwd=tmp_path
    )
    assert (r.returncode, r.stderr) == (
        2,
        "contract-checker: --config and --no-config contradict each other: give one\n",
    )


def test_pack_tests_run_with_the_configured_packs_and_params(tmp_path: Path) -> None:
    pack = tmp_path / "rules" / "p"
    (pack / "tests").mkdir(parents=True)
    for name in ("pack.yaml", "schema.json"):
        (pack / name).write_text((ACME / name).read_text("utf-8"), encoding="utf-8")
    (pack / "tests" / "short.yaml").write_text(
        "description: one year is too short\ncontract: {term: 1 year}\n"
        "expect:\n  fail: [term-long-enough]\n",
        encoding="utf-8",
    )
    _configure(tmp_path, "packs:\n  - pack: rules/p\n    params: {min_term: 6 months}\n")
    r = cli("test", cwd=tmp_path)  # the configuration's packs, not the built-in ones
    assert r.returncode == 1
    assert r.stdout.splitlines()[0] == "p [min_term=6 months] (1 case) F"
    assert "  term-long-enough: expected fail, got pass" in r.stdout
    r = cli("test", "rules/p", cwd=tmp_path)  # a named pack gets its configured params too
    assert (r.returncode, r.stdout.splitlines()[0]) == (1, "p [min_term=6 months] (1 case) F")
    r = cli("test", "rules/p", "--no-config", cwd=tmp_path)
    assert (r.returncode, r.stdout.splitlines()[0]) == (0, "p (1 case) .")
    other = _configure(tmp_path / "rules", "packs: [p]\n")  # `p` relative to this file
    r = cli("test", "--config", str(other), cwd=tmp_path)
    assert (r.returncode, r.stdout.splitlines()[0]) == (0, "p (1 case) ."), r.stdout + r.stderr


def test_readme_lists_every_command_with_every_option() -> None:
    import click

    from checker.cli import main

    rows = [
        line
        for line in (ROOT / "README.md").read_text("utf-8").splitlines()
        if line.startswith("| `contract-checker ")
    ]
    for name, command in main.commands.items():
        row = next((r for r in rows if f"`contract-checker {name}" in r or f"/ `{name}" in r), "")
        assert row, f"README's command table has no row for `{name}`"
        for param in command.params:
            if isinstance(param, click.Option):
                for opt in param.opts + param.secondary_opts:
                    assert f"`{opt}" in row, f"README's row for `{name}` lacks {opt}"
