"""Rule packs: every key, every outcome, load errors with positions, pickling, the Python API."""

from __future__ import annotations

import pickle
import textwrap
from pathlib import Path
from typing import Any

import pytest

import checker
from checker import PackError, load_pack
from checker.lang import Duration


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


PACK = """
pack: acme
version: 1.2.3
title: Acme pack
description: tests every key
params:
  min_term: {type: duration, default: 2 years, description: minimum term}
  cap: {type: number, default: 20}
let:
  total_percent: sum(payment.installments[*].percent)
  big: total_percent > 50
rules:
  - id: percent-100
    title: Installments add up to 100%
    severity: error
    when: exists(payment.installments)
    assert: total_percent == 100
    at: payment.installments
    message:
      en: "Installments add up to {total_percent}%, not 100%."
      zh: "各期付款比例合计为{total_percent}%，不等于100%。"
    refs:
      - {law: 民法典, article: "510", basis: statute}
      - see the payment clause
    tags: [payment]
  - id: amount-positive
    title: Every amount is positive
    severity: warning
    each: i in payment.installments
    assert: i.amount > 0
    message: "Installment {i.percent}% has amount {i.amount}."
  - id: term-long-enough
    title: Term is long enough
    assert: duration(term) >= params.min_term
  - id: fee-known
    title: Fee is stated
    severity: info
    assert: fee.total > 0
  - id: fee-known-lenient
    title: Fee is stated (lenient)
    on_missing: skip
    assert: fee.total > 0
  - id: never-applies
    when: false
    assert: false
  - id: divide
    assert: 1 / cap_zero == 1
"""


@pytest.fixture
def pack_dir(tmp_path: Path) -> Path:
    write(tmp_path, "acme/pack.yaml", PACK)
    return tmp_path / "acme"


DATA: dict[str, Any] = {
    "payment": {"installments": [{"percent": 30, "amount": 300}, {"percent": 60, "amount": -1}]},
    "term": "1年",
    "cap_zero": 0,
}


def outcomes(pack: checker.Pack, data: dict[str, Any]) -> list[tuple[str, str, int | None]]:
    return [(r.rule, r.outcome, r.element) for r in pack.evaluate(data)]


def test_every_outcome(pack_dir: Path) -> None:
    pack = load_pack(pack_dir)
    assert (pack.id, pack.version, pack.title, len(pack.rules)) == ("acme", "1.2.3", "Acme pack", 7)
    assert outcomes(pack, DATA) == [
        ("percent-100", "fail", None),
        ("amount-positive", "pass", 0),
        ("amount-positive", "fail", 1),
        ("term-long-enough", "fail", None),
        ("fee-known", "missing", None),
        ("fee-known-lenient", "skip", None),
        ("never-applies", "skip", None),
        ("divide", "error", None),
    ]


def test_a_when_neither_true_nor_false_is_an_error_for_each_rules_too(tmp_path: Path) -> None:
    # Without a schema `flag` is untyped: a text there is a runtime error whatever the
    # rule's shape, never a silent skip (only false or missing skip a rule).
    pack_file = write(
        tmp_path,
        "p/pack.yaml",
        """
        pack: p
        version: 1.0.0
        title: p
        rules:
          - {id: plain, title: plain, when: flag, assert: false}
          - {id: each, title: each, when: flag, each: x in xs, assert: false}
        """,
    )
    results = load_pack(pack_file).evaluate({"flag": "text", "xs": [1]})
    message = "cannot evaluate: `when` must be true or false, found string"
    assert [(r.rule, r.outcome, r.message) for r in results] == [
        ("plain", "error", f"plain: {message}"),
        ("each", "error", f"each: {message}"),
    ]
    skipped = load_pack(pack_file).evaluate({"flag": False, "xs": [1]})
    assert [(r.rule, r.outcome) for r in skipped] == [("plain", "skip"), ("each", "skip")]


def test_messages_values_and_pointers(pack_dir: Path) -> None:
    results = {(r.rule, r.element): r for r in load_pack(pack_dir).evaluate(DATA)}
    r = results[("percent-100", None)]
    assert r.message == "Installments add up to 90%, not 100%."
    assert r.message_zh == "各期付款比例合计为90%，不等于100%。"
    assert r.pointer == "/payment/installments"
    assert r.values == {"total_percent": 90}
    r = results[("amount-positive", 1)]
    assert r.message == "Installment 60% has amount -1."
    assert r.pointer == "/payment/installments/1/amount"
    r = results[("term-long-enough", None)]
    assert r.message == (
        "Term is long enough: `duration(term) >= params.min_term` is false — "
        "duration(term) was 1 year, params.min_term was 2 years"
    )
    assert r.values == {"duration(term)": "1 year", "params.min_term": "2 years"}
    r = results[("fee-known", None)]
    assert (r.message, r.missing, r.pointer) == (
        "Fee is stated: missing data: fee",
        ["fee"],
        "/fee",
    )
    r = results[("divide", None)]
    assert r.message == "divide: cannot evaluate: division by zero"


def test_params_override_and_types(pack_dir: Path) -> None:
    pack = load_pack(pack_dir, params={"min_term": "1 year"})
    assert pack.params["min_term"] == Duration(12, "months")
    assert ("term-long-enough", "pass", None) in outcomes(pack, DATA)
    with pytest.raises(PackError, match="unknown parameter `min_trm`") as info:
        load_pack(pack_dir, params={"min_trm": "1 year"})
    assert info.value.problems[0].hint == "did you mean `min_term`?"
    with pytest.raises(PackError, match=r"error: parameter `min_term`: not a duration: .soon."):
        load_pack(pack_dir, params={"min_term": "soon"})


def test_python_floats_are_exact(tmp_path: Path) -> None:
    write(
        tmp_path,
        "p/pack.yaml",
        """
        pack: p
        rules:
          - id: rate
            assert: rate <= 0.05 and rate * 3 == 0.15
    """,
    )
    assert outcomes(load_pack(tmp_path / "p"), {"rate": 0.05}) == [("rate", "pass", None)]


def test_pack_pickles_and_still_works(pack_dir: Path) -> None:
    pack = load_pack(pack_dir, params={"cap": 5})
    clone = pickle.loads(pickle.dumps(pack))
    assert clone.params["cap"] == 5
    assert outcomes(clone, DATA) == outcomes(pack, DATA)


def test_extends_replaces_same_id_and_keeps_the_rest(tmp_path: Path, pack_dir: Path) -> None:
    write(
        tmp_path,
        "child/pack.yaml",
        """
        pack: child
        extends: [../acme]
        rules:
          - id: fee-known
            title: Fee is stated, relaxed
            severity: warning
            assert: true
          - id: extra
            assert: count(payment.installments) == 2
    """,
    )
    pack = load_pack(tmp_path / "child")
    ids = [(r.pack, r.id) for r in pack.rules]
    assert ids[:5] == [
        ("acme", "percent-100"),
        ("acme", "amount-positive"),
        ("acme", "term-long-enough"),
        ("child", "fee-known"),
        ("acme", "fee-known-lenient"),
    ]
    assert ids[-1] == ("child", "extra")
    assert ("fee-known", "pass", None) in outcomes(pack, DATA)


def test_applies_to_skips_the_whole_pack(tmp_path: Path) -> None:
    write(
        tmp_path,
        "p/pack.yaml",
        """
        pack: p
        applies_to: exists(payment)
        rules:
          - {id: a, assert: false}
    """,
    )
    pack = load_pack(tmp_path / "p")
    assert outcomes(pack, {}) == [("a", "skip", None)]
    assert outcomes(pack, {"payment": {}}) == [("a", "fail", None)]


def test_bare_yaml_scalars_are_expressions(tmp_path: Path) -> None:
    write(
        tmp_path,
        "p/pack.yaml",
        """
        pack: p
        rules:
          - {id: a, assert: true}
          - {id: b, when: false, assert: 1 == 1}
    """,
    )
    assert outcomes(load_pack(tmp_path / "p"), {}) == [("a", "pass", None), ("b", "skip", None)]


def rendered(tmp_path: Path, text: str) -> str:
    write(tmp_path, "bad/pack.yaml", text)
    with pytest.raises(PackError) as info:
        load_pack(tmp_path / "bad")
    return info.value.render().replace(str(tmp_path) + "/", "")


def test_type_error_points_into_the_yaml_with_a_caret(tmp_path: Path) -> None:
    out = rendered(
        tmp_path,
        """
        pack: bad
        schema: service-contract
        rules:
          - id: confidentiality-term
            assert: confidentiality.term >= 2
    """,
    )
    assert out == (
        "bad/pack.yaml:5:37: error in rule confidentiality-term: expected a duration on the "
        "right of `>=`, found number\n"
        "        assert: confidentiality.term >= 2\n"
        "                                        ^\n"
        "hint: write `2 years`"
    )


def test_all_problems_of_a_pack_in_one_run(tmp_path: Path) -> None:
    out = rendered(
        tmp_path,
        """
        pack: bad
        schema: service-contract
        params:
          n: {type: number, default: 1}
        rules:
          - id: one
            severity: eror
            assert: true
          - id: two
            asert: true
          - id: three
            assert: |
              payment.installments[*].precent == [3]
              and params.m > 1
          - id: three
            assert: true
          - id: Four
            assert: true
            message: {en: "value {confidentiality.trm}"}
    """,
    )
    lines = [line for line in out.splitlines() if line.startswith("bad/")]
    assert lines == [
        'bad/pack.yaml:7:15: error in rule one: "eror" is not one of "error", "warning", "info"',
        "bad/pack.yaml:9:5: error in rule two: 'assert' is required",
        "bad/pack.yaml:10:5: error in rule two: unknown key `asert`",
        "bad/pack.yaml:13:31: error in rule three: unknown field `precent` in "
        "`payment.installments[*]`",
        "bad/pack.yaml:14:18: error in rule three: unknown parameter `m`",
        "bad/pack.yaml:15:9: error in rule three: duplicate rule id `three` (first at rule 3 of "
        "this pack)",
        'bad/pack.yaml:17:9: error in rule Four: "Four" is not a kebab-case id',
        "bad/pack.yaml:19:43: error in rule Four: unknown field `trm` in `confidentiality`",
    ]
    assert "hint: did you mean `percent`?" in out
    assert "hint: did you mean `assert`?" in out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("pack: x\nrules: []\nextra: 1\n", "bad/pack.yaml:3:1: error: unknown key `extra`"),
        ("pack: X Y\nrules: []\n", 'bad/pack.yaml:1:7: error: "X Y" is not a kebab-case id'),
        ("rules: []\n", "bad/pack.yaml:1:1: error: 'pack' is required"),
        (
            "pack: x\nschema: nope\nrules: []\n",
            "bad/pack.yaml:2:9: error: schema 'nope' is neither",
        ),
        ("pack: x\nextends: [nope]\nrules: []\n", "bad/pack.yaml:2:11: error: no pack 'nope'"),
        (
            "pack: x\nparams: {a: {type: duration, default: 3}}\nrules: []\n",
            "bad/pack.yaml:2:39: error: default of parameter `a`: expected a duration written as text",
        ),
        (
            "pack: x\nlet: {a: 1 +}\nrules: []\n",
            "bad/pack.yaml:2:13: error: syntax error: unexpected end",
        ),
        (
            "pack: x\nrules:\n  - {id: a, assert: 'sum(1)'}\n",
            "bad/pack.yaml:3:26: error in rule a: sum(): expected a list, found number",
        ),
        (
            "pack: x\nrules:\n  - {id: a, each: 'x of xs', assert: 'true'}\n",
            "bad/pack.yaml:3:19: error in rule a: `each` is written `NAME in EXPR`",
        ),
        (
            "pack: x\nrules:\n  - {id: a, assert: '1 + 1'}\n",
            "bad/pack.yaml:3:21: error in rule a: `assert` must be a bool, found number",
        ),
        ("pack: x\nrules: [\n", "bad/pack.yaml:3:1: error: "),
    ],
)
def test_load_errors(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad/pack.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(PackError) as info:
        load_pack(tmp_path / "bad")
    assert info.value.render().replace(str(tmp_path) + "/", "").startswith(message), (
        info.value.render()
    )


def test_extends_cycle(tmp_path: Path) -> None:
    write(tmp_path, "a/pack.yaml", "pack: a\nextends: [../b]\nrules: []\n")
    write(tmp_path, "b/pack.yaml", "pack: b\nextends: [../a]\nrules: []\n")
    with pytest.raises(PackError, match=r"`extends` cycle: a → b → a"):
        load_pack(tmp_path / "a")


def test_unknown_pack_name_suggests() -> None:
    with pytest.raises(PackError, match="no pack 'draftin' \\(did you mean 'drafting'\\?\\)"):
        load_pack("draftin")


def test_default_locations(tmp_path: Path) -> None:
    """Without `at`: the failing element of a quantifier, the data read inside a call, and
    elements that went through compact() keep their places."""
    write(
        tmp_path,
        "loc/pack.yaml",
        """
        pack: loc
        rules:
          - id: all-positive
            assert: "all i in xs: i.a > 0"
          - id: upper
            assert: cny_upper_matches(t, 5) == true
          - id: compacted
            each: x in compact(xs[*].a)
            assert: x > 0
    """,
    )
    data = {"xs": [{"a": 1}, {"a": -2}, {"a": 3}, {}, {"a": -7}], "t": "壹元整"}
    found = [
        (r.rule, r.pointer)
        for r in load_pack(tmp_path / "loc").evaluate(data)
        if r.outcome == "fail"
    ]
    assert found == [
        ("all-positive", "/xs/1/a"),
        ("upper", "/t"),
        ("compacted", "/xs/1/a"),
        ("compacted", "/xs/4/a"),
    ]


def test_unquoted_quantifier_colon_gets_a_hint(tmp_path: Path) -> None:
    out = rendered(
        tmp_path,
        """
        pack: bad
        rules:
          - id: a
            assert: all i in xs: i > 0
    """,
    )
    assert out.splitlines()[0] == (
        "bad/pack.yaml:4:24: error: YAML syntax error: mapping values are not allowed in this context"
    )
    assert out.splitlines()[-1] == (
        "hint: an expression with `:` must be quoted or written as a block (`assert: |`)"
    )


def test_null_test_on_an_unreadable_value_is_missing_in_both_evaluators(tmp_path: Path) -> None:
    write(
        tmp_path,
        "n/pack.yaml",
        """
        pack: n
        schema: schema.json
        rules:
          - {id: is-null, assert: fee == null}
          - {id: not-null, assert: fee != null}
    """,
    )
    (tmp_path / "n/schema.json").write_text(
        '{"properties": {"fee": {"x-type": "money"}}}', encoding="utf-8"
    )
    results = load_pack(tmp_path / "n").evaluate({"fee": "a lot"})
    assert [(r.rule, r.outcome) for r in results] == [
        ("is-null", "missing"),
        ("not-null", "missing"),
    ]


def test_a_pack_parameter_extends_the_placeholder_patterns(tmp_path: Path) -> None:
    write(
        tmp_path,
        "ph/pack.yaml",
        """
        pack: ph
        params:
          placeholder_patterns: {type: list, default: ["\\\\?{3}", "〔待签〕"]}
        rules:
          - id: no-blanks
            assert: count(placeholders(contract)) == 0
            message: "blanks: {placeholders(contract)[*].text}"
    """,
    )
    [r] = load_pack(tmp_path / "ph").evaluate({"a": "名称：??? 签字：〔待签〕", "b": "____"})
    assert r.outcome == "fail"
    assert r.message == 'blanks: ["???", "〔待签〕", "____"]'
    with pytest.raises(PackError, match="invalid placeholder pattern"):
        load_pack(tmp_path / "ph", params={"placeholder_patterns": ["(a"]})


def test_builtin_packs_and_schema_are_valid_against_their_schemas() -> None:
    """Loading skips these checks for the shipped files (start-up time): they are made here."""
    import json

    import jsonschema
    import yaml

    from checker.inputs.schema import builtin_schemas
    from checker.packs.pack import builtin_packs
    from checker.packs.packschema import PACK_SCHEMA

    packs = builtin_packs()
    assert set(packs) == {"drafting", "prc-service-contract", "pipl-customer-data", "document"}
    for path in packs.values():
        jsonschema.Draft202012Validator(PACK_SCHEMA).validate(
            yaml.safe_load(path.read_text("utf-8"))
        )
    for path in builtin_schemas().values():
        jsonschema.Draft202012Validator.check_schema(json.loads(path.read_text("utf-8")))


def test_a_ref_with_a_stray_key_is_a_pack_error_not_a_crash(tmp_path: Path) -> None:
    out = rendered(
        tmp_path,
        """
        pack: bad
        rules:
          - {id: a, assert: "true", refs: [{law: X, note: a, b}]}
    """,
    )
    assert out.splitlines()[0] == "bad/pack.yaml:3:54: error in rule a: unknown key `b`"


def test_a_nullable_bool_assert_is_a_load_error(tmp_path: Path) -> None:
    write(
        tmp_path,
        "nb/pack.yaml",
        """
        pack: nb
        schema: schema.json
        rules:
          - {id: a, assert: flag}
    """,
    )
    (tmp_path / "nb/schema.json").write_text(
        '{"properties": {"flag": {"type": ["boolean", "null"]}}}', encoding="utf-8"
    )
    with pytest.raises(PackError, match="`assert` may be null"):
        load_pack(tmp_path / "nb")
