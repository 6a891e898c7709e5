"""`check` over record files or into streamed formats: where partitions run, sinks, stderr notes."""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from ..inputs.contracts import RecordOptions
from ..models import Finding
from ..outputs import STREAMED, Output
from ..runner import FileResult
from ..session import Plan
from .records import RecordsError
from .run import run_local
from .session import Engine, Streamed, record_partitions, stream_run
from .sinks import Sink, open_sink

# Formats that report per file and line, which a record has not: a usage error with records.
NOT_FOR_RECORDS = ("junit", "github", "markdown")


def usage_problem(
    outputs: Sequence[Output], record_files: Sequence[Path], opts: RecordOptions
) -> str | None:
    """What makes the command line unusable for these record files, or None."""
    if opts.scheduler is not None and not record_files:
        return (
            "--scheduler checks the records of record files (.jsonl, .ndjson, .parquet): "
            "name one (they are not picked up from folders)"
        )
    if record_files:
        wrong = [o.fmt for o in outputs if o.fmt in NOT_FOR_RECORDS]
        if wrong:
            return (
                f"--format {wrong[0]} reports by file and line, which records have not: for "
                "record files use text, json, sarif, jsonl or parquet"
            )
    for o in outputs:
        if o.fmt == "parquet" and o.path is None:
            return "--format parquet writes a binary file: give it one, e.g. --format parquet:findings.parquet"
    return None


def run_streamed(
    plan: Plan,
    file_results: Sequence[FileResult],
    record_files: Sequence[Path],
    outputs: Sequence[Output],
    keep: bool,
    lang: str,
    opts: RecordOptions,
    progress: Callable[[int, int], None] | None,
    fail: Callable[[str], Any],
) -> Streamed:
    """Check the record files and write every finding (those of `file_results` too) to the
    streamed formats of `outputs` as they come; `keep` the results for the other formats.
    Calls `fail` (which exits 2) when a record file, the scheduler or a report file
    cannot be used."""
    try:
        parts = record_partitions(record_files, opts.partition_size, opts.id_column)
    except RecordsError as exc:
        fail(str(exc))

    def message(f: Finding) -> str:
        return f.message_zh if lang == "zh" and f.message_zh else f.message

    with contextlib.ExitStack() as stack:
        sinks: list[Sink] = []
        for o in outputs:
            if o.fmt in STREAMED:
                try:
                    sinks.append(open_sink(o.fmt, o.path, message))
                except (OSError, RecordsError) as exc:
                    for sink in sinks:
                        sink.abort()
                    fail(_cannot_write(o, exc))
        engine = _engine(opts, parts, stack, fail)
        try:
            result = stream_run(
                plan,
                file_results,
                record_files,
                parts,
                engine,
                opts.id_column,
                sinks,
                keep,
                progress,
            )
        except BaseException:
            for sink in sinks:
                sink.abort()
            raise
        for sink, o in zip(sinks, [o for o in outputs if o.fmt in STREAMED], strict=True):
            try:
                sink.close()
            except OSError as exc:
                fail(_cannot_write(o, exc))
    return result


def _cannot_write(o: Output, exc: Exception) -> str:
    if isinstance(exc, OSError):
        return f"cannot write {o.path}: {exc.strerror or exc}"
    return str(exc)


def _engine(
    opts: RecordOptions,
    parts: Sequence[Any],
    stack: contextlib.ExitStack,
    fail: Callable[[str], Any],
) -> Engine:
    """Where partitions run: on the Dask scheduler named, else here with --jobs."""
    if opts.scheduler is None or not parts:
        return functools.partial(run_local, jobs=opts.jobs or os.cpu_count() or 1)
    from .dask_run import connect, run_dask

    try:
        client = connect(opts.scheduler)
    except RecordsError as exc:
        fail(str(exc))
    stack.callback(client.close)
    return functools.partial(run_dask, client)


def record_notes(result: Streamed, record_files: Sequence[Path], to_stdout_text: bool) -> list[str]:
    """Lines for stderr: each partition not checked, and — when no text report goes to
    standard output — the summary of a run over record files."""
    out = []
    for pr in result.failed:
        part = pr.partition
        n = len(pr.unchecked)
        out.append(
            f"{part.name}: {part.describe()} not checked ({n} record{'s' if n != 1 else ''}): "
            f"{pr.error}; each has an unchecked-record finding"
        )
    s = result.report.summary
    if record_files and not to_stdout_text:
        line = f"checked {s.records} records"
        if s.files:
            line += f" and {s.files} files"
        sev = s.by_severity
        line += (
            f": {s.findings} findings ({sev['error']} errors, {sev['warning']} warnings, "
            f"{sev['info']} info)"
        )
        if s.unchecked:
            line += f"; {s.unchecked} records not checked"
        out.append(line)
    return out


def echo_notes(lines: Sequence[str]) -> None:
    for line in lines:
        click.echo(f"contract-checker: {line}", err=True)
