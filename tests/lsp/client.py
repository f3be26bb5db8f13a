"""A small LSP client for the tests: ``medpolicy lsp`` in a subprocess, spoken to over its stdio.

Messages are JSON-RPC framed by ``Content-Length`` headers.  A reader thread
queues what the server says; every wait has a timeout, so a server that hangs
fails the test instead of blocking the suite.
"""
from __future__ import annotations

import itertools
import json
import queue
import subprocess
import threading
from pathlib import Path
from typing import Any, Callable, Optional

TIMEOUT_S = 30


class LspClient:
    def __init__(self, args: list[str], cwd, env: dict, log: Path):
        self.log = log
        with open(log, "wb") as stderr:
            self.process = subprocess.Popen(args, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                            stderr=stderr)
        self.ids = itertools.count(1)
        self.inbox: queue.Queue = queue.Queue()
        self.notifications: list[dict] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    self.inbox.put(None)  # the server closed its output
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            self.inbox.put(json.loads(stream.read(length).decode("utf-8")))

    def send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}, ensure_ascii=False).encode("utf-8")
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def notify(self, method: str, params: Any) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: Any, timeout: float = TIMEOUT_S) -> dict:
        """The server's whole response (``result`` or ``error``) to a request."""
        ident = next(self.ids)
        self.send({"id": ident, "method": method, "params": params})
        return self._wait(lambda m: m.get("id") == ident and "method" not in m, timeout)

    def notification(self, method: str, where: Callable[[dict], bool] = lambda params: True,
                     timeout: float = TIMEOUT_S) -> dict:
        """The params of the first notification ``method`` (received or to come) that ``where`` accepts."""
        for i, message in enumerate(self.notifications):
            if message["method"] == method and where(message["params"]):
                return self.notifications.pop(i)["params"]
        return self._wait(lambda m: m.get("method") == method and "id" not in m and where(m["params"]),
                          timeout)["params"]

    def _wait(self, wanted: Callable[[dict], bool], timeout: float) -> dict:
        while True:
            try:
                message: Optional[dict] = self.inbox.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no answer from the language server within {timeout} s" + self._told()) from None
            if message is None:
                raise AssertionError(f"the language server stopped (exit code {self.process.poll()})" + self._told())
            if wanted(message):
                return message
            if "method" in message and "id" in message:  # a request of the server's own: answer it
                self.send({"id": message["id"], "result": None})
            elif "method" in message:
                self.notifications.append(message)

    def _told(self) -> str:
        """What the server said besides the answer awaited: its notifications and its log."""
        log = self.log.read_text(encoding="utf-8", errors="replace")[-4000:]
        return f"\nnotifications: {self.notifications}\nserver log:\n{log}"

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=TIMEOUT_S)
