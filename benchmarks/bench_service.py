"""Benchmark of the HTTP service: requests per second and latency of POST /v1/evaluate.

Run:  python3 benchmarks/bench_service.py [--seconds S] [--clients 1,4,8] [--scenario FILE] [--url URL]

Starts ``python -m medpolicy.service`` on a free loopback port (or uses the
server at --url), then, for each number of clients, runs that many threads,
each with its own keep-alive connection (``http.client``, lighter than a
full client library, so that the load generator takes as little of the
machine as it can), posting the same typical scenario (default
``examples/karamay-inpatient-levels.yaml``, sent as JSON) for S seconds,
with and without the explanation.  Every answer must be 200 and equal the
statement the library computes in this process; otherwise the benchmark
stops with status 1.

Reports, per run: requests/s, p50 and p99 latency (ms), and the machine
(platform, Python, CPUs) and whether uvicorn found httptools and uvloop.
The client and the server share the machine's CPUs: on a small machine the
client's share is a large part of the cost.  Not a test: nothing is asserted
about speed.
"""
from __future__ import annotations

import argparse
import http.client
import importlib.util
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

import medpolicy  # noqa: E402
from medpolicy.scenario import load_scenario  # noqa: E402


def _plain(data):
    if isinstance(data, dict):
        return {k: _plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_plain(v) for v in data]
    return str(data) if isinstance(data, Decimal) else data


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(cache: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(os.environ, XDG_CACHE_HOME=str(cache))
    proc = subprocess.Popen([sys.executable, "-m", "medpolicy.service", "--port", str(port), "--reload-interval", "0",
                             "--log-level", "warning"], cwd=REPO, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc, url
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("the server did not start")


def run(url: str, body: bytes, query: str, clients: int, seconds: float, expected: dict) -> dict:
    parts = urlsplit(url)
    latencies: list[list[float]] = [[] for _ in range(clients)]
    failures: list[str] = []
    start, stop = threading.Barrier(clients + 1), threading.Event()

    def client(i: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        headers = {"Content-Type": "application/json"}
        start.wait()
        mine = latencies[i]
        while not stop.is_set():
            t0 = time.perf_counter()
            conn.request("POST", "/v1/evaluate" + query, body, headers)
            response = conn.getresponse()
            data = response.read()
            mine.append(time.perf_counter() - t0)
            if response.status != 200 or (len(mine) % 50 == 1 and json.loads(data) != expected):
                failures.append(f"{response.status}: {data[:300]!r}")
                stop.set()
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    if failures:
        raise SystemExit(f"wrong answer: {failures[0]}")
    every = sorted(x for mine in latencies for x in mine)
    p99 = every[min(len(every) - 1, int(len(every) * 0.99))]
    return {"requests": len(every), "rps": len(every) / elapsed, "p50_ms": every[len(every) // 2] * 1000,
            "p99_ms": p99 * 1000}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0, help="duration of each run (default 5)")
    ap.add_argument("--clients", default="1,4,8", help="client thread counts, comma-separated (default 1,4,8)")
    ap.add_argument("--scenario", type=Path, default=REPO / "examples" / "karamay-inpatient-levels.yaml")
    ap.add_argument("--url", help="benchmark a running server instead of starting one")
    args = ap.parse_args()

    scenario = _plain(load_scenario(args.scenario))
    policy = medpolicy.load_policy(scenario["policy"])
    body = json.dumps(scenario).encode("utf-8")
    expected = {explain: json.loads(json.dumps(medpolicy.statement_dict(
        medpolicy.evaluate(policy, scenario, explain=explain), "zh"))) for explain in (True, False)}
    in_process = {}
    for explain in (True, False):
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < 1.0:
            medpolicy.statement_dict(medpolicy.evaluate(policy, scenario, explain=explain), "zh")
            n += 1
        in_process[explain] = (time.perf_counter() - t0) / n * 1000

    print(f"machine: {platform.platform()}; Python {platform.python_version()}; {os.cpu_count()} CPUs "
          f"({platform.processor() or platform.machine()})")
    print(f"uvicorn with httptools: {importlib.util.find_spec('httptools') is not None}; "
          f"uvloop: {importlib.util.find_spec('uvloop') is not None}")
    print(f"scenario: {args.scenario.relative_to(REPO) if args.scenario.is_relative_to(REPO) else args.scenario} "
          f"({len(scenario['claims'])} claims, {len(body)} bytes); statement "
          f"{len(json.dumps(expected[True], ensure_ascii=False).encode())} bytes explained, "
          f"{len(json.dumps(expected[False], ensure_ascii=False).encode())} without")
    print(f"in-process evaluate + statement_dict: {in_process[True]:.2f} ms explained, "
          f"{in_process[False]:.2f} ms without")

    proc = None
    with tempfile.TemporaryDirectory() as cache:
        if args.url:
            url = args.url.rstrip("/")
        else:
            proc, url = start_server(Path(cache))
        try:
            print(f"\n{'explain':>8} {'clients':>8} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
            for explain in (True, False):
                query = "" if explain else "?explain=false"
                run(url, body, query, 1, 0.5, expected[explain])  # warm-up
                for clients in [int(c) for c in args.clients.split(",")]:
                    r = run(url, body, query, clients, args.seconds, expected[explain])
                    print(f"{str(explain).lower():>8} {clients:>8} {r['requests']:>9} {r['rps']:>8.0f} "
                          f"{r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f}", flush=True)
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
