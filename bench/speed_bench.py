"""Speed targets of the checker (issue 12), measured side by side in one run.

    python bench/speed_bench.py [--reps 5] [--out bench/results] [--peers DIR] [--quick]

Runs `python -m checker` from this source tree (PYTHONPATH) in fresh processes, with the
built-in packs, on copies of examples/c1-customer-acquisition.yaml, and writes speed.json
and SPEED.md into --out. Every comparison runs its sides alternately in the same run,
--reps times, and takes medians; CPU seconds (user + system of the child) are the measure
on a shared machine, wall seconds are shown too. Measures:

1. per file: `check` of 500 files (--jobs 1) against a bare Python process that parses the
   same files with yaml.CSafeLoader; CPU per file = (500-file run - 1-file run) / 499;
2. start-up: `check` of one file with the user cache warm, and cold (cache removed);
3. memory: peak RSS of `check` over 1,000 and over 10,000 files (--format json);
4. scaling: one file 16x larger (100x the instalments, parties and signatures) against
   the sample, in one process; packs of 5,800 generated rules against 58 of the same
   kinds (per-file time and cold load);
5. API: `PackSet.evaluate` (typing included) against `Pack.verdict_list` on typed data;
6. peers (with --peers, a virtualenv holding check-jsonschema, yamllint and regopy; and
   Spectral where `npx`/node_modules has it): CPU of each over the same 1,000 files.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "c1-customer-acquisition.yaml"
PEERS = Path(__file__).resolve().parent / "peers"


def child_run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and peak RSS (KiB) of one fresh process (run through a
    small wrapper so that only this child's resources count)."""
    code = (
        "import json, resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
        "wall = time.perf_counter() - t\n"
        "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(json.dumps([r.returncode, wall, u.ru_utime + u.ru_stime, u.ru_maxrss,"
        " r.stderr.decode(errors='replace')[-2000:]]))\n"
    )
    out = subprocess.run(  # from ROOT: `-m checker` reads the package of its folder first
        [sys.executable, "-c", code, *cmd],
        capture_output=True,
        env=env,
        text=True,
        check=True,
        cwd=ROOT,
    )
    rc, wall, cpu, rss, err = json.loads(out.stdout)
    if rc not in (0, 1):
        sys.exit(f"{' '.join(cmd[:6])}… failed ({rc}):\n{err}")
    return wall, cpu, rss


def median_runs(
    sides: dict[str, list[str]], env: dict[str, str], reps: int
) -> dict[str, dict[str, float]]:
    """Each command `reps` times, the sides alternating; medians of wall and CPU seconds."""
    got: dict[str, list[tuple[float, float, int]]] = {k: [] for k in sides}
    for _ in range(reps):
        for name, cmd in sides.items():
            got[name].append(child_run(cmd, env))
    return {
        k: {
            "wall_s": statistics.median(r[0] for r in v),
            "cpu_s": statistics.median(r[1] for r in v),
            "rss_kib": max(r[2] for r in v),
        }
        for k, v in got.items()
    }


def check_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "checker", "check", "--no-config", *args]


def copies(folder: Path, n: int, sample: Path = SAMPLE) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        shutil.copy(sample, folder / f"c{i:05}.yaml")
    return folder


def bigger_contract(factor: int) -> dict[str, Any]:
    """The sample with `factor` times the instalments, parties and signatures (each party
    renamed, its signature block following it)."""
    data = yaml.load(SAMPLE.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    parties, signatures, installments = [], [], []
    for i in range(factor):
        for p in data["parties"]:
            q = copy.deepcopy(p)
            q["label"], q["name"] = f"{p['label']}{i}", f"{p['name']}{i}"
            parties.append(q)
        for s in data["signatures"]:
            t = copy.deepcopy(s)
            t["party"] = f"{s['party']}{i}"
            t["name_as_signed"] = f"{s['name_as_signed']}{i}"
            signatures.append(t)
        for k in data["payment"]["installments"]:
            j = copy.deepcopy(k)
            j["seq"] = len(installments) + 1
            installments.append(j)
    data["parties"], data["signatures"] = parties, signatures
    data["payment"]["installments"] = installments
    return data


# Rule shapes of the built-in packs (quantifiers, filters, null-coalescing, counts, blanks);
# each generated rule gets its own constant, so every expression is distinct.
RULE_SHAPES = (
    "count(parties) >= {k2}",
    "(all i in (payment.installments ?? []): (i.percent ?? 0) <= 100 + {k})",
    "(payment.pay_when_paid ?? false) == false or {k} < 0",
    '(none i in (payment.installments ?? []): (i.trigger ?? "") == "x{k}")',
    "not blank(services.description) or {k} > 0",
    "count((payment.installments ?? [])[? (@.percent ?? 0) > {k50}]) >= 0",
    "(all p in parties: not blank(p.name)) or {k} < 0",
    "(fees.tax_inclusive ?? null) != null or {k} < 0",
)


def write_rule_packs(folder: Path, rules: int, per_pack: int = 1000) -> list[Path]:
    """Packs holding `rules` generated rules in all (at most `per_pack` a pack)."""
    paths = []
    for start in range(0, rules, per_pack):
        n = min(per_pack, rules - start)
        body = [
            f"pack: gen-{start // per_pack}",
            "version: 1.0.0",
            "title: Generated rules",
            "schema: service-contract",
            "rules:",
        ]
        for k in range(start, start + n):
            expr = RULE_SHAPES[k % len(RULE_SHAPES)].format(k=k, k2=k % 2, k50=k % 50)
            body += [f"  - id: r{k}", f"    title: Rule {k}", f"    assert: {json.dumps(expr)}"]
        path = folder / f"gen{start // per_pack}" / "pack.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(body) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


IN_PROCESS = r"""
import json, statistics, sys, time
from pathlib import Path
from checker.api import load_pack
from checker.runner import check_file
task = json.loads(sys.argv[1])
t0 = time.process_time()
packs = [load_pack(p) for p in task["packs"]]
load = time.process_time() - t0
out = {"load_cpu_s": load}
for name, path in task["files"].items():
    check_file(Path(path), packs)
    per = []
    for _ in range(task["reps"]):
        t = time.process_time()
        for _ in range(task["n"]):
            check_file(Path(path), packs)
        per.append((time.process_time() - t) / task["n"])
    out[name] = statistics.median(per)
print(json.dumps(out))
"""

API = r"""
import json, statistics, sys, time
import yaml
from checker import PackSet, load_pack
from checker.packs.pack import builtin_packs
packs = [load_pack(n) for n in builtin_packs()]
ps = PackSet(packs)
data = yaml.load(open(sys.argv[1], encoding="utf-8"), Loader=yaml.CSafeLoader)
typed = ps.typed(data)
def verdicts():
    for p in packs:
        p.verdict_list(typed[p.schema])
def evaluate():
    ps.evaluate(data)
def per_pack():
    for p in packs:
        p.evaluate(data)
sides = {"verdict_list": verdicts, "packset_evaluate": evaluate, "pack_evaluate_each": per_pack}
got = {k: [] for k in sides}
for f in sides.values():
    f()
for _ in range(int(sys.argv[2])):
    for k, f in sides.items():
        t = time.process_time()
        for _ in range(30):
            f()
        got[k].append((time.process_time() - t) / 30)
print(json.dumps({k: statistics.median(v) for k, v in got.items()}))
"""


def in_process(code: str, args: list[str], env: dict[str, str]) -> Any:
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=False
    )
    if out.returncode != 0:
        sys.exit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def peer_commands(peers: Path | None, files: Path) -> dict[str, list[str]]:
    """The peers found: each a command over every file of `files`."""
    found: dict[str, list[str]] = {}
    names = sorted(str(p) for p in files.glob("*.yaml"))
    if peers is not None:
        bin_ = peers / "bin"
        schema = str(ROOT / "rules" / "schemas" / "service-contract.json")
        if (bin_ / "check-jsonschema").exists():
            found["check-jsonschema (schema only)"] = [
                str(bin_ / "check-jsonschema"),
                "--schemafile",
                schema,
                *names,
            ]
        if (bin_ / "yamllint").exists():
            found["yamllint (relaxed)"] = [str(bin_ / "yamllint"), "-d", "relaxed", *names]
        if (bin_ / "python").exists():
            probe = subprocess.run(
                [str(bin_ / "python"), "-c", "import regopy"], capture_output=True, check=False
            )
            if probe.returncode == 0:
                found["Rego (regopy, 5 rules, CSafeLoader)"] = [
                    str(bin_ / "python"),
                    str(PEERS / "rego_check.py"),
                    str(files),
                ]
    spectral = shutil.which("spectral") or next(
        (str(p) for p in [Path("/tmp/spectral/node_modules/.bin/spectral")] if p.exists()), None
    )
    if spectral:
        found["Spectral (5 rules)"] = [
            spectral,
            "lint",
            "--quiet",
            "--ruleset",
            str(PEERS / "spectral.yaml"),
            str(files / "*.yaml"),
        ]
    return found


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    ap.add_argument("--peers", type=Path, default=None, help="virtualenv holding the peers")
    ap.add_argument("--quick", action="store_true", help="fewer files (a smoke run)")
    args = ap.parse_args()
    reps = args.reps
    work = Path(tempfile.mkdtemp(prefix="cc-speed-"))
    env = {
        **os.environ,
        "XDG_CACHE_HOME": str(work / "cache"),
        "NO_COLOR": "1",
        "PYTHONPATH": str(ROOT),
    }
    # A user's interpreter reads the bytecode compiled at install; time that, not compiling.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    many, big_n = (50, 200) if args.quick else (500, 10_000)
    result: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg(),
        "reps": reps,
    }
    try:
        one = copies(work / "one", 1) / "c00000.yaml"
        folder = copies(work / "many", many)
        subprocess.run(check_cmd(str(one)), env=env, capture_output=True, check=False)
        bare = (
            "import sys, yaml, os\n"
            "d = sys.argv[1]\n"
            "for n in sorted(os.listdir(d)):\n"
            "    with open(os.path.join(d, n), encoding='utf-8') as f:\n"
            "        yaml.load(f.read(), Loader=yaml.CSafeLoader)\n"
        )
        step("per file")
        per = median_runs(
            {
                "bare CSafeLoader": [sys.executable, "-c", bare, str(folder)],
                "check": check_cmd(str(folder), "--jobs", "1", "--format", "json"),
                "check one file": check_cmd(str(one), "--format", "json"),
            },
            env,
            reps,
        )
        result["per_file"] = per
        result["per_file"]["files"] = many
        result["per_file_ratio_cpu"] = per["check"]["cpu_s"] / per["bare CSafeLoader"]["cpu_s"]
        result["per_file_ratio_wall"] = per["check"]["wall_s"] / per["bare CSafeLoader"]["wall_s"]
        result["cpu_per_file_ms"] = (
            (per["check"]["cpu_s"] - per["check one file"]["cpu_s"]) / (many - 1) * 1000
        )

        step("start-up")
        warm = [child_run(check_cmd(str(one)), env) for _ in range(reps)]
        cold = []
        for _ in range(reps):
            shutil.rmtree(work / "cache", ignore_errors=True)
            cold.append(child_run(check_cmd(str(one)), env))
        result["startup"] = {
            "warm_wall_s": statistics.median(w[0] for w in warm),
            "warm_cpu_s": statistics.median(w[1] for w in warm),
            "cold_wall_s": statistics.median(c[0] for c in cold),
            "cold_cpu_s": statistics.median(c[1] for c in cold),
        }

        step("memory")
        thousand = copies(work / "thousand", 1000 if not args.quick else 100)
        tenk = copies(work / "tenk", big_n)
        mem_small = child_run(check_cmd(str(thousand), "--jobs", "1", "--format", "json"), env)
        mem_big = child_run(check_cmd(str(tenk), "--jobs", "1", "--format", "json"), env)
        result["memory"] = {
            "files_small": 1000 if not args.quick else 100,
            "files_big": big_n,
            "rss_small_mib": mem_small[2] / 1024,
            "rss_big_mib": mem_big[2] / 1024,
            "ratio": mem_big[2] / mem_small[2],
        }

        step("scaling")
        big = work / "big.yaml"
        big.write_text(
            yaml.safe_dump(bigger_contract(100), allow_unicode=True, sort_keys=False),
            encoding="utf-8",
        )
        base = work / "base.yaml"
        base.write_text(
            yaml.safe_dump(bigger_contract(1), allow_unicode=True, sort_keys=False),
            encoding="utf-8",
        )
        builtin = [str(ROOT / "rules" / "prc-service-contract"), "pipl-customer-data"]
        size = in_process(
            IN_PROCESS,
            [
                json.dumps(
                    {
                        "packs": builtin,
                        "files": {"1x": str(base), "16x": str(big)},
                        "reps": reps,
                        "n": 3,
                    }
                )
            ],
            env,
        )
        result["file_size"] = {
            "bytes_1x": base.stat().st_size,
            "bytes_16x": big.stat().st_size,
            "size_ratio": big.stat().st_size / base.stat().st_size,
            "ms_1x": size["1x"] * 1000,
            "ms_16x": size["16x"] * 1000,
            "time_ratio": size["16x"] / size["1x"],
        }
        small_packs = [str(p) for p in write_rule_packs(work / "r58", 58)]
        large_packs = [str(p) for p in write_rule_packs(work / "r5800", 5800)]
        rules: dict[str, Any] = {}
        for name, packs in (("58", small_packs), ("5800", large_packs)):
            shutil.rmtree(work / "cache", ignore_errors=True)  # cold: nothing parsed yet
            got = in_process(
                IN_PROCESS,
                [json.dumps({"packs": packs, "files": {"file": str(one)}, "reps": reps, "n": 3})],
                env,
            )
            rules[name] = {"cold_load_cpu_s": got["load_cpu_s"], "ms_per_file": got["file"] * 1000}
        rules["per_file_ratio"] = rules["5800"]["ms_per_file"] / rules["58"]["ms_per_file"]
        result["rule_count"] = rules

        step("api")
        api = in_process(API, [str(SAMPLE), str(reps)], env)
        result["api"] = {k: v * 1000 for k, v in api.items()} | {
            "ratio": api["packset_evaluate"] / api["verdict_list"]
        }

        step("peers")
        peer_files = thousand
        sides = {"contract-checker": check_cmd(str(peer_files), "--jobs", "1", "--format", "json")}
        sides |= peer_commands(args.peers, peer_files)
        result["peers"] = median_runs(sides, env, max(1, reps // 2))
        result["peers"]["files"] = len(list(peer_files.glob("*.yaml")))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "speed.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    md = render(result)
    (args.out / "SPEED.md").write_text(md, encoding="utf-8")
    print(md)


def step(name: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {name}", file=sys.stderr, flush=True)


def _ok(holds: bool) -> str:
    return "holds" if holds else "**misses**"


def render(r: dict[str, Any]) -> str:
    per, st, mem = r["per_file"], r["startup"], r["memory"]
    fs, rc, api = r["file_size"], r["rule_count"], r["api"]
    rows: list[tuple[str, str, str, bool]] = [
        (
            f"`check` of {per['files']} files vs bare CSafeLoader parse (CPU)",
            "≤ 1.5×",
            f"{r['per_file_ratio_cpu']:.2f}× ({per['check']['cpu_s']:.2f} s vs "
            f"{per['bare CSafeLoader']['cpu_s']:.2f} s; wall {r['per_file_ratio_wall']:.2f}×)",
            r["per_file_ratio_cpu"] <= 1.5,
        ),
        ("CPU per file", "≤ 4 ms", f"{r['cpu_per_file_ms']:.2f} ms", r["cpu_per_file_ms"] <= 4),
        (
            "one-file `check`, warm cache",
            "≤ 0.15 s",
            f"{st['warm_wall_s']:.3f} s wall, {st['warm_cpu_s']:.3f} s CPU",
            st["warm_wall_s"] <= 0.15,
        ),
        (
            "one-file `check`, cold cache",
            "≤ 0.3 s",
            f"{st['cold_wall_s']:.3f} s wall, {st['cold_cpu_s']:.3f} s CPU",
            st["cold_wall_s"] <= 0.3,
        ),
        (
            f"peak RSS, {mem['files_big']:,} vs {mem['files_small']:,} files",
            "within 10%",
            f"{mem['rss_big_mib']:.1f} vs {mem['rss_small_mib']:.1f} MiB ({mem['ratio']:.2f}×)",
            mem["ratio"] <= 1.10,
        ),
        (
            f"file {fs['size_ratio']:.0f}× larger (100× instalments, parties, signatures)",
            "≤ 20× the time",
            f"{fs['time_ratio']:.1f}× ({fs['ms_16x']:.1f} vs {fs['ms_1x']:.2f} ms)",
            fs["time_ratio"] <= 20,
        ),
        (
            "5,800 rules vs 58: time per file",
            "≤ 100×",
            f"{rc['per_file_ratio']:.0f}× ({rc['5800']['ms_per_file']:.1f} vs "
            f"{rc['58']['ms_per_file']:.2f} ms)",
            rc["per_file_ratio"] <= 100,
        ),
        (
            "5,800 rules: cold pack load (CPU)",
            "≤ 5 s",
            f"{rc['5800']['cold_load_cpu_s']:.2f} s (58 rules: {rc['58']['cold_load_cpu_s']:.2f} s)",
            rc["5800"]["cold_load_cpu_s"] <= 5,
        ),
        (
            "`PackSet.evaluate` vs `verdict_list`, built-in packs",
            "≤ 1.3×",
            f"{api['ratio']:.2f}× ({api['packset_evaluate']:.2f} vs {api['verdict_list']:.2f} ms; "
            f"each pack's own `evaluate`: {api['pack_evaluate_each']:.2f} ms)",
            api["ratio"] <= 1.3,
        ),
    ]
    lines = [
        "# Speed (issue 12 targets)",
        "",
        f"Generated by `bench/speed_bench.py` on {r['started']} ({r['platform']}, {r['cpus']} "
        f"CPUs, Python {r['python']}; load average at start "
        f"{', '.join(f'{x:.1f}' for x in r['load_average_at_start'])}: a shared machine, so "
        f"CPU seconds are the measure). Medians of {r['reps']} runs, sides alternating.",
        "",
        "| measure | target | result | |",
        "|---|---|---|---|",
        *(f"| {a} | {b} | {c} | {_ok(d)} |" for a, b, c, d in rows),
        "",
        f"## Peers on the same {r['peers']['files']:,} files (whole processes)",
        "",
        "| tool | CPU s | wall s | peak RSS MiB | CPU vs contract-checker |",
        "|---|---:|---:|---:|---:|",
    ]
    ours = r["peers"]["contract-checker"]["cpu_s"]
    for name, v in r["peers"].items():
        if name == "files":
            continue
        lines.append(
            f"| {name} | {v['cpu_s']:.2f} | {v['wall_s']:.2f} | {v['rss_kib'] / 1024:.0f} | "
            f"{v['cpu_s'] / ours:.2f}× |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
