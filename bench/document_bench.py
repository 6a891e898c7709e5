"""Document-mode benchmark: reading a draft, and checking it whole, as its size grows.

    python bench/document_bench.py [--reps 15] [FILE]

Reads FILE (default: the first scraped seed of the test fixtures, a 15 KB plain-text
contract) and the same text repeated 4 and 16 times. Two costs per size, the median
milliseconds of --reps runs after one warm-up run (start-up costs such as OpenCC's tables,
compiling the packs and their regular expressions are paid once per process):

- `read`: `read_document` (decoding, front matter, Markdown/Word structure, normalisation
  and every analysis of the document model);
- `check`: `check_file` with the built-in packs, as `contract-checker check` runs a
  document: reading, typing the model by the schemas, every rule, findings and positions.

The cost per KB stays flat when the work is linear in the size.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker.api import load_pack  # noqa: E402
from checker.inputs.document import read_document  # noqa: E402
from checker.packs.pack import builtin_packs  # noqa: E402
from checker.runner import check_file  # noqa: E402

DEFAULT = ROOT / "tests" / "fixtures" / "seeds" / "000_9e77fe81c2ab4551.txt"


def median_ms(run: Callable[[], object], reps: int) -> float:
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        run()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--reps", type=int, default=15)
    args = parser.parse_args()
    raw = args.file.read_bytes()
    name = args.file.name
    packs = [load_pack(path) for path in builtin_packs().values()]
    print(f"{name}: {len(raw) / 1024:.1f} KB; packs: {', '.join(p.id for p in packs)}")
    print(f"{'copies':>6} {'KB':>8} {'read ms':>8} {'check ms':>9} {'check ms/KB':>12}")
    with tempfile.TemporaryDirectory() as tmp:
        for copies in (1, 4, 16):
            # repeat the body, not the front matter: one document, N times as long
            body = raw.split(b"\n---\n", 1)[-1]
            data = raw if copies == 1 else raw + b"\n" + body * (copies - 1)
            path = Path(tmp) / name
            path.write_bytes(data)
            reps = args.reps if copies < 16 else max(3, args.reps // 3)
            result = check_file(path, packs)  # warm-up, and a check that it ran
            assert not [f for f in result.findings if f.rule == "internal-error"], result
            read = median_ms(lambda: read_document(data, name), reps)  # noqa: B023
            check = median_ms(lambda: check_file(path, packs), reps)  # noqa: B023
            kb = len(data) / 1024
            print(f"{copies:>6} {kb:>8.1f} {read:>8.1f} {check:>9.1f} {check / kb:>12.2f}")


if __name__ == "__main__":
    main()
