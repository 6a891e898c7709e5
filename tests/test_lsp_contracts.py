"""The language server on contracts: findings on save under the configuration, suppressions."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lspclient import Client

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
DEFECT = EXAMPLES / "defects" / "d01-percentages-sum-to-90.yaml"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lsp-contracts")
    (root / "contract-checker.yaml").write_text("packs: [prc-service-contract]\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def client(folder: Path) -> Iterator[Client]:
    c = Client(folder)
    yield c
    c.close()


def _by_code(diagnostics: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {d["code"]: d for d in diagnostics}


def test_findings_of_a_saved_contract_are_diagnostics(client: Client, folder: Path) -> None:
    path = folder / "draft.yaml"
    shutil.copy(DEFECT, path)
    doc = client.open(path)
    found = _by_code(client.diagnostics(doc))
    assert set(found) == {
        "drafting/payment-percentages-sum-to-100",
        "drafting/payment-amounts-sum-to-total",
    }
    d = found["drafting/payment-percentages-sum-to-100"]
    # where `check` puts it (line 275, column 5, 1-based), the token there underlined
    assert d["range"] == {
        "start": {"line": 274, "character": 4},
        "end": {"line": 274, "character": 5},
    }
    assert d["severity"] == 1 and d["source"] == "contract-checker"
    assert d["message"] == (
        "Installments add up to 90% ([30, 40, 20]), not 100%.\n"
        "refs: 民法典 art. 470 (statute) — Art. 470(5): price or remuneration; "
        "民法典 art. 511 (statute) — Art. 511(2): unclear price"
    )
    # a change alone does not re-check (findings come on save) …
    text = path.read_text(encoding="utf-8")
    fixed = text.replace("percent: 20", "percent: 30")
    assert fixed != text
    client.change(doc, fixed)
    client.save(doc)
    # … the save does, from the editor's text
    assert "drafting/payment-percentages-sum-to-100" not in _by_code(client.diagnostics(doc))


def test_a_json_contract_is_checked_too(client: Client, folder: Path) -> None:
    path = folder / "draft.json"
    path.write_text('{"meta": {"kind": "other"}, "parties": "x"}', encoding="utf-8")
    doc = client.open(path)
    found = _by_code(client.diagnostics(doc))
    assert found["contract-checker/contract-schema"]["severity"] == 1


def test_a_suppression_with_its_reason_waives_the_finding(client: Client, folder: Path) -> None:
    path = folder / "suppressed.yaml"
    shutil.copy(DEFECT, path)
    doc = client.open(path)
    d = _by_code(client.diagnostics(doc))["drafting/payment-percentages-sum-to-100"]
    actions = client.request(
        "textDocument/codeAction",
        {"textDocument": {"uri": doc}, "range": d["range"], "context": {"diagnostics": [d]}},
    )
    (action,) = [a for a in actions if a["title"].startswith("Suppress")]
    assert action["title"] == (
        "Suppress drafting/payment-percentages-sum-to-100 here (write the reason after `--`)"
    )
    (edit,) = action["edit"]["changes"][doc]
    # above `installments:` (the key of the value the finding is about), at its indentation
    assert edit["range"]["start"] == {"line": 273, "character": 0}
    assert edit["newText"] == (
        "  # contract-checker: disable=drafting/payment-percentages-sum-to-100 -- \n"
    )
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[273] == "  installments:"
    # the reason is the author's to write: without one it waives nothing and says so
    lines.insert(273, edit["newText"].rstrip("\n"))
    client.change(doc, "\n".join(lines))
    client.save(doc)
    found = _by_code(client.diagnostics(doc))
    assert "drafting/payment-percentages-sum-to-100" in found
    assert "contract-checker/suppression-without-reason" in found
    lines[273] += "the client agreed to a 10% retention, see email of 2025-03-01"
    client.change(doc, "\n".join(lines))
    client.save(doc)
    found = _by_code(client.diagnostics(doc))
    assert "drafting/payment-percentages-sum-to-100" not in found
    assert "contract-checker/suppression-without-reason" not in found


def test_a_broken_configuration_is_reported_on_the_contract(tmp_path: Path) -> None:
    (tmp_path / "contract-checker.yaml").write_text("packs: [no-such-pack]\n", encoding="utf-8")
    path = tmp_path / "draft.yaml"
    shutil.copy(DEFECT, path)
    client = Client(tmp_path)
    try:
        doc = client.open(path)
        (d,) = client.diagnostics(doc)
        assert d["severity"] == 1
        assert d["message"].startswith("cannot check: ")
        assert "no pack 'no-such-pack'" in d["message"]
    finally:
        client.close()


def test_lsp_without_pygls_says_how_to_install_it() -> None:
    hide = "import sys; sys.modules['pygls'] = None; from checker.cli import run; run()"
    done = subprocess.run(
        [sys.executable, "-c", hide, "lsp"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "contract-checker: the language server needs pygls, which is not installed: "
        "pip install 'contract-compliance-checker[lsp]'\n"
    )


def test_the_stdio_flag_editors_pass_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "draft.yaml"
    shutil.copy(DEFECT, path)
    client = Client(tmp_path, ("--stdio",))  # what vscode-languageclient adds for stdio
    try:
        codes = set(_by_code(client.diagnostics(client.open(path))))
        assert "drafting/payment-percentages-sum-to-100" in codes
    finally:
        client.close()
