"""Findings written as they come, one row per finding: JSON Lines and Parquet report files."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, Final

from ..atomic import atomic_open
from ..models import Finding
from ..report import exact_json
from ..report.json_format import finding_json
from .records import need_pyarrow

_ROWS_PER_GROUP: Final = 10_000  # findings buffered per Parquet row group

Message = Callable[[Finding], str]


def finding_row(f: Finding, message: str) -> dict[str, Any]:
    """A finding as the JSON report has it, with `record` always present (null for a
    finding on a contract file), so that every row has the same fields."""
    row = finding_json(f, message)
    return {"file": row.pop("file"), "record": row.pop("record", None)} | row


class Sink:
    """A report file written finding by finding; `close` makes it appear whole (it is
    written to a temporary file until then), `abort` leaves the old file as it was."""

    def __init__(self, path: Path | None, message: Message) -> None:
        self.path = path
        self.message = message
        self._stack = contextlib.ExitStack()
        self._out: IO[bytes] = (
            sys.stdout.buffer if path is None else self._stack.enter_context(atomic_open(path))
        )

    def write(self, findings: list[Finding]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self._stack.close()

    def abort(self) -> None:
        self._stack.__exit__(RuntimeError, RuntimeError("run stopped"), None)


class JsonlSink(Sink):
    """One JSON object per line (standard output when no path)."""

    def write(self, findings: list[Finding]) -> None:
        for f in findings:
            line = json.dumps(
                finding_row(f, self.message(f)), ensure_ascii=False, default=exact_json
            )
            self._out.write(line.encode("utf-8") + b"\n")

    def close(self) -> None:
        self._out.flush()
        super().close()


class ParquetSink(Sink):
    """A Parquet file whose row groups are written as findings come. `refs` is a list of
    structs and `suppression` a struct, as in the JSON report; `values` (any JSON) is JSON
    text."""

    def __init__(self, path: Path | None, message: Message) -> None:
        pq = need_pyarrow("--format parquet")
        if path is None:
            raise ValueError("parquet output needs a file")
        super().__init__(path, message)
        self._pq = pq
        self._schema = _schema()
        self._writer = pq.ParquetWriter(self._out, self._schema)
        self._rows: list[dict[str, Any]] = []

    def write(self, findings: list[Finding]) -> None:
        for f in findings:
            row = finding_row(f, self.message(f))
            row["values"] = json.dumps(row["values"], ensure_ascii=False, default=exact_json)
            self._rows.append(row)
        if len(self._rows) >= _ROWS_PER_GROUP:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa

        if self._rows:
            self._writer.write_table(pa.Table.from_pylist(self._rows, schema=self._schema))
            self._rows = []

    def close(self) -> None:
        self._flush()
        self._writer.close()
        super().close()


def _schema() -> Any:
    import pyarrow as pa

    text = pa.string()
    ref = pa.struct([(k, text) for k in ("law", "article", "url", "basis", "note", "text")])
    suppression = pa.struct([(k, text) for k in ("kind", "reason", "approver", "expires")])
    return pa.schema(
        [
            ("file", text),
            ("record", text),
            ("line", pa.int64()),
            ("column", pa.int64()),
            ("pointer", text),
            ("pack", text),
            ("rule", text),
            ("severity", text),
            ("outcome", text),
            ("message", text),
            ("refs", pa.list_(ref)),
            ("values", text),
            ("suppression", suppression),
        ]
    )


def open_sink(fmt: str, path: Path | None, message: Message) -> Sink:
    """The sink of a streamed format. Raises OSError when the file cannot be created."""
    return JsonlSink(path, message) if fmt == "jsonl" else ParquetSink(path, message)
