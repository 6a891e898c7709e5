"""The rule expression language: parse, type-check, compile and evaluate (the one entry point)."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
import pickle
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import MISSING
from typing import Any, Final, overload

from ..fastclass import dataclass, field
from . import types
from .batch import CompiledBatch, compile_batch
from .compiler import CompiledExpr, compile_node
from .errors import Diagnostic, EvalError, ExprError, ExprSyntaxError, ExprTypeError
from .functions import FUNCTIONS, EvalContext
from .interpreter import Env, Interpreter, Trace, format_path
from .nodes import Node, unparse
from .parser import builtin_tree, parse
from .pycode import load_unit, unit_key
from .typecheck import Scope, TypeChecker
from .types import Type
from .values import Duration, Missing, Money, display, format_number, to_json

__all__ = [
    "FUNCTIONS",
    "Diagnostic",
    "Duration",
    "Env",
    "EvalError",
    "ExprError",
    "ExprSyntaxError",
    "ExprTypeError",
    "Expression",
    "Missing",
    "Money",
    "Program",
    "Type",
    "display",
    "format_number",
    "format_path",
    "parse",
    "to_json",
    "types",
    "unparse",
]


@dataclass(frozen=True, eq=False)
class Expression:
    """A checked, compiled expression: evaluate it with `Program.evaluate` or `run`."""

    text: str
    node: Node
    type: Type
    let_names: frozenset[str] = frozenset()
    warnings: tuple[Diagnostic, ...] = ()  # e.g. a field the (open) schema does not declare
    varying: frozenset[str] = frozenset()  # names bound per element (an `each` variable)

    @functools.cached_property
    def compiled(self) -> CompiledExpr:
        """The generated fast function, built on first use (most messages never run): from
        its unit when one is kept, else generated from the tree (and kept)."""
        key = unit_key("expr", self.let_names, self.text, *sorted(self.varying))
        hit = load_unit(key)
        if hit is None:
            return compile_node(self.node, self.let_names, self.varying, key)
        unit = object.__new__(_UnitExpr)
        unit.__dict__.update(fast=hit[0], source=hit[1], lets=self.let_names, _expr=self)
        return unit

    def run(self, env: Env) -> Any:
        """The value (possibly a `Missing`); raises EvalError on a run-time error."""
        return self.compiled.run(env)

    def interpret(self, env: Env, trace: Trace | None = None) -> Any:
        """The same value by the reference interpreter, optionally recording every node's value."""
        return Interpreter(env, trace).eval(self.node)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # The tree travels as a pickle of its own, read back only when used: a warm run
        # builds its functions from units (pycode) and reads a tree only to interpret,
        # to explain a finding or to make a message; reading trees was most of loading
        # a pack.
        tree = self.__dict__.get("_tree")
        if tree is None:
            tree = pickle.dumps(self.node, protocol=pickle.HIGHEST_PROTOCOL)
        fields = (self.text, tree, self.type, self.let_names, self.warnings, self.varying)
        return _stored_expression, fields


class _UnitExpr(CompiledExpr):
    """A compiled expression built from its unit: the tree, needed only to interpret it,
    is the expression's (read at first use)."""

    @property
    def node(self) -> Node:  # a property shadows the field the instance never sets
        tree: Node = self.__dict__["_expr"].node
        return tree


class _Items(Sequence[tuple[Node | None, Node]]):
    """A batch's (guard, tree) pairs, each read when an item must be interpreted."""

    def __init__(self, pairs: list[tuple[Expression | None, Expression]]) -> None:
        self._pairs = pairs

    @overload
    def __getitem__(self, i: int) -> tuple[Node | None, Node]: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[tuple[Node | None, Node]]: ...
    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        guard, expr = self._pairs[i]
        return (guard.node if guard is not None else None, expr.node)

    def __len__(self) -> int:
        return len(self._pairs)


class _LetNodes(Mapping[str, Node]):
    """The lets' trees by name, each read at first use (the interpreter's view of lets)."""

    def __init__(self, lets: Mapping[str, Expression]) -> None:
        self._lets = lets

    def __getitem__(self, name: str) -> Node:
        return self._lets[name].node

    def __contains__(self, name: object) -> bool:
        return name in self._lets

    def __iter__(self) -> Iterator[str]:
        return iter(self._lets)

    def __len__(self) -> int:
        return len(self._lets)


class _StoredExpression(Expression):
    """An expression read back from a cache: its tree is unpickled at first use."""

    @property
    def node(self) -> Node:  # a property shadows the field the instance never sets
        tree = self.__dict__.get("_node")
        if tree is None:
            from .cache import loads

            tree = self.__dict__["_node"] = loads(self.__dict__["_tree"])
        assert isinstance(tree, Node), tree
        return tree


def _stored_expression(
    text: str,
    tree: bytes,
    t: Type,
    let_names: frozenset[str],
    warnings: tuple[Diagnostic, ...],
    varying: frozenset[str],
) -> Expression:
    """An expression as `Expression.__reduce__` stored it (see `_StoredExpression`)."""
    shaped = (
        isinstance(text, str)
        and isinstance(tree, bytes)
        and isinstance(t, Type)
        and isinstance(let_names, frozenset)
        and isinstance(warnings, tuple)
        and isinstance(varying, frozenset)
    )
    if not shaped:  # not what the cache writes: the whole entry is a miss, not a late error
        raise pickle.UnpicklingError("a stored expression is not shaped as one")
    expr = object.__new__(_StoredExpression)
    expr.__dict__.update(
        text=text, _tree=tree, type=t, let_names=let_names, warnings=warnings, varying=varying
    )
    return expr


@dataclass
class Program:
    """A scope in which expressions are checked and compiled together: a pack's lets and rules.

    `data_type` is the static type of contract data (from a JSON Schema, or `any`);
    `param_types` the declared parameter types. Lets are added in order; each may use the
    ones before it.
    """

    data_type: Type = types.ANY
    param_types: Mapping[str, Type] = field(default_factory=dict)
    placeholder_patterns: Sequence[str] = ()
    lets: dict[str, Expression] = field(default_factory=dict)
    _default_ctx: EvalContext | None = field(default=None, init=False, repr=False)
    _let_nodes: Mapping[str, Node] | None = field(default=None, init=False, repr=False)
    _compiled_lets: dict[str, CompiledExpr] = field(default_factory=dict, init=False, repr=False)
    _let_scopes: dict[str, frozenset[str]] = field(default_factory=dict, init=False, repr=False)

    @classmethod
    def from_schema(cls, schema: Mapping[str, Any] | None, **kwargs: Any) -> Program:
        data_type = types.SchemaTyper(schema).type_of() if schema is not None else types.ANY
        return cls(data_type=data_type, **kwargs)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # The data's static type (the whole schema's: hundreds of objects, most of a
        # cached pack's) serves only to check new expressions against the pack (explain,
        # eval, the editor): kept apart, read at first use. What a run derives (the
        # evaluation context, compiled lets) is not kept: it is made again.
        state = {f.name: getattr(self, f.name) for f in _KEPT}
        blob = self.__dict__.get("_data_type_blob")
        if blob is None:
            blob = pickle.dumps(self.data_type, protocol=pickle.HIGHEST_PROTOCOL)
        return _stored_program, (blob, state)

    def scope(self, extra: Mapping[str, Type] | None = None) -> Scope:
        lets = {k: v.type for k, v in self.lets.items()}
        lets.update(extra or {})
        return Scope(data=self.data_type, lets=lets, params=self.param_types)

    def check(
        self, text: str, extra: Mapping[str, Type] | None = None
    ) -> tuple[Node, Type, dict[int, Type]]:
        """Parse and type-check; raises ExprSyntaxError or ExprTypeError with every diagnostic.

        `extra` names values bound per evaluation (a rule's `each` variable) with their types.
        """
        node, t, checker = self._check(text, extra)
        return node, t, checker.types

    def _check(self, text: str, extra: Mapping[str, Type] | None) -> tuple[Node, Type, TypeChecker]:
        node = parse(text)
        checker = TypeChecker(self.scope(extra))
        t = checker.check(node)
        if checker.diagnostics:
            diags = sorted(checker.diagnostics, key=lambda d: (d.start, d.message))
            raise ExprTypeError(_dedupe(diags), text)
        return node, t, checker

    def compile(self, text: str, extra: Mapping[str, Type] | None = None) -> Expression:
        """A checked expression; its `warnings` say what the type checker doubts but allows."""
        node, t, checker = self._check(text, extra)
        names = frozenset(self.lets) | frozenset(extra or ())
        warnings = tuple(_dedupe(sorted(checker.warnings, key=lambda d: (d.start, d.message))))
        expr = Expression(text, node, t, names, warnings, frozenset(extra or ()))
        shipped = builtin_tree(text)
        if shipped is not None and shipped[0] is node:
            expr.__dict__["_tree"] = shipped[1]  # pickled already: caching it costs nothing
        return expr

    def batch(
        self, exprs: Sequence[Expression | tuple[Expression | None, Expression]]
    ) -> CompiledBatch:
        """One generated function for several compiled expressions (a pack's rules).

        An item may be a pair (guard, expression): the expression's value is SKIPPED
        when the guard is not true (a rule's `when`).
        """
        pairs = [e if isinstance(e, tuple) else (None, e) for e in exprs]
        lets = frozenset(self.lets)
        texts = [t for g, e in pairs for t in (g.text if g is not None else None, e.text)]
        key = unit_key("batch", lets, *texts)
        hit = load_unit(key)
        if hit is not None:
            return CompiledBatch(_Items(pairs), *hit)
        nodes = [(g.node if g is not None else None, e.node) for g, e in pairs]
        return compile_batch(nodes, lets, key)

    @staticmethod
    def bind(env: Env, name: str, value: Any, origin: Any = None) -> None:
        """Bind a per-evaluation name (an `each` variable) in an environment."""
        env.let_values[name] = (value, origin)
        env.fast_let_values[name] = value

    def add_let(self, name: str, text: str) -> Expression:
        expr = self.compile(text)
        self.lets[name] = expr
        self._let_nodes = None
        return expr

    def env(
        self,
        data: Mapping[str, Any],
        *,
        params: Mapping[str, Any] | None = None,
        today: _dt.date | None = None,
    ) -> Env:
        """A fresh evaluation environment for one contract (let values are cached in it)."""
        if today is None:
            ctx = self._default_ctx
            if ctx is None:
                # today() is one fixed value per run: the first evaluation's date.
                ctx = self._default_ctx = EvalContext(
                    _dt.date.today(), placeholder_patterns=self.placeholder_patterns
                )
        else:
            ctx = EvalContext(today, placeholder_patterns=self.placeholder_patterns)
        if self._let_nodes is None:
            self._let_nodes = _LetNodes(self.lets)
            self._compiled_lets = _CompiledLets(self.lets)
            self._let_scopes = {k: v.let_names for k, v in self.lets.items()}
        return Env(data, params, self._let_nodes, ctx, self._compiled_lets, self._let_scopes)


class _StoredProgram(Program):
    """A program read back from a cache: its data type is unpickled at first use."""

    @property
    def data_type(self) -> Type:  # a property shadows the field the instance never sets
        t = self.__dict__.get("_data_type")
        if t is None:
            from .cache import loads

            t = self.__dict__["_data_type"] = loads(self.__dict__["_data_type_blob"], _TYPES)
        assert isinstance(t, Type), t
        return t

    @data_type.setter
    def data_type(self, value: Type) -> None:
        self.__dict__["_data_type"] = value


_TYPES: Final = frozenset({("checker.lang.types", "Type")})


def _stored_program(blob: bytes, state: dict[str, Any]) -> Program:
    """A program as `Program.__reduce__` stored it (see `_StoredProgram`)."""
    lets = state.get("lets") if isinstance(state, dict) else None
    if not isinstance(blob, bytes) or not isinstance(lets, dict) or set(state) != _KEPT_NAMES:
        raise pickle.UnpicklingError("a stored program is not shaped as one")
    if not all(isinstance(e, Expression) for e in lets.values()):
        raise pickle.UnpicklingError("a stored program's lets are not expressions")
    program = object.__new__(_StoredProgram)
    derived = {
        f.name: f.default_factory() if f.default_factory is not MISSING else f.default
        for f in dataclasses.fields(Program)
        if not f.init
    }
    program.__dict__.update(derived, **{f.name: state[f.name] for f in _KEPT}, _data_type_blob=blob)
    return program


# A program's fields kept in a cache: those given to it, but its data type (kept apart).
_KEPT: Final = tuple(f for f in dataclasses.fields(Program) if f.init and f.name != "data_type")
_KEPT_NAMES: Final = frozenset(f.name for f in _KEPT)


class _CompiledLets(dict[str, CompiledExpr]):
    """Each let's generated function, made at its first use: a file's rules seldom need
    every let of the pack, and generating them all was a tenth of a warm one-file check."""

    def __init__(self, lets: Mapping[str, Expression]) -> None:
        super().__init__()
        self._lets = lets

    def get(self, name: str, default: Any = None) -> Any:  # the one lookup Env makes
        try:
            return self[name]
        except KeyError:
            expr = self._lets.get(name)
            if expr is None:
                return default
            compiled = self[name] = expr.compiled
            return compiled


def _dedupe(diags: list[Diagnostic]) -> list[Diagnostic]:
    seen: set[tuple[int, str]] = set()
    out: list[Diagnostic] = []
    for d in diags:
        if (d.start, d.message) not in seen:
            seen.add((d.start, d.message))
            out.append(d)
    return out
