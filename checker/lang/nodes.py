"""The syntax tree of the rule language: frozen dataclasses carrying their source span, and `unparse`."""

from __future__ import annotations

import re
from typing import Final

from ..fastclass import dataclass, field
from .values import display

KEYWORDS: Final[frozenset[str]] = frozenset(
    {
        "if",
        "then",
        "else",
        "all",
        "any",
        "none",
        "in",
        "implies",
        "or",
        "and",
        "not",
        "matches",
        "true",
        "false",
        "null",
    }
)
_IDENT = re.compile(r"(?!\d)\w+\Z")


@dataclass(frozen=True, slots=True)
class Span:
    """Where a node stands in the expression text: 0-based offsets, 1-based line and column."""

    start: int
    end: int
    line: int
    column: int


NO_SPAN: Final = Span(0, 0, 1, 1)


@dataclass(frozen=True, slots=True)
class Node:
    """Base of all nodes; the span takes no part in equality, so trees compare by shape."""

    span: Span = field(default=NO_SPAN, compare=False, repr=False, kw_only=True)


_SLOT_NAMES: Final[dict[str, tuple[str, ...]]] = {}


def _slot_names(cls: type) -> tuple[str, ...]:
    """Every slot of a node class, base classes first (memoised by class name)."""
    names = _SLOT_NAMES.get(cls.__qualname__)
    if names is None:
        names = tuple(n for klass in reversed(cls.__mro__) for n in getattr(klass, "__slots__", ()))
        _SLOT_NAMES[cls.__qualname__] = names
    return names


@dataclass(frozen=True, slots=True)
class Literal(Node):
    """A constant: kind is number, string, bool, null, date, duration or money."""

    kind: str
    value: object


@dataclass(frozen=True, slots=True)
class ListLit(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Name(Node):
    """A bare name: quantifier variable, `let` name, `params`, `contract`, or a top-level data key."""

    name: str


@dataclass(frozen=True, slots=True)
class Current(Node):
    """`@`: the element a filter is looking at."""


@dataclass(frozen=True, slots=True)
class Element(Node):
    """The implicit element inside a projection body (`xs[*].a` is Project(xs, Member(Element, a)))."""


@dataclass(frozen=True, slots=True)
class Member(Node):
    obj: Node
    name: str


@dataclass(frozen=True, slots=True)
class Index(Node):
    obj: Node
    index: Node


@dataclass(frozen=True, slots=True)
class Project(Node):
    """`source[*]` followed by the rest of the path, applied to every element."""

    source: Node
    body: Node


@dataclass(frozen=True, slots=True)
class Filter(Node):
    """`source[? cond]`: the elements for which cond (over `@`) is true."""

    source: Node
    cond: Node


@dataclass(frozen=True, slots=True)
class Call(Node):
    func: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Unary(Node):
    """`not x` or `-x`."""

    op: str
    operand: Node


@dataclass(frozen=True, slots=True)
class Binary(Node):
    """Arithmetic `+ - * /`, `??`, and the logical `and`, `or`, `implies`."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Compare(Node):
    """A comparison chain: operands[0] ops[0] operands[1] ops[1] operands[2] ..."""

    operands: tuple[Node, ...]
    ops: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class If(Node):
    cond: Node
    then: Node
    orelse: Node


@dataclass(frozen=True, slots=True)
class Quant(Node):
    """`all|any|none var in source: body`."""

    kind: str
    var: str
    source: Node
    body: Node


def _getstate(self: Node) -> tuple[object, ...]:
    return tuple(getattr(self, name) for name in _slot_names(type(self)))


def _setstate(self: Node, state: tuple[object, ...]) -> None:
    for name, value in zip(_slot_names(type(self)), state, strict=True):
        object.__setattr__(self, name, value)


# Trees are pickled into the parse cache. The pickling that `dataclass(slots=True)` gives
# every class lists the fields of each node again as it loads; a tuple of slot values in a
# fixed order per class reads back several times faster. Installed on every node class
# (each slotted dataclass defines its own pair, so the base class's would not be used).
for _cls in (Node, *Node.__subclasses__()):
    setattr(_cls, "__getstate__", _getstate)  # noqa: B010 - replacing generated methods
    setattr(_cls, "__setstate__", _setstate)  # noqa: B010


# Every node has a span: the generic dataclass pickling listed its four fields again for
# each of them (a third of reading the parse cache).
def _span_getstate(self: Span) -> tuple[int, int, int, int]:
    return (self.start, self.end, self.line, self.column)


def _span_setstate(self: Span, state: tuple[int, int, int, int]) -> None:
    start, end, line, column = state
    object.__setattr__(self, "start", start)
    object.__setattr__(self, "end", end)
    object.__setattr__(self, "line", line)
    object.__setattr__(self, "column", column)


setattr(Span, "__getstate__", _span_getstate)  # noqa: B010
setattr(Span, "__setstate__", _span_setstate)  # noqa: B010


# Binding strength of each form, as in the grammar: higher binds tighter.
_LEVEL: Final[dict[str, int]] = {
    "if": 1,
    "quant": 1,
    "implies": 2,
    "or": 3,
    "and": 4,
    "not": 5,
    "compare": 6,
    "??": 7,
    "+": 8,
    "-": 8,
    "*": 9,
    "/": 9,
    "neg": 10,
    "postfix": 11,
    "atom": 12,
}


def level(node: Node) -> int:
    """The precedence level of the form a node prints as."""
    if isinstance(node, If | Quant):
        return _LEVEL["if"]
    if isinstance(node, Binary):
        return _LEVEL[node.op]
    if isinstance(node, Unary):
        return _LEVEL["not"] if node.op == "not" else _LEVEL["neg"]
    if isinstance(node, Compare):
        return _LEVEL["compare"]
    if isinstance(node, Member | Index | Project | Filter | Call):
        return _LEVEL["postfix"]
    if isinstance(node, Literal) and node.kind in ("duration", "money"):
        return _LEVEL["postfix"]  # `3 years.x` would not read back; group them like postfix
    if isinstance(node, Literal) and node.kind == "number" and str(node.value).startswith("-"):
        return _LEVEL["neg"]
    return _LEVEL["atom"]


def is_path(node: Node, root: type[Node] | None = None) -> bool:
    """Whether the node is `.name` and `[literal]` steps from a name, `@` or `[*]` item (of
    type `root` when given): a path that reads data without computing anything."""
    while isinstance(node, Member | Index):
        if isinstance(node, Index) and not (
            isinstance(node.index, Literal)
            and (node.index.kind == "string" or type(node.index.value) is int)
        ):
            return False
        node = node.obj
    return isinstance(node, root or (Name, Current, Element))


def is_plain_name(name: str) -> bool:
    """True when `name` can be written bare (`a.name`), not only as `a["name"]`."""
    return bool(_IDENT.match(name)) and name not in KEYWORDS


def quote(text: str) -> str:
    """A string literal that reads back as `text`."""
    out = ['"']
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or ch in "\u2028\u2029\x7f":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def unparse(node: Node) -> str:
    """Source text for a tree; parsing it gives an equal tree (spans aside)."""
    return _Printer().expr(node)


class _Printer:
    def wrap(self, node: Node, min_level: int) -> str:
        text = self.expr(node)
        return f"({text})" if level(node) < min_level else text

    def postfix_base(self, node: Node) -> str:
        # A projection or a filter followed by more path must be parenthesised to stop the
        # path from extending the projection body.
        if isinstance(node, Project):
            return f"({self.expr(node)})"
        return self.wrap(node, _LEVEL["postfix"])

    def expr(self, node: Node) -> str:
        if isinstance(node, Literal):
            return self.literal(node)
        if isinstance(node, ListLit):
            return "[" + ", ".join(self.expr(i) for i in node.items) + "]"
        if isinstance(node, Name):
            return node.name
        if isinstance(node, Current):
            return "@"
        if isinstance(node, Element):
            return ""
        if isinstance(node, Member):
            base = self.path_base(node.obj)
            if is_plain_name(node.name):
                return f"{base}.{node.name}"
            return f"{base}[{quote(node.name)}]"
        if isinstance(node, Index):
            return f"{self.path_base(node.obj)}[{self.expr(node.index)}]"
        if isinstance(node, Project):
            return f"{self.path_base(node.source)}[*]{self.expr(node.body)}"
        if isinstance(node, Filter):
            return f"{self.path_base(node.source)}[? {self.expr(node.cond)}]"
        if isinstance(node, Call):
            return f"{node.func}(" + ", ".join(self.expr(a) for a in node.args) + ")"
        if isinstance(node, Unary):
            if node.op == "not":
                return f"not {self.wrap(node.operand, _LEVEL['not'])}"
            return f"-{self.wrap(node.operand, _LEVEL['neg'])}"
        if isinstance(node, Binary):
            lvl = _LEVEL[node.op]
            if node.op in ("implies", "??"):  # right-associative
                return f"{self.wrap(node.left, lvl + 1)} {node.op} {self.wrap(node.right, lvl)}"
            return f"{self.wrap(node.left, lvl)} {node.op} {self.wrap(node.right, lvl + 1)}"
        if isinstance(node, Compare):
            parts = [self.wrap(node.operands[0], _LEVEL["??"])]
            for op, operand in zip(node.ops, node.operands[1:], strict=True):
                parts.append(f" {op} {self.wrap(operand, _LEVEL['??'])}")
            return "".join(parts)
        if isinstance(node, If):
            return (
                f"if {self.expr(node.cond)} then {self.expr(node.then)} "
                f"else {self.expr(node.orelse)}"
            )
        if isinstance(node, Quant):
            return (
                f"{node.kind} {node.var} in {self.wrap(node.source, _LEVEL['??'])}: "
                f"{self.expr(node.body)}"
            )
        raise TypeError(f"not a node: {node!r}")

    def path_base(self, node: Node) -> str:
        if isinstance(node, Element):
            return ""
        return self.postfix_base(node)

    def literal(self, node: Literal) -> str:
        if node.kind == "string":
            assert isinstance(node.value, str)
            return quote(node.value)
        return display(node.value)
