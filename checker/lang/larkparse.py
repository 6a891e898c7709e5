"""Parse expression text with Lark into our own syntax tree (the only module that imports Lark)."""

from __future__ import annotations

import datetime as _dt
import difflib
import functools
from collections.abc import Callable
from typing import Any, Final

import lark
from lark import Token, Transformer, v_args
from lark.exceptions import (
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
    VisitError,
)
from lark.grammar import Rule
from lark.lexer import TerminalDef

from .cache import named
from .errors import Diagnostic, ExprSyntaxError
from .nodes import (
    KEYWORDS,
    Binary,
    Call,
    Compare,
    Current,
    Element,
    Filter,
    If,
    Index,
    ListLit,
    Literal,
    Member,
    Name,
    Node,
    Project,
    Quant,
    Span,
    Unary,
)
from .parser import MAX_DEPTH, MAX_LENGTH, grammar_path
from .values import CURRENCIES, MAX_DIGITS, Duration, Money, Number, parse_number_text

_TOKEN_NAMES: Final[dict[str, str]] = {
    "NAME": "a name",
    "NUMBER": "a number",
    "STRING": "a string",
    "DATE": "a date",
    "DURATION_UNIT": "a duration unit",
    "$END": "the end of the expression",
    "LPAR": "`(`",
    "RPAR": "`)`",
    "LSQB": "`[`",
    "RSQB": "`]`",
    "COLON": "`:`",
    "COMMA": "`,`",
    "DOT": "`.`",
    "STAR": "`*`",
    "PLUS": "`+`",
    "MINUS": "`-`",
    "SLASH": "`/`",
    "QMARK": "`?`",
    "AT": "`@`",
}


@functools.cache
def _lark() -> lark.Lark:
    # Built once per process. Building the LALR tables takes ~60 ms, so they are kept
    # between runs in our own cache (plain data only: Lark's own cache file would be
    # unpickled without restriction; see cache.py).
    options: dict[str, Any] = {
        "parser": "lalr",
        # The basic lexer reads a keyword as a keyword everywhere, so `a and or b` is
        # reported at `or` (a contextual lexer would read `or` there as a name).
        "lexer": "basic",
        "propagate_positions": True,
        "maybe_placeholders": True,
    }
    cache = named("grammar")
    saved = cache.get("lalr")
    if isinstance(saved, dict):
        try:
            # Lark.load without its pickle step: `_load` takes the already-read dict.
            return lark.Lark.__new__(lark.Lark)._load(
                {"data": saved["data"], "memo": saved["memo"]}
            )
        except Exception:  # tables from a damaged file: build them again
            pass
    parser = lark.Lark(grammar_path().read_text(encoding="utf-8"), **options)
    data, memo = parser.memo_serialize([TerminalDef, Rule])
    cache.put("lalr", {"data": data, "memo": memo})
    return parser


def parse_text(text: str) -> Node:
    """Parse with Lark (no cache); raises ExprSyntaxError."""
    if len(text) > MAX_LENGTH:
        raise ExprSyntaxError(
            [
                Diagnostic(
                    f"expression is too long ({len(text)} characters; the limit is {MAX_LENGTH})",
                    1,
                    1,
                    0,
                )
            ],
            text,
        )
    try:
        tree = _lark().parse(text)
    except UnexpectedInput as exc:
        raise ExprSyntaxError([_syntax_diagnostic(exc, text)], text) from None
    except RecursionError:
        raise ExprSyntaxError(
            [Diagnostic("expression is nested too deeply", 1, 1, 0)], text
        ) from None
    _check_depth(tree, text)
    try:
        result = _ToAst(text).transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, ExprSyntaxError):
            raise exc.orig_exc from None
        raise
    except RecursionError:
        raise ExprSyntaxError(
            [Diagnostic("expression is nested too deeply", 1, 1, 0)], text
        ) from None
    return _unparen(result)


def _check_depth(tree: lark.Tree[Token], text: str) -> None:
    """Reject trees deeper than MAX_DEPTH before any recursive pass walks them."""
    stack: list[tuple[lark.Tree[Token], int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            meta = node.meta
            line = getattr(meta, "line", 1)
            column = getattr(meta, "column", 1)
            offset = getattr(meta, "start_pos", 0)
            raise ExprSyntaxError(
                [
                    Diagnostic(
                        f"expression is nested too deeply (more than {MAX_DEPTH} levels)",
                        line,
                        column,
                        offset,
                        hint="split it into `let` names",
                    )
                ],
                text,
            )
        stack.extend((c, depth + 1) for c in node.children if isinstance(c, lark.Tree))


def _expected(exc: UnexpectedToken | UnexpectedCharacters | UnexpectedEOF) -> str:
    names: set[str] = set()
    for term in sorted(getattr(exc, "expected", None) or getattr(exc, "allowed", None) or ()):
        names.add(_describe_terminal(term))
    ordered = sorted(n for n in names if n)
    if not ordered:
        return ""
    if len(ordered) > 6:
        return ""
    return (
        "expected " + ", ".join(ordered[:-1]) + (" or " if len(ordered) > 1 else "") + ordered[-1]
    )


@functools.cache
def _terminal_patterns() -> dict[str, str]:
    return {t.name: t.pattern.value for t in _lark().terminals}


def _describe_terminal(term: str) -> str:
    if term in _TOKEN_NAMES:
        return _TOKEN_NAMES[term]
    pattern = _terminal_patterns().get(term)
    if pattern is not None and pattern.isalpha() and pattern in KEYWORDS:
        return f"`{pattern}`"
    if pattern is not None and len(pattern) <= 3 and not pattern.isalnum():
        return f"`{pattern}`"
    return term.lower()


def _syntax_diagnostic(exc: UnexpectedInput, text: str) -> Diagnostic:
    line = getattr(exc, "line", 1) or 1
    column = getattr(exc, "column", 1) or 1
    offset = getattr(exc, "pos_in_stream", None)
    at_end = isinstance(exc, UnexpectedToken) and exc.token.type == "$END"
    if isinstance(exc, UnexpectedEOF) or at_end or offset is None or line < 1:
        offset = len(text)
        line = text.count("\n") + 1
        column = len(text) - (text.rfind("\n") + 1) + 1
    hint: str | None = None
    if isinstance(exc, UnexpectedCharacters):
        ch = text[offset] if offset < len(text) else ""
        msg = f"unexpected character {ch!r}"
        if ch == "=":
            hint = "write `==` to compare"
        elif ch == "&":
            hint = "write `and`"
        elif ch == "|":
            hint = "write `or`"
        elif ch == "!":
            hint = "write `not` (or `!=` to compare)"
        elif ch.isdigit() or (ch.isalpha() and offset > 0 and text[offset - 1].isdigit()):
            hint = "a number is followed by a space and a unit: `3 years`, `15 working days`"
        elif ch in "\"'":
            hint = "a string must end on the line it starts"
    elif isinstance(exc, UnexpectedToken):
        tok = exc.token
        if tok.type == "$END":
            msg = "unexpected end of expression"
        elif str(tok) in KEYWORDS and text[:offset].rstrip().endswith("."):
            return Diagnostic(
                f"syntax error: `{tok}` is a reserved word and cannot be used as a name",
                line,
                column,
                offset,
                offset + len(str(tok)),
                hint=f'to read a key with this name, write m["{tok}"]',
            )
        else:
            msg = f"unexpected {_describe_token(tok)}"
        expected = _expected(exc)
        if expected:
            msg += f"; {expected}"
        if tok.type == "$END":
            hint = "the expression stops in the middle"
    else:
        msg = "unexpected end of expression"
        expected = _expected(exc)  # type: ignore[arg-type]
        if expected:
            msg += f"; {expected}"
    return Diagnostic(f"syntax error: {msg}", line, column, offset, hint=hint)


def _describe_token(tok: Token) -> str:
    value = str(tok)
    if tok.type == "NAME" or value in KEYWORDS:
        return f"`{value}`"
    if tok.type == "STRING":
        return f"string {value}"
    if tok.type == "NUMBER":
        return f"number {value}"
    return f"`{value}`"


# -- tree building ------------------------------------------------------------------------


class _Paren:
    """A parenthesised expression while the tree is built: stops a path extending a projection."""

    __slots__ = ("node",)

    def __init__(self, node: Node) -> None:
        self.node = node


def _unparen(x: Any) -> Node:
    while isinstance(x, _Paren):
        x = x.node
    assert isinstance(x, Node)
    return x


_UNITS: Final = [
    "year",
    "years",
    "month",
    "months",
    "week",
    "weeks",
    "day",
    "days",
    "working day",
    "working days",
]
_ESCAPES: Final[dict[str, str]] = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    '"': '"',
    "'": "'",
    "\\": "\\",
    "/": "/",
    "0": "\0",
}


def _span(meta: Any) -> Span:
    if getattr(meta, "empty", True):
        return Span(0, 0, 1, 1)
    return Span(meta.start_pos, meta.end_pos, meta.line, meta.column)


def _tok_span(tok: Token) -> Span:
    return Span(tok.start_pos or 0, tok.end_pos or 0, tok.line or 1, tok.column or 1)


class _ToAst(Transformer[Token, Any]):
    """Lark parse tree → our nodes; every node keeps the span of the text it came from."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def _error(self, message: str, span: Span, hint: str | None = None) -> ExprSyntaxError:
        return ExprSyntaxError(
            [Diagnostic(message, span.line, span.column, span.start, span.end, hint=hint)],
            self.text,
        )

    def _name(self, tok: Token) -> str:
        name = str(tok)
        if name in KEYWORDS:
            raise self._error(
                f"syntax error: `{name}` is a reserved word and cannot be used as a name",
                _tok_span(tok),
                hint=f'to read a key with this name, write m["{name}"]',
            )
        return name

    # literals
    def _number(self, tok: Token) -> Number:
        text = str(tok)
        digits = sum(c.isdigit() for c in text)
        if digits > MAX_DIGITS:
            # Longer numerals would also meet Python's int-string conversion limit.
            raise self._error(
                f"syntax error: a number may have at most {MAX_DIGITS} digits; "
                f"this one has {digits:,}",
                _tok_span(tok),
            )
        return parse_number_text(text)

    @v_args(meta=True)
    def number(self, meta: Any, children: list[Token]) -> Literal:
        return Literal("number", self._number(children[0]), span=_span(meta))

    @v_args(meta=True)
    def duration(self, meta: Any, children: list[Token]) -> Literal:
        amount = self._number(children[0])
        unit = " ".join(str(c) for c in children[1:])
        span = _span(meta)
        if unit not in _UNITS:
            near = difflib.get_close_matches(unit, _UNITS, n=1)
            raise self._error(
                f"syntax error: `{children[0]} {unit}`: unknown duration unit `{unit}`",
                span,
                hint=f"did you mean `{near[0]}`?"
                if near
                else "units are years, months, weeks, days "
                "and working days; between a number and a name, write an operator",
            )
        return Literal("duration", Duration.of(amount, unit), span=span)

    @v_args(meta=True)
    def money(self, meta: Any, children: list[Token]) -> Literal:
        code = str(children[0])
        span = _span(meta)
        if not (len(code) == 3 and code.isascii() and code.isupper() and code.isalpha()):
            raise self._error(
                f"syntax error: `{code} {children[1]}`: a name followed by a number is only "
                "valid as money, with a three-letter currency code",
                span,
                hint=f"write e.g. `CNY {children[1]}`, or put an operator between the two",
            )
        if code not in CURRENCIES:
            near = (
                ["CNY"]
                if code == "RMB"
                else difflib.get_close_matches(code, sorted(CURRENCIES), n=1)
            )
            raise self._error(
                f"syntax error: `{code}` is not an ISO 4217 currency code",
                span,
                hint=f"did you mean `{near[0]}`?" if near else "write e.g. `CNY 100`",
            )
        return Literal("money", Money(self._number(children[1]), code), span=span)

    @v_args(meta=True)
    def date(self, meta: Any, children: list[Token]) -> Literal:
        span = _span(meta)
        try:
            value = _dt.date.fromisoformat(str(children[0]))
        except ValueError:
            raise self._error(f"syntax error: {children[0]} is not a calendar date", span) from None
        return Literal("date", value, span=span)

    @v_args(meta=True)
    def string(self, meta: Any, children: list[Token]) -> Literal:
        return Literal("string", self._unescape(children[0]), span=_span(meta))

    def _unescape(self, tok: Token) -> str:
        raw = str(tok)[1:-1]
        out: list[str] = []
        i = 0
        while i < len(raw):
            ch = raw[i]
            if ch != "\\":
                out.append(ch)
                i += 1
                continue
            nxt = raw[i + 1] if i + 1 < len(raw) else ""
            if nxt == "u":
                digits = raw[i + 2 : i + 6]
                if len(digits) == 4 and all(c in "0123456789abcdefABCDEF" for c in digits):
                    out.append(chr(int(digits, 16)))
                    i += 6
                    continue
            elif nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
                continue
            start = (tok.start_pos or 0) + 1 + i
            col = (tok.column or 1) + 1 + i
            raise ExprSyntaxError(
                [
                    Diagnostic(
                        f"syntax error: unknown escape `\\{nxt}` in a string",
                        tok.line or 1,
                        col,
                        start,
                        start + 2,
                        hint=r"escapes are \n \t \r \" \' \\ and \uXXXX",
                    )
                ],
                self.text,
            )
        return "".join(out)

    @v_args(meta=True)
    def true(self, meta: Any, children: list[Any]) -> Literal:
        return Literal("bool", True, span=_span(meta))

    @v_args(meta=True)
    def false(self, meta: Any, children: list[Any]) -> Literal:
        return Literal("bool", False, span=_span(meta))

    @v_args(meta=True)
    def null(self, meta: Any, children: list[Any]) -> Literal:
        return Literal("null", None, span=_span(meta))

    @v_args(meta=True)
    def list_(self, meta: Any, children: list[Any]) -> ListLit:
        items = tuple(children[0]) if children and children[0] is not None else ()
        return ListLit(items, span=_span(meta))

    def paren(self, children: list[Any]) -> _Paren:
        return _Paren(_unparen(children[0]))

    def args(self, children: list[Any]) -> list[Node]:
        return [_unparen(c) for c in children]

    # names and paths
    @v_args(meta=True)
    def name(self, meta: Any, children: list[Token]) -> Name:
        return Name(self._name(children[0]), span=_span(meta))

    @v_args(meta=True)
    def current(self, meta: Any, children: list[Any]) -> Current:
        return Current(span=_span(meta))

    def _extend(self, obj: Any, build: Callable[[Node], Node]) -> Node:
        """Apply a path step; on an open projection it extends the projection's body."""
        if isinstance(obj, Project):
            return Project(obj.source, self._extend(obj.body, build), span=obj.span)
        return build(_unparen(obj))

    @v_args(meta=True)
    def member(self, meta: Any, children: list[Any]) -> Node:
        obj, tok = children
        name = self._name(tok)
        span = _span(meta)
        return self._extend(obj, lambda o: Member(o, name, span=span))

    @v_args(meta=True)
    def index(self, meta: Any, children: list[Any]) -> Node:
        obj, idx = children
        span = _span(meta)
        idx_node = _unparen(idx)
        if isinstance(idx_node, Literal) and idx_node.kind == "string":
            # m["key"] and m.key are one thing; the tree has one form for it.
            key = str(idx_node.value)
            return self._extend(obj, lambda o: Member(o, key, span=span))
        return self._extend(obj, lambda o: Index(o, idx_node, span=span))

    @v_args(meta=True)
    def project(self, meta: Any, children: list[Any]) -> Node:
        span = _span(meta)
        return self._extend(children[0], lambda o: Project(o, Element(span=span), span=span))

    @v_args(meta=True)
    def filter_(self, meta: Any, children: list[Any]) -> Node:
        obj, cond = children
        span = _span(meta)
        cond_node = _unparen(cond)
        return self._extend(obj, lambda o: Filter(o, cond_node, span=span))

    @v_args(meta=True)
    def call(self, meta: Any, children: list[Any]) -> Call:
        func = self._name(children[0])
        args = tuple(children[1]) if children[1] is not None else ()
        return Call(func, args, span=_span(meta))

    @v_args(meta=True)
    def matches_call(self, meta: Any, children: list[Any]) -> Call:
        args = tuple(children[0]) if children[0] is not None else ()
        return Call("matches", args, span=_span(meta))

    # operators
    @v_args(meta=True)
    def neg(self, meta: Any, children: list[Any]) -> Unary:
        return Unary("-", _unparen(children[0]), span=_span(meta))

    @v_args(meta=True)
    def not_expr(self, meta: Any, children: list[Any]) -> Unary:
        return Unary("not", _unparen(children[0]), span=_span(meta))

    def _binary(self, op: str, meta: Any, children: list[Any]) -> Binary:
        return Binary(op, _unparen(children[0]), _unparen(children[-1]), span=_span(meta))

    @v_args(meta=True)
    def add(self, meta: Any, children: list[Any]) -> Binary:
        return self._binary("+", meta, children)

    @v_args(meta=True)
    def sub(self, meta: Any, children: list[Any]) -> Binary:
        return self._binary("-", meta, children)

    @v_args(meta=True)
    def mul(self, meta: Any, children: list[Any]) -> Binary:
        return self._binary("*", meta, children)

    @v_args(meta=True)
    def div(self, meta: Any, children: list[Any]) -> Binary:
        return self._binary("/", meta, children)

    @v_args(meta=True)
    def coalesce(self, meta: Any, children: list[Any]) -> Binary:
        return self._binary("??", meta, children)

    @v_args(meta=True)
    def and_expr(self, meta: Any, children: list[Any]) -> Binary:
        return self._binary("and", meta, children)

    @v_args(meta=True)
    def or_expr(self, meta: Any, children: list[Any]) -> Binary:
        return self._binary("or", meta, children)

    @v_args(meta=True)
    def implies(self, meta: Any, children: list[Any]) -> Binary:
        return self._binary("implies", meta, children)

    def comp_op(self, children: list[Token]) -> str:
        return " ".join(str(c) for c in children)

    @v_args(meta=True)
    def compare(self, meta: Any, children: list[Any]) -> Compare:
        operands = tuple(_unparen(c) for c in children[0::2])
        ops = tuple(children[1::2])
        return Compare(operands, ops, span=_span(meta))

    @v_args(meta=True)
    def if_expr(self, meta: Any, children: list[Any]) -> If:
        c, t, e = (_unparen(x) for x in children)
        return If(c, t, e, span=_span(meta))

    def quantifier(self, children: list[Token]) -> str:
        return str(children[0])

    @v_args(meta=True)
    def quant(self, meta: Any, children: list[Any]) -> Quant:
        kind, var, source, body = children
        return Quant(kind, self._name(var), _unparen(source), _unparen(body), span=_span(meta))
