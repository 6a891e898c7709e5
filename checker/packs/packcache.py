"""Compiled packs kept between runs, so a warm start neither reads YAML nor type-checks."""

from __future__ import annotations

import functools
import hashlib
import io
import os
import pickle
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from ..lang import cache
from .packfile import PackSource

if TYPE_CHECKING:
    from ..inputs.loader import LoadedContract
    from ..inputs.schema import ContractSchema
    from ..lang import Program
    from .merge import MergedPack
    from .pack import CompiledRule

    Compiled = tuple[MergedPack, Program, list[CompiledRule], dict[str, Any], ContractSchema | None]

FORMAT: Final = 1
"""Bumped when what an entry holds changes shape."""

_ALLOWED: Final = frozenset(
    {
        ("pathlib", "PosixPath"),
        ("datetime", "datetime"),
        ("datetime", "timezone"),
        ("datetime", "timedelta"),
        ("checker.lang", "_stored_expression"),
        ("checker.lang", "_stored_program"),
        ("checker.lang", "Program"),
        ("checker.lang.errors", "Diagnostic"),
        ("checker.lang.types", "Type"),
        ("checker.models", "InForce"),
        ("checker.models", "Ref"),
        ("checker.packs.merge", "MergedPack"),
        ("checker.packs.merge", "RuleSpec"),
        ("checker.packs.pack", "CompiledRule"),
        ("checker.packs.packfile", "PackProblem"),
    }
)
"""Classes a pack entry may name besides cache.py's own (trees and values)."""

# The code whose behaviour decides what compiling a pack gives (besides cache.stamp()'s
# modules): the language, the pack reader, the loaders and schema typing, the models.
_SHAPING_DIRS: Final = ("lang", "packs")
_SHAPING_FILES: Final = (
    "models.py",
    "inputs/loader.py",
    "inputs/yamlpos.py",
    "inputs/jsonpos.py",
    "inputs/schema.py",
    "inputs/docschema.py",
    "inputs/schemare.py",
    "inputs/fastschema.py",
)


@functools.cache
def _code_digest() -> bytes:
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256(cache.stamp().encode() + b"\0%d" % FORMAT)
    files = [p for d in _SHAPING_DIRS for p in sorted((root / d).glob("*.py"))]
    files += [root / f for f in _SHAPING_FILES]
    for f in files:
        h.update(str(f.relative_to(root)).encode() + b"\0" + _digest(f).encode())
    return h.digest()


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "unreadable"


def _entry_name(path: Path, params: Mapping[str, Any] | None) -> str | None:
    """The entry's file name: a digest of the code, the pack's path and the parameters
    (None when the parameters have no faithful text to key by)."""
    try:
        given = repr(sorted((str(k), v) for k, v in (params or {}).items()))
    except Exception:
        return None
    if " object at 0x" in given:
        return None
    h = hashlib.sha256(_code_digest())
    # The path as given too: problems and `files` name it so.
    h.update(f"{path}\0{path.resolve()}\0{given}".encode())
    return f"pack-{h.hexdigest()[:32]}.pickle"


def _entry(name: str) -> dict[str, Any] | None:
    """A valid entry (plain data; its result still pickled), or None: absent, foreign,
    corrupt, or made from files that changed since (their digests are part of it)."""
    fd = cache.folder_fd()
    if fd is None:
        return None
    # Read once per process while its files keep their size and time: a run asks twice
    # (which packs a pack extends, then the pack), and an editor's server again and again.
    seen = _SEEN.get(name)
    if seen is not None and seen[0] == _stats(seen[1]["files"], fd, name):  # entry too
        return seen[1]
    try:
        stats = _stats([], fd, name)
        entry = cache.read_entry(fd, name)
        if not isinstance(entry, dict) or entry.get("format") != FORMAT:
            return None
        if any(_digest(Path(f)) != d for f, d in entry["files"]):
            return None
        _SEEN[name] = ([*_stats(entry["files"]), *stats], entry)
        return entry
    except Exception:  # any damage: compile as if nothing were cached
        return None


_SEEN: dict[str, tuple[list[tuple[int, int, int] | None], dict[str, Any]]] = {}


def _stats(
    files: list[tuple[str, str]], fd: int | None = None, name: str | None = None
) -> list[tuple[int, int, int] | None]:
    """Time, size and inode of each file (then of the entry itself, when named)."""
    out: list[tuple[int, int, int] | None] = []
    for f, _ in files:
        try:
            info = os.stat(f)
            out.append((info.st_mtime_ns, info.st_size, info.st_ino))
        except OSError:
            out.append(None)
    if name is not None:
        try:
            info = os.stat(name, dir_fd=fd, follow_symlinks=False)
            out.append((info.st_mtime_ns, info.st_size, info.st_ino))
        except OSError:
            out.append(None)
    return out


class _LazySource(PackSource):
    """A cached pack's file, read again (data and positions) only if something asks:
    its problems are already found, and positions serve only to locate problems."""

    def __init__(self, path: Path) -> None:  # no dataclass __init__: `doc` comes later
        self.path = path
        self._doc: LoadedContract | None = None

    @property
    def doc(self) -> LoadedContract:
        if self._doc is None:
            from .packfile import _load

            self._doc = _load(self.path)
        return self._doc

    @doc.setter
    def doc(self, value: LoadedContract) -> None:
        self._doc = value


class _Pickler(pickle.Pickler):
    """Pickles a pack file's source by its path: the entry stays small and quick to read."""

    def persistent_id(self, obj: Any) -> Any:
        return str(obj.path) if isinstance(obj, PackSource) else None


def _dumps(result: Any) -> bytes:
    out = io.BytesIO()
    _Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(result)
    return out.getvalue()


def _loads(raw: bytes) -> Any:
    sources: dict[str, _LazySource] = {}

    def source(pid: Any) -> _LazySource:
        if not isinstance(pid, str):
            raise pickle.UnpicklingError("a pack source is named by its path")
        return sources.setdefault(pid, _LazySource(Path(pid)))

    return cache.loads(raw, _ALLOWED, source)


def _read(name: str) -> tuple[bool, Any] | None:
    """A valid entry's (ok, compiled result or problems), or None (see `_entry`): also
    when what it holds is not the shape `_write` stores (the allowed classes, wrongly put
    together, would otherwise fail to unpack or stand for a pack that does not compile)."""
    from .merge import MergedPack
    from .packfile import PackProblem

    entry = _entry(name)
    try:
        if entry is None:
            return None
        ok, stored = entry["ok"], _loads(entry["result"])
    except Exception:
        return None
    if ok is True:
        shaped = isinstance(stored, tuple) and len(stored) == 4
        valid = shaped and isinstance(stored[0], MergedPack)
    else:
        problems = isinstance(stored, list) and bool(stored)
        valid = ok is False and problems and all(isinstance(p, PackProblem) for p in stored)
    return (ok, stored) if valid else None


def extended_by(path: Path) -> set[Path]:
    """`packfile.extended_by`, from the pack's cache entry when it has a valid one (the
    packs it extends are then known without reading any YAML)."""
    from .packfile import extended_by as read_extended

    known = cached_extends(path)
    return known if known is not None else read_extended(path)


def cached_extends(path: Path) -> set[Path] | None:
    """The packs `path` extends (directly or not) as its cache entry lists them, or None
    when it has no valid entry."""
    name = _entry_name(path, None) if cache.folder_fd() is not None else None
    entry = _entry(name) if name is not None else None
    packs = entry.get("packs") if entry is not None else None
    if isinstance(packs, list) and all(isinstance(p, str) for p in packs):
        return {Path(p) for p in packs} - {path}
    return None


def _write(name: str, files: list[Path] | None, ok: bool, result: Any) -> None:
    fd = cache.folder_fd()
    if fd is None or files is None:
        return
    try:
        entry = {
            "format": FORMAT,
            "files": [(str(f), _digest(f)) for f in files],
            "ok": ok,
            "result": _dumps(result),
            "packs": [str(f) for f in result[0].files] if ok else None,
        }
        raw = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
        _SEEN.pop(name, None)
        if len(raw) <= cache.MAX_FILE_BYTES:
            cache.write_entry(fd, name, raw)
    except Exception:
        pass  # not cached: the next run compiles again, nothing else


def compile_cached(path: Path, params: Mapping[str, Any] | None = None) -> Compiled:
    """`compile_pack`, from the cache when the pack's files, schema and the tool are as
    they were: the same result (or the same PackError) without reading or checking."""
    from ..inputs.schema import ContractSchema
    from .pack import PackError, compile_pack

    name = _entry_name(path, params) if cache.folder_fd() is not None else None
    hit = _read(name) if name is not None else None
    if hit is not None:
        ok, stored = hit
        if not ok:
            raise PackError(stored)
        merged, program, rules, values = stored
        try:
            schema = ContractSchema.load(*merged.schema) if merged.schema else None
        except Exception:
            schema = None
            hit = None  # the schema changed under the entry's feet: compile afresh
        if hit is not None:
            return merged, program, rules, values, schema
    try:
        merged, program, rules, values, schema = compile_pack(path, params)
    except PackError as exc:
        # Problems found once every file was read (types, parameters, ...) are kept too.
        if name is not None and exc.read is not None:
            _write(name, exc.read, False, exc.problems)
        raise
    if name is not None:
        # Stored before anything runs: a rule's generated code is built at first use.
        _write(name, files_read(merged), True, (merged, program, rules, values))
    return merged, program, rules, values, schema


def files_read(merged: MergedPack) -> list[Path] | None:
    """Every file compiling the pack read (its packs, its schema), or None when one of
    them could not be found (a cached answer would miss the file appearing)."""
    from ..inputs.schema import SchemaError, resolve_schema_path

    files = list(merged.files)
    if merged.schema is not None:
        try:
            files.append(resolve_schema_path(*merged.schema))
        except SchemaError:
            return None
    return files
