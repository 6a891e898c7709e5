"""Property tests: the printer and parser agree, the compiled evaluator agrees with the interpreter,
and no input text makes the language raise anything but its own errors."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from conftest import TODAY, examples
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from checker.lang import Duration, EvalError, ExprError, Missing, Money, Program, parse, unparse
from checker.lang.interpreter import ElemPaths, Interpreter
from checker.lang.located import compile_source
from checker.lang.nodes import (
    Binary,
    Call,
    Compare,
    Current,
    Element,
    Filter,
    If,
    Index,
    ListLit,
    Literal,
    Member,
    Name,
    Node,
    Project,
    Quant,
    Unary,
)
from checker.lang.values import dumps

NAMES = ["a", "b", "c", "xs", "m"]
FIELDS = ["a", "b", "x", "name", "key-with-dash"]
VARS = ["v", "w"]

numbers = st.one_of(
    st.integers(min_value=0, max_value=10**6),
    st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False),
    # Equal values written differently (`CNY 1` and `CNY 1.000` print differently): the
    # compiled evaluator must not merge them as one constant.
    st.sampled_from([0, 1, Decimal("1.0"), Decimal("1.000"), Decimal("0.10"), Decimal("2.50")]),
)
literals = st.one_of(
    numbers.map(lambda n: Literal("number", n)),
    st.text(max_size=6).map(lambda s: Literal("string", s)),
    st.booleans().map(lambda b: Literal("bool", b)),
    st.just(Literal("null", None)),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1)).map(
        lambda d: Literal("date", d)
    ),
    st.tuples(st.integers(0, 100), st.sampled_from(["months", "days", "working_days"])).map(
        lambda t: Literal("duration", Duration(t[0], t[1]))  # type: ignore[arg-type]
    ),
    st.tuples(numbers, st.sampled_from(["CNY", "USD"])).map(
        lambda t: Literal("money", Money(t[0], t[1]))
    ),
)


def _path(base: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    return st.one_of(
        st.builds(Member, base, st.sampled_from(FIELDS)),
        st.builds(Index, base, st.integers(0, 3).map(lambda i: Literal("number", i))),
    )


def _body_path() -> st.SearchStrategy[Node]:
    """A projection body: a short path starting at the implicit element."""
    return st.recursive(st.just(Element()), _path, max_leaves=2)


CALLS = {
    "sum": 1,
    "count": 1,
    "len": 1,
    "exists": 1,
    "blank": 1,
    "compact": 1,
    "min": 1,
    "max": 1,
    "abs": 1,
    "lower": 1,
    "contains": 2,
    "round": 2,
    "days_between": 2,
    "cny_upper": 1,
    "placeholders": 1,
    "cn_number": 1,
    "missing": 1,
}


def _extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    return st.one_of(
        _path(children),
        st.builds(Project, children, _body_path()),
        st.builds(
            Filter,
            children,
            st.builds(
                Compare,
                st.tuples(st.builds(Member, st.just(Current()), st.sampled_from(FIELDS)), children),
                st.sampled_from([("==",), ("<",), ("!=",)]),
            ),
        ),
        st.builds(ListLit, st.lists(children, max_size=3).map(tuple)),
        st.sampled_from(sorted(CALLS)).flatmap(
            lambda f: st.lists(children, min_size=CALLS[f], max_size=CALLS[f]).map(
                lambda args: Call(f, tuple(args))
            )
        ),
        st.builds(Unary, st.sampled_from(["not", "-"]), children),
        st.builds(
            Binary,
            st.sampled_from(["+", "-", "*", "/", "??", "and", "or", "implies"]),
            children,
            children,
        ),
        st.integers(1, 3).flatmap(
            lambda n: st.builds(
                Compare,
                st.lists(children, min_size=n + 1, max_size=n + 1).map(tuple),
                st.lists(
                    st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "in", "not in"]),
                    min_size=n,
                    max_size=n,
                ).map(tuple),
            )
        ),
        st.builds(If, children, children, children),
        st.builds(
            Quant,
            st.sampled_from(["all", "any", "none"]),
            st.sampled_from(VARS),
            children,
            children,
        ),
    )


leaves = st.one_of(literals, st.sampled_from(NAMES + VARS).map(Name))
trees: st.SearchStrategy[Node] = st.recursive(leaves, _extend, max_leaves=12)


@settings(max_examples=examples(4), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees)
def test_parse_of_unparse_is_identity(tree: Node) -> None:
    text = unparse(tree)
    assert parse(text) == tree, text


json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1000, 10**6),
    st.floats(min_value=-1000, max_value=1000, allow_nan=False).map(lambda f: round(f, 3)),
    st.decimals(min_value=-100, max_value=100, places=2, allow_nan=False, allow_infinity=False),
    st.text(max_size=5),
    st.sampled_from(["3年", "人民币100元", "2025-01-31", "壹拾元整", "____", "[X]%", "叁年"]),
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 1, 1)),
    # an unreadable typed value: the schema typer leaves a missing value in the data
    st.just(Missing(["a"], ["cannot read 'x' as money"])),
)
json_values = st.recursive(
    json_scalars,
    lambda kids: st.one_of(
        st.lists(kids, max_size=4),
        st.dictionaries(st.sampled_from(FIELDS), kids, max_size=4),
    ),
    max_leaves=12,
)
contracts = st.dictionaries(st.sampled_from(NAMES), json_values, max_size=5)


def _outcome(run: Any) -> str:
    try:
        v = run()
    except EvalError as exc:
        return f"error: {exc}"
    if isinstance(v, Missing):
        return f"missing: {v!r}"
    return f"value: {v!r}"


# Many random trees do not type-check (1 + "a"): they are filtered out, by design.
@settings(
    max_examples=examples(15),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(trees, contracts)
def test_compiled_agrees_with_interpreter(tree: Node, data: dict[str, Any]) -> None:
    _agree(tree, data)


# Constants equal in value but written differently side by side (`[CNY 1, CNY 1.000]`,
# `[1, true]`), where merging them into one constant would show.
equal_amounts = st.sampled_from([1, Decimal("1.0"), Decimal("1.00"), Decimal("1.000")])
tricky = st.one_of(
    equal_amounts.map(lambda n: Literal("money", Money(n, "CNY"))),
    equal_amounts.map(lambda n: Literal("number", n)),
    st.booleans().map(lambda b: Literal("bool", b)),
    st.tuples(st.sampled_from(["*", "+"]), equal_amounts, equal_amounts).map(
        lambda t: (
            Binary(t[0], Literal("money", Money(t[1], "CNY")), Literal("number", t[2]))
            if t[0] == "*"
            else Binary(
                "+", Literal("money", Money(t[1], "CNY")), Literal("money", Money(t[2], "CNY"))
            )
        )
    ),
)


@settings(deadline=None)
@given(st.lists(tricky, min_size=2, max_size=5).map(lambda xs: ListLit(tuple(xs))))
def test_equal_constants_agree(tree: Node) -> None:
    _agree(tree, {})


def _agree(tree: Node, data: dict[str, Any]) -> None:
    """The compiled evaluator, alone and in a batch, gives exactly the interpreter's outcome."""
    program = Program()
    try:
        expr = program.compile(unparse(tree))
    except ExprError:
        assume(False)
        return
    compiled = _outcome(lambda: expr.run(program.env(data, today=TODAY)))
    interpreted = _outcome(lambda: expr.interpret(program.env(data, today=TODAY)))
    assert compiled == interpreted, expr.compiled.source
    batch = program.batch([expr, expr])

    def batched() -> Any:
        values = batch.run(program.env(data, today=TODAY))
        assert _outcome(lambda: _raise(values[0])) == _outcome(lambda: _raise(values[1]))
        return _raise(values[0])

    assert _outcome(batched) == interpreted, batch.source


def _raise(v: Any) -> Any:
    if isinstance(v, EvalError):
        raise v
    return v


@settings(max_examples=examples(3), deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("ab1.[]()*?@:\"'#+-/<>=!, \nxsinotadlfe年CNY_")), max_size=40
    ),
    contracts,
)
def test_arbitrary_text_raises_only_our_errors(text: str, data: dict[str, Any]) -> None:
    program = Program()
    try:
        expr = program.compile(text)
    except ExprError as exc:
        assert exc.diagnostics and exc.render()
        return
    with contextlib.suppress(EvalError):
        expr.run(program.env(data, today=TODAY))


@settings(max_examples=examples(2), deadline=None)
@given(st.text(max_size=60))
def test_any_unicode_text_raises_only_our_errors(text: str) -> None:
    try:
        Program().compile(text)
    except ExprError as exc:
        for d in exc.diagnostics:
            assert d.line >= 1 and d.column >= 1


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("[CNY 1, CNY 1.000]", '["CNY 1.00", "CNY 1.000"]'),
        ("[CNY 2 * 1.0, CNY 2 * 1.000]", '["CNY 2.00", "CNY 2.000"]'),
        ("[1, 1.0, true, 1 == 1.0]", "[1, 1, true, true]"),
    ],
)
def test_equal_constants_written_differently_stay_apart(text: str, shown: str) -> None:
    program = Program()
    expr = program.compile(text)
    compiled = expr.run(program.env({}, today=TODAY))
    assert dumps(compiled) == shown
    assert repr(compiled) == repr(expr.interpret(program.env({}, today=TODAY)))


def test_decimal_literals_keep_their_value() -> None:
    assert parse("0.10") == Literal("number", Decimal("0.1"))


@settings(max_examples=examples(10), deadline=None)
@given(
    st.one_of(
        st.floats(allow_nan=True, allow_infinity=True), st.floats(-1, 1).map(lambda f: round(f, 2))
    ),
    st.decimals(min_value=-2, max_value=2, places=3, allow_nan=False, allow_infinity=False),
    st.sampled_from(["<", "<=", ">", ">=", "==", "!="]),
    st.booleans(),
)
def test_float_data_against_number_literals(x: float, lit: Decimal, op: str, flip: bool) -> None:
    """The compiled float shortcut gives what exact decimal comparison gives."""
    text = f"{lit} {op} x" if flip else f"x {op} {lit}"
    if lit < 0:
        text = text.replace(str(lit), f"({lit})")
    program = Program()
    expr = program.compile(text)
    compiled = _outcome(lambda: expr.run(program.env({"x": x}, today=TODAY)))
    interpreted = _outcome(lambda: expr.interpret(program.env({"x": x}, today=TODAY)))
    assert compiled == interpreted, text


# compact() over paths that may be absent: generated without deoptimising on absence.
source_paths: st.SearchStrategy[Node] = st.recursive(
    st.sampled_from(NAMES).map(Name), _path, max_leaves=3
)
compacted = st.one_of(
    st.lists(st.one_of(source_paths, trees), max_size=4).map(lambda xs: ListLit(tuple(xs))),
    st.builds(Project, source_paths, _body_path()),
    st.builds(Project, source_paths, _body_path()).map(lambda p: Binary("??", p, ListLit(()))),
).map(lambda arg: Call("compact", (arg,)))


@settings(
    max_examples=examples(10),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(compacted, contracts)
def test_compact_of_absent_paths_agrees_with_interpreter(tree: Node, data: dict[str, Any]) -> None:
    _agree(tree, data)


# `each` sources: the generated located evaluation gives the interpreter's list and origins.
conditions = st.builds(
    Compare,
    st.tuples(st.builds(Member, st.just(Current()), st.sampled_from(FIELDS)), trees),
    st.sampled_from([("==",), ("<",), ("!=",), (">=",)]),
)
each_sources = st.one_of(
    source_paths,
    st.builds(Filter, source_paths, conditions),
    st.builds(Filter, source_paths.map(lambda p: Binary("??", p, ListLit(()))), conditions),
)


def _located(run: Any) -> str:
    def origin(o: Any) -> Any:
        return [origin(x) for x in o.items] if isinstance(o, ElemPaths) else o

    try:
        v, o = run()
    except EvalError as exc:
        return f"error: {exc}"
    return f"{v!r} at {origin(o)!r}"


@settings(
    max_examples=examples(10),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(each_sources, contracts)
def test_located_each_source_agrees_with_interpreter(tree: Node, data: dict[str, Any]) -> None:
    program = Program()
    try:
        expr = program.compile(unparse(tree))
    except ExprError:
        assume(False)
        return
    source = compile_source(expr.node, frozenset())
    got = _located(lambda: source.run(program.env(data, today=TODAY)))
    want = _located(lambda: Interpreter(program.env(data, today=TODAY)).eval_loc(expr.node))
    assert got == want, source.fast
