"""Check contract files: find them, load them, run the packs, and turn results into findings."""

from __future__ import annotations

import datetime as _dt
import os
import sys
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Final

from . import __version__
from .api import Pack, rule_count
from .fastclass import dataclass, field
from .inputs.contracts import DocumentContract, load_contract
from .inputs.docschema import DOCUMENT_KEY
from .inputs.document import PositionKind
from .inputs.loader import LoadedContract, Position, pointer, position_of
from .inputs.schema import SchemaProblem
from .models import Finding, Report, ToolInfo, summarise
from .packs.pack import CompiledRule
from .selection import candidates, outside_target
from .suppress import MARK, apply_directives, read_directives
from .toolrules import PROBLEM_RULES, TOOL_PACK, TOOL_RULES, tool_finding, tool_message_zh

if TYPE_CHECKING:
    from . import api_models


def discover(paths: Iterable[str | os.PathLike[str]]) -> Iterator[tuple[Path, str | None]]:
    """Contract files under the given paths (folders listed as `check` lists them), with
    an error text for a path that does not exist or a symlink out of the checked tree."""
    found, missing = candidates([Path(p) for p in paths])
    for c in found:
        target = outside_target(c)
        yield c.path, (None if target is None else "symbolic link out of the checked tree")
    yield from missing


_CODE: dict[str, str] = {"pass": "p", "skip": "s", "missing": "m", "fail": "f", "error": "e"}
_OUTCOME: dict[str, str] = {c: o for o, c in _CODE.items()}


_SAME_MAX: Final = 4096  # distinct outcome strings kept for sharing


class Outcomes(Mapping[tuple[str, str], str]):
    """Every rule's outcome on one file, kept small for runs over many files: the (pack,
    rule) keys are one tuple shared by every file checked with the same rules, and each
    outcome is one character (about 150 bytes a file instead of 7 KB for a dict)."""

    __slots__ = ("_codes", "_index")
    # Each set of keys (rules in run order) with their positions: one copy per set of rules.
    _shared: ClassVar[dict[tuple[tuple[str, str], ...], dict[tuple[str, str], int]]] = {}

    # Files with the same outcomes of the same rules (most files of a run) share one object.
    _same: ClassVar[dict[tuple[int, str], Outcomes]] = {}

    @classmethod
    def shared(cls, outcomes: Mapping[tuple[str, str], str]) -> Outcomes:
        """The outcomes, as the object another file with the same ones already has."""
        made = cls(outcomes)
        key = (id(made._index), made._codes)  # the index lives on in `_shared`: ids stay
        found = cls._same.get(key)
        if found is None:
            if len(cls._same) >= _SAME_MAX:
                cls._same.clear()
            found = cls._same[key] = made
        return found

    def __init__(self, outcomes: Mapping[tuple[str, str], str]) -> None:
        # Most files of a run have the same outcomes: one string for all of them.
        self._set(tuple(outcomes), sys.intern("".join(_CODE[v] for v in outcomes.values())))

    def _set(self, keys: tuple[tuple[str, str], ...], codes: str) -> None:
        index = self._shared.get(keys)
        if index is None:
            index = self._shared[keys] = {k: i for i, k in enumerate(keys)}
        self._index = index
        self._codes = codes

    def __getitem__(self, key: tuple[str, str]) -> str:
        return _OUTCOME[self._codes[self._index[key]]]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._codes)

    def __repr__(self) -> str:
        return f"Outcomes({dict(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # From a worker process: the keys are shared again on arrival.
        return (_outcomes, (tuple(self._index), self._codes))


def _outcomes(keys: tuple[tuple[str, str], ...], codes: str) -> Outcomes:
    out = Outcomes.__new__(Outcomes)
    out._set(keys, codes)
    return out


@dataclass(slots=True)
class FileResult:
    """Everything found in one file, and the source lines for showing them."""

    file: str
    findings: list[Finding]
    lines: list[str]
    # Every rule's outcome on this file, passes included (one per rule: the worst of its
    # elements), keyed by (pack, rule); empty when the file could not be read.
    outcomes: Mapping[tuple[str, str], str] = field(default_factory=dict)
    # Why the file was not checked (it is not a contract), or None.
    skipped: str | None = None
    # The record's id when this is one record of a record file (JSON Lines, Parquet).
    record: str | None = None
    # Why a rule was skipped on this file when the file decided it (`not a document`).
    skip_reasons: dict[tuple[str, str], str] = field(default_factory=dict)


def check_file(
    path: str | os.PathLike[str],
    packs: Sequence[Pack],
    today: _dt.date | None = None,
    display_name: str | None = None,
    rule_ids: Collection[str] | None = None,
    loaded: LoadedContract | None = None,
    template: bool = False,
) -> FileResult:
    """Findings for one contract file; a file that cannot be read is a finding, not an error.
    `loaded`: the contract already read (from standard input), instead of reading `path`.
    A .md, .markdown, .txt or .docx file is read as a document; `template`: the
    configuration says it is a template (its blanks are expected).

    A failure of the checker itself on this file (a bug) is a finding too, so that one
    file never stops the others from being checked. A YAML/JSON file that is not a
    contract (see `not_a_contract`) is skipped: `skipped` says why. `rule_ids` are the
    rules an inline suppression may name (default: the packs' and the tool's).
    """
    name = display_name or str(path)
    try:
        return _check_file(path, name, packs, today, rule_ids, loaded, template)
    except Exception as exc:
        message = (
            f"contract-checker failed on this file ({type(exc).__name__}: {exc}); please report it"
        )
        return FileResult(
            name,
            [
                Finding(
                    file=name,
                    pack=TOOL_PACK,
                    rule="internal-error",
                    severity="error",
                    outcome="error",
                    message=message,
                    message_zh=tool_message_zh("internal-error", message),
                )
            ],
            [],
        )


def _add_schema_findings(
    contract: LoadedContract, name: str, problems: list[SchemaProblem], capped: _Capped
) -> None:
    placed = [
        (
            (contract.key_positions.get(sp.path) if sp.key else None)
            or position_of(contract, sp.path),
            sp,
        )
        for sp in problems
    ]
    # In file order, so that the findings listed before a cap are the first ones.
    placed.sort(key=lambda p: (p[0].line, p[0].column) if p[0] else (0, 0))
    for pos, sp in placed:
        if capped.wants(TOOL_PACK, PROBLEM_RULES.get(sp.code, "contract-schema")):
            capped.add(_tool_finding(name, sp.code, "contract-schema", sp.message, sp.path, pos))


def suppressible_ids(packs: Sequence[Pack], more: Iterable[str] = ()) -> frozenset[str]:
    """The rule ids an inline suppression may name: `pack/rule` and the bare id of every
    rule of the packs and of the tool's own, and `more` (rules the configuration turns off)."""
    ids = {f"{pack}/{rule}" for p in packs for pack, rule in p.rule_keys}
    ids |= {f"{TOOL_PACK}/{r}" for r in TOOL_RULES}
    return frozenset(ids | {i.split("/")[-1] for i in ids} | set(more))


def not_a_contract(data: dict[str, Any], packs: Sequence[Pack]) -> str | None:
    """Why loaded data is not a contract, or None: a rule pack (`pack:` and `rules:`), or
    data with no top-level key in common with the contract schemas of the packs."""
    if "pack" in data and "rules" in data:
        return "a rule pack, not a contract"
    known: set[str] = set()
    for pack in packs:
        props = pack.schema.schema.get("properties") if pack.schema is not None else None
        if not isinstance(props, dict):
            return None  # no schema, or one that does not list its fields: cannot tell
        known |= set(props)
    if packs and not known & set(data):
        return "not a contract (no top-level field of the contract schema)"
    return None


def _check_file(
    path: str | os.PathLike[str],
    name: str,
    packs: Sequence[Pack],
    today: _dt.date | None,
    rule_ids: Collection[str] | None,
    loaded: LoadedContract | None = None,
    template: bool = False,
) -> FileResult:
    contract = loaded if loaded is not None else load_contract(path, template)
    document = contract if isinstance(contract, DocumentContract) else None
    kind: PositionKind | None = (
        "docx-paragraph" if document and document.location_kind == "docx-paragraph" else None
    )
    if contract.data is None:
        p = contract.problems[0]
        return FileResult(
            name,
            [
                Finding(
                    file=name,
                    line=p.line,
                    column=p.column,
                    pointer="",
                    pack=TOOL_PACK,
                    rule="unreadable-contract",
                    severity="error",
                    outcome="error",
                    message=f"cannot read the contract: {p.message}",
                    message_zh=tool_message_zh("unreadable-contract", p.message),
                    title="Contract file is readable",
                    location_kind=kind if p.line else None,
                )
            ],
            contract.lines,
        )
    # A document is a contract by its extension: a file named, or selected as a document.
    why = not_a_contract(contract.data, packs) if document is None else None
    if why is not None:
        return FileResult(name, [], [], skipped=why)
    skip = skip_reason(document)
    capped = _Capped()
    for p in contract.problems:
        if capped.wants(TOOL_PACK, PROBLEM_RULES.get(p.code, p.code)):
            pos = Position(p.line, p.column) if p.line and p.column else None
            capped.add(_tool_finding(name, p.code, p.code, p.message, p.path, pos))
    typed_by_schema: dict[str, dict[str, Any]] = {}
    outcomes: dict[tuple[str, str], str] = {}
    skip_reasons: dict[tuple[str, str], str] = {}
    seen_rules: set[tuple[str, str]] = set()
    for pack in packs:
        key = pack.schema.name if pack.schema is not None else ""
        # A pack no rule of which can run on this file (the document pack's on YAML data)
        # runs on the data as read, like a pack without a schema: it is neither typed nor
        # checked against the schema. A pack left with no rules (--select) still is.
        if key not in typed_by_schema and pack.rules and all(skip(r) for r in pack.rules):
            key = ""
            typed_by_schema.setdefault(key, contract.data)
        if key not in typed_by_schema:
            if pack.schema is None:
                typed_by_schema[key] = contract.data
            else:
                typed, problems = pack.schema.apply(contract.data, document=document is not None)
                typed_by_schema[key] = typed
                _add_schema_findings(contract, name, problems, capped)
        # A rule an earlier pack already ran (a shared `extends`) is not run again.
        shared = pack.rule_keys & seen_rules
        more = {"exclude": shared} if shared else {}
        for loc in pack.run(typed_by_schema[key], today, skip, MAX_FINDINGS_PER_RULE + 1, **more):
            r = loc.result
            key_rule = (r.pack, r.rule)
            outcomes[key_rule] = _worst(outcomes.get(key_rule), r.outcome)
            if r.reason is not None:
                skip_reasons[key_rule] = r.reason
            if not r.is_finding or not capped.wants(r.pack, r.rule):
                continue
            pos = _position(contract, loc.path)
            capped.add(
                Finding(
                    file=name,
                    line=pos.line if pos else None,
                    column=pos.column if pos else None,
                    pointer=r.pointer or "",
                    pack=r.pack,
                    rule=r.rule,
                    severity=r.severity,
                    outcome=r.outcome,
                    message=r.message or r.title,
                    refs=list(r.refs),  # those in force at the contract's date
                    values=r.values,
                    title=r.title,
                    message_zh=r.message_zh,
                )
            )
        seen_rules |= pack.rule_keys
    findings = _dedupe(capped.close())
    if kind is not None:
        findings = [f.model_copy(update={"location_kind": kind}) if f.line else f for f in findings]
    if document is not None:
        # Comments can only be in a Markdown document's YAML front matter.
        if document.front_matter_lines:
            front = LoadedContract(
                name,
                contract.data,
                contract.positions,
                contract.key_positions,
                lines=contract.lines[: document.front_matter_lines],
            )
            findings = _suppress(front, name, findings, packs, rule_ids)
    elif not name.lower().endswith(".json"):  # JSON has no comments
        findings = _suppress(contract, name, findings, packs, rule_ids)
    findings.sort(key=lambda f: (f.line or 0, f.column or 0, f.pack, f.rule))
    return FileResult(
        name, findings, contract.lines, Outcomes.shared(outcomes), skip_reasons=skip_reasons
    )


MAX_FINDINGS_PER_RULE: Final = 100  # in one file; then one finding says how many more


class _Capped:
    """A file's findings, at most MAX_FINDINGS_PER_RULE per rule, then one that counts the
    rest: 500,000 unknown keys make a readable report, not 500,000 findings (and memory
    and time stay in proportion to the file). Ask `wants` before building a finding."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.counts: dict[tuple[str, str], int] = {}
        self.first_left_out: dict[tuple[str, str], Finding] = {}

    def wants(self, pack: str, rule: str) -> bool:
        """Count one more finding of the rule: True when it is listed (or is the first left
        out, which the closing summary stands in place of)."""
        key = (pack, rule)
        n = self.counts[key] = self.counts.get(key, 0) + 1
        return n <= MAX_FINDINGS_PER_RULE + 1

    def add(self, finding: Finding) -> None:
        """Add the finding `wants` was last asked about."""
        key = (finding.pack, finding.rule)
        if self.counts.get(key, 0) <= MAX_FINDINGS_PER_RULE:
            self.findings.append(finding)
        else:
            self.first_left_out.setdefault(key, finding)

    def close(self) -> list[Finding]:
        """The listed findings, and one per capped rule, where its first left-out one was."""
        out = self.findings
        for key, first in self.first_left_out.items():
            more = self.counts[key] - MAX_FINDINGS_PER_RULE
            rule = f"{key[0]}/{key[1]}"
            message = (
                f"{more:,} more findings of {rule} in this file are not listed "
                f"(the first {MAX_FINDINGS_PER_RULE} are)"
            )
            message_zh = (
                f"本文件中 {rule} 另有 {more:,} 个问题未列出（仅列出前 {MAX_FINDINGS_PER_RULE} 个）"
            )
            out.append(
                first.model_copy(
                    update={"message": message, "message_zh": message_zh, "values": {}}
                )
            )
        return out


NOT_A_DOCUMENT = "not a document"
NO_FRONT_MATTER = "no contract data: the document has no front matter"


def skip_reason(document: DocumentContract | None) -> Callable[[CompiledRule], str | None]:
    """Which rules a file cannot decide: those reading the document model on YAML/JSON
    data, and those reading contract data on a document without front matter."""
    if document is None:
        return lambda rule: NOT_A_DOCUMENT if DOCUMENT_KEY in rule.reads else None
    if document.front_matter:
        return lambda rule: None
    return lambda rule: NO_FRONT_MATTER if rule.reads - {DOCUMENT_KEY} else None


def _suppress(
    contract: LoadedContract,
    name: str,
    findings: list[Finding],
    packs: Sequence[Pack],
    rule_ids: Collection[str] | None,
) -> list[Finding]:
    """Apply the file's inline suppressions; add findings about the faulty or unused ones."""
    if MARK not in "\n".join(contract.lines):
        # No suppression comment (most files): the packs' rule ids are not even listed
        # (check_paths gives none, and listing them took longer than the rest here).
        return findings
    if rule_ids is None:
        rule_ids = suppressible_ids(packs)

    def make(rule: str, message: str, line: int, column: int, at: str) -> Finding:
        return tool_finding(name, rule, message, line=line, column=column, pointer=at)

    directives, problems = read_directives(contract, rule_ids, make)
    if not directives and not problems:
        return findings
    return apply_directives(directives, findings, make) + problems


_ORDER = {"pass": 0, "skip": 1, "missing": 2, "fail": 3, "error": 4}


def _worst(a: str | None, b: str) -> str:
    """The outcome of a rule from its elements': any error, else any fail, else any missing."""
    if a is None:
        return b
    if {a, b} == {"pass", "skip"}:
        return "pass"
    return a if _ORDER[a] >= _ORDER[b] else b


def _tool_finding(
    file: str,
    code: str,
    default_rule: str,
    message: str,
    path: tuple[str | int, ...],
    pos: Position | None,
) -> Finding:
    """A finding of the tool's own checks (reading the file, the contract schema)."""
    rule = PROBLEM_RULES.get(code, default_rule)
    line, column = (pos.line, pos.column) if pos else (None, None)
    return tool_finding(file, rule, message, line=line, column=column, pointer=pointer(path))


def _position(contract: LoadedContract, path: tuple[str | int, ...] | None) -> Position | None:
    if path is None:
        return Position(1, 1) if contract.positions else None
    return position_of(contract, path)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[Any, ...]] = set()
    out = []
    for f in findings:
        key = (f.pack, f.rule, f.pointer, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def check_paths(
    paths: Iterable[str | os.PathLike[str]], packs: Sequence[Pack], today: _dt.date | None = None
) -> api_models.Report:
    """Check every contract file under `paths` with `packs`; a report of every finding (the
    API's pydantic models)."""
    from . import api_models

    findings: list[Finding] = []
    files = 0
    for path, problem in discover(paths):
        if problem is not None:
            files += 1
            findings.append(
                Finding(
                    file=str(path),
                    pack=TOOL_PACK,
                    rule="unreadable-contract",
                    severity="error",
                    outcome="error",
                    message=f"cannot read the contract: {problem}",
                    message_zh=tool_message_zh("unreadable-contract", problem),
                )
            )
            continue
        result = check_file(path, packs, today)
        files += result.skipped is None
        findings.extend(result.findings)
    report = Report(
        tool=ToolInfo(version=__version__),
        findings=findings,
        summary=summarise(findings, files, rule_count(packs)),
    )
    published: api_models.Report = api_models.public(report)
    return published
