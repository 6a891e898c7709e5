"""Checking record partitions: the work one worker does, and the run over them in order."""

from __future__ import annotations

import datetime as _dt
import functools
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from ..api import Pack
from ..fastclass import dataclass, field
from ..models import Finding
from ..runner import FileResult, check_file
from ..toolrules import tool_finding
from .records import Partition, read_ids, read_partition


@dataclass(frozen=True)
class Shipped:
    """What a worker needs to check records, sent to it once: the packs (each pickles by
    its name or file, and is compiled again on the worker), which of them apply to each
    record file, and the settings of the run."""

    packs: tuple[Pack, ...]
    by_file: dict[str, tuple[int, ...]]
    today: _dt.date | None
    rule_ids: frozenset[str]
    id_column: str

    def packs_for(self, file: str) -> list[Pack]:
        return [self.packs[i] for i in self.by_file[file]]


@dataclass
class PartitionResult:
    """A partition's records checked (one FileResult per record, in file order), or why
    it was not checked and the ids of its records."""

    partition: Partition
    results: list[FileResult] = field(default_factory=list)
    error: str | None = None
    unchecked: list[str] = field(default_factory=list)

    @property
    def checked(self) -> int:
        return len(self.results)


def check_partition(part: Partition, shipped: Shipped) -> PartitionResult:
    """Check every record of a partition (this runs on a worker). A record that cannot be
    read or makes the checker fail is a finding on it; only a file that cannot be read at
    all raises, so that the partition is tried again or reported as not checked."""
    packs = shipped.packs_for(part.name)
    results = []
    for record in read_partition(part, shipped.id_column):
        r = check_file(
            Path(part.name),
            packs,
            shipped.today,
            part.name,
            rule_ids=shipped.rule_ids,
            loaded=record.contract,
        )
        findings = r.findings if r.skipped is None else [_not_a_contract(part.name, r.skipped)]
        # Every rule's outcome per record would outweigh the findings: only findings travel.
        results.append(
            FileResult(
                part.name,
                [f.model_copy(update={"record": record.id}) for f in findings],
                [],
                record=record.id,
            )
        )
    return PartitionResult(part, results)


def _not_a_contract(file: str, why: str) -> Finding:
    """A record that is not a contract is a finding (in a file of contracts it is a
    wrong export, not a file to leave out as a folder's other YAML files are)."""
    return tool_finding(
        file, "unreadable-contract", f"cannot read the contract: the record is {why}"
    )


def unchecked_findings(result: PartitionResult) -> list[FileResult]:
    """One `unchecked-record` finding per record of a partition that was not checked."""
    part = result.partition
    message = f"record not checked: its partition ({part.describe()}) failed: {result.error}"
    finding = tool_finding(part.name, "unchecked-record", message)
    return [
        FileResult(part.name, [finding.model_copy(update={"record": rid})], [], record=rid)
        for rid in result.unchecked
    ]


class _Future(Protocol):
    """What both concurrent.futures and dask.distributed futures offer."""

    def result(self, timeout: float | None = None) -> Any: ...


def in_order(
    submit: Callable[[Partition], _Future],
    parts: Iterable[Partition],
    window: int,
    id_column: str,
) -> Iterator[PartitionResult]:
    """Results in partition order, with at most `window` partitions submitted and not yet
    taken: memory stays flat however many records there are. A partition whose future
    fails (after the engine's own retries) comes back as not checked, its records named."""
    pending: deque[tuple[Partition, _Future]] = deque()
    todo = iter(parts)
    for part in todo:
        pending.append((part, submit(part)))
        if len(pending) >= window:
            break
    while pending:
        part, future = pending.popleft()
        result = _outcome(part, future.result, id_column)
        del future  # the engine may forget the result now
        nxt = next(todo, None)
        if nxt is not None:
            pending.append((nxt, submit(nxt)))
        yield result


def _outcome(
    part: Partition, get: Callable[[], PartitionResult], id_column: str
) -> PartitionResult:
    import asyncio  # a tenth of a one-file check's start-up: imported by record runs only

    try:
        return get()
    except (Exception, asyncio.CancelledError) as exc:
        reason = f"{type(exc).__name__}: {exc}".rstrip(": ")
        try:
            ids = read_ids(part, id_column)
        except Exception:  # the file cannot be read here either: name the lines or rows
            ids = [part.describe()]
        return PartitionResult(part, error=reason, unchecked=ids)


# -- locally --------------------------------------------------------------------------------

_POOL_SHIPPED: Shipped | None = None


def _init_pool(shipped: Shipped) -> None:
    global _POOL_SHIPPED
    _POOL_SHIPPED = shipped


def _check_in_pool(part: Partition) -> PartitionResult:
    assert _POOL_SHIPPED is not None
    return check_partition(part, _POOL_SHIPPED)


def run_local(shipped: Shipped, parts: Sequence[Partition], jobs: int) -> Iterator[PartitionResult]:
    """Check partitions in this process (jobs 1), or in a pool of `jobs` processes that
    each receive the packs once, as `check --jobs` does for files."""
    if jobs <= 1 or len(parts) < 2:
        for part in parts:
            yield _outcome(
                part, functools.partial(check_partition, part, shipped), shipped.id_column
            )
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_pool, initargs=(shipped,)) as pool:
        yield from in_order(
            lambda p: pool.submit(_check_in_pool, p), parts, jobs * 4, shipped.id_column
        )
