"""Generated Python source to a function: the nesting bound, the bytecode cache, a bare namespace."""

from __future__ import annotations

import contextlib
import itertools
import marshal
import re
from collections.abc import Callable
from typing import Any, Final

from .cache import named
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


def build(consts: list[Any], body_lines: list[str]) -> tuple[Callable[..., Any], str] | None:
    """The generated function, or None if Python cannot compile it (a limit of its own
    compiler that `fits` did not foresee: the caller then leaves it to the interpreter)."""
    params = ", ".join(f"_k{i}" for i in range(len(consts)))
    source = (
        f"def _make({params}):\n"
        f"    def _fast(_d, _p, _L, _ctx):\n"
        + "".join(f"        {line}\n" for line in body_lines)
        + "    return _fast\n"
    )
    namespace: dict[str, Any] = dict(_RUNTIME)
    namespace["__builtins__"] = dict(_BUILTINS)  # the generated code needs no others
    namespace["_DEOPT_ERRORS"] = DEOPT_ERRORS
    namespace["_DEOPTED"] = DEOPTED
    namespace["_SKIPPED"] = SKIPPED
    try:
        code = _code(source)
    except (SyntaxError, RecursionError, MemoryError):
        return None
    exec(code, namespace)  # our generated code: user values are closure constants, not text
    return namespace["_make"](*consts), source


def _code(source: str) -> Any:
    """Python bytecode for generated source; kept between runs (compiling a pack's batch
    function takes ~10 ms, reading it back a fraction of that)."""
    cache = named("code")  # the file name carries Python's version: bytecode is not portable
    key = source  # the whole text: no hash function to load, no collision to fear
    raw = cache.get(key)
    if isinstance(raw, bytes):
        with contextlib.suppress(ValueError, EOFError, TypeError):
            return marshal.loads(raw)
    code = compile(source, "<contract-checker expression>", "exec")
    cache.put(key, marshal.dumps(code))
    return code
