"""Benchmark for the issue "Population runs: batch evaluation on all cores and on a Dask cluster".

Run:  python3 benchmarks/bench_batch.py [--quick] [--claims N] [--explain-claims N] [--memory-sizes A,B]
                                         [--huge] [--repeat R] [--sections abcde] [--keep DIR]

On a deterministic Karamay population written as JSON Lines (benchmarks/population.py,
40 claims a person), every figure a whole process, timed from outside:

(a) loading each bundled policy (parse + check + compile) with MEDPOLICY_NO_CACHE=1, in a
    fresh process: the first load (which also builds the grammar) and a later one;
(b) claims/s of ``medpolicy batch --workers 1``, with and without explanations;
(c) the hand-written Karamay adjudicator (benchmarks/handwritten.py) as a whole process
    reading the same JSON Lines and writing each person's totals, and the ratio
    ``medpolicy batch --workers 1 --no-explain`` / hand-written (target ≤ 1.5×).  Before
    the ratio is printed, the hand-written totals must equal medpolicy's for every person;
(d) ``--workers 2`` against ``--workers 1`` (target ≥ 1.7×);
(e) peak memory (peak RSS of the batch process and of its workers, VmHWM read from /proc)
    for inputs of growing size (100,000 and 1,000,000 claims; 10,000,000 with --huge): it
    should stay flat.

``medpolicy batch`` is the CLI when it has the command, else this script running
``medpolicy.batch.run_batch`` in a child process (the same code, without click).
The machine is shared: the load average is printed beside the figures, and CPU
seconds (user + system of the process and its workers) beside wall seconds.
Speed is measured here, never asserted by the test suite.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

CITIES = ("karamay", "lanzhou", "shanghai")
CLAIMS_PER_PERSON = 40
TARGET_RATIO = 1.5
TARGET_SPEEDUP = 1.7


# ---------------------------------------------------------------- children

def child_load(city: str) -> None:
    """(a), in a process of its own with MEDPOLICY_NO_CACHE=1."""
    import medpolicy

    start = time.perf_counter()
    medpolicy.load_policy(city)
    first = time.perf_counter() - start
    again = []
    for _ in range(5):
        start = time.perf_counter()
        medpolicy.load_policy(city)
        again.append(time.perf_counter() - start)
    print(json.dumps({"first": first, "again": min(again)}))


def child_batch(source: str, out: str, workers: int, explain: bool) -> None:
    """``medpolicy batch`` without click, for a medpolicy whose CLI has no batch command yet."""
    from medpolicy.batch import run_batch

    summary = run_batch(source, out, workers=workers, explain=explain, progress=False)
    print(json.dumps(summary.as_dict()))


def child_handwritten(source: str, out: str, shape: str = "totals") -> None:
    """(c): the plain adjudicator over the same JSON Lines, one line per person: its totals, or
    (``shape`` ``claims``) also every claim's figures, as medpolicy's statements carry them."""
    from handwritten import adjudicate

    with open(source, encoding="utf-8") as lines, open(out, "w", encoding="utf-8") as f:
        for line in lines:
            if not line.strip():
                continue
            data = json.loads(line, parse_float=Decimal)
            result = adjudicate(data["policy"], data)
            total, covered, basic, ci, patient = result.totals
            person = {"person": data["person"]["id"], "total": str(total), "covered": str(covered),
                      "basic_fund": str(basic), "critical_illness": str(ci), "patient": str(patient),
                      "premium": str(result.premium)}
            if shape == "claims":
                person["claims"] = claims = []
                for c in data["claims"]:
                    basic_c, ci_c, patient_c = result.claims[c["id"]]
                    claims.append({"id": c["id"], "date": c["date"], "total": c["total"],
                                   "covered": c.get("covered", c["total"]), "basic_fund": str(basic_c),
                                   "critical_illness": str(ci_c), "patient": str(patient_c)})
            f.write(json.dumps(person, ensure_ascii=False) + "\n")


# ---------------------------------------------------------------- helpers

def write_population(path: Path, claims: int, seed: int = 0) -> int:
    """Karamay persons of CLAIMS_PER_PERSON claims, generated a thousand at a time (never
    all in memory); ids made unique across the thousands.  Returns the claims written."""
    from population import population

    persons = max(1, claims // CLAIMS_PER_PERSON)
    written = 0
    with path.open("w", encoding="utf-8") as f:
        for block in range(0, persons, 1000):
            for i, scenario in enumerate(population("karamay", min(1000, persons - block), CLAIMS_PER_PERSON,
                                                    seed=seed * 100_000 + block // 1000)):
                scenario["person"]["id"] = f"ka-{block + i:08d}"
                f.write(json.dumps(scenario, ensure_ascii=False, separators=(",", ":")) + "\n")
                written += len(scenario["claims"])
    return written


def batch_command(source: Path, out: Path, workers: int, explain: bool) -> tuple[list[str], str]:
    script = Path(sys.executable).with_name("medpolicy")
    if script.exists() and cli_has_batch():
        cmd = [str(script), "batch", str(source), "--out", str(out), "--workers", str(workers), "--lang", "en"]
        return cmd + ([] if explain else ["--no-explain"]), "medpolicy batch (CLI)"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--batch-child", str(source), str(out), str(workers),
           "1" if explain else "0"]
    return cmd, "run_batch in a child process (the CLI has no batch command yet)"


def cli_has_batch() -> bool:
    done = subprocess.run([sys.executable, "-c", "import medpolicy.cli as c; print('batch' in c.main.commands)"],
                          capture_output=True, text=True)
    return done.stdout.strip() == "True"


def run(cmd: list[str], env: dict | None = None) -> None:
    """Run a process to its end (a warm-up, or an output needed afterwards)."""
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    if done.returncode not in (0, 3):
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr.decode(errors='replace')}")


def run_measured(cmd: list[str], env: dict | None = None, watch: bool = False) -> dict:
    """Wall and CPU seconds of a process and its workers, and their peak memory.

    CPU comes from os.wait4 (the child's rusage, its reaped workers included).  Memory is each
    process's peak RSS (VmHWM), read from /proc while the run lasts: ``main_mib`` the batch
    process's, ``tree_mib`` the sum over it and its workers.  Not ru_maxrss: on Linux a child
    spawned by this process starts with this process's high-water mark (fork/vfork, then exec
    keeps it), so it can never read lower than the benchmark's own size."""
    watcher = TreeWatcher()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    if watch:  # only where memory is measured: polling /proc takes a little CPU from the run
        watcher.start(proc.pid)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    watcher.stop()
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if proc.returncode not in (0, 3):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err}")
    main = watcher.peaks.get(proc.pid)
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "main_mib": main / 1024 if main else None,
            "tree_mib": watcher.total_mib(), "processes": len(watcher.peaks)}


class TreeWatcher:
    """Polls /proc (Linux) for the peak RSS of a process and of all its descendants."""

    def __init__(self, interval: float = 0.25):
        self.interval = interval
        self.peaks: dict[int, int] = {}
        self._stop = False
        self._thread = None

    def start(self, root: int) -> None:
        import threading

        if not Path("/proc/self/status").exists():
            return
        self._thread = threading.Thread(target=self._poll, args=(root,), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop = True
        if self._thread is not None:
            self._thread.join()

    def total_mib(self) -> float | None:
        return sum(self.peaks.values()) / 1024 if self.peaks else None

    def _poll(self, root: int) -> None:
        while not self._stop:
            parents = {}
            for entry in Path("/proc").iterdir():
                if entry.name.isdigit():
                    try:
                        stat = (entry / "stat").read_text()
                        parents[int(entry.name)] = int(stat[stat.rindex(")") + 2:].split()[1])
                    except (OSError, ValueError):
                        continue
            tree, grew = {root}, True
            while grew:
                more = {pid for pid, parent in parents.items() if parent in tree} - tree
                grew = bool(more)
                tree |= more
            for pid in tree:
                try:
                    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                        if line.startswith("VmHWM:"):
                            self.peaks[pid] = max(self.peaks.get(pid, 0), int(line.split()[1]))
                except (OSError, ValueError):
                    continue
            time.sleep(self.interval)


def best(cmd: list[str], repeat: int, env: dict | None = None) -> dict:
    runs = [run_measured(cmd, env) for _ in range(repeat)]
    return min(runs, key=lambda r: r["wall"])


def breakdown(source: Path, lines: int = 500) -> dict:
    """Per-claim CPU time of each step of a --no-explain batch, and of the hand-written run."""
    import medpolicy
    from handwritten import adjudicate
    from medpolicy.batch.writers import JsonlEncoder
    from medpolicy.evaluator import evaluate_scenario
    from medpolicy.scenario import parse_text, validate

    with source.open("rb") as f:
        raw = [f.readline() for _ in range(lines)]
    raw = [line for line in raw if line.strip()]
    policy = medpolicy.load_policy("karamay")
    claims = sum(len(json.loads(line)["claims"]) for line in raw)
    found: dict[str, float] = {}

    def timed(name, fn):
        times = []
        for _ in range(3):
            start = time.process_time()
            result = fn()
            times.append(time.process_time() - start)
        found[name] = min(times) / claims * 1e6
        return result

    data = timed("JSON parse", lambda: [parse_text(line.decode(), "json") for line in raw])
    scenarios = timed("validate", lambda: [validate(d, policy.levels, policy.conditions) for d in data])
    statements = timed("evaluate", lambda: [evaluate_scenario(policy, sc, explain=False) for sc in scenarios])

    def encode():
        encoder = JsonlEncoder("zh", explain=False)
        for statement in statements:
            encoder.add(statement)
        return encoder.finish()

    timed("encode", encode)
    hand = timed("hand parse", lambda: [json.loads(line, parse_float=Decimal) for line in raw])
    timed("hand adjudicate", lambda: [adjudicate("karamay", d) for d in hand])
    return found


def verdict(value: float, target: float, higher_is_better: bool = False) -> str:
    return "PASS" if (value >= target if higher_is_better else value <= target) else "FAIL"


def check_totals(medpolicy_out: Path, hand_out: Path) -> int:
    """The hand-written totals equal medpolicy's, person by person; returns the persons compared."""
    hand = [json.loads(line) for line in hand_out.read_text(encoding="utf-8").splitlines()]
    count = 0
    with medpolicy_out.open(encoding="utf-8") as f:
        for line, h in zip(f, hand, strict=True):
            s = json.loads(line)
            t = s["totals"]
            mine = {"person": s["person"], "total": t["total"], "covered": t["covered"],
                    "basic_fund": t["basic_fund"], "critical_illness": t["critical_illness"],
                    "patient": t["patient"], "premium": s["premium"]["personal"]}
            if {k: v if k == "person" else Decimal(v) for k, v in mine.items()} != \
                    {k: v if k == "person" else Decimal(v) for k, v in h.items()}:
                raise SystemExit(f"hand-written and medpolicy differ for {h['person']}:\n  {h}\n  {mine}")
            count += 1
    return count


# ---------------------------------------------------------------- main

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=100_000, help="claims of the (b)-(d) workload (default 100,000)")
    ap.add_argument("--explain-claims", type=int, default=20_000,
                    help="claims of the with-explanations workload (default 20,000)")
    ap.add_argument("--memory-sizes", default="100000,1000000", help="claims of the (e) inputs, comma-separated")
    ap.add_argument("--huge", action="store_true", help="also measure (e) on 10,000,000 claims (about 2 GB of JSON)")
    ap.add_argument("--repeat", type=int, default=3, help="repetitions of (b)-(d); the best is reported")
    ap.add_argument("--quick", action="store_true", help="smaller inputs, one repetition")
    ap.add_argument("--keep", type=Path, help="write the files here and keep them")
    ap.add_argument("--sections", default="abcde", help="which of (a)-(e) to run (default: abcde)")
    ap.add_argument("--load-child", help=argparse.SUPPRESS)
    ap.add_argument("--batch-child", nargs=4, help=argparse.SUPPRESS)
    ap.add_argument("--handwritten-child", nargs="+", help=argparse.SUPPRESS)
    ap.add_argument("--breakdown-child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.load_child:
        child_load(args.load_child)
        return 0
    if args.batch_child:
        source, out, workers, explain = args.batch_child
        child_batch(source, out, int(workers), explain == "1")
        return 0
    if args.handwritten_child:
        child_handwritten(*args.handwritten_child)
        return 0
    if args.breakdown_child:
        print(json.dumps(breakdown(args.breakdown_child)))
        return 0
    if args.quick:
        args.claims, args.explain_claims, args.repeat = 40_000, 8_000, 1
        args.memory_sizes = "100000,300000"
    sizes = [int(s) for s in args.memory_sizes.split(",") if s] + ([10_000_000] if args.huge else [])

    folder = args.keep or Path(tempfile.mkdtemp(prefix="medpolicy-bench-batch-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        return measure(args, folder, sizes)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


def measure(args, folder: Path, sizes: list[int]) -> int:
    failed = []
    print(f"machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs, "
          f"{platform.python_implementation()} {platform.python_version()}; "
          f"load average at start {os.getloadavg()[0]:.2f}")
    me = Path(__file__).resolve()

    # (a) loading, parse + check + compile: no cache of checked policies
    if "a" in args.sections:
        print("\n(a) policy load, parse + check + compile (MEDPOLICY_NO_CACHE=1), in a fresh process")
        print(f"{'policy':9} {'first in process ms':>20} {'again ms':>9}")
        env = dict(os.environ, MEDPOLICY_NO_CACHE="1")
        for city in CITIES:
            done = subprocess.run([sys.executable, str(me), "--load-child", city], capture_output=True, text=True,
                                  env=env)
            if done.returncode:
                print(f"{city:9} failed: {done.stderr.strip().splitlines()[-1:]}")
                continue
            t = json.loads(done.stdout)
            print(f"{city:9} {t['first'] * 1e3:20.1f} {t['again'] * 1e3:9.1f}")
        print("  first: also builds the Lark grammar; later runs use the cache of checked policies (as below)")

    source = folder / "population.jsonl"
    claims = write_population(source, args.claims)
    small = folder / "population-explain.jsonl"
    explain_claims = write_population(small, args.explain_claims)
    cmd, how = batch_command(source, folder / "out.jsonl", 1, False)
    run(cmd)  # fills the cache of checked policies, warms the file cache
    print(f"\nworkload: {claims:,} Karamay claims ({claims // CLAIMS_PER_PERSON:,} persons, JSON Lines, "
          f"{source.stat().st_size / 2**20:.0f} MiB); with explanations {explain_claims:,} claims")
    print(f"medpolicy batch = {how}; best of {args.repeat}")

    one: dict[bool, dict] = {}
    # (b) one core
    if "b" in args.sections:
        print("\n(b) one core: medpolicy batch --workers 1, whole process")
        print(f"{'':28} {'claims':>9} {'wall s':>8} {'CPU s':>7} {'claims/s':>9}")
        for label, path, n, explain in (("with explanations", small, explain_claims, True),
                                        ("--no-explain", source, claims, False)):
            cmd, _ = batch_command(path, folder / "out.jsonl", 1, explain)
            r = best(cmd, args.repeat)
            one[explain] = r
            print(f"{label:28} {n:9,d} {r['wall']:8.2f} {r['cpu']:7.2f} {n / r['wall']:9,.0f}")
        cmd, _ = batch_command(source, folder / "out.parquet", 1, False)
        r = best(cmd, args.repeat)
        print(f"{'--no-explain, Parquet out':28} {claims:9,d} {r['wall']:8.2f} {r['cpu']:7.2f} "
              f"{claims / r['wall']:9,.0f}")

    # (c) the hand-written adjudicator, whole process
    if "c" in args.sections:
        hand_out = folder / "hand.jsonl"
        hand = best([sys.executable, str(me), "--handwritten-child", str(source), str(hand_out)], args.repeat)
        cmd, _ = batch_command(source, folder / "out.jsonl", 1, False)
        run(cmd)
        persons = check_totals(folder / "out.jsonl", hand_out)
        if False not in one:  # (b) not run
            one[False] = best(batch_command(source, folder / "out.jsonl", 1, False)[0], args.repeat)
        ratio = one[False]["wall"] / hand["wall"]
        v = verdict(ratio, TARGET_RATIO)
        failed += ["(c) ratio"] if v == "FAIL" else []
        print(f"\n(c) hand-written Karamay adjudicator, whole process, same JSON Lines, writing totals: "
              f"{hand['wall']:.2f} s wall ({claims / hand['wall']:,.0f} claims/s); totals equal medpolicy's "
              f"for all {persons:,} persons")
        print(f"    medpolicy batch --workers 1 --no-explain / hand-written: {ratio:.2f}× "
              f"(target ≤ {TARGET_RATIO}×: {v})")
        # The same adjudicator writing every claim's figures as well: how much of the ratio is the
        # size of the output the contract asks for, rather than the engine.
        full = best([sys.executable, str(me), "--handwritten-child", str(source), str(folder / "hand-claims.jsonl"),
                     "claims"], args.repeat)
        print(f"    hand-written also writing each claim's id, date and amounts: {full['wall']:.2f} s wall; "
              f"medpolicy / that: {one[False]['wall'] / full['wall']:.2f}×")
        # In a child: the benchmark process itself stays small (it spawns every measured process).
        done = subprocess.run([sys.executable, str(me), "--breakdown-child", str(source)], capture_output=True,
                              text=True)
        steps = json.loads(done.stdout)
        print("    where the time goes, in one process, µs per claim (best of 3): medpolicy "
              + ", ".join(f"{k} {v:.1f}" for k, v in steps.items() if not k.startswith("hand"))
              + f"; hand-written: JSON parse {steps['hand parse']:.1f}, adjudicate {steps['hand adjudicate']:.1f}")

    # (d) two workers
    if "d" in args.sections:
        print(f"\n(d) workers 2 vs 1, runs alternated (1, 2, 1, 2, …) so that the machine's load weighs on "
              f"both alike; best of {args.repeat} each (load average now {os.getloadavg()[0]:.2f})")
        print(f"{'':28} {'1 worker s':>11} {'2 workers s':>12} {'speed-up':>9} {'CPU s (1)':>10} {'CPU s (2)':>10}")
        for label, path, explain in (("--no-explain", source, False), ("with explanations", small, True)):
            runs: dict[int, list] = {1: [], 2: []}
            for _ in range(args.repeat):
                for workers in (1, 2):
                    runs[workers].append(run_measured(batch_command(path, folder / "out.jsonl", workers, explain)[0]))
            w1, w2 = (min(runs[w], key=lambda r: r["wall"]) for w in (1, 2))
            speedup = w1["wall"] / w2["wall"]
            v = verdict(speedup, TARGET_SPEEDUP, higher_is_better=True)
            failed += [f"(d) speed-up {label}"] if v == "FAIL" else []
            print(f"{label:28} {w1['wall']:11.2f} {w2['wall']:12.2f} {speedup:8.2f}× {w1['cpu']:10.2f} "
                  f"{w2['cpu']:10.2f}   target ≥ {TARGET_SPEEDUP}×: {v}")
        print("  CPU s: user + system of the process and its workers; more CPU for the same work means the "
              "two cores were not the run's alone (other processes, the hypervisor)")

    # (e) memory
    if "e" in args.sections:
        print("\n(e) peak memory of medpolicy batch --no-explain: peak RSS (VmHWM, read from /proc while it runs) "
              "of the batch process, and the sum over it and its workers")
        print(f"{'claims':>11} {'input MiB':>10} {'workers':>8} {'wall s':>8} {'batch process MiB':>18} "
              f"{'all processes MiB':>18}")
        for n in sizes:
            path = folder / f"population-{n}.jsonl"
            written = write_population(path, n, seed=1)
            for workers in (1, 2):
                cmd, _ = batch_command(path, folder / "mem.jsonl", workers, False)
                r = run_measured(cmd, watch=True)
                main = f"{r['main_mib']:.1f}" if r["main_mib"] else "n/a"
                tree = f"{r['tree_mib']:.1f} ({r['processes']})" if r["tree_mib"] else "n/a"
                print(f"{written:11,d} {path.stat().st_size / 2**20:10.0f} {workers:8d} {r['wall']:8.1f} "
                      f"{main:>18} {tree:>18}")
            path.unlink()

    print(f"\nload average at the end {os.getloadavg()[0]:.2f}")
    print("targets failed: " + (", ".join(failed) if failed else "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
