"""Portfolio runs: contracts as the records of JSON Lines and Parquet files, checked locally or on Dask.

`check_records` is the Python API; `contract-checker check records.parquet [--scheduler
ADDRESS]` the command line. Dask and pyarrow are optional (the `dask` extra) and are
imported only by the code that needs them.
"""

from __future__ import annotations

import datetime as _dt
import functools
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ..api import Pack
from ..inputs.contracts import record_format
from ..runner import FileResult, suppressible_ids
from .records import (
    DEFAULT_ID_COLUMN,
    DEFAULT_PARTITION_SIZE,
    Partition,
    RecordsError,
    partitions,
)
from .run import PartitionResult, Shipped, run_local, unchecked_findings

__all__ = [
    "DEFAULT_ID_COLUMN",
    "DEFAULT_PARTITION_SIZE",
    "Partition",
    "PartitionResult",
    "RecordsError",
    "check_records",
    "record_format",
]


def check_records(
    paths: Iterable[str | os.PathLike[str]],
    packs: Sequence[Pack],
    *,
    client: Any = None,
    jobs: int = 1,
    today: _dt.date | None = None,
    id_column: str = DEFAULT_ID_COLUMN,
    partition_size: int = DEFAULT_PARTITION_SIZE,
) -> Iterator[FileResult]:
    """The findings of every record of the record files `paths`, one FileResult per record
    (`record` is its id), in file order.

    `client`: a `dask.distributed.Client`; the records are checked on its cluster (the
    files must be readable at the same absolute path on every worker). Without one, they
    are checked in this process, or in `jobs` processes. A record of a partition that
    failed on every try comes as an `unchecked-record` finding on it: none is lost.
    Raises RecordsError when a file cannot be used at all (unreadable, no id column).
    """
    files = [Path(p) for p in paths]
    parts = [part for f in files for part in partitions(f, partition_size, id_column)]
    shipped = Shipped(
        tuple(packs),
        {str(f): tuple(range(len(packs))) for f in files},
        today,
        suppressible_ids(packs),
        id_column,
    )
    if client is not None:
        from .dask_run import run_dask

        results: Iterator[PartitionResult] = run_dask(client, shipped, parts)
    else:
        results = functools.partial(run_local, jobs=jobs)(shipped, parts)
    for pr in results:
        yield from pr.results
        if pr.error is not None:
            yield from unchecked_findings(pr)
