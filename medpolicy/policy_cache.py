"""Checked policies kept on disk, so that a process need not parse and check again.

Parsing and checking a bundled policy takes most of a short process's time
(the grammar, the Lark lexers, the reachability probe), yet its result only
changes when the policy text, a module it imports, or medpolicy itself
changes.  Like Python's ``.pyc`` files, :func:`load_checked` keeps the
checked :class:`~medpolicy.model.Policy` (pickled, as Lark keeps its own
parse tables) under ``~/.cache/medpolicy/checked/`` and uses it again when:

* the policy file's text is byte for byte the one checked, read from the
  same path, under the same :class:`~medpolicy.limits.Limits`;
* every module it imported still has the text it had (each is hashed again);
* medpolicy's own code and grammar are unchanged (name, size and
  modification time of each file, and the version).

Anything else, an unreadable or corrupt entry included, is a miss: the
policy is loaded and checked as usual and the entry rewritten.  A policy
that fails to check is never cached, so its diagnostics always come from
the checker.  ``MEDPOLICY_NO_CACHE=1`` turns the cache off; ``XDG_CACHE_HOME``
moves it.  Only :func:`medpolicy.load_policy` (and so ``eval``) uses it;
``medpolicy check`` always checks.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Callable, Optional

from .limits import DEFAULT_LIMITS, Limits
from .model import Policy
from .resources import grammar_path
from .version import __version__

ENV_DISABLE = "MEDPOLICY_NO_CACHE"
_FORMAT = b"medpolicy-checked-1"


def cache_folder() -> Optional[Path]:
    """Where checked policies are kept, or None when the cache is off."""
    if os.environ.get(ENV_DISABLE, "") not in ("", "0"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache")
    return Path(base) / "medpolicy" / "checked"


@lru_cache(maxsize=1)
def code_fingerprint() -> bytes:
    """What identifies this medpolicy: its version and, for every source file and
    the grammar, the name, size and modification time (a stat each, no reading)."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(package.rglob("*.py")) + [grammar_path()]:
        stat = path.stat()
        digest.update(f"{path.relative_to(package.parent) if path.is_relative_to(package.parent) else path}"
                      f"\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.digest()


def _key(path: Path, data: bytes, limits: Limits) -> str:
    digest = hashlib.sha256(code_fingerprint())
    # Spans name files relative to the working folder, so the entry is only valid there.
    for part in (str(path.resolve()), os.getcwd()):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    digest.update(repr(limits).encode() + b"\0")
    digest.update(data)
    return digest.hexdigest()


def _sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


Checker = Callable[[Path, Limits], "tuple[Policy, dict[str, Path]]"]
"""Loads and checks a policy file: the checked policy, and the real path of
each module it imported by the path its spans show."""


def load_checked(path: Path, check: Checker, limits: Limits = DEFAULT_LIMITS) -> Policy:
    """The checked policy at ``path``: from the cache when it is still valid,
    otherwise from ``check(path, limits)`` (which is then cached)."""
    folder = cache_folder()
    if folder is None:
        return check(path, limits)[0]
    try:
        data = path.read_bytes()
    except OSError:
        return check(path, limits)[0]  # the loader says what is wrong
    entry = folder / f"{_key(path, data, limits)}.pickle"
    policy = _read(entry)
    if policy is not None:
        return policy
    policy, modules = check(path, limits)
    if policy.texts.get(policy.path, "").encode("utf-8") == data:
        _write(entry, policy, modules)
    return policy


def _read(entry: Path) -> Optional[Policy]:
    try:
        with entry.open("rb") as handle:
            if handle.read(len(_FORMAT)) != _FORMAT:
                return None
            modules, policy = pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
        return None
    for shown, digest in modules:
        try:
            if _sha(Path(shown).read_bytes()) != digest:
                return None
        except OSError:
            return None
    return policy if isinstance(policy, Policy) else None


def _write(entry: Path, policy: Policy, files: dict[str, Path]) -> None:
    modules = []
    for shown, text in policy.texts.items():
        if shown != policy.path:
            if shown not in files:
                return  # a module read from nowhere on disk cannot be checked again: keep nothing
            modules.append((str(files[shown].resolve()), _sha(text.encode("utf-8"))))
    tmp = None
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed, so that a process reading it never sees half a file.
        fd, tmp = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(_FORMAT)
            pickle.dump((modules, policy), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, entry)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


__all__ = ["load_checked", "cache_folder", "code_fingerprint", "ENV_DISABLE"]
