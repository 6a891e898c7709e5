"""contract-checker: check structured contract drafts against rule packs."""

from __future__ import annotations

__version__ = "0.1.0"
