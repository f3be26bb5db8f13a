"""Fixtures of the service tests: real uvicorn servers on loopback, and scenarios to send them.

A :class:`Server` is ``python -m medpolicy.service`` in a subprocess, bound to
127.0.0.1 on a free port, with its own cache folder (so that tests never
write to the user's cache) and its log kept in a file the tests can read.
(This folder is a package so that this file does not take the name
``conftest`` from ``tests/conftest.py``, which other tests import.)
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

import medpolicy
from medpolicy.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
POLICIES = ROOT / "policies"
BUNDLED = ("karamay", "lanzhou", "shanghai")
CENT = Decimal("0.01")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``python -m medpolicy.service ARGS`` on a free loopback port, until :meth:`stop`."""

    def __init__(self, tmp: Path, *args: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp / f"server-{self.port}.log"
        env = dict(os.environ, XDG_CACHE_HOME=str(tmp / "cache"), PYTHONUNBUFFERED="1")
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "medpolicy.service", "--host", "127.0.0.1", "--port", str(self.port), *args],
            stdout=self.log, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{self.output()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"server did not answer:\n{self.output()}")

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def client(self, **kwargs) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, **kwargs)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The bundled policies, reloading off, small limits so that limit tests stay fast."""
    srv = Server(tmp_path_factory.mktemp("server"), "--reload-interval", "0", "--max-body-bytes", "65536",
                 "--max-batch", "20", "--max-claims", "50", "--log-level", "warning")
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def client(server):
    with server.client() as c:
        yield c


@pytest.fixture(scope="session")
def policies():
    """The bundled policies compiled in this process, to compare the service's answers with."""
    return {pid: medpolicy.load_policy(pid) for pid in BUNDLED}


def example(name: str) -> dict:
    return load_scenario(EXAMPLES / name)


def served_examples() -> list[Path]:
    """The examples of the bundled policies, which the service serves by id (examples/qinghe is not one)."""
    return sorted(p for p in EXAMPLES.glob("*.yaml") if example(p.name)["policy"] in BUNDLED)


def to_json(data) -> object:
    """A scenario with its Decimals as strings (the JSON contract accepts decimal strings)."""
    if isinstance(data, dict):
        return {k: to_json(v) for k, v in data.items()}
    if isinstance(data, list):
        return [to_json(v) for v in data]
    if isinstance(data, Decimal):
        return str(data)
    return data


def variant(data: dict, k: int, person: str) -> dict:
    """A scenario like ``data`` with every amount scaled by (1 + k/997), so that each k gives other figures."""
    factor = 1 + Decimal(k) / 997
    out = json.loads(json.dumps(to_json(data)))
    out["person"]["id"] = person
    for claim in out["claims"]:
        total = (Decimal(claim["total"]) * factor).quantize(CENT)
        if "covered" in claim:
            claim["covered"] = str(min((Decimal(claim["covered"]) * factor).quantize(CENT), total))
        claim["total"] = str(total)
    return out


def expected(policies: dict, scenario: dict, lang: str = "zh", explain: bool = True) -> dict:
    statement = medpolicy.evaluate(policies[scenario["policy"]], scenario, explain=explain)
    return json.loads(json.dumps(medpolicy.statement_dict(statement, lang), ensure_ascii=False))


def copy_policy(folder: Path, policy_id: str = "karamay") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(POLICIES / f"{policy_id}.mpol", folder / f"{policy_id}.mpol"))
