"""A whole `check` run: packs per file, waivers, baseline, parallel workers, in file order."""

from __future__ import annotations

import contextlib
import datetime as _dt
import itertools
import json
import os
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import Any, Final

from . import __version__
from .api import Pack, load_pack, rule_count
from .config import Config, ConfigError, ConfigProblem, PackUse, Waiver, matches_any
from .fastclass import dataclass, field
from .lang.typecheck import suggest
from .models import Finding, Report, Suppression, ToolInfo, fingerprint, summarise
from .packs import packcache
from .packs.pack import PackError, builtin_packs, resolve_pack
from .report.sources import CONTEXT_LINES
from .runner import FileResult, check_file, suppressible_ids
from .selection import (
    DocumentFilter,
    OwnFiles,
    Selection,
    candidates,
    inside,
    outside_target,
    resolved,
)
from .toolrules import TOOL_PACK, TOOL_RULES, tool_finding, tool_message_zh

# The files the built-in `document` pack applies to when the default packs run.
DOCUMENT_GLOBS = ("*.md", "*.markdown", "*.txt", "*.docx", "*.MD", "*.TXT", "*.DOCX")


@dataclass
class Plan:
    """What to run: packs with the globs they apply to, files, and the settings in force."""

    config: Config
    packs: list[tuple[Pack, tuple[str, ...]]]
    today: _dt.date | None = None
    baseline: Counter[str] | None = None
    baseline_file: Path | None = None
    baselined: int = 0  # findings the baseline left out (counted apart in reports)
    used_waivers: set[int] = field(default_factory=set)
    # Set by the run: the files checked, and whether the run covered every file of the
    # configuration (a folder holding it, or its `paths`), not only some (pre-commit).
    checked: set[Path] = field(default_factory=set)
    scanned: list[Path] = field(default_factory=list)
    complete: bool = True
    # `--documents`: folder scans read every document, whatever the configuration says.
    all_documents: bool = False
    _rule_ids: frozenset[str] | None = None

    def packs_for(self, file: str) -> list[Pack]:
        return [
            p for p, globs in self.packs if not globs or matches_any(file, globs, self.config.root)
        ]

    def is_template(self, file: str) -> bool:
        """Whether the configuration's `templates` globs make the file a template."""
        return bool(self.config.templates) and matches_any(
            file, self.config.templates, self.config.root
        )

    def document_filter(self) -> DocumentFilter | None:
        """Which documents folder scans read: `--documents` or `documents: true` all of
        them, `documents:` globs those they match; by default none."""
        wanted = True if self.all_documents else self.config.documents
        if wanted is True:
            return lambda path: True
        if not wanted:
            return None
        globs = list(wanted)
        return lambda path: matches_any(str(path), globs, self.config.root)

    @property
    def all_packs(self) -> list[Pack]:
        return [p for p, _ in self.packs]

    def rule_ids(self) -> frozenset[str]:
        """Every rule an inline suppression may name, those the configuration turns off too."""
        if self._rule_ids is None:
            self._rule_ids = suppressible_ids(self.all_packs, self.config.disabled)
        return self._rule_ids

    def own_files(self) -> OwnFiles:
        """The configuration, pack, schema and baseline files of this run, and the folders
        of its packs' tests: never checked as contracts."""
        files: dict[Path, str] = {}
        for f in (self.config.file, self.config.baseline, self.baseline_file):
            if f is not None:
                files[resolved(f)] = (
                    "the tool's configuration" if f == self.config.file else ("a baseline report")
                )
        tests: set[Path] = set()
        for pack in self.all_packs:
            for f in pack.files:
                files[resolved(f)] = "a rule pack"
                tests.add(f.resolve().parent / "tests")
            if pack.schema is not None and Path(pack.schema.name).is_file():
                files[resolved(Path(pack.schema.name))] = "a contract schema of a pack"
        return OwnFiles(files, frozenset(tests))


def make_plan(
    config: Config, cli_packs: Sequence[str], today: _dt.date | None, baseline: Path | None
) -> Plan:
    """Load the packs (the command line's replace the configuration's) and the baseline.

    Raises PackError or ConfigError: both end the run with exit status 2.
    """
    uses = [PackUse(ref) for ref in cli_packs] if cli_packs else list(config.packs)
    if not uses:
        # The built-in `document` pack reads only documents: it applies to them alone.
        uses = [
            PackUse(name, DOCUMENT_GLOBS if name == "document" else ()) for name in builtin_packs()
        ]
    base = config.root if config.file and not cli_packs else Path.cwd()
    uses = _without_extended(uses, base)
    packs: list[tuple[Pack, tuple[str, ...]]] = []
    problems = []
    for use in uses:
        try:
            packs.append((load_pack(use.ref, use.params, base), use.files))
        except PackError as exc:
            problems.extend(exc.problems)
    if problems:
        raise PackError(problems)
    _apply_rule_settings(config, [p for p, _ in packs])
    plan = Plan(config, packs, today)
    if baseline is not None:
        plan.baseline = read_baseline(baseline)
        plan.baseline_file = baseline
    return plan


def _without_extended(uses: list[PackUse], base: Path) -> list[PackUse]:
    """Drop a plain pack that another selected pack extends: its rules already run there
    (so `drafting` is compiled once when `prc-service-contract` is selected too)."""
    paths: dict[int, Path] = {}
    for i, use in enumerate(uses):
        with contextlib.suppress(PackError):  # reported when the pack is loaded
            paths[i] = resolve_pack(use.ref, base)
    # A pack's cache entry lists every pack it extends, however indirectly: a pack one of
    # those entries covers is not read at all (its own YAML would say nothing new; reading
    # `drafting` took a tenth of a warm one-file run).
    cached = {i: packcache.cached_extends(p) for i, p in paths.items()}
    covered: set[Path] = set().union(*(c for c in cached.values() if c is not None))
    for i, path in paths.items():
        if cached[i] is None and path not in covered:
            covered |= packcache.extended_by(path)
    return [
        u
        for i, u in enumerate(uses)
        if not (i in paths and paths[i] in covered and not u.files and not u.params)
    ]


def _apply_rule_settings(config: Config, packs: list[Pack]) -> None:
    known = {f"{r.pack}/{r.id}" for p in packs for r in p.rules} | {
        r.id for p in packs for r in p.rules
    }
    problems = []
    for key in [*config.severity, *sorted(config.disabled)]:
        if key not in known:
            near = suggest(key, sorted(known))
            problems.append(
                ConfigProblem(
                    f"`rules` names an unknown rule `{key}`",
                    config.rule_positions.get(key),
                    f"did you mean `{near}`?" if near else "see `contract-checker rules`",
                )
            )
    if problems:
        assert config.file is not None
        problems.sort(key=lambda p: (p.position.line, p.position.column) if p.position else (0, 0))
        raise ConfigError.of(config.file, problems)
    for pack in packs:
        pack.adjust(config.severity, config.disabled)


def read_baseline(path: Path) -> Counter[str]:
    """The fingerprints of a previous JSON report (how many times each occurred)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        findings = doc["findings"]
        counts: Counter[str] = Counter()
        for f in findings:
            counts[
                fingerprint(
                    Finding(
                        file=f["file"],
                        record=f.get("record"),
                        pack=f["pack"],
                        rule=f["rule"],
                        pointer=f.get("pointer", ""),
                        severity=f["severity"],
                        outcome=f["outcome"],
                        message=f.get("message", ""),
                    )
                )
            ] += 1
        return counts
    except FileNotFoundError:
        raise ConfigError(
            path, "baseline file not found", hint="create it with --write-baseline"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ConfigError(path, f"not a contract-checker JSON report: {exc}") from None


# -- workers ------------------------------------------------------------------------------

_WORKER_PLAN: Plan | None = None


def _init_worker(plan: Plan) -> None:
    global _WORKER_PLAN
    _WORKER_PLAN = plan


def _check_in_worker(path: str) -> FileResult:
    assert _WORKER_PLAN is not None
    return _check(_WORKER_PLAN, path)


def _check(plan: Plan, path: str | Path) -> FileResult:
    # The result names the file by the very text the selection holds: a name is kept per
    # file to the end of the run, once rather than twice.
    name = path if isinstance(path, str) else str(path)
    result = check_file(
        name,  # not a Path: pathlib would intern each file's name
        plan.packs_for(name),
        plan.today,
        display_name=name,
        rule_ids=plan.rule_ids(),
        template=plan.is_template(name),
    )
    # Keep only the source lines findings point at, with the lines around them that
    # reports quote as context: memory stays flat over many files.
    wanted = {f.line + d for f in result.findings if f.line for d in CONTEXT_LINES}
    if wanted:
        result.lines = [line if i + 1 in wanted else "" for i, line in enumerate(result.lines)]
    else:
        result.lines = _NO_LINES
    return _slim(result)


def _slim(result: FileResult) -> FileResult:
    """A clean file (most of a large run) keeps its name and outcomes only: its empty
    lists are replaced by shared ones, which is safe as every later step makes new lists
    rather than changing a result's."""
    if not result.findings and not result.skip_reasons:
        result.findings, result.lines, result.skip_reasons = _NO_FINDINGS, _NO_LINES, _NO_SKIPS
    return result


_NO_FINDINGS: Final[list[Finding]] = []
_NO_LINES: Final[list[str]] = []
_NO_SKIPS: Final[dict[tuple[str, str], str]] = {}


def run_files(
    plan: Plan,
    files: Sequence[str | Path],
    jobs: int,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[FileResult]:
    """Check files in order; with jobs > 1, in worker processes (results still in order)."""
    total = len(files)
    if jobs <= 1 or total < 2:
        for i, path in enumerate(files):
            yield _check(plan, path)
            if progress:
                progress(i + 1, total)
        return
    from concurrent.futures import ProcessPoolExecutor  # with logging &c.: only for --jobs

    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(plan,)) as pool:
        chunk = max(1, min(16, total // (jobs * 8)))
        for i, result in enumerate(
            pool.map(_check_in_worker, [str(p) for p in files], chunksize=chunk)
        ):
            if result.file == files[i]:
                result.file = str(files[i])  # the selection's own text, not a second copy
            yield _slim(result)  # shared empties again: unpickling made new ones
            if progress:
                progress(i + 1, total)


def select_files(plan: Plan, paths: Sequence[Path]) -> Selection:
    """The contract files under the paths: folders are listed (what git ignores left out),
    files named are taken as they are; then the configuration's `exclude`, the tool's own
    files, and symlinks out of the checked tree are left out (and said why)."""
    own = plan.own_files()
    exclude = plan.config.exclude
    found, missing = candidates(paths, plan.document_filter())
    selection = Selection(missing=missing, targets=list(paths))
    for c in found:
        if c.explicit:
            selection.explicit.add(str(c.path))
        why = own.reason(c.path)
        if why is None and exclude and matches_any(str(c.path), exclude, plan.config.root):
            why = "excluded by the configuration's `exclude`"
        if why is not None:
            selection.skipped.append((c.path, why, c.explicit))
            continue
        target = outside_target(c)
        if target is not None:
            selection.outside_links.append((c.path, str(target)))
        else:
            selection.files.append(str(c.path))
    plan.scanned = [p.resolve() for p in paths if p.is_dir()]
    plan.complete = _covers_configuration(plan)
    return selection


def _covers_configuration(plan: Plan) -> bool:
    """Whether the run's folders hold every file the configuration is about: a folder
    holding the configuration, or every folder of its `paths`."""
    if inside(plan.config.root.resolve(), plan.scanned):
        return True
    wanted = [Path(p).resolve() for p in plan.config.paths]
    return bool(wanted) and all(inside(w, plan.scanned) for w in wanted)


def outside_link_result(link: Path, target: str) -> FileResult:
    """The finding on a symlink that points out of the checked tree (it is not read)."""
    message = f"symbolic link to {target}, outside the checked folder: not followed"
    zh = tool_message_zh("symlink-outside-tree", f"{target}（未读取）")
    finding = tool_finding(str(link), "symlink-outside-tree", message, message_zh=zh)
    return FileResult(str(link), [finding], [])


def skip_notes(
    selection: Selection, results: Sequence[FileResult], verbose: bool, others: bool = False
) -> list[str]:
    """Lines for stderr about files left out: those named on the command line always
    (as ruff warns about them), the others with --verbose. `others`: the run has other
    inputs (record files), so finding no contract file is not worth a note."""
    skipped = [(str(p), why, explicit) for p, why, explicit in selection.skipped]
    skipped += [
        (r.file, r.skipped, r.file in selection.explicit) for r in results if r.skipped is not None
    ]
    notes = [f"skipped {file}: {why}" for file, why, explicit in skipped if explicit or verbose]
    if all(r.skipped is not None for r in results) and not selection.outside_links and not others:
        notes.append("no contract files found in " + ", ".join(map(str, selection.targets)))
    return notes


# -- waivers and baseline ------------------------------------------------------------------


def apply_waivers(plan: Plan, result: FileResult) -> FileResult:
    """Mark the findings that a live waiver covers (they stay reported, and are counted);
    an inline suppression in the file comes first."""
    # Which files were checked matters only to tell unused waivers in a partial run:
    # not kept otherwise (memory stays flat over many files).
    if result.skipped is None and plan.config.waivers and not plan.complete:
        plan.checked.add(resolved(Path(result.file)))
    if not result.findings:
        return result
    today = plan.today or _dt.date.today()
    out = []
    for f in result.findings:
        for i, w in enumerate(plan.config.waivers if f.suppression is None else ()):
            if w.expires is not None and w.expires < today:
                continue
            if w.covers(f.pack, f.rule, f.file, f.pointer, plan.config.root):
                plan.used_waivers.add(i)
                f = f.model_copy(
                    update={
                        "suppression": Suppression(
                            reason=w.reason,
                            approver=w.approver,
                            expires=w.expires.isoformat() if w.expires else None,
                        )
                    }
                )
                break
        out.append(f)
    result.findings = out
    return result


def apply_baseline(plan: Plan, result: FileResult) -> FileResult:
    """Drop the findings the baseline already had (matched by fingerprint, as many times)."""
    if plan.baseline is None:
        return result
    kept = []
    for f in result.findings:
        fp = fingerprint(f)
        if plan.baseline[fp] > 0:
            plan.baseline[fp] -= 1
            plan.baselined += 1
        else:
            kept.append(f)
    result.findings = kept
    return result


def waiver_findings(plan: Plan) -> list[Finding]:
    """Expired waivers (errors) and unused live waivers (warnings), at their config line."""
    config = plan.config
    if config.file is None:
        return []
    today = plan.today or _dt.date.today()
    out = []
    for i, w in enumerate(config.waivers):
        pos = w.position
        common: dict[str, Any] = {
            "file": _display(config.file),
            "line": pos.line if pos else None,
            "column": pos.column if pos else None,
            "pointer": f"/waivers/{i}",
            "pack": TOOL_PACK,
        }
        if w.expires is not None and w.expires < today:
            message = (
                f"waiver for {w.rule} expired on {w.expires.isoformat()} "
                f"(reason: {w.reason}); renew it or fix the findings"
            )
            out.append(
                Finding(
                    **common,
                    rule="expired-waiver",
                    severity=TOOL_RULES["expired-waiver"].severity,
                    outcome="error",
                    message=message,
                    message_zh=f"豁免已于{w.expires.isoformat()}过期：{w.rule}（理由：{w.reason}）",
                )
            )
        elif i not in plan.used_waivers and _waiver_in_run(plan, w):
            message = f"waiver for {w.rule} matched no finding; remove it"
            out.append(
                Finding(
                    **common,
                    rule="unused-waiver",
                    severity=TOOL_RULES["unused-waiver"].severity,
                    outcome="error",
                    message=message,
                    message_zh=tool_message_zh("unused-waiver", message),
                )
            )
    return out


def _waiver_in_run(plan: Plan, w: Waiver) -> bool:
    """Whether the run saw every file the waiver is about, so that "unused" means unused:
    a partial run (pre-commit passes only the changed files) says nothing of the others.

    A file named is seen when it was checked or is in a folder the run scanned; a glob,
    when the folder before its first wildcard was scanned; a waiver naming no files needs
    a run over the whole configuration."""
    if plan.complete:
        return True
    if not w.files:
        return False
    for entry in w.files:
        parts = PurePosixPath(entry.removeprefix("./")).parts
        fixed = list(itertools.takewhile(lambda part: not set(part) & set("*?["), parts))
        base = resolved(plan.config.root.joinpath(*fixed)) if fixed else plan.config.root.resolve()
        if len(fixed) == len(parts) and base in plan.checked:
            continue
        if not inside(base, plan.scanned):
            return False
    return True


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def build_report(files: list[FileResult], extra: list[Finding], plan: Plan) -> Report:
    findings = [f for fr in files for f in fr.findings] + extra
    skipped = sum(1 for fr in files if fr.skipped is not None)
    return Report(
        tool=ToolInfo(version=__version__),
        findings=findings,
        summary=summarise(
            findings, len(files) - skipped, rule_count(plan.all_packs), skipped, plan.baselined
        ),
    )
