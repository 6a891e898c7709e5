"""`init`: a configuration and a custom pack with one tested rule, ready to edit."""

from __future__ import annotations

from pathlib import Path
from typing import Final

FILES: Final[dict[str, str]] = {
    "contract-checker.yaml": """\
# contract-checker configuration: see docs/ci.md of contract-checker for every key.
packs:
  - prc-service-contract            # built-in: PRC service contracts (includes `drafting`)
  - pack: rules/my-pack             # your own pack, next to this file
paths: [drafts]
fail_on: error
""",
    "rules/my-pack/pack.yaml": """\
# A rule pack: contract-checker schema pack prints its JSON Schema (for editors).
pack: my-pack
version: 0.1.0
title: My team's contract rules
schema: service-contract            # the built-in schema: typed money, durations, dates
params:
  min_confidentiality: {type: duration, default: 3 years, description: our policy}
rules:
  - id: confidentiality-at-least-policy
    title: Confidentiality lasts at least our policy's minimum
    severity: warning
    when: exists(confidentiality)
    assert: confidentiality.term >= params.min_confidentiality
    message:
      en: "Confidentiality lasts {confidentiality.term}; our policy asks for {params.min_confidentiality}."
      zh: "保密期限为{confidentiality.term}，公司政策要求至少{params.min_confidentiality}。"
    refs:
      - {law: 民法典, article: "501", basis: statute}
    tags: [confidentiality]
""",
    "rules/my-pack/tests/short-confidentiality.yaml": """\
# A pack test: contract-checker test rules/my-pack
description: two years of confidentiality is below the policy
contract:
  meta: {title: 测试合同, kind: other, is_template: false}
  parties:
    - {label: 甲方, role: client, name: 甲方科技有限公司}
    - {label: 乙方, role: vendor, name: 乙方服务有限公司}
  confidentiality: {present: true, term: 2年, survives_termination: true}
expect:
  fail: [{rule: confidentiality-at-least-policy, line: 8}]
""",
    "rules/my-pack/tests/long-confidentiality.yaml": """\
description: five years of confidentiality meets the policy
contract:
  meta: {title: 测试合同, kind: other, is_template: false}
  parties:
    - {label: 甲方, role: client, name: 甲方科技有限公司}
    - {label: 乙方, role: vendor, name: 乙方服务有限公司}
  confidentiality: {present: true, term: 5年, survives_termination: true}
expect:
  pass: [confidentiality-at-least-policy]
""",
}


def scaffold(folder: Path) -> list[Path]:
    """Write the starter files; raises FileExistsError naming the first file already there."""
    targets = [folder / name for name in FILES]
    for path in targets:
        if path.exists():
            raise FileExistsError(path)
    for name, text in FILES.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (folder / "drafts").mkdir(exist_ok=True)
    return targets
