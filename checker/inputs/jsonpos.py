"""Position table for JSON text: where every value and object key starts, by data path."""

from __future__ import annotations

import contextlib
import functools
import json
import re
from collections.abc import Callable
from typing import Generic, TypeVar

from ..fastclass import dataclass, field

P = TypeVar("P")
DataPath = tuple[str | int, ...]

RawProblem = tuple[str, str, int, int, DataPath]
"""(code, message, line, column, path); the loader turns these into its own problem type."""


# The JSON grammar as Python's `json` module reads it (it also accepts NaN and Infinity).
# Compiled when the first JSON text is scanned, not at import (YAML-only runs need none).
@functools.cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Whitespace, a string and a number."""
    return (
        re.compile(r"[ \t\n\r]*"),
        re.compile(r'"[^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*"'),
        re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?"),
    )


_WORDS = ("true", "false", "null", "NaN", "Infinity", "-Infinity")


@dataclass
class JsonScan(Generic[P]):
    """What `scan` found. A scan stops early on text that is not JSON (the caller then
    takes the syntax error from `json.loads`) or at a limit (`fatal` says which)."""

    positions: dict[DataPath, P] = field(default_factory=dict)
    key_positions: dict[DataPath, P] = field(default_factory=dict)
    problems: list[RawProblem] = field(default_factory=list)
    fatal: RawProblem | None = None


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on one document; past them the scan stops with a fatal problem."""

    max_depth: int
    max_values: int
    max_steps: int  # total length of all data paths: bounds the size of the position table


class _Stop(Exception):
    """Ends the scan early: the text is not valid JSON, or a limit was reached."""


class _Container:
    """An array or object being scanned."""

    __slots__ = ("entry", "index", "is_object", "keys", "path")

    def __init__(self, path: DataPath, is_object: bool) -> None:
        self.path = path
        self.is_object = is_object
        self.index = 0
        # object key -> [line of the key, first log index of its value, end log index]
        self.keys: dict[str, list[int]] = {}
        self.entry: list[int] | None = None


def scan(
    text: str,
    make: Callable[[int, int], P],
    check_number: Callable[[str], tuple[str, str] | None],
    limits: Limits,
) -> JsonScan[P]:
    """Record where every value and key of the JSON `text` starts, by data path.

    Positions are made by `make(line, column)`, 1-based, columns in characters, lines
    split at `\\n` as `json` counts them. A duplicate key becomes a "duplicate-key"
    problem (the last value is kept, as `json.loads` does). `check_number` sees each
    number and NaN/Infinity literal and may return a (code, message) problem for it.
    Never raises for bad text: the scan stops, incomplete.
    """
    return _Scanner(text, make, check_number, limits).run()


class _Scanner(Generic[P]):
    """One pass over the text; iterative, so nesting depth costs no Python stack."""

    def __init__(
        self,
        text: str,
        make: Callable[[int, int], P],
        check_number: Callable[[str], tuple[str, str] | None],
        limits: Limits,
    ) -> None:
        self.text = text
        self.make = make
        self.check_number = check_number
        self.limits = limits
        self.result: JsonScan[P] = JsonScan()
        self.line = 1
        self.line_start = 0  # offset of the first character of the current line
        self.values = 0
        self.steps = 0
        self.log: list[DataPath] = []  # every path recorded, in order, to undo a duplicate
        self.ws_re, self.string_re, self.number_re = _patterns()

    def skip(self, i: int) -> int:
        """Skip whitespace from i, keeping count of lines."""
        text = self.text
        j = self.ws_re.match(text, i).end()  # type: ignore[union-attr]  # `*` always matches
        breaks = text.count("\n", i, j)
        if breaks:
            self.line += breaks
            self.line_start = text.rindex("\n", i, j) + 1
        return j

    def stop(self, code: str, message: str, i: int, path: DataPath) -> _Stop:
        self.result.fatal = (code, message, self.line, i - self.line_start + 1, path)
        return _Stop()

    def run(self) -> JsonScan[P]:
        with contextlib.suppress(_Stop):  # the scan stopped early: `fatal` says why, if at all
            self._run()
        return self.result

    def _run(self) -> None:
        text = self.text
        n = len(text)
        positions = self.result.positions
        limits = self.limits
        stack: list[_Container] = []
        i = self.skip(0)
        path: DataPath = ()
        while True:
            # A value starts at i, at `path`.
            if i >= n:
                raise _Stop
            positions[path] = self.make(self.line, i - self.line_start + 1)
            self.log.append(path)
            self.values += 1
            self.steps += len(path)
            if self.values > limits.max_values or self.steps > limits.max_steps:
                raise self.stop("too-large", too_many_values_message(limits), i, path)
            c = text[i]
            if c == "{" or c == "[":
                if len(stack) >= limits.max_depth:
                    raise self.stop("too-deep", too_deep_message(limits.max_depth), i, path)
                i = self.skip(i + 1)
                if i < n and text[i] == ("}" if c == "{" else "]"):
                    i += 1
                else:
                    top = _Container(path, c == "{")
                    stack.append(top)
                    if top.is_object:
                        i, path = self.key(i, top)
                    else:
                        path = (*path, 0)
                    continue
            elif c == '"':
                m = self.string_re.match(text, i)
                if m is None:
                    raise _Stop
                i = m.end()
            else:
                i = self.scalar(i, path)
            # The value ended at i: what follows in the enclosing container?
            while True:
                i = self.skip(i)
                if not stack:
                    if i != n:
                        raise _Stop
                    return
                top = stack[-1]
                c = text[i] if i < n else ""
                if c == ",":
                    i = self.skip(i + 1)
                    if top.is_object:
                        i, path = self.key(i, top)
                    else:
                        top.index += 1
                        path = (*top.path, top.index)
                    break
                if c == ("}" if top.is_object else "]"):
                    stack.pop()
                    i += 1
                    continue
                raise _Stop

    def scalar(self, i: int, path: DataPath) -> int:
        """A number or literal word at i; return where it ends."""
        text = self.text
        token = next((w for w in _WORDS if text.startswith(w, i)), None)
        if token is None:
            m = self.number_re.match(text, i)
            if m is None:
                raise _Stop
            token = m.group()
        if token not in ("true", "false", "null"):
            issue = self.check_number(token)
            if issue is not None:
                column = i - self.line_start + 1
                self.result.problems.append((issue[0], issue[1], self.line, column, path))
        return i + len(token)

    def key(self, i: int, obj: _Container) -> tuple[int, DataPath]:
        """An object key at i, then its colon; return where the value starts, and its path."""
        text = self.text
        m = self.string_re.match(text, i)
        if m is None:
            raise _Stop
        token = m.group()
        key: str = json.loads(token) if "\\" in token else token[1:-1]
        line, column = self.line, i - self.line_start + 1
        i = self.skip(m.end())
        if i >= len(text) or text[i] != ":":
            raise _Stop
        i = self.skip(i + 1)
        path = (*obj.path, key)
        log = self.log
        if obj.entry is not None:
            obj.entry[2] = len(log)  # the previous value ended where this key begins
        first = obj.keys.get(key)
        if first is not None:
            message = duplicate_key_message(key, first[0])
            self.result.problems.append(("duplicate-key", message, line, column, path))
            positions = self.result.positions
            key_positions = self.result.key_positions
            for old in log[first[1] : first[2]]:  # forget the overridden value's positions
                positions.pop(old, None)
                key_positions.pop(old, None)
        entry = [line, len(log), len(log)]
        obj.keys[key] = entry
        obj.entry = entry
        self.result.key_positions[path] = self.make(line, column)
        return i, path


def duplicate_key_message(key: str, first_line: int) -> str:
    """The message for a repeated mapping key (YAML and JSON alike keep the last value)."""
    return f"duplicate key {key!r} (first defined at line {first_line}); the last value is used"


def too_deep_message(max_depth: int) -> str:
    """The message for data nested deeper than the limit."""
    return f"the data is nested more than {max_depth} levels deep"


def too_many_values_message(limits: Limits) -> str:
    """The message for a document past the value or path-length budget."""
    return (
        f"the contract holds too many values (more than {limits.max_values:,}, or more than "
        f"{limits.max_steps:,} path steps counting each nesting level)"
    )
