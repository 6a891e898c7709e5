"""Fast paths of the compiled evaluator for large contracts: `??` over a built list, lists
shared by every element of an `each` rule built once, text membership and equality in C.
Each agrees with the interpreter; the generated code is checked not to fall back to it."""

from __future__ import annotations

from decimal import Decimal
from types import MappingProxyType
from typing import Any

import pytest

from checker.lang import Duration, Missing, Money, Program, ops, types
from checker.lang.runtime import DEOPT_ERRORS, Deopt, _path_get

DATA: dict[str, Any] = {
    "parties": [{"label": "甲方", "name": "甲公司"}, {"label": "乙方", "name": "乙公司"}],
    "signatures": [
        {"party": "甲方", "name": "甲公司"},
        {"party": "乙方", "name": "乙"},
        {"party": "丙方", "name": "丙公司"},
    ],
}
EACH = 's.party in parties[*].label and s.name == (parties[? @.label == s.party][0].name ?? "")'


def _per_element(program: Program, text: str) -> tuple[list[Any], list[Any], Any]:
    """The expression's value for each signature, compiled (fast path only: a fallback to
    the interpreter raises) and interpreted, and the Env the compiled runs shared."""
    expr = program.compile(text, {"s": types.ANY})
    env = program.env(DATA)
    fast, slow = [], []
    for s in DATA["signatures"]:
        program.bind(env, "s", s)
        fast.append(expr.compiled.fast(env.data, env.params, env.let_value, env.ctx))
        other = program.env(DATA)
        program.bind(other, "s", s)
        slow.append(expr.interpret(other))
    return fast, slow, env


def test_an_each_assertion_over_labels_runs_compiled_and_agrees() -> None:
    fast, slow, _ = _per_element(Program(), EACH)
    assert fast == slow == [True, False, False]


PARTIES_BY_LABEL = {p["label"]: [p] for p in DATA["parties"]}
SIGNATURES_BY_PARTY = {s["party"]: [s] for s in DATA["signatures"]}


def test_a_list_no_element_changes_is_built_once_per_contract() -> None:
    _, _, env = _per_element(Program(), EACH)
    # `parties[*].label` is shared; `parties[? @.label == s.party]` depends on `s`, and
    # is looked up in an index of the parties by label, built once.
    assert list(env.hoisted.values()) == [["甲方", "乙方"], PARTIES_BY_LABEL]


@pytest.mark.parametrize(
    ("text", "shared"),
    [
        # reads `s` inside the filter: only the index of the filtered list is shared
        ("count(parties[? @.label == s.party])", [PARTIES_BY_LABEL]),
        ("all p in parties: p.label != s.party", []),  # a quantifier over an outer list
        ("count(signatures[? @.party == s.party]) == 1", [SIGNATURES_BY_PARTY]),
        ("count(parties[? @.label != s.party])", []),  # not an equality: no index
    ],
)
def test_lists_that_depend_on_the_element_are_not_shared(text: str, shared: list[Any]) -> None:
    fast, slow, env = _per_element(Program(), text)
    assert fast == slow
    assert list(env.hoisted.values()) == shared


@pytest.mark.parametrize(
    "parties",
    [
        [{"label": "甲方"}, {"label": 1}],  # a label that is not a text
        [{"label": "甲方"}, {"name": "x"}],  # an item without a label
        [{"label": "甲方"}, "乙方"],  # an item that is not a map
        [{"label": "甲方"}, {"label": "甲方", "name": "again"}],  # a label twice
        [],
    ],
)
def test_a_keyed_filter_agrees_with_the_filter_as_written(parties: list[Any]) -> None:
    """Where no index can be made, the filter runs as written; found items keep their order."""
    program = Program()
    expr = program.compile("parties[? @.label == s.party]", {"s": types.ANY})
    data = {**DATA, "parties": parties}
    env = program.env(data)
    compared = 0
    for s in data["signatures"]:
        program.bind(env, "s", s)
        other = program.env(data)
        program.bind(other, "s", s)
        try:
            fast = expr.compiled.fast(env.data, env.params, env.let_value, env.ctx)
        except DEOPT_ERRORS:
            continue  # the interpreter decides (run() falls back): nothing to compare
        assert fast == expr.interpret(other)
        compared += 1
    if all(type(p) is dict and type(p.get("label")) is str for p in parties):
        assert compared == len(data["signatures"])  # these run compiled, index or not


def test_a_list_inside_a_quantifier_is_shared_unless_it_reads_the_quantified_name() -> None:
    text = "all p in parties: p.label in signatures[*].party"
    fast, slow, env = _per_element(Program(), text)
    assert fast == slow == [True, True, True]
    assert list(env.hoisted.values()) == [["甲方", "乙方", "丙方"]]
    text = "all p in parties: count(signatures[? @.party == p.label]) == 1"
    fast, slow, env = _per_element(Program(), text)
    assert fast == slow and list(env.hoisted.values()) == [SIGNATURES_BY_PARTY]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('parties[? @.label == "甲方"][0].name ?? ""', "甲公司"),
        ('parties[? @.label == "丁方"][0].name ?? "none"', "none"),
        ('parties[? @.label == "甲方"][0].seal ?? "no seal"', "no seal"),
        ("signatures[*].party ?? []", ["甲方", "乙方", "丙方"]),
    ],
)
def test_coalescing_a_built_list_runs_compiled(text: str, expected: Any) -> None:
    assert _compiled_only(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # compact() drops missing items: absent paths in its list need no interpreter.
        ("compact([parties[0].seal, parties[1].name, fees.total, signatures[5].name])", ["乙公司"]),
        ("compact(parties[*].seal ?? [])", []),
        ("compact(signatures[*].name ?? [])", ["甲公司", "乙", "丙公司"]),
        ("compact(fees.components[*].amount ?? [])", []),  # no list at all: the empty one
        (
            'flatten([compact(parties[? @.label == "乙方"][*].seal), compact([parties[0].name])])',
            ["甲公司"],
        ),
    ],
)
def test_compacting_absent_paths_runs_compiled(text: str, expected: Any) -> None:
    assert _compiled_only(text) == expected


def _compiled_only(text: str) -> Any:
    """The value by the compiled fast path alone (a fallback to the interpreter fails the
    test), the interpreter's too."""
    program = Program()
    expr = program.compile(text)
    env = program.env(DATA)
    try:
        value = expr.compiled.fast(env.data, env.params, env.let_value, env.ctx)
    except Deopt:  # pragma: no cover - the failure this test is about
        pytest.fail(f"{text} fell back to the interpreter")
    assert value == expr.interpret(program.env(DATA))
    return value


def test_text_membership_and_equality_keep_the_language_rules() -> None:
    gone = Missing(["x"])
    assert ops.member("a", ["b", "a"]) is True
    assert ops.member("a", ["b", gone, "a"]) is True
    assert ops.member("c", ["b", gone]) == gone  # not found, one item unknown: missing
    assert ops.member("1", [1, 2]) is False  # a text never equals a number
    assert ops.member("c", []) is False
    assert ops.eq("甲方", "甲方") is True and ops.eq("甲方", "乙方") is False
    assert ops.eq("a", gone) == gone


def test_trees_read_back_from_the_cache_keep_spans_without_listing_fields(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Unpickling a tree sets each node's and span's slots directly: the generic dataclass
    way listed the fields again for every span (a third of reading the parse cache)."""
    import dataclasses
    import io
    import pickle

    from checker.lang import cache
    from checker.lang.parser import parse

    tree = parse('count(parties[? @.label == "甲方"]) >= 1')
    raw = pickle.dumps(tree, protocol=pickle.HIGHEST_PROTOCOL)

    def refuse(*args: Any) -> Any:
        raise AssertionError("dataclasses.fields called while reading a tree")

    monkeypatch.setattr(dataclasses, "fields", refuse)
    back = cache._Unpickler(io.BytesIO(raw)).load()
    monkeypatch.undo()
    assert back == tree
    assert back.span == tree.span and back.operands[0].span == tree.operands[0].span


@pytest.mark.parametrize(
    ("obj", "keys", "expected"),
    [
        ({"a": {"b": [{"c": 1}]}}, ("a", "b", 0, "c"), 1),
        ({"a": {"b": [{"c": 1}]}}, ("a", "b", -1, "c"), 1),
        ({"a": {"b": [{"c": 1}]}}, ("a", "b", 1, "c"), Missing()),
        ({"a": None}, ("a", "b"), Missing()),
        ({"a": 0.5}, ("a",), ops.norm(0.5)),
        (MappingProxyType({"a": MappingProxyType({"b": 2})}), ("a", "b"), 2),
        ({"a": []}, ("a", "b"), Deopt),  # a name on a list: the interpreter's error
        ({"a": {"1": 2}}, ("a", 1), Deopt),  # an index on a map
        ({"a": "text"}, ("a", "b"), Deopt),
    ],
)
def test_path_reads_in_generated_code(obj: Any, keys: tuple[Any, ...], expected: Any) -> None:
    if expected is Deopt:
        with pytest.raises(Deopt):
            _path_get(obj, keys)
    else:
        assert _path_get(obj, keys) == expected


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([{"a": 1}, {"a": Decimal("2.50")}, {"a": 0.5}], Decimal("4.00")),
        (
            [{"a": Money(1, "CNY")}, {"a": Money(Decimal("2.5"), "CNY")}],
            Money(Decimal("3.5"), "CNY"),
        ),
        ([{"a": Duration(1, "months")}, {"a": Duration(12, "months")}], Duration(13, "months")),
        ([{"a": Money(1, "CNY")}, {"a": Missing(["x.a"])}], Missing(["x.a"])),
    ],
)
def test_sums_of_data_run_compiled(items: list[Any], expected: Any) -> None:
    program = Program()
    expr = program.compile("sum(x[*].a)")
    env = program.env({"x": items})
    try:
        value = expr.compiled.fast(env.data, env.params, env.let_value, env.ctx)
    except Deopt:  # pragma: no cover - the failure this test is about
        pytest.fail("fell back to the interpreter")
    assert value == expected == expr.interpret(program.env({"x": items}))
    assert repr(value) == repr(expr.interpret(program.env({"x": items})))


def test_a_let_is_compiled_only_when_something_reads_it() -> None:
    program = Program()
    used = program.add_let("used", "fee.amount * 2")
    unused = program.add_let("unused", "fee.amount * 3")
    expr = program.compile("used > 10")
    env = program.env({"fee": {"amount": 6}})
    assert expr.run(env) is True
    assert "compiled" in used.__dict__ and "compiled" not in unused.__dict__
    assert program.compile("unused").run(program.env({"fee": {"amount": 6}})) == 18


UNIT_EXPRESSIONS = [
    # hoisted values and keyed filters (private object() keys), functions, durations, sets
    "all p in parties: count(parties[? @.name == p.name]) == 1",
    'count(parties[? @.role in ["a", "b"]]) + count(compact(fees[? @.amount > 0]))',
    "2 years > 1 year and not blank(parties[0].name)",
    'parties[? @.role == "a"][0].name ?? "none"',
]


@pytest.mark.parametrize("text", UNIT_EXPRESSIONS)
def test_a_function_built_from_its_unit_gives_what_the_generated_one_gives(text: str) -> None:
    from checker.lang import _UnitExpr

    program = Program()
    data = [
        {
            "parties": [{"name": "A", "role": "a"}, {"name": "B", "role": "b"}],
            "fees": [{"amount": 2}],
            "term": "3 years",
        },
        {
            "parties": [{"name": "A", "role": "a"}, {"name": "A", "role": "c"}],
            "fees": [],
            "term": "1 year",
        },
        {"parties": [], "term": None},
    ]
    generated = program.compile(text)
    from_unit = program.compile(text)  # a new expression: its function from the unit
    assert not isinstance(generated.compiled, _UnitExpr)
    assert isinstance(from_unit.compiled, _UnitExpr)
    assert from_unit.compiled.source == generated.compiled.source
    for item in data:
        want = generated.run(program.env(item))
        got = from_unit.run(program.env(item))
        assert repr(got) == repr(want), (text, item)
