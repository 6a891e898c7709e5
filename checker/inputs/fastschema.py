"""A compiled yes/no check of valid data (jsonschema-rs); jsonschema explains invalid data."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Final

from ..lang.ops import MAX_MATCH_INPUT, compile_pattern
from .schemare import SUBSCHEMA_LISTS, SUBSCHEMA_MAPS, SUBSCHEMA_ONE

try:  # optional: where no wheel exists, every file goes through jsonschema (same results)
    import jsonschema_rs
except ImportError:  # pragma: no cover - depends on the platform
    jsonschema_rs = None  # type: ignore[assignment]

ENABLED: bool = jsonschema_rs is not None
"""Whether the compiled check is used; tests turn it off to run the pure-Python path."""

_RE2_KEYWORD: Final = "x-contract-checker-re2-pattern"

# Where a schema holds subschemas, as schemare walks them; `patternProperties` schemas are
# left to jsonschema (RE2 decides their keys), so they are not compiled here.
_MAPS: Final = tuple(k for k in SUBSCHEMA_MAPS if k != "patternProperties")


class _Unsure(Exception):
    """Data the compiled check might judge differently from jsonschema: explain it in full."""


class _Re2Pattern:
    """`pattern` run by RE2 with the same length limit as schemare's keyword, so the
    compiled check accepts exactly the strings jsonschema accepts (Rust's `regex` differs
    from RE2 in details such as Unicode `\\d`)."""

    def __init__(self, parent_schema: Any, value: str, schema_path: Any) -> None:
        self.search = compile_pattern(value).search

    def validate(self, instance: Any) -> None:
        if isinstance(instance, str) and (
            len(instance) > MAX_MATCH_INPUT or self.search(instance) is None
        ):
            raise ValueError("no match")


def _translate(node: Any) -> Any:
    """The schema with every `pattern` keyword renamed to the RE2 keyword; raises _Unsure
    for keywords whose matching the compiled check cannot do as jsonschema does here."""
    if isinstance(node, list):
        return [_translate(x) for x in node]
    if not isinstance(node, Mapping):
        return node
    if "patternProperties" in node or "contentSchema" in node:
        raise _Unsure  # keys matched by RE2 in schemare: no compiled equivalent
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "pattern" and isinstance(value, str):
            out[_RE2_KEYWORD] = value
        elif key in _MAPS and isinstance(value, Mapping):
            out[key] = {k: _translate(v) for k, v in value.items()}
        elif (key in SUBSCHEMA_LISTS and isinstance(value, list)) or key in SUBSCHEMA_ONE:
            out[key] = _translate(value)
        else:
            out[key] = value
    return out


def compile_validity(schema: Mapping[str, Any]) -> Callable[[Any], bool | None] | None:
    """A function telling whether data is valid against `schema` (None: cannot tell), or
    None when the compiled check is off or cannot run this schema.

    jsonschema takes ~3 ms to walk a contract; the compiled check ~0.1 ms. Valid data (the
    common case) then needs no walk at all; invalid data is walked by jsonschema, which
    says where and why.
    """
    if not ENABLED or jsonschema_rs is None:
        return None
    try:
        translated = _translate(schema)
        validator = jsonschema_rs.validator_for(
            translated,
            validate_formats=False,  # as jsonschema without a format checker
            keywords={_RE2_KEYWORD: _Re2Pattern},
            offline=True,  # a remote `$ref` is never fetched (jsonschema fetches none either)
        )
    except Exception:  # a schema it refuses (or an unforeseen error): jsonschema alone
        return None
    is_valid = validator.is_valid

    def check(data: Any) -> bool | None:
        try:
            return bool(is_valid(_plain(data)))
        except Exception:  # _Unsure, or data the compiled check cannot read
            return None

    return check


def _plain(value: Any) -> Any:
    """Loaded data as the compiled check reads it like jsonschema (with the contract
    type checker) does: dates are strings; raises _Unsure for anything it would not."""
    t = type(value)
    if t is dict:
        # Copied only from the first item that changes: most data is used as it is.
        copy: Any = None
        for k, v in value.items():
            if type(k) is not str:
                raise _Unsure
            if type(v) in _AS_IS:
                continue  # most values: told apart here, without a call per value
            p = _plain(v)
            if p is not v:
                if copy is None:
                    copy = dict(value)
                copy[k] = p
        return value if copy is None else copy
    if t is list:
        copy = None
        for i, v in enumerate(value):
            if type(v) in _AS_IS:
                continue
            p = _plain(v)
            if p is not v:
                if copy is None:
                    copy = list(value)
                copy[i] = p
        return value if copy is None else copy
    if t in _AS_IS:
        return value
    if t is Decimal:
        # jsonschema counts no Decimal as an integer; the compiled check counts 1.0 as one.
        if not value.is_finite() or value == value.to_integral_value():
            raise _Unsure
        return value
    if t is _dt.date:
        return value.isoformat()
    raise _Unsure


# The scalars the compiled check reads as jsonschema does, as they are (not subclasses).
_AS_IS: Final = frozenset({str, bool, int, type(None)})
