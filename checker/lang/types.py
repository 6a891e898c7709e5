"""Static types of the rule language, and how a contract JSON Schema maps onto them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Final, Literal

from ..fastclass import dataclass
from .values import Family

Kind = Literal[
    "any", "bool", "number", "string", "null", "date", "duration", "money", "list", "map", "record"
]


@dataclass(frozen=True, slots=True)
class Type:
    """A static type. `any` is unknown (data without a schema) and fits everywhere.

    `record` is a map whose keys the schema names: reading an unnamed key is an error when
    `closed`. `nullable` marks values that may be an explicit null.
    """

    kind: Kind
    family: Family | None = None
    currency: str | None = None
    elem: Type | None = None
    fields: tuple[tuple[str, Type], ...] | None = None
    closed: bool = False
    enum: tuple[object, ...] | None = None
    nullable: bool = False

    def __str__(self) -> str:
        if self.kind == "duration" and self.family:
            return {
                "months": "duration (years/months)",
                "days": "duration (days)",
                "working_days": "duration (working days)",
            }[self.family]
        if self.kind == "money" and self.currency:
            return f"money ({self.currency})"
        if self.kind == "list" and self.elem is not None and self.elem.kind != "any":
            return f"list of {self.elem}"
        if self.kind == "record":
            return "map"
        return self.kind

    def field(self, name: str) -> Type | None:
        """The type of a record's field, or None when the record does not name it."""
        for k, t in self.fields or ():
            if k == name:
                return t
        return None

    def field_names(self) -> list[str]:
        return [k for k, _ in self.fields or ()]

    @property
    def is_any(self) -> bool:
        return self.kind == "any"


ANY: Final = Type("any")
BOOL: Final = Type("bool")
NUMBER: Final = Type("number")
STRING: Final = Type("string")
NULL: Final = Type("null")
DATE: Final = Type("date")
DURATION: Final = Type("duration")
MONEY: Final = Type("money")
LIST: Final = Type("list", elem=ANY)
MAP: Final = Type("map", elem=ANY)


def list_of(t: Type) -> Type:
    return Type("list", elem=t)


def duration(family: Family | None) -> Type:
    return Type("duration", family=family)


def money(currency: str | None) -> Type:
    return Type("money", currency=currency)


def is_mapping(t: Type) -> bool:
    return t.kind in ("map", "record")


def strip_null(t: Type) -> Type:
    return replace(t, nullable=False) if t.nullable else t


def same_kind(a: Type, b: Type) -> bool:
    """True when values of the two types may meet in `==` without a type error."""
    if a.is_any or b.is_any or a.kind == "null" or b.kind == "null":
        return True
    if is_mapping(a) and is_mapping(b):
        return True
    if a.kind != b.kind:
        return False
    if a.kind == "duration" and a.family and b.family and a.family != b.family:
        return False
    return not (a.kind == "money" and a.currency and b.currency and a.currency != b.currency)


def join(a: Type, b: Type) -> Type:
    """The type of a value that is either an `a` or a `b` (branches of `if`, `??`, list items)."""
    if a.kind == "null":
        return replace(b, nullable=True) if b.kind != "null" else b
    if b.kind == "null":
        return replace(a, nullable=True)
    if a == b:
        return a
    if a.kind != b.kind:
        if is_mapping(a) and is_mapping(b):
            return MAP
        return ANY
    if a.kind == "list":
        return list_of(join(a.elem or ANY, b.elem or ANY))
    if a.kind == "duration":
        return duration(a.family if a.family == b.family else None)
    if a.kind == "money":
        return money(a.currency if a.currency == b.currency else None)
    return Type(a.kind, nullable=a.nullable or b.nullable)


# -- contract schema → types ----------------------------------------------------------------

_X_TYPES: Final[dict[str, Type]] = {"duration": DURATION, "money": MONEY, "date": DATE}


class SchemaTyper:
    """Reads a JSON Schema (2020-12, with `x-type`) as the static type of contract data.

    Handles `$ref` to local `$defs`/`definitions`, `type` (also lists), `enum`, `const`,
    `properties` with `additionalProperties: false` (closed records), `items`, and
    `anyOf`/`oneOf`/`allOf` by joining or merging their branches.
    """

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.root = schema
        self._cache: dict[int, Type] = {}
        self._busy: set[int] = set()

    def type_of(self, schema: Any = None) -> Type:
        node = self.root if schema is None else schema
        if not isinstance(node, Mapping):
            return ANY
        key = id(node)
        if key in self._cache:
            return self._cache[key]
        if key in self._busy:  # a recursive schema: the inner occurrence is left open
            return ANY
        self._busy.add(key)
        try:
            t = self._compute(node)
        finally:
            self._busy.discard(key)
        self._cache[key] = t
        return t

    def _resolve(self, ref: str) -> Any:
        if not ref.startswith("#"):
            return None
        node: Any = self.root
        for part in ref[1:].split("/"):
            if not part:
                continue
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, Mapping) or part not in node:
                return None
            node = node[part]
        return node

    def _compute(self, node: Mapping[str, Any]) -> Type:
        if "$ref" in node:
            target = self._resolve(str(node["$ref"]))
            base = self.type_of(target) if target is not None else ANY
            rest = {k: v for k, v in node.items() if k not in ("$ref", "description", "title")}
            if not rest:
                return base
            return _merge(base, self._compute(rest))
        x_type = node.get("x-type")
        if isinstance(x_type, str) and x_type in _X_TYPES:
            return replace(_X_TYPES[x_type], nullable=_allows_null(node))
        if node.get("format") == "date":
            return replace(DATE, nullable=_allows_null(node))
        for combo in ("anyOf", "oneOf"):
            if isinstance(node.get(combo), list):
                types = [self.type_of(b) for b in node[combo]]
                out = types[0] if types else ANY
                for t in types[1:]:
                    out = join(out, t)
                return out
        if isinstance(node.get("allOf"), list):
            out = ANY
            for b in node["allOf"]:
                out = _merge(out, self.type_of(b))
            return out
        if "const" in node:
            return _value_type(node["const"], (node["const"],))
        if isinstance(node.get("enum"), list):
            values = tuple(node["enum"])
            t = ANY
            for v in values:
                t = _value_type(v, None) if t.is_any else join(t, _value_type(v, None))
            if t.kind == "string":
                return replace(t, enum=tuple(v for v in values if isinstance(v, str)))
            return t
        kinds = node.get("type")
        nullable = False
        if isinstance(kinds, list):
            nullable = "null" in kinds
            kinds = [k for k in kinds if k != "null"]
            kinds = kinds[0] if len(kinds) == 1 else (None if not kinds else "mixed")
        if kinds == "object" or (kinds is None and "properties" in node):
            props = node.get("properties") or {}
            fields = tuple((str(k), self.type_of(v)) for k, v in props.items())
            closed = node.get("additionalProperties") is False or (
                node.get("unevaluatedProperties") is False
            )
            if not props and isinstance(node.get("additionalProperties"), Mapping):
                return Type(
                    "map", elem=self.type_of(node["additionalProperties"]), nullable=nullable
                )
            return Type("record", fields=fields, closed=closed, nullable=nullable)
        if kinds == "array" or (kinds is None and "items" in node):
            return Type("list", elem=self.type_of(node.get("items")), nullable=nullable)
        simple = {
            "string": STRING,
            "number": NUMBER,
            "integer": NUMBER,
            "boolean": BOOL,
            "null": NULL,
        }
        if isinstance(kinds, str) and kinds in simple:
            return replace(simple[kinds], nullable=nullable) if kinds != "null" else NULL
        return ANY


def _allows_null(node: Mapping[str, Any]) -> bool:
    kinds = node.get("type")
    return isinstance(kinds, list) and "null" in kinds


def _merge(a: Type, b: Type) -> Type:
    """Both at once (`allOf`): records merge their fields; otherwise the more precise wins."""
    if a.is_any:
        return b
    if b.is_any:
        return a
    if a.kind == "record" and b.kind == "record":
        fields = dict(a.fields or ())
        fields.update(dict(b.fields or ()))
        return Type("record", fields=tuple(fields.items()), closed=a.closed or b.closed)
    return b


def _value_type(v: object, enum: tuple[object, ...] | None) -> Type:
    if v is None:
        return NULL
    if isinstance(v, bool):
        return BOOL
    if isinstance(v, int | float):
        return NUMBER
    if isinstance(v, str):
        return Type("string", enum=enum)
    if isinstance(v, list):
        return LIST
    if isinstance(v, dict):
        return MAP
    return ANY


def param_type(name: str) -> Type | None:
    """The type named in a pack parameter declaration (`type: duration`), or None."""
    table = {
        "bool": BOOL,
        "boolean": BOOL,
        "number": NUMBER,
        "integer": NUMBER,
        "string": STRING,
        "date": DATE,
        "duration": DURATION,
        "money": MONEY,
        "list": LIST,
        "map": MAP,
        "any": ANY,
    }
    if name.startswith("list<") and name.endswith(">"):
        inner = param_type(name[5:-1])
        return list_of(inner) if inner else None
    return table.get(name)
