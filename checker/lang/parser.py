"""Parse expression text into our syntax tree, through the per-user cache of parsed trees."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Final

from .cache import tree_cache
from .nodes import Node

MAX_LENGTH: Final = 100_000
"""Longest expression accepted, in characters; rule expressions are a few lines."""
MAX_DEPTH: Final = 120
"""Deepest syntax tree accepted: Lark's LALR parser is iterative, our passes recurse."""


@functools.cache
def grammar_path() -> Path:
    """The grammar file: inside the installed package, or at the top of the source tree."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "grammar" / "expr.lark", here.parent / "grammar" / "expr.lark"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("grammar/expr.lark is missing from the installation")


def parse(text: str) -> Node:
    """Parse one expression.

    Returns the syntax tree; raises ExprSyntaxError (with line, column and a hint) on any
    problem, including text that is too long or nested too deeply. Trees are immutable, so
    a text already parsed (in this run, or in an earlier one: see `cache.tree_cache`) is
    not parsed again, and Lark is imported only when something must really be parsed.
    """
    cache = tree_cache()
    node = cache.get(text)
    if not isinstance(node, Node):
        from .larkparse import parse_text

        node = parse_text(text)
        cache.put(text, node)
    return node
