"""How fast each stage is: parse, check, evaluate, render.

Run:  python3 benchmarks/bench_pipeline.py [--claims N] [--repeat R]

Prints the best of R runs for each stage on each bundled policy, and the
evaluation throughput on a generated year of N claims. Speed is measured
here, never asserted in the test suite.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import medpolicy  # noqa: E402
from medpolicy.loader import load, resolve  # noqa: E402
from medpolicy.parser import parse  # noqa: E402


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def year_of_claims(policy, n: int) -> dict:
    levels = sorted(policy.levels)
    cares = ["outpatient", "emergency", "inpatient"]
    conditions = sorted(policy.conditions)
    claims = []
    for i in range(n):
        day = policy.start + dt.timedelta(days=(i * 7) % 360)
        claim = {"id": f"c{i}", "date": day.isoformat(), "care": cares[i % 3], "level": levels[i % len(levels)],
                 "institution": f"H{i % 4}", "total": f"{(i * 137) % 20000 + 50}.00"}
        if conditions and i % 5 == 0:
            claim["condition"] = conditions[i % len(conditions)]
        claims.append(claim)
    return {"person": {"id": "bench", "certified": conditions[:2]}, "claims": claims}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--claims", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    print(f"{'policy':10} {'parse ms':>9} {'load+check ms':>14} {'eval ms':>9} {'claims/s':>9} "
          f"{'render ms':>10} {'peak MiB':>9}")
    for name in ("karamay", "lanzhou", "shanghai"):
        path = resolve(name)
        text = path.read_text(encoding="utf-8")
        parse_s = best(lambda: parse(text, name), args.repeat)
        check_s = best(lambda: medpolicy.check(load(path)), args.repeat)
        policy = medpolicy.check(load(path))
        data = year_of_claims(policy, args.claims)
        eval_s = best(lambda: medpolicy.evaluate(policy, data), args.repeat)
        statement = medpolicy.evaluate(policy, data)
        render_s = best(lambda: medpolicy.render_json(statement), args.repeat)
        tracemalloc.start()
        medpolicy.evaluate(policy, data)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        print(f"{name:10} {parse_s * 1e3:9.1f} {check_s * 1e3:14.1f} {eval_s * 1e3:9.1f} "
              f"{args.claims / eval_s:9.0f} {render_s * 1e3:10.1f} {peak:9.1f}")


if __name__ == "__main__":
    main()
