"""The reference evaluator: walks the syntax tree, tracking data paths; the oracle for the compiler."""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, Final, TypeAlias

from . import ops
from .functions import FUNCTIONS, EvalContext
from .nodes import (
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
    is_plain_name,
    quote,
)
from .ops import norm
from .values import EvalError, Missing, describe, display, merge_missing, type_name

PathKey: TypeAlias = tuple[str | int, ...]


class ElemPaths:
    """The origin of a computed list whose items each came from somewhere in the data."""

    __slots__ = ("items",)

    def __init__(self, items: list[Origin]) -> None:
        self.items = items


Origin: TypeAlias = PathKey | ElemPaths | None


def format_path(path: PathKey) -> str:
    """`payment.installments[1].percent`; keys that are not names are written `["a-b"]`."""
    out: list[str] = []
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif is_plain_name(part):
            out.append(f".{part}" if out else part)
        else:
            out.append(f"[{quote(part)}]")
    return "".join(out)


_NO_LETS: Final[Mapping[str, Any]] = {}


class Env:
    """Everything an expression can see: the contract, parameters, `let` definitions, context.

    One Env serves one contract: `let` values are computed at most once in it. It is
    created for every contract checked, so it is a plain slotted class, cheap to build.
    """

    __slots__ = (
        "compiled_lets",
        "ctx",
        "data",
        "evaluating",
        "fast_let_values",
        "hoisted",
        "let_scopes",
        "let_values",
        "lets",
        "params",
    )

    def __init__(
        self,
        data: Mapping[str, Any],
        params: Mapping[str, Any] | None = None,
        lets: Mapping[str, Node] = _NO_LETS,
        ctx: EvalContext | None = None,
        compiled_lets: Mapping[str, Any] = _NO_LETS,
        let_scopes: Mapping[str, frozenset[str]] = _NO_LETS,
    ) -> None:
        self.data = data
        self.let_scopes = let_scopes
        self.params: Mapping[str, Any] = params if params is not None else {}
        self.lets = lets
        self.ctx = ctx if ctx is not None else EvalContext(today=_dt.date.today())
        self.compiled_lets = compiled_lets
        self.let_values: dict[str, tuple[Any, Origin]] = {}
        self.fast_let_values: dict[str, Any] = {}
        # Values of subexpressions of an `each` rule that no element changes (compiler.py).
        self.hoisted: dict[object, Any] = {}
        self.evaluating: set[str] = set()

    def let_value(self, name: str) -> Any:
        """A `let` value for the compiled evaluator (computed once per Env)."""
        try:
            return self.fast_let_values[name]
        except KeyError:
            pass
        compiled = self.compiled_lets.get(name)
        if compiled is None or name in self.evaluating:
            value = Interpreter(self).let(name)[0]
        else:
            self.evaluating.add(name)
            try:
                value = compiled.run(self)
            finally:
                self.evaluating.discard(name)
        self.fast_let_values[name] = value
        return value


Trace: TypeAlias = list[tuple[Node, Any, Any]]
"""(node, value, origin) of every node evaluated, in the order evaluation finished."""


class Interpreter:
    """Evaluates nodes to values; `trace`, when given, records every node's value in order."""

    def __init__(
        self, env: Env, trace: Trace | None = None, visible: frozenset[str] | None = None
    ) -> None:
        self.env = env
        self.trace = trace
        # The `let` names this expression may use (a let sees only the lets before it);
        # None: all of them.
        self.visible = visible
        self.vars: dict[str, tuple[Any, Origin]] = {}
        self.current: list[tuple[Any, Origin]] = []
        self.element: list[tuple[Any, Origin]] = []

    def eval(self, node: Node) -> Any:
        return self.eval_loc(node)[0]

    def eval_loc(self, node: Node) -> tuple[Any, Origin]:
        method = _DISPATCH[type(node)]
        result: tuple[Any, Origin] = method(self, node)
        if self.trace is not None:
            self.trace.append((node, result[0], result[1]))
        return result

    # leaves
    def _literal(self, node: Literal) -> tuple[Any, Origin]:
        return node.value, None

    def _list(self, node: ListLit) -> tuple[Any, Origin]:
        pairs = [self.eval_loc(i) for i in node.items]
        return [v for v, _ in pairs], ElemPaths([o for _, o in pairs])

    def _name(self, node: Name) -> tuple[Any, Origin]:
        name = node.name
        if name in self.vars:
            return self.vars[name]
        env = self.env
        if (self.visible is None or name in self.visible) and (
            name in env.let_values or name in env.lets
        ):
            return self.let(name)
        if name == "params":
            return env.params, None
        if name == "contract":
            return env.data, ()
        if name in env.data:
            return norm(env.data[name]), (name,)
        return Missing([name]), (name,)

    def let(self, name: str) -> tuple[Any, Origin]:
        env = self.env
        if name in env.let_values:
            return env.let_values[name]
        if name in env.evaluating:
            raise EvalError(f"`let` name {name} refers to itself")
        env.evaluating.add(name)
        try:
            # A let is evaluated in the pack's scope, not inside whatever quantifier uses it;
            # its inner steps stay out of the trace (the let's value is recorded by the name).
            result = Interpreter(env, visible=env.let_scopes.get(name)).eval_loc(env.lets[name])
        finally:
            env.evaluating.discard(name)
        env.let_values[name] = result
        return result

    def _current(self, node: Current) -> tuple[Any, Origin]:
        if not self.current:
            raise EvalError("`@` is only meaningful inside a filter `[? …]`")
        return self.current[-1]

    def _element(self, node: Element) -> tuple[Any, Origin]:
        return self.element[-1]

    # paths
    def _member(self, node: Member) -> tuple[Any, Origin]:
        obj, origin = self.eval_loc(node.obj)
        return get_member(obj, origin, node.name)

    def _index(self, node: Index) -> tuple[Any, Origin]:
        obj, origin = self.eval_loc(node.obj)
        key = self.eval(node.index)
        return get_index(obj, origin, key)

    def _project(self, node: Project) -> tuple[Any, Origin]:
        xs, origin = self.eval_loc(node.source)
        if isinstance(xs, Missing):
            return xs, origin
        if xs is None:
            where = format_origin(origin)
            return Missing([where] if where else []), origin
        if not isinstance(xs, list):
            raise EvalError(f"`[*]` needs a list, found {describe(xs)}")
        values: list[Any] = []
        origins: list[Origin] = []
        for i, x in enumerate(xs):
            self.element.append((norm(x), child_origin(origin, i)))
            try:
                v, o = self.eval_loc(node.body)
            finally:
                self.element.pop()
            values.append(v)
            origins.append(o)
        return values, ElemPaths(origins)

    def _filter(self, node: Filter) -> tuple[Any, Origin]:
        xs, origin = self.eval_loc(node.source)
        if isinstance(xs, Missing):
            return xs, origin
        if xs is None:  # a null list (a template's blank) reads as missing, as in `[*]`
            where = format_origin(origin)
            return Missing([where] if where else []), origin
        if not isinstance(xs, list):
            raise EvalError(f"`[? …]` needs a list, found {describe(xs)}")
        kept: list[Any] = []
        origins: list[Origin] = []
        missing: list[Missing] = []
        for i, x in enumerate(xs):
            item = (norm(x), child_origin(origin, i))
            self.current.append(item)
            try:
                c = ops.truth(self.eval(node.cond), "a filter condition")
            finally:
                self.current.pop()
            if isinstance(c, Missing):
                missing.append(c)
            elif c:
                kept.append(item[0])
                origins.append(item[1])
        if missing:
            return merge_missing(*missing), None
        return kept, ElemPaths(origins)

    def _call(self, node: Call) -> tuple[Any, Origin]:
        fn = FUNCTIONS.get(node.func)
        if fn is None:
            raise EvalError(f"unknown function {node.func}()")
        pairs = [self.eval_loc(a) for a in node.args]
        args = [v for v, _ in pairs]
        if not fn.lenient:
            missing = [a for a in args if isinstance(a, Missing)]
            if missing:
                return merge_missing(*missing), None
        if fn.needs_context:
            ctx = replace(self.env.ctx, arg_paths=[format_origin(o) for _, o in pairs])
            return fn.impl(ctx, *args), None
        value = fn.impl(*args)
        if node.func in _KEEPS_ORIGINS and isinstance(value, list) and pairs:
            return value, _origins_through(node.func, args[0], pairs[0][1])
        return value, None

    # operators
    def _unary(self, node: Unary) -> tuple[Any, Origin]:
        v = self.eval(node.operand)
        if node.op == "-":
            return ops.neg(v), None
        v = ops.truth(v, "the operand of `not`")
        return (v if isinstance(v, Missing) else not v), None

    def _binary(self, node: Binary) -> tuple[Any, Origin]:
        op = node.op
        if op in ("and", "or", "implies"):
            return self._logic(node), None
        if op == "??":
            left = self.eval_loc(node.left)
            if isinstance(left[0], Missing) or left[0] is None:
                return self.eval_loc(node.right)
            return left
        return ops.ARITH_OPS[op](self.eval(node.left), self.eval(node.right)), None

    def _cond(self, node: Node, what: str) -> Any:
        return ops.truth(self.eval(node), what)

    # Three-valued logic: (left value that decides, right value that decides, the decided
    # result, the result when neither decides and nothing is missing).
    _LOGIC: Final = {
        "and": (False, False, False, True),
        "or": (True, True, True, False),
        "implies": (False, True, True, False),
    }

    def _logic(self, node: Binary) -> Any:
        left_decides, right_decides, decided, otherwise = self._LOGIC[node.op]
        a = self._cond(node.left, f"the left side of `{node.op}`")
        if a is left_decides:
            return decided
        b = self._cond(node.right, f"the right side of `{node.op}`")
        if b is right_decides:
            return decided
        if isinstance(a, Missing) or isinstance(b, Missing):
            return merge_missing(a, b)
        return otherwise

    def _compare(self, node: Compare) -> tuple[Any, Origin]:
        left = self.eval(node.operands[0])
        missing: list[Missing] = []
        for op, operand in zip(node.ops, node.operands[1:], strict=True):
            right = self.eval(operand)
            r = ops.COMPARE_OPS[op](left, right)
            if r is False:
                return False, None
            if isinstance(r, Missing):
                missing.append(r)
            left = right
        return (merge_missing(*missing) if missing else True), None

    def _if(self, node: If) -> tuple[Any, Origin]:
        c = self._cond(node.cond, "the condition of `if`")
        if isinstance(c, Missing):
            return c, None
        return self.eval_loc(node.then if c else node.orelse)

    def _quant(self, node: Quant) -> tuple[Any, Origin]:
        xs, origin = self.eval_loc(node.source)
        if isinstance(xs, Missing):
            return xs, None
        if xs is None:  # a null list reads as missing, as in `[*]` and `[? …]`
            where = format_origin(origin)
            return Missing([where] if where else []), None
        if not isinstance(xs, list):
            raise EvalError(f"`{node.kind} {node.var} in …` needs a list, found {describe(xs)}")
        saved = self.vars.get(node.var)
        missing: list[Missing] = []
        decided: bool | None = None
        try:
            for i, x in enumerate(xs):
                self.vars[node.var] = (norm(x), child_origin(origin, i))
                r = self._cond(node.body, f"the body of `{node.kind}`")
                if isinstance(r, Missing):
                    missing.append(r)
                elif node.kind == "all" and r is False:
                    decided = False
                    break
                elif node.kind != "all" and r is True:
                    decided = True
                    break
        finally:
            if saved is None:
                self.vars.pop(node.var, None)
            else:
                self.vars[node.var] = saved
        if decided is None:
            if missing:
                return merge_missing(*missing), None
            decided = node.kind == "all"
        if node.kind == "none":
            decided = not decided
        return decided, None


_PATH_TOKEN: Final = re.compile(r'\.?([^\W\d]\w*)|\[(-?\d+)\]|\["((?:[^"\\]|\\.)*)"\]')


def parse_path(text: str) -> PathKey | None:
    """The data path a `format_path` text names, or None when it is not such a text."""
    out: list[str | int] = []
    pos = 0
    while pos < len(text):
        m = _PATH_TOKEN.match(text, pos)
        if m is None:
            return None
        name, index, key = m.groups()
        if name is not None:
            out.append(name)
        elif index is not None:
            out.append(int(index))
        else:
            out.append(json.loads(f'"{key}"'))
        pos = m.end()
    return tuple(out)


# Functions whose result lists hold items of their argument: the items keep their origins,
# so a finding about one of them still points at the right place.
_KEEPS_ORIGINS: Final = frozenset({"compact", "flatten", "distinct"})


def _origins_through(func: str, xs: Any, origin: Origin) -> Origin:
    if not isinstance(xs, list):
        return None
    items = [(x, child_origin(origin, i)) for i, x in enumerate(xs)]
    if func == "compact":
        kept = [o for x, o in items if x is not None and not isinstance(x, Missing)]
        return ElemPaths(kept)
    if func == "flatten":
        out: list[Origin] = []
        for x, o in items:
            if isinstance(x, list):
                out.extend(child_origin(o, j) for j in range(len(x)))
            else:
                out.append(o)
        return ElemPaths(out)
    seen: list[Any] = []
    firsts: list[Origin] = []
    for x, o in items:
        if not any(ops.equal(norm(x), norm(y)) for y in seen):
            seen.append(x)
            firsts.append(o)
    return ElemPaths(firsts)


def child_origin(origin: Origin, key: str | int) -> Origin:
    if isinstance(origin, tuple):
        return (*origin, key)
    if isinstance(origin, ElemPaths) and isinstance(key, int):
        try:
            return origin.items[key]
        except IndexError:
            return None
    return None


def format_origin(origin: Origin) -> str | None:
    return format_path(origin) if isinstance(origin, tuple) and origin else None


def _missing_at(origin: Origin, key: str | int) -> tuple[Missing, Origin]:
    child = child_origin(origin, key)
    text = format_origin(child)
    if text is None:
        text = f"[{key}]" if isinstance(key, int) else f".{key}"
    return Missing([text]), child


def get_member(obj: Any, origin: Origin, name: str) -> tuple[Any, Origin]:
    """`obj.name`: missing when the key is absent or obj is null; an error on non-maps."""
    if isinstance(obj, Missing):
        return obj, child_origin(origin, name)
    if isinstance(obj, Mapping):
        if name in obj:
            return norm(obj[name]), child_origin(origin, name)
        return _missing_at(origin, name)
    if obj is None:
        return _missing_at(origin, name)
    where = format_origin(origin)
    hint = " (use `[*]` to read it from every item)" if isinstance(obj, list) else ""
    raise EvalError(
        f"cannot read `.{name}` of {type_name(obj)}{' ' + where if where else ''}{hint}"
    )


def get_index(obj: Any, origin: Origin, key: Any) -> tuple[Any, Origin]:
    """`obj[key]`: list index (negative from the end) or map key; missing when absent."""
    if isinstance(obj, Missing):
        return obj, None
    if isinstance(key, Missing):
        return key, None
    if isinstance(obj, list):
        if not ops.is_number(key) or key != int(key):
            raise EvalError(f"a list index must be a whole number, found {display(key)}")
        i = int(key)
        if -len(obj) <= i < len(obj):
            j = i % len(obj)
            return norm(obj[j]), child_origin(origin, j)
        return _missing_at(origin, i)
    if isinstance(obj, Mapping):
        if not isinstance(key, str):
            raise EvalError(f"a map key must be a string, found {describe(key)}")
        if key in obj:
            return norm(obj[key]), child_origin(origin, key)
        return _missing_at(origin, key)
    if obj is None:
        return _missing_at(origin, key if isinstance(key, str | int) else str(key))
    raise EvalError(f"cannot index {describe(obj)}")


_DISPATCH: Final[dict[type, Callable[[Interpreter, Any], tuple[Any, Origin]]]] = {
    Literal: Interpreter._literal,
    ListLit: Interpreter._list,
    Name: Interpreter._name,
    Current: Interpreter._current,
    Element: Interpreter._element,
    Member: Interpreter._member,
    Index: Interpreter._index,
    Project: Interpreter._project,
    Filter: Interpreter._filter,
    Call: Interpreter._call,
    Unary: Interpreter._unary,
    Binary: Interpreter._binary,
    Compare: Interpreter._compare,
    If: Interpreter._if,
    Quant: Interpreter._quant,
}
