"""The Rego peer: 5 contract rules in a Rego policy (regopy), data read with yaml.CSafeLoader.

python rego_check.py FOLDER     # every *.yaml of FOLDER; prints the findings as JSON lines
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import yaml
from regopy import Input, Interpreter

POLICY = """
package contract

deny contains "at-least-two-parties" if count(input.parties) < 2

deny contains "installments-sum-to-100" if {
    sum([i.percent | some i in input.payment.installments]) != 100
}

deny contains msg if {
    some s in input.signatures
    not s.party in {p.label | some p in input.parties}
    msg := sprintf("signature-party-known: %v", [s.party])
}

deny contains "confidentiality-stated" if not input.confidentiality

deny contains "no-pay-when-paid" if input.payment.pay_when_paid == true
"""


def _plain(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date) else str(v)


def main() -> None:
    rego = Interpreter()
    rego.add_module("contract", POLICY)
    for path in sorted(Path(sys.argv[1]).glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        rego.set_input(Input(json.loads(json.dumps(data, default=_plain))))
        print(json.dumps({"file": str(path), "deny": str(rego.query("data.contract.deny"))}))


if __name__ == "__main__":
    main()
