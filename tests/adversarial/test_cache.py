"""The per-user caches cannot be made to load someone else's file, and never break a run."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from checker.lang import cache, parse
from checker.lang.cache import DiskCache
from checker.lang.nodes import Binary, Literal


@pytest.fixture
def home(xdg_cache_home: Path) -> Path:
    return xdg_cache_home


def _entry(name: str = "trees") -> str:
    return f"{name}-{cache.stamp()}.pickle"


def _plant(path: Path, items: Any, mode: int = 0o600) -> None:
    path.write_bytes(pickle.dumps(items))
    path.chmod(mode)


class _RunsShell:
    """A pickle that runs a shell command when loaded by an unrestricted unpickler."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.system, (f"touch {self.marker}",))


def test_a_private_folder_is_used(home: Path) -> None:
    folder = home / "contract-checker"
    c = DiskCache("trees")
    c.put("1 + 1", Literal("number", 2))
    c.save()
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    entry = folder / _entry()
    assert oct(entry.stat().st_mode & 0o777) == "0o600"
    assert DiskCache("trees").get("1 + 1") == Literal("number", 2)


def test_a_symlinked_folder_is_refused_and_the_run_still_works(home: Path, tmp_path: Path) -> None:
    evil = tmp_path / "evil"
    evil.mkdir(mode=0o700)
    _plant(evil / _entry(), {"1 + 1": Literal("number", 3)})
    (home / "contract-checker").symlink_to(evil)
    assert cache.folder_fd() is None
    assert parse("1 + 1") != Literal("number", 3)
    env = {**os.environ, "XDG_CACHE_HOME": str(home), "PYTHONPATH": os.getcwd()}
    r = subprocess.run(
        [sys.executable, "-m", "checker", "eval", "1 + 1"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=tmp_path,
    )
    assert (r.returncode, r.stdout.strip(), r.stderr) == (0, "2", "")
    assert sorted(p.name for p in evil.iterdir()) == [_entry()]  # nothing written there


def test_a_folder_writable_by_others_is_refused(home: Path) -> None:
    folder = home / "contract-checker"
    folder.mkdir()
    folder.chmod(0o777)
    assert cache.folder_fd() is None


def test_an_entry_that_is_a_symlink_is_refused(home: Path, tmp_path: Path) -> None:
    folder = home / "contract-checker"
    folder.mkdir(mode=0o700)
    target = tmp_path / "elsewhere.pickle"
    _plant(target, {"x": "planted"})
    (folder / _entry()).symlink_to(target)
    assert DiskCache("trees").get("x") is None


def test_an_entry_writable_by_others_is_refused(home: Path) -> None:
    folder = home / "contract-checker"
    folder.mkdir(mode=0o700)
    _plant(folder / _entry(), {"x": "planted"}, mode=0o666)
    os.chmod(folder / _entry(), 0o666)  # whatever the umask
    assert DiskCache("trees").get("x") is None


@pytest.mark.skipif(os.getuid() != 0, reason="only root can give a file to another user")
def test_an_entry_owned_by_another_user_is_refused(home: Path) -> None:
    folder = home / "contract-checker"
    folder.mkdir(mode=0o700)
    _plant(folder / _entry(), {"x": "planted"})
    os.chown(folder / _entry(), 12345, -1)
    assert DiskCache("trees").get("x") is None


def test_a_pickle_naming_os_system_is_refused(home: Path, tmp_path: Path) -> None:
    folder = home / "contract-checker"
    folder.mkdir(mode=0o700)
    marker = tmp_path / "pwned"
    _plant(folder / _entry(), {"1 + 1": _RunsShell(marker)})
    fd = cache.folder_fd()
    assert fd is not None
    with pytest.raises(pickle.UnpicklingError, match=r"posix\.system, which is not allowed"):
        cache.read_entry(fd, _entry())
    assert DiskCache("trees").items == {}
    assert isinstance(parse("1 + 1"), Binary)
    assert not marker.exists()


def test_swapping_the_folder_for_a_symlink_before_it_is_opened_disables_the_cache(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = home / "contract-checker"
    evil = tmp_path / "evil"
    evil.mkdir(mode=0o700)
    _plant(evil / _entry(), {"x": "planted"})
    real_open = os.open

    def racing_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if str(path) == str(folder):  # after mkdir, before open: the attacker swaps
            folder.rmdir()
            folder.symlink_to(evil)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", racing_open)
    assert cache.folder_fd() is None
    assert DiskCache("trees").get("x") is None


def test_swapping_the_folder_after_it_is_checked_cannot_redirect_reads(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = home / "contract-checker"
    folder.mkdir(mode=0o700)
    evil = tmp_path / "evil"
    evil.mkdir(mode=0o700)
    _plant(evil / _entry(), {"x": "planted"})
    assert cache.folder_fd() is not None
    real_open = os.open

    def racing_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if str(path).endswith(".pickle") and folder.is_dir() and not folder.is_symlink():
            folder.rename(home / "moved-away")  # between the check and the entry's open
            folder.symlink_to(evil)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", racing_open)
    c = DiskCache("trees")
    assert folder.is_symlink()  # the swap did happen
    assert c.get("x") is None


def test_a_truncated_entry_is_ignored_and_replaced(home: Path) -> None:
    folder = home / "contract-checker"
    folder.mkdir(mode=0o700)
    raw = pickle.dumps({"x": "a value that is long enough to cut in half"})
    (folder / _entry()).write_bytes(raw[: len(raw) // 2])
    c = DiskCache("trees")
    assert c.items == {}
    c.put("y", "new")
    c.save()
    assert DiskCache("trees").get("y") == "new"


def test_a_failed_write_leaves_the_old_entry_whole_and_no_temporary_file(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = home / "contract-checker"
    first = DiskCache("trees")
    first.put("x", "old")
    first.save()
    before = (folder / _entry()).read_bytes()

    def disk_full(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    second = DiskCache("trees")
    second.put("y", "new")
    second.save()  # the error is swallowed: a cache never breaks a run
    assert (folder / _entry()).read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == [_entry()]


def test_writes_go_through_a_temporary_file_renamed_into_place(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    renamed: list[tuple[str, str]] = []
    real_replace = os.replace

    def spy(src: Any, dst: Any, **kwargs: Any) -> None:
        renamed.append((str(src), str(dst)))
        real_replace(src, dst, **kwargs)

    monkeypatch.setattr(os, "replace", spy)
    c = DiskCache("trees")
    c.put("x", "v")
    c.save()
    [(src, dst)] = renamed
    assert dst == _entry()
    assert src.startswith(f".{_entry()}.") and src.endswith(".tmp")


def test_a_stored_value_of_the_wrong_kind_is_parsed_again(home: Path) -> None:
    c = cache.tree_cache()
    c.put("1 + 1", "not a tree")
    assert parse("1 + 1") != "not a tree"


@pytest.mark.parametrize("name", ["grammar", "package", "lark", *cache.SHAPING_MODULES])
def test_every_input_of_the_caches_is_part_of_their_key(
    name: str, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = DiskCache("trees").name
    real = cache.source_digest
    monkeypatch.setattr(
        cache, "source_digest", lambda n: real(n) + (b"changed" if n == name else b"")
    )
    cache.stamp.cache_clear()
    assert DiskCache("trees").name != before


def test_the_python_version_is_part_of_the_key(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = DiskCache("code").name
    monkeypatch.setattr(sys, "version", sys.version + " (another build)")
    cache.stamp.cache_clear()
    assert DiskCache("code").name != before


def test_the_shaping_modules_exist() -> None:
    here = Path(cache.__file__).parent
    assert all((here / m).is_file() for m in cache.SHAPING_MODULES)
