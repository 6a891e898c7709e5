"""Rule packs: merge them (`extends`), read their parameters, and compile their rules."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError

from ..inputs.schema import ContractSchema, SchemaError
from ..lang import Diagnostic, ExprError, Expression, Program, types
from ..lang.ops import compile_pattern
from ..lang.reads import data_roots
from ..lang.textparse import parse_date, parse_duration, parse_money
from ..lang.typecheck import suggest
from ..lang.values import Duration, Money, display
from ..models import Ref, Severity
from .packfile import (
    PackError,
    PackProblem,
    PackSource,
    builtin_packs,
    extended_by,
    read_pack,
    resolve_pack,
)

__all__ = [
    "CompiledRule",
    "PackError",
    "PackProblem",
    "RuleSpec",
    "builtin_packs",
    "compile_pack",
    "convert_param",
    "extended_by",
    "resolve_pack",
]

DataPath = tuple[str | int, ...]


# -- merging ------------------------------------------------------------------------------


@dataclass
class RuleSpec:
    """A rule as written, with where it came from (for errors and findings)."""

    pack: str
    src: PackSource
    index: int
    raw: Mapping[str, Any]
    applies_to: str | None
    applies_src: PackSource | None
    malformed: bool = False  # its structure was already reported as wrong

    @property
    def id(self) -> str:
        return str(self.raw["id"])

    def path(self, *more: str | int) -> DataPath:
        return ("rules", self.index, *more)


@dataclass
class _Merged:
    pack: str
    src: PackSource
    version: str
    title: str
    description: str
    schema: tuple[str, Path] | None = None
    params: dict[str, tuple[Mapping[str, Any], PackSource]] = field(default_factory=dict)
    lets: dict[str, tuple[str, PackSource]] = field(default_factory=dict)
    rules: dict[str, RuleSpec] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    problems: list[PackProblem] = field(default_factory=list)
    warnings: list[PackProblem] = field(default_factory=list)


def _merge(path: Path, chain: tuple[Path, ...] = ()) -> _Merged:
    if path in chain:
        cycle = " → ".join(
            p.parent.name if p.name == "pack.yaml" else p.name for p in (*chain, path)
        )
        raise PackError([PackProblem(str(chain[-1]), None, None, f"`extends` cycle: {cycle}")])
    src, structure_problems, bad_rules = read_pack(path)
    data = src.doc.data or {}
    merged = _Merged(
        str(data["pack"]),
        src,
        str(data.get("version", "0.0.0")),
        str(data.get("title", data["pack"])),
        str(data.get("description", "")),
    )
    problems: list[PackProblem] = []
    for i, ref in enumerate(data.get("extends", []) or []):
        try:
            parent = _merge(resolve_pack(str(ref), path.parent), (*chain, path))
        except PackError as exc:
            if (
                exc.problems
                and exc.problems[0].line is None
                and not exc.problems[0].message.startswith("`extends` cycle")
            ):
                problems.append(src.problem(("extends", i), exc.problems[0].message))
                continue
            raise
        merged.schema = parent.schema or merged.schema
        merged.params.update(parent.params)
        merged.lets.update(parent.lets)
        merged.rules.update(parent.rules)
        merged.files.extend(parent.files)
        merged.problems.extend(parent.problems)
    if problems:
        raise PackError(problems)
    merged.files.append(path)
    if "schema" in data:
        merged.schema = (str(data["schema"]), path.parent)
    for name, decl in (data.get("params") or {}).items():
        merged.params[str(name)] = (decl, src)
    for name, text in (data.get("let") or {}).items():
        merged.lets[str(name)] = (str(text), src)
    applies = data.get("applies_to")
    seen: dict[str, int] = {}
    for i, raw in enumerate(data.get("rules") or []):
        if not isinstance(raw, Mapping) or "id" not in raw:
            continue  # reported by the structure check
        # A rule with a structural problem is still compiled, so that its expression
        # errors are reported in the same run; the pack is refused either way.
        rid = str(raw["id"])
        if rid in seen:
            problems.append(
                src.problem(
                    ("rules", i, "id"),
                    f"duplicate rule id `{rid}` (first at rule {seen[rid] + 1} of this pack)",
                    rid,
                )
            )
            continue
        seen[rid] = i
        merged.rules[rid] = RuleSpec(
            merged.pack,
            src,
            i,
            raw,
            str(applies) if applies else None,
            src if applies else None,
            i in bad_rules,
        )
    merged.problems.extend(structure_problems)
    merged.problems.extend(problems)
    return merged


# -- parameters ---------------------------------------------------------------------------

_PARSERS: Final = {"duration": parse_duration, "money": parse_money, "date": parse_date}


def convert_param(kind: str, value: Any) -> Any:
    """A parameter value of the declared type, from YAML, the command line or the API.

    Raises ValueError with a reason when the value does not fit the type.
    """
    if kind in _PARSERS:
        if kind == "duration" and isinstance(value, Duration):
            return value
        if kind == "money" and isinstance(value, Money):
            return value
        if kind == "date" and hasattr(value, "isoformat") and not isinstance(value, str):
            return value
        if not isinstance(value, str):
            raise ValueError(
                f"expected a {kind} written as text, e.g. "
                f"{'`2 years`' if kind == 'duration' else '`CNY 100`' if kind == 'money' else '`2025-01-31`'}"
            )
        parser: Any = _PARSERS[kind]
        return parser(value)
    if kind == "number":
        from decimal import Decimal, InvalidOperation

        if isinstance(value, bool):
            raise ValueError("expected a number, found a bool")
        if isinstance(value, int | Decimal):
            return value
        if isinstance(value, float):
            return Decimal(repr(value))
        if isinstance(value, str):
            try:
                return Decimal(value.replace("_", ""))
            except InvalidOperation:
                raise ValueError(f"expected a number, found {value!r}") from None
        raise ValueError(f"expected a number, found {display(value)}")
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise ValueError(f"expected true or false, found {display(value)}")
    if kind == "string":
        if isinstance(value, str):
            return value
        raise ValueError(f"expected a string, found {display(value)}")
    if kind == "list" and not isinstance(value, list):
        raise ValueError(f"expected a list, found {display(value)}")
    if kind == "map" and not isinstance(value, Mapping):
        raise ValueError(f"expected a map, found {display(value)}")
    return value


def expr_text(value: Any) -> str:
    """An expression as YAML gave it: bare `true` arrives as a bool, `1` as a number."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_EACH: Final = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s+in\s+(.+)$", re.S)
_INTERP: Final = re.compile(r"\{\{|\}\}|\{([^{}]+)\}")


@dataclass
class CompiledRule:
    """A rule ready to run: its expressions compiled in the pack's scope."""

    spec: RuleSpec
    severity: Severity
    title: str
    refs: list[Ref]
    tags: list[str]
    on_missing: str
    when: Expression | None
    each_var: str | None
    each: Expression | None
    assertion: Expression
    at: Expression | None
    messages: dict[str, list[str | Expression]]
    applies_to: Expression | None
    # Another severity under a condition (`severity_if`), the first true one wins.
    severity_if: list[tuple[Severity, Expression]] = field(default_factory=list)
    # The top-level data keys the rule reads (`*`: the whole contract), lets included: a
    # rule reading `document` is skipped on data that is no document, and the others on a
    # document without front matter.
    reads: frozenset[str] = frozenset()

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def pack(self) -> str:
        return self.spec.pack


def compile_pack(
    path: Path, params: Mapping[str, Any] | None = None
) -> tuple[_Merged, Program, list[CompiledRule], dict[str, Any], ContractSchema | None]:
    """Read, merge and compile a pack; raises PackError listing every problem found."""
    merged = _merge(path)
    problems: list[PackProblem] = list(merged.problems)
    schema: ContractSchema | None = None
    if merged.schema is not None:
        ref, base = merged.schema
        try:
            schema = ContractSchema.load(ref, base)
        except SchemaError as exc:
            problems.append(merged.src.problem(("schema",), str(exc)))
    param_types: dict[str, types.Type] = {}
    values: dict[str, Any] = {}
    broken_defaults: set[str] = set()
    for name, (decl, src) in merged.params.items():
        kind = str(decl.get("type", "any"))
        param_types[name] = types.param_type(kind) or types.ANY
        if "default" in decl:
            try:
                values[name] = convert_param(kind, decl["default"])
            except ValueError as exc:
                problems.append(
                    src.problem(
                        ("params", name, "default"), f"default of parameter `{name}`: {exc}"
                    )
                )
                broken_defaults.add(name)
    for name, value in (params or {}).items():
        if name not in merged.params:
            near = suggest(name, list(merged.params))
            problems.append(
                PackProblem(
                    str(path),
                    None,
                    None,
                    f"unknown parameter `{name}`",
                    hint=f"did you mean `{near}`?"
                    if near
                    else "parameters: " + (", ".join(merged.params) or "none"),
                )
            )
            continue
        kind = str(merged.params[name][0].get("type", "any"))
        try:
            values[name] = convert_param(kind, value)
        except ValueError as exc:
            problems.append(PackProblem(str(path), None, None, f"parameter `{name}`: {exc}"))
    missing_params = [n for n in merged.params if n not in values and n not in broken_defaults]
    for name in missing_params:
        decl, src = merged.params[name]
        problems.append(
            src.problem(
                ("params", name), f"parameter `{name}` has no default and no value was given"
            )
        )
    patterns = values.get("placeholder_patterns") or ()
    if patterns:
        # A pack extends what placeholders() finds with its own patterns (RE2 syntax).
        decl, src = merged.params["placeholder_patterns"]
        for i, pattern in enumerate(patterns):
            try:
                compile_pattern(str(pattern))
            except ValueError as exc:
                problems.append(
                    src.problem(
                        ("params", "placeholder_patterns", "default", i),
                        f"invalid placeholder pattern {display(pattern)}: {exc}",
                    )
                )
    program = Program(
        data_type=schema.static_type if schema else types.ANY,
        param_types=param_types,
        placeholder_patterns=tuple(str(p) for p in patterns),
    )
    warnings: list[PackProblem] = []
    for name, (text, src) in merged.lets.items():
        try:
            _warn(src, ("let", name), program.add_let(name, text), None, warnings)
        except ExprError as exc:
            problems.extend(src.expr_problems(("let", name), text, exc, None))
            program.lets[name] = program.compile("null")  # keep checking the rest
    rules: list[CompiledRule] = []
    for spec in merged.rules.values():
        rule = _compile_rule(spec, program, problems, warnings)
        if rule is not None:
            rules.append(rule)
    if problems:
        problems.sort(key=lambda p: (p.file, p.line or 0, p.column or 0))
        raise PackError(problems)
    # `applies_to` is compiled with every rule: say each of its warnings once.
    merged.warnings = sorted(set(warnings), key=lambda p: (p.file, p.line or 0, p.column or 0))
    return merged, program, rules, values, schema


def _warn(
    src: PackSource,
    path: DataPath,
    compiled: Expression,
    rule: str | None,
    warnings: list[PackProblem],
    offset: int = 0,
    whole: str | None = None,
) -> None:
    """The expression's warnings, located in the pack file (`offset`: where the expression
    starts in `whole`, the YAML value it is part of)."""
    if compiled.warnings:
        diags = _shifted(list(compiled.warnings), offset)
        text = whole if whole is not None else compiled.text
        warnings.extend(
            src.expr_problems(path, text, ExprError(diags, text), rule, severity="warning")
        )


def _shifted(diags: list[Diagnostic], offset: int) -> list[Diagnostic]:
    """Diagnostics of an expression that starts `offset` characters into its YAML value."""
    return [
        Diagnostic(
            d.message,
            d.line,
            d.column + (offset if d.line == 1 else 0),
            d.start + offset,
            None if d.end is None else d.end + offset,
            d.hint,
        )
        for d in diags
    ]


def _compile_rule(
    spec: RuleSpec, program: Program, problems: list[PackProblem], warnings: list[PackProblem]
) -> CompiledRule | None:
    raw = spec.raw
    rid = spec.id
    src = spec.src
    before = len(problems)

    def expr(key: str, extra: dict[str, types.Type] | None = None) -> Expression | None:
        if key not in raw:
            return None
        text = expr_text(raw[key])
        try:
            compiled = program.compile(text, extra)
        except ExprError as exc:
            problems.extend(src.expr_problems(spec.path(key), text, exc, rid))
            return None
        _warn(src, spec.path(key), compiled, rid, warnings)
        return compiled

    when = expr("when")
    each_var: str | None = None
    each: Expression | None = None
    extra: dict[str, types.Type] = {}
    if "each" in raw:
        m = _EACH.match(str(raw["each"]))
        if m is None:
            problems.append(src.problem(spec.path("each"), "`each` is written `NAME in EXPR`", rid))
        else:
            each_var = m.group(1)
            text = m.group(2)
            try:
                each = program.compile(text)
                _warn(src, spec.path("each"), each, rid, warnings, m.start(2), str(raw["each"]))
                elem = each.type.elem if each.type.kind == "list" and each.type.elem else types.ANY
                if not each.type.is_any and each.type.kind != "list":
                    problems.append(
                        src.problem(
                            spec.path("each"), f"`each` needs a list, found {each.type}", rid
                        )
                    )
                extra = {each_var: elem}
            except ExprError as exc:
                shifted = _shifted(exc.diagnostics, m.start(2))
                problems.extend(
                    src.expr_problems(
                        spec.path("each"),
                        str(raw["each"]),
                        ExprError(shifted, str(raw["each"])),
                        rid,
                    )
                )
    assertion = expr("assert", extra)
    if assertion is not None and not assertion.type.is_any and assertion.type.kind != "bool":
        problems.append(
            src.problem(
                spec.path("assert"),
                f"`assert` must be a bool, found {assertion.type}",
                rid,
                "write a comparison, or exists(…) / not blank(…)",
            )
        )
    if when is not None and not when.type.is_any and when.type.kind != "bool":
        problems.append(
            src.problem(spec.path("when"), f"`when` must be a bool, found {when.type}", rid)
        )
    for key, checked in (("assert", assertion), ("when", when)):
        if checked is not None and checked.type.kind == "bool" and checked.type.nullable:
            problems.append(
                src.problem(
                    spec.path(key),
                    f"`{key}` may be null (the schema allows a blank here)",
                    rid,
                    "write `x == true`, `x != false` or `x ?? false` to say what a blank means",
                )
            )
    at = expr("at", extra)
    messages: dict[str, list[str | Expression]] = {}
    message = raw.get("message")
    if isinstance(message, str):
        message = {"en": message}
    for lang, template in (message or {}).items():
        messages[lang] = _compile_template(
            str(template), program, extra, spec, ("message", lang), problems, warnings
        )
    applies: Expression | None = None
    if spec.applies_to and spec.applies_src is not None:
        try:
            applies = program.compile(spec.applies_to)
            _warn(spec.applies_src, ("applies_to",), applies, None, warnings)
        except ExprError as exc:
            problems.extend(
                spec.applies_src.expr_problems(("applies_to",), spec.applies_to, exc, None)
            )
    if len(problems) > before or assertion is None:
        return None
    refs: list[Ref] = []
    for i, r in enumerate(raw.get("refs", []) or []):
        try:
            if isinstance(r, str):
                refs.append(Ref(text=r))
            else:
                refs.append(Ref.model_validate({k: str(v) for k, v in r.items()}))
        except (ValidationError, AttributeError):
            if spec.malformed:
                continue  # the structure check said so already
            # Reached only when the structure check was skipped (built-in packs).
            problems.append(
                src.problem(
                    spec.path("refs", i),
                    "a ref is a string or a map of "
                    "law, article, url, basis (statute, secondary, "
                    "unverified) and note",
                    rid,
                )
            )
    severity_if: list[tuple[Severity, Expression]] = []
    for level, text in (raw.get("severity_if") or {}).items():
        cond = expr_text(text)
        try:
            compiled_if = program.compile(cond, extra)
        except ExprError as exc:
            problems.extend(src.expr_problems(spec.path("severity_if", level), cond, exc, rid))
            continue
        _warn(src, spec.path("severity_if", level), compiled_if, rid, warnings)
        if not compiled_if.type.is_any and compiled_if.type.kind != "bool":
            problems.append(
                src.problem(
                    spec.path("severity_if", level),
                    f"`severity_if.{level}` must be a bool, found {compiled_if.type}",
                    rid,
                )
            )
        severity_if.append((level, compiled_if))
    if len(problems) > before:
        return None
    used: list[Expression] = [e for e in (when, each, assertion, at, applies) if e is not None] + [
        e for _, e in severity_if
    ]
    used += [p for parts in messages.values() for p in parts if isinstance(p, Expression)]
    lets = {name: e.node for name, e in program.lets.items()}
    bound = frozenset({each_var} if each_var else ())
    reads = frozenset().union(*(data_roots(e.node, lets, bound) for e in used))
    return CompiledRule(
        spec,
        raw.get("severity", "error"),
        str(raw.get("title", rid)),
        refs,
        [str(t) for t in raw.get("tags", []) or []],
        str(raw.get("on_missing", "fail")),
        when,
        each_var,
        each,
        assertion,
        at,
        messages,
        applies,
        severity_if,
        reads,
    )


def _compile_template(
    template: str,
    program: Program,
    extra: dict[str, types.Type],
    spec: RuleSpec,
    key: tuple[str, ...],
    problems: list[PackProblem],
    warnings: list[PackProblem],
) -> list[str | Expression]:
    parts: list[str | Expression] = []
    pos = 0
    for m in _INTERP.finditer(template):
        parts.append(template[pos : m.start()])
        pos = m.end()
        if m.group(0) in ("{{", "}}"):
            parts.append(m.group(0)[0])
            continue
        text = m.group(1)
        try:
            compiled = program.compile(text, extra)
            parts.append(compiled)
            _warn(spec.src, spec.path(*key), compiled, spec.id, warnings)
        except ExprError as exc:
            problems.extend(spec.src.expr_problems(spec.path(*key), text, exc, spec.id))
    parts.append(template[pos:])
    return [p for p in parts if p != ""]
