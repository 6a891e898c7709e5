"""Which subexpressions of an `each` rule no element changes: the compiler builds them once."""

from __future__ import annotations

import dataclasses
from typing import Any

from .nodes import Compare, Current, Element, Filter, Member, Name, Node, Project, Quant


def invariant(node: Node, outer: frozenset[str] | set[str]) -> bool:
    """Whether a subtree reads none of the `outer` names (unless it binds them itself) and
    no `@` or `[*]` item of an enclosing filter or projection: its value is then fixed."""

    def ok(n: Any, filters: int, projections: int, local: frozenset[str]) -> bool:
        if isinstance(n, tuple):
            return all(ok(x, filters, projections, local) for x in n)
        if not isinstance(n, Node):
            return True
        if isinstance(n, Name):
            return n.name not in outer or n.name in local
        if isinstance(n, Current):
            return filters > 0
        if isinstance(n, Element):
            return projections > 0
        if isinstance(n, Filter):
            return ok(n.source, filters, projections, local) and ok(
                n.cond, filters + 1, projections, local
            )
        if isinstance(n, Project):
            return ok(n.source, filters, projections, local) and ok(
                n.body, filters, projections + 1, local
            )
        if isinstance(n, Quant):
            return ok(n.source, filters, projections, local) and ok(
                n.body, filters, projections, local | {n.var}
            )
        return all(
            ok(getattr(n, f.name), filters, projections, local) for f in dataclasses.fields(n)
        )

    return ok(node, 0, 0, frozenset())


def keyed_filter(node: Filter) -> tuple[str, Node] | None:
    """(field, probe) of a filter `source[? @.field == probe]` (or `probe == @.field`)
    whose probe reads no `@` of its own: in an `each` rule over another list, the compiler
    can then look the items up by field (an index built once per contract) instead of
    comparing every item for every element."""
    cond = node.cond
    if not isinstance(cond, Compare) or cond.ops != ("==",):
        return None
    for mine, other in (cond.operands, cond.operands[::-1]):
        if (
            isinstance(mine, Member)
            and isinstance(mine.obj, Current)
            and invariant(other, frozenset())
        ):
            return mine.name, other
    return None
