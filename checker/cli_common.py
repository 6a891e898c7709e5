"""What the commands share: exit codes, one-line usage errors, configuration and packs."""

from __future__ import annotations

import datetime as _dt
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from .api import PackError
from .atomic import atomic_write_bytes, atomic_write_text
from .config import Config, ConfigError, find_config, load_config
from .packs.pack import PackProblem
from .session import Plan, make_plan

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Say what is wrong in one line on stderr and exit (by default with the usage code)."""
    click.echo(f"contract-checker: {message}", err=True)
    sys.exit(code)


def parse_today(value: str | None) -> _dt.date | None:
    if value is None:
        return None
    try:
        return _dt.date.fromisoformat(value)
    except ValueError:
        fail(f"--today must be a date like 2025-01-31, not {value!r}")


def config_options(command: F) -> F:
    """`--config FILE` and `--no-config`, the same on every command that reads it."""
    command = click.option(
        "--no-config",
        is_flag=True,
        help="Ignore configuration files: built-in defaults and the command line only.",
    )(command)
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Configuration file (default: contract-checker.yaml or [tool.contract-checker] "
        "in pyproject.toml, found walking up from here).",
    )(command)


def load_cli_config(path: Path | None, no_config: bool = False) -> Config:
    """The configuration in force: `--config`'s, none with `--no-config`, else the nearest
    one walking up from the working directory. Exits 2 on a configuration error."""
    if path is not None and no_config:
        fail("--config and --no-config contradict each other: give one")
    if no_config:
        return Config()
    try:
        if path is not None:
            return load_config(path)
        found = find_config(Path.cwd())
        return load_config(found) if found else Config()
    except ConfigError as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_USAGE)


def load_plan(
    config: Config,
    packs: Sequence[str],
    today: _dt.date | None = None,
    baseline: Path | None = None,
) -> Plan:
    """The packs `check` would run (the command line's replace the configuration's, with
    the configuration's parameters and rule settings). Exits 2 on a pack or config error."""
    try:
        return make_plan(config, packs, today, baseline)
    except PackError as exc:
        click.echo(exc.render(), err=True)
        sys.exit(EXIT_USAGE)
    except ConfigError as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_USAGE)


def write_file(path: Path, text: str | bytes) -> None:
    """Write a report (text, or a binary format's bytes) atomically (the old file stays
    whole if anything fails); exits 2 with the reason when it cannot be written."""
    try:
        if isinstance(text, bytes):
            atomic_write_bytes(path, text)
        else:
            atomic_write_text(path, text)
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")
    except UnicodeEncodeError as exc:
        fail(f"cannot write {path}: the report is not valid text ({exc.reason}); please report it")


def show_warnings(warnings: Iterable[PackProblem]) -> None:
    """Each pack warning once on stderr (packs that extend one another share rules)."""
    seen: set[str] = set()
    for warning in warnings:
        text = warning.render()
        if text not in seen:
            seen.add(text)
            click.echo(text + "\n", err=True)
