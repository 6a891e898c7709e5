"""`contract-checker check`: its options, the run, and where each report goes."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Final

import click

from .cli_common import (
    EXIT_FINDINGS,
    EXIT_OK,
    config_options,
    fail,
    load_cli_config,
    load_plan,
    parse_today,
    show_warnings,
    write_file,
)
from .inputs.contracts import RecordOptions, as_contract, is_document, record_format
from .inputs.document import read_document
from .inputs.loader import MAX_FILE_SIZE, Format, LoadedContract, load_text
from .outputs import (
    BINARY,
    EXAMPLE,
    FORMATS,
    STREAMED,
    Output,
    OutputError,
    plan_outputs,
    renderer,
)
from .report import RunResult, json_format
from .ruleselect import SelectionError, apply_selection
from .runner import FileResult, check_file
from .session import (
    Plan,
    apply_baseline,
    apply_waivers,
    build_report,
    outside_link_result,
    run_files,
    select_files,
    skip_notes,
    waiver_findings,
)

STDIN = "-"
_STDIN_FORMATS: dict[str, Format] = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}

GC_THRESHOLD: Final = 50_000
"""Allocations between passes of the cyclic collector in the console entry point's
process (`cli.run` sets it; a check run there also freezes what loading the packs made)."""
OWN_PROCESS: Final = "contract-checker: own process"
"""The command context's `obj` when `cli.run` (the console entry point) started it: the
process is the checker's alone, so its collector may be tuned (never in a library caller's
or a test runner's process)."""


def _records_problem(
    outputs: Sequence[Output],
    record_files: Sequence[Path],
    options: RecordOptions,
) -> str | None:
    """What makes the command line unusable for these record files, or None; the record
    machinery (checker.portfolio) is loaded only when record files or formats are in play."""
    if (
        not record_files
        and options.scheduler is None
        and all(o.fmt not in STREAMED for o in outputs)
    ):
        return None
    from .portfolio.cli import usage_problem

    return usage_problem(outputs, record_files, options)


def use_color(option: bool | None, to_terminal: bool) -> bool:
    """Colour the text output? `--color`/`--no-color` decide; else NO_COLOR (no-color.org)
    turns it off, FORCE_COLOR (force-color.org) on, NO_COLOR winning when both are set
    (any non-empty value counts); else only on a terminal."""
    if option is not None:
        return option
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return to_terminal


class _Progress:
    """`checking 120/500 files` on a terminal's stderr, for runs long enough to need it."""

    def __init__(self, enabled: bool, unit: str = "files") -> None:
        self.enabled = enabled
        self.shown = False
        self.unit = unit

    def __call__(self, done: int, total: int) -> None:
        # Records come a partition at a time: each is worth showing.
        every = 10 if self.unit == "files" else 1
        if self.enabled and total >= 20 and (done % every == 0 or done == total):
            click.echo(f"\rchecking {done}/{total} {self.unit}", err=True, nl=False)
            self.shown = True

    def clear(self) -> None:
        if self.shown:
            click.echo("\r\033[K", err=True, nl=False, color=True)  # erase the line


def _check_stdin(plan: Plan, name: str | None) -> FileResult:
    """The contract on standard input, named `name` (for packs' file globs, the format
    by its extension — YAML, which also reads JSON, when it has none — and reports)."""
    display = name or STDIN
    fmt = _STDIN_FORMATS.get(Path(display).suffix.lower()) if name else None
    raw = sys.stdin.buffer.read(MAX_FILE_SIZE + 1)  # bounded, as a file is
    loaded: LoadedContract
    if is_document(display):  # a .md/.txt/.docx name: the draft itself
        loaded = as_contract(read_document(raw, display), plan.is_template(display))
    else:
        loaded = load_text(raw, display, fmt=fmt)
    return check_file(
        Path(display),
        plan.packs_for(display),
        plan.today,
        display,
        rule_ids=plan.rule_ids(),
        loaded=loaded,
    )


@click.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--pack",
    "packs",
    multiple=True,
    help="Rule pack: a built-in name or a pack file (repeatable). Replaces the "
    "configuration's packs; default: all built-in packs.",
)
@config_options
@click.option(
    "--format",
    "formats",
    multiple=True,
    metavar="FORMAT[:PATH]",
    help=f"Output format ({', '.join([*FORMATS, *STREAMED])}) and the file it goes to; "
    "repeatable, e.g. "
    f"{EXAMPLE}. Without a path: standard output (one format at most). Default: text.",
)
@click.option(
    "--output",
    "-o",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file; only with a single --format (several formats: "
    "--format FORMAT:PATH each).",
)
@click.option(
    "--select",
    multiple=True,
    metavar="RULE",
    help="Run only these rules: `pack/rule`, a pack (`drafting` or `drafting/`) or a rule id "
    "(repeatable, or comma-separated). The checker's own findings are always reported.",
)
@click.option(
    "--ignore",
    multiple=True,
    metavar="RULE",
    help="Do not run these rules (as --select names them); applied after --select.",
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
    "--scheduler",
    metavar="ADDRESS",
    help="Check the records of record files on this Dask scheduler (tcp://host:8786) "
    "instead of here; needs the `dask` extra. Without it, --jobs processes check them.",
)
@click.option(
    "--record-id",
    "record_id",
    default="id",
    show_default=True,
    metavar="FIELD",
    help="The field (column) of record files (.jsonl, .ndjson, .parquet: one contract per "
    "line or row) that names each record in the findings.",
)
@click.option(
    "--partition-size",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    metavar="N",
    help="Records per partition of a record file: the unit of work sent to a worker.",
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
    "--stdin-filename",
    metavar="PATH",
    help="With `-` as the path: the name of the contract read from standard input, for the "
    "configuration's file globs, its format (.json or YAML) and the reports.",
)
@click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="Text output lists the findings only: no summary line, no progress, nothing when "
    "there are none. Errors are still reported; other formats are unchanged.",
)
@click.option(
    "--color/--no-color",
    default=None,
    help="Colour the text output (default: on a terminal; NO_COLOR set: never; "
    "FORCE_COLOR set: also when piped).",
)
@click.option(
    "--documents",
    is_flag=True,
    help="In folders, read .md/.markdown/.txt/.docx drafts too (README, LICENSE and the "
    "like left out); a file named is always read. The configuration's `documents` may "
    "say so instead.",
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
    no_config: bool,
    formats: tuple[str, ...],
    output: Path | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str | None,
    lang: str | None,
    today: str | None,
    jobs: int,
    scheduler: str | None,
    record_id: str,
    partition_size: int,
    baseline: Path | None,
    write_baseline: Path | None,
    stdin_filename: str | None,
    quiet: bool,
    color: bool | None,
    documents: bool,
    verbose: bool,
) -> None:
    """Check contract files and folders (recursively) against rule packs; `-` reads one
    contract from standard input.

    Folders are listed without what git ignores; the tool's own files (configuration,
    packs, pack tests) and YAML/JSON files that are not contracts are skipped. Drafts
    (.md, .markdown, .txt, .docx) are read as documents when named, and in folders with
    --documents or the configuration's `documents`. Record files named (.jsonl, .ndjson,
    .parquet) hold one contract per line or row, checked here or on a Dask cluster
    (--scheduler).

    Exit status: 0 when no finding at or above --fail-on is reported (waived findings
    do not count); 1 when one is; 2 for a usage, configuration or rule-pack error.
    """
    today_date = parse_today(today)
    try:
        outputs = plan_outputs(formats, output)
    except OutputError as exc:
        fail(str(exc))
    from_stdin = STDIN in (str(p) for p in paths)
    if from_stdin and len(paths) > 1:
        fail("`-` (standard input) cannot be checked together with other paths")
    if stdin_filename is not None and not from_stdin:
        fail("--stdin-filename names the contract read from standard input: give `-` as the path")
    config = load_cli_config(config_path, no_config)
    plan = load_plan(config, packs, today_date, baseline or config.baseline)
    if click.get_current_context().find_root().obj == OWN_PROCESS:
        gc.freeze()  # the packs live to the end: later collections need not walk them again
    plan.all_documents = documents
    show_warnings(w for pack in plan.all_packs for w in pack.warnings)
    try:
        apply_selection(plan.all_packs, select, ignore, config.severity, config.disabled)
    except SelectionError as exc:
        fail(str(exc))
    record_files: list[Path] = []
    options = RecordOptions(scheduler, record_id, partition_size, jobs)
    if from_stdin:
        problem = _records_problem(outputs, [], options)
        if problem is not None:
            fail(problem)
        # An explicitly named file is checked even if `exclude` matches it (as ruff does).
        checked = [_check_stdin(plan, stdin_filename)]
    else:
        targets = list(paths) or [Path(p) for p in config.paths] or [Path(".")]
        selection = select_files(plan, targets)
        if selection.missing:
            fail("; ".join(f"{p}: {why}" for p, why in selection.missing))
        # Record files (one contract per line or row) are checked apart, partition by partition.
        record_files = [Path(p) for p in selection.files if record_format(p)]
        selection.files = [p for p in selection.files if not record_format(p)]
        problem = _records_problem(outputs, record_files, options)
        if problem is not None:
            fail(problem)
        progress = _Progress(sys.stderr.isatty() and not quiet)
        checked = [outside_link_result(link, target) for link, target in selection.outside_links]
        checked += run_files(plan, selection.files, jobs or os.cpu_count() or 1, progress)
        progress.clear()
        for note in skip_notes(selection, checked, verbose, others=bool(record_files)):
            click.echo(f"contract-checker: {note}", err=True)
    language = lang or config.lang or "en"
    rendered = [o for o in outputs if o.fmt not in STREAMED]
    if record_files or len(rendered) < len(outputs):
        # Findings go to the streamed formats as they come; the others get them all at the end.
        from .portfolio.cli import echo_notes, record_notes, run_streamed

        progress = _Progress(sys.stderr.isatty() and not quiet, "records")
        streamed = run_streamed(
            plan,
            checked,
            record_files,
            outputs,
            bool(rendered) or write_baseline is not None,
            language,
            options,
            progress,
            fail,
        )
        progress.clear()
        to_stdout = any(o.fmt == "text" and o.path is None for o in rendered)
        echo_notes(record_notes(streamed, record_files, to_stdout or quiet))
        results, report, live = streamed.kept, streamed.report, streamed.live
    else:
        results = [apply_baseline(plan, apply_waivers(plan, r)) for r in checked]
        report = build_report(results, waiver_findings(plan), plan)
        live = {f.severity for f in report.findings if f.suppression is None}
    run = RunResult(results, report, language, plan.all_packs)
    _emit(run, rendered, write_baseline, quiet, color)
    threshold = fail_on or config.fail_on or "error"
    sys.exit(EXIT_FINDINGS if _fails(live, threshold) else EXIT_OK)


def _emit(
    run: RunResult,
    outputs: list[Output],
    write_baseline: Path | None,
    quiet: bool = False,
    color: bool | None = None,
) -> None:
    """Render every report first, then write them: a format that fails leaves every
    report file as it was, and each file is replaced whole (never half-written)."""
    rendered: list[tuple[Output, str | bytes, bool]] = []
    for out in outputs:
        if out.fmt in BINARY and out.path is None and sys.stdout.isatty():
            fail(
                f"--format {out.fmt} writes a binary file: give it one, e.g. --format {out.fmt}:review.{out.fmt}"
            )
        # A report file is coloured only on request: the environment speaks of terminals.
        painted = out.fmt == "text" and (
            use_color(color, sys.stdout.isatty()) if out.path is None else color is True
        )
        render = renderer(out.fmt)
        try:
            text = render(run, color=painted, quiet=quiet) if out.fmt == "text" else render(run)
        except OutputError as exc:
            fail(str(exc))
        rendered.append((out, text, painted))
    if write_baseline is not None:
        write_file(write_baseline, json_format.render(run))
    for out, text, painted in rendered:
        if out.path is not None:
            write_file(out.path, text)
        elif isinstance(text, bytes):
            sys.stdout.buffer.write(text)
            sys.stdout.buffer.flush()
        else:
            # click strips colour codes unless told the stream should have them.
            click.echo(text, nl=False, color=painted)


_RANK = {"info": 0, "warning": 1, "error": 2}


def _fails(severities: Collection[str], fail_on: str) -> bool:
    """Whether findings of these severities (not waived) fail the run at `--fail-on`."""
    if fail_on == "never":
        return False
    return any(_RANK[s] >= _RANK[fail_on] for s in severities)
