"""What generated code calls at run time: guards, conversions, path reads and result markers.

Everything here is bound into the namespace of the functions the compiler generates
(`_RUNTIME`, `_BUILTINS` and the markers); a guard that fails raises `Deopt`, and the caller
falls back to the reference interpreter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Final

from . import ops
from .textparse import find_placeholders
from .values import EvalError, Missing, from_float


class Deopt(Exception):
    """The fast path met something it does not handle; the interpreter takes over."""


DEOPT_ERRORS: Final = (
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
    Deopt,
    EvalError,
    ArithmeticError,
    ValueError,
)


def _deopt() -> Any:
    raise Deopt


def _num_slow(v: Any) -> Any:
    if type(v) is Decimal:
        return v
    if type(v) is float:
        return from_float(v)
    raise Deopt


def _list(v: Any) -> list[Any]:
    if type(v) is list:
        return v
    raise Deopt


def _val(v: Any) -> Any:
    """A raw data value as a language value (floats become exact decimals)."""
    if type(v) is float:
        return from_float(v)
    return v


def _deep_val(v: Any, depth: int) -> Any:
    if depth == 0:
        return _val(v)
    return [_deep_val(x, depth - 1) for x in v]


def _as_num(v: Any) -> Any:
    return v if type(v) is int else _num_slow(v)


def _as_str(v: Any) -> str:
    if type(v) is str:
        return v
    raise Deopt


def _placeholders(value: Any, base: str, ctx: Any) -> Any:
    """`placeholders(path)` with the path known when the code was generated."""
    if type(value) is Missing:
        raise Deopt  # the interpreter names the missing path
    return find_placeholders(value, base, ctx.placeholder_patterns)


def _list_or_empty(v: Any) -> list[Any]:
    """`xs ?? []` for a list read with `_path_get`: an absent or null list is empty."""
    if v is None or type(v) is Missing:
        return []
    if type(v) is list:
        return v
    raise Deopt


def _coalesce(left: Any, right: Callable[[], Any]) -> Any:
    """`left ?? right` where the generated code cannot bind a temporary."""
    if left is None or type(left) is Missing:
        return right()
    return left


def _present(v: Any) -> Any:
    if type(v) is Missing:
        raise Deopt
    return v


def _truth(v: Any) -> bool:
    if v is True or v is False:
        return v
    raise Deopt


def _sum_raw(xs: list[Any]) -> Any:
    total: Any = 0
    for v in xs:
        t = type(v)
        if t is int or t is Decimal:
            total = ops.num_add(total, v)
        elif t is float:
            total = ops.num_add(total, from_float(v))
        else:
            raise Deopt
    return total


def _sum_items(xs: list[Any], total: Callable[[list[Any]], Any]) -> Any:
    """`sum` of items read from the data: numbers added here; money, durations and
    missing items by the function itself (`total`), as the interpreter calls it."""
    try:
        return _sum_raw(xs)
    except Deopt:
        return total(xs)


_ABSENT: Final = Missing()


def _path_get(obj: Any, keys: tuple[Any, ...]) -> Any:
    """Follow keys without raising on absence: the value, or missing (errors deoptimise)."""
    for k in keys:
        t = type(obj)
        if (t is dict or (t is not list and isinstance(obj, Mapping))) and type(k) is str:
            if k not in obj:
                return _ABSENT
            obj = obj[k]
        elif obj is None:
            return _ABSENT
        elif t is list and type(k) is int:
            if not -len(obj) <= k < len(obj):
                return _ABSENT
            obj = obj[k]
        else:
            raise Deopt
    return from_float(obj) if type(obj) is float else obj  # _val, without a call per read


def _hoisted(let_value: Any, key: object, thunk: Callable[[], Any]) -> Any:
    """A value that every element of an `each` rule shares (`parties[*].label` in a rule
    over signatures), computed once per contract: kept in the Env of `let_value`."""
    env = getattr(let_value, "__self__", None)
    if env is None:
        return thunk()
    try:
        return env.hoisted[key]
    except KeyError:
        value = env.hoisted[key] = thunk()
        return value


_NOT_INDEXED: Final = object()


def _keyed(
    let_value: Any,
    key: object,
    source: Callable[[], Any],
    field: str,
    probe: Any,
    plain: Callable[[], list[Any]],
) -> list[Any]:
    """`source[? @.field == probe]` through an index of the source's items by field, built
    once per contract (see compiler.filter), when every item is a map whose field is a
    text and the probe is a text: `==` between texts is Python's. Otherwise `plain()`, the
    filter as written."""
    env = getattr(let_value, "__self__", None)
    if type(probe) is not str or env is None:
        return plain()
    index = env.hoisted.get(key, _NOT_INDEXED)
    if index is _NOT_INDEXED:
        index = env.hoisted[key] = _index(source(), field)
    if index is None:
        return plain()
    return list(index.get(probe, ()))


def _index(items: Any, field: str) -> dict[str, list[Any]] | None:
    if type(items) is not list:
        return None
    index: dict[str, list[Any]] = {}
    for item in items:
        if type(item) is not dict or type(value := item.get(field)) is not str:
            return None
        index.setdefault(value, []).append(item)
    return index


def _strict_call(fn: Callable[..., Any], *args: Any) -> Any:
    for a in args:
        if isinstance(a, Missing):
            raise Deopt
    return fn(*args)


_RUNTIME: Final[dict[str, Any]] = {
    "_deopt": _deopt,
    "_num_slow": _num_slow,
    "_list": _list,
    "_val": _val,
    "_deep_val": _deep_val,
    "_truth": _truth,
    "_as_num": _as_num,
    "_as_str": _as_str,
    "_present": _present,
    "_coalesce": _coalesce,
    "_list_or_empty": _list_or_empty,
    "_placeholders": _placeholders,
    "_sum_raw": _sum_raw,
    "_sum_items": _sum_items,
    "_path_get": _path_get,
    "_hoisted": _hoisted,
    "_keyed": _keyed,
    "_ABSENT": _ABSENT,
    "_Missing": Missing,
    "_strict_call": _strict_call,
    "_Decimal": Decimal,
    "_add": ops.add,
    "_sub": ops.sub,
    "_mul": ops.mul,
    "_div": ops.div,
    "_neg": ops.neg,
    "_eq": ops.eq,
    "_ne": ops.ne,
    "_lt": ops.lt,
    "_le": ops.le,
    "_gt": ops.gt,
    "_ge": ops.ge,
    "_in": ops.member,
    "_not_in": ops.not_member,
    "_matches": ops.matches,
    "_num_add": ops.num_add,
    "_num_sub": ops.num_sub,
    "_num_mul": ops.num_mul,
    "_num_div": ops.num_div,
}


_BUILTINS: Final = {
    "type": type,
    "len": len,
    "enumerate": enumerate,
    "all": all,
    "any": any,
    "int": int,
    "str": str,
    "float": float,
    "list": list,
    "Exception": Exception,
}


class _Deopted:
    """Marks a result the fast path of a batch could not decide."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "DEOPTED"


DEOPTED: Final = _Deopted()


class _Skipped:
    """A guarded expression whose guard (a rule's `when`) was not true."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "SKIPPED"


SKIPPED: Final = _Skipped()
