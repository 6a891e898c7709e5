"""Parse expression text into our syntax tree, through the per-user cache of parsed trees."""

from __future__ import annotations

import contextlib
import functools
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

from .cache import loads, source_digest, tree_cache
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
    for texts in _RECORDING:
        texts.add(text)
    cache = tree_cache()
    node = cache.get(text)
    if isinstance(node, Node):
        return node
    shipped = builtin_tree(text)
    if shipped is not None:
        return shipped[0]  # not copied into the user's cache: it ships with every install
    from .larkparse import parse_text

    node = parse_text(text)
    cache.put(text, node)
    return node


# -- the built-in packs' trees, shipped -----------------------------------------------------
#
# The first run after installing parsed the built-in packs' 670 expressions with Lark:
# 0.5 s of a 0.8 s check. Their trees ship with the grammar (`write_builtin_trees` makes
# them; a test keeps them current), so a first run imports no Lark unless a pack of the
# user's own needs it.

BUILTIN_TREES: Final = "builtin-trees.pickle"
_SHAPING: Final = ("grammar", "parser.py", "larkparse.py", "nodes.py", "values.py")
_RECORDING: list[set[str]] = []


def trees_digest() -> str:
    """What the shipped trees were made by: the grammar and the modules that build trees."""
    return b"".join(source_digest(name) for name in _SHAPING).hex()


def builtin_tree(text: str) -> tuple[Node, bytes] | None:
    """The shipped tree of `text` and its pickle (which a cached pack holds as it is),
    read once per run; None for a text the built-in packs do not have."""
    blob = builtin_trees().get(text)
    if not isinstance(blob, bytes):
        return None
    node = _SHIPPED.get(text)
    if node is None:
        node = _SHIPPED[text] = loads(blob)
    return (node, blob) if isinstance(node, Node) else None


_SHIPPED: dict[str, Any] = {}


@functools.cache
def builtin_trees() -> dict[str, Any]:
    """The shipped trees by text; empty when absent or made by another grammar or parser
    (then Lark parses, as for any pack)."""
    try:
        stored = loads((grammar_path().parent / BUILTIN_TREES).read_bytes())
    except Exception:  # absent or unreadable: parse
        return {}
    if not isinstance(stored, dict) or stored.get("digest") != trees_digest():
        return {}
    trees = stored.get("trees")
    return trees if isinstance(trees, dict) else {}


@contextlib.contextmanager
def recording() -> Iterator[set[str]]:
    """The texts parsed inside the block (to gather the built-in packs' expressions)."""
    texts: set[str] = set()
    _RECORDING.append(texts)
    try:
        yield texts
    finally:
        _RECORDING.remove(texts)


def make_builtin_trees() -> bytes:
    """The shipped file's content: every expression the built-in packs parse, parsed (each
    tree pickled on its own, as a cached pack keeps it)."""
    from ..packs.pack import builtin_packs, compile_pack
    from .larkparse import parse_text

    with recording() as texts:
        for path in builtin_packs().values():
            compile_pack(path)
    trees = {text: pickle.dumps(parse_text(text), protocol=5) for text in sorted(texts)}
    return pickle.dumps({"digest": trees_digest(), "trees": trees}, protocol=5)


def write_builtin_trees() -> Path:
    """Write the shipped trees next to the grammar (after changing a built-in pack, the
    grammar or the parser): python -c 'from checker.lang.parser import write_builtin_trees
    as w; print(w())'."""
    target = grammar_path().parent / BUILTIN_TREES
    target.write_bytes(make_builtin_trees())
    builtin_trees.cache_clear()
    return target
