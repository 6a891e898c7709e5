"""Values the loader accepts, however extreme, are checked: never an internal-error finding."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.api import Pack, load_packs
from checker.inputs.loader import MAX_DEPTH, MAX_NUMBER_DIGITS
from checker.packs.pack import builtin_packs
from checker.runner import FileResult, check_file

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "c1-customer-acquisition.yaml"
Path_ = tuple[str | int, ...]

# Typed places of the example (money, percentages, durations, counts) and plain text ones.
PLACES: list[Path_] = [
    ("fees", "total"),
    ("fees", "components", 0, "amount"),
    ("payment", "installments", 0, "percent"),
    ("payment", "installments", 1, "amount"),
    ("invoicing", "tax_rate"),
    ("liabilities", "late_payment", "penalty", "value"),
    ("liabilities", "breaches", 1, "penalty_fixed"),
    ("liabilities", "cap", "percent"),
    ("term", "duration"),
    ("confidentiality", "term"),
    ("services", "kpis", 0, "target"),
    ("originals", "count"),
    ("parties", 0, "name"),
    ("meta", "title"),
]


@cache
def packs() -> list[Pack]:
    return load_packs(list(builtin_packs()))


@cache
def example() -> dict[str, Any]:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def with_value(path: Path_, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(example())
    node: Any = data
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return data


class Raw:
    """Numeral text written into the JSON as is (a number json.dumps would not write)."""

    def __init__(self, text: str) -> None:
        self.text = text


def to_text(data: dict[str, Any], fmt: str) -> str:
    raws: list[str] = []

    def default(v: Any) -> Any:
        if isinstance(v, Raw):
            raws.append(v.text)
            return f"\x00raw{len(raws) - 1}\x00"
        return str(v)  # dates

    text = json.dumps(data, ensure_ascii=False, default=default)
    for i, raw in enumerate(raws):
        text = text.replace(f'"\\u0000raw{i}\\u0000"', raw)
    if fmt == "yaml" and not raws:
        return yaml.safe_dump(json.loads(text), allow_unicode=True, sort_keys=False)
    return text  # JSON is YAML too: deep nesting and raw numerals stay in flow style


def run(tmp_path: Path, data: dict[str, Any], fmt: str) -> FileResult:
    path = tmp_path / f"contract.{fmt}"
    path.write_text(to_text(data, fmt), encoding="utf-8")
    return check_file(path, packs())


def internal_errors(result: FileResult) -> list[str]:
    return [f.message for f in result.findings if f.rule == "internal-error"]


def nested(depth: int, leaf: Any = "x") -> Any:
    """A value `depth` levels deep (a list of lists … of `leaf`)."""
    for _ in range(depth):
        leaf = [leaf]
    return leaf


# -- the cases that used to crash -----------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "yaml"])
@pytest.mark.parametrize(
    ("path", "value", "shown"),
    [  # 27 digits, then two decimals: past the default 28-digit decimal context
        (("fees", "total"), "CNY " + "9" * 27, "CNY " + "9" * 27 + ".00"),
        (
            ("fees", "total"),
            "人民币1234567890123456789012345678元",
            "CNY 1234567890123456789012345678.00",
        ),
        # percent × total / 100: past the language's 60 digits, a finding names the limit
        (("payment", "installments", 0, "percent"), int("1" * 100), "number out of range"),
    ],
)
def test_long_amounts_are_evaluated(
    tmp_path: Path, fmt: str, path: Path_, value: Any, shown: str
) -> None:
    result = run(tmp_path, with_value(path, value), fmt)
    assert internal_errors(result) == []
    assert any(shown in f.message for f in result.findings if f.pack != "contract-checker")


@pytest.mark.parametrize("fmt", ["json", "yaml"])
@pytest.mark.parametrize(
    "path", [("parties", 0, "name"), ("payment", "installments", 0, "amount"), ("deep",)]
)
def test_nesting_up_to_the_loader_limit_is_checked(tmp_path: Path, fmt: str, path: Path_) -> None:
    depth = MAX_DEPTH - len(path)  # the levels left below the path's (the root is one)
    result = run(tmp_path, with_value(path, nested(depth)), fmt)
    assert internal_errors(result) == []
    assert "unreadable-contract" not in {f.rule for f in result.findings}
    assert any(f.pointer == "/" + "/".join(map(str, path)) for f in result.findings)
    # and one level more is a clear finding at the place, naming the limit
    result = run(tmp_path, with_value(path, nested(depth + 1)), fmt)
    (f,) = result.findings
    assert f.rule == "unreadable-contract" and f.line is not None and f.column is not None
    assert (
        f.message
        == f"cannot read the contract: the data is nested more than {MAX_DEPTH} levels deep"
    )


# -- any extreme value, anywhere ------------------------------------------------------------

DIGITS = st.integers(1, MAX_NUMBER_DIGITS).flatmap(
    lambda n: st.text("0123456789", min_size=n, max_size=n).map(lambda s: "1" + s[1:])
)
NUMERALS = st.one_of(
    DIGITS.map(Raw),
    DIGITS.map(lambda d: Raw("-" + d)),
    st.tuples(DIGITS, st.integers(0, MAX_NUMBER_DIGITS - 1)).map(
        lambda t: Raw(f"{t[0][: MAX_NUMBER_DIGITS - 1]}e-{t[1]}")
    ),
    st.integers(1, MAX_NUMBER_DIGITS - 2).map(lambda n: Raw("0." + "0" * n + "1")),
    st.decimals(allow_nan=False, allow_infinity=False).map(lambda d: Raw(str(Decimal(d)))),
)
STRINGS = st.one_of(
    DIGITS.map(lambda d: f"人民币{d}元"),
    DIGITS.map(lambda d: f"CNY {d}"),
    DIGITS.map(lambda d: f"CNY 0.{d}"),
    DIGITS.map(lambda d: f"{d}年"),
    DIGITS.map(lambda d: f"{d}个月"),
    DIGITS.map(lambda d: f"{d[:60]}.5个月"),
    DIGITS.map(lambda d: f"{d} working days"),
    st.integers(1_000, 50_000).map(lambda n: "字" * n),
    st.integers(1, 60).map(lambda n: "人民币" + "壹拾" * n + "元"),
)
VALUES = st.one_of(
    NUMERALS,
    STRINGS,
    st.integers(1, MAX_DEPTH - 6).map(nested),
    st.integers(0, 2000).map(lambda n: list(range(n))),
)


@settings(
    max_examples=examples(0.4),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(st.tuples(st.sampled_from(PLACES), VALUES), min_size=1, max_size=3),
    st.sampled_from(["json", "yaml"]),
)
def test_extreme_values_never_crash_a_check(
    tmp_path: Path, changes: list[tuple[Path_, Any]], fmt: str
) -> None:
    data = copy.deepcopy(example())
    for path, value in changes:
        node: Any = data
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value
    result = run(tmp_path, data, fmt)
    assert internal_errors(result) == []
