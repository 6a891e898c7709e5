"""Contract files in the editor: their findings under the configuration in force, and suppressions."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

from ..config import Config, ConfigError, find_config, load_config
from ..fastclass import dataclass
from ..inputs.loader import DataPath, Format, LoadedContract, load_text
from ..models import Finding, format_ref
from ..packs.pack import PackError
from ..runner import check_file
from ..session import Plan, apply_waivers, make_plan
from ..suppress import MARK
from .spans import Problem, Span, token_span

FORMATS: Final[dict[str, Format]] = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


@dataclass
class _Loaded:
    plan: Plan
    stamp: tuple[int, ...]


def _stamp(files: list[Path]) -> tuple[int, ...]:
    out = []
    for f in files:
        try:
            out.append(os.stat(f).st_mtime_ns)
        except OSError:
            out.append(-1)
    return tuple(out)


class Contracts:
    """Checks contracts as `check` does: the packs the nearest configuration chooses (all
    built-in packs without one), its waivers and rule settings. A plan is kept per
    configuration while it and its pack files do not change."""

    def __init__(self) -> None:
        self._plans: dict[Path | None, _Loaded] = {}

    def plan(self, file: Path) -> Plan:
        """The plan for a file; raises ConfigError or PackError."""
        config_file = find_config(file.parent)
        cached = self._plans.get(config_file)
        if cached is not None and cached.stamp == _stamp(_watched(config_file, cached.plan)):
            return cached.plan
        config = load_config(config_file) if config_file else Config(root=file.parent)
        plan = make_plan(config, [], None, None)
        self._plans[config_file] = _Loaded(plan, _stamp(_watched(config_file, plan)))
        return plan

    def check(self, file: Path, text: str) -> tuple[list[Problem], LoadedContract | None]:
        """The findings of a contract as diagnostics (waived ones left out), and the
        contract as loaded; nothing for a file that is not a contract."""
        lines = text.split("\n")
        try:
            plan = self.plan(file)
        except (ConfigError, PackError) as exc:
            message = exc.render() if isinstance(exc, PackError) else str(exc)
            return [Problem(token_span(lines, 1, 1), f"cannot check: {message}", "error")], None
        if plan.own_files().reason(file) is not None:
            return [], None
        loaded = load_text(text, str(file), fmt=FORMATS.get(file.suffix.lower(), "yaml"))
        result = check_file(
            file,
            plan.packs_for(str(file)),
            plan.today,
            rule_ids=plan.rule_ids(),
            loaded=loaded,
        )
        if result.skipped is not None:
            return [], None
        result = apply_waivers(plan, result)
        return [_problem(f, lines) for f in result.findings if f.suppression is None], loaded


def _watched(config_file: Path | None, plan: Plan) -> list[Path]:
    files = [f for p in plan.all_packs for f in p.files]
    return [config_file, *files] if config_file else files


def _problem(f: Finding, lines: list[str]) -> Problem:
    message = f.message
    if f.refs:
        message += "\nrefs: " + "; ".join(format_ref(r) for r in f.refs)
    rule = f"{f.pack}/{f.rule}"
    return Problem(
        token_span(lines, f.line, f.column),
        message,
        f.severity,
        code=rule,
        data={"rule": rule, "pointer": f.pointer},
    )


def suppression_edit(loaded: LoadedContract, pointer: str, rule: str) -> tuple[Span, str] | None:
    """The comment that suppresses `rule` at `pointer`: inserted above the line where the
    value's key is (or where the value starts), at its indentation. The reason after `--`
    is left for the author to write: until then it waives nothing (and says so)."""
    if loaded.data is None:
        return None
    path = _path(loaded, pointer)
    pos = loaded.key_positions.get(path) or loaded.positions.get(path)
    line = pos.line if pos else 1
    text = loaded.lines[line - 1] if line <= len(loaded.lines) else ""
    indent = text[: len(text) - len(text.lstrip(" "))]
    comment = f"{indent}# {MARK} disable={rule} -- \n"
    return Span(line, 1, line, 1), comment


def _path(loaded: LoadedContract, pointer: str) -> DataPath:
    """A JSON pointer as a data path of the loaded file (list indices as numbers)."""
    path: DataPath = ()
    for part in pointer.split("/")[1:] if pointer else []:
        key = part.replace("~1", "/").replace("~0", "~")
        as_index = (*path, int(key)) if key.isdigit() else None
        path = as_index if as_index is not None and as_index in loaded.positions else (*path, key)
    return path
