"""GitHub Actions workflow commands: one annotation per finding, then a one-line summary."""

from __future__ import annotations

from ..models import Finding
from . import RunResult, encodable, location, workdir_relative

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    """A command's message, escaped as the runner expects (it reads `%XX` back)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A command property's value: also `:` and `,`, which end a value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Finding, message: str, zh: bool = False) -> str:
    """`::error file=…,line=…,col=…,title=pack/rule::message` (waived findings as notices)."""
    command = COMMANDS[f.severity]
    if f.suppression is not None:
        command = "notice"
        reason = f.suppression.reason
        message += f"（已豁免：{reason}）" if zh else f" (waived: {reason})"
    props = [("file", workdir_relative(f.file))]
    if f.location_kind == "docx-paragraph":
        # A .docx has no lines GitHub can show: the paragraph goes into the message.
        message = f"{location(f)} {message}"
    elif f.line:
        props.append(("line", str(f.line)))
        if f.column:
            props.append(("col", str(f.column)))
    props.append(("title", f"{f.pack}/{f.rule}"))
    head = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    return f"::{command} {head}::{escape_data(message)}"


def render(run: RunResult) -> str:
    zh = run.lang == "zh"
    lines = [annotation(f, run.message(f), zh) for f in run.report.findings]
    lines.append(summary(run))
    return encodable("\n".join(lines) + "\n")


def summary(run: RunResult) -> str:
    """One plain line (not a command, so the log shows it as written)."""
    s = run.report.summary
    sev = s.by_severity
    with_findings = len({f.file for f in run.report.findings})
    if run.lang == "zh":
        if s.findings == 0:
            return f"contract-checker：未发现问题（{s.files} 个文件，{s.rules} 条规则）"
        return (
            f"contract-checker：{s.findings} 个问题（错误 {sev['error']}，警告 {sev['warning']}，"
            f"提示 {sev['info']}，已豁免 {s.waived}），涉及 {with_findings}/{s.files} 个文件，"
            f"{s.rules} 条规则"
        )
    if s.findings == 0:
        return f"contract-checker: no findings in {_n(s.files, 'file')} ({_n(s.rules, 'rule')})"
    return (
        f"contract-checker: {_n(s.findings, 'finding')} ({_n(sev['error'], 'error')}, "
        f"{_n(sev['warning'], 'warning')}, {sev['info']} info, {s.waived} waived) "
        f"in {with_findings} of {_n(s.files, 'file')} ({_n(s.rules, 'rule')})"
    )


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
