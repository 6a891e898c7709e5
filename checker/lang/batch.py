"""One generated function for all the rules of a pack: guarded items, each falling back alone."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..fastclass import dataclass
from .compiler import _Gen
from .interpreter import Env, Interpreter
from .nodes import Node
from .pycode import build, fits
from .runtime import DEOPTED, SKIPPED
from .values import EvalError, Missing, type_name


@dataclass(frozen=True)
class CompiledBatch:
    """Several trees evaluated by one generated function (a pack's rules, for one contract).

    Each item is an expression with an optional guard: when the guard is not true the
    item's value is SKIPPED and the expression is not evaluated (a rule's `when`). One
    call instead of one per rule; each item still falls back to the interpreter alone.
    """

    items: Sequence[tuple[Node | None, Node]]  # read only to interpret an item
    fast: Callable[..., Any]
    source: str

    def run(self, env: Env) -> Sequence[Any]:
        """Each item's value in order: SKIPPED, a value, or the EvalError it raised."""
        results, undecided = self.fast(env.data, env.params, env.let_value, env.ctx)
        if not undecided:
            return results  # type: ignore[no-any-return]
        out = list(results)
        for i, r in enumerate(out):
            if r is DEOPTED:
                guard, node = self.items[i]
                out[i] = _interpreted_item(guard, node, env)
        return out


def when_holds(value: Any) -> bool:
    """Whether a rule's `when` value lets it run: true runs it, false or missing skips
    it, and anything else (a string read from untyped data) is an error, never a skip."""
    if value is True:
        return True
    if value is False or isinstance(value, Missing):
        return False
    raise EvalError(f"`when` must be true or false, found {type_name(value)}")


def _interpreted_item(guard: Node | None, node: Node, env: Env) -> Any:
    try:
        if guard is not None and not when_holds(Interpreter(env).eval(guard)):
            return SKIPPED
        return Interpreter(env).eval(node)
    except EvalError as exc:
        return exc


def compile_batch(
    items: Sequence[tuple[Node | None, Node]],
    lets: frozenset[str] = frozenset(),
    key: str | None = None,
) -> CompiledBatch:
    """One function for many guarded trees; a run error comes back as the EvalError.
    `key`: the function is kept as a unit under it (pycode.load_unit)."""
    gen = _Gen(lets)
    lines: list[str] = ["_u = False"]
    for i, (guard, node) in enumerate(items):
        body = gen.as_val(gen.gen(node))
        if guard is None:
            line = f"_r{i} = {body}"
        else:
            # The guard must be exactly true; anything else (false, missing, not a bool)
            # is decided by the interpreter only when it is not a plain bool.
            cond = gen.gen(guard)
            test = cond[0] if cond[1] == "bool" else gen.as_bool(cond)
            line = f"_r{i} = ({body}) if {test} else _SKIPPED"
        if fits(line):
            lines += ["try:", f"    {line}", "except _DEOPT_ERRORS:", f"    _r{i} = _DEOPTED"]
            lines += ["    _u = True"]
        else:
            lines += [f"_r{i} = _DEOPTED", "_u = True"]
    names = ", ".join(f"_r{i}" for i in range(len(items)))
    lines.append(f"return ({names}{',' if len(items) == 1 else ''}), _u")
    built = build(gen.consts, lines, key)
    if built is None:
        return CompiledBatch(tuple(items), _all_deopted(len(items)), "")
    return CompiledBatch(tuple(items), *built)


def _all_deopted(n: int) -> Callable[..., Any]:
    """The fast function of a batch Python could not compile: every item is interpreted."""
    results = (DEOPTED,) * n
    return lambda *args: (results, True)
