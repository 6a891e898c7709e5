"""Atomic file writes: a report is either the old file or the whole new one, never half of it."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


@contextlib.contextmanager
def atomic_open(path: Path) -> Iterator[BinaryIO]:
    """A binary file to write `path` through: a temporary file in its folder, renamed over
    `path` when the block ends without an exception (and removed when it raises).

    The rename is atomic on one file system, so a crash, a full disk or an error while
    writing leaves the previous file as it was; a report written bit by bit (record runs
    stream their findings) is never seen half-written. Creates missing parent folders.
    Raises OSError when the folder cannot be created or written.
    """
    import tempfile  # on first write: a check that writes nothing does not load it

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp creates the file 0600; a report gets the usual permissions (umask applies).
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically (see `atomic_open`). Raises OSError."""
    with atomic_open(path) as fh:
        fh.write(data)


def atomic_write_text(path: Path, text: str) -> None:
    """`atomic_write_bytes` of `text` encoded as UTF-8; raises UnicodeEncodeError before
    anything is written when the text cannot be encoded (a lone surrogate)."""
    atomic_write_bytes(path, text.encode("utf-8"))
