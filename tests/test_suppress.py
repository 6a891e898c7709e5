"""Inline suppressions (`# contract-checker: disable=RULE -- reason`) through the command line."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import clirun
import jsonschema
import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PACK = str(FIXTURES / "acme")

# The bad fixture (tests/fixtures/contracts/bad.yaml) with suppression comments.
CONTRACT = """\
payment:
  installments:
    - percent: 30
      amount: CNY 30000
    # contract-checker: disable=amount-positive,contract-checker/unreadable-value -- refund line
    - percent: 60
      amount: CNY -5
term: 1年  # contract-checker: disable=acme/term-long-enough -- pilot contract
# contract-checker: disable=fee-stated, contract-schema -- legacy field name, fixed in v2
fee:
  totl: "CNY 1 # contract-checker: disable=percent-100 -- inside a string: not a comment"
"""


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return clirun.cli("check", *args, "--pack", PACK, cwd=cwd)


def findings(tmp_path: Path, text: str, *args: str) -> list[dict[str, object]]:
    (tmp_path / "c.yaml").write_text(text, encoding="utf-8")
    r = cli(tmp_path, "c.yaml", "--format", "json", *args)
    assert r.returncode in (0, 1), r.stderr
    return list(json.loads(r.stdout)["findings"])


def brief(found: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [
        (f["line"], f["rule"], f.get("suppression", {}).get("reason"))  # type: ignore[union-attr]
        for f in found
    ]


def test_suppressions_waive_their_value_and_below(tmp_path: Path) -> None:
    assert brief(findings(tmp_path, CONTRACT)) == [
        (3, "percent-100", None),  # the list holding the suppressed item: not waived
        (7, "amount-positive", "refund line"),
        (7, "unreadable-value", "refund line"),
        (8, "term-long-enough", "pilot contract"),
        (11, "fee-stated", "legacy field name, fixed in v2"),  # missing fee.total
        (11, "contract-schema", "legacy field name, fixed in v2"),
    ]


def test_waived_by_a_comment_in_every_format(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(CONTRACT, encoding="utf-8")
    r = cli(tmp_path, "c.yaml", "--format", "json")
    doc = json.loads(r.stdout)
    schema = json.loads(clirun.cli("schema", "findings", check=True).stdout)
    jsonschema.Draft202012Validator(schema).validate(doc)
    assert doc["findings"][3]["suppression"] == {"kind": "inline", "reason": "pilot contract"}
    assert doc["summary"]["waived"] == 5
    assert r.returncode == 1  # percent-100 is not waived
    sarif = json.loads(cli(tmp_path, "c.yaml", "--format", "sarif").stdout)
    [waived] = [x for x in sarif["runs"][0]["results"] if x["ruleId"] == "acme/term-long-enough"]
    assert waived["suppressions"] == [
        {"kind": "inSource", "status": "accepted", "justification": "pilot contract"}
    ]
    text = cli(tmp_path, "c.yaml").stdout
    assert "  8:7      error   Term is long enough: `term >= params.min_term` is false — " in text
    assert "[waived: pilot contract]  acme/term-long-enough\n" in text
    assert text.rstrip().endswith("; 5 waived")
    zh = cli(tmp_path, "c.yaml", "--lang", "zh").stdout
    assert "（已豁免：pilot contract）  acme/term-long-enough\n" in zh
    assert zh.rstrip().endswith("；其中 5 个已豁免")


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        (
            "# contract-checker: disable=term-long-enough",
            (
                "suppression-without-reason",
                "error",
                "suppression of term-long-enough gives no reason: add ` -- why` "
                "(it waives nothing until then)",
            ),
        ),
        (
            "# contract-checker: disable=term-long-enouh -- typo",
            (
                "unknown-rule-in-suppression",
                "error",
                "suppression names an unknown rule `term-long-enouh`; "
                "did you mean `term-long-enough`?",
            ),
        ),
        (
            "# contract-checker: disable=fee-stated -- not here",
            (
                "unused-suppression",
                "warning",
                "suppression of fee-stated waives no finding; remove it",
            ),
        ),
        (
            "# contract-checker: disabel=term-long-enough -- typo",
            (
                "invalid-suppression",
                "error",
                "malformed suppression: write `# contract-checker: disable=RULE[,RULE] -- reason`",
            ),
        ),
    ],
)
def test_faulty_suppressions_are_findings(
    tmp_path: Path, comment: str, expected: tuple[str, str, str]
) -> None:
    text = CONTRACT.replace(
        "# contract-checker: disable=acme/term-long-enough -- pilot contract", comment
    )
    found = findings(tmp_path, text)
    [problem] = [f for f in found if f["rule"] == expected[0]]
    assert (problem["line"], problem["column"], problem["pack"]) == (8, 11, "contract-checker")
    assert (problem["rule"], problem["severity"], problem["message"]) == expected
    term = next(f for f in found if f["rule"] == "term-long-enough")
    assert "suppression" not in term  # a faulty suppression waives nothing


def test_a_suppression_above_a_blank_line_waives_nothing(tmp_path: Path) -> None:
    text = CONTRACT.replace(
        "term: 1年  # contract-checker: disable=acme/term-long-enough -- pilot contract",
        "# contract-checker: disable=term-long-enough -- too far\n\nterm: 1年",
    )
    found = findings(tmp_path, text)
    unused = next(f for f in found if f["rule"] == "unused-suppression")
    assert (unused["line"], unused["message"]) == (
        8,
        "suppression of term-long-enough waives no finding (it is neither on nor just above "
        "a value); remove it",
    )


def test_json_contracts_have_no_suppressions(tmp_path: Path) -> None:
    (tmp_path / "c.json").write_text(
        '{"term": "1年", "fee": {"totl": "# contract-checker: disable=term-long-enough -- x"}}',
        encoding="utf-8",
    )
    r = cli(tmp_path, "c.json", "--format", "json")
    rules = [(f["rule"], "suppression" in f) for f in json.loads(r.stdout)["findings"]]
    assert ("term-long-enough", False) in rules
    assert not any(rule.endswith("suppression") for rule, _ in rules)
