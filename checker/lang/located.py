"""`each` sources in generated code: the list of items and where each came from in the data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..fastclass import dataclass
from .compiler import _Gen
from .interpreter import ElemPaths, Env, Interpreter, Origin
from .nodes import Binary, Filter, ListLit, Node
from .pycode import build, fits
from .runtime import DEOPT_ERRORS


@dataclass(frozen=True)
class LocatedSource:
    """An `each` source with the interpreter's `eval_loc` result: its value and its origin
    (a data path, or one per item). The common shapes (`PATH`, `PATH[? cond]`,
    `(PATH ?? [])[? cond]`) run as generated code when the path holds a list; anything
    else (an absent path, a missing condition, an error) is left to the interpreter."""

    node: Node
    fast: Callable[..., Any] | None
    root: str | None  # the data key the path starts at (None: no fast path)

    def run(self, env: Env) -> tuple[Any, Origin]:
        # The interpreter reads a name bound by an earlier `each` (or a let) before the data.
        if self.fast is not None and self.root not in env.let_values:
            try:
                return self.fast(env.data, env.params, env.let_value, env.ctx)  # type: ignore[no-any-return]
            except DEOPT_ERRORS:
                pass
        return Interpreter(env).eval_loc(self.node)


def compile_source(node: Node, lets: frozenset[str]) -> LocatedSource:
    """The located evaluation of an `each` source (see LocatedSource)."""
    gen = _Gen(lets)
    cond: Node | None = None
    source = node
    empty_if_absent = False
    if isinstance(node, Filter):
        cond, source = node.cond, node.source
        if (
            isinstance(source, Binary)
            and source.op == "??"
            and isinstance(source.right, ListLit)
            and not source.right.items
        ):
            source, empty_if_absent = source.left, True
    keys = gen.data_path(source)
    # A negative index names its item from the end; the interpreter's origin counts from
    # the start: left to it.
    if not keys or not isinstance(keys[0], str) or any(type(x) is int and x < 0 for x in keys):
        return LocatedSource(node, None, None)
    k = gen.const(keys)
    # `_path_get` gives the list (or missing) as the interpreter reads it; an absent or
    # null list in `(PATH ?? [])` is the empty list, elsewhere the interpreter's business.
    lines = [f"_s = _path_get(_d, {k})"]
    absent = f"return [], {gen.const(ElemPaths([]))}" if empty_if_absent else "_deopt()"
    lines += ["if _s is None or type(_s) is _Missing:", f"    {absent}"]
    lines += ["if type(_s) is not list:", "    _deopt()"]
    if cond is None:
        lines.append(f"return _s, {k}")
    else:
        var = f"_e{next(gen.counter)}"
        gen.current.append(var)
        test = gen.as_bool(gen.gen(cond))
        gen.current.pop()
        if not fits(test):
            return LocatedSource(node, None, None)
        lines.append(f"_i = [_n for _n, {var} in enumerate(_s) if {test}]")
        lines.append(f"return [_val(_s[_n]) for _n in _i], {gen.const(_paths)}({k}, _i)")
    built = build(gen.consts, lines)
    if built is None:
        return LocatedSource(node, None, None)
    return LocatedSource(node, built[0], keys[0])


def _paths(keys: tuple[str | int, ...], indexes: list[int]) -> ElemPaths:
    """The origins of the items a filter kept: their paths in the list at `keys`."""
    return ElemPaths([(*keys, i) for i in indexes])
