"""Which files a `check` run reads: folder listing (git-aware), the tool's own files, symlinks."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Final

from .config import CONFIG_NAMES
from .fastclass import dataclass, field

CONTRACT_SUFFIXES: Final = (".yaml", ".yml", ".json")
DOCUMENT_SUFFIXES: Final = (".md", ".markdown", ".txt", ".docx")
GIT_TIMEOUT: Final = 10.0  # seconds; a slower git is not waited for (no ignoring then)

# Never contract drafts, whether or not git ignores them: tool folders, and well-known
# YAML/JSON files of other tools. `.pre-commit-hooks.yaml` matches the same selection.
DEFAULT_EXCLUDED_DIRS: Final = frozenset(
    {"node_modules", "build", "dist", "venv", "site-packages", "__pycache__"}
)
DEFAULT_EXCLUDED_FILES: Final = (
    *CONFIG_NAMES,
    "docker-compose*.y*ml",
    "compose.y*ml",
    "package.json",
    "package-lock.json",
    "tsconfig*.json",
)


# Documents a folder scan never reads, even with `documents: true`: a project's own files.
DEFAULT_EXCLUDED_DOCUMENTS: Final = (
    "README*",
    "readme*",
    "CHANGELOG*",
    "CHANGES*",
    "HISTORY*",
    "LICENSE*",
    "LICENCE*",
    "COPYING*",
    "NOTICE*",
    "AUTHORS*",
    "CONTRIBUTING*",
    "CODE_OF_CONDUCT*",
    "SECURITY*",
    "*requirements*.txt",
    "CMakeLists.txt",
    "robots.txt",
)

# Which documents a folder scan reads, given their path: None reads none.
DocumentFilter = Callable[[Path], bool]


def default_selected(relative: str, documents: bool = False) -> bool:
    """Whether a folder scan checks this file (a `/`-separated path inside the folder):
    a .yaml/.yml/.json file outside hidden and tool folders, not another tool's file;
    with `documents`, a .md/.markdown/.txt/.docx file too, not a project's README or
    licence."""
    parts = relative.split("/")
    name = parts[-1]
    lower = name.lower()
    document = documents and lower.endswith(DOCUMENT_SUFFIXES)
    if not (lower.endswith(CONTRACT_SUFFIXES) or document):
        return False
    if any(p.startswith(".") for p in parts) or any(p in DEFAULT_EXCLUDED_DIRS for p in parts[:-1]):
        return False
    excluded = DEFAULT_EXCLUDED_DOCUMENTS if document else DEFAULT_EXCLUDED_FILES
    return not any(fnmatch.fnmatchcase(name, g) for g in excluded)


@dataclass(frozen=True)
class Candidate:
    """A file to check: whether it was named on the command line, and the folders its
    symlink may point into (the scanned folder, the git work tree)."""

    path: Path
    explicit: bool
    roots: tuple[Path, ...] = ()


@dataclass
class Selection:
    """The files of a run, the paths that do not exist, and what was left out and why."""

    targets: list[Path] = field(default_factory=list)
    # As text, not Path objects: a path object costs ~500 bytes, its text ~70.
    files: list[str] = field(default_factory=list)
    missing: list[tuple[Path, str]] = field(default_factory=list)
    skipped: list[tuple[Path, str, bool]] = field(default_factory=list)  # path, why, explicit
    outside_links: list[tuple[Path, str]] = field(default_factory=list)  # link, where it points
    explicit: set[str] = field(default_factory=set)


def _git(folder: Path, *args: str) -> str | None:
    """The output of a git command run in `folder`, or None (no git, not a work tree, slow)."""
    import subprocess  # folder scans only: checking named files starts without it

    try:
        r = subprocess.run(
            ["git", "-C", str(folder), *args],
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if r.returncode != 0:
        return None
    return r.stdout.decode("utf-8", "surrogateescape")


def git_root(folder: Path) -> Path | None:
    """The top of the git work tree holding `folder`, or None."""
    out = _git(folder, "rev-parse", "--show-toplevel")
    return Path(out.strip()).resolve() if out and out.strip() else None


def _git_listing(folder: Path) -> list[str] | None:
    """Files under `folder` git does not ignore (tracked, or untracked and not ignored by
    .gitignore, .git/info/exclude or the global excludes), relative to it; None outside
    a work tree, or when git is absent. An ignored folder named on the command line is
    listed in full, as its files were asked for."""
    out = _git(folder, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    if out is None:
        return None
    names = sorted({n for n in out.split("\0") if n})
    if not names and _git(folder, "check-ignore", "-q", ".") is not None:
        return None  # the folder itself is ignored: its files were named on purpose
    return names


def _walk(folder: Path) -> list[str]:
    """Every file under `folder`, relative to it (hidden folders are not entered)."""
    out: list[str] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and d not in DEFAULT_EXCLUDED_DIRS
        )
        rel = Path(root).relative_to(folder).as_posix()
        out.extend(f if rel == "." else f"{rel}/{f}" for f in files)
    return sorted(out)


def inside(path: Path, roots: Iterable[Path]) -> bool:
    return any(path == r or path.is_relative_to(r) for r in roots)


def candidates(
    paths: Sequence[Path], documents: DocumentFilter | None = None
) -> tuple[Iterator[Candidate], list[tuple[Path, str]]]:
    """The files under the given paths (folders listed, files as named), and the paths
    that do not exist. Folders give documents only those `documents` accepts.

    The files come one at a time, as they are taken or left out: a folder of 100,000
    contracts never has a path object alive for each (about 500 bytes apiece).
    """
    missing = [
        (p, "no such file or directory") for p in paths if not p.is_dir() and not os.path.lexists(p)
    ]
    return _found(paths, documents), missing


def _found(paths: Sequence[Path], documents: DocumentFilter | None) -> Iterator[Candidate]:
    roots: dict[Path, Path | None] = {}

    def root_of(folder: Path) -> Path | None:
        key = folder.resolve()
        if key not in roots:
            roots[key] = git_root(key)
        return roots[key]

    for path in paths:
        if path.is_dir():
            listing = _git_listing(path)
            names = _walk(path) if listing is None else listing
            top = root_of(path) if listing is not None else None
            allowed = (path.resolve(), *((top,) if top else ()))
            base = os.fspath(path)
            for n in names:
                if not default_selected(n, documents is not None):
                    continue
                # From the joined text, not `path / n`: pathlib interns the parts it is
                # given, and `n` (kept alive by `names`) would grow the interpreter's
                # table of interned strings by one entry per file.
                full = os.path.join(base, n)
                if listing is not None and not os.path.lexists(full):
                    continue
                candidate = Path(full)
                if (
                    documents is None
                    or not n.lower().endswith(DOCUMENT_SUFFIXES)
                    or documents(candidate)
                ):
                    yield Candidate(candidate, False, allowed)
        elif os.path.lexists(path):
            allowed = (path.parent.resolve(),)
            if path.is_symlink():
                top = root_of(path.parent)
                allowed = (*allowed, *((top,) if top else ()))
            yield Candidate(path, True, allowed)


def outside_target(c: Candidate) -> Path | None:
    """Where a symlink points when that is outside the folders it may point into."""
    if not c.path.is_symlink():
        return None
    target = Path(os.path.realpath(c.path))
    return None if inside(target, c.roots) else target


def resolved(path: Path) -> Path:
    """An absolute path with its folders resolved but not the file itself (a symlink is
    where the link is, not where it points)."""
    return path.parent.resolve() / path.name


@dataclass(frozen=True)
class OwnFiles:
    """The tool's own files, which are never contracts: configuration, packs, the schemas
    and baseline they name, and pack tests (the cases `contract-checker test` reads)."""

    files: dict[Path, str] = field(default_factory=dict)
    test_dirs: frozenset[Path] = frozenset()
    # Each folder resolved once (its files come together): not a syscall per folder level
    # for each of its files. An OwnFiles serves one selection of files.
    _folders: dict[Path, Path] = field(default_factory=dict, compare=False, repr=False)

    def reason(self, path: Path) -> str | None:
        """Why `path` is not a contract, or None when it may be one."""
        if path.name in CONFIG_NAMES:
            return "the tool's configuration"
        parent = path.parent
        folder = self._folders.get(parent)
        if folder is None:
            folder = self._folders[parent] = parent.resolve()
        where = folder / path.name  # as `resolved(path)`
        if where in self.files:
            return self.files[where]
        folder = where.parent
        if folder.name == "tests" and (
            folder in self.test_dirs or (folder.parent / "pack.yaml").is_file()
        ):
            return "a rule-pack test"
        return None
