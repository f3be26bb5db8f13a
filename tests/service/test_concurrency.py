"""Many clients at once: each gets the statement of its own scenario, none another's."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from .conftest import example, expected, served_examples, variant

THREADS, REQUESTS = 8, 200


def test_concurrent_clients_get_their_own_statements(server, policies):
    bases = [example(p.name) for p in served_examples()]
    # Distinct scenarios: thread t, request i scales the amounts of one example by its own factor.
    work = {t: [variant(bases[(t + i) % len(bases)], t * REQUESTS + i, f"t{t}-r{i}") for i in range(REQUESTS)]
            for t in range(THREADS)}
    answers: dict[int, list] = {}
    start = threading.Barrier(THREADS)

    def client_thread(t: int) -> None:
        out = []
        with server.client() as c:  # one keep-alive connection per thread
            start.wait()
            for i, scenario in enumerate(work[t]):
                # Half the requests without explanation and in English: different paths, same figures.
                lean = i % 2 == 1
                r = c.post("/v1/evaluate", json=scenario,
                           params={"lang": "en", "explain": "false"} if lean else {})
                out.append((r.status_code, r.json(), lean))
        answers[t] = out

    with ThreadPoolExecutor(THREADS) as pool:
        for f in [pool.submit(client_thread, t) for t in range(THREADS)]:
            f.result()

    for t in range(THREADS):
        assert len(answers[t]) == REQUESTS
        for scenario, (status, body, lean) in zip(work[t], answers[t]):
            assert status == 200, body
            assert body["person"] == scenario["person"]["id"]
            want = expected(policies, scenario, "en", explain=False) if lean else expected(policies, scenario)
            assert body == want
