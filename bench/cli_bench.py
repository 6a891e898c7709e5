"""Command-line benchmark: one-file start-up, throughput with --jobs, memory over many files.

    python bench/cli_bench.py [--files 1000] [--reps 7] [--out bench/results]

Runs the installed `contract-checker` (the one next to this Python) in fresh processes, as
a user or CI would, with the built-in packs on copies of examples/c1-customer-acquisition.yaml.
Writes cli.json and CLI.md into --out. Measures:

1. start-up: wall time of `check <one file>` (median of --reps fresh processes), with the
   user cache warm (the second and later runs of a machine) and cold (a fresh machine, CI);
2. throughput: files per second over --files copies with --jobs 1 and --jobs 2;
3. memory: peak resident set size of the checking process for 100 files and for --files
   files (flat memory means the two are close).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = Path(sys.executable).parent / "contract-checker"
SAMPLE = ROOT / "examples" / "c1-customer-acquisition.yaml"


def run(args: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and the child's peak RSS (KiB) of one fresh `contract-checker` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    r = subprocess.run([str(CLI), *args], capture_output=True, env=env, check=False)
    elapsed = time.perf_counter() - t0
    if r.returncode not in (0, 1):
        sys.exit(f"contract-checker {' '.join(args)} failed ({r.returncode}):\n{r.stderr.decode()}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before)


def child_peak(args: list[str], env: dict[str, str]) -> int:
    """Peak RSS (KiB) of one run, measured in a wrapper so earlier children do not count."""
    code = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], capture_output=True);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(CLI), *args],
        capture_output=True,
        env=env,
        check=True,
        text=True,
    )
    return int(out.stdout.strip())


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = ap.parse_args()
    if not CLI.exists():
        sys.exit(f"{CLI} not found: install the package into this Python first (pip install .)")
    work = Path(tempfile.mkdtemp(prefix="cc-bench-"))
    env = {**os.environ, "XDG_CACHE_HOME": str(work / "cache"), "NO_COLOR": "1"}
    # A user's interpreter reads the bytecode pip compiled at install; a sandbox that sets
    # PYTHONDONTWRITEBYTECODE would time recompiling our modules at every start instead.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    try:
        one = work / "one.yaml"
        shutil.copy(SAMPLE, one)
        many = work / "many"
        many.mkdir()
        for i in range(args.files):
            shutil.copy(SAMPLE, many / f"c{i:05}.yaml")
        hundred = work / "hundred"
        hundred.mkdir()
        for i in range(100):
            shutil.copy(SAMPLE, hundred / f"c{i:05}.yaml")

        cold = []
        for _ in range(args.reps):
            shutil.rmtree(work / "cache", ignore_errors=True)
            cold.append(run(["check", str(one)], env)[0])
        run(["check", str(one)], env)  # fill the cache
        warm = [run(["check", str(one)], env)[0] for _ in range(args.reps)]
        throughput = {}
        for jobs in (1, 2):
            secs = [
                run(["check", str(many), "--jobs", str(jobs), "--format", "json"], env)[0]
                for _ in range(3)
            ]
            throughput[jobs] = args.files / statistics.median(secs)
        mem_100 = child_peak(["check", str(hundred), "--format", "json"], env)
        mem_many = child_peak(["check", str(many), "--format", "json"], env)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    result = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "files": args.files,
        "reps": args.reps,
        "startup_warm_s": statistics.median(warm),
        "startup_warm_all": warm,
        "startup_cold_s": statistics.median(cold),
        "startup_cold_all": cold,
        "files_per_s_jobs1": throughput[1],
        "files_per_s_jobs2": throughput[2],
        "peak_rss_kib_100_files": mem_100,
        f"peak_rss_kib_{args.files}_files": mem_many,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "cli.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    md = [
        "# Command-line benchmark",
        "",
        f"Generated by `bench/cli_bench.py` on {result['started']} ({result['platform']}, "
        f"{result['cpus']} CPUs, Python {result['python']}). Built-in packs, "
        f"`examples/c1-customer-acquisition.yaml`.",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| `check` one file, warm user cache (median of {args.reps}) | {result['startup_warm_s']:.3f} s |",
        f"| `check` one file, cold cache (median of {args.reps}) | {result['startup_cold_s']:.3f} s |",
        f"| throughput, {args.files} files, `--jobs 1` | {throughput[1]:.0f} files/s |",
        f"| throughput, {args.files} files, `--jobs 2` | {throughput[2]:.0f} files/s |",
        f"| peak RSS, 100 files | {mem_100 / 1024:.1f} MiB |",
        f"| peak RSS, {args.files} files | {mem_many / 1024:.1f} MiB |",
        "",
    ]
    (args.out / "CLI.md").write_text("\n".join(md), encoding="utf-8")
    print("\n".join(md))


if __name__ == "__main__":
    main()
