"""`--select` / `--ignore`: which rules of the loaded packs run, named as ruff users expect."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from .api import Pack
from .lang.typecheck import suggest
from .models import Severity

RuleKey = tuple[str, str]  # (pack, rule id)


class SelectionError(Exception):
    """A `--select`/`--ignore` item that names no rule, or several: a usage error."""


def resolve(option: str, items: Iterable[str], packs: Sequence[Pack]) -> set[RuleKey]:
    """The rules that `items` name; each item may be comma-separated, and is a full id
    (`drafting/payment-percentages-sum-to-100`), a pack (`drafting/` or `drafting`) or a
    bare rule id when only one pack has it. Raises SelectionError naming the bad item."""
    rules = sorted({(r.pack, r.id) for p in packs for r in p.rules})
    pack_ids = {pack for pack, _ in rules}
    out: set[RuleKey] = set()
    for raw in items:
        for item in (part.strip() for part in raw.split(",")):
            if item:
                out |= _match(option, item, rules, pack_ids)
    return out


def _match(option: str, item: str, rules: list[RuleKey], pack_ids: set[str]) -> set[RuleKey]:
    pack, slash, rule = item.partition("/")
    if (slash and not rule) or (not slash and item in pack_ids):
        found = {k for k in rules if k[0] == pack}
    elif slash:
        found = {(pack, rule)} & set(rules)
    else:
        found = {k for k in rules if k[1] == item}
        if len(found) > 1:
            raise SelectionError(
                f"{option} {item}: several packs have this rule; name one of "
                + ", ".join(f"{p}/{r}" for p, r in sorted(found))
            )
    if not found:
        names = [f"{p}/{r}" for p, r in rules] + sorted(pack_ids) + sorted({r for _, r in rules})
        near = suggest(item, names)
        raise SelectionError(
            f"{option} {item}: no such rule or pack among the packs in use"
            + (f"; did you mean `{near}`?" if near else "; see `contract-checker rules`")
        )
    return found


def apply_selection(
    packs: Sequence[Pack],
    select: Sequence[str],
    ignore: Sequence[str],
    severity: Mapping[str, Severity] | None = None,
    disabled: Iterable[str] = (),
) -> None:
    """Turn off every rule not selected (all are, without `--select`) or ignored, on top of
    the configuration's rule settings (`severity`, `disabled`), which are kept so that a
    pack rebuilt in a worker process gets both. Raises SelectionError."""
    if not select and not ignore:
        return
    every = {(r.pack, r.id) for p in packs for r in p.rules}
    chosen = resolve("--select", select, packs) if select else every
    dropped = resolve("--ignore", ignore, packs)
    off = sorted({*disabled, *(f"{p}/{r}" for p, r in every - (chosen - dropped))})
    for pack in packs:
        pack.adjust(severity or {}, off)
