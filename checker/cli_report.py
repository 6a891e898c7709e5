"""`contract-checker report`: a saved JSON report rendered again in other formats."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .cli_check import _emit
from .cli_common import EXIT_OK, fail
from .outputs import EXAMPLE, FORMATS, OutputError, plan_outputs
from .report.saved import SavedReportError, load_saved

# A Word review copy needs the draft itself, which a saved report does not hold.
REPORT_FORMATS = [f for f in FORMATS if f != "docx"]


@click.command("report")
@click.argument("findings", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "formats",
    multiple=True,
    metavar="FORMAT[:PATH]",
    help=f"Output format ({', '.join(REPORT_FORMATS)}) and the file it goes to; repeatable, "
    f"e.g. {EXAMPLE}. Without a path: standard output (one format at most). Default: text.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file; only with a single --format.",
)
@click.option(
    "--lang",
    type=click.Choice(["en", "zh"]),
    default="en",
    help="Language of the report's own words (the messages stay as saved).",
)
def report_command(
    findings: Path, formats: tuple[str, ...], output: Path | None, lang: str
) -> None:
    """Render FINDINGS, a saved JSON report (`check --format json`), in other formats
    without checking again: CI keeps one JSON report, people read the HTML.

    Exit status: 0 when the reports are written; 2 when FINDINGS is not a JSON report
    or a format cannot be written.
    """
    try:
        outputs = plan_outputs(formats, output)
    except OutputError as exc:
        fail(str(exc))
    for out in outputs:
        if out.fmt not in REPORT_FORMATS:
            fail(
                f"--format {out.fmt}: a saved report cannot make a Word review copy (it needs "
                f"the .docx draft): run `contract-checker check DRAFT.docx --format "
                f"docx:PATH`; formats here: {', '.join(REPORT_FORMATS)}"
            )
    try:
        run = load_saved(findings, lang)
    except SavedReportError as exc:
        fail(str(exc))
    _emit(run, outputs, None, color=None if sys.stdout.isatty() else False)
    sys.exit(EXIT_OK)
