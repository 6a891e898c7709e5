"""Document-mode benchmark: reading and analysing a draft, and how the cost grows with its size.

    python bench/document_bench.py [--reps 15] [FILE]

Reads FILE (default: the clean service contract of the test fixtures, a Markdown draft)
and the same text repeated 4 and 16 times, through `read_document` (decoding, front
matter, Markdown structure, normalisation and every analysis). Prints the median
milliseconds of --reps runs after one warm-up run (start-up costs such as OpenCC's
tables are paid once per process), and the cost per KB, which stays flat when the work
is linear in the size.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker.inputs.document import read_document  # noqa: E402

DEFAULT = ROOT / "tests" / "fixtures" / "documents" / "clean-service-contract.md"


def median_ms(raw: bytes, name: str, reps: int) -> float:
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        loaded = read_document(raw, name)
        times.append((time.perf_counter() - t0) * 1000)
        assert loaded.document is not None, loaded.problems
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--reps", type=int, default=15)
    args = parser.parse_args()
    raw = args.file.read_bytes()
    name = args.file.name
    read_document(raw, name)  # warm-up: OpenCC and the regular expressions load once
    print(f"{name}: {len(raw) / 1024:.1f} KB")
    print(f"{'copies':>6} {'KB':>8} {'ms':>8} {'ms/KB':>7}")
    for copies in (1, 4, 16):
        # repeat the body, not the front matter: one document, N times as long
        data = raw if copies == 1 else raw + b"\n" + raw.split(b"\n---\n", 1)[-1] * (copies - 1)
        ms = median_ms(data, name, args.reps if copies < 16 else max(3, args.reps // 3))
        kb = len(data) / 1024
        print(f"{copies:>6} {kb:>8.1f} {ms:>8.1f} {ms / kb:>7.2f}")


if __name__ == "__main__":
    main()
