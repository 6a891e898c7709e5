"""Work done once per contract file, not once per pack that needs it: results stay the same."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker import PackSet, load_pack
from checker.api import Pack
from checker.lang import runtime
from checker.packs.pack import builtin_packs
from checker.runner import check_file

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "c1-customer-acquisition.yaml"
TODAY = dt.date(2025, 6, 1)


@pytest.fixture(scope="module")
def packs() -> list[Pack]:
    return [load_pack(n) for n in builtin_packs()]


def _count_placeholder_scans(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    scan = runtime.find_placeholders

    def counting(*args: Any) -> Any:
        calls.append(1)
        return scan(*args)

    monkeypatch.setattr(runtime, "find_placeholders", counting)
    return calls


def test_rules_shared_through_extends_run_once_per_file(
    packs: list[Pack], monkeypatch: pytest.MonkeyPatch
) -> None:
    # prc-service-contract extends drafting: drafting's `unlisted_blanks` (placeholders of
    # the whole contract) is worked out by drafting only, not again inside prc.
    assert {p.id for p in packs} >= {"drafting", "prc-service-contract"}
    calls = _count_placeholder_scans(monkeypatch)
    result = check_file(EXAMPLE, packs, TODAY)
    assert len(calls) == 1
    assert result.findings == []
    # Results are unchanged (tests/golden*): the rules of both packs still have outcomes.
    assert result.outcomes[("drafting", "amount-uppercase-matches-numeric")] == "pass"
    assert result.outcomes[("prc-service-contract", "any-time-termination-compensation")] == "pass"


def test_packset_runs_a_shared_rule_once(monkeypatch: pytest.MonkeyPatch) -> None:
    packs = [load_pack(n) for n in ("drafting", "prc-service-contract")]
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    calls = _count_placeholder_scans(monkeypatch)
    results = PackSet(packs).evaluate(data, TODAY)
    assert len(calls) == 1
    assert len({(r.pack, r.rule, r.element) for r in results}) == len(results)  # none twice


def test_run_without_rules_another_pack_ran(packs: list[Pack]) -> None:
    prc = next(p for p in packs if p.id == "prc-service-contract")
    data, _ = prc.typed(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")))
    drafting = {(r.pack, r.id) for r in prc.rules if r.pack == "drafting"}
    assert drafting
    full = prc.run(data, TODAY)
    rest = prc.run(data, TODAY, exclude=drafting)
    assert [loc.result for loc in rest] == [
        loc.result for loc in full if (loc.result.pack, loc.result.rule) not in drafting
    ]
    # The pack without those rules is built once, then reused for every file.
    assert prc._runner.without(drafting) is prc._runner.without(set(drafting))
    assert prc._runner.without({("other", "rule")}) is prc._runner
