"""Untrusted packs, schemas and contracts cost bounded time and memory, with clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import TODAY, run_both

from checker.inputs.schema import ContractSchema, SchemaError
from checker.lang import ExprSyntaxError, Program, pycode
from checker.lang.ops import MAX_MATCH_INPUT
from checker.lang.parser import parse
from checker.lang.values import MAX_DIGITS
from checker.packs.packfile import MAX_PACK_BYTES, MAX_RULES, PackError, read_pack

OUT_OF_RANGE = "number out of range: a result needs more than 60 digits"


def cli(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "checker", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        encoding="utf-8",
        timeout=timeout,
    )


# -- JSON Schema patterns run on RE2 ------------------------------------------------------


def test_a_catastrophic_schema_pattern_finishes(tmp_path: Path) -> None:
    schema = {"type": "object", "properties": {"code": {"type": "string", "pattern": "^(a+)+$"}}}
    (tmp_path / "s.json").write_text(json.dumps(schema), encoding="utf-8")
    (tmp_path / "c.yaml").write_text("code: " + "a" * 40 + "b\n", encoding="utf-8")
    # Python's `re` takes hours over this; RE2 microseconds.
    r = cli("eval", "--schema", "s.json", "code", "c.yaml", cwd=tmp_path, timeout=30)
    assert r.returncode == 0
    assert f"c.yaml:1:7: warning: '{'a' * 40}b' does not match '^(a+)+$'" in r.stderr


def test_an_re2_incompatible_pattern_is_a_schema_error_with_its_position(tmp_path: Path) -> None:
    text = '{\n  "type": "object",\n  "properties": {\n    "ref": {"pattern": "(a)\\\\1"}\n  }\n}\n'
    (tmp_path / "s.json").write_text(text, encoding="utf-8")
    with pytest.raises(SchemaError) as exc:
        ContractSchema.load(str(tmp_path / "s.json"))
    assert str(exc.value).startswith(
        f"{tmp_path / 's.json'}:4:24: pattern '(a)\\\\1' cannot be used: invalid escape sequence"
    )
    r = cli("eval", "--schema", "s.json", "1", cwd=tmp_path)
    assert r.returncode == 2
    assert "s.json:4:24: pattern" in r.stderr and "Traceback" not in r.stderr


def test_a_pattern_properties_key_is_checked_at_its_key(tmp_path: Path) -> None:
    text = '{\n  "patternProperties": {\n    "(?=x)": {}\n  }\n}\n'
    (tmp_path / "s.json").write_text(text, encoding="utf-8")
    with pytest.raises(SchemaError, match=r"s\.json:3:5: pattern '\(\?=x\)' cannot be used"):
        ContractSchema.load(str(tmp_path / "s.json"))


def test_unevaluated_properties_with_pattern_properties_is_refused() -> None:
    schema = {"patternProperties": {"^x": {}}, "unevaluatedProperties": False}
    with pytest.raises(SchemaError, match="`unevaluatedProperties` cannot be combined"):
        ContractSchema(schema)


@pytest.mark.parametrize(
    ("schema", "data"),
    [
        ({"properties": {"a": {"pattern": "^b"}}}, {"a": "abc"}),
        ({"properties": {"a": {}}, "additionalProperties": False}, {"a": 1, "b": 2, "c": 3}),
        ({"properties": {"a": {}}, "additionalProperties": False}, {"b": 2}),
        ({"patternProperties": {"^x": {}}, "additionalProperties": False}, {"xa": 1, "y": 2}),
        ({"patternProperties": {"^x": {"type": "integer"}}}, {"xa": "no", "y": 2}),
    ],
)
def test_messages_keep_jsonschemas_shape(schema: dict[str, Any], data: dict[str, Any]) -> None:
    ours = [e.message for e in ContractSchema(schema)._validator.iter_errors(data)]
    theirs = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(data)]
    assert ours == theirs and ours


def test_a_text_too_long_to_match_is_a_problem_not_a_hang() -> None:
    schema = ContractSchema({"properties": {"a": {"type": "string", "pattern": "b"}}})
    _typed, problems = schema.apply({"a": "a" * (MAX_MATCH_INPUT + 1)})
    assert [p.message for p in problems] == [
        f"a text of {MAX_MATCH_INPUT + 1:,} characters is too long to match 'b' "
        f"(the limit is {MAX_MATCH_INPUT:,})"
    ]


def test_matches_refuses_a_text_over_the_limit() -> None:
    data = {"s": "a" * (MAX_MATCH_INPUT + 1)}
    compiled, interpreted = run_both('s matches "a"', data)
    assert (
        repr(compiled)
        == repr(interpreted)
        == (
            f"error(`matches` needs a text of at most {MAX_MATCH_INPUT:,} characters, "
            f"found {MAX_MATCH_INPUT + 1:,})"
        )
    )


# -- numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "9" * MAX_DIGITS + " + 1",
        "-" + "9" * MAX_DIGITS + " - 1",
        "9" * 31 + " * " + "9" * 31,
        "-(" + "9" * MAX_DIGITS + " + 0.5)",
        "1.5 * " + "9" * MAX_DIGITS,
        "sum([" + "9" * MAX_DIGITS + ", 1])",
        "CNY " + "9" * MAX_DIGITS + " + CNY 1",
        "0." + "0" * 58 + "1 / 7",
    ],
)
def test_results_past_60_digits_are_out_of_range(text: str) -> None:
    compiled, interpreted = run_both(text)
    assert repr(compiled) == repr(interpreted) == f"error({OUT_OF_RANGE})"


def test_results_up_to_60_digits_are_exact() -> None:
    compiled, interpreted = run_both("9" * (MAX_DIGITS - 1) + "0 + 9")
    assert compiled.value == interpreted.value == 10**MAX_DIGITS - 1


def test_a_let_chain_squaring_a_number_stops_quickly() -> None:
    program = Program()
    program.add_let("x0", "99999")
    for i in range(1, 30):
        program.add_let(f"x{i}", f"x{i - 1} * x{i - 1}")
    expr = program.compile("x29 > 0")
    for evaluate in (expr.run, expr.interpret):
        with pytest.raises(Exception, match=OUT_OF_RANGE):
            evaluate(program.env({}, today=TODAY))


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("1 + " + "9" * 4301, 5),  # past Python's int-string conversion limit
        ("9" * (MAX_DIGITS + 1), 1),
        ("CNY 1." + "0" * MAX_DIGITS, 5),
        ("x > " + "1" * (MAX_DIGITS + 1) + " days", 5),
    ],
)
def test_a_number_literal_with_too_many_digits_is_a_syntax_error(text: str, column: int) -> None:
    with pytest.raises(ExprSyntaxError) as exc:
        parse(text)
    [d] = exc.value.diagnostics
    digits = sum(c.isdigit() for c in text[column - 1 :].split(" ")[0])
    assert (d.line, d.column, d.message) == (
        1,
        column,
        f"syntax error: a number may have at most {MAX_DIGITS} digits; this one has {digits:,}",
    )
    assert "^" * min(digits, 10) in exc.value.render()


def test_sixty_digits_are_allowed() -> None:
    assert parse("9" * MAX_DIGITS).value == 10**MAX_DIGITS - 1  # type: ignore[attr-defined]


# -- expressions past what Python can compile ---------------------------------------------


@pytest.mark.parametrize("terms", [68, 100, 120])
@pytest.mark.parametrize("form", ["a + {}", "-{}", "a ?? {}", "(xs[? @ > {i}])[0] ?? {}"])
def test_chains_too_deep_to_compile_are_interpreted(terms: int, form: str) -> None:
    text = "0"
    for i in range(terms):
        text = form.format(text if i else "1", i=i)
    try:
        program = Program()
        expr = program.compile(text)
    except ExprSyntaxError as exc:  # past the parser's own depth limit
        assert "nested too deeply" in exc.render()
        return
    data = {"a": 1, "xs": [1, 2]}
    compiled, interpreted = run_both(text, data)
    assert repr(compiled) == repr(interpreted)
    batch = program.batch([expr, (expr, expr)] if expr.type.kind == "bool" else [expr])
    assert repr(batch.run(program.env(data, today=TODAY))[0]) == repr(
        expr.interpret(program.env(data, today=TODAY))
    )


def test_sixty_eight_terms_add_up() -> None:
    text = " + ".join(["a"] * 68)
    compiled, interpreted = run_both(text, {"a": 2})
    assert compiled.value == interpreted.value == 136


def test_what_python_refuses_to_compile_is_interpreted(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(source: str) -> Any:
        raise SyntaxError("too many nested parentheses")

    monkeypatch.setattr(pycode, "_code", refuse)
    program = Program()
    expr = program.compile("a + 1")
    assert expr.run(program.env({"a": 1}, today=TODAY)) == 2
    batch = program.batch([expr, expr])
    assert list(batch.run(program.env({"a": 2}, today=TODAY))) == [3, 3]


# -- packs --------------------------------------------------------------------------------

PACK_HEAD = "pack: big\nversion: 1.0.0\ntitle: Big\nrules:\n"
RULE = "  - id: r{i}\n    title: rule {i}\n    severity: warning\n    message: m\n    assert: a > {i}\n"


def test_a_pack_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(PACK_HEAD + RULE.format(i=0) + "#" * MAX_PACK_BYTES + "\n", encoding="utf-8")
    with pytest.raises(PackError) as exc:
        read_pack(pack)
    size = pack.stat().st_size
    assert exc.value.render() == (
        f"{pack}: error: the pack file is {size:,} bytes; the limit is {MAX_PACK_BYTES:,} (2 MB): "
        "split it into packs that extend each other"
    )
    (tmp_path / "c.yaml").write_text("a: 1\n", encoding="utf-8")
    r = cli("check", "c.yaml", "--pack", "pack.yaml", cwd=tmp_path)
    assert r.returncode == 2 and "the limit is 2,097,152" in r.stderr


def test_a_pack_with_too_many_rules_is_refused(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    rules = "".join(RULE.format(i=i) for i in range(MAX_RULES + 1))
    pack.write_text(PACK_HEAD + rules, encoding="utf-8")
    with pytest.raises(PackError) as exc:
        read_pack(pack)
    assert exc.value.render().splitlines()[0] == (
        f"{pack}:4:1: error: the pack has {MAX_RULES + 1:,} rules; the limit is {MAX_RULES:,}"
    )


def test_a_pack_at_the_rule_limit_loads(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(PACK_HEAD + "".join(RULE.format(i=i) for i in range(MAX_RULES)))
    _src, problems, _bad = read_pack(pack)
    assert problems == []
