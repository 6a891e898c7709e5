"""Compiled packs kept between runs: the same packs (and problems) as compiling afresh, never
a stale or foreign entry, and a one-file check that imports only what it needs."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from conftest import reopen_caches

from checker import PackError, load_pack
from checker.packs import pack as packmod
from checker.packs import packcache, packfile

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "c1-customer-acquisition.yaml"

PACK = """
pack: acme
version: 1.0.0
schema: schema.json
let:
  big: amount > params.limit
params:
  limit: {type: number, default: 10}
rules:
  - id: amount-set
    title: Amount is set
    assert: exists(amount)
    message: "Amount is {amount}."
  - id: not-big
    title: Amount is not big
    severity: warning
    assert: not big
"""

SCHEMA = {"type": "object", "properties": {"amount": {"type": "number"}}}


@pytest.fixture
def home(xdg_cache_home: Path) -> Path:
    """The checker's own folder in a fresh cache home."""
    return xdg_cache_home / "contract-checker"


def _write(folder: Path, text: str = PACK) -> Path:
    (folder / "schema.json").write_text(json.dumps(SCHEMA), encoding="utf-8")
    path = folder / "pack.yaml"
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def _no_compiling(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("compiled although the cache holds the pack")

    monkeypatch.setattr(packmod, "compile_pack", refuse)


def _summary(pack: Any) -> Any:
    return (
        pack.id,
        pack.version,
        pack.files,
        pack.params,
        [
            (r.id, r.severity, r.title, r.assertion.text, str(r.assertion.type), sorted(r.reads))
            for r in pack.rules
        ],
        [w.render() for w in pack.warnings],
        pack.evaluate({"amount": 12}),
    )


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("pack-*.pickle"))


def test_a_warm_load_compiles_nothing_and_gives_the_same_pack(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path)
    fresh = load_pack(path)
    assert len(_entries(home)) == 1
    _no_compiling(monkeypatch)
    warm = load_pack(path)
    assert _summary(warm) == _summary(fresh)
    assert warm.schema is not None and warm.schema.name == fresh.schema.name  # type: ignore[union-attr]
    # The rules' sources are read again when asked (positions for new problems).
    spec = warm.rules[0].spec
    assert spec.src.doc.positions == fresh.rules[0].spec.src.doc.positions
    # Other parameters are another entry.
    with pytest.raises(AssertionError, match="compiled although"):
        load_pack(path, {"limit": 20})


def test_a_packs_problems_come_out_the_same_from_the_cache(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, PACK.replace("not big", "big + 1").replace("exists(amount)", "amout"))
    with pytest.raises(PackError) as first:
        load_pack(path)
    assert len(first.value.problems) == 2
    _no_compiling(monkeypatch)
    with pytest.raises(PackError) as second:
        load_pack(path)
    assert second.value.render() == first.value.render()
    assert "unknown field `amout`" in second.value.render()


def test_a_changed_pack_or_schema_is_compiled_again(home: Path, tmp_path: Path) -> None:
    path = _write(tmp_path)
    assert [r.id for r in load_pack(path).rules] == ["amount-set", "not-big"]
    path.write_text(path.read_text().replace("id: not-big", "id: not-large"), encoding="utf-8")
    assert [r.id for r in load_pack(path).rules] == ["amount-set", "not-large"]
    assert len(_entries(home)) == 1  # replaced, not added
    (tmp_path / "schema.json").write_text(
        json.dumps({"type": "object", "properties": {"amount": {"type": "string"}}})
    )
    with pytest.raises(PackError, match="expected a string on the right of `>`, found number"):
        load_pack(path)


def test_a_damaged_or_planted_entry_is_ignored(
    home: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path)
    expected = _summary(load_pack(path))
    (entry,) = _entries(home)
    entry.write_bytes(b"\x80\x05garbage")
    assert _summary(load_pack(path)) == expected

    class Evil:
        def __reduce__(self) -> Any:
            return (os.system, ("echo planted",))

    stored = pickle.loads(entry.read_bytes())  # the valid entry written again just now
    stored["result"] = pickle.dumps(Evil())
    entry.write_bytes(pickle.dumps(stored))
    assert _summary(load_pack(path)) == expected
    assert "planted" not in capfd.readouterr().out


@pytest.mark.parametrize("ok", [True, False])
@pytest.mark.parametrize("result", ["a string", (1, 2), [1, 2], None])
def test_an_entry_holding_the_wrong_shape_is_ignored(
    home: Path, tmp_path: Path, ok: bool, result: Any
) -> None:
    # Allowed classes only, so the unpickler takes it: a pack's wrong-shaped result (or
    # problems) must be compiled afresh, not unpacked into a traceback.
    path = _write(tmp_path)
    expected = _summary(load_pack(path))
    (entry,) = _entries(home)
    stored = pickle.loads(entry.read_bytes())
    stored["ok"] = ok
    stored["result"] = pickle.dumps(result)
    entry.write_bytes(pickle.dumps(stored))
    assert _summary(load_pack(path)) == expected


def test_no_entry_is_written_when_caching_is_off(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONTRACT_CHECKER_NO_CACHE", "1")
    reopen_caches()
    load_pack(_write(tmp_path))
    assert not home.exists() or not _entries(home)


def test_the_packs_a_pack_extends_come_from_its_entry(home: Path, tmp_path: Path) -> None:
    (tmp_path / "base").mkdir()
    parent = _write(tmp_path / "base")
    child = tmp_path / "child.yaml"
    child.write_text("pack: child\nextends: [base]\nrules: []\n", encoding="utf-8")
    expected = packfile.extended_by(child)
    assert expected == {parent.resolve()}
    load_pack(child)
    assert packcache.extended_by(child) == expected
    parent.write_text(parent.read_text().replace("extends", "x"), encoding="utf-8")
    child.write_text("pack: child\nrules: []\n", encoding="utf-8")  # the entry is stale now
    assert packcache.extended_by(child) == set()


def test_a_pack_another_cached_pack_extends_is_not_read_again(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from checker.config import PackUse
    from checker.session import _without_extended

    uses = [PackUse("drafting"), PackUse("prc-service-contract")]
    load_pack("prc-service-contract")  # its entry lists `drafting`, which it extends
    read: list[Path] = []
    monkeypatch.setattr(packfile, "load_file", lambda path: read.append(path))
    packfile._load_cached.cache_clear()
    assert _without_extended(uses, Path.cwd()) == uses[1:]
    assert read == []
    # Without entries, the packs' files say it.
    monkeypatch.undo()
    for entry in _entries(home):
        entry.unlink()
    assert _without_extended(uses, Path.cwd()) == uses[1:]


def _expressions(pack: Any) -> list[Any]:
    from checker.lang import Expression

    out: list[Any] = list(pack.program.lets.values())
    for rule in pack.rules:
        out += [rule.assertion, rule.when, rule.applies_to]
        out += [p for template in rule.messages.values() for p in template]
    return [e for e in out if isinstance(e, Expression)]


def test_a_warm_check_reads_no_tree_and_generates_no_code(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from checker.lang import cache, parse
    from checker.lang.compiler import _Gen
    from checker.runner import check_file

    first = check_file(EXAMPLE, [load_pack("prc-service-contract")])  # compiles, runs
    cache.named("units").save()  # what the end of a run does
    reopen_caches()  # a new run
    generated: list[Any] = []
    monkeypatch.setattr(_Gen, "gen", lambda self, node: generated.append(node))
    pack = load_pack("prc-service-contract")
    again = check_file(EXAMPLE, [pack])
    assert again.findings == first.findings and again.lines == first.lines
    assert generated == []  # every function came from its unit
    exprs = _expressions(pack)
    assert len(exprs) > 300
    # Each holds its tree as bytes, none read: nothing needed interpreting. The lets an
    # `each` goes over are the exception: located.py builds their sources from the tree.
    over = {
        pack.program.lets[r.each.text].text
        for r in pack.rules
        if r.each is not None and r.each.text in pack.program.lets
    }
    read = [
        e.text for e in exprs if {"node", "_node"} & set(e.__dict__) or "_tree" not in e.__dict__
    ]
    assert set(read) <= over
    assert "_data_type" not in pack.program.__dict__  # the schema's type, likewise
    # Read at first use, they are the trees and type the pack was compiled with.
    assert exprs[0].node == parse(exprs[0].text) and "_node" in exprs[0].__dict__
    assert pack.program.compile("count(parties)").type.kind == "number"


def test_a_unit_naming_anything_but_the_languages_own_functions_is_not_run(
    home: Path,
) -> None:
    import os as planted

    from checker.lang import cache, pycode

    key = pycode.unit_key("expr", frozenset(), "1 + 1")
    good = pycode.build([1], ["return _k0 + _k0"], key)
    assert good is not None and pycode.load_unit(key) is not None
    source, code, _ = cache.named("units").get(key)
    cache.named("units").put(key, (source, code, pickle.dumps([planted.system])))
    assert pycode.load_unit(key) is None  # refused: generated again instead


def _check_run(cache_home: Path) -> tuple[str, list[str]]:
    """A one-file check's JSON report and the heavy modules it imported."""
    code = (
        "import sys, atexit\n"
        "heavy = ('docx', 'markdown_it', 'jsonschema', 'asyncio', 'concurrent.futures', 'lark',"
        " 'pydantic', 'tempfile', 'subprocess', 'tomllib', 'difflib', 'secrets',"
        " 'checker.portfolio', 'checker.cli_report', 'checker.cli_extract')\n"
        "atexit.register(lambda: print(sorted(m for m in heavy if m in sys.modules), "
        "file=sys.stderr))\n"
        f"sys.argv = ['contract-checker', 'check', '--no-config', {str(EXAMPLE)!r}, "
        "'--format', 'json']\n"
        "from checker.cli import run\n"
        "run()\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home), "NO_COLOR": "1"}
    env.pop("CONTRACT_CHECKER_NO_CACHE", None)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout, json.loads(done.stderr.strip().splitlines()[-1].replace("'", '"'))


def test_a_one_file_check_imports_only_what_it_needs(tmp_path: Path) -> None:
    cold_report, cold_modules = _check_run(tmp_path)
    warm_report, warm_modules = _check_run(tmp_path)
    assert warm_report == cold_report
    # Not even the first time does it parse (the built-in packs' trees ship with the
    # grammar): only writing the cache (secrets) is extra.
    assert cold_modules == ["secrets"]
    assert warm_modules == []


def test_an_entry_is_read_once_while_its_files_and_itself_are_unchanged(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path)
    load_pack(path)
    name = packcache._entry_name(path, None)
    assert name is not None
    reads: list[str] = []
    real = packcache.cache.read_entry
    monkeypatch.setattr(
        packcache.cache, "read_entry", lambda fd, n, *a: reads.append(n) or real(fd, n, *a)
    )
    packcache._SEEN.clear()
    assert packcache._entry(name) is not None and packcache._entry(name) is not None
    assert reads == [name]
    # The pack file changes: read again, and found stale.
    path.write_text(path.read_text() + "\n# changed\n", encoding="utf-8")
    assert packcache._entry(name) is None and reads == [name, name]
    # Back as it was (a new time): the entry is valid again, read once more and kept.
    path.write_text(path.read_text().replace("\n# changed\n", ""), encoding="utf-8")
    load_pack(path)
    assert packcache._entry(name) is not None and reads == [name, name, name]
    # The entry itself is replaced (another process wrote it): read again.
    entry = home / name
    entry.write_bytes(entry.read_bytes())
    os.utime(entry, ns=(1, 1))
    assert packcache._entry(name) is not None and reads == [name, name, name, name]


def test_the_shipped_trees_are_those_of_the_built_in_packs_as_they_are() -> None:
    """If this fails after changing a built-in pack, the grammar or the parser, write them
    again: python -c 'from checker.lang.parser import write_builtin_trees as w; print(w())'"""
    from checker.lang.parser import BUILTIN_TREES, builtin_trees, grammar_path, make_builtin_trees

    shipped = (grammar_path().parent / BUILTIN_TREES).read_bytes()
    assert make_builtin_trees() == shipped
    assert len(builtin_trees()) > 600  # and they are read (made by this grammar and parser)


def test_shipped_trees_made_by_another_grammar_or_parser_are_not_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from checker.lang import parser

    parser.builtin_trees.cache_clear()
    monkeypatch.setattr(parser, "trees_digest", lambda: "another grammar")
    try:
        assert parser.builtin_trees() == {}
    finally:
        parser.builtin_trees.cache_clear()


def test_shipped_trees_are_neither_copied_nor_pickled_again(home: Path) -> None:
    from checker.lang import cache
    from checker.lang.parser import builtin_trees

    pack = load_pack("prc-service-contract")  # compiled: every tree from the shipped file
    assert not cache.named("trees").dirty  # nothing for the user's own cache
    shipped = builtin_trees()
    exprs = _expressions(pack)
    assert exprs and all(e.__dict__.get("_tree") is shipped[e.text] for e in exprs)


def test_units_of_different_texts_never_share_a_key() -> None:
    """Keys are not texts joined by a separator, which a crafted text could contain."""
    from checker.lang.pycode import unit_key

    keys = {
        unit_key("batch", frozenset(), None, "a\x1fb", None, "c"),
        unit_key("batch", frozenset(), None, "a", "b", "c"),
        unit_key("batch", frozenset(), "a\x1e", "b\x1fc"),
        unit_key("batch", frozenset({"b"}), None, "a"),
        unit_key("batch", frozenset(), None, "a", "b", None),
        unit_key("expr", frozenset(), "a", "b"),
        unit_key("expr", frozenset({"b"}), "a"),
    }
    assert len(keys) == 7


def test_a_program_keeps_what_it_was_given_not_what_a_run_derived() -> None:
    from checker.lang import Program, cache

    program = Program(placeholder_patterns=("TODO",))
    program.add_let("double", "2 * 2")
    expr = program.compile("double + 1")
    assert expr.run(program.env({})) == 5  # a run: context, let trees, compiled lets
    back = cache.loads(pickle.dumps(program), packcache._ALLOWED)
    assert back._compiled_lets == {} and back._let_nodes is None and back._default_ctx is None
    assert list(back.lets) == ["double"] and back.placeholder_patterns == ("TODO",)
    assert back.compile("double + 1").run(back.env({})) == 5


@pytest.mark.parametrize(
    "args",
    [
        ("_stored_expression", ("x", "not bytes", None, frozenset(), (), frozenset())),
        ("_stored_expression", ("x", b"", "not a type", frozenset(), (), frozenset())),
        ("_stored_program", (b"", {"lets": {}, "param_types": {}})),
        (
            "_stored_program",
            (b"", {"lets": {"a": 1}, "param_types": {}, "placeholder_patterns": ()}),
        ),
        (
            "_stored_program",
            ("not bytes", {"lets": {}, "param_types": {}, "placeholder_patterns": ()}),
        ),
    ],
)
def test_a_stored_expression_or_program_of_the_wrong_shape_is_refused(args: Any) -> None:
    import checker.lang
    from checker.lang import cache

    name, values = args

    class Planted:
        def __reduce__(self) -> Any:
            return getattr(checker.lang, name), values

    with pytest.raises(pickle.UnpicklingError, match=r"not shaped|not expressions"):
        cache.loads(pickle.dumps(Planted()), packcache._ALLOWED)
