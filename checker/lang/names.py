"""Names close to a mistyped one: how far apart two names are, and which declared one is meant."""

from __future__ import annotations


def edit_distance(a: str, b: str) -> int:
    """Edits (insert, delete, replace, swap two neighbours) that turn `a` into `b`."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            cost = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, prev2[j - 2] + 1)
            row.append(cost)
        prev2, prev = prev, row
    return prev[-1]


def near_name(name: str, candidates: list[str]) -> str | None:
    """A declared name the given one is almost certainly a typo of: one edit away (two for
    names of 8 characters or more), ignoring case. Stricter than `suggest`, because it
    turns a name an open schema allows into an error."""
    limit = 2 if len(name) >= 8 else 1
    best: tuple[int, str] | None = None
    for c in candidates:
        if c == name:
            return None
        d = edit_distance(name.lower(), c.lower())
        if d <= limit and (best is None or d < best[0]):
            best = (d, c)
    return best[1] if best else None
