"""Inline suppressions: `# contract-checker: disable=RULE -- reason` comments in YAML contracts."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator
from typing import Final

import yaml

from .fastclass import dataclass, field
from .inputs.loader import DataPath, LoadedContract, pointer
from .lang.typecheck import suggest
from .models import Finding, Suppression

MARK: Final = "contract-checker:"
# A comment opening with the mark: `#` at the start of a line or after a blank.
_COMMENT: Final = re.compile(r"(?:^|(?<=[ \t]))#[ \t]*contract-checker:(?P<body>.*)$")
_DISABLE: Final = re.compile(r"[ \t]*disable[ \t]*=(?P<ids>[^\n]*)")

# A finding of the tool's own: (rule, message, line, column, pointer).
MakeFinding = Callable[[str, str, int, int, str], Finding]


@dataclass
class Directive:
    """One suppression comment: where it is, the rules it names, why, and what it covers."""

    line: int
    column: int
    ids: list[str]
    reason: str
    target: DataPath | None  # the value it is on or above; None: none
    root_too: bool = False  # the value is the first of the file: findings on the root too
    used: set[str] = field(default_factory=set)

    def covers(self, f: Finding) -> str | None:
        """The id (as written) under which this suppression waives `f`, or None."""
        if self.target is None or f.suppression is not None:
            return None
        at = pointer(self.target)
        if not (
            f.pointer == at or f.pointer.startswith(at + "/") or (self.root_too and not f.pointer)
        ):
            return None
        for rid in self.ids:
            if rid in (f.rule, f"{f.pack}/{f.rule}"):
                return rid
        return None


def _comments(text: str) -> Iterator[tuple[int, int, str]]:
    """(line, column, text after the mark) of each suppression comment, 1-based; a `#`
    inside a quoted or block scalar is text, not a comment."""
    hits: list[tuple[int, int, str]] = []
    for n, source in enumerate(text.split("\n"), start=1):
        m = _COMMENT.search(source)
        if m is not None:
            hits.append((n, m.start() + 1, m["body"]))
    if not hits:
        return
    spans = [
        ((t.start_mark.line + 1, t.start_mark.column + 1), (t.end_mark.line + 1, t.end_mark.column))
        for t in yaml.scan(text, Loader=yaml.SafeLoader)
        if isinstance(t, yaml.ScalarToken)
    ]
    for line, column, body in hits:
        if not any(start <= (line, column) <= end for start, end in spans):
            yield line, column, body


def _targets(contract: LoadedContract) -> dict[int, DataPath]:
    """The outermost value that starts on each line (by its key, or its dash in a list)."""
    out: dict[int, DataPath] = {}
    for path, pos in contract.positions.items():
        if not path:
            continue
        line = contract.key_positions[path].line if path in contract.key_positions else pos.line
        if line not in out or len(path) < len(out[line]):
            out[line] = path
    return out


def _target_line(lines: list[str], line: int, column: int) -> int | None:
    """The line a comment is about: its own when it follows a value, else the next line
    that is not a comment (a blank line in between: none)."""
    if lines[line - 1][: column - 1].strip():
        return line
    for n in range(line + 1, len(lines) + 1):
        text = lines[n - 1].strip()
        if not text:
            return None
        if not text.startswith("#"):
            return n
    return None


def read_directives(
    contract: LoadedContract, known: Collection[str], make: MakeFinding
) -> tuple[list[Directive], list[Finding]]:
    """The suppression comments of a loaded YAML contract, and the findings about the
    malformed ones (no reason, unknown rule, not `disable=`)."""
    text = "\n".join(contract.lines)
    if MARK not in text:
        return [], []
    targets = _targets(contract)
    root = contract.positions.get(())
    directives: list[Directive] = []
    problems: list[Finding] = []
    for line, column, body in _comments(text):
        m = _DISABLE.match(body)
        ids_text, _, reason = (m["ids"] if m else "").partition("--")
        ids = [i.strip() for i in ids_text.split(",") if i.strip()]
        if m is None or not ids:
            message = (
                "malformed suppression: write `# contract-checker: disable=RULE[,RULE] -- reason`"
            )
            problems.append(make("invalid-suppression", message, line, column, ""))
            continue
        target_line = _target_line(contract.lines, line, column)
        target = targets.get(target_line) if target_line else None
        at = pointer(target) if target is not None else ""
        if not reason.strip():
            message = (
                f"suppression of {', '.join(ids)} gives no reason: add ` -- why` "
                "(it waives nothing until then)"
            )
            problems.append(make("suppression-without-reason", message, line, column, at))
            continue
        good = []
        for rid in ids:
            if rid in known:
                good.append(rid)
                continue
            near = suggest(rid, sorted(known))
            message = f"suppression names an unknown rule `{rid}`" + (
                f"; did you mean `{near}`?" if near else "; see `contract-checker rules`"
            )
            problems.append(make("unknown-rule-in-suppression", message, line, column, at))
        if good:
            directives.append(
                Directive(
                    line,
                    column,
                    good,
                    reason.strip(),
                    target,
                    root_too=root is not None and target_line == root.line,
                )
            )
    return directives, problems


def apply_directives(
    directives: list[Directive], findings: list[Finding], make: MakeFinding
) -> list[Finding]:
    """The findings with those an inline suppression covers marked as waived, then one
    `unused-suppression` finding per rule id that waived nothing."""
    out = []
    for f in findings:
        for d in directives:
            rid = d.covers(f)
            if rid is not None:
                d.used.add(rid)
                f = f.model_copy(
                    update={"suppression": Suppression(kind="inline", reason=d.reason)}
                )
                break
        out.append(f)
    for d in directives:
        at = pointer(d.target) if d.target is not None else ""
        for rid in d.ids:
            if rid not in d.used:
                where = "" if d.target is not None else " (it is neither on nor just above a value)"
                message = f"suppression of {rid} waives no finding{where}; remove it"
                out.append(make("unused-suppression", message, d.line, d.column, at))
    return out
