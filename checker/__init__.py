"""contract-checker: check structured contract drafts against rule packs."""

from __future__ import annotations

__version__ = "0.1.0"

from .api import Pack, PackError, PackSet, load_pack
from .models import Finding, Ref, Report, RuleResult, Summary
from .runner import check_paths

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
