"""`checker.fastclass.dataclass` makes the classes `dataclasses.dataclass` makes: random class
definitions are built both ways and must behave alike."""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import MISSING, FrozenInstanceError
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checker import fastclass

NAMES = ["a", "b", "c", "d", "e"]


@st.composite
def field_specs(draw: st.DrawFn, names: list[str]) -> list[dict[str, Any]]:
    out = []
    for name in names:
        kind = draw(st.sampled_from(["required", "default", "factory"]))
        out.append(
            {
                "name": name,
                "kind": kind,
                "value": draw(st.integers(-3, 3)),
                "compare": draw(st.booleans()),
                "repr": draw(st.booleans()),
                "kw_only": draw(st.sampled_from([MISSING, True, False])),
                "init": draw(st.booleans()),  # a field out of __init__ may have no default
                "plain": kind == "default" and draw(st.booleans()),  # `x: int = 3`
            }
        )
    return out


OPTIONS = st.fixed_dictionaries(
    {
        "frozen": st.booleans(),
        "slots": st.booleans(),
        "kw_only": st.booleans(),
        "eq": st.booleans(),
        "repr": st.booleans(),
    }
)


def _namespace(specs: list[dict[str, Any]]) -> dict[str, Any]:
    ns: dict[str, Any] = {"__annotations__": {s["name"]: "int" for s in specs}}
    for s in specs:
        if s["plain"]:
            ns[s["name"]] = s["value"]
            continue
        kwargs: dict[str, Any] = {"compare": s["compare"], "repr": s["repr"], "init": s["init"]}
        if s["kw_only"] is not MISSING:
            kwargs["kw_only"] = s["kw_only"]
        if s["kind"] == "default":
            kwargs["default"] = s["value"]
        elif s["kind"] == "factory":
            kwargs["default_factory"] = (lambda v: lambda: v)(s["value"])
        if s["kind"] != "required" or kwargs.keys() - {"compare", "repr", "init"}:
            ns[s["name"]] = dataclasses.field(**kwargs)
        else:
            ns[s["name"]] = dataclasses.field(**kwargs)
    return ns


def _build(decorator: Any, base_specs: list[dict[str, Any]] | None, specs: list[dict[str, Any]],
           options: dict[str, Any]) -> Any:  # fmt: skip
    """The class (or the exception building it raised)."""
    try:
        bases: tuple[type, ...] = ()
        if base_specs is not None:
            base = decorator(**options)(type("Base", (), _namespace(base_specs)))
            bases = (base,)
        return decorator(**options)(type("C", bases, _namespace(specs)))
    except (TypeError, ValueError) as exc:
        return type(exc)


def _state(obj: Any) -> Any:
    return [(f.name, getattr(obj, f.name, "<unset>")) for f in dataclasses.fields(obj)]


def _outcome(f: Any) -> Any:
    try:
        return ("ok", f())
    except (TypeError, FrozenInstanceError, AttributeError) as exc:
        return ("raised", type(exc))


@given(
    base=st.none() | field_specs(NAMES[:2]),
    specs=field_specs(NAMES[2:]),
    options=OPTIONS,
    args=st.lists(st.integers(-2, 2), max_size=6),
    keys=st.sets(st.sampled_from(NAMES)),
    other=st.integers(-2, 2),
)
def test_the_classes_behave_as_dataclasses_classes(
    base: list[dict[str, Any]] | None,
    specs: list[dict[str, Any]],
    options: dict[str, Any],
    args: list[int],
    keys: set[str],
    other: int,
) -> None:
    ours = _build(fastclass.dataclass, base, specs, options)
    theirs = _build(dataclasses.dataclass, base, specs, options)
    if isinstance(theirs, type) and issubclass(theirs, Exception):
        assert ours is theirs
        return
    assert [
        (f.name, f.default, f.kw_only, f.init, f.compare, f.repr) for f in dataclasses.fields(ours)
    ] == [
        (f.name, f.default, f.kw_only, f.init, f.compare, f.repr)
        for f in dataclasses.fields(theirs)
    ]
    assert ours.__match_args__ == theirs.__match_args__
    assert hasattr(ours, "__slots__") == hasattr(theirs, "__slots__")
    kwargs = {k: i for i, k in enumerate(sorted(keys))}
    a = _outcome(lambda: ours(*args, **kwargs))
    b = _outcome(lambda: theirs(*args, **kwargs))
    assert a[0] == b[0], (a, b)
    if a[0] == "raised":
        assert a[1] is b[1]
        return
    x, y = a[1], b[1]
    assert _state(x) == _state(y)
    if options["repr"]:
        assert _outcome(lambda: repr(x)) == _outcome(lambda: repr(y))
    if "<unset>" in dict(_state(x)).values():
        return  # a field left unset: its class's methods fail alike (checked above for repr)
    twin_x, twin_y = copy.deepcopy(x), copy.deepcopy(y)
    assert _state(twin_x) == _state(y)
    assert (x == twin_x) == (y == twin_y)
    assert (x == 3) == (y == 3)
    assert (ours.__hash__ is None) == (theirs.__hash__ is None)
    if ours.__hash__ is not None and options["eq"] and options["frozen"]:
        assert hash(x) == hash(y)
    name = dataclasses.fields(x)[-1].name
    if dataclasses.fields(x)[-1].init:
        changed_x = dataclasses.replace(x, **{name: other})
        changed_y = dataclasses.replace(y, **{name: other})
        assert _state(changed_x) == _state(changed_y)
        assert (changed_x == x) == (changed_y == y)
    assert _outcome(lambda: setattr(x, name, 9))[0] == _outcome(lambda: setattr(y, name, 9))[0]
    assert _state(x) == _state(y)
    assert dataclasses.asdict(x) == dataclasses.asdict(y)


def test_class_level_options_it_does_not_have_are_refused() -> None:
    with pytest.raises(TypeError, match="InitVar"):

        @fastclass.dataclass
        class WithInitVar:
            a: dataclasses.InitVar[int]


def test_a_frozen_class_may_not_define_setattr() -> None:
    with pytest.raises(TypeError, match="__setattr__"):

        @fastclass.dataclass(frozen=True)
        class Own:
            a: int

            def __setattr__(self, name: str, value: object) -> None:
                pass


def test_post_init_runs_after_the_fields_are_set() -> None:
    seen = []

    @fastclass.dataclass
    class Post:
        a: int

        def __post_init__(self) -> None:
            seen.append(self.a)

    Post(4)
    assert seen == [4]


@pytest.mark.parametrize("default", [[], {}, set(), bytearray(b"x"), (1, 2), frozenset({1}), "s"])
def test_a_mutable_default_is_refused_as_dataclasses_refuses_it(default: object) -> None:
    outcomes = []
    for decorator in (fastclass.dataclass, dataclasses.dataclass):
        try:
            decorator(type("C", (), {"__annotations__": {"a": "object"}, "a": default}))
            outcomes.append("made")
        except ValueError:
            outcomes.append("refused")
    assert outcomes[0] == outcomes[1]
    assert outcomes[0] == ("made" if type(default).__hash__ is not None else "refused")
