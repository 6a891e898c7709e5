"""The API's pydantic models and the pipeline's records: the same fields, the same JSON,
and a `check` run that never imports pydantic."""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticUndefined

import checker
from checker import api_models, models

ROOT = Path(__file__).resolve().parent.parent
DEFECT = ROOT / "examples" / "defects" / "d01-percentages-sum-to-90.yaml"

PAIRS = [(rec, api_models._PUBLIC[rec]) for rec in api_models._PUBLIC]


def _default(f: dataclasses.Field) -> object:  # type: ignore[type-arg]
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return PydanticUndefined if f.default is dataclasses.MISSING else f.default


@pytest.mark.parametrize(("record", "model"), PAIRS, ids=[r.__name__ for r, _ in PAIRS])
def test_each_model_has_its_records_fields_in_order_with_the_same_defaults(
    record: type, model: type[BaseModel]
) -> None:
    fields = dataclasses.fields(record)
    assert [f.name for f in fields] == list(model.model_fields)
    for f in fields:
        declared = model.model_fields[f.name]
        got = declared.default_factory() if declared.default_factory else declared.default  # type: ignore[call-arg]
        assert got == _default(f), f.name
        # Fields the JSON leaves out are left out by both.
        assert bool(f.metadata.get("hidden")) == bool(declared.exclude), f.name


def _finding() -> models.Finding:
    return models.Finding(
        file="c.yaml",
        line=3,
        column=5,
        pointer="/fees/0",
        pack="p",
        rule="r",
        severity="warning",
        outcome="fail",
        message="m",
        message_zh="中文",
        title="T",
        refs=[
            models.Ref(law="民法典", article="510", basis="statute"),
            models.Ref(text="practice", in_force=models.InForce(from_=dt.date(2021, 1, 1))),
        ],
        values={"a": "CNY 1.00", "b": [1, 2]},
        suppression=models.Suppression(reason="agreed", expires="2027-01-01"),
    )


@pytest.mark.parametrize(
    "options", [{}, {"exclude_none": True}, {"by_alias": True, "exclude_none": True}]
)
def test_a_record_dumps_the_json_its_model_dumps(options: dict[str, bool]) -> None:
    record = _finding()
    model = api_models.public(record)
    assert isinstance(model, api_models.Finding)
    assert record.model_dump(mode="json", **options) == model.model_dump(mode="json", **options)
    assert "title" not in record.model_dump() and "message_zh" not in record.model_dump()
    assert record.model_dump(by_alias=True, exclude_none=True)["refs"][1] == {
        "in_force": {"from": "2021-01-01"},
        "text": "practice",
    }


def test_records_and_models_convert_both_ways_without_loss() -> None:
    record = _finding()
    model = api_models.public(record)
    assert api_models.record(model) == record
    assert model.refs[1].in_force.covers(dt.date(2022, 1, 1))  # type: ignore[union-attr]
    assert model.refs[1].in_force.describe() == "from 2021-01-01"  # type: ignore[union-attr]
    assert model.refs[0].in_force_on(dt.date(1990, 1, 1))


def test_records_are_immutable_and_refuse_unknown_fields() -> None:
    record = _finding()
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.line = 4  # type: ignore[misc]
    with pytest.raises(TypeError, match="lien"):
        models.Finding(  # type: ignore[call-arg]
            file="c", pack="p", rule="r", severity="error", outcome="fail", message="m", lien=3
        )
    assert record.model_copy(update={"line": 9}).line == 9 and record.line == 3


def test_the_api_hands_out_pydantic_models_that_validate() -> None:
    pack = checker.load_pack("prc-service-contract")
    results = pack.evaluate({"parties": []})
    assert results and all(isinstance(r, checker.RuleResult) for r in results)
    assert all(isinstance(r, BaseModel) for r in results)
    assert any(r.is_finding for r in results)
    # The shared models of passes and skips are handed out again, not rebuilt.
    again = pack.evaluate({"parties": []})
    kept = [a is b for a, b in zip(results, again, strict=True) if not a.is_finding]
    assert kept and all(kept)
    # A rule's refs are the pack's own: every finding citing them shares their models.
    cited = [(a, b) for a, b in zip(results, again, strict=True) if a.is_finding and a.refs]
    assert cited and all(a is not b and a.refs[0] is b.refs[0] for a, b in cited)
    report = checker.check_paths([DEFECT], [pack])
    assert isinstance(report, checker.Report) and isinstance(report.summary, checker.Summary)
    assert report.findings and all(isinstance(f, checker.Finding) for f in report.findings)
    assert checker.Finding is api_models.Finding and checker.Ref is api_models.Ref
    with pytest.raises(ValidationError):
        checker.Finding(file="c", pack="p", rule="r", severity="fatal", outcome="fail", message="m")
    with pytest.raises(AttributeError):
        checker.Nothing  # type: ignore[attr-defined]  # noqa: B018


def test_a_check_run_never_imports_pydantic() -> None:
    code = (
        "import sys\n"
        "from checker.cli import run\n"
        f"sys.argv = ['contract-checker', 'check', '--no-config', {str(DEFECT)!r}]\n"
        "try:\n"
        "    run()\n"
        "except SystemExit as exc:\n"
        "    print(exc.code, file=sys.stderr)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'pydantic_core')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stderr.strip() == "1"  # findings were reported (from the records)
    assert "payment-percentages-sum-to-100" in out.stdout
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_records_dump_in_json_mode_only() -> None:
    with pytest.raises(ValueError, match="JSON mode"):
        _finding().model_dump(mode="python")
