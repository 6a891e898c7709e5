"""Rule packs: find, read, validate, merge (`extends`) and compile them; errors point into the YAML."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import jsonschema

from .lang import Diagnostic, ExprError, Expression, Program, types
from .lang.errors import render_caret
from .lang.ops import compile_pattern
from .lang.textparse import parse_date, parse_duration, parse_money
from .lang.typecheck import suggest
from .lang.values import Duration, Money, display
from .loader import LoadedContract, Position, load_file
from .models import Ref, Severity
from .packschema import PACK_SCHEMA
from .schema import ContractSchema, SchemaError, package_dir

DataPath = tuple[str | int, ...]


@dataclass(frozen=True)
class PackProblem:
    """One error in a pack file, located at a line and column of the YAML."""

    file: str
    line: int | None
    column: int | None
    message: str
    rule: str | None = None
    source: str | None = None
    width: int = 1
    hint: str | None = None

    def render(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        head = f"{where}: error"
        if self.rule:
            head += f" in rule {self.rule}"
        out = [f"{head}: {self.message}"]
        if self.source is not None and self.line is not None:
            out.extend(render_caret(self.source, 1, self.column or 1, self.width))
        if self.hint:
            out.append(f"hint: {self.hint}")
        return "\n".join(out)


class PackError(Exception):
    """A pack that cannot be used: carries every problem found in it."""

    def __init__(self, problems: list[PackProblem]) -> None:
        self.problems = problems
        super().__init__(problems[0].render() if problems else "pack error")

    def render(self) -> str:
        return "\n\n".join(p.render() for p in self.problems)


def builtin_packs() -> dict[str, Path]:
    """Built-in packs by name: every `rules/<name>/pack.yaml` shipped with the package."""
    root = package_dir()
    return {p.parent.name: p for p in sorted(root.glob("*/pack.yaml"))}


def resolve_pack(ref: str, base: Path | None = None) -> Path:
    """A built-in pack name or a path to a pack file (or to a folder holding pack.yaml)."""
    builtins = builtin_packs()
    if ref in builtins:
        return builtins[ref]
    path = Path(ref)
    if not path.is_absolute() and base is not None:
        path = base / path
    if path.is_dir():
        path = path / "pack.yaml"
    if path.is_file():
        return path.resolve()
    near = suggest(ref, list(builtins))
    hint = f" (did you mean {near!r}?)" if near else ""
    known = ", ".join(builtins) or "none"
    raise PackError(
        [
            PackProblem(
                ref,
                None,
                None,
                f"no pack {ref!r}{hint}: not a built-in pack ({known}) nor a pack file",
            )
        ]
    )


def extended_by(path: Path, seen: frozenset[Path] = frozenset()) -> set[Path]:
    """Every pack file `path` extends, directly or not (read cheaply; errors are ignored
    here and reported when the pack is loaded)."""
    if path in seen:
        return set()
    doc = load_file(path)
    refs = doc.data.get("extends") if doc.data else None
    out: set[Path] = set()
    for ref in refs if isinstance(refs, list) else []:
        try:
            parent = resolve_pack(str(ref), path.parent)
        except PackError:
            continue
        out.add(parent)
        out |= extended_by(parent, seen | {path})
    return out


# -- reading ------------------------------------------------------------------------------


@dataclass
class _Source:
    """A pack file as loaded: data plus positions, for locating errors."""

    path: Path
    doc: LoadedContract

    def pos(self, path: DataPath) -> Position | None:
        return self.doc.positions.get(path)

    def problem(
        self,
        path: DataPath,
        message: str,
        rule: str | None = None,
        hint: str | None = None,
        key: bool = False,
    ) -> PackProblem:
        pos = (self.doc.key_positions.get(path) if key else None) or self.pos(path)
        for end in range(len(path), -1, -1):
            if pos is not None:
                break
            pos = self.pos(path[:end])
        line = pos.line if pos else None
        col = pos.column if pos else None
        source = self.doc.lines[line - 1] if line and line <= len(self.doc.lines) else None
        return PackProblem(str(self.path), line, col, message, rule, source, hint=hint)

    def expr_problems(
        self, path: DataPath, text: str, err: ExprError, rule: str | None
    ) -> list[PackProblem]:
        """Expression diagnostics mapped from the expression text to the YAML file."""
        locator = _ExprLocator(self, path, text)
        out = []
        for d in err.diagnostics:
            line, col = locator.locate(d)
            source = self.doc.lines[line - 1] if line and line <= len(self.doc.lines) else None
            out.append(
                PackProblem(
                    str(self.path),
                    line,
                    col,
                    d.message,
                    rule,
                    source,
                    width=d.width(text),
                    hint=d.hint,
                )
            )
        return out


class _ExprLocator:
    """Maps offsets in an expression to the YAML lines and columns it was written on."""

    def __init__(self, src: _Source, path: DataPath, text: str) -> None:
        self.src = src
        self.text = text
        pos = src.pos(path)
        self.start = pos or Position(1, 1)
        self.rows: list[tuple[int, int] | None] = []
        lines = src.doc.lines
        search_from = self.start.line - 1
        for i, expr_line in enumerate(text.split("\n")):
            needle = expr_line.rstrip()
            found: tuple[int, int] | None = None
            if i == 0 and self.start.line - 1 < len(lines):
                row = lines[self.start.line - 1]
                at = row.find(needle, self.start.column - 1) if needle else -1
                if at >= 0:
                    found = (self.start.line, at + 1)
            if found is None and needle:
                for j in range(search_from, min(len(lines), search_from + 200)):
                    at = lines[j].find(needle)
                    if at >= 0:
                        found = (j + 1, at + 1)
                        break
            if found is not None:
                search_from = found[0]
            self.rows.append(found)

    def locate(self, d: Diagnostic) -> tuple[int, int]:
        row = d.line - 1
        if 0 <= row < len(self.rows) and self.rows[row] is not None:
            line, col = self.rows[row]  # type: ignore[misc]
            return line, col + d.column - 1
        return self.start.line, self.start.column


_QUANT_COLON: Final = re.compile(r"\b(all|any|none)\s+\w+\s+in\b.*:")


def _read(path: Path) -> tuple[_Source, list[PackProblem], set[int]]:
    """The pack file, the problems found in its structure, and the rules they concern.

    Problems inside a rule do not stop the others being checked (every error of a pack is
    reported in one run); a problem in the pack's own keys does.
    """
    doc = load_file(path)
    if doc.data is None:
        p = doc.problems[0]
        source = doc.lines[p.line - 1] if p.line and p.line <= len(doc.lines) else None
        hint = None
        if "mapping values are not allowed" in p.message and source and _QUANT_COLON.search(source):
            # `assert: all x in xs: x > 0` — the quantifier's `:` ends a YAML key.
            hint = "an expression with `:` must be quoted or written as a block (`assert: |`)"
        raise PackError(
            [PackProblem(str(path), p.line, p.column, p.message, source=source, hint=hint)]
        )
    src = _Source(path, doc)
    problems = [src.problem(p.path, p.message) for p in doc.problems]
    validator = jsonschema.Draft202012Validator(PACK_SCHEMA)
    bad_rules: set[int] = set()
    fatal = bool(problems)
    errors = sorted(validator.iter_errors(doc.data), key=lambda e: list(map(str, e.absolute_path)))
    for err in errors:
        problems.append(_schema_problem(src, err))
        where = tuple(err.absolute_path)
        if len(where) >= 2 and where[0] == "rules" and isinstance(where[1], int):
            bad_rules.add(where[1])
        else:
            fatal = True
    if fatal:
        raise PackError(problems)
    return src, problems, bad_rules


def _schema_problem(src: _Source, err: jsonschema.ValidationError) -> PackProblem:
    path: DataPath = tuple(err.absolute_path)
    rule = _rule_id_at(src, path)
    if err.validator == "additionalProperties" and isinstance(err.instance, Mapping):
        known = sorted(err.schema.get("properties", {})) if isinstance(err.schema, Mapping) else []
        extra = [k for k in err.instance if k not in known]
        if extra:
            near = suggest(str(extra[0]), known)
            return src.problem(
                (*path, extra[0]),
                f"unknown key `{extra[0]}`",
                rule,
                f"did you mean `{near}`?" if near else "keys: " + ", ".join(known),
                key=True,
            )
    if err.validator == "enum":
        choices = list(err.validator_value)  # type: ignore[arg-type]
        allowed = ", ".join(display(v) for v in choices)
        near = suggest(str(err.instance), [str(v) for v in choices])
        return src.problem(
            path,
            f"{display(err.instance)} is not one of {allowed}",
            rule,
            f"did you mean {display(near)}?" if near else None,
        )
    if err.validator == "pattern" and path and path[-1] in ("id", "pack"):
        return src.problem(
            path,
            f"{display(err.instance)} is not a kebab-case id",
            rule,
            "use lower-case letters, digits and single dashes",
        )
    if err.validator == "required":
        return src.problem(path, err.message.replace("is a required property", "is required"), rule)
    return src.problem(path, err.message, rule)


def _rule_id_at(src: _Source, path: DataPath) -> str | None:
    if len(path) >= 2 and path[0] == "rules" and isinstance(path[1], int):
        rules = src.doc.data.get("rules") if src.doc.data else None
        if isinstance(rules, list) and path[1] < len(rules) and isinstance(rules[path[1]], Mapping):
            rid = rules[path[1]].get("id")
            return str(rid) if rid is not None else None
    return None


# -- merging ------------------------------------------------------------------------------


@dataclass
class RuleSpec:
    """A rule as written, with where it came from (for errors and findings)."""

    pack: str
    src: _Source
    index: int
    raw: Mapping[str, Any]
    applies_to: str | None
    applies_src: _Source | None

    @property
    def id(self) -> str:
        return str(self.raw["id"])

    def path(self, *more: str | int) -> DataPath:
        return ("rules", self.index, *more)


@dataclass
class _Merged:
    pack: str
    src: _Source
    version: str
    title: str
    description: str
    schema: tuple[str, Path] | None = None
    params: dict[str, tuple[Mapping[str, Any], _Source]] = field(default_factory=dict)
    lets: dict[str, tuple[str, _Source]] = field(default_factory=dict)
    rules: dict[str, RuleSpec] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    problems: list[PackProblem] = field(default_factory=list)


def _merge(path: Path, chain: tuple[Path, ...] = ()) -> _Merged:
    if path in chain:
        cycle = " → ".join(
            p.parent.name if p.name == "pack.yaml" else p.name for p in (*chain, path)
        )
        raise PackError([PackProblem(str(chain[-1]), None, None, f"`extends` cycle: {cycle}")])
    src, structure_problems, _ = _read(path)
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
            merged.pack, src, i, raw, str(applies) if applies else None, src if applies else None
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
    for name, (text, src) in merged.lets.items():
        try:
            program.add_let(name, text)
        except ExprError as exc:
            problems.extend(src.expr_problems(("let", name), text, exc, None))
            program.lets[name] = program.compile("null")  # keep checking the rest
    rules: list[CompiledRule] = []
    for spec in merged.rules.values():
        rule = _compile_rule(spec, program, problems)
        if rule is not None:
            rules.append(rule)
    if problems:
        problems.sort(key=lambda p: (p.file, p.line or 0, p.column or 0))
        raise PackError(problems)
    return merged, program, rules, values, schema


def _compile_rule(
    spec: RuleSpec, program: Program, problems: list[PackProblem]
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
            return program.compile(text, extra)
        except ExprError as exc:
            problems.extend(src.expr_problems(spec.path(key), text, exc, rid))
            return None

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
                elem = each.type.elem if each.type.kind == "list" and each.type.elem else types.ANY
                if not each.type.is_any and each.type.kind != "list":
                    problems.append(
                        src.problem(
                            spec.path("each"), f"`each` needs a list, found {each.type}", rid
                        )
                    )
                extra = {each_var: elem}
            except ExprError as exc:
                offset = m.start(2)
                shifted = [
                    Diagnostic(
                        d.message,
                        d.line,
                        d.column + (offset if d.line == 1 else 0),
                        d.start + offset,
                        None if d.end is None else d.end + offset,
                        d.hint,
                    )
                    for d in exc.diagnostics
                ]
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
    at = expr("at", extra)
    messages: dict[str, list[str | Expression]] = {}
    message = raw.get("message")
    if isinstance(message, str):
        message = {"en": message}
    for lang, template in (message or {}).items():
        messages[lang] = _compile_template(
            str(template), program, extra, spec, ("message", lang), problems
        )
    applies: Expression | None = None
    if spec.applies_to and spec.applies_src is not None:
        try:
            applies = program.compile(spec.applies_to)
        except ExprError as exc:
            problems.extend(
                spec.applies_src.expr_problems(("applies_to",), spec.applies_to, exc, None)
            )
    if len(problems) > before or assertion is None:
        return None
    refs = [
        Ref(text=r) if isinstance(r, str) else Ref.model_validate({k: str(v) for k, v in r.items()})
        for r in raw.get("refs", []) or []
    ]
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
    )


def _compile_template(
    template: str,
    program: Program,
    extra: dict[str, types.Type],
    spec: RuleSpec,
    key: tuple[str, ...],
    problems: list[PackProblem],
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
            parts.append(program.compile(text, extra))
        except ExprError as exc:
            problems.extend(spec.src.expr_problems(spec.path(*key), text, exc, spec.id))
    parts.append(template[pos:])
    return [p for p in parts if p != ""]
