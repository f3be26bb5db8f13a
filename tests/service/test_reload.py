"""Policies reload when their files change; a broken edit never takes a policy down."""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

import medpolicy

from .conftest import POLICIES, Server, copy_policy

INPATIENT = {"policy": "karamay", "person": {"id": "p", "continuous_years": 1},
             "claims": [{"id": "a", "date": "2026-03-01", "care": "inpatient", "level": "1", "total": "10000.00"}]}
OLD_RATIO, NEW_RATIO = '"1": 85%', '"1": 95%'


def write(path: Path, text: str, atomic: bool = True) -> None:
    if atomic:  # as most editors save: a new file renamed over the old one
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    else:
        path.write_text(text, encoding="utf-8")


def wait_for(predicate, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out")


def fund(client) -> str:
    r = client.post("/v1/evaluate", json=INPATIENT, params={"explain": "false"})
    assert r.status_code == 200, r.text
    return r.json()["totals"]["basic_fund"]


@pytest.fixture()
def served(tmp_path):
    folder = tmp_path / "policies"
    path = copy_policy(folder)
    (folder / "broken.mpol").write_text("policy broken {\n  title \"x\"\n", encoding="utf-8")
    srv = Server(tmp_path, "--policies", str(folder), "--reload-interval", "0.1", "--log-level", "info")
    with srv.client() as client:
        yield srv, client, path
    srv.stop()


def test_edit_reloads_and_broken_edit_keeps_the_old_version(served):
    srv, client, path = served
    original = path.read_text(encoding="utf-8")
    assert OLD_RATIO in original
    before = client.get("/v1/policies/karamay").json()
    old_fund = fund(client)

    # 1. An edited ratio is served after the next poll.
    write(path, original.replace(OLD_RATIO, NEW_RATIO), atomic=False)
    wait_for(lambda: client.get("/v1/policies/karamay").json()["content_hash"] != before["content_hash"])
    new_fund = fund(client)
    assert new_fund != old_fund
    detail = client.get("/v1/policies/karamay").json()
    assert detail["status"] == "ok" and detail["generation"] > before["generation"]
    assert NEW_RATIO in detail["texts"][detail["path"]]

    # 2. A broken edit: the last good version keeps serving, the error is shown as data and logged.
    write(path, original.replace(OLD_RATIO, '"1": 95% +'))
    detail = wait_for(lambda: (d := client.get("/v1/policies/karamay", params={"lang": "en"}).json())
                      ["status"] == "error" and d)
    assert detail["serving"] is True and NEW_RATIO in detail["texts"][detail["path"]]
    error = detail["last_error"]
    assert error["diagnostics"] and error["diagnostics"][0]["line"] > 1 and error["diagnostics"][0]["code"]
    assert error["sources"][error["diagnostics"][0]["file"]].count('"1": 95% +') == 1
    assert fund(client) == new_fund
    listed = {p["id"]: p for p in client.get("/v1/policies").json()["policies"]}
    assert listed["karamay"]["status"] == "error" and listed["karamay"]["serving"] is True
    wait_for(lambda: "policy karamay" in srv.output() and "failed to load" in srv.output())

    # 3. Fixed again: back to ok, with the original figures.
    write(path, original)
    wait_for(lambda: client.get("/v1/policies/karamay").json()["status"] == "ok")
    assert fund(client) == old_fund


def test_policy_broken_at_start_is_listed_and_answers_503(served):
    srv, client, _ = served
    listed = {p["id"]: p for p in client.get("/v1/policies").json()["policies"]}
    assert listed["broken"] == dict(listed["broken"], status="error", serving=False, title=None)
    r = client.post("/v1/evaluate", json=dict(INPATIENT, policy="broken"))
    assert r.status_code == 503 and r.headers["content-type"] == "application/problem+json"
    detail = client.get("/v1/policies/broken").json()
    assert detail["last_error"]["diagnostics"]
    assert client.get("/healthz").json()["policies_with_errors"] == 1


def test_new_policy_file_is_picked_up(served):
    srv, client, path = served
    (path.parent / "second.mpol").write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    wait_for(lambda: client.get("/v1/policies/second").status_code == 200)
    assert fund(client) == client.post("/v1/evaluate", json=dict(INPATIENT, policy="second"),
                                       params={"explain": "false"}).json()["totals"]["basic_fund"]


def figure_of(text: str, path: Path) -> str:
    """The basic fund of INPATIENT under a policy text, computed in this process."""
    policy = medpolicy.check_source(text, str(path), root=path.parent)
    return medpolicy.statement_dict(medpolicy.evaluate(policy, INPATIENT, explain=False))["totals"]["basic_fund"]


def test_reload_under_load_drops_no_request(served):
    srv, client, path = served
    original = path.read_text(encoding="utf-8")
    edited = original.replace(OLD_RATIO, NEW_RATIO)
    old_fund, new_fund = figure_of(original, path), figure_of(edited, path)
    assert old_fund != new_fund and fund(client) == old_fund
    stop = threading.Event()
    seen: list[tuple[int, str]] = []
    lock = threading.Lock()

    def hammer():
        with srv.client() as c:
            while not stop.is_set():
                r = c.post("/v1/evaluate", json=INPATIENT, params={"explain": "false"})
                figure = r.json()["totals"]["basic_fund"] if r.status_code == 200 else r.text
                with lock:
                    seen.append((r.status_code, figure))

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        time.sleep(0.3)
        for i in range(6):  # flip the ratio back and forth, in place and by rename
            write(path, edited if i % 2 == 0 else original, atomic=i % 3 == 0)
            time.sleep(0.35)
        # Reloads read the file as it is when they run, and lag behind while the server is
        # busy: the last version is made unique (a comment) so that it can be told from the
        # same figures of an earlier version, and awaited by its content hash.
        final = edited + "\n# final\n"
        final_hash = medpolicy.check_source(final, str(path), root=path.parent).content_hash
        write(path, final)
        wait_for(lambda: client.get("/v1/policies/karamay").json()["content_hash"] == final_hash)
        time.sleep(0.3)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert fund(client) == new_fund
    statuses = {status for status, _ in seen}
    figures = {figure for _, figure in seen}
    assert statuses == {200}, [s for s in seen if s[0] != 200][:3]
    assert figures == {old_fund, new_fund}
    assert len(seen) > 50


def test_editing_an_imported_module_reloads_the_policy(tmp_path):
    """The watcher follows imports: a module beside the policy is watched like the policy itself."""
    folder = tmp_path / "policies"
    copy_policy(folder)
    module = folder / "shared" / "national_waiting_period.mpol"
    module.parent.mkdir()
    module.write_text((POLICIES / "shared" / "national_waiting_period.mpol").read_text(encoding="utf-8"),
                      encoding="utf-8")
    srv = Server(tmp_path, "--policies", str(folder), "--reload-interval", "0.1", "--log-level", "warning")
    try:
        with srv.client() as client:
            def fixed_wait():
                params = client.get("/v1/policies/karamay").json()["parameters"]
                return next(p for p in params if p["name"] == "fixed_wait")

            assert fixed_wait()["value"] == {"type": "months", "value": 3}
            assert fixed_wait()["file"] == str(module.resolve())  # the copy is imported, not the bundled one
            text = module.read_text(encoding="utf-8")
            write(module, text.replace("param fixed_wait \"固定待遇等待期\" = 3 months",
                                       "param fixed_wait \"固定待遇等待期\" = 5 months"))
            wait_for(lambda: fixed_wait()["value"] == {"type": "months", "value": 5})
    finally:
        srv.stop()


def test_deleted_policy_keeps_serving_with_the_loss_shown(served):
    srv, client, path = served
    figure = fund(client)
    path.unlink()
    detail = wait_for(lambda: (d := client.get("/v1/policies/karamay").json())["status"] == "error" and d)
    assert detail["serving"] is True and detail["last_error"]["message"]
    assert fund(client) == figure
    copy_policy(path.parent)
    wait_for(lambda: client.get("/v1/policies/karamay").json()["status"] == "ok")
