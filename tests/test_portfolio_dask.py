"""Portfolio runs on a real Dask cluster: a LocalCluster of worker processes over TCP."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from portfolio_data import cli, write_records

from checker.api import Pack, load_packs
from checker.packs.pack import builtin_packs
from checker.portfolio import check_records
from checker.runner import FileResult

TODAY = dt.date(2025, 6, 1)

try:
    from distributed import Client, LocalCluster
except ImportError:  # the `dask` extra: skipped on a light install, never in CI
    if os.environ.get("CI"):
        raise
    pytest.skip("dask.distributed is not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        protocol="tcp://",
        dashboard_address=":0",
        memory_limit=None,
    )
    client = Client(cluster, timeout=60)
    client.wait_for_workers(2, timeout=60)
    yield client
    client.close()
    cluster.close()


@pytest.fixture(scope="module")
def packs() -> list[Pack]:
    return load_packs(list(builtin_packs()))


def _key(results: list[FileResult]) -> list[str]:
    return sorted(
        json.dumps(f.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        for r in results
        for f in r.findings
    )


def test_the_cli_on_a_scheduler_writes_the_bytes_of_a_local_run(
    client: Any, tmp_path: Path
) -> None:
    records = tmp_path / "r.jsonl"
    write_records(records, 12)
    address = client.scheduler.address
    assert address.startswith("tcp://")
    args = [str(records), "--partition-size", "2"]
    local = cli(*args, "--format", "jsonl:local.jsonl", cwd=tmp_path)
    remote = cli(*args, "--scheduler", address, "--format", "jsonl:dask.jsonl", cwd=tmp_path)
    assert (local.returncode, remote.returncode) == (1, 1), remote.stderr
    assert remote.stderr == local.stderr  # the same summary line
    a, b = (tmp_path / "local.jsonl").read_bytes(), (tmp_path / "dask.jsonl").read_bytes()
    assert sorted(a.splitlines()) == sorted(b.splitlines())
    assert a == b  # results come back in partition order
    assert {json.loads(line)["record"] for line in a.splitlines()} >= {"R001", "R003"}


def _count_pack_loads() -> None:
    """On a worker: count the packs unpickled there (each is compiled again)."""
    import checker.api

    original = checker.api.Pack.__setstate__
    checker.api.LOADS = 0  # type: ignore[attr-defined]

    def counting(self: Any, state: dict[str, Any]) -> None:
        checker.api.LOADS += 1  # type: ignore[attr-defined]
        original(self, state)

    if not getattr(checker.api.Pack.__setstate__, "counting", False):
        counting.counting = True  # type: ignore[attr-defined]
        checker.api.Pack.__setstate__ = counting  # type: ignore[method-assign]


def _pack_loads() -> int:
    import checker.api

    return int(checker.api.LOADS)  # type: ignore[attr-defined]


def test_each_pack_is_sent_to_each_worker_once(
    client: Any, packs: list[Pack], tmp_path: Path
) -> None:
    records = tmp_path / "r.jsonl"
    write_records(records, 16)
    client.run(_count_pack_loads)
    results = list(check_records([records], packs, client=client, today=TODAY, partition_size=2))
    assert len(results) == 16
    # 8 partitions over 2 workers, and every worker compiled each pack exactly once.
    loads = client.run(_pack_loads)
    assert loads == {w: len(packs) for w in client.scheduler_info()["workers"]}, loads


def _kill_a_busy_worker(client: Any, pids: dict[str, int]) -> str:
    """SIGKILL the process of a worker that is running a partition now."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        busy = [w for w, keys in client.processing().items() if keys and w in pids]
        if busy:
            os.kill(pids[busy[0]], signal.SIGKILL)
            return str(busy[0])
        time.sleep(0.01)
    raise AssertionError("no worker was busy")


def test_a_killed_worker_loses_no_record(client: Any, packs: list[Pack], tmp_path: Path) -> None:
    records = tmp_path / "r.jsonl"
    ids = write_records(records, 24)
    expected = list(check_records([records], packs, today=TODAY, partition_size=2))
    pids = client.run(os.getpid)
    run = check_records([records], packs, client=client, today=TODAY, partition_size=2)
    got = [next(run)]
    _kill_a_busy_worker(client, pids)
    got += list(run)
    # Dask ran the killed worker's partitions again elsewhere: every record, same findings.
    assert [r.record for r in got] == ids
    assert _key(got) == _key(expected)
    client.wait_for_workers(2, timeout=60)  # the nanny restarts the worker


def _allow_failures(n: int) -> Any:
    def set_on(dask_scheduler: Any) -> None:
        dask_scheduler.allowed_failures = n

    return set_on


def test_records_a_killed_worker_took_down_are_reported_exactly(
    client: Any, packs: list[Pack], tmp_path: Path
) -> None:
    records = tmp_path / "r.jsonl"
    ids = write_records(records, 24)
    expected = {r.record: r for r in check_records([records], packs, today=TODAY, partition_size=2)}
    # No second chance: a task on a worker that dies fails at once (KilledWorker).
    client.wait_for_workers(2, timeout=60)
    default = client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.allowed_failures)
    client.run_on_scheduler(_allow_failures(0))
    try:
        pids = client.run(os.getpid)
        run = check_records([records], packs, client=client, today=TODAY, partition_size=2)
        got = [next(run)]
        _kill_a_busy_worker(client, pids)
        got += list(run)
    finally:
        client.run_on_scheduler(_allow_failures(default))
    unchecked = {r.record for r in got if any(f.rule == "unchecked-record" for f in r.findings)}
    checked = [r for r in got if r.record not in unchecked]
    assert unchecked, "the killed worker was running a partition"
    assert [r.record for r in got] == ids  # each record once: checked, or named unchecked
    assert len(unchecked) % 2 == 0 and len(unchecked) < len(ids)  # whole partitions
    for r in got:
        if r.record in unchecked:
            (f,) = r.findings
            assert (f.file, f.severity) == (str(records), "error")
            assert "KilledWorker" in f.message and "its partition (lines " in f.message
    assert _key(checked) == _key([expected[r.record] for r in checked if r.record])
