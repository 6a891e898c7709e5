"""The language server on pack files and pack tests, driven over stdio as an editor does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lspclient import Client, position_of, uri

from checker.packs.pack import builtin_packs

PACK = """\
pack: acme
version: 1.0.0
title: Acme house rules
schema: service-contract
extends: [drafting]
params:
  min_term: {type: duration, default: 2 years, description: Shortest confidentiality term.}
let:
  conf: confidentiality
rules:
  - id: term-long-enough
    title: Confidentiality lasts long enough
    severity: eror
    assert: confidentiality.term >= 2
    refs:
      - {law: 民法典, article: "501", basis: statute}
  - id: term-param
    title: Uses the parameter
    assert: |
      conf.term >= params.min_trm
      and exists(confidentiality.scpe)
  - id: kind-known
    title: The kind is known
    assert: "meta.kind == 1"
"""

GOOD = """\
pack: acme
version: 1.0.0
title: Acme house rules
schema: service-contract
extends: [drafting]
params:
  min_term: {type: duration, default: 2 years, description: Shortest confidentiality term.}
let:
  conf: confidentiality
rules:
  - id: term-long-enough
    title: Confidentiality lasts long enough
    severity: error
    assert: conf.term >= params.min_term
    refs:
      - {law: 民法典, article: "501", basis: statute}
  - id: kind-known
    title: The kind is known
    each: i in payment.installments
    assert: i.percent > 0 and meta.kind != "other"
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("lsp-packs")


@pytest.fixture(scope="module")
def client(folder: Path) -> Iterator[Client]:
    c = Client(folder)
    yield c
    c.close()


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _span(d: dict[str, Any]) -> tuple[int, int, int, int]:
    r = d["range"]
    return (r["start"]["line"], r["start"]["character"], r["end"]["line"], r["end"]["character"])


def test_pack_errors_are_diagnostics_at_their_exact_ranges(client: Client, folder: Path) -> None:
    path = _write(folder, "errors/pack.yaml", PACK)
    doc = client.open(path)
    found = {(_span(d), d["message"].split("\n")[0]) for d in client.diagnostics(doc)}
    assert found == {
        # the pack schema: an enum value, the token underlined
        (
            (12, 14, 12, 18),
            '"eror" is not one of "error", "warning", "info" (rule term-long-enough)',
        ),
        # a type error in a plain scalar: the number that lacks its unit
        (
            (13, 36, 13, 37),
            "expected a duration on the right of `>=`, found number (rule term-long-enough)",
        ),
        # a block scalar: the unknown parameter and the unknown field, on their own lines
        ((19, 26, 19, 33), "unknown parameter `min_trm` (rule term-param)"),
        ((20, 33, 20, 37), "unknown field `scpe` in `confidentiality` (rule term-param)"),
        # a quoted scalar: columns count from inside the quotes
        (
            (23, 26, 23, 27),
            "expected a string on the right of `==`, found number (rule kind-known)",
        ),
    }


def test_structure_errors_unknown_keys_and_yaml(client: Client, folder: Path) -> None:
    text = GOOD.replace("    severity: error\n", "    sevrity: error\n")
    doc = client.open(_write(folder, "keys/pack.yaml", text))
    (d,) = client.diagnostics(doc)
    assert _span(d) == (12, 4, 12, 11)
    assert (
        d["message"]
        == "unknown key `sevrity` (rule term-long-enough)\nhint: did you mean `severity`?"
    )
    client.change(doc, GOOD.replace("title: Acme house rules", "title: [Acme"))
    (d,) = client.diagnostics(doc)
    assert d["severity"] == 1 and d["range"]["start"]["line"] == 3
    assert "flow sequence" in d["message"] or "expected" in d["message"]


def test_a_change_is_analysed_from_the_unsaved_text(client: Client, folder: Path) -> None:
    path = _write(folder, "change/pack.yaml", PACK)
    doc = client.open(path)
    assert len(client.diagnostics(doc)) == 5
    client.change(doc, GOOD)
    assert client.diagnostics(doc) == []
    assert path.read_text(encoding="utf-8") == PACK  # nothing written to the disk


def test_completion_after_a_dot_lists_the_schema_fields_with_types(
    client: Client, folder: Path
) -> None:
    text = GOOD.replace("assert: conf.term >= params.min_term", "assert: confidentiality.")
    doc = client.open(_write(folder, "complete/pack.yaml", text))
    client.diagnostics(doc)
    line, ch = position_of(text, "confidentiality.", len("confidentiality."))
    items = {i["label"]: i for i in client.at("textDocument/completion", doc, line, ch)["items"]}
    assert set(items) == {
        "present", "mutual", "scope", "scope_detail", "term", "term_starts",
        "survives_termination", "indefinite_for_trade_secrets", "return_or_destroy",
        "personnel_bound", "written_consent_to_disclose", "agreement_ref", "clause", "perpetual",
    }  # fmt: skip
    assert items["term"]["detail"] == "duration"
    assert items["scope"]["detail"] == "list of string"
    assert "confidentiality clause" in items["present"]["documentation"]["value"]


def test_completion_of_params_lets_functions_variables(client: Client, folder: Path) -> None:
    doc = client.open(_write(folder, "complete2/pack.yaml", GOOD))
    client.diagnostics(doc)
    line, ch = position_of(GOOD, "params.min_term", len("params."))
    items = {i["label"]: i for i in client.at("textDocument/completion", doc, line, ch)["items"]}
    assert items["min_term"]["detail"] == "parameter: duration"
    assert "Shortest confidentiality term" in items["min_term"]["documentation"]["value"]
    # at the start of a name: the each variable, lets, top-level fields, functions
    line, ch = position_of(GOOD, "i.percent > 0")
    items = {i["label"]: i for i in client.at("textDocument/completion", doc, line, ch)["items"]}
    assert items["i"]["kind"] == 6 and items["i"]["detail"] == "map"  # Variable
    assert items["conf"]["detail"] == "let: map"
    assert items["payment"]["kind"] == 5  # Field
    assert items["sum"]["kind"] == 3 and items["sum"]["detail"].startswith("sum(")
    # the each variable's fields
    line, ch = position_of(GOOD, "i.percent", 2)
    labels = {i["label"] for i in client.at("textDocument/completion", doc, line, ch)["items"]}
    assert {"percent", "amount", "seq"} <= labels


def test_completion_of_units_currencies_and_enum_values(client: Client, folder: Path) -> None:
    text = GOOD.replace("assert: conf.term >= params.min_term", "assert: conf.term >= 2 ").replace(
        'meta.kind != "other"', 'meta.kind != "'
    )
    doc = client.open(_write(folder, "complete3/pack.yaml", text))
    client.diagnostics(doc)
    line, ch = position_of(text, ">= 2 ", len(">= 2 "))
    labels = [i["label"] for i in client.at("textDocument/completion", doc, line, ch)["items"]]
    assert labels == ["years", "months", "weeks", "days", "working days"]
    line, ch = position_of(text, 'meta.kind != "', len('meta.kind != "'))
    items = client.at("textDocument/completion", doc, line, ch)["items"]
    assert [i["label"] for i in items] == [
        "customer-acquisition", "customer-management", "crm-outsourcing", "sales-outsourcing",
        "other",
    ]  # fmt: skip
    text2 = text.replace("assert: conf.term >= 2 ", "assert: fees.total > CN")
    client.change(doc, text2)
    client.diagnostics(doc)
    line, ch = position_of(text2, "> CN", len("> CN"))
    labels = {i["label"] for i in client.at("textDocument/completion", doc, line, ch)["items"]}
    assert {"CNY", "USD", "EUR"} <= labels


def test_completion_while_the_yaml_is_broken_uses_the_last_scope(
    client: Client, folder: Path
) -> None:
    doc = client.open(_write(folder, "broken/pack.yaml", GOOD))
    client.diagnostics(doc)
    text = GOOD + '  - id: x\n    assert: "confidentiality.\n'
    client.change(doc, text)
    assert client.diagnostics(doc)  # the unclosed quote
    line = text.count("\n") - 1
    ch = len('    assert: "confidentiality.')
    labels = {i["label"] for i in client.at("textDocument/completion", doc, line, ch)["items"]}
    assert "term" in labels


def _hover(client: Client, doc: str, text: str, needle: str, after: int = 0) -> str:
    line, ch = position_of(text, needle, after)
    result = client.at("textDocument/hover", doc, line, ch)
    assert result is not None, needle
    return str(result["contents"]["value"])


def test_hover_shows_docs_types_descriptions_and_refs(client: Client, folder: Path) -> None:
    text = GOOD.replace("i.percent > 0", "sum(payment.installments[*].percent) > 0")
    doc = client.open(_write(folder, "hover/pack.yaml", text))
    client.diagnostics(doc)
    assert _hover(client, doc, text, "sum(").startswith("```\nsum(")
    field = _hover(client, doc, text, "[*].percent", 5)
    assert field.startswith("`payment.installments.percent`: number")
    assert _hover(client, doc, text, "conf.term", 1).startswith("**let** `conf`: map")
    param = _hover(client, doc, text, "params.min_term", 8)
    assert param.startswith("**parameter** `min_term`: duration (default `2 years`)")
    rule = _hover(client, doc, text, "term-long-enough", 2)
    assert rule.startswith("**Confidentiality lasts long enough** — `term-long-enough` (error)")
    assert "- 民法典 art. 501 (statute)" in rule


def _definition(client: Client, doc: str, text: str, needle: str, after: int = 0) -> Any:
    line, ch = position_of(text, needle, after)
    return client.at("textDocument/definition", doc, line, ch)


def test_go_to_definition(client: Client, folder: Path) -> None:
    drafting = builtin_packs()["drafting"]
    first_rule = "no-unfilled-placeholders"
    text = GOOD + f"  - id: {first_rule}\n    title: replaced\n    assert: true\n"
    path = _write(folder, "definition/pack.yaml", text)
    doc = client.open(path)
    client.diagnostics(doc)
    let = _definition(client, doc, text, "conf.term", 1)
    assert let["uri"] == uri(path) and let["range"]["start"] == {"line": 8, "character": 2}
    param = _definition(client, doc, text, "params.min_term", 9)
    assert param["range"]["start"] == {"line": 6, "character": 2}
    inherited = _definition(client, doc, text, first_rule, 3)
    drafting_text = drafting.read_text(encoding="utf-8")
    line, ch = position_of(drafting_text, f"- id: {first_rule}", 2)
    assert inherited == {
        "uri": uri(drafting),
        "range": {"start": {"line": line, "character": ch}, "end": {"line": line, "character": ch}},
    }
    extended = _definition(client, doc, text, "[drafting]", 2)
    assert extended["uri"] == uri(drafting)
    schema_field = _definition(client, doc, text, "i.percent", 3)
    assert schema_field["uri"].endswith("/schemas/service-contract.json")
    schema_file = Path(drafting).parent.parent / "schemas" / "service-contract.json"
    schema_line = schema_file.read_text(encoding="utf-8").split("\n")[
        schema_field["range"]["start"]["line"]
    ]
    assert schema_line.strip().startswith('"percent"')


def _actions(client: Client, doc: str, diagnostic: dict[str, Any]) -> list[dict[str, Any]]:
    return list(
        client.request(
            "textDocument/codeAction",
            {
                "textDocument": {"uri": doc},
                "range": diagnostic["range"],
                "context": {"diagnostics": [diagnostic]},
            },
        )
    )


def test_code_actions_apply_did_you_mean_and_add_the_unit(client: Client, folder: Path) -> None:
    doc = client.open(_write(folder, "actions/pack.yaml", PACK))
    edits = {}
    for d in client.diagnostics(doc):
        for action in _actions(client, doc, d):
            (edit,) = action["edit"]["changes"][doc]
            edits[action["title"]] = (_span(edit), edit["newText"])
    assert edits == {
        "Replace with `error`": ((12, 14, 12, 18), "error"),
        "Add the unit: `2 years`": ((13, 36, 13, 37), "2 years"),
        "Replace with `min_term`": ((19, 26, 19, 33), "min_term"),
        "Replace with `scope`": ((20, 33, 20, 37), "scope"),
    }


def test_pack_tests_unknown_rules_and_their_definition(client: Client, folder: Path) -> None:
    pack = _write(folder, "tested/pack.yaml", GOOD)
    case = (
        "description: one\n"
        "contract: {meta: {kind: other}}\n"
        "params: {min_trem: 3 years}\n"
        "expect:\n"
        "  fail: [term-long-enogh]\n"
        "  pass: [kind-known]\n"
    )
    path = _write(folder, "tested/tests/one.yaml", case)
    doc = client.open(path)
    found = {(_span(d), d["message"]) for d in client.diagnostics(doc)}
    assert found == {
        (
            (2, 9, 2, 17),
            "unknown parameter `min_trem` of pack acme\nhint: did you mean `min_term`?",
        ),
        (
            (4, 9, 4, 24),
            "no rule `term-long-enogh` in pack acme\nhint: did you mean `term-long-enough`?",
        ),
    }
    target = _definition(client, doc, case, "kind-known", 1)
    line, ch = position_of(GOOD, "- id: kind-known", 2)  # its `id`
    assert target["uri"] == uri(pack) and target["range"]["start"] == {
        "line": line,
        "character": ch,
    }
