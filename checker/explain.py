"""`explain`: how one rule evaluated on one contract, every sub-expression with its value."""

from __future__ import annotations

import dataclasses
import datetime as _dt
from collections.abc import Iterator
from typing import Any

from .api import Pack
from .lang import EvalError, Missing, unparse
from .lang.interpreter import Env, Interpreter, Trace, child_origin, format_path
from .lang.nodes import Literal, Node
from .lang.values import display
from .packs.pack import CompiledRule


def find_rule(packs: list[Pack], ref: str) -> tuple[Pack, CompiledRule] | None:
    """The rule `pack/rule` or a bare `rule` id in the given packs."""
    for pack in packs:
        for rule in pack.rules:
            if ref in (rule.id, f"{rule.pack}/{rule.id}"):
                return pack, rule
    return None


def _value(v: Any) -> str:
    if isinstance(v, Missing):
        return f"missing ({v.describe()})"
    if isinstance(v, EvalError):
        return f"error: {v}"
    text = display(v)
    return text if len(text) <= 100 else text[:97] + "..."


def _children(node: Node) -> Iterator[Node]:
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        if isinstance(value, Node):
            yield value
        elif isinstance(value, tuple):
            yield from (v for v in value if isinstance(v, Node))


def _tree(node: Node, values: dict[int, list[Any]], depth: int, out: list[str]) -> None:
    seen = values.get(id(node))
    text = unparse(node).replace("\n", " ")
    if len(text) > 70:
        text = text[:67] + "..."
    if seen is None:
        shown = "(not evaluated)"
    elif len(seen) == 1:
        shown = _value(seen[0])
    else:
        shown = f"{_value(seen[-1])}  (last of {len(seen)} evaluations)"
    out.append(f"{'  ' * depth}{text}  → {shown}")
    for child in _children(node):
        if isinstance(child, Literal):
            continue  # a literal is its own value
        _tree(child, values, depth + 1, out)


def _evaluate(node: Node, env: Env) -> tuple[Any, dict[int, list[Any]]]:
    trace: Trace = []
    try:
        result: Any = Interpreter(env, trace).eval(node)
    except EvalError as exc:
        result = exc
    values: dict[int, list[Any]] = {}
    for n, v, _ in trace:
        values.setdefault(id(n), []).append(v)
    if isinstance(result, EvalError) or id(node) not in values:
        values.setdefault(id(node), []).append(result)
    return result, values


def explain(
    pack: Pack, rule: CompiledRule, data: dict[str, Any], today: _dt.date | None = None
) -> list[str]:
    """Lines showing each step of the rule: `when`, `each`, `assert`, and the outcome."""
    program = pack.program
    env = program.env(data, params=pack.params, today=today)
    out: list[str] = []
    outcomes = [
        loc.result
        for loc in pack.run(data, today)
        if loc.result.rule == rule.id and loc.result.pack == rule.pack
    ]
    verdict = ", ".join(sorted({r.outcome for r in outcomes})) or "not run"
    out.append(f"{rule.pack}/{rule.id} ({rule.severity}): {rule.title}")
    out.append(f"outcome: {verdict}")
    if rule.applies_to is not None:
        out.append("applies_to:")
        _tree(rule.applies_to.node, _evaluate(rule.applies_to.node, env)[1], 1, out)
    if rule.when is not None:
        out.append("when:")
        when, values = _evaluate(rule.when.node, env)
        _tree(rule.when.node, values, 1, out)
        if when is not True:
            out.append("the rule is skipped: `when` is not true")
            return out
    if rule.each is None:
        out.append("assert:")
        _, values = _evaluate(rule.assertion.node, env)
        _tree(rule.assertion.node, values, 1, out)
    else:
        assert rule.each_var is not None
        out.append(f"each {rule.each_var} in:")
        try:
            xs, origin = Interpreter(env).eval_loc(rule.each.node)
        except EvalError as exc:
            out.append(f"  error: {exc}")
            return out
        out.append(
            f"  {unparse(rule.each.node)}  → {_value(xs) if not isinstance(xs, list) else f'{len(xs)} items'}"
        )
        for i, x in enumerate(xs if isinstance(xs, list) else []):
            where = child_origin(origin, i)
            label = format_path(where) if isinstance(where, tuple) else f"[{i}]"
            program.bind(env, rule.each_var, x, where)
            out.append(f"assert, {rule.each_var} = {label}:")
            _, values = _evaluate(rule.assertion.node, env)
            _tree(rule.assertion.node, values, 1, out)
    for r in outcomes:
        if r.is_finding:
            at = f" at {r.pointer}" if r.pointer else ""
            out.append(f"finding{at}: {r.message}")
    return out
