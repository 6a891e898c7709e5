"""PackSet: several packs on one contract, the contract typed once per shared schema."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker import PackSet, load_pack
from checker.api import plain_data
from checker.inputs.schema import ContractSchema

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2025, 6, 1)


def _data(name: str) -> dict[str, Any]:
    text = (ROOT / "examples" / name).read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


@pytest.mark.parametrize(
    "name", ["c1-customer-acquisition.yaml", "defects/d01-percentages-sum-to-90.yaml"]
)
def test_evaluate_is_every_pack_evaluated_once_per_rule(name: str) -> None:
    packs = [load_pack(n) for n in ("drafting", "pipl-customer-data", "prc-service-contract")]
    data = _data(name)
    # prc-service-contract extends drafting: drafting's rules are reported once, by drafting.
    expected = []
    seen: set[tuple[str, str]] = set()
    for pack in packs:
        expected += [r for r in pack.evaluate(data, TODAY) if (r.pack, r.rule) not in seen]
        seen |= {(r.pack, r.id) for r in pack.rules}
    got = PackSet(packs).evaluate(data, TODAY)
    assert got == expected
    assert any(r.outcome == "fail" for r in got) == name.startswith("defects/")


def test_the_contract_is_typed_once_for_packs_sharing_a_schema(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    packs = [load_pack(n) for n in ("drafting", "pipl-customer-data", "prc-service-contract")]
    assert len({id(p.schema) for p in packs}) == 1
    calls: list[int] = []
    apply = ContractSchema.apply

    def counting(self: ContractSchema, data: Any) -> Any:
        calls.append(1)
        return apply(self, data)

    monkeypatch.setattr(ContractSchema, "apply", counting)
    data = _data("c1-customer-acquisition.yaml")
    PackSet(packs).evaluate(data, TODAY)
    assert len(calls) == 1
    for pack in packs:
        pack.evaluate(data, TODAY)
    assert len(calls) == 4


def test_plain_data_copies_only_what_it_changes() -> None:
    inner = {"a": [1, "x", None, True, dt.date(2025, 1, 1), Decimal("1.5")]}
    data = {"keep": inner, "float": 0.05, "tuple": (1, 2), "keys": {1: "one"}}
    out = plain_data(data)
    assert out == {
        "keep": inner,
        "float": Decimal("0.05"),
        "tuple": [1, 2],
        "keys": {"1": "one"},
    }
    assert out["keep"] is inner  # nothing to change: not copied
    assert plain_data(inner) is inner
    assert data["float"] == 0.05  # the caller's data is never changed


def _nested(levels: int) -> dict[str, Any]:
    """A mapping `levels` deep, itself counted (the loader's way of counting)."""
    data: dict[str, Any] = {}
    inner = data
    for _ in range(levels - 1):
        inner["x"] = {}
        inner = inner["x"]
    return data


def test_api_data_nests_as_deep_as_a_file_may_and_no_deeper() -> None:
    """Through the API, as from a file: 100 levels are checked; deeper data, or data that
    contains itself, is a clear ValueError, not a RecursionError from deep inside."""
    packs = PackSet([load_pack("drafting")])
    assert packs.evaluate(_nested(100))  # results, no error
    cyclic: dict[str, Any] = {"parties": []}
    cyclic["parties"].append(cyclic)
    for data in (_nested(101), cyclic):
        with pytest.raises(ValueError, match=r"^contract data: the data is nested more than 100"):
            packs.evaluate(data)
        with pytest.raises(ValueError, match="nested more than 100 levels"):
            load_pack("drafting").evaluate(data)


def test_plain_data_changes_only_what_needs_it_and_keeps_the_rest_as_it_is() -> None:
    from decimal import Decimal

    untouched = {"d": "x", "e": [1, "y", None, True]}
    data = {"a": 1, "b": 0.5, "c": untouched, 3: [1, 2.5, (4, 0.25)], "f": {"g": 0.1}}
    out = plain_data(data)
    assert out == {
        "a": 1,
        "b": Decimal("0.5"),
        "c": untouched,
        "3": [1, Decimal("2.5"), [4, Decimal("0.25")]],
        "f": {"g": Decimal("0.1")},
    }
    assert out["c"] is untouched and out["c"]["e"] is untouched["e"]
    assert list(out) == ["a", "b", "c", "3", "f"]  # the order of the keys is kept
    assert plain_data(untouched) is untouched
