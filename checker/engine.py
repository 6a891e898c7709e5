"""Evaluate a compiled pack on one contract: outcomes, locations, messages and deciding values."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
import itertools
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from decimal import Decimal
from typing import Any, Final

from .fastclass import dataclass
from .inputs.loader import pointer
from .lang import EvalError, Expression, Missing, Program, unparse
from .lang.batch import CompiledBatch, when_holds
from .lang.compiler import SKIPPED
from .lang.interpreter import (
    Env,
    Interpreter,
    Origin,
    Trace,
    child_origin,
    parse_path,
)
from .lang.located import LocatedSource, compile_source
from .lang.nodes import Binary, Compare, Literal, Node, Quant, Unary
from .lang.values import display, format_number, shorten, to_json
from .models import Outcome, RuleResult, Severity
from .packs.pack import CompiledRule
from .zhtext import render_zh

DataPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Located:
    """A rule result and the data path its finding points at (None: the whole contract)."""

    result: RuleResult
    path: DataPath | None


def text_of(v: Any, lang: str = "en", labels: Mapping[str, str] | None = None) -> str:
    """A value as a message shows it: strings bare, quantities as written in the language;
    in Chinese, quantities in Chinese and enum values by their label (`labels`)."""
    if lang == "zh":
        return render_zh(v, labels or {})
    if isinstance(v, Missing):
        return "?"
    if isinstance(v, str):
        return shorten(v)
    if isinstance(v, bool) or v is None:
        return display(v)
    if isinstance(v, int | Decimal):
        return format_number(v)
    return display(v)


# A finding's `values` hold the values that decided it in full, up to these bounds (a 5 MB
# list copied into every finding of a rule would cost more than the contract itself).
VALUE_CHARS: Final = 10_000  # characters of a string
VALUE_ITEMS: Final = 1_000  # items of a list, entries of a map
SHARED_ELEMENTS: Final = 64  # elements of an `each` rule whose passes are made once per run


def bounded(v: Any) -> Any:
    """The value, with strings, lists and maps past the bounds cut and saying so: a string
    ends `… (N more characters)`, a list's last item is `… (N more items)`, a map's last
    key is `…` with `N more entries`."""
    if isinstance(v, str):
        return shorten(v, VALUE_CHARS)
    if isinstance(v, list | tuple):
        out = [bounded(x) for x in v[:VALUE_ITEMS]]
        if len(v) > VALUE_ITEMS:
            out.append(f"… ({len(v) - VALUE_ITEMS:,} more items)")
        return out
    if isinstance(v, Mapping):
        entries = {k: bounded(x) for k, x in itertools.islice(v.items(), VALUE_ITEMS)}
        if len(v) > VALUE_ITEMS:
            entries["…"] = f"{len(v) - VALUE_ITEMS:,} more entries"
        return entries
    return v


def _outcome(rule: CompiledRule, value: Any) -> Outcome:
    """The outcome `_judge` gives an assertion's value, without working out the finding."""
    if value is True:
        return "pass"
    if value is False:
        return "fail"
    if isinstance(value, Missing):
        return "skip" if rule.on_missing == "skip" else "missing"
    return "error"


class RuleRunner:
    """Runs the rules of one pack on contracts; holds the batch-compiled `when`/`assert` pairs."""

    def __init__(
        self,
        program: Program,
        rules: Sequence[CompiledRule],
        params: Mapping[str, Any],
        in_force_at: Sequence[Expression] = (),
        labels_zh: Mapping[str, str] | None = None,
    ) -> None:
        self.program = program
        self.rules = list(rules)
        self.params = params
        self.in_force_at = list(in_force_at)
        self.labels_zh = labels_zh if labels_zh is not None else {}
        # Whether the contract's date matters: some rule or ref applies only in a period.
        self.dated = any(
            r.in_force is not None or any(ref.in_force is not None for ref in r.refs)
            for r in self.rules
        )
        # One batch item per rule without `each`: its `assert` guarded by its `when`;
        # then the distinct `applies_to` conditions of the packs the rules came from.
        items: list[Expression | tuple[Expression | None, Expression]] = []
        self.slots: list[int | None] = []
        for rule in self.rules:
            if rule.each is not None:
                self.slots.append(None)
            else:
                self.slots.append(len(items))
                items.append((rule.when, rule.assertion))
        applies = {r.applies_to.text: r.applies_to for r in self.rules if r.applies_to is not None}
        self.n_rule_items = len(items)
        self.applies_texts = list(applies)
        items.extend(applies.values())
        self._items = items
        self.plain = (
            not applies
            and all(slot is not None for slot in self.slots)
            and all(r.in_force is None for r in self.rules)
        )
        self.unguarded = self.plain and all(r.when is None for r in self.rules)
        self.ctx = program.env({}).ctx  # today() of this run, shared by every contract
        self._by_id = {(r.pack, r.id): r for r in self.rules}
        self.keys = frozenset(self._by_id)  # (pack, rule id) of every rule
        self._slot_of = {id(r): slot for r, slot in zip(self.rules, self.slots, strict=True)}
        self._without: dict[frozenset[tuple[str, str]], RuleRunner] = {}
        self._sources: dict[int, LocatedSource] = {}  # `each` sources by id of their rule
        self._interpreted: set[int] = set()
        self._simple_results: dict[tuple[int, str, str | None, int | None], Located] = {}

    @functools.cached_property
    def batch(self) -> CompiledBatch:
        """The batch function, built at first use (a runner used only `without` some rules
        never builds it)."""
        return self.program.batch(self._items)

    def without(self, keys: Collection[tuple[str, str]]) -> RuleRunner:
        """This runner without the rules of `keys` ((pack, rule id)), built once per set of
        keys (another pack ran them; the file cannot decide them); `self` if none is here."""
        drop = frozenset(k for k in self._by_id if k in keys)
        if not drop:
            return self
        runner = self._without.get(drop)
        if runner is None:
            kept = [r for r in self.rules if (r.pack, r.id) not in drop]
            runner = RuleRunner(self.program, kept, self.params, self.in_force_at, self.labels_zh)
            self._without[drop] = runner
        return runner

    def _values(self, env: Env) -> tuple[Sequence[Any], dict[str, Any]]:
        values = self.batch.run(env)
        if not self.applies_texts:
            return values, {}
        applies = dict(zip(self.applies_texts, values[self.n_rule_items :], strict=True))
        return values, applies

    def law_date(self, env: Env) -> _dt.date:
        """The date that decides which version of a law applies to the contract: the first
        of the pack's `dates.in_force_at` that gives a date, else the run's today()."""
        for expr in self.in_force_at:
            try:
                value = expr.run(env)
            except EvalError:
                continue
            if isinstance(value, _dt.date):
                return value
        return env.ctx.today

    def run(
        self,
        data: Mapping[str, Any],
        today: _dt.date | None = None,
        skip: Callable[[CompiledRule], str | None] | None = None,
        detail: int | None = None,
    ) -> list[Located]:
        """Every rule's results on typed data; `skip` gives the reason a rule is not run on
        this data (a rule reading `document` on a YAML contract), or None to run it; with
        `detail`, only that many findings of an `each` rule are worked out in full (see
        `_run_each`)."""
        reasons = [skip(r) for r in self.rules] if skip is not None else [None] * len(self.rules)
        skipped = {(r.pack, r.id) for r, why in zip(self.rules, reasons, strict=True) if why}
        runner = self.without(skipped) if skipped else self  # undecidable: not evaluated
        env = self.program.env(data, params=self.params, today=today)
        values, applies = runner._values(env)
        day = self.law_date(env) if self.dated else None
        out: list[Located] = []
        for i, rule in enumerate(self.rules):
            reason = reasons[i]
            slot = None if reason is not None else runner._slot_of[id(rule)]
            if reason is not None:
                out.append(self._simple(rule, "skip", reason=reason))
            elif (rule.applies_to is not None and applies[rule.applies_to.text] is not True) or (
                day is not None and rule.in_force is not None and not rule.in_force.covers(day)
            ):
                out.append(self._simple(rule, "skip"))
            elif slot is None:
                out.extend(self._run_each(rule, env, detail))
            else:
                value = values[slot]
                if value is SKIPPED:
                    out.append(self._simple(rule, "skip"))
                else:
                    out.append(self._judge(rule, env, value, None))
        # Elements past `detail` share one result per outcome (`_run_each`): cite each shared
        # result once, so they stay shared (a reference per element, not a copy).
        cited: dict[int, Located] = {}
        for loc in out:
            if id(loc) not in cited:
                cited[id(loc)] = self._cite(loc, day)
        return [cited[id(loc)] for loc in out]

    def _cite(self, loc: Located, day: _dt.date | None) -> Located:
        """A finding cites the refs of its rule that are in force at the contract's date."""
        r = loc.result
        if not r.is_finding:
            return loc
        rule = self._by_id[(r.pack, r.rule)]
        refs = [ref for ref in rule.refs if ref.in_force_on(day)]
        return Located(r.model_copy(update={"refs": refs}), loc.path)

    def verdicts(self, data: Mapping[str, Any], today: _dt.date | None = None) -> Sequence[Any]:
        """Each rule's bare verdict, in order: True (pass), False (fail), None (skip), a
        Missing, or an EvalError — without messages, locations or result objects.

        The fast path for embedding: one generated function call per contract. Rules
        with `each` are evaluated element by element (all must hold).
        """
        if self.unguarded and not self.program.lets and today is None:
            # The common embedding case: no lets, no guards: call the generated function
            # directly; an environment is built only if some rule needs the interpreter.
            results, undecided = self.batch.fast(data, self.params, _no_let, self.ctx)
            if not undecided:
                return results  # type: ignore[no-any-return]
        env = self.program.env(data, params=self.params, today=today)
        values, applies = self._values(env)
        if self.unguarded:
            return values
        if self.plain:
            return [None if v is SKIPPED else v for v in values]
        day = self.law_date(env) if self.dated else None
        out: list[Any] = []
        for rule, slot in zip(self.rules, self.slots, strict=True):
            if (rule.applies_to is not None and applies[rule.applies_to.text] is not True) or (
                day is not None and rule.in_force is not None and not rule.in_force.covers(day)
            ):
                out.append(None)
            elif slot is None:
                outcomes = {loc.result.outcome for loc in self._run_each(rule, env)}
                out.append(None if outcomes <= {"skip"} else outcomes <= {"pass", "skip"})
            else:
                value = values[slot]
                out.append(None if value is SKIPPED else value)
        return out

    def _simple(
        self,
        rule: CompiledRule,
        outcome: Outcome,
        element: int | None = None,
        reason: str | None = None,
    ) -> Located:
        """A pass or a skip: immutable, so one per rule, outcome, reason and element (the
        first SHARED_ELEMENTS) serves every contract."""
        key = (id(rule), outcome, reason, element)
        found = self._simple_results.get(key)
        if found is None:
            found = Located(
                RuleResult(
                    pack=rule.pack,
                    rule=rule.id,
                    outcome=outcome,
                    severity=rule.severity,
                    title=rule.title,
                    element=element,
                    reason=reason,
                ),
                None,
            )
            if element is None or element < SHARED_ELEMENTS:
                self._simple_results[key] = found
        return found

    @staticmethod
    def _severity(rule: CompiledRule, env: Env) -> Severity:
        """The rule's severity here: the first `severity_if` condition that holds, else its own."""
        for level, cond in rule.severity_if:
            try:
                if cond.run(env) is True:
                    return level
            except EvalError:
                continue  # a condition that cannot be decided changes nothing
        return rule.severity

    def _judge(
        self, rule: CompiledRule, env: Env, value: Any, element: tuple[int, Origin] | None
    ) -> Located:
        if value is True:
            return self._simple(rule, "pass", element[0] if element else None)
        if value is False:
            return self._finish(rule, env, "fail", element)
        if isinstance(value, Missing):
            if rule.on_missing == "skip":
                return self._simple(rule, "skip", element[0] if element else None)
            return self._finish(rule, env, "missing", element, missing=value)
        if isinstance(value, EvalError):
            return self._finish(rule, env, "error", element, error=value)
        err = EvalError(f"`assert` must give true or false, gave {display(value)}")
        return self._finish(rule, env, "error", element, error=err)

    def _run_each(self, rule: CompiledRule, env: Env, detail: int | None = None) -> list[Located]:
        """One result per element. Past `detail` findings, and for passes when `detail` is
        given, elements share one bare result per outcome: a 450,000-item list then costs a
        reference per element, not a result with a message and values."""
        assert rule.each is not None and rule.each_var is not None
        if rule.when is not None:
            try:
                holds = when_holds(rule.when.run(env))
            except EvalError as exc:
                return [self._finish(rule, env, "error", None, error=exc)]
            if not holds:
                return [self._simple(rule, "skip")]
        try:
            xs, origin = self._each_items(rule, env)
        except EvalError as exc:
            return [self._finish(rule, env, "error", None, error=exc)]
        if isinstance(xs, Missing):
            if rule.on_missing == "skip":
                return [self._simple(rule, "skip")]
            return [self._finish(rule, env, "missing", None, missing=xs)]
        if not isinstance(xs, list):
            err = EvalError(f"`each` needs a list, found {display(xs)}")
            return [self._finish(rule, env, "error", None, error=err)]
        out: list[Located] = []
        detailed = 0
        shared: dict[Outcome, Located] = {}
        for i, x in enumerate(xs):
            element_origin = child_origin(origin, i)
            self.program.bind(env, rule.each_var, x, element_origin)
            try:
                value = rule.assertion.run(env)
            except EvalError as exc:
                value = exc
            if detail is not None and (value is True or detailed >= detail):
                outcome = _outcome(rule, value)
                if outcome not in shared:
                    shared[outcome] = self._simple(rule, outcome)
                out.append(shared[outcome])
                continue
            located = self._judge(rule, env, value, (i, element_origin))
            detailed += located.result.is_finding
            out.append(located)
        return out

    def _each_items(self, rule: CompiledRule, env: Env) -> tuple[Any, Origin]:
        """An `each` list and its items' places: interpreted once, then generated code."""
        assert rule.each is not None
        source = self._sources.get(id(rule))
        if source is None:
            if id(rule) not in self._interpreted:
                self._interpreted.add(id(rule))
                return Interpreter(env).eval_loc(rule.each.node)
            source = compile_source(rule.each.node, frozenset(self.program.lets))
            self._sources[id(rule)] = source
        return source.run(env)

    def _finish(
        self,
        rule: CompiledRule,
        env: Env,
        outcome: Outcome,
        element: tuple[int, Origin] | None,
        *,
        missing: Missing | None = None,
        error: EvalError | None = None,
    ) -> Located:
        """A finding: where it points, what it says, and the values that decided it."""
        trace: Trace = []
        values: dict[str, Any] = {}
        path: DataPath | None = None
        if outcome == "fail":
            try:
                rule.assertion.interpret(env, trace)
            except EvalError:
                trace = []
            decisive = _decisive(rule.assertion.node, trace)
            for node in decisive:
                for operand in _operands(node):
                    if not isinstance(operand, Literal):
                        values[unparse(operand)] = _traced(trace, operand)
            path = _first_path(decisive, trace)
        if rule.at is not None:
            try:
                v, origin = Interpreter(env).eval_loc(rule.at.node)
                if isinstance(origin, tuple):
                    path = origin
                elif isinstance(v, Missing) and v.paths:
                    path = parse_path(v.paths[0])
            except EvalError:
                pass
        elif element is not None and isinstance(element[1], tuple) and outcome != "missing":
            # Inside the element, point at the failing comparison when it names a path there.
            inside = path is not None and path[: len(element[1])] == element[1]
            path = path if inside else element[1]
        missing_paths: list[str] = list(missing.paths) if missing is not None else []
        if outcome == "missing" and rule.at is None and missing_paths:
            path = parse_path(missing_paths[0])
        if path is None and outcome != "missing":
            path = _first_data_path(trace)
        messages = self._messages(rule, env, outcome, values, missing, error)
        result = RuleResult(
            pack=rule.pack,
            rule=rule.id,
            outcome=outcome,
            severity=self._severity(rule, env),
            title=rule.title,
            element=element[0] if element else None,
            pointer=pointer(path) if path is not None else None,
            message=messages.get("en"),
            message_zh=messages.get("zh"),
            values={k: to_json(bounded(v)) for k, v in values.items()},
            missing=missing_paths,
        )
        return Located(result, path)

    def _messages(
        self,
        rule: CompiledRule,
        env: Env,
        outcome: Outcome,
        values: dict[str, Any],
        missing: Missing | None,
        error: EvalError | None,
    ) -> dict[str, str]:
        title_zh = rule.title_zh or rule.title
        if outcome == "missing" and missing is not None:
            return {
                "en": f"{rule.title}: missing data: {missing.describe()}",
                "zh": f"{title_zh}：缺少数据：{_missing_zh(missing)}",
            }
        if outcome == "error":
            return {
                "en": f"{rule.title}: cannot evaluate: {error}",
                "zh": f"{title_zh}：无法求值：`{error}`",
            }
        out: dict[str, str] = {}
        for lang, parts in rule.messages.items():
            out[lang] = "".join(
                p if isinstance(p, str) else self._interpolate(p, env, lang) for p in parts
            )
        if "en" not in out or "zh" not in out:
            shown = ", ".join(f"{k} was {display(v)}" for k, v in values.items())
            text = unparse(rule.assertion.node).replace("\n", " ")
            out.setdefault(
                "en", f"{rule.title}: `{text}` is false" + (f" — {shown}" if shown else "")
            )
            shown_zh = "，".join(
                f"`{k}` 为 {render_zh(v, self.labels_zh)}" for k, v in values.items()
            )
            out.setdefault(
                "zh", f"{title_zh}：`{text}` 不成立" + (f"——{shown_zh}" if shown_zh else "")
            )
        return out

    def _interpolate(self, expr: Expression, env: Env, lang: str) -> str:
        try:
            return text_of(expr.run(env), lang, self.labels_zh)
        except EvalError:
            return "?"


_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def _missing_zh(missing: Missing) -> str:
    """What was missing, for a Chinese message: the data paths as code (they are the
    contract's field names); reasons written in English (parse failures) are summed up."""
    paths = [f"`{p}`" for p in dict.fromkeys(missing.paths)]
    reasons = list(dict.fromkeys(missing.reasons))
    chinese = [r for r in reasons if not _LATIN_WORD.search(r)]
    if len(chinese) < len(reasons):
        chinese.append("有值无法读取或计算")
    parts = paths + chinese
    return "、".join(parts) if parts else "某项数据"


def _no_let(name: str) -> Any:
    raise KeyError(name)  # never called: used only for packs without lets


def _traced(trace: Trace, node: Node) -> Any:
    for n, v, _ in reversed(trace):
        if n is node:
            return v
    return None


def _operands(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Compare):
        return node.operands
    return (node,)


def _decisive(node: Node, trace: Trace) -> list[Node]:
    """The comparisons (or other leaves) whose values made a false assertion false."""
    if isinstance(node, Compare):
        return [node]
    if isinstance(node, Binary) and node.op in ("and", "or", "implies"):
        left, right = _traced(trace, node.left), _traced(trace, node.right)
        if node.op == "and":
            return _decisive(node.left, trace) if left is False else _decisive(node.right, trace)
        if node.op == "or":
            return _decisive(node.left, trace) + _decisive(node.right, trace)
        return _decisive(node.right, trace) if right is False else [node]
    if isinstance(node, Unary) and node.op == "not":
        return [node.operand]
    if isinstance(node, Quant):
        # The body's last evaluation is the element that decided (`all` stops at the first
        # false one); `_traced` reads the values of that evaluation.
        return _decisive(node.body, trace)
    return [node]


def _first_path(nodes: list[Node], trace: Trace) -> DataPath | None:
    """The data path the deciding comparison read first, in its deciding evaluation.

    Inside a quantifier a comparison runs once per element: its last run decided (`all`
    stops at the first false body), so the operands' entries just before it count. When
    an operand has no path of its own (a function call), the paths read inside it do.
    """
    for node in nodes:
        last = max((i for i, (n, _, _) in enumerate(trace) if n is node), default=None)
        if last is None:
            continue
        start = last
        inside = {id(x) for x in _subtree(node)}
        # Back over this evaluation's own steps, stopping at the node's previous run.
        while start > 0 and id(trace[start - 1][0]) in inside and trace[start - 1][0] is not node:
            start -= 1
        window = trace[start:last]
        operand_ids = {id(o) for o in _operands(node)}
        for n, _, origin in window:
            if id(n) in operand_ids and isinstance(origin, tuple) and origin:
                return origin
        for _, _, origin in window:
            if isinstance(origin, tuple) and origin:
                return origin
    return None


def _subtree(node: Node) -> list[Node]:
    out = [node]
    for f in dataclasses.fields(node):
        out.extend(_children(getattr(node, f.name)))
    return out


def _children(value: Any) -> list[Node]:
    if isinstance(value, Node):
        return _subtree(value)
    if isinstance(value, tuple):
        return [n for v in value for n in _children(v)]
    return []


def _first_data_path(trace: Trace) -> DataPath | None:
    for _, _, origin in trace:
        if isinstance(origin, tuple) and origin:
            return origin
    return None
