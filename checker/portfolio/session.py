"""A `check` run that reads record files or streams its findings: results taken one at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from .. import __version__
from ..api import rule_count
from ..fastclass import dataclass, field
from ..models import Report, Severity, Tally, ToolInfo
from ..runner import FileResult
from ..session import Plan, apply_baseline, apply_waivers, waiver_findings
from .records import Partition, partitions
from .run import PartitionResult, Shipped, unchecked_findings
from .sinks import Sink

# Runs partitions somewhere (this process, a process pool, a Dask cluster), in order.
Engine = Callable[[Shipped, Sequence[Partition]], Iterator[PartitionResult]]


def ship(plan: Plan, files: Sequence[Path], id_column: str) -> Shipped:
    """What workers need to check the records of `files` under `plan`."""
    packs = plan.all_packs
    by_file = {
        str(f): tuple(i for i, p in enumerate(packs) if any(p is q for q in plan.packs_for(str(f))))
        for f in files
    }
    return Shipped(tuple(packs), by_file, plan.today, plan.rule_ids(), id_column)


def record_partitions(files: Sequence[Path], size: int, id_column: str) -> list[Partition]:
    """Every record file cut into partitions. Raises RecordsError (a usage error)."""
    return [part for f in files for part in partitions(f, size, id_column)]


@dataclass
class Streamed:
    """The outcome of a streamed run: the results kept for the formats that need them all,
    the report (its findings only when kept), and the partitions that were not checked."""

    kept: list[FileResult]
    report: Report
    live: set[Severity]  # the severities of the findings no waiver covers (for --fail-on)
    failed: list[PartitionResult] = field(default_factory=list)


def stream_run(
    plan: Plan,
    file_results: Sequence[FileResult],
    record_files: Sequence[Path],
    parts: Sequence[Partition],
    engine: Engine,
    id_column: str,
    sinks: Sequence[Sink],
    keep: bool,
    progress: Callable[[int, int], None] | None = None,
) -> Streamed:
    """Take every result (contract files first, then records, in file order) through
    waivers and baseline into the sinks, counting them; keep them only when `keep` (a
    format that needs the whole run). Records of a partition that failed on every try
    come as `unchecked-record` findings. `progress` is told the lines or rows done."""
    tally = Tally()
    kept: list[FileResult] = []
    failed: list[PartitionResult] = []
    records = unchecked = 0

    def take(result: FileResult) -> None:
        result = apply_baseline(plan, apply_waivers(plan, result))
        tally.add(result.findings)
        for sink in sinks:
            sink.write(result.findings)
        if keep:
            kept.append(result)

    for r in file_results:
        take(r)
    if parts:
        total, done = sum(p.count for p in parts), 0
        for pr in engine(ship(plan, record_files, id_column), parts):
            done += pr.partition.count
            if progress:
                progress(done, total)
            records += pr.checked
            for r in pr.results:
                take(r)
            if pr.error is not None:
                failed.append(PartitionResult(pr.partition, error=pr.error, unchecked=pr.unchecked))
                unchecked += len(pr.unchecked)
                for r in unchecked_findings(pr):
                    take(r)
    extra = waiver_findings(plan)
    tally.add(extra)
    for sink in sinks:
        sink.write(extra)
    skipped = sum(1 for r in file_results if r.skipped is not None)
    with_records = bool(record_files)
    summary = tally.summary(
        len(file_results) - skipped,  # contract files; records are counted apart
        rule_count(plan.all_packs),
        skipped,
        records if with_records else None,
        unchecked if with_records else None,
    )
    findings = [f for r in kept for f in r.findings] + extra if keep else []
    report = Report(tool=ToolInfo(version=__version__), findings=findings, summary=summary)
    return Streamed(kept, report, tally.live, failed)
