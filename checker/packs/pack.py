"""Rule packs: read their parameters, lets and dates, and compile their rules."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, get_args

from ..fastclass import dataclass, field
from ..inputs.schema import ContractSchema, SchemaError
from ..lang import Diagnostic, ExprError, Expression, Program, types
from ..lang.ops import compile_pattern
from ..lang.reads import Reads
from ..lang.textparse import parse_date, parse_duration, parse_money
from ..lang.typecheck import suggest
from ..lang.values import Duration, Money, display
from ..models import Basis, InForce, Ref, Severity
from .merge import MergedPack, RuleSpec, expr_text, merge
from .packfile import (
    PackError,
    PackProblem,
    PackSource,
    Texts,
    builtin_packs,
    extended_by,
    resolve_pack,
)

__all__ = [
    "CompiledRule",
    "PackError",
    "PackProblem",
    "PackScope",
    "RuleSpec",
    "builtin_packs",
    "compile_pack",
    "compile_rules",
    "convert_param",
    "extended_by",
    "pack_scope",
    "resolve_pack",
    "split_each",
]

DataPath = tuple[str | int, ...]


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


_EACH: Final = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s+in\s+(.+)$", re.S)


def split_each(text: str) -> tuple[str, str, int] | None:
    """A rule's `each: NAME in EXPR` as (NAME, EXPR, where EXPR starts), None if malformed."""
    m = _EACH.match(text)
    return None if m is None else (m.group(1), m.group(2), m.start(2))


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
    title_zh: str | None = None
    in_force: InForce | None = None
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


@dataclass
class PackScope:
    """A pack read and merged, with the scope its rules compile in (parameters, lets,
    schema) and every problem found so far (an editor shows them as they are typed)."""

    merged: MergedPack
    program: Program
    values: dict[str, Any]
    schema: ContractSchema | None
    problems: list[PackProblem]
    warnings: list[PackProblem] = field(default_factory=list)


def pack_scope(
    path: Path, params: Mapping[str, Any] | None = None, texts: Texts | None = None
) -> PackScope:
    """Read and merge a pack, then check its schema, parameters and lets; the problems are
    collected, not raised. Raises PackError only when a pack file cannot be read or merged.
    `texts`: pack files an editor holds, read from there instead of the disk."""
    merged = merge(path, texts=texts)
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
    merged.in_force_at = _compile_dates(merged, program, problems)
    return PackScope(merged, program, values, schema, problems, warnings)


def compile_rules(scope: PackScope) -> list[CompiledRule]:
    """Compile every rule of the pack in its scope; problems and warnings go to the scope."""
    rules: list[CompiledRule] = []
    reads = Reads({name: e.node for name, e in scope.program.lets.items()})
    for spec in scope.merged.rules.values():
        rule = _compile_rule(spec, scope.program, scope.problems, scope.warnings, reads)
        if rule is not None:
            rules.append(rule)
    return rules


def compile_pack(
    path: Path, params: Mapping[str, Any] | None = None
) -> tuple[MergedPack, Program, list[CompiledRule], dict[str, Any], ContractSchema | None]:
    """Read, merge and compile a pack; raises PackError listing every problem found."""
    scope = pack_scope(path, params)
    rules = compile_rules(scope)
    problems = scope.problems
    if problems:
        from .packcache import files_read

        problems.sort(key=lambda p: (p.file, p.line or 0, p.column or 0))
        raise PackError(problems, files_read(scope.merged))
    # `applies_to` is compiled with every rule: say each of its warnings once.
    merged = scope.merged
    merged.warnings = sorted(
        set(scope.warnings), key=lambda p: (p.file, p.line or 0, p.column or 0)
    )
    return merged, scope.program, rules, scope.values, scope.schema


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


def _compile_dates(
    merged: MergedPack, program: Program, problems: list[PackProblem]
) -> list[Expression]:
    """The expressions giving a contract's date for `in_force`; each must be a date."""
    if merged.in_force_at_src is None:
        return []
    texts, src = merged.in_force_at_src
    out: list[Expression] = []
    for i, text in enumerate(texts):
        where = ("dates", "in_force_at", i)
        try:
            expr = program.compile(text)
        except ExprError as exc:
            problems.extend(src.expr_problems(where, text, exc, None))
            continue
        if not expr.type.is_any and expr.type.kind != "date":
            problems.append(src.problem(where, f"`in_force_at` needs dates, found {expr.type}"))
            continue
        out.append(expr)
    return out


def _in_force(value: Any) -> InForce:
    """An `in_force` map as the loader gave it: dates, or date texts (quoted in YAML)."""
    if not isinstance(value, Mapping):
        raise ValueError("`in_force` is a map of `from` and/or `until` dates")
    days: dict[str, _dt.date] = {}
    for key in ("from", "until"):
        if key in value:
            v = value[key]
            try:
                days[key] = v if isinstance(v, _dt.date) else _dt.date.fromisoformat(str(v))
            except ValueError:
                raise ValueError(f"`{key}` is not a date (YYYY-MM-DD): {v!r}") from None
    if set(value) - {"from", "until"} or not days:
        raise ValueError("`in_force` is a map of `from` and/or `until` dates")
    if "from" in days and "until" in days and days["from"] > days["until"]:
        raise ValueError("`in_force` ends before it starts")
    return InForce(from_=days.get("from"), until=days.get("until"))


class _RefShape(ValueError):
    """A ref map with a key a ref does not have, or a basis that is not one of the kinds."""


_REF_KEYS: Final = frozenset(f for f in Ref.__dataclass_fields__)
_BASES: Final = frozenset(get_args(Basis))


def read_ref(raw: Any) -> Ref:
    """A ref as written: a string, or a map (law, article, url, basis, unverified, in_force,
    note). Raises ValueError or AttributeError when it is neither."""
    if isinstance(raw, str):
        return Ref(text=raw)
    fields: dict[str, Any] = {}
    for k, v in raw.items():
        if k not in _REF_KEYS or (k == "basis" and v not in _BASES):
            raise _RefShape(k)
        if k == "in_force":
            fields[k] = _in_force(v)
        elif k == "unverified":
            if not isinstance(v, bool):
                raise ValueError("`unverified` is true or false")
            fields[k] = v
        else:
            fields[k] = str(v)
    return Ref(**fields)


def _compile_rule(
    spec: RuleSpec,
    program: Program,
    problems: list[PackProblem],
    warnings: list[PackProblem],
    reads: Reads,
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
            refs.append(read_ref(r))
        except (AttributeError, ValueError) as exc:
            if spec.malformed:
                continue  # the structure check said so already
            # Reached only when the structure check was skipped (built-in packs).
            detail = (
                f": {exc}" if isinstance(exc, ValueError) and not isinstance(exc, _RefShape) else ""
            )
            problems.append(
                src.problem(
                    spec.path("refs", i),
                    "a ref is a string or a map of law, article, url, basis, unverified, "
                    "in_force and note" + detail,
                    rid,
                )
            )
    in_force: InForce | None = None
    if "in_force" in raw:
        try:
            in_force = _in_force(raw["in_force"])
        except ValueError as exc:
            if not spec.malformed:
                problems.append(src.problem(spec.path("in_force"), str(exc), rid))
    title = raw.get("title", rid)
    title_zh: str | None = None
    if isinstance(title, Mapping):
        stray = sorted(str(k) for k in title if k not in ("en", "zh"))
        if stray and not spec.malformed:
            # Reached only for built-in packs (others fail the structure check first): an
            # unquoted comma in `{en: a, b, zh: c}` makes a key of its own.
            problems.append(
                src.problem(spec.path("title"), f"unknown key `{stray[0]}` in the title", rid)
            )
        title_zh = str(title["zh"]) if "zh" in title else None
        title = title.get("en", rid)
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
    bound = frozenset({each_var} if each_var else ())
    roots = frozenset().union(*(reads.roots(e.node, bound) for e in used))
    return CompiledRule(
        spec,
        raw.get("severity", "error"),
        str(title),
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
        title_zh,
        in_force,
        severity_if,
        roots,
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
