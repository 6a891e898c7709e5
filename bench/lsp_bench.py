"""Language-server benchmark: milliseconds from a change of a pack file to its diagnostics.

    python bench/lsp_bench.py [--reps 30] [PACK]

Starts `python -m checker lsp`, opens PACK (default: the built-in prc-service-contract
pack, which extends `drafting`) as an editor does, waits for the first analysis (the
grammar, the schema and the packs it extends are loaded once), then sends --reps
`didChange` notifications, each a real edit of the text (a rule's title changes), and
times each until `publishDiagnostics` arrives. Prints the median and the slowest; the
quality bar is a median under 100 ms. The client is the one the tests drive the server
with (tests/lspclient.py).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from lspclient import Client  # noqa: E402

from checker.api import Pack  # noqa: E402
from checker.packs.pack import builtin_packs  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "pack", nargs="?", type=Path, default=builtin_packs()["prc-service-contract"]
    )
    parser.add_argument("--reps", type=int, default=30)
    args = parser.parse_args()
    path: Path = args.pack.resolve()
    text = path.read_text(encoding="utf-8")
    rules = len(Pack(path).rules)
    client = Client(path.parent)
    try:
        t0 = time.perf_counter()
        doc = client.open(path)
        problems = client.diagnostics(doc)
        first = (time.perf_counter() - t0) * 1000
        assert problems == [], problems
        times = []
        for i in range(args.reps):
            edited = text.replace("title: ", f"title: v{i} ", 1)
            t0 = time.perf_counter()
            client.change(doc, edited)
            problems = client.diagnostics(doc)
            times.append((time.perf_counter() - t0) * 1000)
            assert problems == [], problems
    finally:
        client.close()
    print(f"{path.parent.name}: {rules} rules (with those it extends), {len(text):,} characters")
    print(f"first analysis (start-up included): {first:.0f} ms")
    print(
        f"didChange -> publishDiagnostics over {args.reps} edits: "
        f"median {statistics.median(times):.1f} ms, slowest {max(times):.1f} ms"
    )


if __name__ == "__main__":
    main()
