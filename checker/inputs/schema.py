"""Contract schemas: find them, validate contract data against them, and read typed values."""

from __future__ import annotations

import datetime as _dt
import functools
import json
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from ..fastclass import dataclass
from ..lang import types as T
from ..lang.interpreter import format_path
from ..lang.textparse import parse_date, parse_duration, parse_money
from ..lang.typecheck import suggest
from ..lang.values import Duration, Missing, Money, display, shorten
from .docschema import DOCUMENT_KEY, with_document
from .fastschema import compile_validity
from .loader import load_text, pointer
from .schemare import RE2_KEYWORDS, PatternProblem, check_patterns, matches_key

if TYPE_CHECKING:
    import jsonschema
    from jsonschema.exceptions import ValidationError

DataPath = tuple[str | int, ...]


class SchemaError(Exception):
    """A schema that cannot be found, read or used."""


class SchemaPatternError(SchemaError):
    """A schema's regular expression that RE2 refuses, at a data path of the schema."""

    def __init__(self, problem: PatternProblem, name: str) -> None:
        super().__init__(f"{name}: {problem.message} (at {pointer(problem.path)})")
        self.problem = problem


@dataclass(frozen=True, slots=True)
class SchemaProblem:
    """A place where contract data does not fit its schema, or a value that cannot be read."""

    code: str  # "schema" | "unknown-field" | "unreadable-value"
    message: str
    path: DataPath
    key: bool = False  # the problem is the key at `path` (an unknown field), not its value


def package_dir() -> Path:
    """Where the built-in packs and schemas are: inside the package, or the source tree's rules/."""
    here = Path(__file__).resolve().parent.parent  # the package: checker/
    for candidate in (here / "rules", here.parent / "rules"):
        if candidate.is_dir():
            return candidate
    raise SchemaError("the built-in rules/ folder is missing from the installation")


def builtin_schemas() -> dict[str, Path]:
    folder = package_dir() / "schemas"
    if not folder.is_dir():
        return {}
    return {p.name.removesuffix(".json"): p for p in sorted(folder.glob("*.json"))}


def resolve_schema_path(ref: str, base: Path | None = None) -> Path:
    """A built-in schema name (`service-contract`) or a path (relative to `base`)."""
    builtins = builtin_schemas()
    if ref in builtins:
        return builtins[ref]
    path = Path(ref)
    if not path.is_absolute() and base is not None:
        path = base / path
    if path.is_file():
        return path
    known = ", ".join(sorted(builtins)) or "none"
    raise SchemaError(f"schema {ref!r} is neither a built-in schema ({known}) nor a file")


@functools.cache
def _validator_class() -> Any:
    """jsonschema's 2020-12 validator for loaded data, with RE2 patterns. Built (and
    jsonschema imported, a sixth of the start-up) only when data must be explained."""
    import jsonschema
    from jsonschema import Draft202012Validator

    type_checker = Draft202012Validator.TYPE_CHECKER.redefine(
        # Loaders give unquoted YAML dates as dates; the schema says "string" with format: date.
        "string",
        lambda checker, instance: isinstance(instance, str | _dt.date),
    ).redefine(
        # Our exact numbers are Decimal; bool is never a number.
        "number",
        lambda checker, instance: (
            isinstance(instance, int | float | Decimal) and not isinstance(instance, bool)
        ),
    )
    return jsonschema.validators.extend(  # type: ignore[no-untyped-call]
        Draft202012Validator, validators=RE2_KEYWORDS, type_checker=type_checker
    )


def data_validator(schema: Mapping[str, Any]) -> jsonschema.protocols.Validator:
    """A validator of loaded YAML/JSON (dates, exact numbers) against `schema`, formats
    checked: for the tool's own files (pack tests) as for contracts."""
    import jsonschema

    validator: jsonschema.protocols.Validator = _validator_class()(
        schema, format_checker=jsonschema.FormatChecker()
    )
    return validator


class ContractSchema:
    """A contract JSON Schema (2020-12 with `x-type`), ready to validate and type data."""

    def __init__(
        self, schema: Mapping[str, Any], name: str = "<schema>", *, trusted: bool = False
    ) -> None:
        # Checking a schema against the metaschema costs ~0.1 s for ours: the built-in
        # schemas are checked by the test suite instead, user schemas here.
        if not trusted:
            # Before the metaschema check, which compiles every pattern with Python's `re`.
            try:
                check_patterns(schema)
            except PatternProblem as exc:
                raise SchemaPatternError(exc, name) from None
            import jsonschema

            try:
                jsonschema.Draft202012Validator.check_schema(schema)
            except jsonschema.SchemaError as exc:
                raise SchemaError(f"{name} is not a valid JSON Schema: {exc.message}") from None
        # Rules read a document's model under `document`: every schema types it.
        self.schema = with_document(schema)
        self.name = name
        self._explainer: Any = None  # jsonschema's validator, built when some data is invalid
        # Valid data is recognised by a compiled check (None where it cannot run).
        self._is_valid = compile_validity(self.schema)
        self._plans: dict[int, _Plan] = {}  # what the typing walk needs of each schema node
        self._reading: dict[int, bool] = {}  # whether a value under a node is read

    @classmethod
    def load(cls, ref: str, base: Path | None = None) -> ContractSchema:
        """A built-in schema by name or a schema file; loaded once per process and file."""
        path = resolve_schema_path(ref, base)
        builtin = ref in builtin_schemas()
        try:
            stamp = path.stat().st_mtime_ns
        except OSError as exc:
            raise SchemaError(f"cannot read schema {path}: {exc}") from None
        return _load_cached(path, stamp, ref if builtin else str(path), builtin)

    @property
    def _validator(self) -> Any:
        """jsonschema's validator of this schema (with RE2 patterns), built at first use."""
        if self._explainer is None:
            self._explainer = _validator_class()(self.schema)
        return self._explainer

    @cached_property
    def static_type(self) -> T.Type:
        """The data's static type, for the type checker."""
        return T.SchemaTyper(self.schema).type_of()

    def apply(
        self, data: Mapping[str, Any], *, document: bool = False
    ) -> tuple[dict[str, Any], list[SchemaProblem]]:
        """Typed copy of the data (x-type values read) and every problem found, in path order.

        `document`: the data is a document's, its model under `document` made by the
        checker itself: only the front matter beside it is validated (it is typed all
        the same); a document without front matter has no contract data to validate."""
        if document:
            front = {k: v for k, v in data.items() if k != DOCUMENT_KEY}
            problems = list(self._validate(front)) if front else []
        else:
            problems = list(self._validate(data))
        typed = _Typer(self.schema, problems, self._plans, self._reading).walk(
            data, self.schema, ()
        )
        problems.sort(key=lambda p: [str(x) for x in p.path])
        if typed is data or not isinstance(typed, dict):
            typed = dict(data)  # the caller's own mapping is never handed back
        return typed, problems

    def _validate(self, data: Mapping[str, Any]) -> Iterator[SchemaProblem]:
        if self._is_valid is not None and self._is_valid(data) is True:
            return
        for err in self._validator.iter_errors(data):
            yield from _explain(err)


HINTED_UNKNOWN_FIELDS: Final = 100  # per mapping; the report lists at most 100 per rule anyway


def _explain(err: ValidationError) -> Iterator[SchemaProblem]:
    path: DataPath = tuple(err.absolute_path)
    if err.validator == "additionalProperties" and isinstance(err.instance, Mapping):
        props = err.schema.get("properties", {}) if isinstance(err.schema, Mapping) else {}
        patterns = (
            err.schema.get("patternProperties", {}) if isinstance(err.schema, Mapping) else {}
        )
        known = sorted(props)
        unknown = (
            k
            for k in err.instance
            if k not in props and not any(matches_key(p, str(k)) for p in patterns)
        )
        for i, key in enumerate(unknown):
            # "did you mean" costs a fuzzy match against every known name: only for the
            # unknown fields a report lists (500,000 unknown keys took most of a minute).
            near = suggest(str(key), known) if i < HINTED_UNKNOWN_FIELDS else None
            hint = f"; did you mean `{near}`?" if near else ""
            yield SchemaProblem(
                "unknown-field",
                f"unknown field `{shorten(str(key))}`{hint}",
                (*path, key),
                key=True,
            )
        return
    if err.validator == "required" and isinstance(err.validator_value, list):
        message = err.message.replace("is a required property", "is required")
        yield SchemaProblem("schema", message, path)
        return
    if err.validator in ("anyOf", "oneOf") and err.context:
        from jsonschema.exceptions import best_match

        best = best_match(err.context)
        if best is not None:
            yield from _explain(best)
            return
    message = err.message
    if len(message) > 300:
        message = message[:300] + "…"
    yield SchemaProblem("schema", message, path)


@functools.lru_cache(maxsize=32)
def _load_cached(path: Path, stamp: int, name: str, builtin: bool) -> ContractSchema:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SchemaError(f"cannot read schema {path}: {exc}") from None
    if not isinstance(doc, dict):
        raise SchemaError(f"schema {path} is not a JSON object")
    try:
        return ContractSchema(doc, name, trusted=builtin)
    except SchemaPatternError as exc:
        # Read again for positions only now: a schema that loads needs none.
        problem = exc.problem
        loaded = load_text(path.read_bytes(), str(path), fmt="json")
        pos = loaded.key_positions.get(problem.path) if problem.key else None
        pos = pos or loaded.positions.get(problem.path)
        where = f"{path}:{pos.line}:{pos.column}" if pos else str(path)
        raise SchemaError(f"{where}: {problem.message}") from None


_PARSERS: Final[dict[str, Callable[[str], Any]]] = {
    "duration": parse_duration,
    "money": parse_money,
    "date": parse_date,
}


# Values are immutable and the same few texts (`30日`, `1 year`) recur in every contract of
# a portfolio: short ones are read once per process.
_MEMO_CHARS: Final = 40


@functools.lru_cache(maxsize=4096)
def _parse(xt: str, text: str) -> Any:
    return _PARSERS[xt](text)


def _is_map(node: Any) -> bool:
    return type(node) is dict or isinstance(node, Mapping)  # the common case without an ABC


@dataclass(frozen=True, slots=True)
class _Plan:
    """What typing needs of one schema node, worked out once per schema: its x-type, the
    subschemas of its properties, of other properties, and of its items."""

    x_type: str | None
    props: dict[str, Any]
    extra: Any
    items: Any
    # Whether a value here or below is read (an x-type): the walk leaves the rest as it is;
    # the properties with something to read, and whether other properties have.
    reads: bool
    reading_props: dict[str, Any]
    extra_reads: bool


class _Typer:
    """Walks data along the schema, reading `x-type` values into Duration, Money and dates."""

    def __init__(
        self,
        root: Mapping[str, Any],
        problems: list[SchemaProblem],
        plans: dict[int, _Plan],
        reading: dict[int, bool],
    ) -> None:
        self.root = root
        self.problems = problems
        self.depth = 0
        # By id of a node of `root` (which outlives the walk): `$ref`s and combinators are
        # resolved once per schema, not once per value of every contract.
        self.plans = plans
        self.reading = reading  # whether some value under a node is read (see `reads`)
        self.shapes: dict[int, tuple[str | None, dict[str, Any], Any, Any]] = {}  # this walk's

    def plan(self, node: Any) -> _Plan:
        found = self.plans.get(id(node))
        if found is None:
            x_type, props, other, items = self.shape(node)
            reading = {k: v for k, v in props.items() if self.reads(v)}
            extra_reads = self.reads(other)
            reads = x_type in _PARSERS or bool(reading) or extra_reads or self.reads(items)
            found = _Plan(x_type, props, other, items, reads, reading, extra_reads)
            if node is not None:  # ids of transient objects could be reused
                self.plans[id(node)] = found
        return found

    def shape(self, node: Any) -> tuple[str | None, dict[str, Any], Any, Any]:
        """The node's x-type and the subschemas of its properties, other properties, items."""
        found = self.shapes.get(id(node))
        if found is None:
            found = self.shapes[id(node)] = self._shape(node)
        return found

    def _shape(self, node: Any) -> tuple[str | None, dict[str, Any], Any, Any]:
        props: dict[str, Any] = {}
        extra: list[Any] = []
        items = None
        for sub in self.subschemas(node):
            if _is_map(sub.get("properties")):
                for k, v in sub["properties"].items():
                    props.setdefault(k, v)
            if _is_map(sub.get("additionalProperties")):
                extra.append(sub["additionalProperties"])
            if items is None and _is_map(sub.get("items")):
                items = sub["items"]
        return self.x_type(node), props, extra[0] if extra else None, items

    def reads(self, node: Any) -> bool:
        """Whether data under the schema node can hold a value to read (an x-type)."""
        if node is None:
            return False
        if id(node) not in self.reading:
            self._mark(node)
        return self.reading[id(node)]

    def _mark(self, start: Any) -> None:
        """Decide `reads` for every node reachable from `start` (`$ref`s followed) at once:
        those from which an x-type can be reached, going back from the x-types."""
        children: dict[int, list[Any]] = {}
        stack = [start]
        while stack:
            node = stack.pop()
            if node is None or id(node) in children or id(node) in self.reading:
                continue
            _, props, other, items = self.shape(node)
            children[id(node)] = [k for k in (*props.values(), other, items) if k is not None]
            stack.extend(children[id(node)])
        parents: dict[int, list[int]] = {}
        reading: list[int] = []
        for i, kids in children.items():
            for kid in kids:
                parents.setdefault(id(kid), []).append(i)
            node_reads = self.shapes[i][0] in _PARSERS
            if node_reads or any(self.reading.get(id(kid)) for kid in kids):
                reading.append(i)
        found = set(reading)
        while reading:
            for parent in parents.get(reading.pop(), ()):
                if parent not in found:
                    found.add(parent)
                    reading.append(parent)
        for i in children:
            self.reading[i] = i in found

    def resolve(self, node: Any) -> Any:
        seen = 0
        while _is_map(node) and "$ref" in node and seen < 32:
            ref = str(node["$ref"])
            target: Any = self.root
            if ref.startswith("#"):
                for part in ref[1:].split("/"):
                    if part and _is_map(target):
                        target = target.get(part.replace("~1", "/").replace("~0", "~"), {})
            else:
                target = {}
            node = target
            seen += 1
        return node

    def x_type(self, node: Any) -> str | None:
        node = self.resolve(node)
        if not _is_map(node):
            return None
        xt = node.get("x-type")
        if isinstance(xt, str):
            return xt
        if node.get("format") == "date":
            return "date"
        for combo in ("anyOf", "oneOf", "allOf"):
            for branch in node.get(combo, []) or []:
                found = self.x_type(branch)
                if found:
                    return found
        return None

    def subschemas(self, node: Any) -> list[Mapping[str, Any]]:
        node = self.resolve(node)
        if not _is_map(node):
            return []
        out = [node]
        for combo in ("anyOf", "oneOf", "allOf"):
            for branch in node.get(combo, []) or []:
                out.extend(self.subschemas(branch))
        return out

    def walk(self, value: Any, node: Any, path: DataPath) -> Any:
        if value is None or node is None:
            return value  # no schema below here: nothing to read, so no copy to make
        plan = self.plan(node)
        if plan.x_type in _PARSERS:
            return self.read(value, plan.x_type, path)
        if not plan.reads:
            return value  # nothing below to read: the same data, not a copy
        if type(value) is dict or isinstance(value, Mapping):
            props, extra = plan.props, plan.extra
            if plan.extra_reads:
                return {k: self.child(v, props.get(k, extra), path, k) for k, v in value.items()}
            # Only the properties with something to read below them are walked.
            out = dict(value)
            for k, sub in plan.reading_props.items():
                v = out.get(k)
                if v is not None:
                    out[k] = self.walk(v, sub, (*path, k))
            return out
        if isinstance(value, list):
            items = plan.items
            return [self.child(v, items, path, i) for i, v in enumerate(value)]
        return value

    def child(self, value: Any, node: Any, path: DataPath, key: str | int) -> Any:
        """`walk` of an item, skipped at once where nothing below it is read (most are)."""
        if value is None or node is None:
            return value
        plan = self.plans.get(id(node))
        if plan is not None and not plan.reads:
            return value
        return self.walk(value, node, (*path, key))

    def read(self, value: Any, xt: str, path: DataPath) -> Any:
        if xt == "date" and isinstance(value, _dt.date):
            return value
        if xt == "money" and isinstance(value, Money):
            return value
        if xt == "duration" and isinstance(value, Duration):
            return value
        if xt == "money" and isinstance(value, int | float) and not isinstance(value, bool):
            return Money(value if isinstance(value, int) else Decimal(repr(value)), "CNY")
        if isinstance(value, str):
            try:
                return _PARSERS[xt](value) if len(value) > _MEMO_CHARS else _parse(xt, value)
            except ValueError as exc:
                reason = (
                    f"cannot read {display(value)} as {'a ' if xt != 'money' else ''}{xt}: "
                    f"{shorten(str(exc))}"
                )
        else:
            reason = f"expected {'a ' if xt != 'money' else ''}{xt} written as text, found {display(value)}"
            if xt == "duration" and isinstance(value, int | float):
                reason += " (a duration needs a unit: `3 years`, `30日`)"
        self.problems.append(SchemaProblem("unreadable-value", reason, path))
        # The value is there but has no meaning: rules that need it are "missing", at it.
        return Missing(paths=[format_path(path)], reasons=[reason])
