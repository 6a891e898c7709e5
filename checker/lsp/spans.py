"""Problems as the server publishes them: spans of the file, severity, and the fix a hint offers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from ..fastclass import dataclass
from ..packs.packfile import PackProblem


@dataclass(frozen=True)
class Span:
    """A stretch of a file: 1-based lines and columns in characters, the end exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int

    def holds(self, line: int, column: int) -> bool:
        return (self.line, self.column) <= (line, column) <= (self.end_line, self.end_column)


@dataclass(frozen=True)
class Fix:
    """An edit a hint proposes: replace the problem's span with `text`."""

    title: str
    text: str


@dataclass(frozen=True)
class Problem:
    """One diagnostic: where, what, how bad, and the fix when its hint gives one."""

    span: Span
    message: str
    severity: str  # error | warning | info
    code: str | None = None
    fix: Fix | None = None
    data: dict[str, str] | None = None  # what a code action needs (a finding's rule)


# A plain YAML scalar runs to `: `, ` #`, a flow indicator or the end of the line; a
# quoted one to its closing quote.
_TOKEN: Final = re.compile(r'"(?:[^"\\]|\\.)*"?|\'(?:[^\']|\'\')*\'?|(?:[^\s:#,\[\]{}]|:(?=\S))+')


def token_span(
    lines: Sequence[str], line: int | None, column: int | None, width: int | None = None
) -> Span:
    """The span of a problem reported at a line and column: `width` characters when the
    problem says how many, else the YAML token starting there (a key, a value)."""
    if line is None or not 1 <= line <= len(lines):
        return Span(1, 1, 1, 1 + len(lines[0]) if lines else 1)
    text = lines[line - 1]
    column = max(1, min(column or 1, len(text) + 1))
    if width is None:
        m = _TOKEN.match(text, column - 1)
        width = len(m.group(0)) if m and m.group(0) else 1
    return Span(line, column, line, min(len(text) + 1, column + width))


_DID_YOU_MEAN: Final = re.compile(r"did you mean `([^`]+)`\?|did you mean \"([^\"]+)\"\?")
_WRITE: Final = re.compile(r"^write `([^`]+)`$")


def hint_fix(hint: str | None, written: str) -> Fix | None:
    """The edit a hint proposes for the text `written` at the problem: a did-you-mean
    replacement, or a missing unit (`write `2 years``)."""
    if not hint:
        return None
    m = _DID_YOU_MEAN.search(hint)
    if m is not None:
        near = m.group(1) or m.group(2)
        if written[:1] in "\"'" and m.group(2) is not None:
            near = written[0] + near + written[0]
        return Fix(f"Replace with `{near}`", near) if near != written else None
    m = _WRITE.match(hint)
    if m is not None and m.group(1).split(" ", 1)[0] == written:
        unit = m.group(1).split(" ", 1)[1] if " " in m.group(1) else ""
        return Fix(f"Add the unit: `{m.group(1)}`" if unit else m.group(1), m.group(1))
    return None


def pack_problem(p: PackProblem, lines: Sequence[str], in_expression: bool = False) -> Problem:
    """A pack problem (structure, expression, schema) as a diagnostic with its fix: one in
    an expression spans what its diagnostic says, any other the YAML token it is at."""
    span = token_span(lines, p.line, p.column, p.width if in_expression else None)
    written = lines[span.line - 1][span.column - 1 : span.end_column - 1] if lines else ""
    message = p.message if p.rule is None else f"{p.message} (rule {p.rule})"
    if p.hint:
        message += f"\nhint: {p.hint}"
    return Problem(
        span,
        message,
        "warning" if p.severity == "warning" else "error",
        fix=hint_fix(p.hint, written),
    )
