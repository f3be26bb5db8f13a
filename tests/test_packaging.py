"""What a source distribution and a wheel carry: an unpacked sdist passes its own tests, and an installed
wheel holds the grammar, the bundled policies, the schemas and the documents the policies cite."""
from __future__ import annotations

import re
import tomllib

import medpolicy
from medpolicy.resources import source_documents

from conftest import ROOT

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
BUILD = PROJECT["tool"]["hatch"]["build"]["targets"]


def test_the_sdist_holds_every_top_level_folder_the_tests_read():
    # An sdist without benchmarks/ (tests/batch imports its population generator) or editors/ failed its tests.
    read = set()
    for path in (ROOT / "tests").rglob("*.py"):
        read |= set(re.findall(r'ROOT / "([\w.-]+)"', path.read_text(encoding="utf-8")))
    assert read, "the scan found nothing: the pattern no longer matches how tests name the repository"
    read.discard("pyproject.toml")  # every sdist has it
    assert read <= set(BUILD["sdist"]["include"]), read - set(BUILD["sdist"]["include"])


def test_the_wheel_carries_the_cited_documents():
    assert BUILD["wheel"]["force-include"]["docs/sources"] == "medpolicy/_data/sources"
    for policy_id in ("karamay", "lanzhou", "shanghai"):
        model = medpolicy.load_policy(policy_id).model
        for source in model.sources.values():
            if source.file is None:  # a source named without a document (a national rule, say)
                continue
            assert (source_documents() / source.file).is_file(), (policy_id, source.file)
