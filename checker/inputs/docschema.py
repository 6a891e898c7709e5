"""The document model's schema under the reserved key `document` of every contract schema."""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Mapping
from typing import Any, Final

DOCUMENT_KEY: Final = "document"
_PREFIX: Final = "document."  # the model's $defs keep their names under this prefix


@functools.cache
def _document_defs() -> dict[str, Any]:
    """The built-in document schema's `$defs`, renamed under `document.` with their refs."""
    from .schema import builtin_schemas  # schema imports this module

    doc = json.loads(builtin_schemas()["document"].read_text(encoding="utf-8"))
    return {_PREFIX + k: _renamed(v) for k, v in doc["$defs"].items()}


def _renamed(node: Any) -> Any:
    if isinstance(node, dict):
        out = {k: _renamed(v) for k, v in node.items()}
        ref = out.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            out["$ref"] = "#/$defs/" + _PREFIX + ref.removeprefix("#/$defs/")
        return out
    if isinstance(node, list):
        return [_renamed(v) for v in node]
    return node


def with_document(schema: Mapping[str, Any]) -> dict[str, Any]:
    """`schema` with the document model under `properties.document` (its definitions under
    `$defs`, named `document.…`), and `document` never required: YAML and JSON contracts
    have none, and rules that read it are skipped there. A schema that declares `document`
    itself (the built-in document schema) keeps its own."""
    merged = dict(schema)
    props = schema.get("properties")
    props = dict(props) if isinstance(props, Mapping) else {}
    if DOCUMENT_KEY not in props:
        props[DOCUMENT_KEY] = {"$ref": f"#/$defs/{_PREFIX}document"}
        defs = schema.get("$defs")
        merged["$defs"] = {
            **(dict(defs) if isinstance(defs, Mapping) else {}),
            **copy.deepcopy(_document_defs()),
        }
    merged["properties"] = props
    required = schema.get("required")
    if isinstance(required, list) and DOCUMENT_KEY in required:
        merged["required"] = [r for r in required if r != DOCUMENT_KEY]
    return merged
