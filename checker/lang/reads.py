"""Which top-level data keys an expression reads, the lets it uses included (static, by names)."""

from __future__ import annotations

from collections.abc import Mapping

from .nodes import Index, Literal, Member, Name, Node, Quant, _slot_names

ALL_DATA = "*"
"""The root `contract` read whole: every key counts as read."""


def data_roots(
    node: Node, lets: Mapping[str, Node], bound: frozenset[str] = frozenset()
) -> frozenset[str]:
    """The top-level data keys `node` may read (`ALL_DATA` for `contract` itself); `bound`
    are names bound around it (an `each` variable), which read no data of their own."""
    return Reads(lets).roots(node, bound)


class Reads:
    """`data_roots` for many expressions in one scope: each let is walked once (a pack's
    rules read the same lets again and again; walking them anew for each of its 900
    expressions was a fifth of compiling the built-in packs)."""

    def __init__(self, lets: Mapping[str, Node]) -> None:
        self.lets = lets
        self.memo: dict[str, set[str]] = {}

    def roots(self, node: Node, bound: frozenset[str] = frozenset()) -> frozenset[str]:
        return frozenset(self.walk(node, bound))

    def let(self, name: str) -> set[str]:
        if name not in self.memo:
            self.memo[name] = set()  # a let that refers to itself reads nothing more
            self.memo[name] = self.walk(self.lets[name], frozenset())
        return self.memo[name]

    def walk(self, node: Node, bound: frozenset[str]) -> set[str]:
        if isinstance(node, Name):
            name = node.name
            if name in bound or name == "params":
                return set()
            if name in self.lets:
                return self.let(name)
            return {ALL_DATA if name == "contract" else name}
        key = _contract_key(node)
        if key is not None and "contract" not in bound and "contract" not in self.lets:
            return {key}  # contract.meta and contract["meta"] read meta only
        if isinstance(node, Quant):
            return self.walk(node.source, bound) | self.walk(node.body, bound | {node.var})
        out: set[str] = set()
        for name in _slot_names(type(node)):
            out |= self._value(getattr(node, name), bound)
        return out

    def _value(self, value: object, bound: frozenset[str]) -> set[str]:
        if isinstance(value, Node):
            return self.walk(value, bound)
        if isinstance(value, tuple):
            out: set[str] = set()
            for v in value:
                out |= self._value(v, bound)
            return out
        return set()


def _contract_key(node: Node) -> str | None:
    """The key of `contract.KEY` or `contract["KEY"]`, else None."""
    if (
        isinstance(node, Member | Index)
        and isinstance(node.obj, Name)
        and node.obj.name == "contract"
    ):
        if isinstance(node, Member):
            return node.name
        if isinstance(node.index, Literal) and isinstance(node.index.value, str):
            return node.index.value
    return None
