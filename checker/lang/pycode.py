"""Generated Python source to a function: the nesting bound, the bytecode cache, a bare namespace."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import itertools
import marshal
import pickle
import re
from collections.abc import Callable, Sequence
from typing import Any, Final

from .cache import loads, named
from .runtime import _BUILTINS, _RUNTIME, DEOPT_ERRORS, DEOPTED, SKIPPED

MAX_NESTING: Final = 150
"""Deepest bracket nesting of one generated line. Python refuses more than 200 nested
brackets ("too many nested parentheses") and generated code nests about three per level of
the tree, so `a + a + …` with 68 terms, well inside the parser's depth limit, would not
compile; an expression past this bound is left to the interpreter."""
_BRACKETS: Final = re.compile(r"[()\[\]{}]")


def fits(line: str) -> bool:
    """True when a generated line nests brackets at most MAX_NESTING deep (generated code
    holds no string literals: every constant is a closure variable)."""
    if sum(line.count(c) for c in "([{") <= MAX_NESTING:
        return True  # fewer brackets in all than the bound: the usual case, quickly
    steps = (1 if c in "([{" else -1 for c in _BRACKETS.findall(line))
    return max(itertools.accumulate(steps)) <= MAX_NESTING


def build(
    consts: list[Any], body_lines: list[str], key: str | None = None
) -> tuple[Callable[..., Any], str] | None:
    """The generated function, or None if Python cannot compile it (a limit of its own
    compiler that `fits` did not foresee: the caller then leaves it to the interpreter).
    With a `key`, the function is kept as a unit (see `load_unit`) under it."""
    params = ", ".join(f"_k{i}" for i in range(len(consts)))
    source = (
        f"def _make({params}):\n"
        f"    def _fast(_d, _p, _L, _ctx):\n"
        + "".join(f"        {line}\n" for line in body_lines)
        + "    return _fast\n"
    )
    try:
        code = _code(source) if key is None else compile(source, _FILENAME, "exec")
    except (SyntaxError, RecursionError, MemoryError):
        return None
    if key is not None:
        _save_unit(key, source, code, consts)
    return _made(code, consts), source


_FILENAME: Final = "<contract-checker expression>"


def _made(code: Any, consts: Sequence[Any]) -> Callable[..., Any]:
    namespace: dict[str, Any] = dict(_RUNTIME)
    namespace["__builtins__"] = dict(_BUILTINS)  # the generated code needs no others
    namespace["_DEOPT_ERRORS"] = DEOPT_ERRORS
    namespace["_DEOPTED"] = DEOPTED
    namespace["_SKIPPED"] = SKIPPED
    exec(code, namespace)  # our generated code: user values are closure constants, not text
    made: Callable[..., Any] = namespace["_make"](*consts)
    return made


# -- units: generated functions kept whole between runs ----------------------------------
#
# A unit is what `build` makes for one key (an expression's text and the names it sees;
# a pack's batch of rules): its bytecode, its constants and its source. A warm run builds
# its functions from units without generating code, so without reading any syntax tree
# (generating the code of the built-in packs was a tenth of a warm one-file check).


def unit_key(kind: str, lets: frozenset[str], *texts: str | None) -> str:
    """The key of a unit: its kind, the let names it sees and the texts that decide its
    code (the code generator's own modules are in the cache file's name, see cache.stamp).

    A digest of their repr, not the texts joined by a separator: a pack's texts may hold
    any character, and a crafted one must not be able to name another pack's unit."""
    parts = (kind, tuple(sorted(lets)), texts)
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()


def load_unit(key: str) -> tuple[Callable[..., Any], str] | None:
    """The function and source kept under `key`, or None (absent or unreadable)."""
    raw = named("units").get(key)
    if not isinstance(raw, tuple) or len(raw) != 3:
        return None
    source, code_bytes, consts_bytes = raw
    try:
        code = marshal.loads(code_bytes)
        consts = _load_consts(consts_bytes)
    except Exception:  # a damaged or foreign unit: generate the code again
        return None
    if not isinstance(source, str) or not isinstance(consts, list):
        return None
    return _made(code, consts), source


class _ConstPickler(pickle.Pickler):
    """Constants by value; a bare `object()` (a unit's private key for hoisted values
    and indexes) by its place, so that it comes back as one new object per unit."""

    def __init__(self, file: io.BytesIO) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.marks: dict[int, int] = {}

    def persistent_id(self, obj: Any) -> Any:
        if type(obj) is object:
            return self.marks.setdefault(id(obj), len(self.marks))
        return None


def _save_unit(key: str, source: str, code: Any, consts: list[Any]) -> None:
    out = io.BytesIO()
    try:
        _ConstPickler(out).dump(consts)
    except Exception:  # a constant that does not pickle: this unit is generated each run
        return
    named("units").put(key, (source, marshal.dumps(code), out.getvalue()))


def _load_consts(raw: bytes) -> Any:
    marks: dict[Any, object] = {}

    def mark(pid: Any) -> object:
        if not isinstance(pid, int):
            raise pickle.UnpicklingError("a unit's private object is named by a number")
        return marks.setdefault(pid, object())

    return loads(raw, _allowed_consts(), mark)


@functools.cache
def _allowed_consts() -> frozenset[tuple[str, str]]:
    """What a unit's constants may name: the built-in functions' implementations and the
    few runtime helpers generated code receives as constants."""
    from .functions import FUNCTIONS

    impls = {(f.impl.__module__, f.impl.__qualname__) for f in FUNCTIONS.values()}
    return frozenset(
        {
            *impls,
            ("builtins", "frozenset"),
            ("builtins", "set"),
            ("checker.lang.located", "_paths"),
            ("checker.lang.interpreter", "ElemPaths"),
        }
    )


def _code(source: str) -> Any:
    """Python bytecode for generated source; kept between runs (compiling a pack's batch
    function takes ~10 ms, reading it back a fraction of that)."""
    cache = named("code")  # the file name carries Python's version: bytecode is not portable
    key = source  # the whole text: no hash function to load, no collision to fear
    raw = cache.get(key)
    if isinstance(raw, bytes):
        with contextlib.suppress(ValueError, EOFError, TypeError):
            return marshal.loads(raw)
    code = compile(source, _FILENAME, "exec")
    cache.put(key, marshal.dumps(code))
    return code
