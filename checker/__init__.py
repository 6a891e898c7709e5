"""contract-checker: check structured contract drafts against rule packs."""

from __future__ import annotations

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

from .api import Pack, PackError, PackSet, load_pack
from .runner import check_paths

if TYPE_CHECKING:
    from .api_models import Finding, Ref, Report, RuleResult, Summary

__all__ = [
    "Finding",
    "Pack",
    "PackError",
    "PackSet",
    "Ref",
    "Report",
    "RuleResult",
    "Summary",
    "__version__",
    "check_paths",
    "load_pack",
]

_MODELS = frozenset({"Finding", "Ref", "Report", "RuleResult", "Summary"})


def __getattr__(name: str) -> Any:
    # The API's pydantic models load on first use: a `check` run never needs pydantic.
    if name in _MODELS:
        from . import api_models

        return getattr(api_models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
