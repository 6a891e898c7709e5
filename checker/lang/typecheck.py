"""The static type checker: finds every type error of an expression before any data is read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from ..fastclass import dataclass, field
from . import ops
from . import types as T
from .errors import Diagnostic
from .functions import FUNCTIONS, Checker
from .names import near_name
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
    unparse,
)
from .types import Type
from .values import Duration, Money, display


@dataclass
class Scope:
    """What names mean while checking: data type, `let` types, parameter types."""

    data: Type = T.ANY
    lets: Mapping[str, Type] = field(default_factory=dict)
    params: Mapping[str, Type] = field(default_factory=dict)


def suggest(name: str, candidates: list[str]) -> str | None:
    """A 'did you mean' suggestion: the closest candidate, if one is close enough."""
    import difflib  # only when something is misspelt

    found = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    if not found:
        lower = {c.lower(): c for c in candidates}
        found = difflib.get_close_matches(name.lower(), list(lower), n=1, cutoff=0.6)
        found = [lower[f] for f in found]
    return found[0] if found else None


_ARITH_WHAT: Final = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide"}
_SIDE: Final = ("left", "right")


class TypeChecker:
    """Collects diagnostics; `types[id(node)]` afterwards holds the static type of each node."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.diagnostics: list[Diagnostic] = []
        self.warnings: list[Diagnostic] = []
        self.types: dict[int, Type] = {}
        self.vars: dict[str, Type] = {}
        self.current: list[Type] = []
        self.element: list[Type] = []
        self.element_text: list[str] = []

    def check(self, node: Node) -> Type:
        t = self._check(node)
        self.types[id(node)] = t
        return t

    def error(
        self,
        node: Node,
        message: str,
        hint: str | None = None,
        *,
        start: int | None = None,
        column: int | None = None,
        end: int | None = None,
    ) -> None:
        span = node.span
        self.diagnostics.append(
            Diagnostic(
                message,
                span.line,
                column if column is not None else span.column,
                start if start is not None else span.start,
                end if end is not None else span.end,
                hint=hint,
            )
        )

    def _check(self, node: Node) -> Type:
        if isinstance(node, Literal):
            return _literal_type(node)
        if isinstance(node, ListLit):
            out: Type | None = None
            for item in node.items:
                t = self.check(item)
                out = t if out is None else T.join(out, t)
            return T.list_of(out or T.ANY)
        if isinstance(node, Name):
            return self._name(node)
        if isinstance(node, Current):
            if not self.current:
                self.error(
                    node,
                    "`@` is only meaningful inside a filter `[? …]`",
                    "inside `all x in xs: …` refer to the item by its name",
                )
                return T.ANY
            return self.current[-1]
        if isinstance(node, Element):
            return self.element[-1] if self.element else T.ANY
        if isinstance(node, Member):
            return self._member(node)
        if isinstance(node, Index):
            return self._index(node)
        if isinstance(node, Project):
            src = self.check(node.source)
            elem = self._list_elem(node.source, src, "`[*]`")
            self.element.append(elem)
            self.element_text.append(unparse(node.source) + "[*]")
            try:
                return T.list_of(self.check(node.body))
            finally:
                self.element.pop()
                self.element_text.pop()
        if isinstance(node, Filter):
            src = self.check(node.source)
            elem = self._list_elem(node.source, src, "`[? …]`")
            self.current.append(elem)
            try:
                self._want_bool(node.cond, "a filter condition")
            finally:
                self.current.pop()
            return src if src.kind == "list" else T.LIST
        if isinstance(node, Call):
            return self._call(node)
        if isinstance(node, Unary):
            if node.op == "not":
                self._want_bool(node.operand, "the operand of `not`")
                return T.BOOL
            t = self.check(node.operand)
            if not t.is_any and t.kind not in ("number", "money", "duration"):
                self.error(node.operand, f"cannot negate {t}")
                return T.ANY
            return T.strip_null(t)
        if isinstance(node, Binary):
            return self._binary(node)
        if isinstance(node, Compare):
            return self._compare(node)
        if isinstance(node, If):
            self._want_bool(node.cond, "the condition of `if`")
            return T.join(self.check(node.then), self.check(node.orelse))
        if isinstance(node, Quant):
            src = self.check(node.source)
            elem = self._list_elem(node.source, src, f"`{node.kind} … in`")
            saved = self.vars.get(node.var)
            self.vars[node.var] = elem
            try:
                self._want_bool(node.body, f"the body of `{node.kind}`")
            finally:
                if saved is None:
                    del self.vars[node.var]
                else:
                    self.vars[node.var] = saved
            return T.BOOL
        raise TypeError(f"unknown node {node!r}")

    # names and paths ----------------------------------------------------------------------
    def _name(self, node: Name) -> Type:
        name = node.name
        if name in self.vars:
            return self.vars[name]
        if name in self.scope.lets:
            return self.scope.lets[name]
        if name == "params":
            fields = tuple(self.scope.params.items())
            return Type("record", fields=fields, closed=True)
        if name == "contract":
            return self.scope.data
        return self._field(node, self.scope.data, name, None)

    def _field(self, node: Node, t: Type, name: str, owner: Node | None) -> Type:
        if t.is_any:
            return T.ANY
        if t.kind == "map":
            return t.elem or T.ANY
        if t.kind == "record":
            ft = t.field(name)
            if ft is not None:
                return ft
            owner_text = unparse(owner) if owner is not None else ""
            if isinstance(owner, Element) and self.element_text:
                owner_text = self.element_text[-1]
            where = f"`{owner_text}`" if owner is not None else "the contract"
            if not t.closed:
                self._undeclared(node, name, where, t.field_names())
                return T.ANY
            candidates = t.field_names()
            if owner is None:
                candidates = candidates + list(self.scope.lets) + list(self.vars)
            if owner is not None and isinstance(owner, Name) and owner.name == "params":
                message = f"unknown parameter `{name}`"
            else:
                message = f"unknown field `{name}` in {where}"
            near = suggest(name, candidates)
            hint = (
                f"did you mean `{near}`?"
                if near
                else ("known fields: " + ", ".join(candidates[:12]) if candidates else None)
            )
            self._error_at_name(node, name, message, hint)
            return T.ANY
        if t.kind == "list":
            self._error_at_name(
                node,
                name,
                f"cannot read `.{name}` of a list",
                f"write `[*].{name}` to read it from every item",
            )
            return T.ANY
        if t.kind == "null":
            return T.ANY
        self._error_at_name(node, name, f"cannot read `.{name}` of {t}")
        return T.ANY

    def _undeclared(self, node: Node, name: str, where: str, declared: list[str]) -> None:
        """A field an open schema does not declare: a typo of a declared one is an error
        (it would read as missing on every contract); any other name is a warning."""
        near = near_name(name, declared)
        if near is not None:
            self._error_at_name(
                node,
                name,
                f"unknown field `{name}` in {where}: the schema does not declare it",
                f"did you mean `{near}`?",
            )
            return
        before = len(self.diagnostics)
        self._error_at_name(
            node,
            name,
            f"field `{name}` of {where} is not declared in the schema",
            "rules reading it are not type-checked; declare it in the schema if it is meant",
        )
        self.warnings.append(self.diagnostics.pop(before))

    def _error_at_name(self, node: Node, name: str, message: str, hint: str | None = None) -> None:
        span = node.span
        if isinstance(node, Member) and span.end - span.start >= len(name):
            offset = span.end - len(name)
            self.error(
                node,
                message,
                hint,
                start=offset,
                column=span.column + (offset - span.start),
                end=span.end,
            )
        else:
            self.error(node, message, hint)

    def _member(self, node: Member) -> Type:
        t = self.check(node.obj)
        return self._field(node, T.strip_null(t), node.name, node.obj)

    def _index(self, node: Index) -> Type:
        t = T.strip_null(self.check(node.obj))
        k = self.check(node.index)
        if t.kind == "list":
            if not k.is_any and k.kind != "number":
                self.error(node.index, f"a list index must be a number, found {k}")
            return t.elem or T.ANY
        if T.is_mapping(t):
            if not k.is_any and k.kind != "string":
                self.error(node.index, f"a map key must be a string, found {k}")
                return T.ANY
            if isinstance(node.index, Literal) and isinstance(node.index.value, str):
                return self._field(node.index, t, node.index.value, node.obj)
            return t.elem or T.ANY if t.kind == "map" else T.ANY
        if not t.is_any:
            self.error(node.obj, f"cannot index {t}")
        return T.ANY

    def _list_elem(self, node: Node, t: Type, what: str) -> Type:
        t = T.strip_null(t)
        if t.kind == "list":
            return t.elem or T.ANY
        if not t.is_any:
            self.error(node, f"{what} needs a list, found {t}")
        return T.ANY

    # functions ----------------------------------------------------------------------------
    def _call(self, node: Call) -> Type:
        arg_types = [self.check(a) for a in node.args]
        fn = FUNCTIONS.get(node.func)
        if fn is None:
            near = suggest(node.func, sorted(FUNCTIONS))
            self.error(
                node,
                f"unknown function `{node.func}`",
                f"did you mean `{near}`?" if near else "see `docs/language.md` for the list",
                end=node.span.start + len(node.func),
            )
            return T.ANY
        n = len(node.args)
        if not fn.min_args <= n <= fn.max_args:
            want = (
                str(fn.min_args)
                if fn.min_args == fn.max_args
                else f"{fn.min_args} to {fn.max_args}"
            )
            self.error(
                node,
                f"{fn.name}() takes {want} argument{'s' if fn.max_args != 1 else ''}, found {n}",
                f"signature: {fn.signature}",
                end=node.span.start + len(node.func),
            )
            return fn.type_rule([T.ANY] * fn.max_args, Checker(lambda i, m, h: None))

        def report(i: int | None, message: str, hint: str | None) -> None:
            target = node.args[i] if i is not None and i < n else node
            self.error(target, f"{fn.name}(): {message}", hint or f"signature: {fn.signature}")

        padded = [T.strip_null(t) for t in arg_types]
        result = fn.type_rule(padded, Checker(report))
        if fn.name == "matches" and n == 2:
            self._check_pattern(node.args[1])
        return result

    def _check_pattern(self, node: Node) -> None:
        if isinstance(node, Literal) and isinstance(node.value, str):
            try:
                ops.compile_pattern(node.value)
            except ValueError as exc:
                msg = str(exc)
                self.error(
                    node,
                    f"invalid regular expression {display(node.value)}: {msg}",
                    "patterns use RE2 syntax: no backreferences or look-around",
                )

    # operators ----------------------------------------------------------------------------
    def _want_bool(self, node: Node, what: str) -> None:
        t = self.check(node)
        if not t.is_any and t.kind != "bool":
            hint = None
            if t.kind in ("string", "list", "map", "record") or t.nullable:
                hint = "there is no truthiness: write `exists(x)`, `not blank(x)` or a comparison"
            self.error(node, f"{what} must be a bool, found {t}", hint)
        elif t.kind == "bool" and t.nullable:
            # A schema field that may be null (a template's blank) would be a run-time
            # error on null: say so now, while the pack loads.
            self.error(
                node,
                f"{what} may be null (the schema allows a blank here)",
                "write `x == true`, `x != false` or `x ?? false` to say what a blank means",
            )

    def _binary(self, node: Binary) -> Type:
        op = node.op
        if op in ("and", "or", "implies"):
            self._want_bool(node.left, f"the left side of `{op}`")
            self._want_bool(node.right, f"the right side of `{op}`")
            return T.BOOL
        left = self.check(node.left)
        right = self.check(node.right)
        if op == "??":
            return T.join(T.strip_null(left), right)
        a, b = T.strip_null(left), T.strip_null(right)
        if a.is_any or b.is_any:
            return _arith_guess(op, a, b)
        result = _arith_type(op, a, b)
        if result is None:
            self._arith_error(node, op, a, b)
            return T.ANY
        return result

    def _arith_error(self, node: Binary, op: str, a: Type, b: Type) -> None:
        hint = None
        if a.kind == "duration" and b.kind == "duration":
            message = f"cannot {_ARITH_WHAT[op]} {a} and {b}"
            hint = "months, days and working days do not convert into each other"
        elif a.kind == "money" and b.kind == "money" and op != "*":
            message = f"cannot {_ARITH_WHAT[op]} {a} and {b}: currencies differ"
        elif a.kind in ("duration", "money") and b.kind == "number" and op in "+-":
            message = f"expected {a.kind} on the right of `{op}`, found number"
            hint = _literal_hint(node.right, a)
            self.error(node.right, message, hint)
            return
        elif b.kind in ("duration", "money") and a.kind == "number" and op in "+-":
            message = f"expected {b.kind} on the left of `{op}`, found number"
            hint = _literal_hint(node.left, b)
            self.error(node.left, message, hint)
            return
        else:
            message = f"cannot {_ARITH_WHAT[op]} {a} and {b}"
        self.error(node, message, hint)

    def _compare(self, node: Compare) -> Type:
        types = [self.check(o) for o in node.operands]
        for i, op in enumerate(node.ops):
            left_node, right_node = node.operands[i], node.operands[i + 1]
            a, b = T.strip_null(types[i]), T.strip_null(types[i + 1])
            if op in ("==", "!="):
                self._check_eq(op, left_node, right_node, types[i], types[i + 1])
            elif op in ("<", "<=", ">", ">="):
                self._check_order(op, left_node, right_node, a, b)
            elif op in ("in", "not in"):
                self._check_in(op, left_node, right_node, a, b)
            elif op == "matches":
                for side, t, n in (("left", a, left_node), ("right", b, right_node)):
                    if not t.is_any and t.kind != "string":
                        self.error(n, f"expected a string on the {side} of `matches`, found {t}")
                self._check_pattern(right_node)
        return T.BOOL

    def _check_eq(self, op: str, ln: Node, rn: Node, a: Type, b: Type) -> None:
        if a.kind == "null" or b.kind == "null":
            return
        a, b = T.strip_null(a), T.strip_null(b)
        if not T.same_kind(a, b):
            self._mismatch(op, ln, rn, a, b)
            return
        self._check_enum_literal(a, rn)
        self._check_enum_literal(b, ln)

    def _check_enum_literal(self, enum_t: Type, lit: Node) -> None:
        if (
            enum_t.enum
            and isinstance(lit, Literal)
            and isinstance(lit.value, str)
            and lit.value not in enum_t.enum
        ):
            allowed = [str(e) for e in enum_t.enum]
            near = suggest(lit.value, allowed)
            self.error(
                lit,
                f"{display(lit.value)} is not one of the values the schema "
                f"allows here ({', '.join(display(e) for e in allowed[:8])})",
                f"did you mean {display(near)}?" if near else None,
            )

    def _check_order(self, op: str, ln: Node, rn: Node, a: Type, b: Type) -> None:
        for t, n in ((a, ln), (b, rn)):
            if not t.is_any and t.kind not in ("number", "string", "date", "duration", "money"):
                self.error(n, f"`{op}` needs values with an order, found {t}")
                return
        if not T.same_kind(a, b):
            self._mismatch(op, ln, rn, a, b)

    def _mismatch(self, op: str, ln: Node, rn: Node, a: Type, b: Type) -> None:
        # Blame the literal side when there is one: that is what the author mistyped.
        if isinstance(rn, Literal) or not isinstance(ln, Literal):
            expected, found, side, node = a, b, "right", rn
        else:
            expected, found, side, node = b, a, "left", ln
        if expected.kind == found.kind == "duration":
            self.error(
                node,
                f"cannot compare {expected} with {found} using `{op}`",
                "months, days and working days do not convert into each other",
            )
            return
        if expected.kind == found.kind == "money":
            self.error(
                node, f"cannot compare {expected} with {found} using `{op}`: currencies differ"
            )
            return
        self.error(
            node,
            f"expected {_article(expected)} on the {side} of `{op}`, found {found}",
            _literal_hint(node, expected),
        )

    def _check_in(self, op: str, ln: Node, rn: Node, a: Type, b: Type) -> None:
        if b.is_any:
            return
        if b.kind == "list":
            e = b.elem or T.ANY
            if not T.same_kind(a, T.strip_null(e)):
                self.error(
                    ln,
                    f"`{op}` a list of {e} needs {_article(e)} on the left, found {a}",
                    _literal_hint(ln, e),
                )
            elif a.enum and isinstance(rn, ListLit):
                # `method in ["arbitraton", "litigation"]`: each literal must be allowed.
                for item in rn.items:
                    self._check_enum_literal(a, item)
        elif T.is_mapping(b):
            if not a.is_any and a.kind != "string":
                self.error(ln, f"`{op}` a map tests a key: needs a string on the left, found {a}")
        elif b.kind == "string":
            if not a.is_any and a.kind != "string":
                self.error(
                    ln, f"`{op}` a string tests a substring: needs a string on the left, found {a}"
                )
        else:
            self.error(rn, f"`{op}` needs a list, a map or a string on the right, found {b}")


def _article(t: Type) -> str:
    s = str(t)
    if t.kind in ("money", "list", "map", "record"):
        return s
    return ("an " if s[0] in "aeiou" else "a ") + s


def _literal_type(node: Literal) -> Type:
    v = node.value
    if node.kind == "duration" and isinstance(v, Duration):
        return T.duration(v.family)
    if node.kind == "money" and isinstance(v, Money):
        return T.money(v.currency)
    return {"number": T.NUMBER, "string": T.STRING, "bool": T.BOOL, "null": T.NULL, "date": T.DATE}[
        node.kind
    ]


def _literal_hint(node: Node, expected: Type) -> str | None:
    """For a number literal where a quantity was expected: how to write the quantity."""
    if not (isinstance(node, Literal) and node.kind == "number"):
        if (
            isinstance(node, Literal)
            and node.kind == "string"
            and expected.kind in ("duration", "money", "date")
        ):
            return f"write a {expected.kind} literal, or convert with {expected.kind}(…)"
        return None
    n = display(node.value)
    if expected.kind == "duration":
        unit = {"months": "years", "days": "days", "working_days": "working days"}.get(
            expected.family or "months", "years"
        )
        return f"write `{n} {unit}`"
    if expected.kind == "money":
        return f"write `{expected.currency or 'CNY'} {n}`"
    return None


def _arith_type(op: str, a: Type, b: Type) -> Type | None:
    ka, kb = a.kind, b.kind
    if ka == kb == "number":
        return T.NUMBER
    if op in "+-":
        if ka == kb == "string" and op == "+":
            return T.STRING
        if ka == kb == "list" and op == "+":
            return T.list_of(T.join(a.elem or T.ANY, b.elem or T.ANY))
        if ka == kb == "money":
            return a if not (a.currency and b.currency and a.currency != b.currency) else None
        if ka == kb == "duration":
            return a if not (a.family and b.family and a.family != b.family) else None
        if ka == "date" and kb == "duration":
            return T.DATE
        if ka == "duration" and kb == "date" and op == "+":
            return T.DATE
        if ka == kb == "date" and op == "-":
            return T.duration("days")
        return None
    if op == "*":
        if ka in ("money", "duration") and kb == "number":
            return a
        if kb in ("money", "duration") and ka == "number":
            return b
        return None
    if ka in ("money", "duration") and kb == "number":
        return a
    if ka == kb == "money":
        return T.NUMBER if not (a.currency and b.currency and a.currency != b.currency) else None
    if ka == kb == "duration":
        return T.NUMBER if not (a.family and b.family and a.family != b.family) else None
    return None


def _arith_guess(op: str, a: Type, b: Type) -> Type:
    """The result type when one side is unknown: what it must be if the expression works."""
    known = b if a.is_any else a
    if known.is_any:
        return T.ANY
    if op in "+-" and known.kind in ("number", "money", "duration", "string"):
        return T.ANY if known.kind == "duration" and op == "-" else known
    return T.ANY
