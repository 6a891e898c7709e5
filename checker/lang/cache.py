"""Caches kept between runs in the user's private cache folder: parsed trees, compiled code."""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import pickle
import zlib
from pathlib import Path
from typing import Any, Final


def cache_folder() -> str | None:
    """The user's private cache folder, or None (then nothing is cached).

    The caches hold pickles, so they must not live in a folder someone else can write
    to: a shared temporary folder would let another user plant code. Setting
    CONTRACT_CHECKER_NO_CACHE=1 turns caching off.
    """
    if os.environ.get("CONTRACT_CHECKER_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "contract-checker")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        info = os.stat(folder)
        if info.st_uid != os.getuid() or info.st_mode & 0o022:
            return None
    except (OSError, AttributeError):
        return None
    return folder


class DiskCache:
    """A dictionary loaded from one file at first use and written back at exit if it grew.

    Writes go through a temporary file and an atomic rename, so parallel processes never
    read half a file (the last writer wins; both wrote valid contents).
    """

    LIMIT: Final = 5_000
    """Past this many entries, saving keeps only those this run used (old packs' trees
    and one-off expressions fall out), so the file stays small and quick to read."""

    def __init__(self, name: str) -> None:
        folder = cache_folder()
        self.path = os.path.join(folder, name) if folder else None
        self.items: dict[str, Any] = {}
        self.used: set[str] = set()
        self.dirty = False
        if self.path is None:
            return
        try:
            with open(self.path, "rb") as fh:
                loaded = pickle.load(fh)
            if isinstance(loaded, dict):
                self.items = loaded
        except (
            OSError,
            EOFError,
            pickle.UnpicklingError,
            AttributeError,
            TypeError,
            ValueError,
            ImportError,
            IndexError,
        ):
            self.items = {}  # no cache yet, or one from another version: start afresh
        atexit.register(self.save)

    def get(self, key: str) -> Any:
        value = self.items.get(key)
        if value is not None:
            self.used.add(key)
        return value

    def put(self, key: str, value: Any) -> None:
        if self.path is not None:
            self.items[key] = value
            self.used.add(key)
            self.dirty = True

    def save(self) -> None:
        if not self.dirty or self.path is None:
            return
        if len(self.items) > self.LIMIT:
            self.items = {k: v for k, v in self.items.items() if k in self.used}
        tmp = f"{self.path}.{os.getpid()}.tmp"
        try:
            with open(tmp, "wb") as fh:
                pickle.dump(self.items, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
            self.dirty = False
        except (OSError, pickle.PicklingError, RecursionError):
            with contextlib.suppress(OSError):
                os.unlink(tmp)


@functools.cache
def named(name: str) -> DiskCache:
    """The one cache of that name in this process."""
    return DiskCache(name)


@functools.cache
def tree_cache(grammar: Path) -> DiskCache:
    """Syntax trees by expression text, kept between runs.

    Parsing the built-in packs' expressions with Lark takes ~0.2 s, most of a one-file
    `check`; reading the trees back takes a few milliseconds. The key covers everything
    that shapes a tree: the grammar and the modules that build trees from it.
    """
    here = Path(__file__).resolve().parent
    digest = zlib.crc32(grammar.read_bytes())
    for module in ("parser.py", "nodes.py", "values.py"):
        digest = zlib.crc32((here / module).read_bytes(), digest)
    return named(f"trees-{digest:08x}-v1.pickle")
