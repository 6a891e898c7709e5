"""Configuration: find `contract-checker.yaml` or `[tool.contract-checker]`, validate it, read it."""

from __future__ import annotations

import datetime as _dt
import fnmatch
import functools
import os
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Final

from .fastclass import dataclass, field
from .inputs.loader import LoadedContract, Position, load_file
from .lang.typecheck import suggest
from .lang.values import display
from .models import Severity

if TYPE_CHECKING:
    import jsonschema

CONFIG_NAMES: Final = ("contract-checker.yaml", ".contract-checker.yaml", "contract-checker.yml")

_RULE_SETTING: Final = {
    "oneOf": [
        {"enum": ["off", "error", "warning", "info"]},
        {"type": "boolean"},
        {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "severity": {"enum": ["error", "warning", "info"]},
                "enabled": {"type": "boolean"},
            },
        },
    ]
}

CONFIG_SCHEMA: Final[dict[str, Any]] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://contract-checker.dev/schemas/config.json",
    "title": "contract-checker configuration",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "packs": {
            "type": "array",
            "description": "packs to use: built-in names or paths, optionally with the files "
            "they apply to and parameters",
            "items": {
                "oneOf": [
                    {"type": "string"},
                    {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["pack"],
                        "properties": {
                            "pack": {"type": "string"},
                            "files": {"type": "array", "items": {"type": "string"}},
                            "params": {"type": "object"},
                        },
                    },
                ]
            },
        },
        "paths": {
            "type": "array",
            "items": {"type": "string"},
            "description": "what to check when no path is given",
        },
        "exclude": {
            "type": "array",
            "items": {"type": "string"},
            "description": "globs of files never checked",
        },
        "documents": {
            "description": "read .md/.markdown/.txt/.docx drafts found in folders: `true` "
            "for every one (README, CHANGELOG, LICENSE and the like left out), or globs of "
            "those to read; default: none (a file named is always read)",
            "oneOf": [{"type": "boolean"}, {"type": "array", "items": {"type": "string"}}],
        },
        "templates": {
            "type": "array",
            "items": {"type": "string"},
            "description": "globs of documents that are templates: their blanks are "
            "expected (reported as info), as front matter `is_template: true` says",
        },
        "rules": {
            "type": "object",
            "description": "per-rule changes, by `pack/rule` or bare `rule`: a severity, `off`, "
            "or {severity, enabled}",
            "additionalProperties": _RULE_SETTING,
        },
        "fail_on": {"enum": ["error", "warning", "info", "never"]},
        "lang": {"enum": ["en", "zh"]},
        "baseline": {
            "type": "string",
            "description": "a previous JSON report: report only new findings",
        },
        "waivers": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["rule", "reason"],
                "properties": {
                    "rule": {"type": "string", "description": "`pack/rule` or a bare rule id"},
                    "files": {"type": "array", "items": {"type": "string"}},
                    "pointer": {
                        "type": "string",
                        "description": "JSON pointer: this value and everything under it",
                    },
                    "reason": {"type": "string", "minLength": 1},
                    "approver": {"type": "string"},
                    "expires": {"type": ["string"], "format": "date"},
                },
            },
        },
    },
}


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong in a configuration file, where it is, and how to fix it."""

    message: str
    position: Position | None = None
    hint: str | None = None


class ConfigError(Exception):
    """A configuration that cannot be used: its file, and every problem found in it (each
    with its position), so that one run shows them all."""

    def __init__(
        self,
        file: Path,
        message: str,
        position: Position | None = None,
        hint: str | None = None,
        *,
        more: Sequence[ConfigProblem] = (),
    ) -> None:
        self.file, self.position, self.hint = file, position, hint
        self.problems = [ConfigProblem(message, position, hint), *more]
        lines = []
        for p in self.problems:
            where = f"{file}:{p.position.line}:{p.position.column}" if p.position else str(file)
            lines.append(f"{where}: error: {p.message}" + (f"\nhint: {p.hint}" if p.hint else ""))
        super().__init__("\n".join(lines))

    @classmethod
    def of(cls, file: Path, problems: Sequence[ConfigProblem]) -> ConfigError:
        """One error holding several problems (at least one), in the order given."""
        first, *more = problems
        return cls(file, first.message, first.position, first.hint, more=more)


@dataclass(frozen=True)
class PackUse:
    """One pack of the configuration and the files it applies to (all when no globs)."""

    ref: str
    files: tuple[str, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Waiver:
    """A finding deliberately accepted: which rule, where, why, by whom, until when."""

    rule: str
    reason: str
    files: tuple[str, ...] = ()
    pointer: str | None = None
    approver: str | None = None
    expires: _dt.date | None = None
    position: Position | None = None

    def covers_rule(self, pack: str, rule: str) -> bool:
        return self.rule in (rule, f"{pack}/{rule}")

    def covers(self, pack: str, rule: str, file: str, pointer: str, root: Path) -> bool:
        if not self.covers_rule(pack, rule):
            return False
        if self.files and not matches_any(file, self.files, root):
            return False
        if self.pointer is not None:
            p = self.pointer.rstrip("/")
            return pointer == p or pointer.startswith(p + "/")
        return True


@dataclass
class Config:
    """The settings in force; `file` is None when no configuration file was found."""

    file: Path | None = None
    root: Path = field(default_factory=Path.cwd)
    packs: list[PackUse] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    # Documents in folders: False (none), True (all), or the globs of those to read.
    documents: bool | list[str] = False
    templates: list[str] = field(default_factory=list)
    severity: dict[str, Severity] = field(default_factory=dict)
    disabled: set[str] = field(default_factory=set)
    fail_on: str | None = None
    lang: str | None = None
    baseline: Path | None = None
    waivers: list[Waiver] = field(default_factory=list)
    # Where each `rules` key is written, to point at an unknown rule name.
    rule_positions: dict[str, Position] = field(default_factory=dict)


def matches_any(file: str, globs: tuple[str, ...] | list[str], root: Path) -> bool:
    """Whether a checked file matches one of the globs (relative to the config's folder)."""
    path = Path(file)
    endings = _name_endings(tuple(globs))
    if endings is not None and path.name:
        # Globs such as `*.md` decide by the name alone: no folder is resolved (a syscall
        # per folder), which took a tenth of a millisecond per file and pack in `check`.
        return os.path.normcase(path.name).endswith(endings)
    # A symlink matches where it is, not where it points: only its folders are resolved.
    try:
        rel = (path.parent.resolve() / path.name).relative_to(root.resolve()).as_posix()
    except ValueError:
        rel = path.as_posix()
    pure = PurePosixPath(rel)
    for g in globs:
        g = g.removeprefix("./")
        if (
            pure.match(g)
            or fnmatch.fnmatch(rel, g)
            or (g.endswith("/**") and rel.startswith(g[:-3] + "/"))
        ):
            return True
        if g.startswith("**/") and fnmatch.fnmatch(rel, g[3:]):
            return True
    return False


@functools.lru_cache(maxsize=64)
def _name_endings(globs: tuple[str, ...]) -> tuple[str, ...] | None:
    """The endings a file name needs to match one of the globs, when every glob is `*` then
    a literal ending (`*.md`, `./*.txt`, `**/*.docx`): `matches_any` gives the same answer
    by the name alone (fnmatch's `*` spans folders too). None when a glob needs the path."""
    endings = []
    for g in globs:
        g = g.removeprefix("./").removeprefix("**/")
        ending = g[1:]
        if not g.startswith("*") or not ending or any(c in ending for c in "*?[]/\\"):
            return None
        endings.append(os.path.normcase(ending))  # fnmatch compares normcased (Windows)
    return tuple(endings)


def find_config(start: Path) -> Path | None:
    """The nearest configuration file walking up from `start`: ours, or a pyproject.toml
    with a [tool.contract-checker] table."""
    for folder in (start.resolve(), *start.resolve().parents):
        for name in CONFIG_NAMES:
            if (folder / name).is_file():
                return folder / name
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            import tomllib  # only where a pyproject.toml is met

            try:
                doc = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                continue
            if isinstance(doc.get("tool"), dict) and "contract-checker" in doc["tool"]:
                return pyproject
    return None


def load_config(path: Path) -> Config:
    """Read and validate a configuration file; raises ConfigError with a position."""
    loaded: LoadedContract | None = None
    problems: list[ConfigProblem] = []
    if path.name == "pyproject.toml":
        import tomllib

        try:
            doc = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(path, f"cannot read: {exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(path, f"TOML syntax error: {exc}") from None
        data = doc.get("tool", {}).get("contract-checker", {})
        if not isinstance(data, dict):
            raise ConfigError(path, "[tool.contract-checker] must be a table")
    else:
        loaded = load_file(path)
        # Problems of reading (a duplicate key…) are reported with those of the content.
        problems = [
            ConfigProblem(p.message, Position(p.line, p.column) if p.line and p.column else None)
            for p in loaded.problems
        ]
        if loaded.data is None:
            raise ConfigError.of(path, problems)
        data = loaded.data

    def position(where: tuple[str | int, ...], key: bool = False) -> Position | None:
        if loaded is None:
            return None
        if key and where in loaded.key_positions:
            return loaded.key_positions[where]
        for end in range(len(where), -1, -1):
            if where[:end] in loaded.positions:
                return loaded.positions[where[:end]]
        return None

    import jsonschema  # here, not at start-up: most runs have no configuration to check

    validator = jsonschema.Draft202012Validator(
        CONFIG_SCHEMA, format_checker=jsonschema.FormatChecker()
    )
    plain = _plain(data)
    # A value the loader read as null (a bad date) is reported once: by the loader.
    read = {p.position for p in problems if p.position is not None}
    for err in validator.iter_errors(plain):
        problems.extend(p for p in _schema_problems(err, position) if p.position not in read)
    if not problems:  # the data has the documented shape: check what the schema cannot
        config = _build(path, data, position, problems)
        if not problems:
            return config
    problems.sort(key=lambda p: (p.position.line, p.position.column) if p.position else (0, 0))
    raise ConfigError.of(path, problems)


def _schema_problems(err: jsonschema.ValidationError, position: Any) -> list[ConfigProblem]:
    """What a schema error means for the person editing the file: one problem per unknown
    key (with a did-you-mean), else the most specific message."""
    where = tuple(err.absolute_path)
    if err.validator == "additionalProperties" and isinstance(err.instance, Mapping):
        known = sorted(err.schema.get("properties", {})) if isinstance(err.schema, Mapping) else []
        extra = [k for k in err.instance if k not in known]
        if extra:
            out = []
            for key in extra:
                near = suggest(str(key), known)
                out.append(
                    ConfigProblem(
                        f"unknown key `{key}`",
                        position((*where, key), True),
                        f"did you mean `{near}`?" if near else "keys: " + ", ".join(known),
                    )
                )
            return out
    if err.validator == "oneOf" and err.context:
        from jsonschema.exceptions import best_match

        best = best_match(err.context)
        if best is not None:
            err = best
            where = tuple(err.absolute_path)
    return [ConfigProblem(f"{_where_text(where)}{err.message}", position(where))]


def _where_text(where: tuple[str | int, ...]) -> str:
    if not where:
        return ""
    text = ".".join(str(w) if isinstance(w, str) else f"[{w}]" for w in where).replace(".[", "[")
    return f"{text}: "


def _plain(v: Any) -> Any:
    """Configuration data for validation: dates as ISO text (YAML reads them as dates)."""
    if isinstance(v, _dt.date):
        return v.isoformat()
    if isinstance(v, Mapping):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v


def _relative(path: Path) -> str:
    """A path as the command line would write it: relative to the working directory."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)


def _build(
    path: Path, data: Mapping[str, Any], position: Any, problems: list[ConfigProblem]
) -> Config:
    """The settings of data valid against the schema; what is still wrong is added to
    `problems`."""
    config = Config(file=path, root=path.parent)

    def items(key: str) -> list[Any]:
        return list(data.get(key) or [])

    for item in items("packs"):
        if isinstance(item, str):
            config.packs.append(PackUse(item))
        else:
            config.packs.append(
                PackUse(
                    str(item["pack"]),
                    tuple(item.get("files", []) or ()),
                    dict(item.get("params", {}) or {}),
                )
            )
    # Relative to the configuration file, like packs, waivers and `exclude`.
    config.paths = [_relative(path.parent / str(p)) for p in items("paths")]
    config.exclude = [str(p) for p in items("exclude")]
    documents = data.get("documents", False)
    config.documents = [str(g) for g in documents] if isinstance(documents, list) else documents
    config.templates = [str(p) for p in items("templates")]
    for rule, setting in (data.get("rules") or {}).items():
        pos = position(("rules", rule), True)
        if pos is not None:
            config.rule_positions[str(rule)] = pos
        if (
            setting == "off"
            or setting is False
            or (isinstance(setting, Mapping) and setting.get("enabled") is False)
        ):
            config.disabled.add(str(rule))
        elif isinstance(setting, str):
            config.severity[str(rule)] = setting  # type: ignore[assignment]
        elif isinstance(setting, Mapping) and "severity" in setting:
            config.severity[str(rule)] = setting["severity"]
    config.fail_on = data.get("fail_on")
    config.lang = data.get("lang")
    if data.get("baseline"):
        config.baseline = path.parent / str(data["baseline"])
    for i, w in enumerate(items("waivers")):
        expires = w.get("expires")
        if isinstance(expires, str):
            try:
                expires = _dt.date.fromisoformat(expires)
            except ValueError:
                message = f"waivers[{i}].expires: {display(expires)} is not a date"
                problems.append(ConfigProblem(message, position(("waivers", i, "expires"))))
                continue
        config.waivers.append(
            Waiver(
                rule=str(w["rule"]),
                reason=str(w["reason"]),
                files=tuple(w.get("files", []) or ()),
                pointer=w.get("pointer"),
                approver=w.get("approver"),
                expires=expires,
                position=position(("waivers", i)),
            )
        )
    return config
