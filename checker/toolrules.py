"""The checker's own rules (reading a file, the contract schema, suppressions...): their
ids, severities and titles, Chinese messages, and the findings they make."""

from __future__ import annotations

from .fastclass import dataclass
from .models import Finding, Severity

TOOL_PACK = "contract-checker"


@dataclass(frozen=True)
class ToolRule:
    """A check of the tool itself (not of a pack): its severity, title, what it means, and
    the Chinese label its messages start with."""

    severity: Severity
    title: str
    description: str
    label_zh: str


# The tool's own "pack": one table for findings, messages and the formats' rule lists.
TOOL_RULES: dict[str, ToolRule] = {
    "unreadable-contract": ToolRule(
        "error",
        "Contract file is readable",
        "The file exists, is UTF-8 text, and parses as one YAML or JSON mapping.",
        "无法读取合同",
    ),
    "contract-schema": ToolRule(
        "error",
        "Contract data matches the schema",
        "Every field is known to the pack's contract schema and has the type it declares.",
        "不符合合同数据结构",
    ),
    "duplicate-key": ToolRule(
        "error",
        "No duplicate keys",
        "A key appears once per mapping; YAML parsers would silently keep only the last one.",
        "重复的键",
    ),
    "unreadable-value": ToolRule(
        "error",
        "Every typed value is readable",
        "Amounts, durations and dates can be read as the schema's x-type says.",
        "无法读取的值",
    ),
    "non-string-key": ToolRule(
        "warning",
        "Keys are strings",
        "Mapping keys are text, not numbers or dates.",
        "键不是字符串",
    ),
    "expired-waiver": ToolRule(
        "error", "Waivers are current", "A waiver in the configuration has expired.", "豁免已过期"
    ),
    "internal-error": ToolRule(
        "error",
        "The checker ran to the end",
        "contract-checker itself failed on the file: a bug to report.",
        "检查器内部错误",
    ),
    "unused-waiver": ToolRule(
        "warning",
        "Waivers are used",
        "A waiver in the configuration matches no finding.",
        "豁免未使用",
    ),
    "symlink-outside-tree": ToolRule(
        "error",
        "Symlinks stay inside the checked tree",
        "A contract file that is a symbolic link to a file outside the folder being checked "
        "(and its git work tree) is not read: it could show any file of the machine.",
        "符号链接指向检查范围之外",
    ),
    "suppression-without-reason": ToolRule(
        "error",
        "Inline suppressions give a reason",
        "A `# contract-checker: disable=RULE -- reason` comment says why after `--`.",
        "豁免注释缺少理由",
    ),
    "unknown-rule-in-suppression": ToolRule(
        "error",
        "Inline suppressions name known rules",
        "Every rule id in a `# contract-checker: disable=` comment is a rule of the packs.",
        "豁免注释中的规则不存在",
    ),
    "invalid-suppression": ToolRule(
        "error",
        "Inline suppressions are well-formed",
        "A `# contract-checker:` comment reads `disable=RULE[,RULE] -- reason`.",
        "豁免注释格式错误",
    ),
    "unused-suppression": ToolRule(
        "warning",
        "Inline suppressions are used",
        "A `# contract-checker: disable=` comment waives no finding of the rule it names.",
        "豁免注释未使用",
    ),
    "unchecked-record": ToolRule(
        "error",
        "Every record was checked",
        "A record of a JSON Lines or Parquet file was not checked: the partition holding it "
        "failed on every try (a worker died, or could not read the file).",
        "记录未检查",
    ),
}

# Problems the loader and the schema report, by code, as the tool rule they fall under.
PROBLEM_RULES: dict[str, str] = {
    "duplicate-key": "duplicate-key",
    "unreadable-value": "unreadable-value",
    "number-too-long": "unreadable-value",
    "unsupported-tag": "unreadable-value",
    "non-string-key": "non-string-key",
    "schema": "contract-schema",
    "unknown-field": "contract-schema",
    # A Markdown document's front matter that cannot be read leaves the body checked: its
    # problem is a finding of the contract data, as a YAML contract's would be.
    "front-matter": "unreadable-contract",
    "syntax": "unreadable-contract",
    "not-a-mapping": "unreadable-contract",
    "too-deep": "unreadable-contract",
    "too-large": "unreadable-contract",
    "binary": "unreadable-contract",
    "unreadable-encoding": "unreadable-contract",
    "reserved-key": "contract-schema",
}


def tool_message_zh(rule: str, message: str) -> str:
    """A Chinese message for the tool's own findings: a fixed label, then the detail."""
    if message.startswith("unknown field `"):
        name = message.split("`")[1]
        near = message.split("`")[3] if "did you mean" in message else None
        return f"未知字段 `{name}`" + (f"；是否应为 `{near}`？" if near else "")
    detail = message.removeprefix("cannot read the contract: ")
    label = TOOL_RULES[rule].label_zh if rule in TOOL_RULES else rule
    return f"{label}：{detail}"


def tool_finding(
    file: str,
    rule: str,
    message: str,
    *,
    message_zh: str | None = None,
    line: int | None = None,
    column: int | None = None,
    pointer: str = "",
) -> Finding:
    """A finding of one of the tool's own rules (`TOOL_RULES` gives its severity; an error
    otherwise); its Chinese message is `tool_message_zh`'s unless given."""
    return Finding(
        file=file,
        line=line,
        column=column,
        pointer=pointer,
        pack=TOOL_PACK,
        rule=rule,
        severity=TOOL_RULES[rule].severity if rule in TOOL_RULES else "error",
        outcome="error",
        message=message,
        message_zh=tool_message_zh(rule, message) if message_zh is None else message_zh,
    )
