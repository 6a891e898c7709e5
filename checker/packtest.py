"""Pack tests as data: fixture contracts stating which rules must fail, pass, skip or be missing."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from .api import Pack
from .loader import LoadedContract, load_file, position_of
from .pack import PackError, builtin_packs, resolve_pack
from .runner import PROBLEM_RULES

EXPECT_KEYS: Final = ("fail", "pass", "skip", "missing", "error")


@dataclass
class CaseResult:
    """One test case: which expectations failed (empty when the case passed)."""

    pack: str
    file: Path
    description: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def pack_files(refs: tuple[str, ...]) -> list[Path]:
    """Pack files named by refs: built-in names, pack files, or folders searched for packs."""
    if not refs:
        return list(builtin_packs().values())
    out: list[Path] = []
    for ref in refs:
        path = Path(ref)
        if path.is_dir() and not (path / "pack.yaml").is_file():
            out.extend(sorted(p.resolve() for p in path.rglob("pack.yaml")))
        else:
            out.append(resolve_pack(ref, Path.cwd()))
    return out


def case_files(pack_file: Path) -> list[Path]:
    folder = pack_file.parent / "tests"
    return sorted(p for p in folder.glob("*.y*ml") if p.is_file()) if folder.is_dir() else []


def run_pack_tests(
    pack_file: Path, params: Mapping[str, Any] | None = None
) -> Iterator[CaseResult]:
    """Run every case in the pack's tests/ folder; `params` (the configuration's) apply to
    every case, under the case's own `params`."""
    packs: dict[str, Pack] = {}
    for case in case_files(pack_file):
        yield _run_case(pack_file, case, packs, params or {})


def _run_case(
    pack_file: Path, case: Path, packs: dict[str, Pack], base: Mapping[str, Any]
) -> CaseResult:
    doc = load_file(case)
    result = CaseResult(pack_file.parent.name, case, "")
    if doc.data is None:
        result.problems.append(f"cannot read the test: {doc.problems[0].message}")
        return result
    spec = doc.data
    result.description = str(spec.get("description", ""))
    unknown = set(spec) - {"description", "file", "contract", "today", "params", "expect"}
    if unknown:
        result.problems.append(f"unknown keys in the test: {', '.join(sorted(unknown))}")
        return result
    params = {**base, **(spec.get("params") or {})}
    key = repr(sorted(params.items()))
    try:
        if key not in packs:
            packs[key] = Pack(pack_file, params)
        pack = packs[key]
    except PackError as exc:
        result.problems.append(exc.render())
        return result
    contract = _contract(case, spec, doc)
    if isinstance(contract, str):
        result.problems.append(contract)
        return result
    today = spec.get("today")
    if today is not None and not isinstance(today, _dt.date):
        result.problems.append(f"`today` must be a date, found {today!r}")
        return result
    outcomes = _outcomes(pack, contract, today)
    expect = spec.get("expect") or {}
    if not isinstance(expect, Mapping):
        result.problems.append("`expect` must be a mapping")
        return result
    listed: set[str] = set()
    for outcome in EXPECT_KEYS:
        for item in expect.get(outcome) or []:
            rule, line = (
                (item.get("rule"), item.get("line")) if isinstance(item, Mapping) else (item, None)
            )
            rule = str(rule)
            listed.add(rule)
            got = outcomes.get(rule)
            if got is None:
                result.problems.append(f"{rule}: no such rule in pack {pack.id}")
                continue
            kinds = {o for o, _ in got}
            if not _satisfied(outcome, kinds):
                result.problems.append(
                    f"{rule}: expected {outcome}, got {', '.join(sorted(kinds))}"
                )
            elif line is not None and outcome in ("fail", "missing", "error"):
                lines = sorted({ln for o, ln in got if o == outcome and ln is not None})
                if int(line) not in lines:
                    result.problems.append(
                        f"{rule}: expected {outcome} at line {line}, got it at "
                        f"line {', '.join(map(str, lines)) or '?'}"
                    )
    others = expect.get("others")
    if others is not None:
        allowed = {"pass": {"pass", "skip"}, "skip": {"skip"}}.get(str(others), {"pass", "skip"})
        for rule, got in sorted(outcomes.items()):
            if rule in listed:
                continue
            bad = {o for o, _ in got} - allowed
            if bad:
                result.problems.append(
                    f"{rule}: expected {others} (not listed), got {', '.join(sorted(bad))}"
                )
    return result


def _satisfied(expected: str, kinds: set[str]) -> bool:
    """A rule passes when every element passed, is skipped when all were skipped, and fails,
    is missing or errs when any element did."""
    if expected == "pass":
        return kinds <= {"pass"}
    if expected == "skip":
        return kinds == {"skip"}
    return expected in kinds


def _contract(case: Path, spec: Mapping[str, Any], doc: LoadedContract) -> LoadedContract | str:
    if "file" in spec and "contract" in spec:
        return "give either `file` or `contract`, not both"
    if "file" in spec:
        target = (case.parent / str(spec["file"])).resolve()
        loaded = load_file(target)
        if loaded.data is None and loaded.problems and loaded.problems[0].code == "unreadable-file":
            return f"cannot read {spec['file']}: {loaded.problems[0].message}"
        return loaded
    inline = spec.get("contract")
    if not isinstance(inline, Mapping):
        return "a test needs `file` (a contract file) or `contract` (the contract inline)"
    # Positions of an inline contract are lines of the test file, under `contract`.
    sub = LoadedContract(str(case), dict(inline), lines=doc.lines)
    n = len(("contract",))
    sub.positions = {k[n:]: v for k, v in doc.positions.items() if k[:n] == ("contract",)}
    sub.key_positions = {k[n:]: v for k, v in doc.key_positions.items() if k[:n] == ("contract",)}
    return sub


def _outcomes(
    pack: Pack, contract: LoadedContract, today: _dt.date | None
) -> dict[str, list[tuple[str, int | None]]]:
    """Every rule's outcomes (one per element for `each`) with the line each points at."""
    out: dict[str, list[tuple[str, int | None]]] = {}
    for p in contract.problems:
        rule = PROBLEM_RULES.get(p.code, p.code)
        out.setdefault(rule, []).append(("fail", p.line))
    if contract.data is None:
        out.setdefault("unreadable-contract", []).append(("fail", None))
        return out
    data = contract.data
    if pack.schema is not None:
        data, problems = pack.schema.apply(data)
        for sp in problems:
            rule = PROBLEM_RULES.get(sp.code, "contract-schema")
            pos = (contract.key_positions.get(sp.path) if sp.key else None) or position_of(
                contract, sp.path
            )
            out.setdefault(rule, []).append(("fail", pos.line if pos else None))
    for loc in pack.run(data, today):
        pos = position_of(contract, loc.path) if loc.path is not None else None
        out.setdefault(loc.result.rule, []).append((loc.result.outcome, pos.line if pos else None))
    for compiled in pack.rules:
        out.setdefault(compiled.id, [])
    for tool_rule in (
        "contract-schema",
        "duplicate-key",
        "unreadable-value",
        "unreadable-contract",
    ):
        out.setdefault(tool_rule, [("pass", None)])
    return out
