"""The Python API: load a pack once, evaluate it on many contracts, check files into a report."""

from __future__ import annotations

import datetime as _dt
import itertools
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .engine import Located, RuleRunner
from .inputs.jsonpos import too_deep_message
from .inputs.loader import MAX_DEPTH
from .inputs.schema import ContractSchema
from .lang.values import from_float
from .models import Severity
from .packs.pack import (
    CompiledRule,
    PackError,
    PackProblem,
    builtin_packs,
    resolve_pack,
)
from .packs.packcache import compile_cached
from .zhtext import EnumLabels

if TYPE_CHECKING:
    from .api_models import RuleResult

__all__ = ["Pack", "PackError", "PackSet", "load_pack", "plain_data"]

_PUBLISHED_MAX = 4096  # shared results per pack whose models are kept (rules × outcomes)


class Pack:
    """A compiled rule pack.

    Build it with `load_pack`. It is immutable once loaded; it pickles by its source file
    and parameters and is rebuilt on unpickling (compiled code does not pickle).
    """

    def __init__(self, path: Path, params: Mapping[str, Any] | None = None) -> None:
        self.path = path
        self._param_overrides = dict(params or {})
        merged, program, rules, values, schema = compile_cached(path, params)
        self.id = merged.pack
        self.version = merged.version
        self.title = merged.title
        self.description = merged.description
        self.files = list(merged.files)
        self.schema: ContractSchema | None = schema
        self.params: dict[str, Any] = values
        self.param_decls = {k: dict(d) for k, (d, _) in merged.params.items()}
        self.rules: list[CompiledRule] = rules
        self.warnings: list[PackProblem] = merged.warnings  # doubts that do not stop loading
        self._program = program
        self._adjustments: tuple[dict[str, Severity], list[str]] | None = None
        self._in_force_at = merged.in_force_at
        self._labels_zh = EnumLabels(schema.schema) if schema is not None else {}
        self._runner = RuleRunner(program, rules, values, self._in_force_at, self._labels_zh)
        self._rule_ids = [r.id for r in rules]
        # Results that are not findings (passes, skips) are shared between contracts: so
        # are their pydantic models. Keyed by id, holding the record so the id stays its.
        self._published: dict[int, tuple[Any, Any]] = {}

    def _publish(self, located: Iterable[Located]) -> list[RuleResult]:
        """The API's pydantic models of the runner's results."""
        from .api_models import public

        cache = self._published
        out = []
        for loc in located:
            r = loc.result
            if r.is_finding:
                out.append(public(r))
                continue
            hit = cache.get(id(r))
            if hit is None:
                if len(cache) >= _PUBLISHED_MAX:
                    cache.clear()
                hit = cache[id(r)] = (r, public(r))
            out.append(hit[1])
        return out

    @property
    def in_force_at(self) -> list[Any]:
        """The expressions giving a contract's date for laws in force (`dates.in_force_at`)."""
        return list(self._in_force_at)

    @property
    def program(self) -> Any:
        """The pack's scope: its data type, parameters and lets (checker.lang.Program)."""
        return self._program

    def __repr__(self) -> str:
        return f"<Pack {self.id} {self.version}: {len(self.rules)} rules>"

    @property
    def rule_keys(self) -> frozenset[tuple[str, str]]:
        """(pack, rule id) of every rule the pack runs (rules keep the pack defining them)."""
        keys: frozenset[tuple[str, str]] = self._runner.keys
        return keys

    def adjust(self, severity: Mapping[str, Severity], disabled: Iterable[str]) -> None:
        """Apply per-rule configuration: severity changes and disabled rules.

        Keys are `pack/rule` or a bare rule id. Disabled rules are not run at all.
        """
        off = set(disabled)
        if not severity and not off:
            return
        self._adjustments = (dict(severity), sorted(off))
        kept = []
        for rule in self.rules:
            keys = (f"{rule.pack}/{rule.id}", rule.id)
            if any(k in off for k in keys):
                continue
            for k in keys:
                if k in severity:
                    rule.severity = severity[k]
                    rule.severity_if = []  # the configuration's word is final
                    break
            kept.append(rule)
        self.rules = kept
        self._runner = RuleRunner(
            self._program, kept, self.params, self._in_force_at, self._labels_zh
        )
        self._rule_ids = [r.id for r in kept]

    def __getstate__(self) -> dict[str, Any]:
        # A built-in pack travels by name: a worker of a Dask cluster has the package
        # installed in a folder of its own.
        here = self.path.resolve()
        builtin = next((n for n, p in builtin_packs().items() if p.resolve() == here), None)
        return {
            "path": str(self.path),
            "builtin": builtin,
            "params": self._param_overrides,
            "adjust": self._adjustments,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        name = state.get("builtin")
        path = builtin_packs()[name] if name else Path(state["path"])
        self.__init__(path, state["params"])  # type: ignore[misc]
        if state.get("adjust"):
            severity, off = state["adjust"]
            self.adjust(severity, off)

    def typed(self, data: Mapping[str, Any]) -> tuple[dict[str, Any], list[Any]]:
        """The data as the rules see it (the pack's schema applied) and the schema problems."""
        plain = plain_data(data)
        if self.schema is None:
            return plain, []
        return self.schema.apply(plain)

    def run(
        self,
        data: Mapping[str, Any],
        today: _dt.date | None = None,
        skip: Callable[[CompiledRule], str | None] | None = None,
        detail: int | None = None,
        exclude: Collection[tuple[str, str]] = (),
    ) -> list[Located]:
        """Results with the data path each finding points at; `data` must already be typed.

        `skip` gives the reason a rule is not run on this data, or None (see RuleRunner.run).
        `detail` bounds the elements of one `each` rule that get a full result (message,
        values, place); later ones share one bare result per outcome (for capped reports).
        Rules whose (pack, rule id) is in `exclude` are not run and have no result (another
        pack holding them through `extends` already ran them).
        """
        runner = self._runner.without(exclude) if exclude else self._runner
        return runner.run(data, today, skip, detail)

    def verdicts(self, data: Mapping[str, Any], today: _dt.date | None = None) -> dict[str, Any]:
        """Rule id → True (pass), False (fail), None (skipped), or the Missing / EvalError
        that decided it: the fastest way to check many contracts when only verdicts matter.

        `data` is used as it is: typed values only if the caller applied the schema
        (`Pack.typed`); Python floats are read through their shortest repr.
        """
        return dict(zip(self._rule_ids, self._runner.verdicts(data, today), strict=True))

    def verdict_list(self, data: Mapping[str, Any], today: _dt.date | None = None) -> Sequence[Any]:
        """`verdicts` as a sequence in the order of `rules` (no dictionary is built)."""
        return self._runner.verdicts(data, today)

    def evaluate(self, data: Mapping[str, Any], today: _dt.date | None = None) -> list[RuleResult]:
        """One result per rule (and per element of an `each` rule), in pack order.

        `data` is an already-loaded mapping; the pack's contract schema is applied to it
        exactly as `check` applies it to a file. Python floats are read through their
        shortest repr (0.05 is 0.05).
        """
        typed, _ = self.typed(data)
        return self._publish(self._runner.run(typed, today))


class PackSet:
    """Packs evaluated together on each contract: the contract is typed (its schema
    validated, its x-type values read) once per contract schema the packs share, not once
    per pack, and a rule that several packs hold (through `extends`) runs once.
    """

    def __init__(self, packs: Iterable[Pack]) -> None:
        self.packs = list(packs)

    def __repr__(self) -> str:
        return f"<PackSet {', '.join(p.id for p in self.packs)}>"

    def typed(self, data: Mapping[str, Any]) -> dict[ContractSchema | None, dict[str, Any]]:
        """The data as each pack's rules see it, by contract schema (None: no schema)."""
        plain = plain_data(data)
        out: dict[ContractSchema | None, dict[str, Any]] = {}
        for pack in self.packs:
            if pack.schema not in out:
                out[pack.schema] = plain if pack.schema is None else pack.schema.apply(plain)[0]
        return out

    def evaluate(self, data: Mapping[str, Any], today: _dt.date | None = None) -> list[RuleResult]:
        """`Pack.evaluate` of every pack in order, the contract typed once per schema; a
        rule already evaluated by an earlier pack is not repeated."""
        typed = self.typed(data)
        out: list[RuleResult] = []
        seen: set[tuple[str, str]] = set()
        for pack in self.packs:
            if pack.rule_keys - seen:
                out.extend(pack._publish(pack.run(typed[pack.schema], today, exclude=seen)))
            seen |= pack.rule_keys
        return out


def load_pack(
    ref: str | Path, params: Mapping[str, Any] | None = None, base: Path | None = None
) -> Pack:
    """A built-in pack by name, or a pack file (or folder with pack.yaml); raises PackError."""
    return Pack(resolve_pack(str(ref), base or Path.cwd()), params)


def plain_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """API data with exact numbers (floats through their shortest repr), string keys and
    lists for tuples; a dictionary or list that needs no change is used as it is (typing
    copies the data anyway). Raises ValueError for data nested deeper than a contract file
    may be (MAX_DEPTH levels), a cycle included: every later stage relies on that bound."""

    def walk(v: Any, depth: int) -> Any:
        t = type(v)
        if t is str or t is int or t is bool or v is None:
            return v
        if depth > MAX_DEPTH and isinstance(v, Mapping | list | tuple):
            raise ValueError(f"contract data: {too_deep_message(MAX_DEPTH)}")
        if t is dict:
            # Scalars are taken in the loop, and a new dictionary is made only from the
            # first item that changes (most data needs none): a call per value was a
            # tenth of `PackSet.evaluate`.
            new: dict[str, Any] | None = None
            for i, (k, x) in enumerate(v.items()):
                tx = type(x)
                y = x if tx is str or tx is int or tx is bool or x is None else walk(x, depth + 1)
                if new is None:
                    if y is x and type(k) is str:
                        continue
                    new = dict(itertools.islice(v.items(), i))
                new[k if type(k) is str else str(k)] = y
            return v if new is None else new
        if t is list:
            items: list[Any] | None = None
            for i, x in enumerate(v):
                tx = type(x)
                y = x if tx is str or tx is int or tx is bool or x is None else walk(x, depth + 1)
                if items is None:
                    if y is x:
                        continue
                    items = v[:i]
                items.append(y)
            return v if items is None else items
        if isinstance(v, float):
            return from_float(v)
        if isinstance(v, Mapping):
            return {str(k): walk(x, depth + 1) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [walk(x, depth + 1) for x in v]
        return v

    out = walk(data, 1)
    assert isinstance(out, dict)
    return out


def load_packs(
    refs: Iterable[str], params: Mapping[str, Any] | None = None, base: Path | None = None
) -> list[Pack]:
    """Several packs; every problem of every pack is collected into one PackError."""
    packs: list[Pack] = []
    problems = []
    for ref in refs:
        try:
            packs.append(load_pack(ref, params, base))
        except PackError as exc:
            problems.extend(exc.problems)
    if problems:
        raise PackError(problems)
    return packs


def rule_count(packs: Sequence[Pack]) -> int:
    return len({(r.pack, r.id) for p in packs for r in p.rules})
