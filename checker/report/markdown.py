"""A Markdown summary for a pull-request comment or $GITHUB_STEP_SUMMARY: verdict, counts, findings."""

from __future__ import annotations

import re

from ..models import Finding
from . import RunResult, encodable, location, one_line, workdir_relative

COLLAPSE_OVER = 50  # findings in one file; more are folded into <details>
BUDGET = 60_000  # characters: a pull-request comment holds at most 65,536
LIST_CLEAN = 100  # clean files named before "and N more"

EMOJI = {"error": "🔴", "warning": "🟡", "info": "🔵"}

WORDS = {
    "en": {
        "verdict_errors": "❌ contract-checker: errors found",
        "verdict_warnings": "⚠️ contract-checker: warnings found",
        "verdict_info": "ℹ️ contract-checker: notes only",
        "verdict_waived": "✅ contract-checker: only waived findings",
        "verdict_clean": "✅ contract-checker: no findings",
        "counts": "| Errors | Warnings | Info | Waived | Files | Rules |",
        "head": "| Line | Severity | Rule | Message |",
        "error": "error",
        "warning": "warning",
        "info": "info",
        "n_findings": "{n} findings",
        "waived_by": "waived: {reason}",
        "no_findings": "No findings.",
        "clean_files": "✅ {n} files with no findings",
        "clean_file": "✅ 1 file with no findings",
        "more": "… and {n} more",
        "cut": "… {n} more files with findings are not shown here: see the full report.",
    },
    "zh": {
        "verdict_errors": "❌ contract-checker：发现错误",
        "verdict_warnings": "⚠️ contract-checker：发现警告",
        "verdict_info": "ℹ️ contract-checker：仅有提示",
        "verdict_waived": "✅ contract-checker：仅有已豁免的问题",
        "verdict_clean": "✅ contract-checker：未发现问题",
        "counts": "| 错误 | 警告 | 提示 | 已豁免 | 文件 | 规则 |",
        "head": "| 行 | 级别 | 规则 | 说明 |",
        "error": "错误",
        "warning": "警告",
        "info": "提示",
        "n_findings": "{n} 个问题",
        "waived_by": "已豁免：{reason}",
        "no_findings": "未发现问题。",
        "clean_files": "✅ {n} 个文件未发现问题",
        "clean_file": "✅ 1 个文件未发现问题",
        "more": "……另有 {n} 个",
        "cut": "……另有 {n} 个有问题的文件未在此列出，请查看完整报告。",
    },
}


# Characters Markdown reads as markup (emphasis, links and images, code, tables, escapes);
# `<`, `>` and `&` become entities so no HTML from a contract reaches the page.
_MARKUP = re.compile(r"[\\`*_\[\]|~]")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def cell(text: str) -> str:
    """Untrusted text shown as itself in one table cell: Markdown markup and HTML escaped,
    line breaks as <br>, other control characters as `\\x1b`-style escapes."""
    lines = re.split(r"\r\n|[\r\n\u2028\u2029]", text)
    return "<br>".join(
        _MARKUP.sub(r"\\\g<0>", re.sub("[&<>]", lambda m: _ENTITIES[m.group()], one_line(line)))
        for line in lines
    )


def code(text: str) -> str:
    """An inline code span that holds any text on one line, backticks included (a code span
    shows `<` and `*` as themselves; line breaks and controls become escapes)."""
    text = one_line(text)
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def render(run: RunResult) -> str:
    w = WORDS["zh" if run.lang == "zh" else "en"]
    findings = run.report.findings
    by_file: dict[str, list[Finding]] = {}
    for f in findings:
        by_file.setdefault(f.file, []).append(f)
    names = [fr.file for fr in run.files] + [
        n for n in by_file if n not in {fr.file for fr in run.files}
    ]
    out = [f"## {_verdict(findings, w)}", "", *_counts(run, w), ""]
    if not findings:
        out += [w["no_findings"], ""]
    shown = len("\n".join(out))
    dirty = [n for n in names if n in by_file]
    for i, name in enumerate(dirty):
        section = _file_section(run, name, by_file[name], w)
        size = len("\n".join(section)) + 1
        if shown + size > BUDGET:
            out += [w["cut"].format(n=len(dirty) - i), ""]
            break
        out += section
        shown += size
    clean = [n for n in names if n not in by_file]
    if clean:
        out += _clean_section(clean, w)
    return encodable("\n".join(out).rstrip("\n") + "\n")


def _verdict(findings: list[Finding], w: dict[str, str]) -> str:
    if not findings:
        return w["verdict_clean"]
    open_ = {f.severity for f in findings if f.suppression is None}
    for severity, key in (("error", "errors"), ("warning", "warnings"), ("info", "info")):
        if severity in open_:
            return w[f"verdict_{key}"]
    return w["verdict_waived"]


def _counts(run: RunResult, w: dict[str, str]) -> list[str]:
    s = run.report.summary
    sev = s.by_severity
    row = [sev["error"], sev["warning"], sev["info"], s.waived, s.files, s.rules]
    return [w["counts"], "|---:" * len(row) + "|", "| " + " | ".join(map(str, row)) + " |"]


def _file_section(
    run: RunResult, name: str, findings: list[Finding], w: dict[str, str]
) -> list[str]:
    out = [f"### {code(workdir_relative(name))}", ""]
    table = [w["head"], "|---:|---|---|---|"] + [_row(run, f, w) for f in findings]
    if len(findings) > COLLAPSE_OVER:
        summary = w["n_findings"].format(n=len(findings))
        return [
            *out,
            "<details>",
            f"<summary>{summary}</summary>",
            "",
            *table,
            "",
            "</details>",
            "",
        ]
    return out + table + [""]


def _row(run: RunResult, f: Finding, w: dict[str, str]) -> str:
    where = location(f)
    message = cell(run.message(f))
    if f.suppression is not None:
        message += "<br>*" + cell(w["waived_by"].format(reason=f.suppression.reason)) + "*"
    severity = f"{EMOJI[f.severity]} {w[f.severity]}"
    rule = code(f"{f.pack}/{f.rule}").replace("|", "\\|")  # a table reads `|` even in code
    return f"| {where} | {severity} | {rule} | {message} |"


def _clean_section(clean: list[str], w: dict[str, str]) -> list[str]:
    title = w["clean_file"] if len(clean) == 1 else w["clean_files"].format(n=len(clean))
    items = [f"- {code(workdir_relative(n))}" for n in clean[:LIST_CLEAN]]
    if len(clean) > LIST_CLEAN:
        items.append("- " + w["more"].format(n=len(clean) - LIST_CLEAN))
    return ["<details>", f"<summary>{title}</summary>", "", *items, "", "</details>", ""]
