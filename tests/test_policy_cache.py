"""The on-disk cache of checked policies (medpolicy/policy_cache.py).

It may only ever save time: a cached policy must equal a freshly checked
one, and any change to the policy, a module it imports, the limits, the
working folder or medpolicy itself must make it check again.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import medpolicy
from medpolicy import policy_cache
from medpolicy.limits import Limits
from medpolicy.resources import bundled_policies

EXAMPLE = {"person": {"id": "p", "enrolled_on": "2025-09-01"},
           "claims": [{"id": "c1", "date": "2026-03-02", "care": "inpatient", "level": "3", "total": "20000"}]}


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A private cache folder, switched on, and a policy folder with a module."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv(policy_cache.ENV_DISABLE, raising=False)
    folder = tmp_path / "policies"
    shutil.copytree(bundled_policies(), folder)
    monkeypatch.chdir(tmp_path)
    return folder


class Counting:
    """The real loader and checker, counting how often they run."""

    def __init__(self):
        self.calls = 0

    def __call__(self, path: Path, limits: Limits):
        self.calls += 1
        return medpolicy._check_file(path, limits)


def entries() -> list[Path]:
    return sorted(policy_cache.cache_folder().glob("*.pickle"))


def test_second_load_comes_from_the_cache_and_equals_a_fresh_check(cache):
    check = Counting()
    first = policy_cache.load_checked(cache / "karamay.mpol", check)
    second = policy_cache.load_checked(cache / "karamay.mpol", check)
    assert check.calls == 1 and len(entries()) == 1
    assert second == first
    fresh = medpolicy.compile_policy(first)
    cached = medpolicy.compile_policy(second)
    assert cached.content_hash == fresh.content_hash
    assert medpolicy.render_json(medpolicy.evaluate(cached, EXAMPLE)) == \
        medpolicy.render_json(medpolicy.evaluate(fresh, EXAMPLE))


def test_editing_the_policy_checks_again(cache):
    check = Counting()
    path = cache / "lanzhou.mpol"
    policy_cache.load_checked(path, check)
    path.write_text(path.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    policy = policy_cache.load_checked(path, check)
    assert check.calls == 2
    assert policy.texts[policy.path].endswith("# a comment\n")


def test_editing_an_imported_module_checks_again(cache):
    check = Counting()
    policy = policy_cache.load_checked(cache / "karamay.mpol", check)
    modules = [shown for shown in policy.texts if shown != policy.path]
    assert modules, "karamay.mpol imports the national modules"
    module = Path(modules[0])  # shown relative to the working folder, the test's tmp_path
    module.write_text(module.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    again = policy_cache.load_checked(cache / "karamay.mpol", check)
    assert check.calls == 2
    assert any(text.endswith("# changed\n") for text in again.texts.values())


def test_other_limits_or_folder_or_code_miss(cache, tmp_path, monkeypatch):
    check = Counting()
    path = cache / "shanghai.mpol"
    policy_cache.load_checked(path, check)
    policy_cache.load_checked(path, check, Limits(max_nesting=150))
    assert check.calls == 2
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    policy_cache.load_checked(path, check)
    assert check.calls == 3
    monkeypatch.setattr(policy_cache, "code_fingerprint", lambda: b"another medpolicy")
    policy_cache.load_checked(path, check)
    assert check.calls == 4


def test_a_corrupt_entry_is_a_miss_and_is_rewritten(cache):
    check = Counting()
    path = cache / "lanzhou.mpol"
    policy_cache.load_checked(path, check)
    (entry,) = entries()
    entry.write_bytes(b"medpolicy-checked-1 not a pickle")
    assert policy_cache.load_checked(path, check) == policy_cache.load_checked(path, check)
    assert check.calls == 2


def test_a_policy_with_errors_is_never_cached(cache):
    path = cache / "broken.mpol"
    path.write_text('policy broken "x" { year 2026 }\nbenefit', encoding="utf-8")
    for _ in range(2):
        with pytest.raises(medpolicy.PolicyError):
            policy_cache.load_checked(path, Counting())
    assert entries() == []


def test_switched_off(cache, monkeypatch):
    monkeypatch.setenv(policy_cache.ENV_DISABLE, "1")
    check = Counting()
    for _ in range(2):
        policy_cache.load_checked(cache / "lanzhou.mpol", check)
    assert check.calls == 2 and policy_cache.cache_folder() is None


def test_load_policy_uses_it(cache, monkeypatch):
    first = medpolicy.load_policy(cache / "lanzhou.mpol")
    monkeypatch.setattr(medpolicy, "_check_file", lambda *a: pytest.fail("checked again"))
    second = medpolicy.load_policy(cache / "lanzhou.mpol")
    assert second.model == first.model and second.content_hash == first.content_hash
