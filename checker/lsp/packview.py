"""Pack files and pack tests as an editor holds them: their problems, scope and expressions."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from ..fastclass import dataclass, field
from ..inputs.loader import load_text
from ..lang import ExprError, parse, types
from ..lang.typecheck import suggest
from ..packs.merge import expr_text
from ..packs.pack import PackError, PackScope, compile_rules, pack_scope, split_each
from ..packs.packfile import DataPath, PackProblem, PackSource, Texts
from ..packs.packtest import EXPECT_KEYS, read_case
from ..toolrules import PROBLEM_RULES, TOOL_RULES
from .spans import Problem, pack_problem, token_span
from .symbols import Context, Names, SchemaNav, names_of

EXPR_KEYS: Final = ("when", "each", "assert", "at")


@dataclass(frozen=True)
class Site:
    """An expression in the pack file: the YAML value holding it, where the expression is
    in that value, and where each line of the value starts in the file."""

    path: DataPath
    value: str
    start: int
    rows: list[tuple[int, int] | None]
    rule: int | None = None

    @property
    def text(self) -> str:
        return self.value[self.start :]

    def offset_at(self, line: int, column: int) -> int | None:
        """The offset in the expression of a file position, None when outside it."""
        pos = 0
        for r, row_text in enumerate(self.value.split("\n")):
            at = self.rows[r] if r < len(self.rows) else None
            if at is not None and at[0] == line and at[1] <= column <= at[1] + len(row_text):
                offset = pos + column - at[1] - self.start
                return offset if offset >= 0 else None
            pos += len(row_text) + 1
        return None


@dataclass
class PackView:
    """One open pack file (or pack test): its problems, the pack's scope (the last one that
    could be built, while the file is broken mid-edit), and its parsed source."""

    path: Path
    lines: list[str]
    problems: list[Problem]
    src: PackSource | None
    scope: PackScope | None
    pack_file: Path
    is_case: bool = False
    _sites: list[Site] | None = field(default=None, repr=False)

    @property
    def data(self) -> Mapping[str, Any]:
        return (self.src.doc.data if self.src else None) or {}

    def nav(self) -> SchemaNav | None:
        schema = self.scope.schema if self.scope else None
        if schema is None:
            return None
        file = Path(schema.name) if Path(schema.name).is_file() else None
        if file is None and self.scope and self.scope.merged.schema:
            from ..inputs.schema import resolve_schema_path

            ref, base = self.scope.merged.schema
            file = resolve_schema_path(ref, base)
        return SchemaNav(schema.schema, file)

    def sites(self) -> list[Site]:
        """Every expression of this file: lets, `applies_to`, rules' when/each/assert/at."""
        if self._sites is not None:
            return self._sites
        out: list[Site] = []
        src = self.src
        if src is not None and not self.is_case:
            data = self.data
            for name, value in (data.get("let") or {}).items():
                out.append(_site(src, ("let", str(name)), expr_text(value)))
            if "applies_to" in data:
                out.append(_site(src, ("applies_to",), expr_text(data["applies_to"])))
            for i, rule in enumerate(data.get("rules") or []):
                if not isinstance(rule, Mapping):
                    continue
                for key in EXPR_KEYS:
                    if key in rule:
                        value = expr_text(rule[key])
                        start = 0
                        if key == "each":
                            each = split_each(value)
                            if each is None:
                                continue
                            start = each[2]
                        out.append(_site(src, ("rules", i, key), value, start, i))
        self._sites = out
        return out

    def site_at(self, line: int, column: int) -> tuple[Site, int] | None:
        for site in self.sites():
            offset = site.offset_at(line, column)
            if offset is not None:
                return site, offset
        return None

    def each_binding(self, rule: int | None) -> tuple[str, types.Type, Names | None] | None:
        """A rule's `each` variable: its name, its type and the field path it ranges over."""
        if rule is None or self.scope is None:
            return None
        raw = (self.data.get("rules") or [])[rule]
        each = split_each(expr_text(raw.get("each"))) if "each" in raw else None
        if each is None:
            return None
        var, text, _ = each
        try:
            node, t, _ = self.scope.program.check(text)
        except ExprError:
            return var, types.ANY, None
        elem = t.elem if t.kind == "list" and t.elem is not None else types.ANY
        return var, elem, names_of(node, Context(), self.let_paths())

    def scope_at(self, site: Site | None) -> tuple[dict[str, types.Type], Context]:
        """The names bound where an expression stands (a rule's `each` variable)."""
        binding = self.each_binding(site.rule if site and site.path[-1] != "each" else None)
        if binding is None:
            return {}, Context()
        var, t, names = binding
        return {var: t}, Context(variables={var: names})

    def let_paths(self) -> dict[str, Names | None]:
        """Each `let` name with the field path it reads, when it is a plain path."""
        out: dict[str, Names | None] = {}
        if self.scope is None:
            return out
        for name, (text, _src) in self.scope.merged.lets.items():
            try:
                out[name] = names_of(parse(text), Context(), out)
            except ExprError:
                out[name] = None
        return out


def _site(
    src: PackSource, path: DataPath, value: str, start: int = 0, rule: int | None = None
) -> Site:
    return Site(path, value, start, src.expr_rows(path, value), rule)


def _parsed(path: Path, text: str) -> PackSource | None:
    doc = load_text(text, str(path), fmt="yaml")
    return PackSource(path, doc) if doc.data is not None else None


def analyze_pack(path: Path, text: str, texts: Texts, last: PackScope | None) -> PackView:
    """Every problem of a pack file being edited, read from its unsaved text (`texts`: the
    other pack files the editor holds); the scope is `last` when this text cannot be merged."""
    lines = text.split("\n")
    scope: PackScope | None = None
    try:
        scope = pack_scope(path, texts={**texts, path: text})
        compile_rules(scope)
        found = [*scope.problems, *sorted(set(scope.warnings), key=_order)]
        src: PackSource | None = scope.merged.src
    except PackError as exc:
        found = exc.problems
        src = _parsed(path, text)
    view = PackView(path, lines, [], src, scope or last, path)
    view.problems = _located(found, view)
    return view


def _order(p: PackProblem) -> tuple[str, int, int]:
    return (p.file, p.line or 0, p.column or 0)


def _located(found: list[PackProblem], view: PackView) -> list[Problem]:
    """Problems of this file where they are; those of a pack it extends at its `extends`."""
    out = []
    src = view.src
    for p in found:
        if p.file != str(view.path) and src is not None:
            where = f"{p.file}:{p.line}:{p.column}" if p.line else p.file
            p = src.problem(("extends",), f"in {where}: {p.message}", p.rule, p.hint, key=True)
        in_expression = p.line is not None and view.site_at(p.line, p.column or 1) is not None
        out.append(pack_problem(p, view.lines, in_expression))
    return out


def analyze_case(case: Path, pack_file: Path, text: str, texts: Texts) -> PackView:
    """Every problem of a pack test being edited: YAML, the pack-test schema, and the rules
    and parameters it names that the pack does not have."""
    lines = text.split("\n")
    doc = load_text(text, str(case), fmt="yaml")
    src, errors = read_case(pack_file, case, doc)
    scope: PackScope | None = None
    with contextlib.suppress(PackError):  # the pack's own problems show in the pack file
        scope = pack_scope(pack_file, texts=texts)
    if src is not None and scope is not None:
        errors.extend(_unknown_names(src, scope))
    problems = [pack_problem(e, lines) for e in errors]
    return PackView(case, lines, problems, src, scope, pack_file, is_case=True)


def _unknown_names(src: PackSource, scope: PackScope) -> list[PackProblem]:
    data = src.doc.data or {}
    known = [*scope.merged.rules, *TOOL_RULES, *PROBLEM_RULES.values()]
    out: list[PackProblem] = []
    for _outcome, ids in rule_refs(data):
        for path, rule in ids:
            if rule not in known:
                near = suggest(rule, known)
                out.append(
                    src.problem(
                        path,
                        f"no rule `{rule}` in pack {scope.merged.pack}",
                        hint=f"did you mean `{near}`?" if near else None,
                    )
                )
    params = data.get("params")
    for name in params if isinstance(params, Mapping) else {}:
        if str(name) not in scope.merged.params:
            near = suggest(str(name), list(scope.merged.params))
            out.append(
                src.problem(
                    ("params", name),
                    f"unknown parameter `{name}` of pack {scope.merged.pack}",
                    hint=f"did you mean `{near}`?" if near else None,
                    key=True,
                )
            )
    return out


def rule_refs(data: Mapping[str, Any]) -> list[tuple[str, list[tuple[DataPath, str]]]]:
    """The rules a pack test's `expect` names, by outcome, each with where it is written."""
    expect = data.get("expect")
    if not isinstance(expect, Mapping):
        return []
    out = []
    for outcome in EXPECT_KEYS:
        items = expect.get(outcome)
        ids: list[tuple[DataPath, str]] = []
        for j, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, Mapping) and "rule" in item:
                ids.append((("expect", outcome, j, "rule"), str(item["rule"])))
            elif isinstance(item, str):
                ids.append((("expect", outcome, j), item))
        out.append((outcome, ids))
    return out


def rule_at(view: PackView, line: int, column: int) -> str | None:
    """The rule id written at a position: a rule's `id` in a pack, an expected rule in a test."""
    src = view.src
    if src is None:
        return None
    if view.is_case:
        candidates = [ref for _, ids in rule_refs(view.data) for ref in ids]
    else:
        candidates = [
            (("rules", i, "id"), str(r["id"]))
            for i, r in enumerate(view.data.get("rules") or [])
            if isinstance(r, Mapping) and "id" in r
        ]
    for path, rule in candidates:
        pos = src.pos(path)
        if pos is not None and token_span(view.lines, pos.line, pos.column).holds(line, column):
            return rule
    return None
