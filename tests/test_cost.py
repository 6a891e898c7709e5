"""Big contracts within the limits: bounded memory and time, capped findings, short messages."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from checker.api import load_pack
from checker.engine import VALUE_ITEMS, bounded
from checker.lang.values import SHOWN_CHARS, display
from checker.runner import MAX_FINDINGS_PER_RULE, check_file

ROOT = Path(__file__).resolve().parent.parent
PACK = ROOT / "tests" / "fixtures" / "acme"
# Peak memory of a check, beyond that of checking a tiny file, stays below this multiple of
# the file's size (measured: about 65-80x on 5 MB contracts; docs/security.md).
MEMORY_MULTIPLE = 100
SECONDS = 120  # per check of a 2 MB contract: generous, the machine may be busy

# Runs `check` in this process and prints its peak RSS (KiB on Linux) on stderr.
_MEASURE = """
import resource, runpy, sys
sys.argv = ["contract-checker", *sys.argv[1:]]
try:
    runpy.run_module("checker", run_name="__main__")
except SystemExit:
    pass
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def peak_kib(contract: Path, out: Path, *extra: str) -> tuple[int, float]:
    started = time.monotonic()
    r = subprocess.run(
        [sys.executable, "-c", _MEASURE, "check", str(contract), *extra, "--format", "json",
         "-o", str(out)],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )  # fmt: skip
    return int(r.stderr.strip().splitlines()[-1]), time.monotonic() - started


def many_keys(n: int) -> str:
    # One field of the schema, so the file is a contract (not skipped), then n unknown ones.
    keys = {"term": "3 years"} | {f"k{i:06d}": 0 for i in range(n)}
    return json.dumps(keys, separators=(",", ":"))


def many_items(n: int) -> str:
    return json.dumps({"parties": ["abcdefgh"] * n}, separators=(",", ":"))


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in KiB on Linux")
@pytest.mark.parametrize(
    ("shape", "pack"),
    [  # unknown keys against a pack's schema; list items every `each` rule fails on
        (lambda: many_keys(180_000), ("--pack", str(PACK))),
        (lambda: many_items(180_000), ()),
        (lambda: "parties:\n" + "- abcdefgh\n" * 180_000, ()),
    ],
    ids=["keys-json", "items-json", "items-yaml"],
)
def test_peak_memory_and_time_stay_in_proportion_to_the_file(
    tmp_path: Path, shape: object, pack: tuple[str, ...]
) -> None:
    assert callable(shape)
    text: str = shape()
    big = tmp_path / ("big.yaml" if text.startswith("parties:") else "big.json")
    big.write_text(text, encoding="utf-8")
    tiny = tmp_path / "tiny.json"
    tiny.write_text('{"term": "3 years"}', encoding="utf-8")
    base, _ = peak_kib(tiny, tmp_path / "tiny-out.json", *pack)
    peak, seconds = peak_kib(big, tmp_path / "out.json", *pack)
    size = big.stat().st_size
    assert (peak - base) * 1024 < MEMORY_MULTIPLE * size, (peak - base) * 1024 / size
    assert seconds < SECONDS
    findings = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["findings"]
    per_rule: dict[str, int] = {}
    for f in findings:
        per_rule[f["rule"]] = per_rule.get(f["rule"], 0) + 1
    assert max(per_rule.values()) == MAX_FINDINGS_PER_RULE + 1  # then "N more"


def test_findings_of_one_rule_are_capped_with_a_count_of_the_rest(tmp_path: Path) -> None:
    contract = tmp_path / "c.json"
    contract.write_text(many_keys(250), encoding="utf-8")
    result = check_file(contract, [load_pack(str(PACK))])
    schema = [f for f in result.findings if f.rule == "contract-schema"]
    assert len(schema) == MAX_FINDINGS_PER_RULE + 1
    # the first ones in the file are listed, then one finding counts the rest, at the next
    assert [f.pointer for f in schema[:3]] == ["/k000000", "/k000001", "/k000002"]
    assert schema[-2].message == "unknown field `k000099`"
    last = schema[-1]
    assert (last.pointer, last.column) == ("/k000100", 1 + len(many_keys(100)))
    assert last.message == (
        "150 more findings of contract-checker/contract-schema in this file are not listed "
        "(the first 100 are)"
    )
    assert last.message_zh == (
        "本文件中 contract-checker/contract-schema 另有 150 个问题未列出（仅列出前 100 个）"
    )


def test_each_rule_findings_are_capped(tmp_path: Path) -> None:
    items = [{"percent": 1, "amount": "CNY -1"} for _ in range(300)]
    contract = tmp_path / "c.json"
    contract.write_text(json.dumps({"payment": {"installments": items}}), encoding="utf-8")
    result = check_file(contract, [load_pack(str(PACK))])
    positive = [f for f in result.findings if f.rule == "amount-positive"]
    assert len(positive) == MAX_FINDINGS_PER_RULE + 1
    assert positive[-1].pointer == "/payment/installments/100/amount"
    assert positive[-1].message.startswith("200 more findings of acme/amount-positive")
    assert result.outcomes[("acme", "amount-positive")] == "missing"


def test_messages_show_values_shortened() -> None:
    assert display("x" * 5_000) == '"' + "x" * SHOWN_CHARS + '…" (4,800 more characters)'
    assert display(list(range(12))) == "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, … (2 more)]"
    assert (
        display({str(i): i for i in range(8)}) == "{0: 0, 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, … (2 more)}"
    )
    assert display([[[[[["deep"]]]]]]) == "[[[[[…]]]]]"


def test_values_keep_whole_values_up_to_a_bound() -> None:
    assert bounded(list(range(5))) == [0, 1, 2, 3, 4]
    cut = bounded(list(range(VALUE_ITEMS + 7)))
    assert cut[-1] == "… (7 more items)" and cut[:-1] == list(range(VALUE_ITEMS))
    assert bounded("y" * 10_005) == "y" * 10_000 + "… (5 more characters)"
    assert bounded({str(i): i for i in range(VALUE_ITEMS + 1)})["…"] == "1 more entries"


def test_a_long_string_in_a_message_is_shortened(tmp_path: Path) -> None:
    contract = tmp_path / "c.json"
    contract.write_text(json.dumps({"term": "长" * 1_000_000}), encoding="utf-8")
    result = check_file(contract, [load_pack(str(PACK))])
    messages = [f.message for f in result.findings]
    assert messages and max(len(m) for m in messages) < 1_000, [len(m) for m in messages]
