"""Data and position tables for YAML text, built from PyYAML's parser events without recursion."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable
from typing import Any, Final, Generic, Protocol, TypeVar

from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentEndEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from checker.inputs import jsonpos

from ..fastclass import dataclass

DataPath = tuple[str | int, ...]
FatalProblem = tuple[str, str, int | None, int | None, DataPath]
"""(code, message, line, column, path) of a problem that stops loading (no line: unknown)."""

Issue = tuple[str, str]  # (code, message) of a non-fatal problem with one value
Scalar = tuple[Any, Issue | None]  # a scalar's value, and what was wrong with it


class Located(Protocol):
    """A position as the loader makes it: 1-based line and column."""

    @property
    def line(self) -> int: ...
    @property
    def column(self) -> int: ...


P = TypeVar("P", bound=Located)


@dataclass(frozen=True, slots=True)
class Rules(Generic[P]):
    """What the loader decides: how positions are made, how numbers are read, the limits."""

    make: Callable[[int, int], P]  # (line, column) -> position
    number: Callable[[str], Scalar | None]  # a plain scalar's number; None: not a number
    limits: jsonpos.Limits
    max_alias_values: int  # values reached through aliases (billion laughs)
    # When positions are a tuple class of (line, column) (`make` makes them so), the fast
    # builder makes them itself: a Python call less per value and key.
    tuple_class: type[P] | None = None


class Fatal(Exception):
    """Stops building: the file gives no data."""

    def __init__(self, problem: FatalProblem) -> None:
        super().__init__(problem[1])
        self.problem = problem


def _fatal(code: str, message: str, pos: Located | None = None, path: DataPath = ()) -> Fatal:
    line, column = (pos.line, pos.column) if pos is not None else (None, None)
    return Fatal((code, message, line, column, path))


# ----------------------------------------------------------------------------- scalars

_CORE: Final = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL, _TIME = (
    _CORE + t for t in ("str", "int", "float", "bool", "null", "timestamp")
)
_SEQ, _MAP, _MERGE = _CORE + "seq", _CORE + "map", _CORE + "merge"
_TAGGED_KINDS: Final = {_INT: "a number", _FLOAT: "a number", _BOOL: "a boolean",
                        _NULL: "null", _TIME: "a date"}  # fmt: skip

_PLAIN_WORDS: Final[dict[str, bool | None]] = {
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), None),
    **dict.fromkeys(("yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True),
    **dict.fromkeys(("no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False),
}
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?"
    r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?"
)
_RESOLVABLE: Final = frozenset("-+.0123456789~nNyYtTfFoO")  # first letters of non-text


def _plain_scalar(text: str, rules: Rules[Any]) -> Scalar:
    """An untagged plain scalar: null, bool, exact number, date, or else the text itself.

    A date with a time of day (`2025-01-31 10:00:00`) stays text: the rule language has
    dates but no timestamps, and the text loses nothing.
    """
    if text in _PLAIN_WORDS:
        return _PLAIN_WORDS[text], None
    if text[0] in "-+.0123456789":
        number = rules.number(text)
        if number is not None:
            return number
        m = _DATE.fullmatch(text)
        if m is not None:
            try:
                return _dt.date(int(m[1]), int(m[2]), int(m[3])), None
            except ValueError as exc:
                return None, (
                    "unreadable-value",
                    f"{text} is not a valid date ({exc}); it was read as null",
                )
    return text, None


def _tagged_scalar(tag: str, text: str, rules: Rules[Any]) -> Scalar | None:
    """A scalar with an explicit core tag (`!!int 3`); None when the tag is not supported."""
    if tag == _STR:
        return text, None
    wanted = _TAGGED_KINDS.get(tag)
    if wanted is None:
        return None
    value, issue = _plain_scalar(text.strip(), rules) if text.strip() else (None, None)
    timestamp = tag == _TIME and _TIMESTAMP.fullmatch(text.strip())
    if issue is None and _kind(value) != wanted and not timestamp:
        return None, ("unreadable-value", f"{text!r} is not {wanted}; it was read as null")
    return value, issue


def _unsupported(tag: str) -> str:
    shown = "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag
    return (
        f"the tag {shown} is not supported in contract data; the value was not read (null is used)"
    )


def _kind(value: object) -> str:
    if isinstance(value, str):
        return "text"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, _dt.date):
        return "a date"
    return "a number"


# ----------------------------------------------------------------------------- events

_KEY, _VALUE, _MERGING, _SKIP = range(4)  # what a mapping expects next
MERGE_STEP: Final = "<<\x00merge"  # path step of a `<<` value until its mapping closes;
# NUL never occurs in loaded text, so it cannot clash with a real key.


class _Anchor:
    """What `&name` marked: the value, where its positions are in the log, and its size."""

    __slots__ = ("end", "height", "open", "path", "size", "start", "value")

    def __init__(self, value: Any, path: DataPath, start: int, end: int, open_: bool) -> None:
        self.value = value
        self.path = path
        self.start = start  # log index of the anchored value's own entry
        self.end = end  # log index after its last entry (set when a collection closes)
        self.open = open_  # a collection still being read: an alias to it would be a cycle
        self.size = 1  # values, counting what its own aliases expand to
        self.height = 0  # nesting levels of collections inside, itself included


class _Entry(Generic[P]):
    """One key of a mapping: where it is, the log range of its value, the value of a merge."""

    __slots__ = ("end", "pos", "start", "value")

    def __init__(self, pos: P, start: int) -> None:
        self.pos = pos
        self.start = start
        self.end = start
        self.value: Any = None


class _Frame(Generic[P]):
    """A mapping or sequence being read."""

    __slots__ = (
        "anchor", "container", "deepest", "entry", "is_map", "key", "kpos",
        "level", "merges", "mode", "path", "seen", "values_start",
    )  # fmt: skip

    def __init__(self, container: dict[str, Any] | list[Any], path: DataPath, level: int) -> None:
        self.container = container
        self.is_map = isinstance(container, dict)
        self.path = path
        self.level = level
        self.deepest = level
        self.mode = _KEY
        self.key = ""
        self.kpos: P | None = None
        self.entry: _Entry[P] | None = None
        self.seen: dict[str, _Entry[P]] = {}
        self.merges: list[_Entry[P]] = []
        self.anchor: _Anchor | None = None
        self.values_start = 0


class YamlBuilder(Generic[P]):
    """Builds data and positions from the YAML event stream, iteratively.

    PyYAML's composer recurses (two Python frames per level: RecursionError below 500
    levels) and libyaml's composer recurses in C (a crash at 200,000 levels), so the tree
    is built here from parser events, with limits checked as events arrive. Every position
    written is also appended to a log, so that an alias or a merge can copy the positions
    of a subtree and a duplicate key can forget those of the value it overrides.

    `build` raises `Fatal` for a file that gives no data, and lets the parser's
    `yaml.YAMLError` through; otherwise the results are in `data`, `positions`,
    `key_positions` and `problems`.
    """

    def __init__(self, get_event: Callable[[], Event | None], rules: Rules[P]) -> None:
        self.get = get_event
        self.rules = rules
        self.limits = rules.limits
        self.make = rules.make
        self.data: dict[str, Any] | None = None
        self.positions: dict[DataPath, P] = {}
        self.key_positions: dict[DataPath, P] = {}
        self.problems: list[jsonpos.RawProblem] = []
        self.log_paths: list[DataPath] = []
        self.log_values: list[P | None] = []  # None: the path was removed
        self.log_keys: list[P | None] = []
        self.anchors: dict[str, _Anchor] = {}
        self.stack: list[_Frame[P]] = []
        self.values = 0
        self.steps = 0
        self.alias_values = 0

    def next(self) -> Event:
        event = self.get()
        if event is None:  # the parser ended without StreamEnd: cannot happen
            raise _fatal("syntax", "YAML syntax error: unexpected end of the stream")
        return event

    def build(self) -> None:
        """Read the one document of the stream: a mapping (the contract's fields)."""
        self.next()  # StreamStart
        if isinstance(self.next(), StreamEndEvent):
            raise _fatal("empty", "the file holds no YAML document, only comments")
        root = self.next()
        pos = self._pos(root)
        if not isinstance(root, MappingStartEvent) or root.tag not in (None, "!", _MAP):
            raise self._not_a_mapping(root, pos)
        data: dict[str, Any] = {}
        self.values = 1
        self._record((), pos, None)
        self.stack.append(_Frame(data, (), 1))
        self._run()
        self.next()  # DocumentEnd
        event = self.next()
        if not isinstance(event, StreamEndEvent):
            message = (
                "the file holds more than one YAML document ('---'); a contract file holds one"
            )
            raise _fatal("multiple-documents", message, self._pos(event))
        self.data = data

    def _run(self) -> None:
        stack = self.stack
        while stack:
            event = self.next()
            frame = stack[-1]
            cls = type(event)
            if cls is MappingEndEvent or cls is SequenceEndEvent:
                self._close(stack.pop())
                continue
            kpos: P | None = None
            if frame.is_map:
                mode = frame.mode
                if mode == _KEY:
                    self._key(frame, event)
                    continue
                frame.mode = _KEY
                if mode == _SKIP:
                    self._skip(event)
                    continue
                path = (*frame.path, frame.key if mode == _VALUE else MERGE_STEP)
                kpos = frame.kpos
                value = self._node(event, path, kpos)
                if mode == _VALUE:
                    frame.container[frame.key] = value  # type: ignore[call-overload]
                elif frame.entry is not None:
                    frame.entry.value = value
            else:
                container: list[Any] = frame.container  # type: ignore[assignment]
                container.append(self._node(event, (*frame.path, len(container)), None))

    def _node(self, event: Event, path: DataPath, kpos: P | None) -> Any:
        """Read the value that `event` starts (a collection is filled as events follow)."""
        pos = self._pos(event)
        start = len(self.log_paths)
        if isinstance(event, AliasEvent):
            return self._alias(event, path, pos, kpos)
        assert isinstance(event, ScalarEvent | CollectionStartEvent)
        self._count(1, pos, path)
        self._record(path, pos, kpos)
        if isinstance(event, ScalarEvent):
            value, issue = self._scalar(event)
            if issue is not None:
                self._problem(*issue, pos, path)
            if event.anchor is not None:
                self.anchors[event.anchor] = _Anchor(value, path, start, start + 1, False)
            return value
        level = len(self.stack) + 1
        if level > self.limits.max_depth:
            raise _fatal("too-deep", jsonpos.too_deep_message(self.limits.max_depth), pos, path)
        is_map = isinstance(event, MappingStartEvent)
        if event.tag not in (None, "!", _MAP if is_map else _SEQ):
            message = _unsupported(event.tag or "")
            self._problem("unsupported-tag", message, pos, path)
            self._skip(event)
            if event.anchor is not None:  # an alias to it is null as well
                self.anchors[event.anchor] = _Anchor(None, path, start, start + 1, False)
            return None
        frame: _Frame[P] = _Frame({} if is_map else [], path, level)
        frame.values_start = self.values - 1
        if event.anchor is not None:
            frame.anchor = self.anchors[event.anchor] = _Anchor(
                frame.container, path, start, start, True
            )
        self.stack.append(frame)
        return frame.container

    def _not_a_mapping(self, root: Event, pos: P) -> Fatal:
        """The fatal problem for a document whose root is not a plain mapping."""
        if isinstance(root, ScalarEvent):
            value, issue = self._scalar(root)
            if issue is not None and issue[0] == "unsupported-tag":
                return _fatal(*issue, pos)
            if value is None and issue is None:
                return _fatal("empty", "the document is null: there is no contract data", pos)
        elif isinstance(root, CollectionStartEvent) and root.tag not in (None, "!", _SEQ):
            return _fatal("unsupported-tag", _unsupported(root.tag or ""), pos)
        elif isinstance(root, AliasEvent):
            return self._undefined(root, pos)
        kind = "a list" if isinstance(root, SequenceStartEvent) else "a single value"
        return _fatal("not-a-mapping", f"the contract must be a mapping of fields, not {kind}", pos)

    def _scalar(self, event: ScalarEvent) -> Scalar:
        tag = event.tag
        if tag is None:
            return (
                _plain_scalar(event.value, self.rules) if event.implicit[0] else (event.value, None)
            )
        if tag == "!":  # the non-specific tag: text, as the YAML spec says (PyYAML resolves it)
            return event.value, None
        tagged = _tagged_scalar(tag, event.value, self.rules)
        return tagged if tagged is not None else (None, ("unsupported-tag", _unsupported(tag)))

    def _key(self, frame: _Frame[P], event: Event) -> None:
        """Read a mapping key; the value that follows goes to `frame.key` (or is a merge)."""
        pos = self._pos(event)
        if frame.entry is not None:
            frame.entry.end = len(self.log_paths)  # the previous value ended here
            frame.entry = None
        frame.mode = _SKIP
        if isinstance(event, ScalarEvent):
            key = self._key_text(event, pos, frame.path)
            if key is None:
                return
            if event.anchor is not None:
                self.anchors[event.anchor] = _Anchor(key, (), 0, 0, False)
            if event.tag == _MERGE or (event.value == "<<" and event.implicit[0] and not event.tag):
                if frame.merges:  # a later `<<` wins, like any repeated key
                    message = jsonpos.duplicate_key_message("<<", frame.merges[0].pos.line)
                    self._problem("duplicate-key", message, pos, (*frame.path, "<<"))
                frame.entry = _Entry(pos, len(self.log_paths))
                frame.merges.append(frame.entry)
                frame.mode, frame.kpos = _MERGING, pos
                return
        elif isinstance(event, AliasEvent):
            anchor = self.anchors.get(event.anchor or "")
            if anchor is None:
                raise self._undefined(event, pos)
            if not isinstance(anchor.value, str):
                message = f"the key *{event.anchor} is not text; the entry was skipped"
                self._problem("non-string-key", message, pos, frame.path)
                return
            key = anchor.value
        else:
            self._problem("non-string-key", "a mapping key must be text, not a "
                          f"{'mapping' if isinstance(event, MappingStartEvent) else 'list'}; "
                          "the entry was skipped", pos, frame.path)  # fmt: skip
            self._skip(event)
            return
        first = frame.seen.get(key)
        path = (*frame.path, key)
        if first is not None:
            self._problem(
                "duplicate-key", jsonpos.duplicate_key_message(key, first.pos.line), pos, path
            )
            for i in range(first.start, first.end):  # forget the overridden value's positions
                self._tombstone(self.log_paths[i])
        frame.entry = frame.seen[key] = _Entry(pos, len(self.log_paths))
        frame.mode, frame.key, frame.kpos = _VALUE, key, pos

    def _key_text(self, event: ScalarEvent, pos: P, path: DataPath) -> str | None:
        """The text of a scalar key; a warning when YAML would read it as another type."""
        text, tag = event.value, event.tag
        if tag == "!":
            return text
        if tag is None:
            if not event.implicit[0] or text == "<<" or text[:1] not in _RESOLVABLE:
                return text  # quoted, or plain text that cannot be read as anything else
            value = _plain_scalar(text, self.rules)[0]
        elif tag in (_STR, _MERGE):
            return text
        else:
            tagged = _tagged_scalar(tag, text, self.rules)
            if tagged is None:
                self._problem(
                    "unsupported-tag", _unsupported(tag) + "; the entry was skipped", pos, path
                )
                return None
            value = tagged[0]
        if type(value) is not str:
            message = f"the key {text!r} is {_kind(value)} in YAML, not text; it is kept as text"
            self._problem("non-string-key", message, pos, (*path, text))
        return text

    def _alias(self, event: AliasEvent, path: DataPath, pos: P, kpos: P | None) -> Any:
        """The anchored value again (the same object); its positions are copied to `path`."""
        anchor = self.anchors.get(event.anchor or "")
        if anchor is None:
            raise self._undefined(event, pos)
        if anchor.open:
            message = f"the alias *{event.anchor} is inside the value it refers to (a cycle)"
            raise _fatal("recursive-alias", message, pos, path)
        parent = self.stack[-1]
        if parent.level + anchor.height > self.limits.max_depth:
            raise _fatal("too-deep", jsonpos.too_deep_message(self.limits.max_depth), pos, path)
        self.alias_values += anchor.size
        if self.alias_values > self.rules.max_alias_values:
            message = (f"aliases expand to more than {self.rules.max_alias_values:,} values; "
                       "a contract does not need that many (an alias bomb?)")  # fmt: skip
            raise _fatal("alias-limit", message, pos, path)
        self._count(anchor.size, pos, path)
        parent.deepest = max(parent.deepest, parent.level + anchor.height)
        self._record(path, pos, kpos)
        base = len(anchor.path)
        paths, values, keys = self.log_paths, self.log_values, self.log_keys
        for i in range(anchor.start + 1, anchor.end):
            target = path + paths[i][base:]
            vpos = values[i]
            if vpos is None:
                self._tombstone(target)
            else:
                self._record(target, vpos, keys[i])
        return anchor.value

    def _undefined(self, event: AliasEvent, pos: P) -> Fatal:
        name = event.anchor
        return _fatal("syntax", f"the alias *{name} has no anchor &{name} before it", pos)

    def _skip(self, event: Event) -> None:
        """Pass over the collection that `event` starts, building nothing (limits still hold)."""
        if not isinstance(event, CollectionStartEvent):
            return
        depth, base = 1, len(self.stack)
        while depth:
            event = self.next()
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if base + depth > self.limits.max_depth:
                    raise _fatal(
                        "too-deep",
                        jsonpos.too_deep_message(self.limits.max_depth),
                        self._pos(event),
                    )
            elif isinstance(event, MappingEndEvent | SequenceEndEvent):
                depth -= 1
                continue
            self._count(1, self._pos(event), ())

    def _close(self, frame: _Frame[P]) -> None:
        if frame.entry is not None:
            frame.entry.end = len(self.log_paths)
        if frame.merges:
            self._merge(frame)
        if self.stack:
            parent = self.stack[-1]
            parent.deepest = max(parent.deepest, frame.deepest)
        anchor = frame.anchor
        if anchor is not None:
            anchor.open = False
            anchor.end = len(self.log_paths)
            anchor.size = self.values - frame.values_start
            anchor.height = frame.deepest - frame.level + 1

    def _merge(self, frame: _Frame[P]) -> None:
        """Apply `<<` merge keys: the mapping's own keys win, then the last `<<` key, then
        the earlier mappings of a merged list (as PyYAML merges)."""
        mapping: dict[str, Any] = frame.container  # type: ignore[assignment]
        # key -> (value, which merge, which mapping of a merged list)
        chosen: dict[str, tuple[Any, int, int | None]] = {}
        for n, entry in reversed(list(enumerate(frame.merges))):
            value = entry.value
            sources: list[tuple[int | None, Any]] = []
            if isinstance(value, dict):
                sources = [(None, value)]
            elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                sources = list(enumerate(value))
            else:
                message = "the merge key << needs a mapping or a list of mappings; it was ignored"
                self._problem("unreadable-value", message, entry.pos, frame.path)
            for at, source in sources:
                for key, item in source.items():
                    if key not in mapping and key not in chosen:
                        chosen[key] = (item, n, at)
        base = len(frame.path) + 1
        paths, values, keys = self.log_paths, self.log_values, self.log_keys
        for n, entry in enumerate(frame.merges):
            listed = isinstance(entry.value, list)
            for i in range(entry.start + 1, entry.end):
                rel = paths[i][base:]
                slot: str | int | None = None
                if listed:
                    slot, rel = rel[0], rel[1:]
                key = rel[0] if rel else None
                if isinstance(key, str) and chosen.get(key, (None, -1, None))[1:] == (n, slot):
                    target = frame.path + rel
                    vpos = values[i]
                    if vpos is None:
                        self._tombstone(target)
                    else:
                        self._record(target, vpos, keys[i])
        for entry in frame.merges:  # the `<<` values themselves are not data
            for i in range(entry.start, entry.end):
                self._tombstone(paths[i])
        if chosen:
            own = list(mapping.items())
            mapping.clear()
            mapping.update((k, c[0]) for k, c in chosen.items())
            mapping.update(own)

    def _record(self, path: DataPath, pos: P, kpos: P | None) -> None:
        self.positions[path] = pos
        if kpos is not None:
            self.key_positions[path] = kpos
        self.log_paths.append(path)
        self.log_values.append(pos)
        self.log_keys.append(kpos)
        self.steps += len(path)
        if self.steps > self.limits.max_steps:
            raise _fatal("too-large", jsonpos.too_many_values_message(self.limits), pos, path)

    def _tombstone(self, path: DataPath) -> None:
        self.positions.pop(path, None)
        self.key_positions.pop(path, None)
        self.log_paths.append(path)
        self.log_values.append(None)
        self.log_keys.append(None)

    def _count(self, values: int, pos: P, path: DataPath) -> None:
        self.values += values
        if self.values > self.limits.max_values:
            raise _fatal("too-large", jsonpos.too_many_values_message(self.limits), pos, path)

    def _pos(self, event: Event) -> P:
        mark = event.start_mark
        return self.make(mark.line + 1, mark.column + 1) if mark is not None else self.make(1, 1)

    def _problem(self, code: str, message: str, pos: P, path: DataPath) -> None:
        self.problems.append((code, message, pos.line, pos.column, path))


# ----------------------------------------------------------------------------- fast path


class _Unusual(Exception):
    """The fast builder met something only `YamlBuilder` handles; start again with it."""


def build_plain(
    get_event: Callable[[], Event | None], rules: Rules[P]
) -> tuple[dict[str, Any], dict[DataPath, P], dict[DataPath, P]] | None:
    """Data, positions and key positions of a plain document, or None when it is not one.

    Most contract files use none of YAML's rarer features: no anchors, aliases, merge
    keys, explicit tags (other than `!`), duplicate or non-text keys, unreadable values,
    and they stay within the limits. For them this single loop, with no log for aliases
    to copy from and everything in local variables, gives exactly what `YamlBuilder`
    gives in about half the time. On anything else it returns None (at the first such
    event) and the caller builds again with `YamlBuilder`, which reports it.
    """
    try:
        return _plain(get_event, rules)
    except _Unusual:
        return None


def _plain(
    get_event: Callable[[], Event | None], rules: Rules[P]
) -> tuple[dict[str, Any], dict[DataPath, P], dict[DataPath, P]]:
    make, limits, tuple_class, new = rules.make, rules.limits, rules.tuple_class, tuple.__new__
    max_depth, max_values, max_steps = limits.max_depth, limits.max_values, limits.max_steps
    words, resolvable = _PLAIN_WORDS, _RESOLVABLE
    positions: dict[DataPath, P] = {}
    key_positions: dict[DataPath, P] = {}

    def event() -> Event:
        e = get_event()
        if e is None:
            raise _Unusual
        return e

    event()  # StreamStart
    e = event()  # DocumentStart, or StreamEnd for an empty stream
    if type(e) is StreamEndEvent:
        raise _Unusual
    root = event()
    if type(root) is not MappingStartEvent or root.anchor is not None:
        raise _Unusual
    if root.tag not in (None, "!", _MAP):
        raise _Unusual
    mark = root.start_mark
    if mark is None:
        raise _Unusual
    positions[()] = make(mark.line + 1, mark.column + 1)
    data: dict[str, Any] = {}
    values, steps = 1, 0
    # The open collections: (container, its path, is it a mapping); for a mapping, `key`
    # holds the key whose value comes next ("" with `kpos` None: a key comes next).
    stack: list[tuple[Any, DataPath, bool]] = [(data, (), True)]
    container: Any = data
    cpath: DataPath = ()
    is_map = True
    key = ""
    kpos: P | None = None
    while True:
        got = get_event()  # not event(): a call less per value, in the loop that matters
        if got is None:
            raise _Unusual
        e = got
        cls = type(e)
        if cls is MappingEndEvent or cls is SequenceEndEvent:
            stack.pop()
            if not stack:
                break
            container, cpath, is_map = stack[-1]
            kpos = None
            continue
        mark = e.start_mark
        if mark is None:  # never from PyYAML's parsers; `YamlBuilder` copes
            raise _Unusual
        if tuple_class is not None:
            pos = new(tuple_class, (mark.line + 1, mark.column + 1))  # type: ignore[type-var]
        else:
            pos = make(mark.line + 1, mark.column + 1)
        if is_map and kpos is None:  # a key
            if cls is not ScalarEvent or e.anchor is not None:  # type: ignore[attr-defined]
                raise _Unusual
            key = e.value  # type: ignore[attr-defined]
            tag = e.tag  # type: ignore[attr-defined]
            if tag is None:
                if e.implicit[0]:  # type: ignore[attr-defined]
                    if key == "<<":  # a merge key
                        raise _Unusual
                    if key[:1] in resolvable and type(_plain_scalar(key, rules)[0]) is not str:
                        raise _Unusual  # a plain key YAML reads as another type: a warning
            elif tag != "!" and tag != _STR:
                raise _Unusual
            if key in container:
                raise _Unusual
            kpos = pos
            continue
        if e.anchor is not None:  # type: ignore[attr-defined]
            raise _Unusual
        # Concatenation makes the tuple at once; (*cpath, key) goes through a list (2/3 the time).
        path = cpath + (key,) if is_map else cpath + (len(container),)  # noqa: RUF005
        values += 1
        steps += len(path)
        if values > max_values or steps > max_steps:
            raise _Unusual
        positions[path] = pos
        if is_map:
            key_positions[path] = kpos  # type: ignore[assignment]
        if cls is ScalarEvent:
            tag = e.tag  # type: ignore[attr-defined]
            text = e.value  # type: ignore[attr-defined]
            if tag is None and e.implicit[0]:  # type: ignore[attr-defined]
                if text in words:
                    value: Any = words[text]
                elif text[:1] in "-+.0123456789":
                    value, issue = _plain_scalar(text, rules)
                    if issue is not None:
                        raise _Unusual
                else:
                    value = text
            elif tag is None or tag == "!" or tag == _STR:
                value = text
            else:
                raise _Unusual
        elif cls is MappingStartEvent or cls is SequenceStartEvent:
            opens_map = cls is MappingStartEvent
            if e.tag not in (None, "!", _MAP if opens_map else _SEQ):  # type: ignore[attr-defined]
                raise _Unusual
            if len(stack) + 1 > max_depth:
                raise _Unusual
            value = {} if opens_map else []
            if is_map:
                container[key] = value
                kpos = None
            else:
                container.append(value)
            stack.append((value, path, opens_map))
            container, cpath, is_map = value, path, opens_map
            continue
        else:  # an alias
            raise _Unusual
        if is_map:
            container[key] = value
            kpos = None
        else:
            container.append(value)
    if type(event()) is not DocumentEndEvent or type(event()) is not StreamEndEvent:
        raise _Unusual
    return data, positions, key_positions
