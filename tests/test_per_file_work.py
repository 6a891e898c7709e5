"""Work done once per contract file, not once per pack that needs it: results stay the same."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from checker import PackSet, load_pack, runner
from checker import config as config_module
from checker.api import Pack
from checker.config import Config, matches_any
from checker.engine import SHARED_ELEMENTS
from checker.inputs import schema as schema_module
from checker.inputs.schema import ContractSchema
from checker.lang import Duration, Missing, Money, located, runtime
from checker.lang.interpreter import Env
from checker.packs.pack import builtin_packs
from checker.runner import check_file, skip_reason
from checker.session import make_plan

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


# -- typing a contract along its schema ------------------------------------------------------

_RECURSIVE = {
    "type": "object",
    "$defs": {
        "clause": {
            "type": "object",
            "properties": {
                "notice": {"type": "string", "x-type": "duration"},
                "sub": {"type": "array", "items": {"$ref": "#/$defs/clause"}},
                "text": {"type": "string"},
            },
        },
        "plain": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "more": {"$ref": "#/$defs/plain"}},
        },
    },
    "properties": {
        "clauses": {"type": "array", "items": {"$ref": "#/$defs/clause"}},
        "parties": {"type": "array", "items": {"$ref": "#/$defs/plain"}},
        "fee": {"type": "string", "x-type": "money"},
    },
}


def test_only_the_parts_with_values_to_read_are_copied() -> None:
    schema = ContractSchema(_RECURSIVE, trusted=True)
    data: dict[str, Any] = {
        "clauses": [{"text": "a", "sub": [{"sub": [{"notice": "30日", "text": "b"}]}]}],
        "parties": [{"name": "甲", "more": {"name": "乙", "more": {"name": "丙"}}}],
        "fee": "CNY 100",
    }
    typed, problems = schema.apply(data)
    assert problems == []
    assert typed is not data  # the caller's mapping is never handed back
    assert typed["fee"] == Money(Decimal("100"), "CNY")
    # A value deep in a recursive schema is still read, and keys keep their order.
    leaf = typed["clauses"][0]["sub"][0]["sub"][0]
    assert leaf == {"notice": Duration(30, "days"), "text": "b"}
    assert list(typed["clauses"][0]) == ["text", "sub"]
    assert data["clauses"][0]["sub"][0]["sub"][0]["notice"] == "30日"  # not changed
    # Nothing below `parties` has an x-type: the same objects, not a copy.
    assert typed["parties"] is data["parties"]


def test_a_text_is_read_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    schema = ContractSchema(_RECURSIVE, trusted=True)
    calls: list[str] = []
    parse = schema_module._PARSERS["money"]

    def counting(text: str) -> Any:
        calls.append(text)
        return parse(text)

    monkeypatch.setitem(schema_module._PARSERS, "money", counting)
    schema_module._parse.cache_clear()
    long = "CNY " + "1" * 60
    for _ in range(3):
        typed, _ = schema.apply({"fee": "CNY 100"})
        assert typed["fee"] == Money(Decimal("100"), "CNY")
        schema.apply({"fee": long})
        typed, problems = schema.apply({"fee": "100 apples"})
        assert isinstance(typed["fee"], Missing) and problems[0].code == "unreadable-value"
    # Long texts are not kept; a text that cannot be read is tried again (its error reported).
    assert calls == ["CNY 100", long, "100 apples", long, "100 apples", long, "100 apples"]


# -- `each` sources --------------------------------------------------------------------------


def _pack(tmp_path: Path, body: str) -> Pack:
    """A pack `t` whose `let:` and `rules:` are `body`, written to a file and loaded."""
    pack_file = tmp_path / "pack.yaml"
    pack_file.write_text("pack: t\nversion: 1.0.0\ntitle: t\n" + body, encoding="utf-8")
    return load_pack(pack_file)


def test_each_sources_run_as_generated_code_from_the_second_contract(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = _pack(
        tmp_path,
        """rules:
  - id: positive
    title: Positive amounts
    each: i in payment.installments[? @.percent > 10]
    assert: i.amount > 0
""",
    )
    data = {
        "payment": {"installments": [{"percent": 30, "amount": 5}, {"percent": 70, "amount": -1}]}
    }
    interpreted: list[object] = []
    interpreter = located.Interpreter

    def counting(env: Any) -> Any:
        interpreted.append(env)
        return interpreter(env)

    monkeypatch.setattr(located, "Interpreter", counting)
    runs = [pack.run(data, TODAY) for _ in range(3)]
    # The first contract is interpreted by the engine (a run of one contract builds no
    # code); the later ones by the generated code, the interpreter never called.
    assert interpreted == []
    for results in runs:
        assert [(loc.result.outcome, loc.result.element, loc.path) for loc in results] == [
            ("pass", 0, None),
            ("fail", 1, ("payment", "installments", 1, "amount")),
        ]
    # An absent list is still the interpreter's to report, with its path.
    (missing,) = pack.run({"payment": {}}, TODAY)
    assert missing.result.outcome == "missing"
    assert missing.result.missing == ["payment.installments"]
    assert len(interpreted) == 1


def test_results_without_findings_are_made_once_per_rule(packs: list[Pack]) -> None:
    prc = next(p for p in packs if p.id == "prc-service-contract")
    data, _ = prc.typed(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")))
    first, again = prc.run(data, TODAY), prc.run(data, TODAY)
    assert [loc.result for loc in first] == [loc.result for loc in again]
    shared = [a for a, b in zip(first, again, strict=True) if a is b]
    assert {loc.result.outcome for loc in shared} == {"pass", "skip"}
    assert any(loc.result.element is None for loc in shared)
    assert any(loc.result.element is not None for loc in shared)  # each element its own
    assert len({id(loc) for loc in first}) == len(first)


def test_passes_of_elements_past_a_bound_are_not_kept(tmp_path: Path) -> None:
    pack = _pack(tmp_path, "rules:\n  - {id: r, title: t, each: x in xs, assert: x > 0}\n")
    data = {"xs": list(range(1, SHARED_ELEMENTS + 3))}
    first, again = pack.run(data, TODAY), pack.run(data, TODAY)
    assert [loc.result for loc in first] == [loc.result for loc in again]
    assert [a is b for a, b in zip(first, again, strict=True)] == [True] * SHARED_ELEMENTS + [
        False,
        False,
    ]


def test_rules_the_file_cannot_decide_are_not_evaluated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = _pack(
        tmp_path,
        """let:
  heading: document.title ?? ""
  fee: payment.fee
rules:
  - id: titled
    title: The document has a title
    assert: heading != ""
  - id: fee-stated
    title: The fee is stated
    assert: fee > 0
""",
    )
    computed: list[str] = []
    let_value = Env.let_value

    def counting(self: Env, name: str) -> Any:
        computed.append(name)
        return let_value(self, name)

    monkeypatch.setattr(Env, "let_value", counting)
    results = pack.run({"payment": {"fee": 3}}, TODAY, skip_reason(None))
    assert [(loc.result.rule, loc.result.outcome, loc.result.reason) for loc in results] == [
        ("titled", "skip", "not a document"),
        ("fee-stated", "pass", None),
    ]
    assert computed == ["fee"]  # `heading` (reading the document model) was never worked out


def test_a_pack_run_without_some_rules_builds_no_batch_of_them_all() -> None:
    packs = [load_pack(n) for n in ("drafting", "prc-service-contract")]
    check_file(EXAMPLE, packs, TODAY)
    prc = packs[1]._runner
    assert "batch" not in vars(prc)  # only the batch without drafting's rules was built
    assert "batch" in vars(prc.without(packs[0].rule_keys))
    assert prc.batch.items  # built when asked for


def test_a_value_behind_a_ref_cycle_is_read() -> None:
    # b -> a -> b is a cycle; only `a` has a typed field: b reads through a.
    schema = ContractSchema(
        {
            "type": "object",
            "$defs": {
                "a": {"properties": {"b": {"$ref": "#/$defs/b"}, "x": {"x-type": "duration"}}},
                "b": {"properties": {"a": {"$ref": "#/$defs/a"}, "n": {"type": "string"}}},
            },
            "properties": {"start": {"$ref": "#/$defs/b"}},
        },
        trusted=True,
    )
    data = {"start": {"n": "x", "a": {"b": {"a": {"x": "3日"}}}}}
    typed, problems = schema.apply(data)
    assert problems == []
    assert typed["start"]["a"]["b"]["a"]["x"] == Duration(3, "days")


def test_a_schema_no_rule_can_use_is_not_applied(
    packs: list[Pack], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On YAML data every rule of the document pack is skipped: its schema (the document
    model's) is neither checked nor used to type the data; the other schema is, once."""
    applied: list[str] = []
    apply = ContractSchema.apply

    def counting(self: ContractSchema, *args: Any, **kw: Any) -> Any:
        applied.append(self.name)
        return apply(self, *args, **kw)

    monkeypatch.setattr(ContractSchema, "apply", counting)
    result = check_file(EXAMPLE, packs, TODAY)
    assert applied == ["service-contract"]
    assert result.outcomes[("document", "placeholder-left")] == "skip"
    assert result.skip_reasons[("document", "placeholder-left")] == "not a document"


# -- which packs apply to a file ------------------------------------------------------------


def test_suffix_globs_match_by_the_file_name_without_resolving_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The default packs' `document` globs (`*.md`, ...) are asked about every file of a
    run: the name decides, no folder is resolved; other globs still read the path."""
    plan = make_plan(Config(root=tmp_path), [], None, None)
    assert {p.id for p, globs in plan.packs if globs} == {"document"}

    def no_resolve(self: Path, strict: bool = False) -> Path:
        raise AssertionError(f"resolved {self}")

    monkeypatch.setattr(Path, "resolve", no_resolve)
    ids = [p.id for p in plan.packs_for(str(tmp_path / "a" / "c1.yaml"))]
    assert "document" not in ids and "prc-service-contract" in ids
    assert "document" in [p.id for p in plan.packs_for(str(tmp_path / "a" / "c1.docx"))]
    assert matches_any("notes/readme.MD", ["./*.txt", "**/*.MD"], tmp_path)
    assert not matches_any("notes/readme.md", ("*.MD",), tmp_path)
    with pytest.raises(AssertionError, match="resolved"):
        matches_any(str(tmp_path / "a" / "c1.md"), ("a/*.md",), tmp_path)


@settings(max_examples=300, deadline=None)
@given(
    name=st.text(alphabet="ab.mdMD*?[]x", min_size=1, max_size=6),
    folder=st.sampled_from(["", "d/", "d.md/", "./d/", "/abs/d/"]),
    globs=st.lists(
        st.sampled_from(
            ["*.md", "*.MD", "./*.txt", "**/*.md", "*d", "*.", "*", "a*", "*/x", "*[ab]"]
        ),
        max_size=3,
    ),
)
def test_name_only_matching_agrees_with_the_path_matching(
    name: str, folder: str, globs: list[str]
) -> None:
    root = Path("/abs")
    got = matches_any(folder + name, globs, root)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(config_module, "_name_endings", lambda globs: None)
        assert got == matches_any(folder + name, globs, root)


def test_suppressible_rule_ids_are_listed_only_for_a_file_with_a_suppression(
    packs: list[Pack], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """check_file without `rule_ids` (check_paths, the API) listed every rule id of the
    packs for every file; only a file with a suppression comment needs them."""
    listed: list[int] = []
    ids = runner.suppressible_ids

    def counting(*args: Any) -> frozenset[str]:
        listed.append(1)
        return ids(*args)

    monkeypatch.setattr(runner, "suppressible_ids", counting)
    assert check_file(EXAMPLE, packs, TODAY).findings == []
    assert listed == []
    text = EXAMPLE.read_text(encoding="utf-8")
    marked = tmp_path / "marked.yaml"
    marked.write_text("# contract-checker: disable=no-such-rule -- test\n" + text, "utf-8")
    found = check_file(marked, packs, TODAY).findings
    assert listed == [1]
    assert [(f.rule, f.line, f.message) for f in found] == [
        (
            "unknown-rule-in-suppression",
            1,
            "suppression names an unknown rule `no-such-rule`; see `contract-checker rules`",
        )
    ]
