"""Errors of the rule language: diagnostics with a position, and the exceptions that carry them."""

from __future__ import annotations

from ..fastclass import dataclass
from .values import EvalError

__all__ = [
    "Diagnostic",
    "EvalError",
    "ExprError",
    "ExprSyntaxError",
    "ExprTypeError",
    "render_caret",
]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem in an expression: 1-based line and column, 0-based offsets, an optional hint."""

    message: str
    line: int
    column: int
    start: int
    end: int | None = None
    hint: str | None = None

    def render(self, text: str, where: str = "<expr>") -> str:
        """Compiler-style text: `where:line:col: message`, the source line, a caret, the hint."""
        out = [f"{where}:{self.line}:{self.column}: {self.message}"]
        out.extend(render_caret(text, self.line, self.column, self.width(text)))
        if self.hint:
            out.append(f"hint: {self.hint}")
        return "\n".join(out)

    def width(self, text: str) -> int:
        """How many characters the caret underlines (at least one, never past the line)."""
        if self.end is None or self.end <= self.start:
            return 1
        line_end = text.find("\n", self.start)
        end = self.end if line_end < 0 else min(self.end, line_end)
        return max(1, end - self.start)


def render_caret(
    text: str, line: int, column: int, width: int = 1, indent: str = "    "
) -> list[str]:
    """The source line and a caret line under `column` (columns count characters)."""
    lines = text.splitlines() or [""]
    if not 1 <= line <= len(lines):
        return []
    src = lines[line - 1].expandtabs(1)
    caret = " " * (column - 1) + "^" * max(1, min(width, len(src) - column + 1))
    return [indent + src, indent + caret]


class ExprError(Exception):
    """An expression that cannot be used: it carries every diagnostic found and the text."""

    kind = "error"

    def __init__(self, diagnostics: list[Diagnostic], text: str) -> None:
        self.diagnostics = diagnostics
        self.text = text
        super().__init__(diagnostics[0].message if diagnostics else self.kind)

    def render(self, where: str = "<expr>") -> str:
        """All diagnostics, compiler style, separated by blank lines."""
        return "\n\n".join(d.render(self.text, where) for d in self.diagnostics)


class ExprSyntaxError(ExprError):
    """The text is not an expression of the language."""

    kind = "syntax error"


class ExprTypeError(ExprError):
    """The expression is well formed but its types do not fit (found before any data is read)."""

    kind = "type error"
