"""Merging a rule pack with the packs it extends (`extends`) into one set of rules."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..fastclass import dataclass, field
from ..lang import Expression
from .packfile import PackError, PackProblem, PackSource, Texts, read_pack, resolve_pack

DataPath = tuple[str | int, ...]


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
class MergedPack:
    """A pack with the packs it extends folded in: the nearest definition of each rule,
    parameter and let wins, and every file read is listed."""

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

    # `dates.in_force_at` as written (the nearest pack that sets it), then compiled.
    in_force_at_src: tuple[list[str], PackSource] | None = None
    in_force_at: list[Expression] = field(default_factory=list)


def merge(path: Path, chain: tuple[Path, ...] = (), texts: Texts | None = None) -> MergedPack:
    """Read the pack at `path` and, before it, the packs it extends (`chain`: the packs
    being merged, to report a cycle); `texts`: files an editor holds unsaved."""
    if path in chain:
        cycle = " → ".join(
            p.parent.name if p.name == "pack.yaml" else p.name for p in (*chain, path)
        )
        raise PackError([PackProblem(str(chain[-1]), None, None, f"`extends` cycle: {cycle}")])
    src, structure_problems, bad_rules = read_pack(path, texts)
    data = src.doc.data or {}
    merged = MergedPack(
        str(data["pack"]),
        src,
        str(data.get("version", "0.0.0")),
        str(data.get("title", data["pack"])),
        str(data.get("description", "")),
    )
    problems: list[PackProblem] = []
    for i, ref in enumerate(data.get("extends", []) or []):
        try:
            parent = merge(resolve_pack(str(ref), path.parent), (*chain, path), texts)
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
        merged.in_force_at_src = parent.in_force_at_src or merged.in_force_at_src
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
    dates = data.get("dates")
    if isinstance(dates, Mapping) and isinstance(dates.get("in_force_at"), list):
        merged.in_force_at_src = ([expr_text(e) for e in dates["in_force_at"]], src)
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


def expr_text(value: Any) -> str:
    """An expression as YAML gave it: bare `true` arrives as a bool, `1` as a number."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
