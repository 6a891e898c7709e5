"""Per-file rule outcomes stay small over many files (flat memory) and read as a mapping."""

from __future__ import annotations

import pickle
import shutil
import sys
from pathlib import Path

from checker.api import load_pack, rule_count
from checker.runner import Outcomes, check_file
from checker.toolrules import TOOL_PACK, tool_finding, tool_message_zh

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "c1-customer-acquisition.yaml"


def test_outcomes_of_files_checked_with_the_same_rules_share_their_keys(tmp_path: Path) -> None:
    packs = [load_pack("prc-service-contract"), load_pack("pipl-customer-data")]
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    shutil.copy(SAMPLE, a)
    shutil.copy(SAMPLE, b)
    ra, rb = check_file(a, packs), check_file(b, packs)
    assert isinstance(ra.outcomes, Outcomes)
    assert dict(ra.outcomes) == dict(rb.outcomes)
    assert 60 < len(ra.outcomes) <= rule_count(packs)  # an `each` over no element has none
    assert ra.outcomes[("drafting", "party-names-consistent")] == "pass"
    assert set(ra.outcomes.values()) <= {"pass", "skip", "missing", "fail", "error"}
    # The keys are kept once for both files; each file keeps one character per rule.
    assert ra.outcomes._index is rb.outcomes._index
    assert sys.getsizeof(ra.outcomes) + sys.getsizeof(ra.outcomes._codes) < 400


def test_outcomes_from_a_worker_share_their_keys_again() -> None:
    made = Outcomes({("p", "r1"): "fail", ("p", "r2"): "skip", ("p", "r3"): "error"})
    back = pickle.loads(pickle.dumps(made))
    assert back == made and dict(back) == {
        ("p", "r1"): "fail",
        ("p", "r2"): "skip",
        ("p", "r3"): "error",
    }
    assert back._index is made._index
    assert back.get(("p", "nope")) is None
    assert list(back) == [("p", "r1"), ("p", "r2"), ("p", "r3")]


def test_a_run_without_waivers_keeps_no_record_of_each_file(tmp_path: Path) -> None:
    """Which files were checked is kept only to tell unused waivers in a partial run."""
    from checker.config import Config, Waiver
    from checker.session import apply_waivers, make_plan, run_files, select_files

    for i in range(3):
        shutil.copy(SAMPLE, tmp_path / f"c{i}.yaml")
    plan = make_plan(Config(root=tmp_path), [], None, None)
    selection = select_files(plan, [tmp_path])
    results = [apply_waivers(plan, r) for r in run_files(plan, selection.files, 1)]
    assert len(results) == 3 and plan.checked == set()
    assert all(r.findings == [] and r.lines == [] for r in results)
    # What is kept of a clean file is its name and outcomes: no list or path of its own.
    assert all(type(f) is str for f in selection.files)
    assert len({id(r.findings) for r in results} | {id(r.skip_reasons) for r in results}) == 2
    assert len({id(r.lines) for r in results}) == 1
    # Its name is the selection's own text, not a second copy (in worker processes too).
    assert all(r.file is f for r, f in zip(results, selection.files, strict=True))
    pooled = list(run_files(plan, selection.files, 2))
    assert all(r.file is f for r, f in zip(pooled, selection.files, strict=True))

    plan = make_plan(Config(root=tmp_path), [], None, None)
    plan.config.waivers.append(Waiver(rule="drafting/x", reason="r", files=("c0.yaml",)))
    selection = select_files(plan, [tmp_path / "c0.yaml"])
    plan.complete = False  # only some files of the configuration: a partial run
    for r in run_files(plan, selection.files, 1):
        apply_waivers(plan, r)
    assert plan.checked == {(tmp_path / "c0.yaml").resolve()}


def test_a_tool_finding_takes_its_severity_and_chinese_message_from_the_tool_rules() -> None:
    f = tool_finding("a.yaml", "unused-waiver", "waiver for x matched no finding; remove it")
    assert (f.pack, f.rule, f.severity, f.outcome) == (
        TOOL_PACK,
        "unused-waiver",
        "warning",
        "error",
    )
    assert f.message_zh == tool_message_zh("unused-waiver", f.message)
    assert (f.line, f.column, f.pointer) == (None, None, "")
    g = tool_finding("a.yaml", "no-such-rule", "m", message_zh="中", line=3, pointer="/a")
    assert (g.severity, g.message_zh, g.line, g.pointer) == ("error", "中", 3, "/a")


def test_files_with_the_same_outcomes_share_one_record_of_them() -> None:
    from checker.runner import Outcomes

    a = Outcomes.shared({("p", "r1"): "pass", ("p", "r2"): "fail"})
    b = Outcomes.shared({("p", "r1"): "pass", ("p", "r2"): "fail"})
    c = Outcomes.shared({("p", "r1"): "pass", ("p", "r2"): "pass"})
    assert a is b and a is not c
    assert dict(b) == {("p", "r1"): "pass", ("p", "r2"): "fail"} and c[("p", "r2")] == "pass"
