"""Hostile contracts (tests/adversarial/): every output format encodes and escapes what they hold."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from clirun import cli_bytes

from checker.models import Finding, fingerprint
from checker.report import json_text, one_line

ROOT = Path(__file__).resolve().parent.parent
ADVERSARIAL = "tests/adversarial"
LONE = f"{ADVERSARIAL}/lone-surrogate.json"  # the 24 bytes: no key of a contract
LONE_CONTRACT = f"{ADVERSARIAL}/lone-surrogate-contract.json"  # the same key in a contract
HOSTILE = f"{ADVERSARIAL}/hostile.json"
GOOD = "tests/fixtures/contracts/good.yaml"
PACK = "tests/fixtures/acme"
FORMATS = ("text", "json", "sarif", "junit", "github", "markdown")
# The hostile key of hostile.json, and what its unknown-field message says.
KEY = "\n::error file=evil.yaml,line=1::injected\r\n::warning::x"
KEY_MESSAGE = f"unknown field `{KEY}`"
# What no terminal, CI log or one-line field may receive raw from a contract.
RAW_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[bytes]:
    return cli_bytes(*args, cwd=cwd, unset=["NO_COLOR"])


def check(*paths: str, fmt: str, cwd: Path = ROOT) -> tuple[int, str]:
    """Exit status and output (strict UTF-8: decoding fails if the format wrote a surrogate)."""
    r = cli("check", *paths, "--pack", str(ROOT / PACK), "--format", fmt, cwd=cwd)
    assert r.stderr == b"", r.stderr.decode(errors="replace")
    return r.returncode, r.stdout.decode("utf-8")


# -- 1. lone surrogates: one file never aborts the run -------------------------------------


def test_the_lone_surrogate_fixture_is_the_24_bytes_of_the_report() -> None:
    raw = (ROOT / LONE).read_bytes()
    assert (len(raw), json.loads(raw)) == (24, {"a": "x", "\udfff": 1})


def test_the_24_bytes_are_not_a_contract_and_the_run_goes_on() -> None:
    r = cli("check", LONE, GOOD, "--pack", PACK, "--format", "json")
    assert r.returncode == 0, r.stderr
    note = f"contract-checker: skipped {LONE}: not a contract (no top-level field of the"
    assert r.stderr.decode("utf-8").startswith(note)
    doc = json.loads(r.stdout)
    assert (doc["summary"]["files"], doc["summary"]["skipped"]) == (1, 1)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_lone_surrogate_is_a_finding_and_the_other_file_is_still_checked(fmt: str) -> None:
    code, out = check(LONE_CONTRACT, GOOD, fmt=fmt)
    assert code == 1
    shown = "unknown field `\ufffd`"  # text formats show U+FFFD
    if fmt == "text":
        assert shown in out and "in 1 of 2 files" in out
    elif fmt == "github":
        assert f"title=contract-checker/contract-schema::{shown}" in out
        assert "in 1 of 2 files" in out
    elif fmt == "markdown":
        assert "unknown field \\`\ufffd\\`" in out and f"`{GOOD}`" in out
    elif fmt == "junit":
        suites = ET.fromstring(out).findall("testsuite")
        assert [s.get("name") for s in suites] == [LONE_CONTRACT, GOOD]
        assert "unknown field `\\udfff`" in out
    else:  # JSON formats keep the surrogate as a `\udfff` escape: valid JSON, same string
        assert "unknown field `\\udfff`" in out
        doc = json.loads(out)
        if fmt == "json":
            messages = [f["message"] for f in doc["findings"]]
            assert doc["summary"]["files"] == 2
        else:
            messages = [r["message"]["text"] for r in doc["runs"][0]["results"]]
            assert len(doc["runs"][0]["artifacts"]) == 2
        assert "unknown field `\udfff`" in messages


def test_baseline_with_a_lone_surrogate_is_written_and_read_back(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    baseline.write_text('{"version": 1, "findings": []}', encoding="utf-8")
    r = cli("check", LONE_CONTRACT, "--pack", PACK, "--write-baseline", str(baseline))
    assert r.returncode == 1, r.stderr
    written = json.loads(baseline.read_bytes().decode("utf-8"))
    pointers = [f["pointer"] for f in written["findings"]]
    assert "/\udfff" in pointers
    r = cli("check", LONE_CONTRACT, "--pack", PACK, "--baseline", str(baseline), "--format", "json")
    assert (r.returncode, r.stderr) == (0, b"")
    assert json.loads(r.stdout)["findings"] == []


def test_fingerprints_hash_any_string() -> None:
    def fp(pointer: str) -> str:
        f = Finding(file="c.json", pointer=pointer, pack="p", rule="r", severity="error",
                    outcome="fail", message="m")  # fmt: skip
        return fingerprint(f)

    assert re.fullmatch("[0-9a-f]{32}", fp("/\udfff"))
    assert fp("/\udfff") != fp("/\ufffd")


def test_json_text_escapes_only_lone_surrogates() -> None:
    text = json_text({"k\udfff": "é\ud800😀"})
    assert "k\\udfff" in text and "é\\ud800😀" in text
    assert json.loads(text) == {"k\udfff": "é\ud800😀"}


# -- 2. output injection --------------------------------------------------------------------


def test_one_line_escapes_controls_and_separators() -> None:
    assert one_line("a\nb\r\tc\x1b[2J\x07\x7f\x9b\u2028\u2029\udfff 中") == (
        "a\\nb\\r\\tc\\x1b[2J\\x07\\x7f\\x9b\\u2028\\u2029\ufffd 中"
    )


def test_text_output_escapes_untrusted_text() -> None:
    code, out = check(HOSTILE, fmt="text")
    assert code == 1
    assert not RAW_CONTROLS.search(out)
    assert [line for line in out.splitlines() if line.startswith("::")] == []
    assert f"{one_line(KEY_MESSAGE)}  contract-checker/contract-schema" in out
    # values in messages and the source excerpt, C1 controls and U+2028 included
    assert '"\\x1b]0;pwned\\x07\\x1b[2J 3\xa0年\\x9b31m\\u2028::warning::x"' in out
    assert '  "term": "\\u001b]0;pwned\\u0007\\u001b[2J 3\xa0年\\x9b31m\\u2028::warning::x",' in out


@pytest.mark.skipif(sys.platform == "win32", reason="file names with line breaks")
def test_text_and_markdown_escape_a_hostile_file_name(tmp_path: Path) -> None:
    name = "x\n::error file=a::b\n# <img src=x onerror=alert(1)>\x1b[31m.json"
    shutil.copy(ROOT / HOSTILE, tmp_path / name)
    _, text = check(name, fmt="text", cwd=tmp_path)
    assert text.startswith(one_line(name) + "\n")
    assert not RAW_CONTROLS.search(text)
    _, md = check(name, fmt="markdown", cwd=tmp_path)
    assert f"\n### `{one_line(name)}`\n" in md
    headings = [line for line in md.splitlines() if line.startswith("#")]
    assert headings == ["## ❌ contract-checker: errors found", f"### `{one_line(name)}`"]


def test_markdown_escapes_html_markup_and_line_breaks() -> None:
    code, out = check(HOSTILE, fmt="markdown")
    assert code == 1
    assert "<img" not in out and not RAW_CONTROLS.search(out)
    assert (
        'cannot read "&lt;img src=x onerror=alert(1)&gt; \\*\\*b\\*\\* \\[l\\](http://e) \\|'
        '<br>::error::md" as money'
    ) in out
    # every table row is one line: a line break in a key is an escape
    assert (
        "| unknown field \\`<br>::error file=evil.yaml,line=1::injected<br>::warning::x\\` |" in out
    )
    rows = [line for line in out.splitlines() if line.startswith("| ")]
    assert all(line.endswith(" |") for line in rows)


def test_github_annotations_hold() -> None:
    code, out = check(HOSTILE, fmt="github")
    assert code == 1
    lines = out.split("\n")[:-1]  # the runner reads lines at \n (and \r), nothing else
    assert "\r" not in out
    assert all(line.startswith(("::error ", "::warning ", "contract-checker: ")) for line in lines)
    assert lines[-1].startswith("contract-checker: 5 findings")
    assert "::unknown field `%0A::error file=evil.yaml,line=1::injected%0D%0A::warning::x`" in out


def test_sarif_holds() -> None:
    code, out = check(HOSTILE, fmt="sarif")
    assert code == 1
    results = json.loads(out)["runs"][0]["results"]
    assert KEY_MESSAGE in [r["message"]["text"] for r in results]
    assert "\n::" not in out  # JSON escapes line breaks


def test_junit_holds() -> None:
    code, out = check(HOSTILE, fmt="junit")
    assert code == 1
    root = ET.fromstring(out)  # well-formed XML: no control character XML 1.0 refuses
    messages = [e.get("message") for e in root.iter() if e.tag in ("failure", "error")]
    assert KEY_MESSAGE in messages  # attribute escapes keep its line breaks inside the value
    assert "\x1b" not in out and "\x07" not in out
