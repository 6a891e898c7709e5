"""Caches kept between runs in the user's private cache folder: parsed trees, compiled code."""

from __future__ import annotations

import atexit
import contextlib
import functools
import hashlib
import io
import os
import pickle
import stat
import sys
from collections.abc import Callable, Collection
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Final

MAX_FILE_BYTES: Final = 32 * 1024 * 1024
"""Largest cache file read or written: a pack with huge expressions must not leave (or
make every later run read) hundreds of megabytes."""

# Opening the folder without following a symbolic link, and its entries relative to the
# opened folder, needs these; where they are missing (Windows) nothing is cached.
_NEEDS: Final = ("O_DIRECTORY", "O_NOFOLLOW", "getuid")


@functools.cache
def folder_fd() -> int | None:
    """An open handle on the user's private cache folder, or None (then nothing is cached).

    The caches hold pickles and bytecode, so the folder must be one nobody else can write
    to: it is opened without following a symbolic link, and the opened folder (not the
    path, which another user owning a parent folder could swap afterwards) must belong to
    this user and not be writable by group or others. Every entry is then opened relative
    to this handle. Setting CONTRACT_CHECKER_NO_CACHE=1 turns caching off.
    """
    if os.environ.get("CONTRACT_CHECKER_NO_CACHE") or not all(hasattr(os, n) for n in _NEEDS):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "contract-checker")
    try:
        os.makedirs(base, mode=0o700, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            os.mkdir(folder, 0o700)
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    if not _private(os.fstat(fd), stat.S_ISDIR):
        os.close(fd)
        return None
    return fd


def _private(info: os.stat_result, kind: Any) -> bool:
    """Of the expected kind, owned by this user, and writable by nobody else."""
    return bool(kind(info.st_mode)) and info.st_uid == os.getuid() and not info.st_mode & 0o022


# -- what a cache entry depends on --------------------------------------------------------

SHAPING_MODULES: Final = (
    "cache.py",
    "larkparse.py",
    "parser.py",
    "nodes.py",
    "values.py",
    "compiler.py",
    "hoist.py",
    "batch.py",
    "runtime.py",
    "pycode.py",
)
"""Modules that build or define what the caches hold (trees, grammar tables, bytecode)."""


def source_digest(name: str) -> bytes:
    """Digest of one input of the caches' contents, by name: a module of SHAPING_MODULES,
    `grammar`, `package` (whose __init__ declares the version) or `lark` (likewise)."""
    if name == "grammar":
        from .parser import grammar_path

        path: Path | None = grammar_path()
    elif name == "package":
        path = Path(__file__).resolve().parent.parent / "__init__.py"
    elif name == "lark":
        spec = find_spec("lark")  # without importing it: a cached parse needs no Lark
        path = Path(spec.origin) if spec is not None and spec.origin else None
    else:
        path = Path(__file__).resolve().parent / name
    try:
        data = path.read_bytes() if path is not None else b"absent"
    except OSError:
        data = b"unreadable"
    return hashlib.sha256(data).digest()


@functools.cache
def stamp() -> str:
    """One digest of everything that shapes a cache's contents; it is part of every cache
    file's name, so an upgrade of the package, of Lark or of Python starts afresh."""
    h = hashlib.sha256()
    for name in ("grammar", "package", "lark", *SHAPING_MODULES):
        h.update(name.encode() + b"\0" + source_digest(name))
    h.update(f"{sys.version}\0{sys.implementation.cache_tag}\0{sys.hexversion}".encode())
    return h.hexdigest()[:16]


# -- reading safely -----------------------------------------------------------------------

_ALLOWED: Final = {
    ("decimal", "Decimal"),
    ("datetime", "date"),
    ("checker.lang.values", "Duration"),
    ("checker.lang.values", "Money"),
    ("checker.lang.nodes", "Span"),
}


class _Unpickler(pickle.Unpickler):
    """Loads only plain data and the project's own tree and value classes (and the
    `allowed` ones a cache of richer objects names, e.g. compiled packs).

    The folder checks keep others from writing the caches; this keeps a planted or
    corrupted file from naming any other callable (`os.system`) even so.
    """

    def __init__(
        self,
        file: io.BytesIO,
        allowed: Collection[tuple[str, str]] = (),
        persistent: Callable[[Any], Any] | None = None,
    ) -> None:
        super().__init__(file)
        self.allowed = allowed
        if persistent is not None:
            self.persistent_load = persistent  # type: ignore[method-assign]

    def find_class(self, module: str, name: str) -> Any:
        if (
            (module, name) in _ALLOWED
            or (module, name) in self.allowed
            or (module == "checker.lang.nodes" and name in _node_names())
        ):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"cache refers to {module}.{name}, which is not allowed")


def loads(
    raw: bytes,
    allowed: Collection[tuple[str, str]] = (),
    persistent: Callable[[Any], Any] | None = None,
) -> Any:
    """Unpickle cached bytes through the restricted unpickler (`allowed`: more classes;
    `persistent`: what stands for an object pickled by reference, see pickle's
    persistent_load; without it such a reference is refused)."""
    return _Unpickler(io.BytesIO(raw), allowed, persistent).load()


@functools.cache
def _node_names() -> frozenset[str]:
    from .nodes import Node

    classes: list[type] = [Node, *Node.__subclasses__()]
    return frozenset(c.__name__ for c in classes)


def read_entry(fd: int, name: str, allowed: Collection[tuple[str, str]] = ()) -> Any:
    """The object stored in `name` inside the folder `fd`; raises OSError if the entry is
    missing, not a private regular file, or too large, and whatever a bad pickle raises.
    `allowed`: classes it may hold besides the trees' and values' (see `_Unpickler`)."""
    entry = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=fd)
    with os.fdopen(entry, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not _private(info, stat.S_ISREG):
            raise PermissionError(f"cache entry {name} is not a private file of this user")
        if info.st_size > MAX_FILE_BYTES:
            raise OSError(f"cache entry {name} is too large")
        # By its size (checked above), as the loader reads a contract: asking for the
        # largest allowed entry would set aside 32 MiB for each cache read at start-up.
        raw = fh.read(info.st_size)
    return loads(raw, allowed)


def write_entry(fd: int, name: str, raw: bytes) -> None:
    """Write `name` inside the folder `fd` atomically: a new private file in the same
    folder, renamed over the old one, so no reader ever sees half a file (a crash or a
    full disk leaves the old entry, or none, plus at worst a stray temporary file)."""
    import secrets  # a warm run writes nothing

    tmp = f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        with os.fdopen(os.open(tmp, flags, 0o600, dir_fd=fd), "wb") as fh:
            fh.write(raw)
        os.replace(tmp, name, src_dir_fd=fd, dst_dir_fd=fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=fd)
        raise


class DiskCache:
    """A dictionary loaded from one file at first use and written back at exit if it grew.

    The file's name carries `stamp()`, so entries made by another version are never read.
    Parallel processes each write a whole file (the last writer wins; both were valid).
    """

    LIMIT: Final = 5_000
    """Past this many entries, saving keeps only those this run used (old packs' trees
    and one-off expressions fall out), so the file stays small and quick to read."""

    def __init__(self, name: str) -> None:
        self.fd = folder_fd()
        self.name = f"{name}-{stamp()}.pickle"
        self.items: dict[str, Any] = {}
        self.used: set[str] = set()
        self.dirty = False
        if self.fd is None:
            return
        try:
            loaded = read_entry(self.fd, self.name)
        except Exception:  # absent, foreign, truncated or corrupt (any error): start afresh
            loaded = None
        if isinstance(loaded, dict) and all(type(k) is str for k in loaded):
            self.items = loaded
        atexit.register(self.save)

    def get(self, key: str) -> Any:
        value = self.items.get(key)
        if value is not None:
            self.used.add(key)
        return value

    def put(self, key: str, value: Any) -> None:
        if self.fd is not None:
            self.items[key] = value
            self.used.add(key)
            self.dirty = True

    def save(self) -> None:
        if not self.dirty or self.fd is None:
            return
        if len(self.items) > self.LIMIT:
            self.items = {k: v for k, v in self.items.items() if k in self.used}
        try:
            raw = pickle.dumps(self.items, protocol=pickle.HIGHEST_PROTOCOL)
            if len(raw) > MAX_FILE_BYTES:
                self.items = {k: v for k, v in self.items.items() if k in self.used}
                raw = pickle.dumps(self.items, protocol=pickle.HIGHEST_PROTOCOL)
            if len(raw) <= MAX_FILE_BYTES:
                write_entry(self.fd, self.name, raw)
            self.dirty = False
        except (OSError, pickle.PicklingError, RecursionError):
            pass  # a cache that cannot be written costs time next run, nothing else


@functools.cache
def named(name: str) -> DiskCache:
    """The one cache of that name in this process."""
    return DiskCache(name)


def tree_cache() -> DiskCache:
    """Syntax trees by expression text, kept between runs.

    Parsing the built-in packs' expressions with Lark takes ~0.2 s, most of a one-file
    `check`; reading the trees back takes a few milliseconds.
    """
    return named("trees")
