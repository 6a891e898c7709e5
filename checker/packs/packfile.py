"""Read one pack file: its data and positions, its structure errors, where its expressions stand."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Final

from ..fastclass import dataclass
from ..inputs.loader import LoadedContract, LoadProblem, Position, load_file, load_text
from ..inputs.schema import data_validator, package_dir
from ..lang import Diagnostic, ExprError
from ..lang.errors import render_caret
from ..lang.typecheck import suggest
from ..lang.values import display
from .packschema import PACK_SCHEMA

if TYPE_CHECKING:
    import jsonschema

DataPath = tuple[str | int, ...]
Texts = Mapping[Path, str]
"""Pack files' text as an editor holds it, unsaved, by resolved path: read instead of the disk."""

MAX_PACK_BYTES: Final = 2 * 1024 * 1024
"""Largest pack file: packs come in pull requests, and loading costs time and memory in
proportion (the built-in packs are under 64 KB)."""
MAX_RULES: Final = 1_000
"""Most rules in one pack file (the built-in packs have at most 35)."""


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
    severity: str = "error"  # or "warning": reported, the pack still loads

    def render(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        head = f"{where}: {self.severity}"
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

    def __init__(self, problems: list[PackProblem], read: list[Path] | None = None) -> None:
        self.problems = problems
        self.read = read  # every file read when all of them could be (see packcache)
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


def _load(path: Path, texts: Texts | None = None) -> LoadedContract:
    """A pack file as loaded, once per process while it does not change (from `texts`
    when an editor holds it)."""
    if texts is not None and path in texts:
        text = texts[path]
        if len(text) > MAX_PACK_BYTES:
            return _too_large(path, len(text))
        return load_text(text, str(path), fmt="yaml")
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = -1
    return _load_cached(path, stamp)


@functools.lru_cache(maxsize=64)
def _load_cached(path: Path, stamp: int) -> LoadedContract:
    try:
        size = path.stat().st_size
    except OSError:
        size = 0  # load_file reports why it cannot be read
    if size > MAX_PACK_BYTES:
        return _too_large(path, size)
    return load_file(path)


def _too_large(path: Path, size: int) -> LoadedContract:
    message = (
        f"the pack file is {size:,} bytes; the limit is {MAX_PACK_BYTES:,} "
        f"({MAX_PACK_BYTES // (1024 * 1024)} MB): split it into packs that extend each other"
    )
    return LoadedContract(str(path), None, problems=[LoadProblem("too-large", message, None, None)])


def extended_by(path: Path, seen: frozenset[Path] = frozenset()) -> set[Path]:
    """Every pack file `path` extends, directly or not (read cheaply; errors are ignored
    here and reported when the pack is loaded)."""
    if path in seen:
        return set()
    doc = _load(path)
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
class PackSource:
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

    def expr_rows(self, path: DataPath, text: str) -> list[tuple[int, int] | None]:
        """Where each line of the expression `text` at `path` starts in the file (1-based
        line and column), None for a line that cannot be found (an escaped quoted scalar)."""
        return _ExprLocator(self, path, text).rows

    def expr_problems(
        self,
        path: DataPath,
        text: str,
        err: ExprError,
        rule: str | None,
        severity: str = "error",
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
                    severity=severity,
                )
            )
        return out


class _ExprLocator:
    """Maps offsets in an expression to the YAML lines and columns it was written on."""

    def __init__(self, src: PackSource, path: DataPath, text: str) -> None:
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


def _is_builtin(path: Path) -> bool:
    try:
        path.resolve().relative_to(package_dir().resolve())
    except ValueError:
        return False
    return True


def read_pack(
    path: Path, texts: Texts | None = None
) -> tuple[PackSource, list[PackProblem], set[int]]:
    """The pack file, the problems found in its structure, and the rules they concern.

    Problems inside a rule do not stop the others being checked (every error of a pack is
    reported in one run); a problem in the pack's own keys does. `texts`: files an editor
    holds, read from there (and always checked against the pack schema: they are being
    written).
    """
    doc = _load(path, texts)
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
    src = PackSource(path, doc)
    problems = [src.problem(p.path, p.message) for p in doc.problems]
    rules = doc.data.get("rules")
    if isinstance(rules, list) and len(rules) > MAX_RULES:
        raise PackError(
            [
                src.problem(
                    ("rules",),
                    f"the pack has {len(rules):,} rules; the limit is {MAX_RULES:,}",
                    hint="split it into packs that extend each other",
                    key=True,
                )
            ]
        )
    bad_rules: set[int] = set()
    fatal = bool(problems)
    # Built-in packs are validated against the pack schema by the test suite; checking
    # them again at every start would cost a tenth of a one-file run.
    errors = (
        []
        if _is_builtin(path) and not (texts and path in texts)
        else sorted(
            # The loader reads an unquoted `2025-06-01` as a date: a date where the schema
            # says string (`in_force`), as in contracts.
            _pack_validator().iter_errors(doc.data),
            key=lambda e: list(map(str, e.absolute_path)),
        )
    )
    for err in errors:
        problems.append(schema_problem(src, err))
        where = tuple(err.absolute_path)
        if len(where) >= 2 and where[0] == "rules" and isinstance(where[1], int):
            bad_rules.add(where[1])
        else:
            fatal = True
    if fatal:
        raise PackError(problems)
    return src, problems, bad_rules


def _pack_validator() -> jsonschema.protocols.Validator:
    # Built only for a pack that is read (the built-in packs are checked by the tests), as
    # loaded data: an unquoted `2025-06-01` is a date where the schema says string.
    return data_validator(PACK_SCHEMA)


def schema_problem(src: PackSource, err: jsonschema.ValidationError) -> PackProblem:
    """A schema error of a pack file (or pack test) located in its YAML, with did-you-mean."""
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
    if err.validator in ("oneOf", "anyOf") and err.context:
        # "is not valid under any of the given schemas" says nothing: explain the branch
        # that came closest (for a ref written as a map: its unknown key).
        # A branch of the wrong type (a string where a map was written) explains nothing.
        typed = [e for e in err.context if e.validator != "type"] or list(err.context)
        from jsonschema.exceptions import best_match

        best = best_match(typed)
        if best is not None and best is not err:
            return schema_problem(src, best)
    return src.problem(path, err.message, rule)


def _rule_id_at(src: PackSource, path: DataPath) -> str | None:
    if len(path) >= 2 and path[0] == "rules" and isinstance(path[1], int):
        rules = src.doc.data.get("rules") if src.doc.data else None
        if isinstance(rules, list) and path[1] < len(rules) and isinstance(rules[path[1]], Mapping):
            rid = rules[path[1]].get("id")
            return str(rid) if rid is not None else None
    return None
