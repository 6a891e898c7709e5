"""A self-contained HTML page for the people who fix contracts: summary charts, filters, and
each finding at its place in the source (a document shown whole, findings in the margin)."""

from __future__ import annotations

import base64
import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import jinja2

from ..models import SEVERITIES, Finding, Ref, format_ref
from ..toolrules import TOOL_PACK, TOOL_RULES
from . import RunResult, exact_json, workdir_relative
from .html_words import SCRIPT_WORDS, WORDS
from .sources import Source, gather

_HERE: Final = Path(__file__).resolve().parent / "templates"
CHART_BARS: Final = 10  # packs and rules shown in a chart; the rest are summed up


def _environment() -> jinja2.Environment:
    # Autoescaping everywhere: every string from a contract or a pack is untrusted.
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_HERE),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "default": exact_json}
    return env


def render(run: RunResult) -> str:
    """The whole page, with its CSS, its script and the findings' data inline."""
    words = WORDS["zh" if run.lang == "zh" else "en"]
    data = page_data(run)
    data["words"] = {k: words[k] for k in SCRIPT_WORDS}
    script = (_HERE / "report.js").read_text(encoding="utf-8")
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            lang="zh-CN" if run.lang == "zh" else "en",
            w=words,
            css=(_HERE / "report.css").read_text(encoding="utf-8"),
            script=script,
            # The page may run only its own script (a contract's text can never add one).
            script_hash=base64.b64encode(hashlib.sha256(script.encode()).digest()).decode(),
            data=data,
            summary=_summary(run, data),
            version=run.report.tool.version,
        )
    )


def page_data(run: RunResult) -> dict[str, Any]:
    """What the page's script renders: files with their quoted lines, and the findings."""
    sources = gather(run)
    names = list(
        dict.fromkeys(
            [fr.file for fr in run.files if fr.findings] + [f.file for f in run.report.findings]
        )
    )
    file_index = {n: i for i, n in enumerate(names)}
    titles = _titles(run)
    packs: list[str] = []
    rules: list[str] = []
    items = []
    for i, f in enumerate(run.report.findings):
        rid = f"{f.pack}/{f.rule}"
        if f.pack not in packs:
            packs.append(f.pack)
        if rid not in rules:
            rules.append(rid)
        items.append(
            {
                "file": file_index[f.file],
                "sev": f.severity,
                "pack": packs.index(f.pack),
                "rule": rules.index(rid),
                "title": titles.get(rid) or f.title or "",
                "line": f.line,
                "col": f.column,
                "end": sources.end(i),
                "msg": run.message(f),
                "ptr": f.pointer,
                "outcome": f.outcome,
                "refs": [_citation(r) for r in f.refs],
                "values": [
                    [k, json.dumps(v, ensure_ascii=False, default=exact_json)]
                    for k, v in f.values.items()
                ],
                "waived": _waiver(f),
            }
        )
    return {
        "files": [_file(n, sources.files.get(n)) for n in names],
        "packs": packs,
        "rules": rules,
        "items": items,
    }


def _file(name: str, source: Source | None) -> dict[str, Any]:
    fmt = source.format if source else ""
    lines = {str(n): t for n, t in source.lines.items()} if source else {}
    return {
        "name": workdir_relative(name),
        "format": fmt,
        "doc": bool(source and source.is_document and source.whole),
        "para": fmt == "docx",
        "lines": lines,
    }


def _citation(ref: Ref) -> dict[str, str]:
    """A reference as one readable line, and its address when it is a web link."""
    url = ref.url or ""
    # Only web links become links: a `javascript:` URL in a pack must not run in the page.
    link = url if url.lower().startswith(("https://", "http://")) else ""
    plain = ref.model_copy(update={"url": None}) if link else ref
    return {"text": format_ref(plain) or url, "url": link}


def _waiver(f: Finding) -> str | None:
    s = f.suppression
    if s is None:
        return None
    who = f" — {s.approver}" if s.approver else ""
    until = f" (≤ {s.expires})" if s.expires else ""
    return f"{s.reason}{who}{until}"


def _titles(run: RunResult) -> dict[str, str]:
    """Rule titles by `pack/rule`: the packs' rules, then the tool's own checks."""
    out = {f"{TOOL_PACK}/{rule}": t.title for rule, t in TOOL_RULES.items()}
    for pack in run.packs:
        for rule in pack.rules:
            out.setdefault(f"{rule.pack}/{rule.id}", rule.title)
    return out


def _summary(run: RunResult, data: dict[str, Any]) -> dict[str, Any]:
    """Counts for the top of the page: open findings by severity, pack and rule; waived and
    baseline-suppressed findings apart."""
    s = run.report.summary
    open_ = [f for f in run.report.findings if f.suppression is None]
    severity = Counter(f.severity for f in open_)
    return {
        "files": s.files,
        "with_findings": len(data["files"]),
        "skipped": s.skipped,
        "rules": s.rules,
        "open": len(open_),
        "waived": s.waived,
        "baselined": s.baselined,
        "severity": [(sev, severity[sev]) for sev in SEVERITIES],
        "packs": _bars(Counter(f.pack for f in open_)),
        "rules_chart": _bars(Counter(f"{f.pack}/{f.rule}" for f in open_)),
        "verdict": next((sev for sev in SEVERITIES if severity[sev]), "clean"),
    }


def _bars(counts: Counter[str]) -> dict[str, Any]:
    """The largest counts as chart bars (widths in percent of the largest), the rest summed."""
    top: Sequence[tuple[str, int]] = counts.most_common(CHART_BARS)
    high = top[0][1] if top else 1
    return {
        "bars": [(name, n, round(100 * n / high, 1)) for name, n in top],
        "rest": sum(counts.values()) - sum(n for _, n in top),
        "rest_kinds": max(0, len(counts) - len(top)),
    }
