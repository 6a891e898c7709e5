"""Built-in functions over lists and maps: count, sum, min, max, avg, distinct, keys, ..."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from . import ops
from . import types as T
from .ops import norm
from .registry import (
    _NUMLIKE,
    _ORDERED,
    Checker,
    _aggregate,
    _expect,
    _fixed,
    _list_elem,
    _register,
)
from .types import Type
from .values import (
    Duration,
    EvalError,
    Missing,
    Money,
    describe,
    display,
    merge_missing,
    type_name,
)

# -- aggregates ---------------------------------------------------------------------------


def _items(xs: Any, fname: str) -> list[Any]:
    """The elements of a list argument; missing elements make the caller's result missing."""
    if not isinstance(xs, list):
        raise EvalError(f"{fname}() needs a list, found {describe(xs)}")
    return [norm(x) for x in xs]


def _first_missing(items: list[Any], compute: Callable[[], Any]) -> Any:
    """Missing when any item is missing (aggregates never skip absent data), else compute()."""
    miss = _missing_in(items)
    return miss if miss is not None else compute()


def _missing_in(items: list[Any]) -> Missing | None:
    ms = [x for x in items if isinstance(x, Missing)]
    return merge_missing(*ms) if ms else None


@_register(
    "count",
    (1, 1),
    "count(list) -> number",
    "Number of items in a list.",
    _fixed([(("list",), "a list")], T.NUMBER),
)
def f_count(xs: Any) -> Any:
    items = _items(xs, "count")
    return _first_missing(items, lambda: len(items))


def _sum(items: list[Any], fname: str) -> Any:
    if not items:
        return 0
    for x in items:
        if not (ops.is_number(x) or isinstance(x, Money | Duration)):
            raise EvalError(f"{fname}() needs numbers, money or durations, found {describe(x)}")
    total = items[0]
    for x in items[1:]:
        total = ops.add(total, x)
    return total


@_register(
    "sum",
    (1, 1),
    "sum(list) -> number | money | duration",
    "Sum of numbers, money of one currency, or durations of one family; sum([]) == 0.",
    _aggregate(_NUMLIKE, "numbers, money or durations"),
)
def f_sum(xs: Any) -> Any:
    items = _items(xs, "sum")
    return _first_missing(items, lambda: _sum(items, "sum"))


def _extreme(xs: Any, fname: str, pick_max: bool) -> Any:
    items = _items(xs, fname)
    miss = _missing_in(items)
    if miss is not None:
        return miss
    if not items:
        return Missing(reasons=[f"{fname}() of an empty list"])
    best = items[0]
    for x in items[1:]:
        a, b = ops.order_key("max" if pick_max else "min", x, best)
        if (a > b) if pick_max else (a < b):
            best = x
    return best


@_register(
    "min",
    (1, 1),
    "min(list) -> item",
    "Smallest item; missing for an empty list.",
    _aggregate(_ORDERED, "comparable values"),
)
def f_min(xs: Any) -> Any:
    return _extreme(xs, "min", False)


@_register(
    "max",
    (1, 1),
    "max(list) -> item",
    "Largest item; missing for an empty list.",
    _aggregate(_ORDERED, "comparable values"),
)
def f_max(xs: Any) -> Any:
    return _extreme(xs, "max", True)


@_register(
    "avg",
    (1, 1),
    "avg(list) -> number | money | duration",
    "Arithmetic mean; missing for an empty list.",
    _aggregate(_NUMLIKE, "numbers, money or durations"),
)
def f_avg(xs: Any) -> Any:
    items = _items(xs, "avg")
    miss = _missing_in(items)
    if miss is not None:
        return miss
    if not items:
        return Missing(reasons=["avg() of an empty list"])
    return ops.div(_sum(items, "avg"), len(items))


def _len_rule(args: list[Type], chk: Checker) -> Type:
    _expect(args[0], ("string", "list", "map"), chk, 0, "a string, a list or a map")
    return T.NUMBER


@_register(
    "len",
    (1, 1),
    "len(string | list | map) -> number",
    "Characters of a string, items of a list or entries of a map.",
    _len_rule,
)
def f_len(x: Any) -> Any:
    if isinstance(x, list):
        return _first_missing(x, lambda: len(x))  # like count(): absent items are not items
    if isinstance(x, str | Mapping):
        return len(x)
    raise EvalError(f"len() needs a string, a list or a map, found {type_name(x)}")


def _same_list(args: list[Type], chk: Checker) -> Type:
    _expect(args[0], ("list",), chk, 0, "a list")
    return args[0] if args[0].kind == "list" else T.LIST


def _dedupe(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for x in items:
        if not any(ops.equal(x, y) for y in out):
            out.append(x)
    return out


@_register(
    "distinct",
    (1, 1),
    "distinct(list) -> list",
    "The list without repeated items, first occurrence kept.",
    _same_list,
)
def f_distinct(xs: Any) -> Any:
    items = _items(xs, "distinct")
    return _first_missing(items, lambda: _dedupe(items))


@_register(
    "unique",
    (1, 1),
    "unique(list) -> bool",
    "True when no item occurs twice.",
    _fixed([(("list",), "a list")], T.BOOL),
)
def f_unique(xs: Any) -> Any:
    items = _items(xs, "unique")
    return _first_missing(items, lambda: len(_dedupe(items)) == len(items))


def _compact_rule(args: list[Type], chk: Checker) -> Type:
    _expect(args[0], ("list",), chk, 0, "a list")
    e = _list_elem(args[0])
    return T.list_of(T.strip_null(e))


@_register(
    "compact",
    (1, 1),
    "compact(list) -> list",
    "The list without missing and null items (drops them deliberately).",
    _compact_rule,
    lenient=True,
)
def f_compact(xs: Any) -> Any:
    if isinstance(xs, Missing):
        return xs
    return [x for x in _items(xs, "compact") if x is not None and not isinstance(x, Missing)]


def _flatten_rule(args: list[Type], chk: Checker) -> Type:
    _expect(args[0], ("list",), chk, 0, "a list")
    e = _list_elem(args[0])
    return e if e.kind == "list" else T.LIST


@_register(
    "flatten",
    (1, 1),
    "flatten(list) -> list",
    "Items of nested lists, one level deep.",
    _flatten_rule,
)
def f_flatten(xs: Any) -> Any:
    out: list[Any] = []
    for x in _items(xs, "flatten"):
        if isinstance(x, list):
            out.extend(x)
        else:
            out.append(x)
    return _first_missing(out, lambda: out)


def _join_rule(args: list[Type], chk: Checker) -> Type:
    _expect(args[0], ("list",), chk, 0, "a list")
    if len(args) > 1:
        _expect(args[1], ("string",), chk, 1, "a string")
    return T.STRING


@_register(
    "join",
    (1, 2),
    'join(list, separator = ", ") -> string',
    "The items as one text, the separator between them: strings as they are, other values "
    'as messages show them (for messages: `join(xs[*].text, "、")`).',
    _join_rule,
)
def f_join(xs: Any, sep: Any = ", ") -> Any:
    if not isinstance(sep, str):
        raise EvalError(f"join() needs a string separator, found {describe(sep)}")
    items = _items(xs, "join")
    return _first_missing(
        items, lambda: sep.join(x if isinstance(x, str) else display(x) for x in items)
    )


@_register(
    "keys",
    (1, 1),
    "keys(map) -> list of string",
    "The keys of a map.",
    _fixed([(("map",), "a map")], T.list_of(T.STRING)),
)
def f_keys(m: Any) -> Any:
    if not isinstance(m, Mapping):
        raise EvalError(f"keys() needs a map, found {type_name(m)}")
    return [str(k) for k in m]
