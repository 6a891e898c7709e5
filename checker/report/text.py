"""Human output: findings grouped by file with the offending source line, and a one-line summary."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Final

from ..models import Finding
from . import RunResult, location, one_line

_COLORS = {"error": "31", "warning": "33", "info": "36", "bold": "1", "dim": "2", "green": "32"}
_LABELS_ZH = {"error": "错误", "warning": "警告", "info": "提示"}


def _width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def render(run: RunResult, color: bool = False, quiet: bool = False) -> str:
    """Findings grouped by file, then the summary line; `quiet`: the findings only (nothing
    at all when there are none)."""
    paint: Callable[[str, str], str] = (
        (lambda text, style: f"\033[{_COLORS[style]}m{text}\033[0m") if color else (lambda t, s: t)
    )
    zh = run.lang == "zh"
    out: list[str] = []
    # The report holds every finding (a waiver's is in the configuration file, which is not
    # one of the checked files); the checked files give the source lines to show.
    lines = {fr.file: fr.lines for fr in run.files}
    by_file: dict[str, list[Finding]] = {}
    for f in run.report.findings:
        by_file.setdefault(f.file, []).append(f)
    for file, findings in by_file.items():
        out.append(paint(one_line(file), "bold"))
        for f in findings:
            out.extend(_finding(f, lines.get(file, []), run.message(f), paint, zh))
        out.append("")
    if quiet:
        return "\n".join(out[:-1]) + "\n" if out else ""  # without the last blank line
    out.append(_summary(run, paint, zh))
    return "\n".join(out) + "\n"


# A source line longer than this is shown as a window around the column (scraped drafts
# hold whole contracts on one line).
WINDOW: Final = 60
LONG_LINE: Final = 100


def window(src: str, column: int) -> tuple[str, int]:
    """The part of a source line to show and the terminal columns before the caret: the
    whole line when short, else about WINDOW characters around `column`, cut ends marked `…`."""
    col = max(1, column)
    if len(src) <= LONG_LINE:
        return src, _width(src[: col - 1])
    start = max(0, min(col - 1 - WINDOW // 2, len(src) - WINDOW))
    end = min(len(src), start + WINDOW)
    head = "…" if start > 0 else ""
    shown = head + src[start:end] + ("…" if end < len(src) else "")
    return shown, _width(head + src[start : col - 1])


def _finding(
    f: Finding, lines: list[str], message: str, paint: Callable[[str, str], str], zh: bool
) -> list[str]:
    # A record of a record file has no line: its id says which, its pointer where.
    where = f.record if f.record is not None else location(f) or "-"
    label = _LABELS_ZH[f.severity] if zh else f.severity
    text = one_line(message)
    if f.suppression is not None:  # reported as the other formats do, without failing
        reason = one_line(f.suppression.reason)  # escaped before it is painted
        text += paint(f"（已豁免：{reason}）" if zh else f" [waived: {reason}]", "dim")
    head = (
        f"  {one_line(where):<8} {paint(label.ljust(7 if not zh else 4), f.severity)} {text}  "
        f"{paint(one_line(f'{f.pack}/{f.rule}'), 'dim')}"
    )
    out = [head]
    if f.line and 1 <= f.line <= len(lines):
        src = lines[f.line - 1].rstrip("\n")
        # Control characters are shown escaped: the caret goes under the escaped text.
        col = len(one_line(src[: max(1, f.column or 1) - 1])) + 1
        shown, pad = window(one_line(src), col)
        number = f"¶{f.line}" if f.location_kind == "docx-paragraph" else str(f.line)
        gutter = f"{number:>6} │ "
        out.append(paint(gutter, "dim") + shown)
        out.append(paint(" " * 6 + " │ ", "dim") + " " * pad + paint("^", f.severity))
    elif f.record is not None and f.pointer:
        out.append(paint(" " * 6 + " │ ", "dim") + ("位置 " if zh else "at ") + f.pointer)
    return out


def _summary(run: RunResult, paint: Callable[[str, str], str], zh: bool) -> str:
    s = run.report.summary
    line = _counts(run, paint, zh)
    if s.waived:
        line += f"；其中 {s.waived} 个已豁免" if zh else f"; {s.waived} waived"
    if s.skipped:
        plural = "s" if s.skipped != 1 else ""
        line += (
            f"；跳过 {s.skipped} 个非合同文件"
            if zh
            else f"; {s.skipped} file{plural} skipped: not contracts"
        )
    if s.unchecked:
        line += (
            f"；{s.unchecked} 条记录未检查"
            if zh
            else f"; {s.unchecked} record{'s' if s.unchecked != 1 else ''} not checked"
        )
    return line


def _counts(run: RunResult, paint: Callable[[str, str], str], zh: bool) -> str:
    """The counts: of files, or of records (and contract files, if any) for record files."""
    s = run.report.summary
    if s.records is not None:
        records = s.records
        rec_with = sum(1 for fr in run.files if fr.findings and fr.record is not None)
        file_with = sum(1 for fr in run.files if fr.findings and fr.record is None)
        if zh:
            files_zh = f"、{s.files} 个文件" if s.files else ""
            where_files_zh = f"、{file_with}/{s.files} 个文件" if s.files else ""
            return _tally(
                run,
                paint,
                zh,
                f"{records} 条记录{files_zh}",
                f"{rec_with}/{records} 条记录{where_files_zh}",
            )
        files = f" and {_n(s.files, 'file')}" if s.files else ""
        where_files = f" and {file_with} of {_n(s.files, 'file')}" if s.files else ""
        return _tally(
            run,
            paint,
            zh,
            f"{_n(records, 'record')}{files}",
            f"{rec_with} of {_n(records, 'record')}{where_files}",
        )
    with_findings = sum(1 for fr in run.files if fr.findings)
    if zh:
        return _tally(run, paint, zh, f"{s.files} 个文件", f"{with_findings}/{s.files} 个文件")
    return _tally(run, paint, zh, _n(s.files, "file"), f"{with_findings} of {_n(s.files, 'file')}")


def _tally(
    run: RunResult, paint: Callable[[str, str], str], zh: bool, scope: str, where: str
) -> str:
    """`✔ no findings in {scope}` or `✖ N findings (by severity) in {where}`, with the rules."""
    s = run.report.summary
    sev = s.by_severity
    if zh:
        if s.findings == 0:
            return paint(f"✔ 未发现问题（{scope}，{s.rules} 条规则）", "green")
        return paint(
            f"✖ {s.findings} 个问题（错误 {sev['error']}，警告 {sev['warning']}，提示 {sev['info']}），"
            f"涉及 {where}，{s.rules} 条规则",
            "error" if sev["error"] else "warning",
        )
    if s.findings == 0:
        return paint(f"✔ no findings in {scope} ({s.rules} rules)", "green")
    return paint(
        f"✖ {_n(s.findings, 'finding')} ({_n(sev['error'], 'error')}, "
        f"{_n(sev['warning'], 'warning')}, {sev['info']} info) in {where} ({s.rules} rules)",
        "error" if sev["error"] else "warning",
    )


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
