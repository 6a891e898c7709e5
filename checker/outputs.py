"""Report destinations: `--format FORMAT[:PATH]` parsed and checked, each format rendered once."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

from .fastclass import dataclass
from .lang.typecheck import suggest

# Format name → module of checker.report that renders it.
FORMATS: Final = {
    "text": "text",
    "json": "json_format",
    "sarif": "sarif",
    "junit": "junit",
    "github": "github",
    "markdown": "markdown",
    "html": "html",
    "docx": "docx_format",
}

# Formats whose report is a binary file (not text): never written to a terminal.
BINARY: Final = frozenset({"docx"})
# Formats written finding by finding as the run goes (checker.portfolio.sinks), for runs
# too large to hold every finding: one row per finding.
STREAMED: Final = ("jsonl", "parquet")

EXAMPLE: Final = "--format sarif:cc.sarif --format markdown:cc.md --format github"


class OutputError(Exception):
    """Formats and destinations that cannot be used together: a usage error (exit 2)."""


@dataclass(frozen=True)
class Output:
    """One format and where it goes (None: standard output)."""

    fmt: str
    path: Path | None = None


def parse_format(spec: str) -> Output:
    """`text`, or `sarif:out/cc.sarif`: split on the first colon only, and only when what
    precedes it is a format name, so the path may itself contain colons."""
    name, colon, path = spec.partition(":")
    if name in FORMATS or name in STREAMED:
        if colon and not path:
            raise OutputError(f"--format {spec}: no file after `{name}:`")
        return Output(name, Path(path) if colon else None)
    near = suggest(name, [*FORMATS, *STREAMED])
    raise OutputError(
        f"--format {spec}: unknown format `{name}`"
        + (f"; did you mean `{near}`?" if near else "")
        + f" (formats: {', '.join([*FORMATS, *STREAMED])}; a file goes after a colon: FORMAT:PATH)"
    )


def plan_outputs(specs: Sequence[str], output: Path | None = None) -> list[Output]:
    """Every format with its destination: `--format FORMAT[:PATH]`, several times, or one
    format and `--output PATH`. At most one format goes to standard output, and no file is
    written twice. Raises OutputError."""
    outputs = [parse_format(s) for s in specs] or [Output("text")]
    if output is not None:
        if len(specs) > 1:
            raise OutputError(
                "--output goes with a single --format; with several, give each format its "
                f"own destination: {EXAMPLE} (no path: standard output)"
            )
        if outputs[0].path is not None:
            raise OutputError(f"--format {specs[0]} already names a file: drop --output {output}")
        outputs = [Output(outputs[0].fmt, output)]
    to_stdout = [o.fmt for o in outputs if o.path is None]
    if len(to_stdout) > 1:
        raise OutputError(
            f"only one format can go to standard output, not {', '.join(to_stdout)}: "
            f"give the others a file, e.g. {EXAMPLE}"
        )
    seen: dict[str, Output] = {}
    for o in outputs:
        if o.path is None:
            continue
        key = os.path.normcase(os.path.abspath(o.path))
        if key in seen:
            raise OutputError(
                f"{o.path} is the destination of both --format {seen[key].fmt} and "
                f"--format {o.fmt}: give each its own file"
            )
        seen[key] = o
    return outputs


def renderer(fmt: str) -> Callable[..., str | bytes]:
    """The `render` function of a format (its module is imported only when used): text,
    or bytes for a binary format. It raises OutputError when the run cannot be rendered
    in that format (a Word review copy of a run without a .docx draft)."""
    module = importlib.import_module(f"checker.report.{FORMATS[fmt]}")
    render: Callable[..., str | bytes] = module.render
    return render
