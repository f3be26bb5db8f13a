"""The registry and the settings, in-process: what a poll reloads, and what it leaves alone."""
from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal

import pytest

from medpolicy.service import Settings
from medpolicy.service.registry import Registry

from .conftest import POLICIES, ROOT, copy_policy


@pytest.fixture()
def registry(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    copy_policy(tmp_path / "p")
    reg = Registry(tmp_path / "p", Settings().limits)
    reg.load_all()
    return reg


def bump(path, text):
    """Write ``text`` with a modification time surely different from the last one."""
    before = os.stat(path).st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 1_000_000_000, before + 1_000_000_000))


def test_stamps_cover_the_policy_and_its_modules(registry, tmp_path):
    entry = registry.get("karamay")
    assert entry.status == "ok" and entry.generation == 1
    assert (tmp_path / "p" / "karamay.mpol").resolve() in entry.stamps
    assert (POLICIES / "shared" / "national_waiting_period.mpol").resolve() in entry.stamps
    assert registry.poll() == []  # nothing changed: nothing reloaded


def test_a_broken_edit_is_tried_once_and_the_old_policy_kept(registry, tmp_path):
    path = tmp_path / "p" / "karamay.mpol"
    good = registry.get("karamay").policy
    bump(path, path.read_text(encoding="utf-8").replace("ratio 65%", "ratio 65% +", 1))
    assert registry.poll() == ["karamay"]
    entry = registry.get("karamay")
    assert entry.policy is good and entry.status == "error" and entry.generation == 1
    assert entry.last_error.as_dict("en")["diagnostics"][0]["code"].startswith("E")
    assert registry.poll() == []  # the broken text is not checked again until it changes
    bump(path, (POLICIES / "karamay.mpol").read_text(encoding="utf-8"))
    assert registry.poll() == ["karamay"]
    assert registry.get("karamay").status == "ok" and registry.get("karamay").generation == 2


def test_watcher_thread_starts_and_stops(registry):
    registry.interval_s = 0.01
    registry.start()
    registry.stop()
    assert registry._thread is None


def test_settings_defaults_and_validation():
    s = Settings()
    assert (s.host, s.port, s.policies, s.lang) == ("127.0.0.1", 8000, None, "zh")
    assert (s.max_body_bytes, s.max_claims, s.max_batch, s.reload_interval_s) == (1_048_576, 1000, 100, Decimal(2))
    assert s.limits.max_claims == 1000 and s.reload_seconds == 2.0
    assert Settings(reload_interval_s="0").reload_seconds is None
    for bad in ({"lang": "fr"}, {"port": 70000}, {"max_batch": 0}, {"reload_interval_s": "-1"}):
        with pytest.raises(ValueError):
            Settings(**bad)


def test_module_entry_point_refuses_a_missing_folder(tmp_path):
    r = subprocess.run([sys.executable, "-m", "medpolicy.service", "--policies", str(tmp_path / "nowhere")],
                       capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 2 and "not a folder" in r.stderr
