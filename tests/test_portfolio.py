"""Portfolio runs without a cluster: record files read, partitioned, checked and reported."""

from __future__ import annotations

import datetime as dt
import json
import pickle
from concurrent.futures import Future
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from portfolio_data import SOURCES, cli, record_line, write_records

import checker
from checker.api import load_pack
from checker.cli import main
from checker.packs.packschema import FINDINGS_SCHEMA
from checker.portfolio import RecordsError, check_records
from checker.portfolio.records import partitions, read_ids, read_partition
from checker.portfolio.run import PartitionResult, in_order

TODAY = dt.date(2025, 6, 1)


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, ["check", "--no-config", "--today", "2025-06-01", *args])
    return r.exit_code, r.stdout, r.stderr


def keyed(findings: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted((f["pack"], f["rule"], f["pointer"], f["message"]) for f in findings)


# -- reading record files ------------------------------------------------------------------


def test_jsonl_partitions_cover_every_line_once_blank_and_last_lines_included(
    tmp_path: Path,
) -> None:
    path = tmp_path / "r.jsonl"
    lines = [json.dumps({"id": f"A{i}", "x": i}) for i in range(7)]
    lines.insert(2, "   ")  # a blank line: counted, not a record
    path.write_bytes(("\n".join(lines)).encode())  # no newline after the last line
    parts = partitions(path, 3, "id")
    assert [(p.first, p.count) for p in parts] == [(1, 3), (4, 3), (7, 2)]
    assert [p.describe() for p in parts] == ["lines 1-3", "lines 4-6", "lines 7-8"]
    got = [r.id for p in parts for r in read_partition(p, "id")]
    assert got == [f"A{i}" for i in range(7)]
    assert [i for p in parts for i in read_ids(p, "id")] == got
    # The id names the record; it is not a field of the contract.
    first = next(read_partition(parts[0], "id"))
    assert first.contract.data == {"x": 0}


def test_jsonl_records_without_id_or_unreadable_are_named_by_their_line(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text('{"id": 7, "x": 1}\n{"x": 2}\n{broken\n[1, 2]\n', encoding="utf-8")
    (part,) = partitions(path, 10, "id")
    records = list(read_partition(part, "id"))
    assert [r.id for r in records] == ["7", "line 2", "line 3", "line 4"]
    broken = records[2].contract
    assert broken.data is None
    # Positions inside the line mean nothing for a record: findings locate by pointer.
    assert [(p.line, p.column) for p in broken.problems] == [(None, None)]
    assert read_ids(part, "id") == ["7", "line 2", "line 3", "line 4"]


def test_a_wrong_record_id_field_is_a_usage_error_not_a_name_per_record(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text('\n{"contract_no": "A1", "meta": {}}\n', encoding="utf-8")
    with pytest.raises(RecordsError, match=r"first record \(line 2\) has no field `id`"):
        partitions(path, 10, "id")
    code, _, err = run(str(path), "--pack", "drafting")
    assert code == 2
    assert "contract_no" in err and "--record-id" in err
    assert run(str(path), "--pack", "drafting", "--record-id", "contract_no")[0] in (0, 1)


def _parquet(path: Path, rows: list[dict[str, Any]], group: int) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=group)


def test_parquet_rows_are_read_once_across_row_groups_as_contract_data(tmp_path: Path) -> None:
    path = tmp_path / "r.parquet"
    rows = [
        {
            "id": f"P{i}",
            "rate": 0.05 if i != 4 else float("nan"),
            "signed": dt.date(2025, 1, i + 1),
            "at": dt.datetime(2025, 1, 1, 9, 30),
            "note": None if i % 2 else "x",
            "fees": {"total": 100 + i, "currency": None},
        }
        for i in range(10)
    ]
    rows[6]["id"] = None
    _parquet(path, rows, group=3)
    parts = partitions(path, 4, "id")
    assert [p.describe() for p in parts] == ["rows 1-4", "rows 5-8", "rows 9-10"]
    records = [r for p in parts for r in read_partition(p, "id")]
    assert [r.id for r in records] == [*(f"P{i}" for i in range(6)), "row 7", "P7", "P8", "P9"]
    first = records[0].contract
    assert first.data == {
        "rate": Decimal("0.05"),  # exact, as a person reads 0.05
        "signed": dt.date(2025, 1, 1),
        "at": "2025-01-01T09:30:00",
        "note": "x",
        "fees": {"total": 100},  # a null is an absent field in a columnar file
    }
    assert "note" not in records[1].contract.data  # type: ignore[operator]
    nan = records[4].contract
    assert "rate" not in nan.data  # type: ignore[operator]
    assert [(p.code, p.path) for p in nan.problems] == [("unreadable-value", ("rate",))]
    assert [i for p in parts for i in read_ids(p, "id")] == [r.id for r in records]


def test_a_parquet_file_without_the_id_column_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "r.parquet"
    _parquet(path, [{"key": "A", "meta": {"id": "x"}}], group=10)
    with pytest.raises(RecordsError, match=r"no column `id`.*columns: key, meta.*--record-id"):
        partitions(path, 10, "id")
    code, _, err = run(str(path), "--pack", "drafting")
    assert code == 2 and "no column `id`" in err


# -- checking ------------------------------------------------------------------------------


def test_a_record_gets_the_findings_of_the_same_contract_as_a_file(tmp_path: Path) -> None:
    records = tmp_path / "r.jsonl"
    ids = write_records(records, len(SOURCES))
    code, out, _ = run(str(records), "--format", "json")
    report = json.loads(out)
    jsonschema.validate(report, FINDINGS_SCHEMA)
    assert code == 1
    assert report["summary"]["records"] == len(SOURCES)
    assert report["summary"]["unchecked"] == 0 and report["summary"]["files"] == 0
    for rid, source in zip(ids, SOURCES, strict=True):
        _, out, _ = run(str(source), "--format", "json")
        as_file = json.loads(out)["findings"]
        as_record = [f for f in report["findings"] if f["record"] == rid]
        assert keyed(as_record) == keyed(as_file), source.name
        assert all(
            (f["file"], f["line"], f["column"]) == (str(records), None, None) for f in as_record
        )
    assert any(f["record"] == "R003" for f in report["findings"])  # the defects found


def test_text_output_names_the_record_and_the_pointer(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(record_line(SOURCES[1], "HT-9") + "\n", encoding="utf-8")
    code, out, _ = run(str(path), "--pack", "drafting", "--no-color")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == str(path)
    assert lines[1].startswith("  HT-9     error   Installments add up to CNY 280000.00 ")
    assert lines[2] == "       │ at /payment/installments/2/amount"
    rules = len(checker.load_pack("drafting").rules)
    assert lines[-1].endswith(f"in 1 of 1 record ({rules} rules)")


def test_streamed_formats_hold_one_row_per_finding_with_its_record(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    records = tmp_path / "r.jsonl"
    write_records(records, 4)
    code, out, err = run(
        str(records),
        "--format",
        f"jsonl:{tmp_path}/f.jsonl",
        "--format",
        f"parquet:{tmp_path}/f.parquet",
        "--format",
        f"json:{tmp_path}/f.json",
    )
    assert code == 1 and out == ""
    report = json.loads((tmp_path / "f.json").read_text("utf-8"))
    rows = [json.loads(line) for line in (tmp_path / "f.jsonl").read_text("utf-8").splitlines()]
    assert rows == report["findings"]
    assert list(rows[0])[:2] == ["file", "record"]
    table = pq.read_table(tmp_path / "f.parquet").to_pylist()
    assert [(r["record"], r["rule"], r["pointer"], r["message"]) for r in table] == [
        (r["record"], r["rule"], r["pointer"], r["message"]) for r in rows
    ]
    assert [json.loads(r["values"]) for r in table] == [r["values"] for r in rows]
    s = report["summary"]
    # No text report on standard output: the summary goes to stderr.
    assert err == (
        f"contract-checker: checked 4 records: {s['findings']} findings "
        f"({s['by_severity']['error']} errors, {s['by_severity']['warning']} warnings, "
        f"{s['by_severity']['info']} info)\n"
    )


def test_jsonl_output_of_contract_files_streams_too(tmp_path: Path) -> None:
    code, out, _ = run(str(SOURCES[1]), "--pack", "drafting", "--format", "jsonl")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 1 and rows
    assert {(r["file"], r["record"]) for r in rows} == {(str(SOURCES[1]), None)}
    assert all(r["line"] for r in rows)


def test_record_runs_refuse_formats_that_need_lines_and_parquet_on_stdout(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    write_records(path, 1)
    code, _, err = run(str(path), "--format", "junit")
    assert code == 2 and "--format junit reports by file and line" in err
    code, _, err = run(str(path), "--format", "parquet")
    assert code == 2 and "--format parquet:findings.parquet" in err
    code, _, err = run(str(SOURCES[0]), "--scheduler", "tcp://127.0.0.1:1")
    assert code == 2 and "--scheduler checks the records of record files" in err


def test_jobs_give_the_same_bytes_as_one_process(tmp_path: Path) -> None:
    records = tmp_path / "r.jsonl"
    write_records(records, 8)
    one = cli(str(records), "--partition-size", "3", "--format", "jsonl:one.jsonl", cwd=tmp_path)
    two = cli(
        str(records),
        "-j",
        "2",
        "--partition-size",
        "3",
        "--format",
        "jsonl:two.jsonl",
        cwd=tmp_path,
    )
    assert (one.returncode, two.returncode) == (1, 1)
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "two.jsonl").read_bytes()
    assert (tmp_path / "one.jsonl").read_bytes().count(b"\n") >= 8


def test_a_baseline_tells_records_with_the_same_finding_apart(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    old = record_line(SOURCES[1], "OLD")
    path.write_text(old + "\n", encoding="utf-8")
    base = tmp_path / "base.json"
    assert run(str(path), "--pack", "drafting", "--write-baseline", str(base))[0] == 1
    assert run(str(path), "--pack", "drafting", "--baseline", str(base))[0] == 0
    # A new record with the same defect comes first: it is the new one, not OLD.
    path.write_text(record_line(SOURCES[1], "NEW") + "\n" + old + "\n", encoding="utf-8")
    code, out, _ = run(str(path), "--pack", "drafting", "--baseline", str(base), "--format", "json")
    assert code == 1
    assert {f["record"] for f in json.loads(out)["findings"]} == {"NEW"}


def test_a_partition_that_fails_names_each_of_its_records_as_unchecked(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    ids = write_records(path, 5)
    parts = partitions(path, 2, "id")
    pack = load_pack("drafting")

    def submit(part: Any) -> Future[PartitionResult]:
        future: Future[PartitionResult] = Future()
        if part.index == 1:
            future.set_exception(OSError("worker lost"))
        else:
            future.set_result(PartitionResult(part))
        return future

    results = list(in_order(submit, parts, 2, "id"))
    assert [(r.partition.index, r.error, r.unchecked) for r in results] == [
        (0, None, []),
        (1, "OSError: worker lost", ids[2:4]),
        (2, None, []),
    ]
    # Through the API: every record comes back, checked or named as unchecked.
    got = list(check_records([path], [pack], today=TODAY, partition_size=2))
    assert [r.record for r in got] == ids


def test_packs_travel_by_builtin_name_to_workers_installed_elsewhere() -> None:
    pack = load_pack("drafting")
    state = pack.__getstate__()
    assert state["builtin"] == "drafting"
    state["path"] = "/elsewhere/site-packages/checker/rules/drafting/pack.yaml"
    clone = pickle.loads(pickle.dumps(pack))
    clone.__setstate__(state)
    assert [r.id for r in clone.rules] == [r.id for r in pack.rules]
