"""The rule expression language: parse, type-check, compile and evaluate (the one entry point)."""

from __future__ import annotations

import datetime as _dt
import functools
import pickle
from collections.abc import Mapping, Sequence
from typing import Any

from ..fastclass import dataclass, field
from . import types
from .batch import CompiledBatch, compile_batch
from .compiler import CompiledExpr, compile_node
from .errors import Diagnostic, EvalError, ExprError, ExprSyntaxError, ExprTypeError
from .functions import FUNCTIONS, EvalContext
from .interpreter import Env, Interpreter, Trace, format_path
from .nodes import Node, unparse
from .parser import parse
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
    "defer",
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
        """The generated fast function, built on first use (most messages never run)."""
        return compile_node(self.node, self.let_names, self.varying)

    def run(self, env: Env) -> Any:
        """The value (possibly a `Missing`); raises EvalError on a run-time error."""
        return self.compiled.run(env)

    def interpret(self, env: Env, trace: Trace | None = None) -> Any:
        """The same value by the reference interpreter, optionally recording every node's value."""
        return Interpreter(env, trace).eval(self.node)


def defer(expr: Expression) -> Expression:
    """The same expression, its tree kept apart when cached and read back at first use:
    for the expressions a run seldom evaluates (message templates, two thirds of a pack's
    expressions and half of its tree nodes; reading trees was most of loading a pack)."""
    out = object.__new__(_Deferred)
    out.__dict__.update(expr.__dict__)
    return out


class _Deferred(Expression):
    """An expression whose tree is pickled as bytes of its own (see `defer`)."""

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        tree = self.__dict__.get("_tree")
        if tree is None:
            tree = pickle.dumps(self.node, protocol=pickle.HIGHEST_PROTOCOL)
        fields = (self.text, tree, self.type, self.let_names, self.warnings, self.varying)
        return _stored_expression, fields


class _StoredExpression(_Deferred):
    """A deferred expression read back from a cache: its tree is unpickled at first use."""

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
    _let_nodes: dict[str, Node] | None = field(default=None, init=False, repr=False)
    _compiled_lets: dict[str, CompiledExpr] = field(default_factory=dict, init=False, repr=False)
    _let_scopes: dict[str, frozenset[str]] = field(default_factory=dict, init=False, repr=False)

    @classmethod
    def from_schema(cls, schema: Mapping[str, Any] | None, **kwargs: Any) -> Program:
        data_type = types.SchemaTyper(schema).type_of() if schema is not None else types.ANY
        return cls(data_type=data_type, **kwargs)

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
        return Expression(text, node, t, names, warnings, frozenset(extra or ()))

    def batch(
        self, exprs: Sequence[Expression | tuple[Expression | None, Expression]]
    ) -> CompiledBatch:
        """One generated function for several compiled expressions (a pack's rules).

        An item may be a pair (guard, expression): the expression's value is SKIPPED
        when the guard is not true (a rule's `when`).
        """
        items: list[tuple[Node | None, Node]] = []
        for e in exprs:
            if isinstance(e, tuple):
                guard, expr = e
                items.append((guard.node if guard is not None else None, expr.node))
            else:
                items.append((None, e.node))
        return compile_batch(items, frozenset(self.lets))

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
            self._let_nodes = {k: v.node for k, v in self.lets.items()}
            self._compiled_lets = _CompiledLets(self.lets)
            self._let_scopes = {k: v.let_names for k, v in self.lets.items()}
        return Env(data, params, self._let_nodes, ctx, self._compiled_lets, self._let_scopes)


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
