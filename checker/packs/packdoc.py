"""`docs`: a Markdown reference of a pack, written from the pack itself (rules, parameters, refs)."""

from __future__ import annotations

from typing import Any

from ..api import Pack
from ..lang.values import display
from ..models import format_ref


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render(pack: Pack) -> str:
    """The reference: parameters, a table of rules, then each rule with its expressions."""
    out = [f"# {pack.title} (`{pack.id}` {pack.version})", ""]
    if pack.description:
        out += [pack.description.strip(), ""]
    own = [r for r in pack.rules if r.pack == pack.id]
    inherited = sorted({r.pack for r in pack.rules} - {pack.id})
    count = f"{len(pack.rules)} rules"
    if inherited:
        count += f" ({len(own)} of its own, the others from " + ", ".join(
            f"`{name}`" for name in inherited
        )
        count += ")"
    out += [
        f"{count}. Contract schema: `{pack.schema.name if pack.schema else 'none (plain data)'}`.",
        "",
    ]
    applies = next((r.spec.applies_to for r in own if r.spec.applies_to), None)
    if applies:
        out += [f"The rules apply only to contracts where `{applies.strip()}` holds.", ""]
    # A guide written by hand (README.md next to pack.yaml) comes with the reference, so
    # versions, counts and rules are always the pack's own and the prose is kept.
    guide = pack.path.parent / "README.md"
    if guide.is_file():
        out += [guide.read_text(encoding="utf-8").strip(), ""]

    dates = [e.text for e in pack.in_force_at]
    if dates:
        out += [
            "The law in force is the one at the contract's date: the first of "
            + ", ".join(f"`{d}`" for d in dates)
            + " that is given, else the date of the run (`--today`).",
            "",
        ]
    if pack.param_decls:
        out += ["## Parameters", "", "| name | type | default | description |", "|---|---|---|---|"]
        for name, decl in pack.param_decls.items():
            default = display(pack.params[name]) if name in pack.params else ""
            out.append(
                f"| `{name}` | {decl.get('type', 'any')} | {_cell(default)} | "
                f"{_cell(decl.get('description', ''))} |"
            )
        out.append("")
    out += ["## Rules", "", "| rule | severity | title |", "|---|---|---|"]
    for rule in pack.rules:
        out.append(
            f"| [`{rule.pack}/{rule.id}`](#{rule.id}) | {rule.severity} | {_cell(rule.title)} |"
        )
    out.append("")
    for rule in pack.rules:
        raw = rule.spec.raw
        out += [
            f"### {rule.id}",
            "",
            f"**{rule.title}**"
            + (f" ({rule.title_zh})" if rule.title_zh else "")
            + f" — {rule.severity}"
            + (f", from pack `{rule.pack}`" if rule.pack != pack.id else "")
            + (f"; applies to contracts dated {rule.in_force.describe()}" if rule.in_force else ""),
            "",
        ]
        if raw.get("description"):
            out += [str(raw["description"]).strip(), ""]
        for key in ("when", "each", "assert", "at"):
            if key in raw:
                out += [f"{key}:", "", "```", str(raw[key]).strip(), "```", ""]
        message = raw.get("message")
        if isinstance(message, dict):
            for lang, text in message.items():
                out.append(f"- message ({lang}): {_cell(text)}")
            out.append("")
        if rule.refs:
            out += (
                ["References:", ""]
                + [f"- {format_ref(r, markdown=True)}" for r in rule.refs]
                + [""]
            )
        if rule.tags:
            out += ["Tags: " + ", ".join(f"`{t}`" for t in rule.tags), ""]
    return "\n".join(out).rstrip() + "\n"
