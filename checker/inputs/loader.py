"""Load one contract file (YAML or JSON) into plain data, a position table and load problems."""

from __future__ import annotations

import json
import os
import re
import stat
from decimal import Decimal
from typing import Any, Final, Literal, NamedTuple, Protocol

import yaml
from yaml.events import Event
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.scanner import Scanner

from checker.inputs import jsonpos, yamlpos
from checker.lang.values import Number, parse_number_text

from ..fastclass import dataclass, field

DataPath = tuple[str | int, ...]
Format = Literal["yaml", "json"]

MAX_FILE_SIZE: Final = 10 * 1024 * 1024  # bytes of a file (characters of a text)
# Nested mappings/sequences. Schema validation (jsonschema, about four Python frames per
# level with a recursive schema) and rule evaluation recurse, so this stays well inside
# Python's recursion limit: every stage handles every depth the loader accepts.
MAX_DEPTH: Final = 100
MAX_VALUES: Final = 1_000_000  # values in one document, counting alias expansions
MAX_PATH_STEPS: Final = 10_000_000  # sum of all data-path lengths: bounds the position tables
MAX_ALIAS_VALUES: Final = 100_000  # values reached through YAML aliases (billion laughs)
MAX_NUMBER_DIGITS: Final = 100  # digits of a number written out in full

_LIMITS: Final = jsonpos.Limits(MAX_DEPTH, MAX_VALUES, MAX_PATH_STEPS)
_SUFFIXES: Final[dict[str, Format]] = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


class Position(NamedTuple):
    """Where a value (or key) starts in its file: 1-based line and column (in characters).

    A named tuple, not a frozen dataclass: a contract file has one for each value and key,
    and a tuple is made four times faster (a fifth of loading time).
    """

    line: int
    column: int


_tuple_new: Final = tuple.__new__


def _make_position(line: int, column: int) -> Position:
    return _tuple_new(Position, (line, column))


@dataclass(frozen=True, slots=True)
class LoadProblem:
    """Something wrong with a contract file, found while loading it."""

    code: str
    message: str
    line: int | None
    column: int | None
    path: DataPath = ()


@dataclass
class LoadedContract:
    """One contract file: its data, where each value starts, and what was wrong with it.

    `data` is None after a fatal problem, which is then the only one in `problems`.
    Positions are 1-based; columns count characters (a CJK character is one column).
    """

    file: str
    data: dict[str, Any] | None
    positions: dict[DataPath, Position] = field(default_factory=dict)
    key_positions: dict[DataPath, Position] = field(default_factory=dict)
    problems: list[LoadProblem] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


class _Fatal(Exception):
    """Stops loading: the file gives no data."""

    def __init__(self, problem: LoadProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _fatal(code: str, message: str, pos: Position | None = None, path: DataPath = ()) -> _Fatal:
    line, column = (pos.line, pos.column) if pos is not None else (None, None)
    return _Fatal(LoadProblem(code, message, line, column, path))


# ----------------------------------------------------------------------------- public API


def load_file(path: str | os.PathLike[str]) -> LoadedContract:
    """Load a `.yaml`, `.yml` or `.json` contract file.

    Never raises for bad content or an unreadable file: each becomes a `LoadProblem`,
    and a fatal one (unreadable, unparsable, not a mapping, over a limit) leaves `data` None.
    """
    name = os.fspath(path)
    fmt = _SUFFIXES.get(os.path.splitext(name)[1].lower())
    if fmt is None:
        message = f"unsupported file type: {os.path.basename(name)!r} is not .yaml, .yml or .json"
        return _failed(name, _fatal("unsupported-file-type", message))
    try:
        # O_NONBLOCK: opening a FIFO named like a contract must not wait for a writer; only
        # a regular file is then read (checked on the open file, so it cannot be swapped).
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with open(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode):
                message = (
                    f"the file cannot be read: it is {_file_kind(st.st_mode)}, not a regular file"
                )
                return _failed(name, _fatal("unreadable-file", message))
            if st.st_size > MAX_FILE_SIZE:
                return _failed(name, _too_large())
            # Bounded (the file may grow); asking for its size first, as a read of 10 MiB
            # makes Python set aside 10 MiB before it knows the file holds 20 KB.
            raw = fh.read(st.st_size + 1)
            if len(raw) > st.st_size:
                raw += fh.read(MAX_FILE_SIZE + 1 - len(raw))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return _failed(name, _fatal("unreadable-file", f"the file cannot be read: {reason}"))
    return load_text(raw, name, fmt=fmt)


def load_text(
    text: str | bytes, file: str = "<string>", *, fmt: Format | None = None
) -> LoadedContract:
    """Load contract text; bytes must be UTF-8 (a BOM is allowed).

    `fmt` None picks JSON when the text starts with `{` or `[`, YAML otherwise.
    Never raises for bad content: problems are listed, and a fatal one leaves `data` None.
    """
    result = LoadedContract(file, None)
    try:
        if len(text) > MAX_FILE_SIZE:
            raise _too_large()
        if fmt is None:
            fmt = _sniff(text)
        if isinstance(text, bytes):
            text = _decode(text, fmt, result)
        text = text.removeprefix("\ufeff")
        result.lines = _split_lines(text, fmt)
        nul = text.find("\x00")
        if nul >= 0:
            raise _fatal("binary", _BINARY, _locate(text, nul, fmt))
        if not text.strip(" \t\r\n"):
            raise _fatal("empty", "the file is empty")
        if fmt == "json":
            _load_json(text, result)
        else:
            _load_yaml(text, result)
    except _Fatal as stop:  # one clear problem: drop warnings found before it
        result.problems = [stop.problem]
        result.data = None
        result.positions = {}
        result.key_positions = {}
    return result


def pointer(path: DataPath) -> str:
    """The RFC 6901 JSON pointer of a data path: `("a/b", 0)` is `/a~1b/0`, `()` is ``."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def position_of(contract: LoadedContract, path: DataPath) -> Position | None:
    """Where the value at `path` starts, or its nearest enclosing value that exists.

    None only when the contract has no positions at all (it could not be loaded).
    """
    positions = contract.positions
    for end in range(len(path), -1, -1):
        pos = positions.get(path[:end])
        if pos is not None:
            return pos
    return None


# ----------------------------------------------------------------------------- text checks


def _file_kind(mode: int) -> str:
    """What a file that is not a regular one is, for messages."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def _failed(file: str, stop: _Fatal) -> LoadedContract:
    return LoadedContract(file, None, problems=[stop.problem])


_BINARY: Final = "the file contains NUL bytes: it is binary, not text"


def _too_large() -> _Fatal:
    return _fatal("too-large", f"the file is larger than {MAX_FILE_SIZE // (1024 * 1024)} MB")


_YAML_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # YAML 1.1 line breaks, as PyYAML counts


def _split_lines(text: str, fmt: Format) -> list[str]:
    """The source lines, numbered as the parser numbers them (JSON counts only `\\n`)."""
    if fmt == "json":
        lines = [line.removesuffix("\r") for line in text.split("\n")]
    elif not ("\r" in text or "\x85" in text or "\u2028" in text or "\u2029" in text):
        # The usual text (four `in` scans: a twentieth of a regex search for the four).
        lines = text.split("\n")  # five times faster than the split below
    else:
        lines = _YAML_BREAK.split(text)
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return lines


def _locate(text: str, offset: int, fmt: Format) -> Position:
    """The line and column of a character offset."""
    if fmt == "json":
        start = text.rfind("\n", 0, offset) + 1
        return Position(text.count("\n", 0, offset) + 1, offset - start + 1)
    line, start = 1, 0
    for m in _YAML_BREAK.finditer(text, 0, offset):
        line, start = line + 1, m.end()
    return Position(line, offset - start + 1)


def _sniff(text: str | bytes) -> Format:
    """JSON when the first character that is not blank opens an object or array."""
    if isinstance(text, bytes):
        return "json" if text.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[") else "yaml"
    return "json" if text.lstrip("\ufeff \t\r\n")[:1] in ("{", "[") else "yaml"


def _decode(raw: bytes, fmt: Format, result: LoadedContract) -> str:
    """UTF-8 bytes to text, or a fatal problem for binary or otherwise encoded data."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):  # a UTF-16 (or UTF-32 LE) byte order mark
        message = "the file is encoded as UTF-16; contracts must be saved as UTF-8"
        raise _fatal("not-utf8", message, Position(1, 1))
    bad = raw.find(b"\x00")  # before decoding: a binary file is more than bad UTF-8
    code, message = "binary", _BINARY
    if bad < 0:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad, code = exc.start, "not-utf8"
            message = f"the file is not valid UTF-8: byte 0x{raw[bad]:02x} cannot be decoded"
    result.lines = _split_lines(raw.decode("utf-8", "replace"), fmt)
    prefix = raw[:bad].decode("utf-8", "replace").removeprefix("\ufeff")
    raise _fatal(code, message, _locate(prefix, len(prefix), fmt))


# ----------------------------------------------------------------------------- numbers


def _exact_number(text: str) -> Number | None:
    """An exact int/Decimal from decimal numeral text, or None when it has too many digits.

    "Too many" means more than MAX_NUMBER_DIGITS digits written out in full, so neither
    `1` followed by 200,000 zeros nor `1e999999` becomes a number that later arithmetic
    (or `int()`) would take forever over.
    """
    t = text.replace("_", "")
    mantissa, _, exponent = t.lower().partition("e")
    if len(mantissa) > MAX_NUMBER_DIGITS + 3 or len(exponent) > 6:
        return None
    n = parse_number_text(t)
    if isinstance(n, Decimal):
        _sign, digits, exp = n.as_tuple()
        assert isinstance(exp, int)  # finite: parse_number_text refuses NaN and Infinity
        written = len(digits) + exp if exp >= 0 else max(len(digits), -exp)
        if written > MAX_NUMBER_DIGITS:
            return None
    elif len(str(abs(n))) > MAX_NUMBER_DIGITS:
        return None
    return n


def _too_long_message(text: str) -> str:
    shown = text if len(text) <= 24 else f"{text[:20]}… ({len(text):,} characters)"
    return f"the number {shown} has more than {MAX_NUMBER_DIGITS} digits; it was read as null"


def _json_number_problem(text: str) -> tuple[str, str] | None:
    if len(text) <= 20 and "e" not in text and "E" not in text and text[-1:].isdigit():
        return None  # short plain numerals are always fine: skip the work
    if text in ("NaN", "Infinity", "-Infinity"):
        return "unreadable-value", f"{text} is not a finite number; it was read as null"
    if _exact_number(text) is None:
        return "number-too-long", _too_long_message(text)
    return None


# YAML 1.1 numbers as PyYAML reads them, minus the forms that surprise in contracts:
# leading-zero octal (`010010` is a postal code) and base 60 (`9:30` is a time) stay text.
_INT10 = re.compile(r"[-+]?(?:0|[1-9][0-9_]*)")
_RADIX = re.compile(r"([-+]?)0([xb])([0-9a-fA-F_]+)")
_DECIMAL = re.compile(
    r"[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
)
_NOT_FINITE = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")


def _yaml_number(text: str) -> yamlpos.Scalar | None:
    """The exact number a plain scalar means, or None when the text is not a number."""
    if not text.isascii():
        return None  # every form below is ASCII: `15个工作日` is text without five searches
    integer = _INT10.fullmatch(text) is not None
    if integer and len(text) < 16:
        return int(text.replace("_", "")), None  # the common case, quickly
    if integer or _DECIMAL.fullmatch(text):
        n = _exact_number(text)
        return (n, None) if n is not None else (None, ("number-too-long", _too_long_message(text)))
    m = _RADIX.fullmatch(text)
    if m is not None:
        digits = m[3].replace("_", "")
        if not digits or (m[2] == "b" and digits.strip("01")):
            return None
        if len(digits) > MAX_NUMBER_DIGITS:
            return None, ("number-too-long", _too_long_message(text))
        n = int(digits, 16 if m[2] == "x" else 2)
        return (-n if m[1] == "-" else n), None
    if _NOT_FINITE.fullmatch(text):
        return None, ("unreadable-value", f"{text} is not a finite number; it was read as null")
    return None


# ----------------------------------------------------------------------------- JSON


def _load_json(text: str, result: LoadedContract) -> None:
    scan = jsonpos.scan(text, _make_position, _json_number_problem, _LIMITS)
    if scan.fatal is not None:
        code, message, line, column, path = scan.fatal
        raise _fatal(code, message, Position(line, column), path)
    try:
        # NaN and Infinity become null; the position scan has reported them.
        data = json.loads(text, parse_int=_exact_number, parse_float=_exact_number,
                          parse_constant=lambda _: None)  # fmt: skip
    except json.JSONDecodeError as exc:
        position = Position(exc.lineno, exc.colno)
        raise _fatal("syntax", f"JSON syntax error: {exc.msg}", position) from None
    except RecursionError:
        raise _fatal("too-deep", jsonpos.too_deep_message(MAX_DEPTH)) from None
    root = scan.positions.get((), Position(1, 1))
    if data is None:
        raise _fatal("empty", "the document is null: there is no contract data", root)
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        raise _fatal("not-a-mapping", f"the contract must be a mapping of fields, not {kind}", root)
    result.data = data
    result.positions = scan.positions
    result.key_positions = scan.key_positions
    result.problems.extend(LoadProblem(*p) for p in scan.problems)


# ----------------------------------------------------------------------------- YAML

# Characters YAML does not allow in a stream (PyYAML's reader refuses them without a line).
_BAD_YAML_CHAR = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class _EventSource(Protocol):
    def get_event(self) -> Event | None: ...
    def dispose(self) -> None: ...


class _PyEventParser(Reader, Scanner, Parser):
    """PyYAML's pure-Python event parser, used where PyYAML was built without libyaml."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)


def _event_parser(text: str) -> _EventSource:
    """libyaml's parser when available: about ten times faster than the Python one."""
    try:
        from yaml._yaml import CParser
    except ImportError:
        return _PyEventParser(text)
    return CParser(text)


def _yaml_error(exc: yaml.YAMLError) -> _Fatal:
    if not isinstance(exc, yaml.MarkedYAMLError):
        return _fatal("syntax", f"YAML error: {exc}")
    message = f"YAML syntax error: {exc.problem or 'invalid YAML'}"
    cm = exc.context_mark
    if exc.context and cm is not None:
        message += f" ({exc.context} at line {cm.line + 1}, column {cm.column + 1})"
    elif exc.context:
        message += f" ({exc.context})"
    mark = exc.problem_mark or cm
    return _fatal("syntax", message, Position(mark.line + 1, mark.column + 1) if mark else None)


_YAML_RULES: Final = yamlpos.Rules(
    _make_position, _yaml_number, _LIMITS, MAX_ALIAS_VALUES, Position
)
_LIBYAML_TOO_DEEP: Final = "exceeded maximum nesting depth"


def _build_yaml(parser: _EventSource) -> yamlpos.YamlBuilder[Position]:
    """Data and positions from one parser's events; the checker's own limits apply."""
    builder = yamlpos.YamlBuilder(parser.get_event, _YAML_RULES)
    try:
        builder.build()
    except yamlpos.Fatal as stop:
        raise _Fatal(LoadProblem(*stop.problem)) from None
    finally:
        parser.dispose()
    return builder


def _build_plain(
    parser: _EventSource,
) -> tuple[dict[str, Any], dict[DataPath, Position], dict[DataPath, Position]] | None:
    """Data and positions of a document that uses no rare YAML feature (most contracts),
    quickly; None for any other, which `_build_yaml` then reads and reports on."""
    try:
        return yamlpos.build_plain(parser.get_event, _YAML_RULES)
    finally:
        parser.dispose()


_MERGE_STEP: Final = yamlpos.MERGE_STEP  # the path step of a `<<` value: never left in positions


def _load_yaml(text: str, result: LoadedContract) -> None:
    try:
        _read_yaml(text, result)
    except (_Fatal, UnicodeEncodeError):
        # A character YAML does not allow stops both parsers (each checks every character
        # it reads, and reads to the end of a file that loads), yet it is what a file is
        # reported for, wherever it is. Searched for only here, not in every file: the
        # search took a fortieth of loading time. (A lone surrogate cannot even be encoded.)
        bad = _BAD_YAML_CHAR.search(text)
        if bad is None:
            raise
        message = f"the character U+{ord(bad.group()):04X} is not allowed in a YAML file"
        raise _fatal("syntax", message, _locate(text, bad.start(), "yaml")) from None


def _read_yaml(text: str, result: LoadedContract) -> None:
    try:
        plain = _build_plain(_event_parser(text))
        if plain is not None:
            result.data, result.positions, result.key_positions = plain
            return
        builder = _build_yaml(_event_parser(text))
    except yaml.YAMLError as exc:
        if getattr(exc, "problem", None) != _LIBYAML_TOO_DEEP:
            raise _yaml_error(exc) from None
        # libyaml (0.2.6 on) stops at 1,000 levels of its own while scanning ahead, before
        # the builder sees the level past its limit; the Python parser reads lazily, so the
        # checker's own limit decides, with the same position whichever parser is installed.
        try:
            builder = _build_yaml(_PyEventParser(text))
        except yaml.YAMLError as again:
            raise _yaml_error(again) from None
    result.data = builder.data
    result.positions = builder.positions
    result.key_positions = builder.key_positions
    result.problems.extend(LoadProblem(*p) for p in builder.problems)
