"""`contract-checker extract`: a document's model, or contract data filled from it by a schema."""

from __future__ import annotations

import json
from pathlib import Path

import click
import yaml

from .cli_common import fail
from .inputs.contracts import is_document
from .inputs.document import DOCUMENT_SUFFIXES, read_document
from .inputs.schema import SchemaError, resolve_schema_path
from .report import exact_json


@click.command("extract")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--schema",
    "schema_ref",
    metavar="NAME|PATH",
    help="Fill this schema's fields (a built-in name or a JSON Schema file) from the "
    "document, as its x-labels say; default: print the document model.",
)
def extract_command(file: Path, schema_ref: str | None) -> None:
    """Print what a draft (.md, .markdown, .txt, .docx) says, as YAML: its document model,
    or with --schema the schema's fields filled from it, each with a `# line N` (or
    `# ¶N`) comment saying where it was found and `null  # not found` for the rest: a
    starting point to complete and commit.

    Exit status: 0 with the YAML; 2 when the file cannot be read or the schema used.
    """
    if not is_document(file.name):
        fail(f"{file}: extract reads documents ({', '.join(DOCUMENT_SUFFIXES)})")
    doc = read_document(file)
    if doc.document is None:
        p = doc.problems[0]
        where = f"{file}:{p.line}:{p.column}" if p.line else str(file)
        fail(f"{where}: cannot read the document: {p.message}")
    if schema_ref is None:
        click.echo(
            yaml.safe_dump(
                # exact numbers (Decimal) as JSON writes them
                json.loads(json.dumps({"document": doc.document}, default=exact_json)),
                allow_unicode=True,
                sort_keys=False,
                width=100,
            ),
            nl=False,
        )
        return
    try:
        path = resolve_schema_path(schema_ref, Path.cwd())
        schema = json.loads(path.read_text(encoding="utf-8"))
    except (SchemaError, OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        fail(f"cannot use schema {schema_ref}: {exc}")
    if not isinstance(schema, dict):
        fail(f"cannot use schema {schema_ref}: it is not a JSON object")
    head = (
        f"# Extracted from {file} with the schema {schema_ref}: check each value against "
        "the document, complete the rest.\n"
    )
    from .inputs.document.extract import extract, to_yaml  # the analysis: for `extract` only

    click.echo(head + to_yaml(extract(doc, schema), paragraphs=doc.format == "docx"), nl=False)
