"""The compiled evaluator: turns a checked tree into a Python function with an optimistic fast path.

The generated function assumes the happy case: every path exists and every value has the
type its operator needs. It checks those assumptions with cheap guards and, the moment one
fails (a key is absent, a value is missing, a float or a string turns up where a number
was expected, an operator would raise), abandons the attempt; `CompiledExpr.run` then
evaluates the same tree with the reference interpreter, which knows the precise outcome
(which paths were missing, which error). Whenever the fast path returns, its value equals
the interpreter's: the property tests compare the two on generated expressions and data.

Only our own code is executed: literals, keys and names from the expression are passed to
the generated function as closure constants, never spliced into its source text.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Final

from ..fastclass import dataclass
from .functions import FUNCTIONS
from .hoist import invariant, keyed_filter
from .interpreter import Env, Interpreter, format_path
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
    is_path,
)
from .pycode import build, fits
from .runtime import DEOPT_ERRORS, DEOPTED, SKIPPED, Deopt

__all__ = [
    "DEOPTED",
    "DEOPT_ERRORS",
    "SKIPPED",
    "CompiledExpr",
    "Deopt",
    "compile_node",
]


_CMP_HELPERS: Final = {
    "==": "_eq",
    "!=": "_ne",
    "<": "_lt",
    "<=": "_le",
    ">": "_gt",
    ">=": "_ge",
    "in": "_in",
    "not in": "_not_in",
    "matches": "_matches",
}
_ARITH_HELPERS: Final = {"+": "_add", "-": "_sub", "*": "_mul", "/": "_div"}
_NUM_HELPERS: Final = {"+": "_num_add", "-": "_num_sub", "*": "_num_mul", "/": "_num_div"}

# What the fast path knows of a generated expression's value:
#   bool  a Python bool          num  an int or Decimal      str  a str
#   raw   a value read from the data as it is (never missing: absence deoptimises)
#   val   any language value, possibly missing
_Code = tuple[str, str]


class _Gen:
    """Generates the Python expression for one tree."""

    def __init__(self, lets: frozenset[str], varying: frozenset[str] = frozenset()) -> None:
        self.lets = lets
        # Names bound per element of an `each` rule: a list built without them is the same
        # for every element, so it is built once per contract (`_hoisted`), not per element.
        self.varying = varying
        self.hoisting = False
        self.consts: list[Any] = []
        self.const_index: dict[tuple[type, object], int] = {}
        self.counter = itertools.count()
        self.scopes: list[dict[str, str]] = [{}]
        self.current: list[str] = []
        self.element: list[str] = []
        # Python forbids `:=` anywhere inside a comprehension's iterable; while generating
        # one, guards call small functions instead of binding temporaries.
        self.no_walrus = 0

    def iterable(self, node: Node) -> str:
        self.no_walrus += 1
        try:
            return f"_list({self.gen(node)[0]})"
        finally:
            self.no_walrus -= 1

    def const(self, value: Any) -> str:
        # Equal is not the same: Decimal("1") == Decimal("1.000") and CNY 1 == CNY 1.000,
        # yet each prints its own digits. Constants merge only when their reprs agree.
        key = (type(value), repr(value)) if _hashable(value) else (type(value), id(value))
        if key not in self.const_index:
            self.const_index[key] = len(self.consts)
            self.consts.append(value)
        return f"_k{self.const_index[key]}"

    def tmp(self) -> str:
        return f"_t{next(self.counter)}"

    # conversions between kinds ------------------------------------------------------------
    def as_bool(self, code: _Code) -> str:
        src, kind = code
        if kind == "bool":
            return src
        if self.no_walrus:
            return f"_truth({src})"
        t = self.tmp()
        return f"({t} if ({t} := {src}) is True or {t} is False else _deopt())"

    def as_num(self, code: _Code) -> str:
        src, kind = code
        if kind == "num":
            return src
        if self.no_walrus:
            return f"_as_num({src})"
        t = self.tmp()
        return f"({t} if type({t} := {src}) is int else _num_slow({t}))"

    def as_str(self, code: _Code) -> str:
        src, kind = code
        if kind == "str":
            return src
        if self.no_walrus:
            return f"_as_str({src})"
        t = self.tmp()
        return f"({t} if type({t} := {src}) is str else _deopt())"

    def as_val(self, code: _Code) -> str:
        src, kind = code
        if kind == "raw":
            return f"_val({src})"
        if kind.startswith("list:") and kind.endswith("raw"):
            # Items read from the data are normalised where they were read, exactly as the
            # interpreter does: `depth` list levels down, not deeper.
            return f"_deep_val({src}, {kind.count('list:')})"
        return src

    def as_present(self, code: _Code) -> str:
        """A language value that is known not to be missing (else deoptimise)."""
        src, kind = code
        if kind in ("bool", "num", "str"):
            return src
        if kind == "raw" or kind.startswith("list:"):
            return self.as_val(code)
        if self.no_walrus:
            return f"_present({src})"
        t = self.tmp()
        return f"({t} if type({t} := {src}) is not _Missing else _deopt())"

    # nodes --------------------------------------------------------------------------------
    def gen(self, node: Node) -> _Code:
        if isinstance(node, Literal):
            v = node.value
            if node.kind == "bool":
                return ("True" if v else "False"), "bool"
            if node.kind == "null":
                return "None", "val"
            if node.kind == "number":
                return self.const(v), "num"
            if node.kind == "string":
                return self.const(v), "str"
            return self.const(v), "val"
        if isinstance(node, ListLit):
            items = ", ".join(self.as_present(self.gen(i)) for i in node.items)
            return f"[{items}]", "val"
        if isinstance(node, Name):
            return self.name(node.name)
        if isinstance(node, Current):
            return (self.current[-1], "raw") if self.current else ("_deopt()", "val")
        if isinstance(node, Element):
            return self.element[-1], "raw"
        if isinstance(node, Member):
            obj = self.gen(node.obj)
            if obj[1] in ("raw", "val") and not isinstance(node.obj, Literal | ListLit):
                return f"{obj[0]}[{self.const(node.name)}]", "raw"
            return "_deopt()", "val"
        if isinstance(node, Index):
            return self.index(node)
        if (
            isinstance(node, Project | Filter)
            and self.varying
            and not self.hoisting
            and invariant(node, self.varying | {n for s in self.scopes for n in s})
        ):
            return self.hoist(node)
        if isinstance(node, Project):
            src = self.iterable(node.source)
            var = f"_e{next(self.counter)}"
            self.element.append(var)
            try:
                body = self.gen(node.body)
            finally:
                self.element.pop()
            return f"[{body[0]} for {var} in {src}]", "list:" + body[1]
        if isinstance(node, Filter):
            return self.filter(node)
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, Unary):
            if node.op == "not":
                return f"(not {self.as_bool(self.gen(node.operand))})", "bool"
            return f"_neg({self.as_present(self.gen(node.operand))})", "val"
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, Compare):
            return self.compare(node)
        if isinstance(node, If):
            cond = self.as_bool(self.gen(node.cond))
            a, b = self.gen(node.then), self.gen(node.orelse)
            kind = a[1] if a[1] == b[1] and not a[1].startswith("list") else "val"
            conv = (lambda c: c[0]) if kind != "val" else self.as_present
            return f"({conv(a)} if {cond} else {conv(b)})", kind
        if isinstance(node, Quant):
            return self.quant(node)
        raise TypeError(f"unknown node {node!r}")

    def filter(self, node: Filter) -> _Code:
        src = self.iterable(node.source)
        var = f"_e{next(self.counter)}"
        self.current.append(var)
        try:
            cond = self.as_bool(self.gen(node.cond))
        finally:
            self.current.pop()
        plain = f"[{var} for {var} in {src} if {cond}]"
        keyed = keyed_filter(node) if self.varying and not self.hoisting else None
        if keyed is not None and invariant(node.source, self.varying | self.bound()):
            # `parties[? @.label == s.party]` in a rule over signatures: items looked up
            # by label in an index built once per contract (else quadratic in size).
            probe = self.gen(keyed[1])
            if probe[1] in ("raw", "val", "str"):
                key, field = self.const(object()), self.const(keyed[0])
                source = f"lambda: {src}"  # the filter's own source code, not generated again
                return f"_keyed(_L, {key}, {source}, {field}, {probe[0]}, lambda: {plain})", (
                    "list:raw"
                )
        return plain, "list:raw"

    def bound(self) -> set[str]:
        return {n for s in self.scopes for n in s}

    def name(self, name: str) -> _Code:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name], "raw"
        if name in self.lets:
            return f"_L({self.const(name)})", "val"
        if name == "params":
            return "_p", "val"
        if name == "contract":
            return "_d", "raw"
        return f"_d[{self.const(name)}]", "raw"

    def hoist(self, node: Node) -> _Code:
        self.hoisting = True
        try:
            code, kind = self.gen(node)
        finally:
            self.hoisting = False
        # Kept as language values: the per-element code then reads them as they are.
        value = self.as_val((code, kind))
        if kind.endswith("raw"):
            kind = kind.removesuffix("raw") + "val"
        return f"_hoisted(_L, {self.const(object())}, lambda: {value})", kind

    def index(self, node: Index) -> _Code:
        obj = self.gen(node.obj)
        idx = node.index
        if (
            obj[1].startswith("list:")
            and isinstance(idx, Literal)
            and idx.kind == "number"
            and type(idx.value) is int
        ):
            # An item of a list this code built (`xs[? …][0]`): a Python list already;
            # an index out of range raises IndexError and the interpreter answers missing.
            inner = obj[1][5:]
            kind = inner if inner in ("raw", "val", "num", "str", "bool") else "val"
            return f"{obj[0]}[{self.const(idx.value)}]", kind
        if obj[1] not in ("raw", "val") or isinstance(node.obj, Literal | ListLit):
            return "_deopt()", "val"
        if isinstance(idx, Literal) and idx.kind == "string":
            return f"{obj[0]}[{self.const(idx.value)}]", "raw"
        if isinstance(idx, Literal) and idx.kind == "number" and type(idx.value) is int:
            if self.no_walrus:
                return f"_list({obj[0]})[{self.const(idx.value)}]", "raw"
            t = self.tmp()
            return (
                f"({t} if type({t} := {obj[0]}) is list else _deopt())[{self.const(idx.value)}]",
                "raw",
            )
        return "_deopt()", "val"

    def quant(self, node: Quant) -> _Code:
        src = self.iterable(node.source)
        var = f"_v{next(self.counter)}"
        self.scopes.append({node.var: var})
        try:
            body = self.as_bool(self.gen(node.body))
        finally:
            self.scopes.pop()
        fn = {"all": "all", "any": "any", "none": "not any"}[node.kind]
        return f"({fn}({body} for {var} in {src}))", "bool"

    def binary(self, node: Binary) -> _Code:
        op = node.op
        if op in ("and", "or"):
            return (
                f"({self.as_bool(self.gen(node.left))} {op} {self.as_bool(self.gen(node.right))})",
                "bool",
            )
        if op == "implies":
            left = self.as_bool(self.gen(node.left))
            return f"(not {left} or {self.as_bool(self.gen(node.right))})", "bool"
        if op == "??":
            if self.no_walrus:
                # No temporaries here: the right side becomes a thunk, called if needed.
                right_code = self.as_present(self.gen(node.right))
                return f"_coalesce({self.safe(node.left)}, lambda: {right_code})", "val"
            left = self.safe(node.left)
            t = self.tmp()
            right = self.as_present(self.gen(node.right))
            return (
                f"({t} if ({t} := {left}) is not None and type({t}) is not _Missing else {right})",
                "val",
            )
        a, b = self.gen(node.left), self.gen(node.right)
        if a[1] == "num" and b[1] == "num":
            return f"{_NUM_HELPERS[op]}({a[0]}, {b[0]})", "num"
        return f"{_ARITH_HELPERS[op]}({self.as_present(a)}, {self.as_present(b)})", "val"

    def compare(self, node: Compare) -> _Code:
        codes = [self.gen(o) for o in node.operands]
        parts: list[str] = []
        number_literals = [
            o for o in node.operands if isinstance(o, Literal) and o.kind == "number"
        ]
        if (
            len(node.ops) == 1
            and node.ops[0] in ("<", "<=", ">", ">=", "==", "!=")
            and len(number_literals) == 1
            and all(c[1] in ("num", "raw") for c in codes)
        ):
            left = isinstance(node.operands[0], Literal)
            other = codes[1] if left else codes[0]
            return self.num_literal_compare(
                node.ops[0], other, number_literals[0].value, left
            ), "bool"
        if (
            all(op in ("<", "<=", ">", ">=") for op in node.ops)
            and all(c[1] in ("num", "raw") for c in codes)
            and any(c[1] == "num" for c in codes)
        ):
            # Numbers on every side (a literal fixes the type): a native chained comparison.
            chain = self.as_num(codes[0])
            for op, c in zip(node.ops, codes[1:], strict=True):
                chain += f" {op} {self.as_num(c)}"
            return f"({chain})", "bool"
        if len(node.ops) == 1:
            return self.compare_one(node.ops[0], codes[0], codes[1], node.operands)
        if self.no_walrus:
            return "_deopt()", "bool"
        left_tmp = [self.tmp() for _ in codes]
        for i, op in enumerate(node.ops):
            a = f"({left_tmp[i]} := {self.as_present(codes[i])})" if i == 0 else left_tmp[i]
            b = f"({left_tmp[i + 1]} := {self.as_present(codes[i + 1])})"
            parts.append(self.as_bool((f"{_CMP_HELPERS[op]}({a}, {b})", "val")))
        return "(" + " and ".join(parts) + ")", "bool"

    def compare_one(self, op: str, a: _Code, b: _Code, operands: tuple[Node, ...]) -> _Code:
        if op in ("==", "!=") and "num" in (a[1], b[1]) and {a[1], b[1]} <= {"num", "raw"}:
            # A number on one side: the other must be a number too (else deoptimise).
            return f"({self.as_num(a)} {op} {self.as_num(b)})", "bool"
        lits = [o for o in operands if isinstance(o, Literal)]
        lit = lits[0] if len(lits) == 1 else None
        if op in ("==", "!=") and lit is not None:
            other = b if isinstance(operands[0], Literal) else a
            if lit.kind == "null" and other[1] == "raw" and not self.no_walrus:
                # A value read from the data can itself be missing (an unreadable typed
                # value): that is not a null, and the interpreter says so.
                t = self.tmp()
                test = "is" if op == "==" else "is not"
                return (
                    f"(({t} {test} None) if type({t} := {other[0]}) is not _Missing else _deopt())"
                ), "bool"
            if lit.kind == "string":
                return f"({self.as_str(other)} {op} {self.const(lit.value)})", "bool"
            if lit.kind == "number":
                left = isinstance(operands[0], Literal)
                return self.num_literal_compare(op, other, lit.value, left), "bool"
            if lit.kind == "bool":
                return (
                    f"({self.as_bool(other)} is {'' if op == '==' else 'not '}{lit.value})",
                    "bool",
                )
        if (
            op in ("in", "not in")
            and isinstance(operands[1], ListLit)
            and all(isinstance(i, Literal) and i.kind == "string" for i in operands[1].items)
        ):
            members = frozenset(i.value for i in operands[1].items if isinstance(i, Literal))
            return f"({self.as_str(a)} {op} {self.const(members)})", "bool"
        return self.as_bool(
            (f"{_CMP_HELPERS[op]}({self.as_present(a)}, {self.as_present(b)})", "val")
        ), "bool"

    def num_literal_compare(self, op: str, code: _Code, literal: Any, literal_left: bool) -> str:
        """`x op L` for a number literal L; a float x is compared as a float when that is exact.

        For a float x and a literal L that is the shortest text of float(L),
        `Decimal(repr(x)) op L` equals `x op float(L)` for every comparison (rounding to the
        nearest float is monotonic and the shortest repr is unique). That saves converting
        floats that come through the Python API.
        """
        dec = self.const(literal)

        def cmp(x: str, k: str) -> str:
            return f"{k} {op} {x}" if literal_left else f"{x} {op} {k}"

        src, kind = code
        as_float = float(literal)
        if kind == "num" or self.no_walrus or Decimal(repr(as_float)) != literal:
            return f"({cmp(self.as_num(code), dec)})"
        flt = self.const(as_float)
        t = self.tmp()
        return (
            f"(({cmp(t, flt)}) if type({t} := {src}) is float and {t} - {t} == 0 "
            f"else ({cmp(f'({t} if type({t}) is int else _num_slow({t}))', dec)}))"
        )

    def call(self, node: Call) -> _Code:
        fn = FUNCTIONS[node.func]
        name = node.func
        if name == "today":
            return "_ctx.today", "val"
        if name == "placeholders" and node.args:
            # The tokens' paths start at the argument's own path, known here when the
            # argument is a path into the contract.
            keys = self.data_path(node.args[0])
            if keys is not None:
                where = self.const(format_path(keys))
                return f"_placeholders({self.safe(node.args[0])}, {where}, _ctx)", "val"
        if name == "compact" and len(node.args) == 1 and (not self.varying or self.hoisting):
            items = self.absent_items(node.args[0])
            if items is not None:
                return f"{self.const(fn.impl)}({items})", "val"
        if fn.needs_context:
            return "_deopt()", "val"
        if name in ("exists", "blank"):
            safe = self.safe(node.args[0])
            if name == "exists":
                return f"(type({safe}) is not _Missing)", "bool"
            return f"{self.const(fn.impl)}({safe})", "bool"
        if name == "sum" and node.args:
            arg = self.gen(node.args[0])
            if arg[1] == "list:num":
                return f"_sum_raw({arg[0]})", "num"
            if arg[1] == "list:raw":  # numbers, or money or durations: `sum` adds those
                return f"_sum_items({arg[0]}, {self.const(fn.impl)})", "val"
        if name in ("count", "len") and node.args:
            arg = self.gen(node.args[0])
            if arg[1].startswith("list:") and arg[1] != "list:val":
                return f"len({arg[0]})", "num"
        args = [self.gen_arg(a) for a in node.args]
        impl = self.const(fn.impl)
        if fn.lenient:
            return f"{impl}({', '.join(args)})", "val"
        return f"_strict_call({impl}{''.join(', ' + a for a in args)})", "val"

    def absent_items(self, node: Node) -> str | None:
        """`compact`'s list where absent paths stay in it as missing items (compact drops
        them, as it drops the interpreter's): `[a.b, c]`, `xs[*].a`, `xs[*].a ?? []`; None
        for any other list, generated as usual (an absent path deoptimises)."""
        if isinstance(node, ListLit):
            items = (
                self.safe(i) if is_path(i) else self.as_present(self.gen(i)) for i in node.items
            )
            return f"[{', '.join(items)}]"
        empty = isinstance(node, Binary) and node.op == "??" and node.right == ListLit(())
        project = node.left if isinstance(node, Binary) and empty else node
        if not isinstance(project, Project) or not is_path(project.body, Element):
            return None
        keys = self.data_path(project.source)
        if empty and keys is not None:  # an absent or null list is the empty one
            src = f"_list_or_empty(_path_get(_d, {self.const(keys)}))"
        elif not empty:
            src = self.iterable(project.source)
        else:
            return None
        var = f"_e{next(self.counter)}"
        self.element.append(var)
        try:
            body = self.safe(project.body)
        finally:
            self.element.pop()
        return f"[{body} for {var} in {src}]"

    def gen_arg(self, node: Node) -> str:
        src, kind = self.gen(node)
        return self.as_val((src, kind))

    def data_path(self, node: Node) -> tuple[Any, ...] | None:
        """The keys of a path from the contract root (`contract`, `a.b[0]`), else None."""
        keys, cur = _literal_keys(node)
        if not isinstance(cur, Name) or cur.name in self.lets or cur.name == "params":
            return None
        if any(cur.name in s for s in self.scopes):
            return None
        if cur.name != "contract":
            keys.append(cur.name)
        return tuple(reversed(keys))

    def safe(self, node: Node) -> str:
        """Code for a value that may legitimately be absent (operand of exists, blank, ??)."""
        keys, cur = _literal_keys(node)
        if (
            isinstance(cur, Name)
            and cur.name not in self.lets
            and not any(cur.name in s for s in self.scopes)
            and cur.name not in ("params", "contract")
        ):
            keys.append(cur.name)
            base = "_d"
        elif isinstance(cur, Name | Current | Element):
            base = self.gen(cur)[0]
        else:
            # A list this code builds (`xs[? …][0].name ?? ""`, `xs[*].a ?? []`) is never
            # missing itself (a missing source deoptimises); its items may be absent.
            code = self.gen(cur)
            if not code[1].startswith("list:"):
                return "_deopt()"
            base = self.as_val(code)
        keys.reverse()
        return f"_path_get({base}, {self.const(tuple(keys))})"


def _literal_keys(node: Node) -> tuple[list[Any], Node]:
    """The keys of the chain of members and literal indexes that ends at `node`, last
    first, and the node the chain starts from (a name, `@`, or any other expression)."""
    keys: list[Any] = []
    while True:
        if isinstance(node, Member):
            keys.append(node.name)
        elif (
            isinstance(node, Index)
            and isinstance(node.index, Literal)
            and (node.index.kind == "string" or type(node.index.value) is int)
        ):
            keys.append(node.index.value)
        else:
            return keys, node
        node = node.obj


def _hashable(v: Any) -> bool:
    try:
        hash(v)
    except TypeError:
        return False
    return True


@dataclass(frozen=True)
class CompiledExpr:
    """A tree with its generated fast function; `run` gives exactly the interpreter's value."""

    node: Node
    fast: Callable[..., Any]
    source: str
    lets: frozenset[str] = frozenset()  # the let names the expression was compiled to see

    def run(self, env: Env) -> Any:
        try:
            return self.fast(env.data, env.params, env.let_value, env.ctx)
        except DEOPT_ERRORS:  # MissingTruth is a TypeError: a missing value met a condition
            return Interpreter(env, visible=self.lets).eval(self.node)


def compile_node(
    node: Node,
    lets: frozenset[str] = frozenset(),
    varying: frozenset[str] = frozenset(),
    key: str | None = None,
) -> CompiledExpr:
    """Generate and build the fast function for a checked tree; `varying` names (among
    `lets`) change between runs on one contract (an `each` variable); `key`: the function
    is kept as a unit under it (pycode.load_unit)."""
    gen = _Gen(lets, varying)
    body = gen.as_val(gen.gen(node))
    built = build(gen.consts, [f"return {body}"], key) if fits(body) else None
    if built is None:
        return CompiledExpr(node, _always_deopt, "", lets)
    return CompiledExpr(node, *built, lets)


def _always_deopt(*args: Any) -> Any:
    """The fast function of an expression too deep to compile: the interpreter does it all."""
    raise Deopt
