"""The table of built-in functions: one entry per function holds its type rule and its implementation.

The registry itself (entry type, `_register`, type-rule helpers) lives in `registry`; the
implementations live in `functions_lists` (aggregates over lists and maps), `functions_text`
(presence, strings, Chinese drafting) and `functions_quantities` (dates, durations, money,
numbers). Importing this module imports all of them, so FUNCTIONS is complete.
"""

from __future__ import annotations

# Imported for their side effect: each module registers its functions in FUNCTIONS.
from . import functions_lists, functions_quantities, functions_text  # noqa: F401
from .registry import (
    _NUMLIKE,
    _ORDERED,
    FUNCTIONS,
    Checker,
    EvalContext,
    Function,
    TypeRule,
    _aggregate,
    _expect,
    _fixed,
    _list_elem,
    _register,
)

__all__ = [
    "FUNCTIONS",
    "_NUMLIKE",
    "_ORDERED",
    "Checker",
    "EvalContext",
    "Function",
    "TypeRule",
    "_aggregate",
    "_expect",
    "_fixed",
    "_list_elem",
    "_register",
    "lookup",
]


def lookup(name: str) -> Function | None:
    return FUNCTIONS.get(name)
