"""The registry of built-in functions: the entry type, registration and the type-rule helpers."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Sequence
from typing import Any, Final

from ..fastclass import dataclass, field
from . import types as T
from .types import Type

TypeRule = Callable[[list[Type], "Checker"], Type]


class Checker:
    """What a type rule may do: report a problem with one argument (by index) or the call."""

    def __init__(self, report: Callable[[int | None, str, str | None], None]) -> None:
        self._report = report

    def error(self, arg: int | None, message: str, hint: str | None = None) -> None:
        self._report(arg, message, hint)


@dataclass(frozen=True)
class Function:
    """A built-in: arity, static type rule, implementation and how it treats missing arguments.

    `lenient` functions receive missing arguments themselves (exists, blank, compact, ...);
    for the others a missing argument makes the result missing before `impl` is called.
    `needs_context` functions get an `EvalContext` first (today's date, pack parameters,
    and the data path of each argument).
    """

    name: str
    min_args: int
    max_args: int
    type_rule: TypeRule
    impl: Callable[..., Any]
    doc: str
    signature: str
    lenient: bool = False
    needs_context: bool = False


@dataclass
class EvalContext:
    """Per-evaluation facts some functions need."""

    today: _dt.date
    placeholder_patterns: Sequence[str] = ()
    arg_paths: list[str | None] = field(default_factory=list)


FUNCTIONS: dict[str, Function] = {}


def _register(
    name: str,
    args: tuple[int, int],
    signature: str,
    doc: str,
    type_rule: TypeRule,
    *,
    lenient: bool = False,
    needs_context: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        FUNCTIONS[name] = Function(
            name,
            args[0],
            args[1],
            type_rule,
            fn,
            doc,
            signature,
            lenient=lenient,
            needs_context=needs_context,
        )
        return fn

    return deco


# -- type rule helpers --------------------------------------------------------------------


def _expect(t: Type, kinds: tuple[str, ...], chk: Checker, i: int, what: str) -> bool:
    if t.is_any or t.kind in kinds or (t.kind == "record" and "map" in kinds):
        return True
    chk.error(i, f"expected {what}, found {t}")
    return False


def _fixed(params: Sequence[tuple[tuple[str, ...], str]], ret: Type) -> TypeRule:
    def rule(args: list[Type], chk: Checker) -> Type:
        for i, (t, (kinds, what)) in enumerate(zip(args, params, strict=False)):
            _expect(t, kinds, chk, i, what)
        return ret

    return rule


def _list_elem(t: Type) -> Type:
    return t.elem or T.ANY if t.kind == "list" else T.ANY


def _aggregate(
    kinds: tuple[str, ...], what: str, ret_elem: bool = True, ret: Type | None = None
) -> TypeRule:
    def rule(args: list[Type], chk: Checker) -> Type:
        t = args[0]
        if _expect(t, ("list",), chk, 0, "a list"):
            e = _list_elem(t)
            if not e.is_any and e.kind not in kinds and e.kind != "null":
                chk.error(0, f"expected a list of {what}, found a list of {e}")
            if ret_elem:
                return T.strip_null(e) if not e.is_any else T.ANY
        return ret or T.ANY

    return rule


_NUMLIKE: Final = ("number", "money", "duration")
_ORDERED: Final = ("number", "money", "duration", "string", "date")
