"""The `contract-checker` command line: parses arguments and hands each command to its stage."""

from __future__ import annotations

import datetime as _dt
import importlib
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NoReturn

import click

from . import __version__
from .api import Pack, PackError, load_packs
from .config import CONFIG_SCHEMA, Config, ConfigError, find_config, load_config
from .lang import ExprError, Missing, Program
from .lang.values import EvalError, dumps
from .loader import load_file
from .models import Finding
from .pack import PackProblem, builtin_packs
from .packschema import FINDINGS_SCHEMA, PACK_SCHEMA, PACK_TEST_SCHEMA
from .report import RunResult, json_format
from .schema import ContractSchema, SchemaError, resolve_schema_path
from .session import (
    apply_baseline,
    apply_waivers,
    build_report,
    make_plan,
    outside_link_result,
    run_files,
    select_files,
    skip_notes,
    waiver_findings,
)

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


def _fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    click.echo(f"contract-checker: {message}", err=True)
    sys.exit(code)


def _parse_today(value: str | None) -> _dt.date | None:
    if value is None:
        return None
    try:
        return _dt.date.fromisoformat(value)
    except ValueError:
        _fail(f"--today must be a date like 2025-01-31, not {value!r}")


def run() -> None:
    """The console entry point: `main`, with any failure of the checker itself said in one
    line (exit 2) instead of a traceback; CONTRACT_CHECKER_DEBUG=1 shows the traceback."""
    try:
        main()
    except Exception as exc:
        if os.environ.get("CONTRACT_CHECKER_DEBUG"):
            raise
        _fail(
            f"internal error ({type(exc).__name__}: {exc}); please report it, with "
            "CONTRACT_CHECKER_DEBUG=1 set to see where it happened"
        )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="contract-checker")
def main() -> None:
    """Check contract drafts (YAML/JSON) against rule packs."""


@main.command("eval")
@click.argument("expression")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--today", help="The date today() returns (YYYY-MM-DD); default: the real date.")
@click.option(
    "--schema", "schema_ref", help="Contract schema: a built-in name or a JSON Schema file."
)
def eval_command(
    expression: str, file: Path | None, today: str | None, schema_ref: str | None
) -> None:
    """Evaluate EXPRESSION against the contract FILE and print the value as JSON.

    Exit status: 0 with a value; 1 when the value is missing or evaluation failed at run
    time; 2 for a syntax or type error in the expression (or an unusable FILE or schema).
    """
    today_date = _parse_today(today)
    schema: ContractSchema | None = None
    if schema_ref:
        try:
            schema = ContractSchema.load(schema_ref, Path.cwd())
        except SchemaError as exc:
            _fail(str(exc))
    program = Program(data_type=schema.static_type) if schema else Program()
    try:
        compiled = program.compile(expression)
    except ExprError as exc:
        click.echo(exc.render("<expr>"), err=True)
        sys.exit(EXIT_USAGE)
    data: dict[str, Any] = {}
    if file is not None:
        loaded = load_file(file)
        if loaded.data is None:
            problem = loaded.problems[0] if loaded.problems else None
            where = (
                f"{file}:{problem.line}:{problem.column}" if problem and problem.line else str(file)
            )
            _fail(f"{where}: {problem.message if problem else 'cannot read the file'}")
        for p in loaded.problems:
            where = f"{file}:{p.line}:{p.column}" if p.line else str(file)
            click.echo(f"{where}: warning: {p.message}", err=True)
        data = loaded.data
        if schema is not None:
            data, problems = schema.apply(data)
            for sp in problems:
                pos = (
                    loaded.positions.get(sp.path)
                    if not sp.key
                    else loaded.key_positions.get(sp.path)
                )
                where = f"{file}:{pos.line}:{pos.column}" if pos else str(file)
                click.echo(f"{where}: warning: {sp.message}", err=True)
    try:
        value = compiled.run(program.env(data, today=today_date))
    except EvalError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_FINDINGS)
    if isinstance(value, Missing):
        click.echo(f"missing: {value.describe()}", err=True)
        sys.exit(EXIT_FINDINGS)
    click.echo(dumps(value))


def _color(stream_is_tty: bool, option: bool | None) -> bool:
    if option is not None:
        return option
    return stream_is_tty and not os.environ.get("NO_COLOR")


def _load_packs(refs: tuple[str, ...]) -> list[Pack]:
    chosen = list(refs) or list(builtin_packs())
    try:
        return load_packs(chosen)
    except PackError as exc:
        click.echo(exc.render(), err=True)
        sys.exit(EXIT_USAGE)


FORMATS = {
    "text": "text",
    "json": "json_format",
    "sarif": "sarif",
    "junit": "junit",
    "github": "github",
    "markdown": "markdown",
}


def _renderer(fmt: str) -> Callable[..., str]:
    module = importlib.import_module(f"checker.report.{FORMATS[fmt]}")
    render: Callable[..., str] = module.render
    return render


def _config(path: Path | None) -> Config:
    try:
        if path is not None:
            return load_config(path)
        found = find_config(Path.cwd())
        return load_config(found) if found else Config()
    except ConfigError as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_USAGE)


class _Progress:
    """`checking 120/500 files` on a terminal's stderr, for runs long enough to need it."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if self.enabled and total >= 20 and (done % 10 == 0 or done == total):
            click.echo(f"\rchecking {done}/{total} files", err=True, nl=False)
            self.shown = True

    def clear(self) -> None:
        if self.shown:
            click.echo("\r\033[K", err=True, nl=False, color=True)  # erase the line


@main.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--pack",
    "packs",
    multiple=True,
    help="Rule pack: a built-in name or a pack file (repeatable). Replaces the "
    "configuration's packs; default: all built-in packs.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Configuration file (default: contract-checker.yaml or [tool.contract-checker] "
    "in pyproject.toml, found walking up from here).",
)
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(list(FORMATS)),
    help="Output format (repeatable; pair each with an --output). Default: text.",
)
@click.option(
    "--output",
    "-o",
    "outputs",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the N-th --format to this file (default: standard output).",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info", "never"]),
    help="Exit 1 when a finding of this severity or above is reported (default: error).",
)
@click.option(
    "--lang", type=click.Choice(["en", "zh"]), help="Language of the messages (default: en)."
)
@click.option("--today", help="The date today() returns (YYYY-MM-DD), for reproducible CI runs.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Check files in this many processes (0: one per CPU); output order is the same.",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A previous JSON report: report only findings that are new against it.",
)
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write this run's findings as a baseline (a JSON report) to this file.",
)
@click.option(
    "--color/--no-color",
    default=None,
    help="Colour the text output (default: on a terminal, unless NO_COLOR is set).",
)
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="List on stderr every file left out and why (files named are always listed).",
)
def check_command(
    paths: tuple[Path, ...],
    packs: tuple[str, ...],
    config_path: Path | None,
    formats: tuple[str, ...],
    outputs: tuple[Path, ...],
    fail_on: str | None,
    lang: str | None,
    today: str | None,
    jobs: int,
    baseline: Path | None,
    write_baseline: Path | None,
    color: bool | None,
    verbose: bool,
) -> None:
    """Check contract files and folders (recursively) against rule packs.

    Folders are listed without what git ignores; the tool's own files (configuration,
    packs, pack tests) and YAML/JSON files that are not contracts are skipped.

    Exit status: 0 when no finding at or above --fail-on is reported (waived findings
    do not count); 1 when one is; 2 for a usage, configuration or rule-pack error.
    """
    today_date = _parse_today(today)
    config = _config(config_path)
    fmts = list(formats) or ["text"]
    if len(outputs) > len(fmts):
        _fail("more --output than --format options: pair each output with a format")
    if len(fmts) - len(outputs) > 1:
        _fail("only one format can go to standard output: give an --output for the others")
    try:
        plan = make_plan(config, packs, today_date, baseline or config.baseline)
    except PackError as exc:
        click.echo(exc.render(), err=True)
        sys.exit(EXIT_USAGE)
    except ConfigError as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_USAGE)
    _show_warnings(w for pack in plan.all_packs for w in pack.warnings)
    targets = list(paths) or [Path(p) for p in config.paths] or [Path(".")]
    selection = select_files(plan, targets)
    if selection.missing:
        _fail("; ".join(f"{p}: {why}" for p, why in selection.missing))
    progress = _Progress(sys.stderr.isatty())
    workers = jobs or os.cpu_count() or 1
    results = [
        apply_waivers(plan, outside_link_result(link, target))
        for link, target in selection.outside_links
    ]
    for result in run_files(plan, selection.files, workers, progress):
        results.append(apply_baseline(plan, apply_waivers(plan, result)))
    progress.clear()
    for note in skip_notes(selection, results, verbose):
        click.echo(f"contract-checker: {note}", err=True)
    report = build_report(results, waiver_findings(plan), plan)
    run = RunResult(results, report, lang or config.lang or "en", plan.all_packs)
    if write_baseline is not None:
        _write(write_baseline, json_format.render(run))
    for i, fmt in enumerate(fmts):
        target = outputs[i] if i < len(outputs) else None
        use_color = fmt == "text" and _color(target is None and sys.stdout.isatty(), color)
        text = _renderer(fmt)(run, color=use_color) if fmt == "text" else _renderer(fmt)(run)
        if target is not None:
            _write(target, text)
        else:
            # click strips colour codes unless told the stream should have them.
            click.echo(text, nl=False, color=use_color)
    threshold = fail_on or config.fail_on or "error"
    live = [f for f in report.findings if f.suppression is None]
    sys.exit(EXIT_FINDINGS if _fails(live, threshold) else EXIT_OK)


def _show_warnings(warnings: Iterable[PackProblem]) -> None:
    """Each pack warning once on stderr (packs that extend one another share rules)."""
    seen: set[str] = set()
    for warning in warnings:
        text = warning.render()
        if text not in seen:
            seen.add(text)
            click.echo(text + "\n", err=True)


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"cannot write {path}: {exc.strerror or exc}")


_RANK = {"info": 0, "warning": 1, "error": 2}


def _fails(findings: list[Finding], fail_on: str) -> bool:
    if fail_on == "never":
        return False
    return any(_RANK[f.severity] >= _RANK[fail_on] for f in findings)


@main.command("packs")
def packs_command() -> None:
    """List the built-in rule packs."""
    for name, path in builtin_packs().items():
        try:
            pack = load_packs([str(path)])[0]
        except PackError as exc:
            click.echo(exc.render(), err=True)
            sys.exit(EXIT_USAGE)
        click.echo(f"{name:<24} {pack.version:<8} {len(pack.rules):>3} rules  {pack.title}")


@main.command("rules")
@click.argument("packs", nargs=-1)
def rules_command(packs: tuple[str, ...]) -> None:
    """List the rules of packs (default: all built-in packs) with severity and title."""
    seen: set[tuple[str, str]] = set()
    for pack in _load_packs(packs):
        for rule in pack.rules:
            if (rule.pack, rule.id) in seen:
                continue
            seen.add((rule.pack, rule.id))
            click.echo(f"{rule.pack + '/' + rule.id:<60} {rule.severity:<8} {rule.title}")


@main.command("schema")
@click.argument("which", type=click.Choice(["pack", "contract", "findings", "config", "pack-test"]))
def schema_command(which: str) -> None:
    """Print a JSON Schema: of rule packs, of the service contract, of the JSON report, of
    the configuration file, or of pack test files (the schemas the checker itself uses)."""
    import json

    if which == "pack":
        doc: Any = PACK_SCHEMA
    elif which == "findings":
        doc = FINDINGS_SCHEMA
    elif which == "config":
        doc = CONFIG_SCHEMA
    elif which == "pack-test":
        doc = PACK_TEST_SCHEMA
    else:
        doc = json.loads(resolve_schema_path("service-contract").read_text(encoding="utf-8"))
    click.echo(json.dumps(doc, ensure_ascii=False, indent=2))


@main.command("test")
@click.argument("packs", nargs=-1)
@click.option("-v", "--verbose", is_flag=True, help="Name every case, not only the failures.")
def test_command(packs: tuple[str, ...], verbose: bool) -> None:
    """Run rule-pack tests: the cases in each pack's tests/ folder (default: built-in packs).

    Exit status: 0 when every case passes; 1 when one fails; 2 when a test file cannot
    run as written (unknown key, empty `expect`, a contract outside the pack) or a pack
    named cannot be found.
    """
    import time

    from .packtest import case_files, pack_files, pack_warnings, run_pack_tests

    started = time.perf_counter()
    try:
        files = pack_files(packs)
    except PackError as exc:
        click.echo(exc.render(), err=True)
        sys.exit(EXIT_USAGE)
    passed = failed = errors = 0
    failures = []
    _show_warnings(w for pack_file in files for w in pack_warnings(pack_file))
    for pack_file in files:
        n = len(case_files(pack_file))
        label = pack_file.parent.name
        marks = []
        for case in run_pack_tests(pack_file):
            if case.ok:
                passed += 1
                marks.append(".")
            else:
                # A test file that cannot run as written is an error, like pytest's
                # collection errors: it says nothing about the pack.
                errors += bool(case.errors)
                failed += not case.errors
                marks.append("E" if case.errors else "F")
                failures.append(case)
            if verbose:
                status = "ERROR" if case.errors else "PASSED" if case.ok else "FAILED"
                click.echo(f"{case.file}: {status} {case.description}")
        if not verbose:
            click.echo(f"{label} ({n} case{'s' if n != 1 else ''}) {''.join(marks)}")
    for case in failures:
        status = "ERROR" if case.errors else "FAILED"
        about = f" — {case.description}" if case.description else ""
        click.echo(f"\n{status} {case.file}{about}")
        for problem in case.problems:
            click.echo(f"  {problem}")
        for error in case.errors:
            click.echo(error.render())
    elapsed = time.perf_counter() - started
    summary = f"{passed} passed, {failed} failed"
    if errors:
        summary += f", {errors} error{'s' if errors != 1 else ''}"
    click.echo(f"\n{summary} in {elapsed:.2f}s")
    if passed + failed + errors == 0:
        click.echo("no pack tests found", err=True)
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_USAGE if errors else EXIT_FINDINGS if failed else EXIT_OK)


def _contract_for(pack: Pack, file: Path) -> dict[str, Any]:
    loaded = load_file(file)
    if loaded.data is None:
        problem = loaded.problems[0]
        where = f"{file}:{problem.line}:{problem.column}" if problem.line else str(file)
        _fail(f"{where}: {problem.message}")
    data, _ = pack.typed(loaded.data)
    return data


@main.command("explain")
@click.argument("rule")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--pack", "packs", multiple=True, help="Packs to look in (default: built-in packs).")
@click.option("--today", help="The date today() returns (YYYY-MM-DD).")
def explain_command(rule: str, file: Path, packs: tuple[str, ...], today: str | None) -> None:
    """Show how RULE (`pack/rule` or a rule id) evaluated on FILE: every sub-expression
    with its value."""
    from .explain import explain, find_rule

    loaded_packs = _load_packs(packs)
    found = find_rule(loaded_packs, rule)
    if found is None:
        from .lang.typecheck import suggest

        ids = [f"{r.pack}/{r.id}" for p in loaded_packs for r in p.rules]
        near = suggest(rule, ids) or suggest(rule, [i.split("/")[1] for i in ids])
        _fail(f"no rule {rule!r} in the packs" + (f"; did you mean {near!r}?" if near else ""))
    pack, compiled = found
    data = _contract_for(pack, file)
    for line in explain(pack, compiled, data, _parse_today(today)):
        click.echo(line)


@main.command("docs")
@click.argument("pack")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the Markdown to this file instead of standard output.",
)
def docs_command(pack: str, output: Path | None) -> None:
    """Write a Markdown reference of PACK (a built-in name or a pack file)."""
    from .packdoc import render

    text = render(_load_packs((pack,))[0])
    if output is None:
        click.echo(text, nl=False)
    else:
        _write(output, text)


@main.command("init")
@click.argument("folder", default=".", type=click.Path(file_okay=False, path_type=Path))
def init_command(folder: Path) -> None:
    """Create a configuration and a custom pack with one tested rule in FOLDER."""
    from .scaffold import scaffold

    try:
        written = scaffold(folder)
    except FileExistsError as exc:
        _fail(f"{exc.args[0]} already exists: nothing was written")
    for path in written:
        click.echo(f"created {path}")
    click.echo("next: contract-checker test rules/my-pack, then contract-checker check")
