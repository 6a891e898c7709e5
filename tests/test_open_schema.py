"""Open schemas (no `additionalProperties: false`) still catch typos: a path near a declared
field is a load error with a did-you-mean; any other undeclared path is a load warning."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import clirun
import pytest
from clirun import THIS_TREE

from checker import PackError, load_pack
from checker.lang import ExprTypeError, Program, types
from checker.lang.names import edit_distance, near_name

SCHEMA = {
    "type": "object",
    "properties": {
        "confidentiality": {
            "type": "object",
            "properties": {
                "term": {"type": "string", "x-type": "duration"},
                "survives": {"type": "boolean"},
            },
        },
        "payment": {
            "type": "object",
            "properties": {
                "installments": {
                    "type": "array",
                    "items": {"type": "object", "properties": {"percent": {"type": "number"}}},
                }
            },
        },
    },
}


def make_pack(tmp_path: Path, rules: str) -> Path:
    folder = tmp_path / "open"
    (folder / "tests").mkdir(parents=True)
    (folder / "schema.json").write_text(json.dumps(SCHEMA), encoding="utf-8")
    (folder / "pack.yaml").write_text(
        "pack: open\nschema: schema.json\nrules:\n" + rules, encoding="utf-8"
    )
    return folder


def program() -> Program:
    return Program(data_type=types.SchemaTyper(SCHEMA).type_of())


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("term", "term", 0), ("trem", "term", 1), ("fee", "fees", 1), ("abc", "xyz", 3)],
)
def test_edit_distance_counts_a_swap_as_one_edit(a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b) == distance


def test_near_name_is_strict_for_short_names() -> None:
    assert near_name("trem", ["term", "survives"]) == "term"
    assert near_name("tenure", ["term"]) is None
    assert near_name("confidentiallity", ["confidentiality"]) == "confidentiality"
    assert near_name("Payment", ["payment"]) == "payment"


@pytest.mark.parametrize(
    ("expr", "column", "message", "hint"),
    [
        (
            "confidentiality.trem >= 2 years",
            17,
            "unknown field `trem` in `confidentiality`: the schema does not declare it",
            "did you mean `term`?",
        ),
        (
            "exists(confidentiallity)",
            8,
            "unknown field `confidentiallity` in the contract: the schema does not declare it",
            "did you mean `confidentiality`?",
        ),
        (
            "all i in payment.installments: i.percnt > 0",
            34,
            "unknown field `percnt` in `i`: the schema does not declare it",
            "did you mean `percent`?",
        ),
    ],
)
def test_a_typo_of_a_declared_field_is_a_type_error(
    expr: str, column: int, message: str, hint: str
) -> None:
    with pytest.raises(ExprTypeError) as exc:
        program().compile(expr)
    (d,) = exc.value.diagnostics
    assert (d.column, d.message, d.hint) == (column, message, hint)


def test_an_undeclared_field_near_no_declared_one_is_a_warning() -> None:
    compiled = program().compile("exists(confidentiality.notes)")
    (w,) = compiled.warnings
    assert (w.line, w.column, w.message) == (
        1,
        24,
        "field `notes` of `confidentiality` is not declared in the schema",
    )
    assert program().compile("confidentiality.term >= 2 years").warnings == ()


def test_a_typo_is_a_pack_load_error_never_a_missing_finding(tmp_path: Path) -> None:
    folder = make_pack(tmp_path, "  - id: long\n    assert: confidentiality.trem >= 2 years\n")
    with pytest.raises(PackError) as exc:
        load_pack(folder)
    assert exc.value.render() == (
        f"{folder / 'pack.yaml'}:5:29: error in rule long: unknown field `trem` in "
        "`confidentiality`: the schema does not declare it\n"
        "        assert: confidentiality.trem >= 2 years\n"
        "                                ^^^^\n"
        "hint: did you mean `term`?"
    )


RULES = """\
  - id: noted
    when: exists(confidentiality.notes)
    each: i in payment.instalment_plan
    assert: i.percent > 0
    message: "Remark: {confidentiality.remark}"
"""


def test_undeclared_paths_are_load_warnings_with_positions(tmp_path: Path) -> None:
    pack = load_pack(make_pack(tmp_path, RULES))
    assert [(w.line, w.column, w.severity, w.rule, w.message) for w in pack.warnings] == [
        (5, 34, "warning", "noted", "field `notes` of `confidentiality` is not declared in the schema"),
        (6, 24, "warning", "noted", "field `instalment_plan` of `payment` is not declared in the schema"),
        (8, 40, "warning", "noted", "field `remark` of `confidentiality` is not declared in the schema"),
    ]  # fmt: skip


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return clirun.cli(*args, cwd=cwd, env=THIS_TREE)


WARNING = (
    "pack.yaml:5:34: warning in rule noted: field `notes` of `confidentiality` is not "
    "declared in the schema\n"
    "        when: exists(confidentiality.notes)\n"
    "                                     ^^^^^\n"
    "hint: rules reading it are not type-checked; declare it in the schema if it is meant\n"
)


def test_check_and_test_show_the_warnings_on_stderr_and_still_run(tmp_path: Path) -> None:
    folder = make_pack(tmp_path, RULES)
    (folder / "tests" / "t.yaml").write_text(
        "contract: {payment: {}}\nexpect: {skip: [noted]}\n", encoding="utf-8"
    )
    (tmp_path / "c.yaml").write_text("payment: {}\n", encoding="utf-8")
    checked = cli("check", "--pack", "open", "c.yaml", cwd=tmp_path)
    tested = cli("test", "open", cwd=tmp_path)
    for r in (checked, tested):
        assert f"open/{WARNING}" in r.stderr, r.stderr
        assert r.stderr.count("warning in rule") == 3
    assert checked.returncode == 0, checked.stdout
    assert (tested.returncode, tested.stdout.splitlines()[0]) == (0, "open (1 case) ."), (
        tested.stdout
    )
