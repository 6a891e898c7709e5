"""Checking record partitions on a Dask cluster (`dask.distributed`): imported only when used."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from .records import Partition, RecordsError
from .run import PartitionResult, Shipped, check_partition, in_order

# A task that raises (a worker could not read the file, say) is run again this many times;
# a task whose worker dies is rescheduled by Dask itself (`distributed.scheduler.allowed-
# failures` times) before it fails with KilledWorker.
RETRIES = 2


def connect(address: str, timeout: float = 30.0) -> Any:
    """A `dask.distributed.Client` of the scheduler at `address` (tcp://host:8786).
    Raises RecordsError when dask is not installed or the scheduler cannot be reached."""
    try:
        from distributed import Client
    except ImportError:
        raise RecordsError(
            "--scheduler needs dask.distributed: pip install 'contract-compliance-checker[dask]'"
        ) from None
    client_class: Any = Client  # untyped when distributed is absent at type-check time
    try:
        return client_class(address, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as exc:
        raise RecordsError(f"cannot reach the Dask scheduler at {address}: {exc}") from None


def run_dask(
    client: Any, shipped: Shipped, parts: Sequence[Partition]
) -> Iterator[PartitionResult]:
    """Check partitions on the cluster of `client`, results in partition order.

    The packs are scattered to every worker once (`broadcast`) and each task gets them by
    reference; a task carries only its partition (a file and a range), and workers read
    the records themselves, so the file must be at the same path on every worker. At most
    four partitions per worker thread are in flight, and each result is released as soon
    as it is taken: neither the scheduler nor this client holds all findings."""
    plan = client.scatter(shipped, broadcast=True, hash=False)
    threads = sum(client.nthreads().values()) or 1
    run = uuid.uuid4().hex[:12]

    def submit(part: Partition) -> Any:
        return client.submit(
            check_partition,
            part,
            plan,
            key=f"contract-checker-{run}-{part.index}-{abs(hash(part.path)):x}",
            retries=RETRIES,
            pure=False,
        )

    try:
        yield from in_order(submit, parts, threads * 4, shipped.id_column)
    finally:
        plan.release()
