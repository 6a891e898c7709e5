"""Tests of the contract loader: data, exact numbers, positions, and every kind of bad input."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import re
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import examples
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from checker.inputs import loader, yamlpos
from checker.inputs.loader import (
    LoadedContract,
    Position,
    load_file,
    load_text,
    pointer,
    position_of,
)

FATAL = {
    "unsupported-file-type", "unreadable-file", "too-large", "binary", "not-utf8", "syntax",
    "empty", "not-a-mapping", "multiple-documents", "too-deep", "alias-limit",
    "recursive-alias", "unsupported-tag",
}  # fmt: skip


@pytest.fixture(params=["libyaml", "python"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with libyaml's event parser and with PyYAML's pure-Python one."""
    if request.param == "python":
        monkeypatch.setattr(loader, "_event_parser", loader._PyEventParser)
    return str(request.param)


def load(src: str | bytes, **kw: Any) -> LoadedContract:
    return load_text(src, **kw)


def positions(src: str | bytes, **kw: Any) -> dict[tuple[str | int, ...], tuple[int, int]]:
    return {p: (v.line, v.column) for p, v in load(src, **kw).positions.items()}


def key_positions(src: str | bytes, **kw: Any) -> dict[tuple[str | int, ...], tuple[int, int]]:
    return {p: (v.line, v.column) for p, v in load(src, **kw).key_positions.items()}


def problems(src: str | bytes, **kw: Any) -> list[tuple[str, int | None, int | None]]:
    return [(p.code, p.line, p.column) for p in load(src, **kw).problems]


def fatal(src: str | bytes, **kw: Any) -> tuple[str, int | None, int | None]:
    """The one problem of a file that gave no data."""
    result = load(src, **kw)
    assert result.data is None
    assert len(result.problems) == 1, result.problems
    assert result.positions == {} and result.key_positions == {}
    p = result.problems[0]
    return p.code, p.line, p.column


CONTRACT = """\
contract:
  title: 客户服务外包合同
  term: 3年
payment:
  total: 100000.00
  installments:
    - percent: 30
      due: 2025-01-31
    - percent: 70
      due: 2025-06-30
"""


# ----------------------------------------------------------------------------- YAML data


def test_yaml_contract_data(parser: str) -> None:
    data = load(CONTRACT).data
    assert data == {
        "contract": {"title": "客户服务外包合同", "term": "3年"},
        "payment": {
            "total": Decimal("100000.00"),
            "installments": [
                {"percent": 30, "due": dt.date(2025, 1, 31)},
                {"percent": 70, "due": dt.date(2025, 6, 30)},
            ],
        },
    }
    assert data is not None
    assert type(data["payment"]["installments"][0]["percent"]) is int


def test_yaml_positions(parser: str) -> None:
    pos = positions(CONTRACT)
    assert pos[()] == (1, 1)
    assert pos[("contract",)] == (2, 3)
    assert pos[("contract", "title")] == (2, 10)
    assert pos[("contract", "term")] == (3, 9)
    assert pos[("payment", "total")] == (5, 10)
    assert pos[("payment", "installments")] == (7, 5)
    assert pos[("payment", "installments", 0)] == (7, 7)
    assert pos[("payment", "installments", 0, "percent")] == (7, 16)
    assert pos[("payment", "installments", 1, "percent")] == (9, 16)
    assert pos[("payment", "installments", 1, "due")] == (10, 12)
    assert len(pos) == 13


def test_yaml_key_positions(parser: str) -> None:
    keys = key_positions(CONTRACT)
    assert keys[("contract",)] == (1, 1)
    assert keys[("contract", "term")] == (3, 3)
    assert keys[("payment", "installments", 1, "due")] == (10, 7)
    assert ("payment", "installments", 0) not in keys  # list items have no key


def test_yaml_flow_and_quoted_positions(parser: str) -> None:
    src = "a: {b: [1, \"two\", 3.5], c: 'x'}\nd: |\n  text\ne:\n"
    pos = positions(src)
    assert pos[("a",)] == (1, 4)
    assert pos[("a", "b", 1)] == (1, 12)
    assert pos[("a", "b", 2)] == (1, 19)
    assert pos[("a", "c")] == (1, 28)
    assert pos[("d",)] == (2, 4)
    assert ("e",) in pos
    assert load(src).data == {
        "a": {"b": [1, "two", Decimal("3.5")], "c": "x"},
        "d": "text\n",
        "e": None,
    }


def test_columns_count_characters_not_bytes(parser: str) -> None:
    assert positions("甲方: 北京\n乙方名称: 上海\n")[("乙方名称",)] == (2, 7)
    assert positions('{"甲方": "北京", "金额": 1}')[("金额",)] == (1, 20)


def test_lines(parser: str) -> None:
    assert load("a: 1\r\nb: 2\r\n").lines == ["a: 1", "b: 2"]
    assert load('{"a": 1,\r\n "b": 2}').lines == ['{"a": 1,', ' "b": 2}']
    assert load("a: 1\nb: [\n").lines == ["a: 1", "b: ["]


@settings(max_examples=examples(2))
@given(st.text(alphabet="ab \n\r\x85\u2028\u2029", max_size=30))
def test_lines_as_yaml_counts_them(text: str) -> None:
    """Lines split as PyYAML numbers them (with or without other breaks than \\n)."""
    lines = loader._split_lines(text, "yaml")
    expected = loader._YAML_BREAK.split(text)
    if len(expected) > 1 and expected[-1] == "":
        expected.pop()
    assert lines == expected


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("100", 100),
        ("-7", -7),
        ("0", 0),
        ("1_000", 1000),
        ("0x1F", 31),
        ("-0x10", -16),
        ("0b101", 5),
        ("0.1", Decimal("0.1")),
        ("100000.00", Decimal("100000.00")),
        ("-2.50", Decimal("-2.50")),
        ("1.", Decimal("1")),
        (".5", Decimal("0.5")),
        ("1.5e+3", Decimal("1.5E+3")),
        ("1_000.25", Decimal("1000.25")),
        # YAML 1.1 reads these as text, and so does the loader:
        ("1e3", "1e3"),
        ("0o17", "0o17"),
        ("+.5", "+.5"),
        # ... and these as octal and base 60, which surprise in contracts: kept as text.
        ("012", "012"),
        ("010010", "010010"),
        ("9:30", "9:30"),
        ("yes", True),
        ("Off", False),
        ("TRUE", True),
        ("~", None),
        ("null", None),
        ("2025-01-31", dt.date(2025, 1, 31)),
        ("2025-01-31 10:00:00", "2025-01-31 10:00:00"),
        ("2025-01-31T10:00:00Z", "2025-01-31T10:00:00Z"),
        ("2025-1-31", "2025-1-31"),
        ('"2025-01-31"', "2025-01-31"),
        ("'100'", "100"),
        ("!!str 100", "100"),
        ("!!int 100", 100),
        ("!!float 1", 1),
        ("!!float 2.5", Decimal("2.5")),
        ("!!bool yes", True),
        ("!!null ''", None),
        ("!!timestamp 2025-01-31", dt.date(2025, 1, 31)),
        ("! 12", "12"),
        ("3年", "3年"),
        ("人民币100,000元", "人民币100,000元"),
    ],
)
def test_yaml_scalars(parser: str, text: str, value: object) -> None:
    result = load(f"v: {text}\n")
    assert result.problems == []
    got = result.data["v"]  # type: ignore[index]
    assert got == value
    assert type(got) is type(value)


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        (".inf", "unreadable-value", ".inf is not a finite number; it was read as null"),
        ("-.Inf", "unreadable-value", "-.Inf is not a finite number; it was read as null"),
        (".nan", "unreadable-value", ".nan is not a finite number; it was read as null"),
        ("2025-02-30", "unreadable-value",
         "2025-02-30 is not a valid date (day is out of range for month); it was read as null"),
        ("!!int abc", "unreadable-value", "'abc' is not a number; it was read as null"),
        ("!!bool maybe", "unreadable-value", "'maybe' is not a boolean; it was read as null"),
        ("!!timestamp soon", "unreadable-value", "'soon' is not a date; it was read as null"),
        ("1" * 101, "number-too-long",
         "the number 11111111111111111111… (101 characters) has more than 100 digits; "
         "it was read as null"),
        ("1.5e+101", "number-too-long",
         "the number 1.5e+101 has more than 100 digits; it was read as null"),
    ],
)  # fmt: skip
def test_yaml_unreadable_values(parser: str, text: str, code: str, message: str) -> None:
    result = load(f"a: 1\nv: {text}\n")
    assert result.data == {"a": 1, "v": None}
    assert result.problems == [loader.LoadProblem(code, message, 2, 4, ("v",))]


def test_no_floats_anywhere() -> None:
    data = load("a: [0.1, 1.5e+3, .5, 2.0]\nb: {c: -0.0}\n").data

    def walk(v: object) -> Iterator[object]:
        yield v
        if isinstance(v, dict):
            for x in v.values():
                yield from walk(x)
        elif isinstance(v, list):
            for x in v:
                yield from walk(x)

    assert not any(isinstance(v, float) for v in walk(data))


# ----------------------------------------------------------------------------- JSON data


JSON_CONTRACT = """{
  "contract": {"title": "客户服务外包合同", "term": "3年"},
  "payment": {
    "total": 100000.00,
    "installments": [
      {"percent": 30, "due": "2025-01-31"},
      {"percent": 70.5, "big": 1e3, "neg": -0, "esc": "a\\"b\\u00e9"}
    ]
  }
}
"""


def test_json_data_is_exact() -> None:
    data = load(JSON_CONTRACT).data
    assert data is not None
    item = data["payment"]["installments"][1]
    assert data["payment"]["total"] == Decimal("100000.00")
    assert type(data["payment"]["installments"][0]["percent"]) is int
    assert item["percent"] == Decimal("70.5")
    assert item["big"] == Decimal("1E+3") and type(item["big"]) is Decimal
    assert item["neg"] == 0 and type(item["neg"]) is int
    assert item["esc"] == 'a"bé'
    assert data["payment"]["installments"][0]["due"] == "2025-01-31"  # JSON has no dates


def test_json_positions() -> None:
    pos = positions(JSON_CONTRACT)
    assert pos[()] == (1, 1)
    assert pos[("contract",)] == (2, 15)
    assert pos[("contract", "term")] == (2, 45)
    assert pos[("payment", "total")] == (4, 14)
    assert pos[("payment", "installments")] == (5, 21)
    assert pos[("payment", "installments", 0)] == (6, 7)
    assert pos[("payment", "installments", 1, "percent")] == (7, 19)
    assert pos[("payment", "installments", 1, "big")] == (7, 32)
    assert pos[("payment", "installments", 1, "esc")] == (7, 55)
    assert key_positions(JSON_CONTRACT)[("payment", "installments", 1, "big")] == (7, 25)
    assert len(pos) == 15


def test_json_nan_and_long_numbers() -> None:
    src = '{"a": NaN, "b": -Infinity, "c": 1' + "0" * 200_000 + ', "d": 1e999999, "e": 2}'
    result = load(src)
    assert result.data == {"a": None, "b": None, "c": None, "d": None, "e": 2}
    assert [(p.code, p.line, p.column, p.path) for p in result.problems] == [
        ("unreadable-value", 1, 7, ("a",)),
        ("unreadable-value", 1, 17, ("b",)),
        ("number-too-long", 1, 33, ("c",)),
        ("number-too-long", 1, 200_041, ("d",)),
    ]
    assert result.problems[0].message == "NaN is not a finite number; it was read as null"
    assert result.problems[3].message == (
        "the number 1e999999 has more than 100 digits; it was read as null"
    )


def test_format_sniffing() -> None:
    assert load('  {"a": 1}').data == {"a": 1}
    assert load("{a: 1}").problems[0].code == "syntax"  # starts with `{`: read as JSON
    assert load("{a: 1}", fmt="yaml").data == {"a": 1}
    assert load('{"a": 1e3}', fmt="yaml").data == {"a": "1e3"}  # YAML 1.1 reads text
    assert load(b'\xef\xbb\xbf{"a": 1}').data == {"a": 1}


# ----------------------------------------------------------------------------- duplicate keys


def test_yaml_duplicate_key(parser: str) -> None:
    src = "term: 1年\nparties:\n  a: x\nterm:\n  years: 3\n"
    result = load(src)
    assert result.data == {"term": {"years": 3}, "parties": {"a": "x"}}
    message = "duplicate key 'term' (first defined at line 1); the last value is used"
    assert result.problems == [loader.LoadProblem("duplicate-key", message, 4, 1, ("term",))]
    assert positions(src)[("term",)] == (5, 3)
    assert positions(src)[("term", "years")] == (5, 10)
    assert key_positions(src)[("term",)] == (4, 1)


def test_yaml_duplicate_forgets_positions_of_the_old_value(parser: str) -> None:
    src = "a:\n  b: 1\n  c: [1, 2]\na: 5\n"
    assert positions(src) == {(): (1, 1), ("a",): (4, 4)}
    assert key_positions(src) == {("a",): (4, 1)}
    nested = "x:\n  k: 1\n  k: 2\n  k: 3\n"
    assert problems(nested) == [("duplicate-key", 3, 3), ("duplicate-key", 4, 3)]
    assert load(nested).problems[1].message == (
        "duplicate key 'k' (first defined at line 3); the last value is used"
    )


def test_yaml_duplicate_through_key_text(parser: str) -> None:
    assert problems("1: a\n'1': b\n") == [("non-string-key", 1, 1), ("duplicate-key", 2, 1)]


def test_json_duplicate_key() -> None:
    src = '{\n  "term": {"years": 1, "months": [1, 2]},\n  "x": 0,\n  "term": 3\n}'
    result = load(src)
    assert result.data == {"term": 3, "x": 0}
    message = "duplicate key 'term' (first defined at line 2); the last value is used"
    assert result.problems == [loader.LoadProblem("duplicate-key", message, 4, 3, ("term",))]
    assert positions(src) == {(): (1, 1), ("x",): (3, 8), ("term",): (4, 11)}
    assert key_positions(src) == {("x",): (3, 3), ("term",): (4, 3)}


def test_json_duplicate_key_with_escapes() -> None:
    assert problems('{"a": 1, "\\u0061": 2}') == [("duplicate-key", 1, 10)]


# ----------------------------------------------------------------------------- anchors, merges


def test_alias_shares_value_and_copies_positions(parser: str) -> None:
    src = "party: &p\n  name: 甲\n  ids: [1, 2]\nsigner: *p\n"
    result = load(src)
    assert result.data is not None
    assert result.data["signer"] == {"name": "甲", "ids": [1, 2]}
    pos = positions(src)
    assert pos[("signer",)] == (4, 9)  # the alias itself
    assert pos[("signer", "name")] == (2, 9)  # inside: where the value is written
    assert pos[("signer", "ids", 1)] == (3, 12)
    assert key_positions(src)[("signer", "name")] == (2, 3)


def test_merge_keys(parser: str) -> None:
    src = """\
base: &base {currency: CNY, days: 30, late: {rate: 0.05}}
extra: &extra {days: 10, note: n}
fee:
  <<: [*base, *extra]
  days: 15
"""
    result = load(src)
    assert result.problems == []
    assert result.data is not None
    fee = result.data["fee"]
    assert fee == {"currency": "CNY", "days": 15, "late": {"rate": Decimal("0.05")}, "note": "n"}
    pos = positions(src)
    assert pos[("fee", "days")] == (5, 9)  # its own key wins
    assert pos[("fee", "currency")] == (1, 24)
    assert pos[("fee", "late", "rate")] == (1, 52)
    assert pos[("fee", "note")] == (2, 32)
    assert not any(loader._MERGE_STEP in p for p in pos)
    assert key_positions(src)[("fee", "currency")] == (1, 14)


def test_merge_of_a_scalar_is_reported(parser: str) -> None:
    result = load("a:\n  <<: 3\n  b: 1\n")
    assert result.data == {"a": {"b": 1}}
    assert problems("a:\n  <<: 3\n  b: 1\n") == [("unreadable-value", 2, 3)]


def test_alias_bomb_is_refused(parser: str) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, name = chr(96 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    started = time.perf_counter()
    assert fatal("\n".join(lines) + "\n") == ("alias-limit", 6, 8)
    assert time.perf_counter() - started < 2


def test_recursive_and_undefined_aliases(parser: str) -> None:
    assert fatal("a: &x [1, *x]\n") == ("recursive-alias", 1, 11)
    assert fatal("a: 1\nb: *nowhere\n") == ("syntax", 2, 4)
    assert load("a: *y\n").problems[0].message == "the alias *y has no anchor &y before it"


# ----------------------------------------------------------------------------- tags and keys


def test_python_tags_are_never_constructed(parser: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    monkeypatch.setattr(os, "system", lambda *a: calls.append(a))
    src = 'a: !!python/object/apply:os.system ["echo hi"]\nb: !!python/name:os.system\nc: 1\n'
    result = load(src)
    assert calls == []
    assert result.data == {"a": None, "b": None, "c": 1}
    assert problems(src) == [("unsupported-tag", 1, 4), ("unsupported-tag", 2, 4)]
    assert result.problems[0].message == (
        "the tag !!python/object/apply:os.system is not supported in contract data; "
        "the value was not read (null is used)"
    )


def test_other_unsupported_tags(parser: str) -> None:
    src = "a: !foo 3\nb: !!binary aGk=\nc: !!set {x, y}\nd: !!omap [x: 1]\ne: ok\n"
    result = load(src)
    assert result.data == {"a": None, "b": None, "c": None, "d": None, "e": "ok"}
    assert problems(src) == [("unsupported-tag", n, 4) for n in (1, 2, 3, 4)]
    assert fatal("--- !!python/object:x {a: 1}\n") == ("unsupported-tag", 1, 5)


def test_non_string_keys(parser: str) -> None:
    src = "1: x\n2025-01-01: y\non: z\n? [a]\n: w\n~: v\n"
    result = load(src)
    assert result.data == {"1": "x", "2025-01-01": "y", "on": "z", "~": "v"}
    assert problems(src) == [
        ("non-string-key", 1, 1),
        ("non-string-key", 2, 1),
        ("non-string-key", 3, 1),
        ("non-string-key", 4, 3),
        ("non-string-key", 6, 1),
    ]
    messages = [p.message for p in result.problems]
    assert messages[1] == "the key '2025-01-01' is a date in YAML, not text; it is kept as text"
    assert messages[3] == "a mapping key must be text, not a list; the entry was skipped"


# ----------------------------------------------------------------------------- bad input

BOMB_SIZE = 20_000


@pytest.mark.parametrize(
    ("src", "fmt", "expected"),
    [
        ("a: " + "[" * BOMB_SIZE + "]" * BOMB_SIZE, None, ("too-deep", 1, 103)),
        ("a: " + "[" * BOMB_SIZE, None, ("too-deep", 1, 103)),
        ("{a: " * BOMB_SIZE + "1" + "}" * BOMB_SIZE, "yaml", ("too-deep", 1, 401)),
        ("".join("  " * i + "a:\n" for i in range(600)) + "  " * 600 + "1\n", None,
         ("too-deep", 101, 201)),
        ("[" * BOMB_SIZE + "]" * BOMB_SIZE, "yaml", ("not-a-mapping", 1, 1)),
        ('{"a": ' + "[" * BOMB_SIZE + "]" * BOMB_SIZE + "}", None, ("too-deep", 1, 106)),
        ('{"a": ' * BOMB_SIZE + "1" + "}" * BOMB_SIZE, None, ("too-deep", 1, 601)),
        ("[" * BOMB_SIZE, "json", ("too-deep", 1, 101)),
        ('{"a": 1,\n "b": [1, 2\n}', None, ("syntax", 3, 1)),
        ('{"a": 1}\n{"b": 2}', None, ("syntax", 2, 1)),
        ('{"a": "x\ty"}', None, ("syntax", 1, 9)),
        ("a: [1, 2\nb: 3\n", None, ("syntax", 2, 2)),
        ("a: 1\n b: 2\n", None, ("syntax", 2, 3)),
        ("a: 'x\x07'\n", None, ("syntax", 1, 6)),
        ("", None, ("empty", None, None)),
        (" \n\n", None, ("empty", None, None)),
        ("# only a comment\n", None, ("empty", None, None)),
        ("---\n~\n", None, ("empty", 2, 1)),
        ("null", "json", ("empty", 1, 1)),
        ("- a\n- b\n", None, ("not-a-mapping", 1, 1)),
        ("just text\n", None, ("not-a-mapping", 1, 1)),
        ("  [1, 2]", None, ("not-a-mapping", 1, 3)),
        ('"text"', "json", ("not-a-mapping", 1, 1)),
        ("a: 1\n---\nb: 2\n", None, ("multiple-documents", 2, 1)),
        ("x" * (10 * 1024 * 1024 + 1), None, ("too-large", None, None)),
    ],
)  # fmt: skip
def test_bad_text(parser: str, src: str, fmt: Any, expected: tuple[str, int, int]) -> None:
    assert fatal(src, fmt=fmt) == expected


# Characters YAML does not allow (NUL is told apart first: a binary file).
_NOT_YAML = "\x01\x07\x0b\x1b\x7f\x80\x84\x86\x9f\ud800\udfff\ufffe\uffff"
_HOSTS = [
    CONTRACT,
    "a: [1, 2\n",  # a syntax error before or after the character
    "a: 1\n---\nb: 2\n",  # two documents
    "- x\n",  # not a mapping
    "a: &x [1]\nb: *x\n<<: {c: 1}\n",  # the builder of rarer features
    "a: 1\n...\n# after the end\n",
    "a: " + "[" * 150 + "]" * 150 + "\n",  # deeper than the checker's limit
    "a: 'quoted'  # comment\n",
]


@settings(max_examples=examples(2), deadline=None)
@given(
    host=st.sampled_from(_HOSTS),
    where=st.floats(0, 1),
    bad=st.sampled_from(_NOT_YAML),
    python_parser=st.booleans(),
)
def test_a_character_yaml_does_not_allow_is_what_the_file_is_reported_for(
    host: str, where: float, bad: str, python_parser: bool
) -> None:
    """Wherever it is (in a comment, past a syntax error or a limit), with either parser.
    The file is searched for one only when it fails to load (see the next test)."""
    at = round(where * len(host))
    text = host[:at] + bad + host[at:]
    line = text.count("\n", 0, at) + 1
    column = at - text.rfind("\n", 0, at)
    with pytest.MonkeyPatch.context() as mp:
        if python_parser:
            mp.setattr(loader, "_event_parser", loader._PyEventParser)
        result = load(text)
    assert result.data is None
    assert [(p.code, p.message, p.line, p.column) for p in result.problems] == [
        (
            "syntax",
            f"the character U+{ord(bad):04X} is not allowed in a YAML file",
            line,
            column,
        )
    ]


def test_a_file_that_loads_is_not_searched_for_characters_yaml_does_not_allow(
    parser: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both parsers check every character they read: a file that loads has none, and
    the search (a fortieth of loading time) is made only for a file that fails."""
    searched: list[str] = []
    pattern = loader._BAD_YAML_CHAR

    class Counting:
        def search(self, text: str) -> re.Match[str] | None:
            searched.append(text)
            return pattern.search(text)

    monkeypatch.setattr(loader, "_BAD_YAML_CHAR", Counting())
    assert load(CONTRACT).data is not None
    assert load("a: 1\n<<: {b: 2}\n").data == {"a": 1, "b": 2}
    assert searched == []
    assert fatal("a: [1\n") == ("syntax", 2, 1)
    assert fatal("a: 'x\x07'\n") == ("syntax", 1, 6)
    assert len(searched) == 2


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"a: 1\nb: \x00\x01\x02\n", ("binary", 2, 4)),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ("binary", 3, 1)),
        (b"a: 1\nb: caf\xe9\n", ("not-utf8", 2, 7)),
        ("a: 1\nb: 中文".encode() + b"\xff\n", ("not-utf8", 2, 6)),
        ("a: 1\n".encode("utf-16"), ("not-utf8", 1, 1)),
        (b'{"a": "\xc3"}', ("not-utf8", 1, 8)),
    ],
)
def test_bad_bytes(raw: bytes, expected: tuple[str, int, int]) -> None:
    assert fatal(raw) == expected


def test_bad_input_messages() -> None:
    assert load(b"a: caf\xe9\n").problems[0].message == (
        "the file is not valid UTF-8: byte 0xe9 cannot be decoded"
    )
    assert (
        load("a: " + "[" * 600).problems[0].message
        == "the data is nested more than 100 levels deep"
    )
    assert load('{"a" 1}').problems[0].message == "JSON syntax error: Expecting ':' delimiter"
    assert load("a: [1, 2\nb: 3\n").problems[0].message.startswith("YAML syntax error: ")
    assert load("a: 1\n---\nb: 2\n").problems[0].message == (
        "the file holds more than one YAML document ('---'); a contract file holds one"
    )
    assert load("- a\n").problems[0].message == (
        "the contract must be a mapping of fields, not a list"
    )
    assert load(b"a: 1\n\x00").lines == ["a: 1", "\x00"]


def test_bom_is_fine(parser: str) -> None:
    result = load(b"\xef\xbb\xbfa: 1\n")
    assert result.data == {"a": 1}
    assert positions(b"\xef\xbb\xbfa: 1\n")[("a",)] == (1, 4)
    assert load('\ufeff{"a": 1}').data == {"a": 1}


def test_huge_number_is_not_used(parser: str) -> None:
    src = "a: 1\nb: 1" + "0" * 200_000 + "\n"
    result = load(src)
    assert result.data == {"a": 1, "b": None}
    assert problems(src) == [("number-too-long", 2, 4)]
    assert result.problems[0].path == ("b",)


def test_five_megabyte_string_loads() -> None:
    big = "x" * 5_000_000
    for src in (f"a: {big}\nb: 1\n", f'a: "{big}"\nb: 1\n', json.dumps({"a": big, "b": 1})):
        result = load(src.encode())
        assert result.problems == []
        assert result.data is not None and result.data["a"] == big
    assert load("a: " + "合" * 3_000_000).data == {"a": "合" * 3_000_000}  # 9 MB of UTF-8


def test_nothing_raises_on_garbage() -> None:
    for src in ("{", "[", "}", ":", "- - -", "? ? ?", "&a", "*a", "!", "!!", "%YAML 9.9\n---\na: 1",
                "a: b: c", "'", '"', "\t", "a:\n\t- 1", "{\"a\"", "[1,]", "@", "`", "...", "---"):  # fmt: skip
        result = load(src)
        assert result.data is None or result.data == {} or isinstance(result.data, dict)


# ----------------------------------------------------------------------------- files


def test_load_file(tmp_path: Path) -> None:
    (tmp_path / "c.yml").write_text("a: 1\n", encoding="utf-8")
    (tmp_path / "c.JSON").write_text('{"a": 1}', encoding="utf-8")
    (tmp_path / "c.json").write_text("a: 1\n", encoding="utf-8")
    assert load_file(tmp_path / "c.yml").data == {"a": 1}
    assert load_file(str(tmp_path / "c.JSON")).data == {"a": 1}
    assert load_file(tmp_path / "c.yml").file == str(tmp_path / "c.yml")
    assert [p.code for p in load_file(tmp_path / "c.json").problems] == ["syntax"]  # by suffix


def test_load_file_problems(tmp_path: Path) -> None:
    (tmp_path / "c.txt").write_text("a: 1\n", encoding="utf-8")
    (tmp_path / "dir.yaml").mkdir()
    (tmp_path / "big.yaml").write_bytes(b"a: " + b"x" * (10 * 1024 * 1024))
    cases = {
        "c.txt": "unsupported-file-type",
        "missing.yaml": "unreadable-file",
        "dir.yaml": "unreadable-file",
        "big.yaml": "too-large",
    }
    for name, code in cases.items():
        result = load_file(tmp_path / name)
        assert result.data is None
        assert [(p.code, p.line) for p in result.problems] == [(code, None)]
    assert load_file(tmp_path / "c.txt").problems[0].message == (
        "unsupported file type: 'c.txt' is not .yaml, .yml or .json"
    )
    assert load_file(tmp_path / "missing.yaml").problems[0].message == (
        "the file cannot be read: No such file or directory"
    )


# ----------------------------------------------------------------------------- helpers


def test_pointer() -> None:
    assert pointer(()) == ""
    assert pointer(("payment", "installments", 0)) == "/payment/installments/0"
    assert pointer(("a/b", "m~n", "")) == "/a~1b/m~0n/"


def test_position_of() -> None:
    contract = load(CONTRACT)
    assert position_of(contract, ("payment", "installments", 1)) == Position(9, 7)
    assert position_of(contract, ("payment", "installments", 5, "percent")) == Position(7, 5)
    assert position_of(contract, ("nowhere", "deep")) == Position(1, 1)
    assert position_of(load("- 1\n"), ("a",)) is None


def test_200_line_contract_loads_fast(parser: str) -> None:
    items = [
        f"  - name: 北京某某科技有限公司{i}\n    amount: {i}00.50\n    due: 2025-01-{i % 28 + 1:02d}\n"
        f"    tags: [a, b]\n"
        for i in range(50)
    ]
    src = "parties:\n" + "".join(items)
    assert len(src.splitlines()) == 201
    best = min(_timed(src) for _ in range(5))
    limit = 0.010 if parser == "libyaml" else 0.050  # the pure-Python parser is ~10x slower
    assert best < limit


def _timed(src: str) -> float:
    started = time.perf_counter()
    assert load(src).problems == []
    return time.perf_counter() - started


# ----------------------------------------------------------------------------- properties

_KEYS = st.text(max_size=12)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(min_value=-1e50, max_value=1e50, allow_nan=False).filter(
        lambda f: f == 0 or abs(f) > 1e-50
    )
    | st.text(max_size=20)
)
_DATA = st.dictionaries(
    _KEYS,
    st.recursive(
        _SCALARS,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4),
        max_leaves=20,
    ),
    max_size=6,
)


def _expected(v: Any) -> Any:
    """The loaded form of JSON-able data: floats become Decimals read from their repr."""
    if isinstance(v, float):
        return Decimal(repr(v))
    if isinstance(v, dict):
        return {k: _expected(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_expected(x) for x in v]
    return v


def _same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (so 1 is not True, nor Decimal 1)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _walk(v: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    yield path, v
    if isinstance(v, dict):
        for k, x in v.items():
            yield from _walk(x, (*path, k))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from _walk(x, (*path, i))


def _offset(text: str, pos: Position, breaks: str) -> int:
    starts = [0] + [m.end() for m in re.finditer(breaks, text)]
    return starts[pos.line - 1] + pos.column - 1


@settings(max_examples=examples(1.5), suppress_health_check=[HealthCheck.too_slow])
@given(data=_DATA, indent=st.none() | st.integers(0, 4), ascii_only=st.booleans())
def test_json_round_trip_and_positions(
    data: dict[str, Any], indent: int | None, ascii_only: bool
) -> None:
    text = json.dumps(data, indent=indent, ensure_ascii=ascii_only)
    result = load(text, fmt="json")
    assert result.problems == []
    assert _same(result.data, _expected(data))
    assert set(result.positions) == {path for path, _ in _walk(data)}
    for path, value in _walk(data):
        at = text[_offset(text, result.positions[path], "\n") :]
        if isinstance(value, dict | list):
            assert at[0] == ("{" if isinstance(value, dict) else "[")
        else:
            assert at.startswith(json.dumps(value, ensure_ascii=ascii_only)), (path, at[:30])
        if path and isinstance(path[-1], str):
            key_at = text[_offset(text, result.key_positions[path], "\n") :]
            assert key_at.startswith(json.dumps(path[-1], ensure_ascii=ascii_only))


@settings(max_examples=examples(1.5), suppress_health_check=[HealthCheck.too_slow])
@given(data=_DATA, flow=st.sampled_from([False, None]), unicode=st.booleans())
def test_yaml_round_trip_and_positions(
    data: dict[str, Any], flow: bool | None, unicode: bool
) -> None:
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=unicode, sort_keys=False)
    # PyYAML writes NEL/LS/PS unescaped in quoted scalars, where they are line breaks that
    # fold to spaces: it does not read its own output back either.
    assume(not any(c in text for c in "\x85\u2028\u2029"))
    result = load(text, fmt="yaml")
    assert result.problems == []
    assert _same(result.data, _expected(data))
    assert set(result.positions) == {path for path, _ in _walk(data)}
    for path, value in _walk(data):
        at = text[_offset(text, result.positions[path], "\r\n|[\r\n\x85\u2028\u2029]") :]
        if isinstance(value, dict):
            assert at[:2] == "{}" if not value else at[0] not in " \n#"
        elif isinstance(value, list):
            assert at[:2] == "[]" if not value else at[0] in "-["
        elif isinstance(value, str):
            assert at[0] in "'\"" or at.startswith(value[:1]), (path, at[:30])
        elif isinstance(value, bool) or value is None:
            assert at.startswith({True: "true", False: "false", None: "null"}[value])
        else:
            assert re.match(r"[-+.0-9]", at), (path, at[:30])


@settings(max_examples=examples(3))
@given(
    st.binary(max_size=200) | st.text(alphabet="{}[]:,-?&*!|>'\"#% \n\tab1.e\x00\xff", max_size=60)
)
def test_never_raises(src: str | bytes) -> None:
    result = load(src)
    if result.data is None:
        assert len(result.problems) == 1 and result.problems[0].code in FATAL
    else:
        assert () in result.positions
        assert all(p.code not in FATAL - {"unsupported-tag"} for p in result.problems)


@st.composite
def _yaml_with_aliases(draw: st.DrawFn) -> str:
    """Flow YAML with anchors, aliases, merge keys and repeated keys, to stress the tables."""
    anchors: list[str] = []  # the anchors defined so far
    names = itertools.count()

    def node(depth: int) -> str:
        kind = draw(
            st.sampled_from(["scalar", "alias", "list", "map"] if depth < 4 else ["scalar"])
        )
        if kind == "alias" and anchors:
            return "*" + draw(st.sampled_from(anchors))
        anchor = ""
        if draw(st.booleans()):
            anchor = f"&x{next(names)} "
        if kind == "list":
            text = "[" + ", ".join(node(depth + 1) for _ in range(draw(st.integers(0, 3)))) + "]"
        elif kind == "map":
            keys = draw(st.lists(st.sampled_from(["a", "b", "c", "<<"]), max_size=4))
            text = "{" + ", ".join(f"{k}: {value(k, depth + 1)}" for k in keys) + "}"
        else:
            text = draw(st.sampled_from(["1", "x", "2.5", "~", "2025-01-01"]))
        if anchor:
            anchor = anchor.replace("&x", "&m" if kind == "map" else "&x")
            anchors.append(anchor[1:-1])
        return anchor + text

    def value(key: str, depth: int) -> str:
        if key != "<<" or draw(st.integers(0, 4)) == 0:
            return node(depth)
        maps = [i for i, a in enumerate(anchors) if a.startswith("m")]
        if draw(st.booleans()) and maps:
            chosen = draw(st.lists(st.sampled_from(maps)))
            return "[" + ", ".join(f"*{anchors[i]}" for i in chosen) + "]"
        return f"*{anchors[maps[-1]]}" if maps else "{a: 1, c: [x]}"

    return "root: " + node(0) + "\nother: " + node(0) + "\n"


@settings(max_examples=examples(4))
@given(_yaml_with_aliases())
def test_position_table_matches_data(src: str) -> None:
    result = load(src)
    if result.data is None:
        assert len(result.problems) == 1
        return
    paths = {path for path, _ in _walk(result.data)}
    assert set(result.positions) == paths
    assert set(result.key_positions) == {p for p in paths if p and isinstance(p[-1], str)}


@settings(max_examples=examples(3))
@given(_yaml_with_aliases())
def test_aliases_and_merges_agree_with_reference(src: str) -> None:
    try:
        reference = _merged_value(yaml.compose(src, Loader=yaml.SafeLoader))
    except ValueError:
        assume(False)  # a merge of something that is not a mapping: an error either way
    assert load(src).data == _expected(reference)


def _merged_value(node: yaml.Node) -> Any:
    """The value of a composed YAML node under the merge-key rules, computed here rather than
    by PyYAML's constructor (whose handling of repeated keys inside a merged mapping changed
    between releases): a mapping's own keys win over merged ones, the later of repeated keys
    wins, a later `<<` wins over an earlier one, and in `<<: [*a, *b]` the earlier source wins.
    """
    if isinstance(node, yaml.ScalarNode):
        return yaml.safe_load(node.value) if node.style is None else node.value
    if isinstance(node, yaml.SequenceNode):
        return [_merged_value(item) for item in node.value]
    merged: dict[str, Any] = {}
    own: dict[str, Any] = {}
    for key, value in node.value:
        if key.tag != "tag:yaml.org,2002:merge":
            own[_merged_value(key)] = _merged_value(value)
            continue
        sources = value.value[::-1] if isinstance(value, yaml.SequenceNode) else [value]
        for source in sources:
            if not isinstance(source, yaml.MappingNode):
                raise ValueError("only mappings can be merged")
            merged.update(_merged_value(source))
    return merged | own


EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.mark.skipif(not EXAMPLES.is_dir(), reason="no example corpus")
def test_example_corpus_loads() -> None:
    files = sorted(EXAMPLES.rglob("*.yaml")) + sorted(EXAMPLES.rglob("*.json"))
    assert files
    for file in files:
        result = load_file(file)
        found = [(p.code, p.line, p.column, p.path) for p in result.problems]
        if file.name == "d22-duplicate-key.yaml":
            path = ("payment", "installments", 1, "due_within")
            assert found == [("duplicate-key", 295, 7, path)]
        else:
            assert found == [], file


# ----------------------------------------------------------------------------- fast path


def _both_builders(src: str) -> tuple[Any, Any]:
    """What the fast builder and the full one make of `src` (None: the fast one declined)."""
    plain = yamlpos.build_plain(loader._event_parser(src).get_event, loader._YAML_RULES)
    full = yamlpos.YamlBuilder(loader._event_parser(src).get_event, loader._YAML_RULES)
    full.build()
    return plain, full


def _assert_agree(plain: Any, full: Any) -> None:
    data, positions, key_positions = plain
    assert full.problems == []
    assert _same(data, full.data)
    assert list(positions.items()) == list(full.positions.items())  # same order too
    assert list(key_positions.items()) == list(full.key_positions.items())


@settings(max_examples=examples(2), suppress_health_check=[HealthCheck.too_slow])
@given(data=_DATA, flow=st.sampled_from([False, None]), unicode=st.booleans())
def test_fast_builder_agrees_with_full_one(
    data: dict[str, Any], flow: bool | None, unicode: bool
) -> None:
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=unicode, sort_keys=False)
    assume(not any(c in text for c in "\x85\u2028\u2029"))
    assume(data)  # `{}` is a flow mapping the full builder reads as well
    plain, full = _both_builders(text)
    assert plain is not None  # ordinary data takes the fast path
    _assert_agree(plain, full)


@settings(max_examples=examples(3))
@given(_yaml_with_aliases())
def test_fast_builder_declines_or_agrees(src: str) -> None:
    try:
        plain, full = _both_builders(src)
    except (yamlpos.Fatal, yaml.YAMLError):
        plain = yamlpos.build_plain(loader._event_parser(src).get_event, loader._YAML_RULES)
        assert plain is None  # the full builder stops: the fast one must not have accepted
        return
    if plain is not None:
        _assert_agree(plain, full)


@pytest.mark.parametrize(
    "src",
    [
        "a: &x 1\nb: *x\n",  # anchor and alias
        "base: {a: 1}\nm:\n  <<: {b: 2}\n",  # merge key
        "a: 1\na: 2\n",  # duplicate key
        "a: !!int 3\n",  # explicit tag
        "1: x\n",  # a key YAML reads as a number
        "a: 2025-02-30\n",  # unreadable date
        "? [a]\n: 1\n",  # a list as a key
        "a: 1\n---\nb: 2\n",  # two documents
        "- a\n",  # not a mapping
        "a: " + "[" * 150 + "]" * 150 + "\n",  # deeper than the limit
    ],
)
def test_fast_builder_declines_what_it_does_not_read(src: str, parser: str) -> None:
    plain = yamlpos.build_plain(loader._event_parser(src).get_event, loader._YAML_RULES)
    assert plain is None  # the full builder reads it (the tests above say how)


def test_fast_builder_reads_quoted_and_bang_tagged_text(parser: str) -> None:
    src = "'1': x\n\"yes\": ! 2\nt: !!str 3\nn: 1_000\nd: 2025-01-31\n"
    plain, full = _both_builders(src)
    assert plain is not None
    _assert_agree(plain, full)
    assert plain[0] == {"1": "x", "yes": "2", "t": "3", "n": 1000, "d": dt.date(2025, 1, 31)}


def test_positions_are_named_tuples() -> None:
    pos = load("a: 1\n").positions[("a",)]
    assert pos == Position(1, 4) and (pos.line, pos.column) == (1, 4)
    assert type(pos) is Position


def test_text_that_starts_with_a_digit_is_told_from_a_number_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`15个工作日`, `3个月`: a third of a contract's plain scalars start with a digit and
    are not numbers; no number pattern is tried on text with a non-ASCII character (every
    number form is ASCII). Numbers and dates read as before."""
    tried: list[str] = []

    class Counting:
        def __init__(self, pattern: re.Pattern[str]) -> None:
            self.pattern = pattern

        def fullmatch(self, text: str) -> re.Match[str] | None:
            tried.append(text)
            return self.pattern.fullmatch(text)

    for name in ("_INT10", "_RADIX", "_DECIMAL", "_NOT_FINITE"):
        monkeypatch.setattr(loader, name, Counting(getattr(loader, name)))
    src = "a: 15个工作日\nb: 3个月\nc: 1_000\nd: 2025-03-20\ne: 0x1F\nf: 1.50\ng: ３\nh: -.inf\n"
    result = load(src)
    assert result.data == {
        "a": "15个工作日",
        "b": "3个月",
        "c": 1000,
        "d": dt.date(2025, 3, 20),
        "e": 31,
        "f": Decimal("1.50"),
        "g": "３",
        "h": None,
    }
    assert [p.code for p in result.problems] == ["unreadable-value"]
    assert not {"15个工作日", "3个月", "３"} & set(tried)
    assert {"1_000", "2025-03-20", "0x1F", "1.50", "-.inf"} <= set(tried)
