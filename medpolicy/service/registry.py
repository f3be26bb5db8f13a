"""The policies a service serves: compiled once at start, reloaded when their files change.

:class:`Registry` maps a policy id (its file name without ``.mpol``) to an
:class:`Entry`: the compiled policy, its description, the files it was read
from with their modification stamps, and the last load error.  Entries are
immutable and the map is replaced whole (copy on write), so a request that
looked up an entry keeps one consistent compiled policy to the end, whatever
a reload does meanwhile: no request ever sees a half-loaded policy.

A watcher thread (:meth:`Registry.start`) polls, every few seconds, the
stamps (modification time, size, inode) of each policy file and of every
module it imports, and the policy folders for files added.  A changed policy
is loaded again; if the new text fails to load or check, the old compiled
version keeps serving, the error is logged and kept in the entry
(``last_error``, shown at ``/v1/policies/{id}``).  A policy that fails at
start is listed with status ``error`` and answers 503 until its file is
fixed.  Polling needs no dependency and works on every file system; its cost
is one ``stat`` per file per interval.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from pathlib import Path
from typing import Any, Optional

import attrs

from .. import load_policy
from ..diagnostics import render_all
from ..errors import MedpolicyError, PolicyError
from ..limits import Limits
from ..loader import available_policies
from ..program import CompiledPolicy
from ..resources import bundled_policies
from ..describe import describe

log = logging.getLogger("medpolicy.service")

Stamp = Optional[tuple[int, int, int]]
"""(mtime_ns, size, inode) of a file, None when it is missing."""


@attrs.frozen
class LoadError:
    """Why the last load of a policy failed, as data."""

    at: str
    """When (UTC, ISO 8601)."""
    message: str
    """In English, as logged."""
    error: Optional[MedpolicyError] = attrs.field(default=None, eq=False, repr=False)
    """The library error, to word it again per request language."""

    def as_dict(self, lang: str) -> dict[str, Any]:
        diagnostics = getattr(self.error, "diagnostics", None) or []
        text = self.error.text(lang) if self.error is not None else self.message
        return {"at": self.at, "message": text, "diagnostics": [d.as_dict(lang) for d in diagnostics]}


@attrs.frozen
class Entry:
    id: str
    path: Path
    policy: Optional[CompiledPolicy]
    """What requests evaluate with; None only if the policy never loaded."""
    description: Optional[dict] = attrs.field(repr=False)
    stamps: dict[Path, Stamp] = attrs.field(repr=False)
    """Every file the policy was read from (itself and its modules) → its stamp when read."""
    loaded_at: Optional[str] = None
    """When ``policy`` was loaded (UTC, ISO 8601)."""
    last_error: Optional[LoadError] = None
    """Set when the most recent load failed (the previous ``policy``, if any, still serves)."""
    generation: int = 0
    """How many times this policy has been loaded successfully."""

    @property
    def status(self) -> str:
        return "error" if self.last_error is not None else "ok"


def stamp(path: Path) -> Stamp:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def real_paths(shown: str) -> list[Path]:
    """The files a display path may name, resolved.

    :func:`medpolicy.loader.display_path` shows a bundled file as ``policies/…`` and any
    other relative to the working folder (or absolute), so ``policies/x.mpol`` may be
    either when the working folder has a ``policies`` folder of its own: both are watched
    (a needless reload is harmless; a missed one is not)."""
    path = Path(shown)
    if path.is_absolute():
        return [path.resolve()]
    found = [(Path.cwd() / path).resolve()]
    if path.parts[:1] == ("policies",):
        bundled = bundled_policies().joinpath(*path.parts[1:]).resolve()
        if bundled not in found and (bundled.exists() or not found[0].exists()):
            found.append(bundled)
    return found


class Registry:
    """The served policies, by id; see the module docstring."""

    def __init__(self, folder: Optional[Path], limits: Limits, interval_s: Optional[float] = None):
        self.folder = folder
        self.limits = limits
        self.interval_s = interval_s
        self._entries: dict[str, Entry] = {}
        self._write = threading.Lock()  # only one loader at a time; readers never lock
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    # -- reading (any thread, no lock: the map is replaced, never changed)
    def get(self, policy_id: str) -> Optional[Entry]:
        return self._entries.get(policy_id)

    def entries(self) -> list[Entry]:
        return sorted(self._entries.values(), key=lambda e: e.id)

    def ids(self) -> list[str]:
        return sorted(self._entries)

    # -- loading
    def discover(self) -> dict[str, Path]:
        """The policy files to serve, by id (paths resolved, as entries keep them)."""
        if self.folder is None:
            found = dict(available_policies())
        else:
            found = {p.stem: p for p in sorted(self.folder.glob("*.mpol")) if p.is_file()}
        return {policy_id: path.resolve() for policy_id, path in found.items()}

    def load_all(self) -> None:
        """Compile every policy found (at start)."""
        for policy_id, path in self.discover().items():
            self._reload(policy_id, path, None)

    def poll(self) -> list[str]:
        """One look at the files: reload what changed, add what appeared; the ids reloaded."""
        reloaded = []
        found = self.discover()
        for policy_id, path in found.items():
            entry = self._entries.get(policy_id)
            if entry is None or entry.path != path or any(stamp(f) != s for f, s in entry.stamps.items()):
                self._reload(policy_id, path, entry)
                reloaded.append(policy_id)
        for policy_id, entry in list(self._entries.items()):
            if policy_id not in found and entry.stamps.get(entry.path) is not None:
                # Gone from disk: the compiled version keeps serving and the loss is shown
                # (an editor that deletes before it writes must not take a policy down).
                self._reload(policy_id, entry.path, entry)
                reloaded.append(policy_id)
        return reloaded

    def _reload(self, policy_id: str, path: Path, old: Optional[Entry]) -> None:
        with self._write:
            # Stamps are taken before reading, so that an edit made during the load
            # differs from them and is loaded at the next poll.
            before = {f: stamp(f) for f in (old.stamps if old else ())}
            before[path] = stamp(path)
            try:
                policy = load_policy(path, limits=self.limits)
            except Exception as err:  # noqa: BLE001 - a reload must never stop the watcher or the service
                self._failed(policy_id, path, old, before, err)
                return
            try:
                description = describe(policy)
            except Exception:  # noqa: BLE001 - the policy evaluates even if describing it fails
                log.exception("could not describe policy %s; it is served without parameters", policy_id)
                description = None
            stamps = {path: before[path]}
            for shown in policy.texts:
                for module in real_paths(shown):
                    # A module new to this entry is stamped after it was read: an edit in between
                    # (milliseconds) would wait for the module's next change to be seen.
                    stamps.setdefault(module, before[module] if module in before else stamp(module))
            entry = Entry(policy_id, path, policy, description, stamps, _now(), None,
                          (old.generation if old else 0) + 1)
            self._entries = {**self._entries, policy_id: entry}  # the one atomic swap
            if old is not None:
                log.info("reloaded policy %s from %s (%s)", policy_id, path, policy.content_hash)

    def _failed(self, policy_id: str, path: Path, old: Optional[Entry], before: dict, err: Exception) -> None:
        if isinstance(err, PolicyError):
            message, sources = render_all(err.diagnostics, err.sources, "en"), err.sources
        elif isinstance(err, (MedpolicyError, OSError)):
            message, sources = str(err), {}
        else:
            log.exception("unexpected error loading policy %s from %s", policy_id, path)
            message, sources = f"unexpected error: {type(err).__name__}", {}
        serving = "the previous version keeps serving" if old and old.policy else "it is not served"
        log.error("policy %s (%s) failed to load; %s:\n%s", policy_id, path, serving, message)
        stamps = dict(before)
        for shown in sources:  # watch what was read too, so that fixing an import reloads
            for module in real_paths(shown):
                stamps.setdefault(module, stamp(module))
        error = LoadError(_now(), message, err if isinstance(err, MedpolicyError) else None)
        if old is None:
            entry = Entry(policy_id, path, None, None, stamps, None, error, 0)
        else:
            entry = attrs.evolve(old, path=path, stamps=stamps, last_error=error)
        self._entries = {**self._entries, policy_id: entry}

    # -- the watcher thread
    def start(self) -> None:
        if self.interval_s is None or self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._watch, name="medpolicy-reload", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _watch(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.poll()
            except Exception:  # noqa: BLE001 - the watcher outlives any one bad look
                log.exception("policy reload check failed")


__all__ = ["Registry", "Entry", "LoadError", "stamp", "real_paths"]
