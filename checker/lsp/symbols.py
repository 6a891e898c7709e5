"""What names in an expression stand for: data paths of nodes, schema fields, units, currencies."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Final

from ..fastclass import dataclass
from ..inputs.loader import Position, load_file
from ..lang import types
from ..lang.nodes import (
    Current,
    Element,
    Filter,
    Index,
    Literal,
    Member,
    Name,
    Node,
    Project,
    Quant,
)
from ..lang.values import CURRENCIES

Names = tuple[str, ...]
"""A field path from the contract's root, lists left out: `payment.installments[*].percent`
is ("payment", "installments", "percent")."""

UNITS: Final = (
    ("years", "duration in years (the months family: 1 year = 12 months)"),
    ("months", "duration in months (the months family)"),
    ("weeks", "duration in weeks (the days family: 1 week = 7 days)"),
    ("days", "duration in calendar days (the days family)"),
    ("working days", "duration in working days (its own family)"),
)

CURRENCY_CODES: Final = tuple(sorted(CURRENCIES))

ROOTS: Final = ("params", "contract")


@dataclass(frozen=True)
class Context:
    """What the implicit names mean where a node stands: `@`, a projection's element, and
    the variables of enclosing quantifiers (each maps to the field path it ranges over)."""

    current: Names | None = None
    element: Names | None = None
    variables: Mapping[str, Names | None] = dataclasses.field(default_factory=dict)


def names_of(node: Node, ctx: Context, lets: Mapping[str, Names | None]) -> Names | None:
    """The field path a path expression reads, or None when it is not a path of the data."""
    if isinstance(node, Name):
        if node.name in ctx.variables:
            return ctx.variables[node.name]
        if node.name in lets:
            return lets[node.name]
        if node.name == "contract":
            return ()
        if node.name == "params":
            return None
        return (node.name,)
    if isinstance(node, Member):
        base = names_of(node.obj, ctx, lets)
        return None if base is None else (*base, node.name)
    if isinstance(node, Index):
        base = names_of(node.obj, ctx, lets)
        if base is None:
            return None
        if isinstance(node.index, Literal) and isinstance(node.index.value, str):
            return (*base, node.index.value)
        return base
    if isinstance(node, Project):
        source = names_of(node.source, ctx, lets)
        return names_of(node.body, dataclasses.replace(ctx, element=source), lets)
    if isinstance(node, Filter):
        return names_of(node.source, ctx, lets)
    if isinstance(node, Element):
        return ctx.element
    if isinstance(node, Current):
        return ctx.current
    return None


def _children(
    node: Node, ctx: Context, lets: Mapping[str, Names | None]
) -> Iterator[tuple[Node, Context]]:
    """The child nodes with the context each is read in."""
    if isinstance(node, Project):
        yield node.source, ctx
        yield node.body, dataclasses.replace(ctx, element=names_of(node.source, ctx, lets))
        return
    if isinstance(node, Filter):
        yield node.source, ctx
        yield node.cond, dataclasses.replace(ctx, current=names_of(node.source, ctx, lets))
        return
    if isinstance(node, Quant):
        yield node.source, ctx
        bound = {**ctx.variables, node.var: names_of(node.source, ctx, lets)}
        yield node.body, dataclasses.replace(ctx, variables=bound)
        return
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        if isinstance(value, Node):
            yield value, ctx
        elif isinstance(value, tuple):
            yield from ((v, ctx) for v in value if isinstance(v, Node))


def node_at(
    root: Node, offset: int, lets: Mapping[str, Names | None], ctx: Context | None = None
) -> tuple[Node, Context] | None:
    """The innermost node whose span holds `offset` (0-based), with its context. Children
    are searched even outside their parent's span: a projection's span ends at `[*]`, the
    path read from each element goes on past it."""
    ctx = ctx or Context()
    for child, child_ctx in _children(root, ctx, lets):
        found = node_at(child, offset, lets, child_ctx)
        if found is not None:
            return found
    span = root.span
    return (root, ctx) if span.start <= offset <= span.end else None


# -- the contract schema ------------------------------------------------------------------


@dataclass(frozen=True)
class SchemaField:
    """A field of the contract schema: its description and where it is declared."""

    description: str | None
    pointer: tuple[str | int, ...]  # the declaring `properties` entry, in the schema file
    enum: tuple[object, ...] = ()


class SchemaNav:
    """Walks a contract JSON Schema along field paths (through `$ref`, combinators and
    array `items`) to a field's declaration."""

    def __init__(self, schema: Mapping[str, Any], file: Path | None) -> None:
        self.root = schema
        self.file = file
        self._positions: dict[tuple[str | int, ...], Position] | None = None

    def _resolve(
        self, node: Any, pointer: tuple[str | int, ...], depth: int = 0
    ) -> Iterator[tuple[Mapping[str, Any], tuple[str | int, ...]]]:
        """The node, its combinator branches and what its `$ref` names (a description
        beside a `$ref` comes first), each with its pointer in the schema."""
        if not isinstance(node, Mapping) or depth > 32:
            return
        yield node, pointer
        for combo in ("allOf", "anyOf", "oneOf"):
            for i, branch in enumerate(node.get(combo) or []):
                yield from self._resolve(branch, (*pointer, combo, i), depth + 1)
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#"):
            target: Any = self.root
            at: tuple[str | int, ...] = ()
            for part in ref[1:].split("/"):
                if part:
                    key = part.replace("~1", "/").replace("~0", "~")
                    target = target.get(key, {}) if isinstance(target, Mapping) else {}
                    at = (*at, key)
            yield from self._resolve(target, at, depth + 1)

    def _step(
        self, node: Mapping[str, Any], pointer: tuple[str | int, ...], name: str
    ) -> tuple[Mapping[str, Any], tuple[str | int, ...]] | None:
        for sub, at in self._resolve(node, pointer):
            props = sub.get("properties")
            if isinstance(props, Mapping) and name in props:
                return props[name], (*at, "properties", name)
            items = sub.get("items")
            if isinstance(items, Mapping):
                found = self._step(items, (*at, "items"), name)
                if found is not None:
                    return found
        return None

    def field(self, names: Names) -> SchemaField | None:
        """The declaration of the field at `names`, None when the schema does not name it."""
        if not names:
            return None
        node: Mapping[str, Any] = self.root
        pointer: tuple[str | int, ...] = ()
        for name in names:
            found = self._step(node, pointer, name)
            if found is None:
                return None
            node, pointer = found
        description: str | None = None
        enum: tuple[object, ...] = ()
        for sub, _ in self._resolve(node, pointer):
            if description is None and isinstance(sub.get("description"), str):
                description = str(sub["description"])
            if not enum and isinstance(sub.get("enum"), list):
                enum = tuple(sub["enum"])
        return SchemaField(description, pointer, enum)

    def position(self, pointer: tuple[str | int, ...]) -> Position | None:
        """Where the key of a schema entry is written in the schema file."""
        if self.file is None:
            return None
        if self._positions is None:
            loaded = load_file(self.file)
            self._positions = {**loaded.positions, **loaded.key_positions}
        return self._positions.get(pointer)


def field_type(data: types.Type, names: Names) -> types.Type | None:
    """The static type of the field at `names` (lists stepped through), None if unknown."""
    t = data
    for name in names:
        t = types.strip_null(t)
        while t.kind == "list" and t.elem is not None:
            t = types.strip_null(t.elem)
        if t.kind != "record":
            return None
        found = t.field(name)
        if found is None:
            return None
        t = found
    return t
