"""The `contract-checker` command line: parses arguments and hands each command to its stage."""

from __future__ import annotations

import datetime as _dt
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from . import __version__
from .lang import ExprError, Missing, Program
from .lang.values import EvalError, dumps
from .loader import load_file
from .schema import ContractSchema, SchemaError

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


def _fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    click.echo(f"contract-checker: {message}", err=True)
    sys.exit(code)


def _parse_today(value: str | None) -> _dt.date | None:
    if value is None:
        return None
    try:
        return _dt.date.fromisoformat(value)
    except ValueError:
        _fail(f"--today must be a date like 2025-01-31, not {value!r}")


class _Group(click.Group):
    """Usage errors exit 2 with one clear line, as every other configuration problem does."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("standalone_mode", True)
        return super().main(*args, **kwargs)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="contract-checker")
def main() -> None:
    """Check contract drafts (YAML/JSON) against rule packs."""


@main.command("eval")
@click.argument("expression")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--today", help="The date today() returns (YYYY-MM-DD); default: the real date.")
@click.option(
    "--schema", "schema_ref", help="Contract schema: a built-in name or a JSON Schema file."
)
def eval_command(
    expression: str, file: Path | None, today: str | None, schema_ref: str | None
) -> None:
    """Evaluate EXPRESSION against the contract FILE and print the value as JSON.

    Exit status: 0 with a value; 1 when the value is missing or evaluation failed at run
    time; 2 for a syntax or type error in the expression (or an unusable FILE or schema).
    """
    today_date = _parse_today(today)
    schema: ContractSchema | None = None
    if schema_ref:
        try:
            schema = ContractSchema.load(schema_ref, Path.cwd())
        except SchemaError as exc:
            _fail(str(exc))
    program = Program(data_type=schema.static_type) if schema else Program()
    try:
        compiled = program.compile(expression)
    except ExprError as exc:
        click.echo(exc.render("<expr>"), err=True)
        sys.exit(EXIT_USAGE)
    data: dict[str, Any] = {}
    if file is not None:
        loaded = load_file(file)
        if loaded.data is None:
            problem = loaded.problems[0] if loaded.problems else None
            where = (
                f"{file}:{problem.line}:{problem.column}" if problem and problem.line else str(file)
            )
            _fail(f"{where}: {problem.message if problem else 'cannot read the file'}")
        for p in loaded.problems:
            where = f"{file}:{p.line}:{p.column}" if p.line else str(file)
            click.echo(f"{where}: warning: {p.message}", err=True)
        data = loaded.data
        if schema is not None:
            data, problems = schema.apply(data)
            for sp in problems:
                pos = (
                    loaded.positions.get(sp.path)
                    if not sp.key
                    else loaded.key_positions.get(sp.path)
                )
                where = f"{file}:{pos.line}:{pos.column}" if pos else str(file)
                click.echo(f"{where}: warning: {sp.message}", err=True)
    try:
        value = compiled.run(program.env(data, today=today_date))
    except EvalError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_FINDINGS)
    if isinstance(value, Missing):
        click.echo(f"missing: {value.describe()}", err=True)
        sys.exit(EXIT_FINDINGS)
    click.echo(dumps(value))
