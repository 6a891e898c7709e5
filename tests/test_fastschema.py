"""The compiled validity check of contract data: it spares jsonschema's walk on valid data
and never changes a result (both paths run on every example, defect and pack test)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from checker.inputs import fastschema, schema
from checker.inputs.loader import load_file
from checker.inputs.schema import ContractSchema
from checker.lang.ops import MAX_MATCH_INPUT

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = sorted(
    [*ROOT.glob("examples/**/*.yaml"), *ROOT.glob("rules/*/tests/*.yaml")],
    key=str,
)

needs_wheel = pytest.mark.skipif(
    fastschema.jsonschema_rs is None, reason="jsonschema-rs has no wheel here"
)


def _apply(raw: dict[str, Any], data: Any, fast: bool) -> Any:
    saved = fastschema.ENABLED
    fastschema.ENABLED = fast and fastschema.jsonschema_rs is not None
    try:
        return ContractSchema(raw, "test", trusted=True).apply(data)
    finally:
        fastschema.ENABLED = saved


def _problems(raw: dict[str, Any], data: Any, fast: bool) -> list[tuple[str, str, tuple[Any, ...]]]:
    return [(p.code, p.message, p.path) for p in _apply(raw, data, fast)[1]]


@pytest.mark.parametrize("path", CONTRACTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_both_paths_give_the_same_typed_data_and_problems(path: Path) -> None:
    data = load_file(path).data
    if data is None:
        pytest.skip("not loadable: no schema step")
    raw = dict(ContractSchema.load("service-contract").schema)
    assert _apply(raw, data, fast=True) == _apply(raw, data, fast=False)


@needs_wheel
def test_valid_contract_is_not_walked_by_jsonschema(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> Any:
        raise AssertionError("jsonschema was asked to walk valid data")

    monkeypatch.setattr(schema, "_validator_class", refuse)
    data = load_file(ROOT / "examples" / "c1-customer-acquisition.yaml").data
    assert data is not None
    typed, problems = ContractSchema.load("service-contract").apply(data)
    assert problems == []
    assert typed["parties"] and isinstance(typed, dict)


@needs_wheel
def test_invalid_contract_is_explained_by_jsonschema() -> None:
    data = load_file(ROOT / "examples" / "defects" / "d10-misspelled-field.yaml").data
    assert data is not None
    problems = ContractSchema.load("service-contract").apply(data)[1]
    assert [p.code for p in problems] == ["unknown-field"]
    assert "did you mean" in problems[0].message


PATTERN = {"type": "object", "properties": {"code": {"type": "string", "pattern": r"^\d+$"}}}


@pytest.mark.parametrize("fast", [True, False])
def test_patterns_run_on_re2_in_both_paths(fast: bool) -> None:
    # RE2's \d is ASCII; Rust's regex (the compiled check's own) would accept "１２".
    assert _problems(PATTERN, {"code": "１２"}, fast) == [
        ("schema", "'１２' does not match '^\\\\d+$'", ("code",))
    ]
    assert _problems(PATTERN, {"code": "12"}, fast) == []


@pytest.mark.parametrize("fast", [True, False])
def test_a_text_too_long_to_match_is_a_problem_in_both_paths(fast: bool) -> None:
    long = "1" * (MAX_MATCH_INPUT + 1)
    problems = _problems(PATTERN, {"code": long}, fast)
    assert len(problems) == 1 and "too long to match" in problems[0][1]


@pytest.mark.parametrize("fast", [True, False])
def test_a_decimal_is_never_an_integer(fast: bool) -> None:
    raw = {"type": "object", "properties": {"n": {"type": "integer"}}}
    # YAML `1.0` loads as Decimal("1.0"): jsonschema says not an integer; so must the check.
    assert _problems(raw, {"n": Decimal("1.0")}, fast) == [
        ("schema", "Decimal('1.0') is not of type 'integer'", ("n",))
    ]


@pytest.mark.parametrize("fast", [True, False])
def test_dates_are_strings_in_both_paths(fast: bool) -> None:
    raw = {"type": "object", "properties": {"d": {"type": "string", "format": "date"}}}
    assert _problems(raw, {"d": dt.date(2025, 1, 2)}, fast) == []
    assert _problems(raw, {"d": 3}, fast) == [
        ("schema", "3 is not of type 'string'", ("d",)),
        ("unreadable-value", "expected a date written as text, found 3", ("d",)),
    ]


def test_schemas_the_compiled_check_cannot_run_exactly_are_left_to_jsonschema() -> None:
    keyed = {"type": "object", "patternProperties": {"^x-": {"type": "string"}}}
    assert fastschema.compile_validity(keyed) is None
    assert fastschema.compile_validity({"$ref": "https://example.invalid/s.json"}) is None


@needs_wheel
def test_data_it_might_read_differently_is_left_to_jsonschema() -> None:
    check = fastschema.compile_validity({"type": "object"})
    assert check is not None
    assert check({"a": [1, "x", None, dt.date(2025, 1, 1), Decimal("0.5")]}) is True
    assert check({1: "non-string key"}) is None
    assert check({"a": Decimal("2")}) is None
    assert check({"a": object()}) is None


def test_a_run_over_valid_contracts_does_not_import_jsonschema(tmp_path: Path) -> None:
    """jsonschema is a sixth of the start-up: it is imported only to explain invalid data."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from checker.config import Config\n"
        "from checker.session import make_plan, run_files\n"
        "plan = make_plan(Config(), [], None, None)\n"
        f"r = list(run_files(plan, [Path({str(ROOT / 'examples' / 'c1-customer-acquisition.yaml')!r})], 1))\n"
        "assert r[0].findings == [], r[0].findings\n"
        "print('jsonschema' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert out.returncode == 0, out.stderr
    expected = "False" if fastschema.jsonschema_rs is not None else "True"
    assert out.stdout.strip() == expected


def test_plain_copies_only_what_changes_and_never_the_input() -> None:
    # Dates become strings inside maps and lists alike; a container with nothing to change
    # is used as it is, and the caller's data is never written to.
    kept = {"b": [1, "x"]}
    data = {"a": [{"d": dt.date(2024, 1, 2)}, kept], "k": kept}
    out = fastschema._plain(data)
    assert out == {"a": [{"d": "2024-01-02"}, kept], "k": kept}
    assert out["a"][1] is kept and out["k"] is kept
    assert data["a"][0]["d"] == dt.date(2024, 1, 2)
    assert fastschema._plain(kept) is kept
    with pytest.raises(fastschema._Unsure):
        fastschema._plain({"a": [{1: "x"}]})


def test_plain_scalars_cost_no_call_each(monkeypatch: pytest.MonkeyPatch) -> None:
    # A contract holds ~500 strings, numbers and booleans and ~100 maps and lists: only
    # containers and values to convert or vet are visited by a call of their own.
    calls: list[str] = []
    plain = fastschema._plain

    def counting(value: Any) -> Any:
        calls.append(type(value).__name__)
        return plain(value)

    monkeypatch.setattr(fastschema, "_plain", counting)
    data = {"a": ["x", 1, True, None, {"b": "y", "d": dt.date(2024, 1, 2)}], "n": Decimal("0.5")}
    assert counting(data) == {
        "a": ["x", 1, True, None, {"b": "y", "d": "2024-01-02"}],
        "n": Decimal("0.5"),
    }
    assert calls == ["dict", "list", "dict", "date", "Decimal"]
    assert data["a"][4]["d"] == dt.date(2024, 1, 2)  # the input is not changed
    with pytest.raises(fastschema._Unsure):
        counting(["x", Decimal("2")])  # 2.0 may be an integer to one check and not the other
