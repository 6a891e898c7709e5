"""The `contract-checker` command line: parses arguments and hands each command to its stage."""

from __future__ import annotations

import gc
import importlib
import os
import sys
from pathlib import Path
from typing import Any, ClassVar

import click

from . import __version__
from .api import Pack, PackError, load_packs
from .cli_check import GC_THRESHOLD, OWN_PROCESS, check_command
from .cli_common import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    config_options,
    fail,
    load_cli_config,
    load_plan,
    parse_today,
    show_warnings,
    write_file,
)
from .config import CONFIG_SCHEMA, Config
from .inputs.contracts import DocumentContract, load_contract
from .inputs.schema import ContractSchema, SchemaError, resolve_schema_path
from .lang import ExprError, Missing, Program
from .lang.values import EvalError, dumps
from .packs.pack import builtin_packs, resolve_pack
from .packs.packschema import FINDINGS_SCHEMA, PACK_SCHEMA, PACK_TEST_SCHEMA


def run() -> None:
    """The console entry point: `main`, with any failure of the checker itself said in one
    line (exit 2) instead of a traceback; CONTRACT_CHECKER_DEBUG=1 shows the traceback."""
    # Checking a file allocates thousands of small containers and makes few cycles: the
    # cyclic collector's default (a pass every 700 allocations) took 7% of a run over 1,000
    # contracts. A pass every 50,000 still bounds memory (as mypy does, for the same reason).
    gc.set_threshold(GC_THRESHOLD, 20, 100)
    try:
        main(obj=OWN_PROCESS)
    except Exception as exc:
        if os.environ.get("CONTRACT_CHECKER_DEBUG"):
            raise
        fail(
            f"internal error ({type(exc).__name__}: {exc}); please report it, with "
            "CONTRACT_CHECKER_DEBUG=1 set to see where it happened"
        )


class _Commands(click.Group):
    """The command group; `report` and `extract` are imported when named (or listed in the
    help), so that a `check` does not load them."""

    _LAZY: ClassVar[dict[str, tuple[str, str]]] = {
        "extract": ("checker.cli_extract", "extract_command"),
        "report": ("checker.cli_report", "report_command"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self._LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self._LAZY and cmd_name not in self.commands:
            module, name = self._LAZY[cmd_name]
            self.add_command(getattr(importlib.import_module(module), name), cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="contract-checker")
def main() -> None:
    """Check contract drafts (YAML/JSON) against rule packs."""


class _ExpressionFirst(click.Command):
    """A command whose first positional argument is an expression, never an option, even
    when it starts with `-` (`eval '-2 + 5'`): options may still come before or after it."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        with_value = {
            name
            for p in self.params
            if isinstance(p, click.Option) and not p.is_flag
            for name in p.opts
        }
        options: list[str] = []
        positional: list[str] = []
        rest = list(args)
        while rest:
            arg = rest.pop(0)
            if arg == "--":
                positional.extend(rest)
                break
            if not positional and arg.startswith("-") and not arg.startswith("--"):
                if arg in ctx.help_option_names:  # -h: the only short option
                    options.append(arg)
                else:
                    positional.append(arg)  # the expression: `-2 + 5`, `-x`
            elif arg in with_value:
                options.extend([arg, *rest[:1]])
                rest = rest[1:]
            elif arg.startswith("-") and arg != "-":
                options.append(arg)
            else:
                positional.append(arg)
        return super().parse_args(ctx, [*options, "--", *positional])


@main.command("eval", cls=_ExpressionFirst)
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
    today_date = parse_today(today)
    schema: ContractSchema | None = None
    if schema_ref:
        try:
            schema = ContractSchema.load(schema_ref, Path.cwd())
        except SchemaError as exc:
            fail(str(exc))
    program = Program(data_type=schema.static_type) if schema else Program()
    try:
        compiled = program.compile(expression)
    except ExprError as exc:
        click.echo(exc.render("<expr>"), err=True)
        sys.exit(EXIT_USAGE)
    data: dict[str, Any] = {}
    if file is not None:
        loaded = load_contract(file)  # a document (.md, .txt, .docx) as `check` reads it
        if loaded.data is None:
            problem = loaded.problems[0] if loaded.problems else None
            where = (
                f"{file}:{problem.line}:{problem.column}" if problem and problem.line else str(file)
            )
            fail(f"{where}: {problem.message if problem else 'cannot read the file'}")
        for p in loaded.problems:
            where = f"{file}:{p.line}:{p.column}" if p.line else str(file)
            click.echo(f"{where}: warning: {p.message}", err=True)
        data = loaded.data
        if schema is not None:
            data, problems = schema.apply(data, document=isinstance(loaded, DocumentContract))
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


def _load_packs(refs: tuple[str, ...]) -> list[Pack]:
    chosen = list(refs) or list(builtin_packs())
    try:
        return load_packs(chosen)
    except PackError as exc:
        click.echo(exc.render(), err=True)
        sys.exit(EXIT_USAGE)


main.add_command(check_command)


# The packages the language server needs (the `lsp` extra), as Python names them.
_LSP_PACKAGES = ("pygls", "lsprotocol", "cattrs")


@main.command("lsp")
@click.option(
    "--stdio", is_flag=True, help="Speak over standard input and output (the only transport)."
)
def lsp_command(stdio: bool) -> None:
    """Run the language server for packs and contracts (editors start it)."""
    try:
        from .lsp.server import serve
    except ImportError as exc:
        package = (exc.name or "").split(".")[0]
        if package not in _LSP_PACKAGES:
            raise
        fail(
            f"the language server needs {package}, which is not installed: "
            "pip install 'contract-compliance-checker[lsp]'"
        )
    serve()


@main.command("packs")
def packs_command() -> None:
    """List the built-in rule packs."""
    for name, path in builtin_packs().items():
        try:
            pack = load_packs([str(path)])[0]
        except PackError as exc:
            click.echo(exc.render(), err=True)
            sys.exit(EXIT_USAGE)
        click.echo(f"{name:<24} {pack.version:<8} {len(pack.rules):>3} rules  {pack.title}")


@main.command("rules")
@click.argument("packs", nargs=-1)
def rules_command(packs: tuple[str, ...]) -> None:
    """List the rules of packs (default: all built-in packs) with severity and title."""
    seen: set[tuple[str, str]] = set()
    for pack in _load_packs(packs):
        for rule in pack.rules:
            if (rule.pack, rule.id) in seen:
                continue
            seen.add((rule.pack, rule.id))
            click.echo(f"{rule.pack + '/' + rule.id:<60} {rule.severity:<8} {rule.title}")


@main.command("schema")
@click.argument(
    "which",
    type=click.Choice(["pack", "contract", "document", "findings", "config", "pack-test"]),
)
def schema_command(which: str) -> None:
    """Print a JSON Schema: of rule packs, of the service contract, of the document model
    (what rules read under `document` in document mode), of the JSON report, of the
    configuration file, or of pack test files (the schemas the checker itself uses)."""
    import json

    if which == "pack":
        doc: Any = PACK_SCHEMA
    elif which == "findings":
        doc = FINDINGS_SCHEMA
    elif which == "config":
        doc = CONFIG_SCHEMA
    elif which == "pack-test":
        doc = PACK_TEST_SCHEMA
    else:
        name = "document" if which == "document" else "service-contract"
        doc = json.loads(resolve_schema_path(name).read_text(encoding="utf-8"))
    click.echo(json.dumps(doc, ensure_ascii=False, indent=2))


@main.command("test")
@click.argument("packs", nargs=-1)
@click.option("-v", "--verbose", is_flag=True, help="Name every case, not only the failures.")
@config_options
def test_command(
    packs: tuple[str, ...], verbose: bool, config_path: Path | None, no_config: bool
) -> None:
    """Run rule-pack tests: the cases in each pack's tests/ folder.

    Default: the configuration's packs, else the built-in ones. A pack runs with the
    parameters the configuration gives it (a case's own `params` win), as `check` would.

    Exit status: 0 when every case passes; 1 when one fails; 2 when a test file cannot
    run as written (unknown key, empty `expect`, a contract outside the pack) or a pack
    named cannot be found.
    """
    import time

    from .packs.packtest import case_files, pack_warnings, run_pack_tests

    started = time.perf_counter()
    config = load_cli_config(config_path, no_config)
    targets = _test_targets(config, packs)
    passed = failed = errors = 0
    failures = []
    show_warnings(
        w for pack_file in dict.fromkeys(f for f, _ in targets) for w in pack_warnings(pack_file)
    )
    for pack_file, params in targets:
        n = len(case_files(pack_file))
        label = pack_file.parent.name
        if params:
            label += " [" + ", ".join(f"{k}={v}" for k, v in params.items()) + "]"
        marks = []
        for case in run_pack_tests(pack_file, params):
            if case.ok:
                passed += 1
                marks.append(".")
            else:
                # A test file that cannot run as written is an error, like pytest's
                # collection errors: it says nothing about the pack.
                errors += bool(case.errors)
                failed += not case.errors
                marks.append("E" if case.errors else "F")
                failures.append(case)
            if verbose:
                status = "ERROR" if case.errors else "PASSED" if case.ok else "FAILED"
                click.echo(f"{case.file}: {status} {case.description}")
        if not verbose:
            click.echo(f"{label} ({n} case{'s' if n != 1 else ''}) {''.join(marks)}")
    for case in failures:
        status = "ERROR" if case.errors else "FAILED"
        about = f" — {case.description}" if case.description else ""
        click.echo(f"\n{status} {case.file}{about}")
        for problem in case.problems:
            click.echo(f"  {problem}")
        for error in case.errors:
            click.echo(error.render())
    elapsed = time.perf_counter() - started
    summary = f"{passed} passed, {failed} failed"
    if errors:
        summary += f", {errors} error{'s' if errors != 1 else ''}"
    click.echo(f"\n{summary} in {elapsed:.2f}s")
    if passed + failed + errors == 0:
        click.echo("no pack tests found", err=True)
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_USAGE if errors else EXIT_FINDINGS if failed else EXIT_OK)


def _test_targets(config: Config, refs: tuple[str, ...]) -> list[tuple[Path, dict[str, Any]]]:
    """Pack files to test, each with the parameters the configuration gives it (once per
    distinct set): the packs named, else the configuration's, else the built-in ones."""
    from .packs.packtest import pack_files

    try:
        configured = [(resolve_pack(u.ref, config.root), dict(u.params)) for u in config.packs]
        files = pack_files(refs) if refs or not configured else [f for f, _ in configured]
    except PackError as exc:
        click.echo(exc.render(), err=True)
        sys.exit(EXIT_USAGE)
    out: list[tuple[Path, dict[str, Any]]] = []
    for file in dict.fromkeys(files):
        for params in [p for f, p in configured if f == file] or [{}]:
            if (file, params) not in out:
                out.append((file, params))
    return out


def _contract_for(pack: Pack, file: Path) -> dict[str, Any]:
    loaded = load_contract(file)  # a document (.md, .txt, .docx) as `check` reads it
    if loaded.data is None:
        problem = loaded.problems[0]
        where = f"{file}:{problem.line}:{problem.column}" if problem.line else str(file)
        fail(f"{where}: {problem.message}")
    data, _ = pack.typed(loaded.data)
    return data


@main.command("explain")
@click.argument("rule")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--pack",
    "packs",
    multiple=True,
    help="Packs to look in (default: the configuration's, else the built-in packs).",
)
@click.option("--today", help="The date today() returns (YYYY-MM-DD).")
@config_options
def explain_command(
    rule: str,
    file: Path,
    packs: tuple[str, ...],
    today: str | None,
    config_path: Path | None,
    no_config: bool,
) -> None:
    """Show how RULE (`pack/rule` or a rule id) evaluated on FILE: every sub-expression
    with its value. The packs, parameters and severities are those `check` would use
    for FILE (the configuration's)."""
    from .explain import explain, find_rule

    config = load_cli_config(config_path, no_config)
    plan = load_plan(config, packs)
    found = find_rule(plan.packs_for(str(file)), rule)
    if found is None:
        fail(_not_found(rule, file, config, plan.packs))
    pack, compiled = found
    data = _contract_for(pack, file)
    for line in explain(pack, compiled, data, parse_today(today)):
        click.echo(line)


def _not_found(
    rule: str, file: Path, config: Config, packs: list[tuple[Pack, tuple[str, ...]]]
) -> str:
    """Why RULE cannot be explained on FILE: its pack is configured for other files, the
    configuration turns it off, or no pack has it (with a "did you mean")."""
    from .explain import find_rule
    from .lang.typecheck import suggest

    for pack, globs in packs:
        if globs and find_rule([pack], rule) is not None:
            return (
                f"{rule} does not apply to {file}: {config.file} uses pack {pack.id} "
                f"only for {', '.join(globs)}"
            )
    for key in config.disabled:
        if key == rule if "/" in key and "/" in rule else key.split("/")[-1] == rule.split("/")[-1]:
            return f"{rule} is turned off in {config.file} (rules: {key}: off)"
    ids = [f"{r.pack}/{r.id}" for p, _ in packs for r in p.rules]
    near = suggest(rule, ids) or suggest(rule, [i.split("/")[1] for i in ids])
    return f"no rule {rule!r} in the packs" + (f"; did you mean {near!r}?" if near else "")


@main.command("docs")
@click.argument("pack")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the Markdown to this file instead of standard output.",
)
def docs_command(pack: str, output: Path | None) -> None:
    """Write a Markdown reference of PACK (a built-in name or a pack file)."""
    from .packs.packdoc import render

    text = render(_load_packs((pack,))[0])
    if output is None:
        click.echo(text, nl=False)
    else:
        write_file(output, text)


@main.command("init")
@click.argument("folder", default=".", type=click.Path(file_okay=False, path_type=Path))
def init_command(folder: Path) -> None:
    """Create a configuration and a custom pack with one tested rule in FOLDER."""
    from .packs.scaffold import scaffold

    try:
        written = scaffold(folder)
    except FileExistsError as exc:
        fail(f"{exc.args[0]} already exists: nothing was written")
    for path in written:
        click.echo(f"created {path}")
    click.echo("next: contract-checker test rules/my-pack, then contract-checker check")
