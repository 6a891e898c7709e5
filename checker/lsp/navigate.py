"""Hover and go to definition in pack files: functions, fields, lets, params, rules."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..fastclass import dataclass
from ..lang import FUNCTIONS, ExprError, parse
from ..lang.nodes import Call, Member, Name, Node
from ..models import format_ref
from ..packs.pack import PackError, pack_scope, read_ref, resolve_pack
from ..packs.packfile import DataPath, PackSource
from .packview import PackView, rule_at
from .spans import token_span
from .symbols import Context, field_type, names_of, node_at


@dataclass(frozen=True)
class Target:
    """Where a definition is: a file and a 1-based line and column."""

    file: Path
    line: int
    column: int


@dataclass(frozen=True)
class _Symbol:
    """What the cursor is on inside an expression."""

    kind: str  # function | let | param | variable | field
    name: str
    names: tuple[str, ...] | None = None


def _symbol(view: PackView, line: int, column: int) -> _Symbol | None:
    found = view.site_at(line, column)
    if found is None or view.scope is None:
        return None
    site, offset = found
    try:
        root = parse(site.text)
    except ExprError:
        return None
    extra, ctx = view.scope_at(site)
    lets = view.let_paths()
    hit = node_at(root, offset, lets, ctx)
    if hit is None:
        return None
    node, ctx = hit
    return _classify(node, ctx, offset, set(extra), view, lets)


def _classify(
    node: Node,
    ctx: Context,
    offset: int,
    bound: set[str],
    view: PackView,
    lets: Mapping[str, tuple[str, ...] | None],
) -> _Symbol | None:
    scope = view.scope
    assert scope is not None
    if isinstance(node, Call):
        if offset <= node.span.start + len(node.func) and node.func in FUNCTIONS:
            return _Symbol("function", node.func)
        return None
    if isinstance(node, Member) and isinstance(node.obj, Name) and node.obj.name == "params":
        return _Symbol("param", node.name)
    if isinstance(node, Name):
        if node.name in bound or node.name in ctx.variables:
            return _Symbol("variable", node.name, ctx.variables.get(node.name))
        if node.name in scope.merged.lets:
            return _Symbol("let", node.name)
    names = names_of(node, ctx, lets)
    if names:
        return _Symbol("field", names[-1], names)
    return None


def hover(view: PackView, line: int, column: int) -> str | None:
    """Markdown about what is at a position: a function's documentation, a field's type and
    description, a let, a parameter, a rule's title, severity and references."""
    scope = view.scope
    if scope is None:
        return None
    rule = rule_at(view, line, column)
    if rule is not None:
        spec = scope.merged.rules.get(rule)
        return _rule_doc(rule, spec.raw) if spec is not None else None
    sym = _symbol(view, line, column)
    if sym is None:
        return None
    if sym.kind == "function":
        fn = FUNCTIONS[sym.name]
        return f"```\n{fn.signature}\n```\n\n{fn.doc}"
    if sym.kind == "let":
        text, _src = scope.merged.lets[sym.name]
        t = scope.program.lets[sym.name].type if sym.name in scope.program.lets else None
        return f"**let** `{sym.name}`: {t}\n\n```\n{text.strip()}\n```"
    if sym.kind == "param":
        entry = scope.merged.params.get(sym.name)
        if entry is None:
            return None
        decl = entry[0]
        out = f"**parameter** `{sym.name}`: {decl.get('type', 'any')}"
        if "default" in decl:
            out += f" (default `{decl['default']}`)"
        if "description" in decl:
            out += f"\n\n{decl['description']}"
        return out
    if sym.names is None:
        return f"`{sym.name}`"
    t = field_type(scope.program.data_type, sym.names)
    nav = view.nav()
    declared = nav.field(sym.names) if nav else None
    out = f"`{'.'.join(sym.names)}`: {t if t is not None else 'any'}"
    if declared is not None and declared.description:
        out += f"\n\n{declared.description}"
    if declared is not None and declared.enum:
        out += "\n\none of: " + ", ".join(f"`{v}`" for v in declared.enum)
    return out


def _rule_doc(rule: str, raw: Mapping[str, Any]) -> str:
    out = [f"**{raw.get('title', rule)}** — `{rule}` ({raw.get('severity', 'error')})"]
    refs = raw.get("refs") or []
    for r in refs if isinstance(refs, list) else [refs]:
        try:
            ref = read_ref(r)
        except (AttributeError, TypeError, ValueError):
            continue
        out.append(f"- {format_ref(ref, markdown=True)}")
    if len(out) > 1:
        out.insert(1, "\nrefs:")
    return "\n".join(out)


def definition(view: PackView, line: int, column: int) -> Target | None:
    """Where what is at a position is defined: a let, a parameter, a rule (of this pack or
    one it extends), a pack named in `extends`, a field in the contract schema."""
    scope = view.scope
    if scope is None:
        return None
    rule = rule_at(view, line, column)
    if rule is not None:
        return _rule_target(view, rule)
    extended = _extends_at(view, line, column)
    if extended is not None:
        return Target(extended, 1, 1)
    sym = _symbol(view, line, column)
    if sym is None:
        return None
    if sym.kind == "let" and sym.name in scope.merged.lets:
        return _key_target(scope.merged.lets[sym.name][1], ("let", sym.name))
    if sym.kind == "param" and sym.name in scope.merged.params:
        return _key_target(scope.merged.params[sym.name][1], ("params", sym.name))
    if sym.names:
        nav = view.nav()
        declared = nav.field(sym.names) if nav else None
        pos = nav.position(declared.pointer) if nav and declared else None
        if nav is not None and nav.file is not None and pos is not None:
            return Target(nav.file, pos.line, pos.column)
    return None


def _key_target(src: PackSource, path: DataPath) -> Target | None:
    pos = src.doc.key_positions.get(path) or src.pos(path)
    return Target(src.path, pos.line, pos.column) if pos else None


def _rule_target(view: PackView, rule: str) -> Target | None:
    """A test's expected rule: where the pack defines it. A pack's rule: the rule of a pack
    it extends that this one replaces."""
    scope = view.scope
    assert scope is not None
    if view.is_case:
        spec = scope.merged.rules.get(rule)
        return _key_target(spec.src, spec.path("id")) if spec else None
    refs = view.data.get("extends") or []
    for ref in refs if isinstance(refs, list) else []:
        try:
            parent = pack_scope(resolve_pack(str(ref), view.path.parent))
        except PackError:
            continue
        spec = parent.merged.rules.get(rule)
        if spec is not None:
            return _key_target(spec.src, spec.path("id"))
    return None


def _extends_at(view: PackView, line: int, column: int) -> Path | None:
    """The pack file named by the `extends` entry at a position."""
    src = view.src
    refs = view.data.get("extends")
    if src is None or view.is_case or not isinstance(refs, list):
        return None
    for i, ref in enumerate(refs):
        pos = src.pos(("extends", i))
        if pos and token_span(view.lines, pos.line, pos.column).holds(line, column):
            try:
                return resolve_pack(str(ref), view.path.parent)
            except PackError:
                return None
    return None
