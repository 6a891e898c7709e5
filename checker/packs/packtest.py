"""Pack tests as data: fixture contracts stating which rules must fail, pass, skip or be missing."""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Final

import jsonschema

from ..api import Pack
from ..fastclass import dataclass, field
from ..inputs.contracts import DocumentContract, load_contract
from ..inputs.loader import LoadedContract, load_file, position_of
from ..inputs.schema import data_validator
from ..lang.typecheck import suggest
from ..runner import skip_reason
from ..toolrules import PROBLEM_RULES
from .pack import PackError, builtin_packs, resolve_pack
from .packfile import PackProblem, PackSource, schema_problem
from .packschema import PACK_TEST_SCHEMA

EXPECT_KEYS: Final = ("fail", "pass", "skip", "missing", "error")


@dataclass
class CaseResult:
    """One test case: its errors (a test file that cannot be run as written) and the
    expectations that failed; it passed when both are empty."""

    pack: str
    file: Path
    description: str
    problems: list[str] = field(default_factory=list)
    errors: list[PackProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.errors


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


def pack_warnings(pack_file: Path) -> list[PackProblem]:
    """The pack's load warnings with its default parameters (none when it fails to load:
    its cases report why)."""
    try:
        return Pack(pack_file).warnings
    except PackError:
        return []


def run_pack_tests(
    pack_file: Path, params: Mapping[str, Any] | None = None
) -> Iterator[CaseResult]:
    """Run every case in the pack's tests/ folder; `params` (the configuration's) apply to
    every case, under the case's own `params`."""
    packs: dict[str, Pack] = {}
    for case in case_files(pack_file):
        yield _run_case(pack_file, case, packs, params or {})


def read_case(
    pack_file: Path, case: Path, doc: LoadedContract | None = None
) -> tuple[PackSource | None, list[PackProblem]]:
    """A test file and every error in it: YAML, the pack-test schema (unknown keys with a
    did-you-mean, an empty `expect`), a contract file outside the pack's folder.
    `doc`: the file already read (an editor's unsaved text)."""
    doc = doc if doc is not None else load_file(case)
    if doc.data is None:
        p = doc.problems[0]
        return None, [PackProblem(str(case), p.line, p.column, p.message)]
    src = PackSource(case, doc)
    errors = [src.problem(p.path, p.message) for p in doc.problems]
    for err in sorted(
        data_validator(PACK_TEST_SCHEMA).iter_errors(doc.data),
        key=lambda e: list(map(str, e.absolute_path)),
    ):
        errors.append(_schema_error(src, err))
    ref = doc.data.get("file")
    if isinstance(ref, str) and ref and not _inside(pack_file.parent, case.parent / ref):
        errors.append(
            src.problem(
                ("file",),
                f"`file` {ref} is outside the pack's folder {pack_file.parent.name}/",
                hint="copy the contract into the pack (e.g. tests/fixtures/), so the "
                "pack's tests travel with it",
            )
        )
    return src, errors


def _inside(folder: Path, target: Path) -> bool:
    """Whether `target` names a file under `folder`, by the path as written (`..` counted)."""
    root = os.path.normpath(folder.absolute())
    return os.path.normpath(target.absolute()).startswith(root + os.sep)


def _schema_error(src: PackSource, err: jsonschema.ValidationError) -> PackProblem:
    where = tuple(err.absolute_path)
    if err.validator == "oneOf" and where == ():
        given = err.instance if isinstance(err.instance, Mapping) else {}
        both = "file" in given and "contract" in given
        return src.problem(
            ("file",) if both else (),
            "give either `file` or `contract`, not both"
            if both
            else "a test needs `file` (a contract file) or `contract` (the contract inline)",
        )
    if where == ("expect",) and err.validator in ("minProperties", "type") and not err.instance:
        return src.problem(
            where,
            "`expect` is empty: a test must expect something",
            hint="list rules under fail, pass, skip, missing or error, or say `others: pass`",
        )
    if len(where) == 2 and where[0] == "expect" and err.validator == "minItems":
        return src.problem(where, f"`expect.{where[1]}` lists no rule")
    return schema_problem(src, err)


def _run_case(
    pack_file: Path, case: Path, packs: dict[str, Pack], base: Mapping[str, Any]
) -> CaseResult:
    result = CaseResult(pack_file.parent.name, case, "")
    src, result.errors = read_case(pack_file, case)
    if src is None or result.errors:
        if src is not None and isinstance(src.doc.data, Mapping):
            result.description = str(src.doc.data.get("description", ""))
        return result
    doc = src.doc
    spec: Mapping[str, Any] = doc.data or {}
    result.description = str(spec.get("description", ""))
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
    if isinstance(contract, PackProblem):
        result.errors.append(contract)
        return result
    today = spec.get("today")
    if isinstance(today, str):
        today = _dt.date.fromisoformat(today)  # the schema checked its format
    outcomes = _outcomes(pack, contract, today)
    expect: Mapping[str, Any] = spec["expect"]
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
                near = suggest(rule, list(outcomes))
                result.problems.append(
                    f"{rule}: no such rule in pack {pack.id}"
                    + (f" (did you mean {near}?)" if near else "")
                )
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
        allowed = {"pass": {"pass", "skip"}, "skip": {"skip"}}[str(others)]
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


def _contract(
    case: Path, spec: Mapping[str, Any], doc: LoadedContract
) -> LoadedContract | PackProblem:
    if "file" in spec:
        target = case.parent / str(spec["file"])
        loaded = load_contract(target)  # a document (.md, .txt, .docx) is read as one
        if loaded.data is None and loaded.problems and loaded.problems[0].code == "unreadable-file":
            return PackSource(case, doc).problem(
                ("file",), f"cannot read {spec['file']}: {loaded.problems[0].message}"
            )
        return loaded
    inline = spec["contract"]
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
    document = contract if isinstance(contract, DocumentContract) else None
    if pack.schema is not None:
        data, problems = pack.schema.apply(data, document=document is not None)
        for sp in problems:
            rule = PROBLEM_RULES.get(sp.code, "contract-schema")
            pos = (contract.key_positions.get(sp.path) if sp.key else None) or position_of(
                contract, sp.path
            )
            out.setdefault(rule, []).append(("fail", pos.line if pos else None))
    for loc in pack.run(data, today, skip_reason(document)):
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
