"""Record files (JSON Lines, Parquet): split into partitions, read back one contract per record."""

from __future__ import annotations

import datetime as _dt
import json
import math
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from ..fastclass import dataclass
from ..inputs.contracts import RecordFormat, record_format
from ..inputs.loader import DataPath, LoadedContract, LoadProblem, load_text
from ..lang.values import from_float

DEFAULT_ID_COLUMN: Final = "id"
DEFAULT_PARTITION_SIZE: Final = 1000  # records: ~seconds of work, small results
_BLOCK: Final = 1 << 20  # bytes read at a time when scanning a JSON Lines file


class RecordsError(Exception):
    """A record file that cannot be used at all (a usage error: exit status 2)."""


def need_pyarrow(why: str) -> Any:
    """The `pyarrow.parquet` module; RecordsError saying how to install it when absent."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise RecordsError(
            f"{why} needs pyarrow: pip install 'contract-compliance-checker[dask]'"
        ) from None
    return pq


@dataclass(frozen=True)
class Partition:
    """A run of consecutive records of one file: the unit of work sent to a worker.

    `first` is the 1-based line (JSON Lines) or row (Parquet) of its first record and
    `count` how many lines or rows it spans; `start`/`end` are its byte range in a JSON
    Lines file. It names a place in a file, so it is small to send: workers read the
    records themselves, from `path` (absolute: workers have their own working folder);
    findings name the file `name`, as it was given."""

    path: str
    name: str
    fmt: RecordFormat
    index: int
    first: int
    count: int
    start: int = 0
    end: int = 0

    def describe(self) -> str:
        unit = "line" if self.fmt == "jsonl" else "row"
        last = self.first + self.count - 1
        return f"{unit} {self.first}" if last == self.first else f"{unit}s {self.first}-{last}"


@dataclass
class Record:
    """One contract of a record file: its id and its data, read as a contract file is."""

    id: str
    contract: LoadedContract


def partitions(path: Path, size: int, id_column: str) -> list[Partition]:
    """The file cut into partitions of `size` records (lines or rows). Raises RecordsError
    when the file cannot be read, or a Parquet file has no `id_column`."""
    fmt = record_format(path)
    try:
        if fmt == "jsonl":
            _first_record_has_id(path, id_column)
            return _jsonl_partitions(path, size)
        if fmt == "parquet":
            return _parquet_partitions(path, size, id_column)
    except OSError as exc:
        raise RecordsError(f"{path}: cannot read the file: {exc.strerror or exc}") from None
    raise RecordsError(f"{path}: not a record file (.jsonl, .ndjson or .parquet)")


def _jsonl_partitions(path: Path, size: int) -> list[Partition]:
    """Byte ranges of `size` lines each, found by one pass over the file's newlines."""
    out: list[Partition] = []
    start = offset = lines = 0
    last = b"\n"
    with open(path, "rb") as fh:
        while block := fh.read(_BLOCK):
            at = 0
            while (nl := block.find(b"\n", at)) >= 0:
                at = nl + 1
                lines += 1
                if lines % size == 0:
                    out.append(
                        _jsonl_part(path, len(out), lines - size + 1, size, start, offset + at)
                    )
                    start = offset + at
            offset += len(block)
            last = block[-1:]
    if offset > start:  # the lines after the last full partition (the last may lack a newline)
        tail = lines - len(out) * size + (last != b"\n")
        out.append(_jsonl_part(path, len(out), len(out) * size + 1, tail, start, offset))
    return out


def _first_record_has_id(path: Path, id_column: str) -> None:
    """A wrong --record-id is said once, not as a fallback name on every record: the
    first record that is a JSON object must have the field."""
    with open(path, "rb") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except ValueError:
                return  # an unreadable record: a finding on it, not a usage error
            if isinstance(data, dict) and id_column not in data:
                shown = ", ".join(list(data)[:8]) or "none"
                raise RecordsError(
                    f"{path}: the first record (line {n}) has no field `{id_column}` to name "
                    f"the records by (fields: {shown}); give the id field with --record-id"
                )
            return


def _jsonl_part(path: Path, index: int, first: int, count: int, start: int, end: int) -> Partition:
    return Partition(str(path.absolute()), str(path), "jsonl", index, first, count, start, end)


def _parquet_partitions(path: Path, size: int, id_column: str) -> list[Partition]:
    pq = need_pyarrow("reading Parquet files")
    try:
        meta = pq.ParquetFile(path).metadata
    except OSError:
        raise
    except Exception as exc:  # pyarrow's own errors: not a Parquet file, corrupt footer
        raise RecordsError(f"{path}: not a readable Parquet file ({exc})") from None
    names = [meta.schema.column(i).path.split(".")[0] for i in range(meta.num_columns)]
    if id_column not in names:
        shown = ", ".join(dict.fromkeys(names)) or "none"
        raise RecordsError(
            f"{path}: no column `{id_column}` to name the records by (columns: {shown}); "
            "give the id column with --record-id"
        )
    rows = meta.num_rows
    return [
        Partition(str(path.absolute()), str(path), "parquet", i, first + 1, min(size, rows - first))
        for i, first in enumerate(range(0, rows, size))
    ]


# -- reading -----------------------------------------------------------------------------


def read_partition(part: Partition, id_column: str) -> Iterator[Record]:
    """The records of a partition, in file order. Raises OSError (and pyarrow's errors)
    when the file cannot be read: the partition is then tried again, or reported."""
    if part.fmt == "jsonl":
        for n, line in _jsonl_lines(part):
            loaded = load_text(line, part.name, fmt="json")
            yield Record(_take_id(loaded.data, id_column, f"line {n}"), _without_positions(loaded))
    else:
        for n, row in _parquet_rows(part):
            problems: list[LoadProblem] = []
            data = _plain_row(row, problems)
            loaded = LoadedContract(part.name, data, problems=problems)
            yield Record(_take_id(data, id_column, f"row {n}"), loaded)


def read_ids(part: Partition, id_column: str) -> list[str]:
    """The ids of a partition's records, as `read_partition` names them, reading only
    what the ids need (to name the records of a partition that was not checked)."""
    if part.fmt == "jsonl":
        ids = []
        for n, line in _jsonl_lines(part):
            try:
                data = json.loads(line)
            except ValueError:
                data = None
            ids.append(_take_id(data if isinstance(data, dict) else None, id_column, f"line {n}"))
        return ids
    return [
        _take_id({id_column: _plain_id(row.get(id_column))}, id_column, f"row {n}")
        for n, row in _parquet_rows(part, [id_column])
    ]


def _jsonl_lines(part: Partition) -> Iterator[tuple[int, bytes]]:
    """The non-blank lines of a JSON Lines partition with their 1-based line numbers."""
    with open(part.path, "rb") as fh:
        fh.seek(part.start)
        chunk = fh.read(part.end - part.start)
    for i, line in enumerate(chunk.split(b"\n")[: part.count]):
        if line.strip():
            yield part.first + i, line


def _parquet_rows(
    part: Partition, columns: list[str] | None = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """The rows of a Parquet partition with their 1-based row numbers: only the row
    groups that hold them are read, batch by batch."""
    pq = need_pyarrow("reading Parquet files")
    pf = pq.ParquetFile(part.path)
    lo, hi = part.first - 1, part.first - 1 + part.count  # 0-based, end excluded
    group_start = 0
    for g in range(pf.metadata.num_row_groups):
        group_rows = pf.metadata.row_group(g).num_rows
        group_end = group_start + group_rows
        if group_end > lo and group_start < hi:
            at = group_start
            for batch in pf.iter_batches(batch_size=1024, row_groups=[g], columns=columns):
                b_lo, b_hi = max(lo - at, 0), min(hi - at, batch.num_rows)
                if b_lo < b_hi:
                    rows = batch.slice(b_lo, b_hi - b_lo).to_pylist(maps_as_pydicts="strict")
                    for i, row in enumerate(rows):
                        yield at + b_lo + i + 1, row
                at += batch.num_rows
                if at >= hi:
                    return
        group_start = group_end


def _take_id(data: dict[str, Any] | None, id_column: str, fallback: str) -> str:
    """The record's id, taken out of its data (it names the record, it is not a contract
    field), as text; `fallback` (its line or row) when it has none."""
    value = data.pop(id_column, None) if data is not None else None
    if value is None or value == "":
        return fallback
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _without_positions(loaded: LoadedContract) -> LoadedContract:
    """A record has no line or column of its own (its pointer locates findings): the
    positions inside its line are dropped."""
    loaded.positions = {}
    loaded.key_positions = {}
    loaded.lines = []
    loaded.problems = [replace(p, line=None, column=None) for p in loaded.problems]
    return loaded


def _plain_id(value: Any) -> Any:
    return from_float(value) if isinstance(value, float) and math.isfinite(value) else value


def _plain_row(row: dict[str, Any], problems: list[LoadProblem]) -> dict[str, Any]:
    """A Parquet row as contract data, as the YAML/JSON loader gives it: exact numbers
    (a float through its shortest repr), dates as dates, timestamps as ISO text. A null
    field is absent (a columnar file has every column in every row); a value that has no
    contract meaning (NaN, bytes that are not UTF-8 text, a duration) is a problem."""
    out = _plain(row, (), problems)
    assert isinstance(out, dict)
    return out


def _plain(v: Any, path: DataPath, problems: list[LoadProblem]) -> Any:
    if v is None or isinstance(v, bool | int | str | Decimal):
        return v
    if isinstance(v, float):
        if math.isfinite(v):
            return from_float(v)
        return _problem(problems, path, f"{v} is not a finite number; it was left out")
    if isinstance(v, _dt.datetime):
        return v.isoformat()
    if isinstance(v, _dt.date):
        return v
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            value = _plain(x, (*path, str(k)), problems)
            if value is not None:
                out[str(k)] = value
        return out
    if isinstance(v, list):
        return [_plain(x, (*path, i), problems) for i, x in enumerate(v)]
    if isinstance(v, bytes):
        try:
            return v.decode("utf-8")
        except UnicodeDecodeError:
            return _problem(problems, path, "binary data, not UTF-8 text; it was left out")
    return _problem(problems, path, f"a {type(v).__name__} value has no contract type; left out")


def _problem(problems: list[LoadProblem], path: DataPath, message: str) -> None:
    where = "/".join(str(p) for p in path)
    problems.append(LoadProblem("unreadable-value", f"`{where}`: {message}", None, None, path))
    return None
