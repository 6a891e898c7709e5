"""The published JSON Schemas: of rule packs, of pack tests and of the JSON report (`schema ...`)."""

from __future__ import annotations

from typing import Any, Final, get_args

from ..models import Basis

_EXPR: Final = {
    "type": ["string", "boolean", "number"],
    "minLength": 1,
    "description": "an expression of the rule language (true, false, numbers may be bare YAML)",
}
_ID: Final = {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"}
_BASIS: Final = {
    "enum": list(get_args(Basis)),
    "description": "what kind of source this is: statute (法律), administrative-regulation "
    "(行政法规), judicial-interpretation (司法解释), departmental-rule (部门规章), "
    "normative-document (规范性文件), practice (drafting or court practice), secondary "
    "(commentary, cases); `unverified` as a kind is deprecated: use the `unverified` flag",
}
_DATE_TEXT: Final = {"type": "string", "format": "date", "description": "YYYY-MM-DD"}
_IN_FORCE: Final = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "description": "the period in which this applies (both days included); the contract's "
    "date (pack setting `dates.in_force_at`, else --today) decides",
    "properties": {"from": _DATE_TEXT, "until": _DATE_TEXT},
}

PACK_SCHEMA: Final[dict[str, Any]] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://contract-checker.dev/schemas/pack.json",
    "title": "contract-checker rule pack",
    "type": "object",
    "additionalProperties": False,
    "required": ["pack", "rules"],
    "properties": {
        "pack": {**_ID, "description": "the pack's id, kebab-case"},
        "version": {"type": "string", "description": "the pack's version (semantic versioning)"},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "schema": {
            "type": "string",
            "description": "contract schema: a built-in name (service-contract) or a path to a "
            "JSON Schema, relative to the pack file",
        },
        "extends": {
            "type": "array",
            "items": {"type": "string"},
            "description": "packs whose rules come along: built-in names or paths; a rule of "
            "this pack with the same id replaces the inherited one",
        },
        "applies_to": {
            **_EXPR,
            "description": "pack-level condition: the pack's rules are "
            "skipped on contracts where it is false or missing",
        },
        "params": {
            "type": "object",
            "description": "parameters: thresholds a user may change (read as params.NAME)",
            "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "required": ["type"],
                "properties": {
                    "type": {
                        "enum": [
                            "number",
                            "string",
                            "bool",
                            "date",
                            "duration",
                            "money",
                            "list",
                            "map",
                            "any",
                        ]
                    },
                    "default": {},
                    "description": {"type": "string"},
                },
            },
        },
        "dates": {
            "type": "object",
            "additionalProperties": False,
            "description": "which dates of a contract decide the law that applies to it",
            "properties": {
                "in_force_at": {
                    "type": "array",
                    "items": _EXPR,
                    "description": "expressions tried in order; the first that gives a date "
                    "is the contract's date for `in_force` (none: the run's --today)",
                }
            },
        },
        "let": {
            "type": "object",
            "description": "named expressions usable in every rule (and in later lets)",
            "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
            "additionalProperties": _EXPR,
        },
        "rules": {"type": "array", "items": {"$ref": "#/$defs/rule"}},
    },
    "$defs": {
        "rule": {
            "type": "object",
            "additionalProperties": False,
            "required": ["id", "assert"],
            "properties": {
                "id": {**_ID, "description": "stable rule id, kebab-case"},
                "title": {
                    "oneOf": [
                        {"type": "string"},
                        {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["en"],
                            "properties": {"en": {"type": "string"}, "zh": {"type": "string"}},
                        },
                    ]
                },
                "description": {"type": "string"},
                "severity": {"enum": ["error", "warning", "info"], "default": "error"},
                "severity_if": {
                    "type": "object",
                    "description": "another severity under a condition: `info: "
                    "document.is_template` (the first true condition wins; a severity the "
                    "configuration sets wins over all)",
                    "additionalProperties": False,
                    "properties": {k: _EXPR for k in ("error", "warning", "info")},
                    "minProperties": 1,
                },
                "when": {
                    **_EXPR,
                    "description": "the rule is skipped when this is false or missing",
                },
                "each": {
                    "type": "string",
                    "description": "`NAME in EXPR`: one result per element, the element bound to NAME",
                },
                "assert": {**_EXPR, "description": "must be true for the rule to pass"},
                "at": {**_EXPR, "description": "the path a finding points at"},
                "message": {
                    "description": "what a finding says; {expr} is evaluated in the rule's scope",
                    "oneOf": [
                        {"type": "string"},
                        {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": {"en": {"type": "string"}, "zh": {"type": "string"}},
                            "minProperties": 1,
                        },
                    ],
                },
                "refs": {
                    "type": "array",
                    "items": {
                        "oneOf": [
                            {"type": "string"},
                            {
                                "type": "object",
                                "additionalProperties": False,
                                "properties": {
                                    "law": {"type": "string"},
                                    "article": {"type": ["string", "number"]},
                                    "url": {"type": "string"},
                                    "basis": _BASIS,
                                    "unverified": {"type": "boolean"},
                                    "in_force": _IN_FORCE,
                                    "note": {"type": "string"},
                                },
                            },
                        ]
                    },
                },
                "in_force": {
                    **_IN_FORCE,
                    "description": "the rule runs only on contracts dated in this period "
                    "(skipped otherwise), for a rule that exists only under one version of a law",
                },
                "tags": {"type": "array", "items": {"type": "string"}},
                "on_missing": {"enum": ["fail", "skip"], "default": "fail"},
            },
        }
    },
}


_EXPECTED_RULES: Final = {
    "type": "array",
    "minItems": 1,
    "items": {
        "oneOf": [
            {"type": "string", "minLength": 1},
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["rule"],
                "properties": {
                    "rule": {"type": "string", "minLength": 1},
                    "line": {
                        "type": "integer",
                        "minimum": 1,
                        "description": "the line of the contract the finding must point at",
                    },
                },
            },
        ]
    },
}

PACK_TEST_SCHEMA: Final[dict[str, Any]] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://contract-checker.dev/schemas/pack-test.json",
    "title": "contract-checker pack test (a file in a pack's tests/ folder)",
    "type": "object",
    "additionalProperties": False,
    "required": ["expect"],
    "oneOf": [{"required": ["file"]}, {"required": ["contract"]}],
    "properties": {
        "description": {"type": "string", "description": "what the case shows"},
        "file": {
            "type": "string",
            "minLength": 1,
            "description": "the contract file, relative to this test file: YAML/JSON data, "
            "or a .md/.markdown/.txt/.docx document read as the checker reads it; it must "
            "stay inside the pack's folder so the pack's tests travel with it",
        },
        "contract": {"type": "object", "description": "the contract, written inline"},
        "today": {
            "type": "string",
            "format": "date",
            "description": "the date today() returns (YYYY-MM-DD)",
        },
        "params": {
            "type": "object",
            "description": "values of the pack's parameters for this case",
        },
        "expect": {
            "type": "object",
            "additionalProperties": False,
            "minProperties": 1,
            "description": "rules and the outcome each must have; a rule with `each` fails "
            "(is missing, errs) when any element does, passes when every element passes",
            "properties": {
                "fail": {**_EXPECTED_RULES, "description": "rules that must fail"},
                "pass": {**_EXPECTED_RULES, "description": "rules that must pass"},
                "skip": {**_EXPECTED_RULES, "description": "rules that must be skipped"},
                "missing": {
                    **_EXPECTED_RULES,
                    "description": "rules that must find their data missing",
                },
                "error": {**_EXPECTED_RULES, "description": "rules that must err at run time"},
                "others": {
                    "enum": ["pass", "skip"],
                    "description": "what every rule not listed must do: `pass` (pass or be "
                    "skipped) or `skip`",
                },
            },
        },
    },
}


_REF_SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "law": {"type": "string"},
        "article": {"type": "string"},
        "url": {"type": "string"},
        "basis": _BASIS,
        "unverified": {"type": "boolean"},
        "in_force": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "from": {"type": "string", "format": "date"},
                "until": {"type": "string", "format": "date"},
            },
        },
        "note": {"type": "string"},
        "text": {"type": "string"},
    },
}

FINDINGS_SCHEMA: Final[dict[str, Any]] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://contract-checker.dev/schemas/findings.json",
    "title": "contract-checker JSON report (version 1)",
    "type": "object",
    "additionalProperties": False,
    "required": ["version", "tool", "findings", "summary"],
    "properties": {
        "version": {"const": 1},
        "tool": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "version"],
            "properties": {"name": {"const": "contract-checker"}, "version": {"type": "string"}},
        },
        "findings": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": [
                    "file",
                    "line",
                    "column",
                    "pointer",
                    "pack",
                    "rule",
                    "severity",
                    "outcome",
                    "message",
                    "refs",
                    "values",
                ],
                "properties": {
                    "file": {"type": "string"},
                    "record": {
                        "type": "string",
                        "description": "the id of the record (a contract in a JSON Lines or "
                        "Parquet file of records, `file`); its findings have no line or column",
                    },
                    "line": {
                        "type": ["integer", "null"],
                        "minimum": 1,
                        "description": "1-based line where the value at `pointer` starts",
                    },
                    "column": {"type": ["integer", "null"], "minimum": 1},
                    "pointer": {"type": "string", "description": "RFC 6901 JSON pointer"},
                    "pack": {"type": "string"},
                    "rule": {"type": "string"},
                    "severity": {"enum": ["error", "warning", "info"]},
                    "outcome": {"enum": ["fail", "missing", "error"]},
                    "message": {"type": "string"},
                    "refs": {"type": "array", "items": _REF_SCHEMA},
                    "suppression": {
                        "type": "object",
                        "description": "present when a waiver (`waiver`: in the "
                        "configuration; `inline`: a comment in the contract) covers the "
                        "finding: it is reported and counted, and does not fail the run",
                        "additionalProperties": False,
                        "required": ["kind", "reason"],
                        "properties": {
                            "kind": {"enum": ["waiver", "inline"]},
                            "reason": {"type": "string"},
                            "approver": {"type": "string"},
                            "expires": {"type": "string", "format": "date"},
                        },
                    },
                    "values": {
                        "type": "object",
                        "description": "the values that decided the outcome, by expression",
                    },
                    "title": {"type": "string", "description": "the rule's title"},
                    "end_column": {
                        "type": "integer",
                        "minimum": 1,
                        "description": "the column just after the span the finding points "
                        "at, on `line` (present when known)",
                    },
                    "location_kind": {
                        "enum": ["line", "docx-paragraph"],
                        "description": "what `line` and `column` count: absent or `line` for "
                        "a line and column of the file; `docx-paragraph` for a .docx "
                        "document, where `line` is the paragraph number and `column` the "
                        "character offset in it plus one",
                    },
                },
            },
        },
        "summary": {
            "type": "object",
            "additionalProperties": False,
            "required": ["files", "rules", "findings", "by_severity", "by_outcome"],
            "properties": {
                "files": {"type": "integer", "minimum": 0},
                "waived": {"type": "integer", "minimum": 0},
                "skipped": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "files left out because they are not contracts",
                },
                "baselined": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "findings left out because the baseline has them",
                },
                "records": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "records of record files (JSON Lines, Parquet) checked; "
                    "present when the run read record files",
                },
                "unchecked": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "records not checked (their partition failed on every "
                    "try); each has an `unchecked-record` finding",
                },
                "rules": {"type": "integer", "minimum": 0},
                "findings": {"type": "integer", "minimum": 0},
                "by_severity": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["error", "warning", "info"],
                    "properties": {
                        k: {"type": "integer", "minimum": 0} for k in ("error", "warning", "info")
                    },
                },
                "by_outcome": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["fail", "missing", "error"],
                    "properties": {
                        k: {"type": "integer", "minimum": 0} for k in ("fail", "missing", "error")
                    },
                },
            },
        },
        "files": {
            "type": "array",
            "items": {"type": "string"},
            "description": "the files checked, in order (those without findings too)",
        },
        "sources": {
            "type": "object",
            "description": "what reports quote of each file with findings (so a saved report "
            "can be rendered again without the files): its format and lines by number",
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "required": ["format", "lines"],
                "properties": {
                    "format": {"enum": ["yaml", "json", "md", "txt", "docx"]},
                    "whole": {
                        "type": "boolean",
                        "description": "every line of a document, not only excerpts",
                    },
                    "lines": {
                        "type": "object",
                        "propertyNames": {"pattern": "^[1-9][0-9]*$"},
                        "additionalProperties": {"type": "string"},
                    },
                },
            },
        },
    },
}
