"""Portfolio runs on Dask: records/s with 1 and 2 local workers, scaling, peak memory.

Generates N contract records (JSON Lines) from the example contracts with varied values
(ids, titles, phones, totals; about one in five from a defect example), checks them
through the built-in packs on a `LocalCluster` (real scheduler and worker processes over
TCP) of 1, then 2 workers, and prints the figures as JSON, with a paper estimate of the
workers needed to re-check 10 million records in an hour.

    python bench/portfolio_bench.py                       # 100,000 records
    python bench/portfolio_bench.py --records 5000 --out bench/results/portfolio.json
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import random
import resource
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker.api import load_packs  # noqa: E402
from checker.inputs.loader import load_file  # noqa: E402
from checker.packs.pack import builtin_packs  # noqa: E402
from checker.portfolio import check_records  # noqa: E402
from checker.report import exact_json  # noqa: E402

TARGET_RECORDS = 10_000_000
TARGET_SECONDS = 3600


def _json_default(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date) else exact_json(v)


def _vary(data: dict[str, Any], n: int, rng: random.Random) -> dict[str, Any]:
    """A copy of an example with its own id, title, contact phones and (now and then) total."""
    out = copy.deepcopy(data)
    meta = out.setdefault("meta", {})
    meta["id"] = f"HT-{n:08d}"
    meta["title"] = f"{meta.get('title', '')}（{n % 89 + 1}）"
    for party in out.get("parties", []):
        contact = party.get("contact") if isinstance(party, dict) else None
        if isinstance(contact, dict) and isinstance(contact.get("phone"), str):
            contact["phone"] = f"0512-{rng.randint(60000000, 69999999)}"
    fees = out.get("fees")
    if isinstance(fees, dict) and rng.random() < 0.05 and isinstance(fees.get("total"), dict):
        amount = fees["total"].get("amount")
        if isinstance(amount, int | Decimal):  # an off total: an amounts-sum defect
            fees["total"]["amount"] = amount + 1000
    return out


def generate(path: Path, count: int, seed: int = 15) -> None:
    rng = random.Random(seed)
    good = [load_file(p).data for p in sorted((ROOT / "examples").glob("c*.yaml"))]
    bad = [load_file(p).data for p in sorted((ROOT / "examples" / "defects").glob("*.yaml"))]
    with open(path, "w", encoding="utf-8") as fh:
        for n in range(count):
            base = rng.choice(bad) if rng.random() < 0.2 else rng.choice(good)
            assert base is not None
            record = {"id": f"R{n:08d}", **_vary(base, n, rng)}
            fh.write(json.dumps(record, ensure_ascii=False, default=_json_default) + "\n")


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def run(path: Path, workers: int, partition_size: int) -> dict[str, Any]:
    from distributed import Client, LocalCluster

    packs = load_packs(list(builtin_packs()))
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            memory_limit=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        client.run(lambda: None)  # workers up and imported
        started = time.perf_counter()
        records = findings = 0
        for result in check_records([path], packs, client=client, partition_size=partition_size):
            records += 1
            findings += len(result.findings)
        seconds = time.perf_counter() - started
        worker_peaks = client.run(_peak_rss_mib)
        scheduler_peak = client.run_on_scheduler(_peak_rss_mib)
    return {
        "workers": workers,
        "records": records,
        "findings": findings,
        "seconds": round(seconds, 1),
        "records_per_second": round(records / seconds, 1),
        "peak_rss_mib": {
            # LocalCluster runs the scheduler in this (the client's) process.
            "scheduler_and_client": round(scheduler_peak, 1),
            "workers": sorted(round(v, 1) for v in worker_peaks.values()),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--partition-size", type=int, default=500)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "records.jsonl"
        t = time.perf_counter()
        generate(path, args.records)
        size_mib = path.stat().st_size / 2**20
        print(f"generated {args.records} records ({size_mib:.0f} MiB) in "
              f"{time.perf_counter() - t:.0f} s", file=sys.stderr)  # fmt: skip
        runs = []
        for w in (int(x) for x in args.workers.split(",")):
            runs.append(run(path, w, args.partition_size))
            print(json.dumps(runs[-1]), file=sys.stderr)
    one = next((r for r in runs if r["workers"] == 1), runs[0])
    best = max(runs, key=lambda r: r["workers"])
    per_worker = best["records_per_second"] / best["workers"]
    needed = TARGET_RECORDS / TARGET_SECONDS
    result = {
        "records": args.records,
        "file_mib": round(size_mib, 1),
        "partition_size": args.partition_size,
        "cpus": os.cpu_count(),
        "runs": runs,
        "scaling": round(best["records_per_second"] / one["records_per_second"], 2),
        "estimate_10m_in_1h": {
            "records_per_second_needed": round(needed, 1),
            "records_per_second_per_worker": round(per_worker, 1),
            "workers": int(-(-needed // per_worker)),
        },
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
