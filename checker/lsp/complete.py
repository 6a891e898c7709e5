"""Completion inside pack expressions: fields after `.`, functions, names, units, currencies, enums."""

from __future__ import annotations

import dataclasses
import re
from typing import Final

from ..fastclass import dataclass
from ..lang import FUNCTIONS, ExprError, Program, display, types
from ..lang.nodes import KEYWORDS
from .packview import PackView
from .symbols import CURRENCY_CODES, ROOTS, UNITS, Context, SchemaNav, names_of


@dataclass(frozen=True)
class Item:
    """One completion: what it is (field, function, variable, unit, value, keyword, constant)."""

    label: str
    kind: str
    detail: str | None = None
    doc: str | None = None
    insert: str | None = None


_CURRENT: Final = "_current_"  # stands for `@` while typing what follows it
_EXPR_LINE: Final = re.compile(
    r"^\s*(?:-\s+)?(?:when|assert|at|each|applies_to|[A-Za-z_][\w-]*)\s*:\s*[|>]?[-+]?\s*[\"']?"
)
_NUMBER_THEN_SPACE: Final = re.compile(r"(?<![\w.])\d[\d_]*(?:\.\d+)?\s+([a-z]*)$")
_COMPARED: Final = re.compile(r"\s*(==|!=)\s*([\"']?)([^\"']*)$")
_QUANT: Final = re.compile(r"\b(?:all|any|none)\s+([A-Za-z_]\w*)\s+in\s+([^:]+?)\s*:")
_WORD: Final = re.compile(r"[A-Za-z_]\w*$")


def complete(view: PackView, line: int, column: int) -> list[Item]:
    """What may be written at a position of a pack file (empty outside expressions)."""
    scope = view.scope
    if scope is None or view.is_case:
        return []
    found = view.site_at(line, column)
    typed = view.lines[line - 1][: column - 1] if 1 <= line <= len(view.lines) else ""
    blanks = ""
    if found is None and typed.endswith(" "):
        # YAML drops the blanks that end a plain scalar: `2 ` is typed, `2` is the value.
        stripped = typed.rstrip(" ")
        found = view.site_at(line, len(stripped) + 1)
        blanks = typed[len(stripped) :]
    if found is not None:
        site, offset = found
        prefix = site.text[:offset] + blanks
        extra, ctx = view.scope_at(site)
    elif view.src is None:
        # The file does not parse while being typed: the expression is what the line holds.
        m = _EXPR_LINE.match(typed)
        prefix = typed[m.end() :] if m else typed.lstrip()
        extra, ctx = {}, Context()
    else:
        return []
    nav = view.nav()
    lets = view.let_paths()
    extra, ctx = _bindings(prefix, scope.program, extra, ctx, lets)
    m = _NUMBER_THEN_SPACE.search(prefix)
    if m is not None:
        units = [Item(u, "unit", "unit", doc) for u, doc in UNITS]
        return units if not m.group(1) else units + _names(scope.program, extra, nav)
    compared = _enum_values(prefix, scope.program, extra, ctx, lets, nav)
    if compared is not None:
        return compared
    word = _WORD.search(prefix)
    before = prefix[: word.start()] if word else prefix
    if before.endswith("."):
        return _members(before[:-1], scope.program, extra, ctx, lets, nav, view)
    items = _names(scope.program, extra, nav)
    if word is not None and word.group(0).isupper():
        items += [Item(c, "constant", "currency (ISO 4217)") for c in CURRENCY_CODES]
    return items


def chain_start(text: str, end: int) -> int:
    """Where the path expression ending at `end` starts: names, `.`, `@`, `[…]`, calls."""
    i = end
    while i > 0:
        c = text[i - 1]
        if c.isalnum() or c in "_@.":
            i -= 1
        elif c in ")]":
            depth = 0
            j = i - 1
            while j >= 0:
                if text[j] in ")]":
                    depth += 1
                elif text[j] in "([":
                    depth -= 1
                    if depth == 0:
                        break
                j -= 1
            if j < 0:
                break
            i = j
        else:
            break
    return i


def _open_filter(prefix: str) -> int | None:
    """Where the innermost `[?` still open at the end of `prefix` starts."""
    depth = 0
    for i in range(len(prefix) - 1, -1, -1):
        c = prefix[i]
        if c == "]":
            depth += 1
        elif c == "[":
            if depth == 0:
                return i if prefix[i + 1 : i + 2] == "?" else None
            depth -= 1
    return None


def _bindings(
    prefix: str,
    program: Program,
    extra: dict[str, types.Type],
    ctx: Context,
    lets: dict[str, tuple[str, ...] | None],
) -> tuple[dict[str, types.Type], Context]:
    """The names bound at the end of `prefix`: quantifier variables, `@` of an open filter."""
    extra = dict(extra)
    variables = dict(ctx.variables)
    for m in _QUANT.finditer(prefix):
        var, source = m.group(1), m.group(2)
        elem, names = _element(
            source, program, extra, dataclasses.replace(ctx, variables=variables), lets
        )
        extra[var] = elem
        variables[var] = names
    at = _open_filter(prefix)
    if at is not None:
        source = prefix[chain_start(prefix, at) : at]
        elem, names = _element(
            source, program, extra, dataclasses.replace(ctx, variables=variables), lets
        )
        extra[_CURRENT] = elem
        variables[_CURRENT] = names
    return extra, dataclasses.replace(ctx, variables=variables)


def _element(
    source: str,
    program: Program,
    extra: dict[str, types.Type],
    ctx: Context,
    lets: dict[str, tuple[str, ...] | None],
) -> tuple[types.Type, tuple[str, ...] | None]:
    typed = _typed(source, program, extra, ctx, lets)
    if typed is None:
        return types.ANY, None
    t, names = typed
    t = types.strip_null(t)
    return (t.elem if t.kind == "list" and t.elem else types.ANY), names


def _typed(
    text: str,
    program: Program,
    extra: dict[str, types.Type],
    ctx: Context,
    lets: dict[str, tuple[str, ...] | None],
) -> tuple[types.Type, tuple[str, ...] | None] | None:
    """The static type of a path expression and the field path it reads (None: not typed)."""
    text = text.strip()
    if text.startswith("@"):
        text = _CURRENT + text[1:]
    if not text:
        return None
    try:
        node, t, _ = program.check(text, extra)
    except ExprError:
        return None
    return t, names_of(node, ctx, lets)


def _members(
    chain: str,
    program: Program,
    extra: dict[str, types.Type],
    ctx: Context,
    lets: dict[str, tuple[str, ...] | None],
    nav: SchemaNav | None,
    view: PackView,
) -> list[Item]:
    chain = chain[chain_start(chain, len(chain)) :]
    if chain == "params" and view.scope is not None:
        return [
            Item(
                name,
                "variable",
                f"parameter: {decl.get('type', 'any')}",
                _param_doc(decl),
            )
            for name, (decl, _src) in view.scope.merged.params.items()
        ]
    typed = _typed(chain, program, extra, ctx, lets)
    if typed is None:
        return []
    t, names = typed
    t = types.strip_null(t)
    if t.kind == "list" and chain.endswith("]") and t.elem is not None:
        t = types.strip_null(t.elem)  # `xs[*].` and `xs[? …].` read fields of each item
    return [
        Item(name, "field", str(ft), _description(nav, names, name))
        for name, ft in (t.fields or ())
    ]


def _description(nav: SchemaNav | None, names: tuple[str, ...] | None, name: str) -> str | None:
    if nav is None or names is None:
        return None
    found = nav.field((*names, name))
    return found.description if found else None


def _param_doc(decl: object) -> str | None:
    if not isinstance(decl, dict):
        return None
    parts = [str(decl["description"])] if "description" in decl else []
    if "default" in decl:
        parts.append(f"default: {decl['default']}")
    return "\n\n".join(parts) or None


def _names(program: Program, extra: dict[str, types.Type], nav: SchemaNav | None) -> list[Item]:
    """What a name may be where an expression starts: bound names, lets, the contract's
    top-level fields, the reserved roots, functions and keywords."""
    items = [Item(n, "variable", str(t)) for n, t in extra.items() if n != _CURRENT]
    items += [
        Item(n, "variable", f"let: {e.type}", f"```\n{e.text}\n```")
        for n, e in program.lets.items()
    ]
    items += [
        Item(n, "field", str(t), _description(nav, (), n))
        for n, t in program.data_type.fields or ()
    ]
    items += [Item(r, "module", "reserved root") for r in ROOTS]
    items += [Item(f.name, "function", f.signature, f.doc) for f in FUNCTIONS.values()]
    items += [Item(k, "keyword") for k in sorted(KEYWORDS)]
    return items


def _enum_values(
    prefix: str,
    program: Program,
    extra: dict[str, types.Type],
    ctx: Context,
    lets: dict[str, tuple[str, ...] | None],
    nav: SchemaNav | None,
) -> list[Item] | None:
    """After `PATH ==` (or `!=`): the values the schema allows there, None elsewhere."""
    for m in _COMPARED.finditer(prefix):
        if m.end() != len(prefix):
            continue
        left = prefix[: m.start()].rstrip()
        typed = _typed(left[chain_start(left, len(left)) :], program, extra, ctx, lets)
        if typed is None:
            return None
        t, names = typed
        values: tuple[object, ...] = t.enum or ()
        if not values and nav is not None and names:
            found = nav.field(names)
            values = found.enum if found else ()
        if not values:
            return None
        quote = m.group(2)
        return [
            Item(
                str(v),
                "value",
                "allowed by the schema",
                insert=str(v) if quote and isinstance(v, str) else display(v),
            )
            for v in values
        ]
    return None
