"""JSON Schema regular expressions run by RE2: the keywords that match, and the load-time check."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Final

from ..lang.ops import MAX_MATCH_INPUT, compile_pattern

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

DataPath = tuple[str | int, ...]

# A contract schema comes with a pack, so it is as untrusted as the pack: jsonschema would
# run its `pattern`s with Python's backtracking `re` (`^(a+)+$` on 40 characters does not
# finish). These keywords match with RE2 instead, with jsonschema's own messages.


def _pattern(validator: Any, patrn: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    from jsonschema.exceptions import ValidationError  # loaded: jsonschema is running

    if not validator.is_type(instance, "string"):
        return
    if len(instance) > MAX_MATCH_INPUT:
        yield ValidationError(
            f"a text of {len(instance):,} characters is too long to match {patrn!r} "
            f"(the limit is {MAX_MATCH_INPUT:,})"
        )
    elif compile_pattern(patrn).search(instance) is None:
        yield ValidationError(f"{instance!r} does not match {patrn!r}")


def matches_key(pattern: str, key: str) -> bool:
    """Whether an object key matches a `patternProperties` pattern (by RE2)."""
    return len(key) <= MAX_MATCH_INPUT and compile_pattern(pattern).search(key) is not None


def _pattern_properties(
    validator: Any, patterns: Mapping[str, Any], instance: Any, schema: Any
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for k, v in instance.items():
            if matches_key(pattern, k):
                yield from validator.descend(v, subschema, path=k, schema_path=pattern)


def _additional_properties(
    validator: Any, ap: Any, instance: Any, schema: Any
) -> Iterator[ValidationError]:
    from jsonschema.exceptions import ValidationError  # loaded: jsonschema is running

    if not validator.is_type(instance, "object"):
        return
    properties = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    extras = {
        k for k in instance if k not in properties and not any(matches_key(p, k) for p in patterns)
    }
    if validator.is_type(ap, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], ap, path=extra)
    elif not ap and extras:
        if patterns:
            verb = "does" if len(extras) == 1 else "do"
            joined = ", ".join(repr(each) for each in sorted(extras))
            listed = ", ".join(repr(each) for each in sorted(patterns))
            yield ValidationError(f"{joined} {verb} not match any of the regexes: {listed}")
        else:
            extra = sorted(extras, key=str)
            verb = "was" if len(extra) == 1 else "were"
            listed = ", ".join(repr(each) for each in extra)
            yield ValidationError(
                f"Additional properties are not allowed ({listed} {verb} unexpected)"
            )


RE2_KEYWORDS: Final = {
    "pattern": _pattern,
    "patternProperties": _pattern_properties,
    "additionalProperties": _additional_properties,
}


class PatternProblem(Exception):
    """A schema pattern RE2 cannot run, at a path of the schema (`key`: the key itself)."""

    def __init__(self, message: str, path: DataPath, key: bool = False) -> None:
        super().__init__(message)
        self.message, self.path, self.key = message, path, key


# Where a schema holds subschemas: `pattern` is a keyword only there (under `const`, `enum`
# or `default` it is data).
SUBSCHEMA_MAPS: Final = (
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
)
SUBSCHEMA_LISTS: Final = ("allOf", "anyOf", "oneOf", "prefixItems", "items")
SUBSCHEMA_ONE: Final = (
    "additionalProperties",
    "unevaluatedProperties",
    "unevaluatedItems",
    "items",
    "contains",
    "not",
    "if",
    "then",
    "else",
    "propertyNames",
)


def check_patterns(schema: Mapping[str, Any]) -> None:
    """Raise PatternProblem for the first pattern RE2 refuses, in `pattern` keywords and
    `patternProperties` keys, and for `unevaluatedProperties` in a schema with
    `patternProperties` (jsonschema matches those with Python's `re`, out of our reach)."""
    stack: list[tuple[Any, DataPath]] = [(schema, ())]
    unevaluated: DataPath | None = None
    has_pattern_properties = False
    while stack:
        node, path = stack.pop()
        if not isinstance(node, Mapping):
            continue
        if isinstance(node.get("pattern"), str):
            _check(node["pattern"], (*path, "pattern"), key=False)
        if "unevaluatedProperties" in node and unevaluated is None:
            unevaluated = (*path, "unevaluatedProperties")
        for keyword in SUBSCHEMA_MAPS:
            sub = node.get(keyword)
            if isinstance(sub, Mapping):
                for k, v in sub.items():
                    if keyword == "patternProperties":
                        has_pattern_properties = True
                        _check(str(k), (*path, keyword, k), key=True)
                    stack.append((v, (*path, keyword, k)))
        for keyword in SUBSCHEMA_LISTS:
            sub = node.get(keyword)
            if isinstance(sub, list):
                stack.extend((v, (*path, keyword, i)) for i, v in enumerate(sub))
        stack.extend(
            (node[k], (*path, k)) for k in SUBSCHEMA_ONE if isinstance(node.get(k), Mapping)
        )
    if unevaluated is not None and has_pattern_properties:
        raise PatternProblem(
            "`unevaluatedProperties` cannot be combined with `patternProperties` "
            "in a contract schema",
            unevaluated,
            key=True,
        )


def _check(pattern: str, path: DataPath, key: bool) -> None:
    try:
        compile_pattern(pattern)
    except ValueError as exc:
        raise PatternProblem(
            f"pattern {pattern!r} cannot be used: {exc} (patterns run on RE2: no "
            "backreferences, no look-around)",
            path,
            key,
        ) from None
