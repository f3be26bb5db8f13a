"""Shared test helpers: paths, and running a scenario through the pipeline."""
from __future__ import annotations

import os
import re
import shutil
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

# Every test parses and checks the policies it loads (and so do the CLI
# processes tests start): the cache of checked policies is tested on its own,
# in tests/test_policy_cache.py, and must never decide another test's outcome.
os.environ["MEDPOLICY_NO_CACHE"] = "1"

import medpolicy
from medpolicy.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
POLICIES = ROOT / "policies"
SOURCES = ROOT / "docs" / "sources"
UPDATE_GOLDEN = os.environ.get("MEDPOLICY_UPDATE_GOLDEN") == "1"
"""Golden files are rewritten, not compared, when MEDPOLICY_UPDATE_GOLDEN=1."""


def golden_file(path: Path, text: str) -> None:
    """Compare ``text`` with the golden file ``path`` (or write it, under MEDPOLICY_UPDATE_GOLDEN=1)."""
    if UPDATE_GOLDEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"missing golden file {path}; run with MEDPOLICY_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


def D(text: str | int) -> Decimal:
    """Decimal from text, for expected amounts: D("2600.00")."""
    return Decimal(str(text))


def run_example(name: str) -> medpolicy.Statement:
    """Evaluate examples/NAME against the policy it names."""
    data = load_scenario(EXAMPLES / name)
    policy = medpolicy.load_policy(data["policy"], base=EXAMPLES)
    return medpolicy.evaluate(policy, data)


def run(policy_id: str, person: dict, claims: list[dict]) -> medpolicy.Statement:
    """Evaluate an inline scenario (dict form, amounts as strings or Decimals)."""
    return medpolicy.evaluate(medpolicy.load_policy(policy_id), {"person": person, "claims": claims})


def by_id(statement: medpolicy.Statement) -> dict:
    """Claim results keyed by claim id."""
    return {c.id: c for c in statement.claims}


def amounts(claim) -> tuple:
    """(basic fund, critical illness, patient) of a claim result."""
    return claim.basic_fund, claim.critical_illness, claim.patient


def steps_of(claim, kind: str) -> list:
    """The explanation events of one kind (``deductible``, ``band``, …)."""
    return [s for s in claim.events if s.kind == kind]


def say(event, lang: str = "en") -> str:
    """An event as the catalogue words it (English by default)."""
    from medpolicy.messages import describe

    return describe(event, lang)


def cited(event) -> str:
    """The citation of an event as one searchable string: title, section and quote."""
    cite = event.cite
    assert cite is not None, event
    return " ".join(part for part in (cite.title, cite.section, cite.quote) if part)


def make_claim(cid, date, care, level, total, **extra) -> dict:
    """A scenario claim mapping."""
    return {"id": cid, "date": date, "care": care, "level": level, "total": total, **extra}


@pytest.fixture(scope="session")
def karamay():
    return medpolicy.load_policy("karamay")


@pytest.fixture(scope="session")
def lanzhou():
    return medpolicy.load_policy("lanzhou")


@pytest.fixture(scope="session")
def shanghai():
    return medpolicy.load_policy("shanghai")


# ------------------------------------------------------------------ citations against their sources

def squeeze(text: str) -> str:
    """Text without any whitespace (how quotes are compared with their source)."""
    return re.sub(r"\s+", "", text)


def quote_in_source(quote: str, source_file: str) -> bool:
    """Whether a quote is its source's words: whitespace removed from both, each piece
    (pieces joined by ……) found in docs/sources/SOURCE_FILE, in order; an empty piece is not."""
    text = squeeze((SOURCES / source_file).read_text(encoding="utf-8"))
    at = 0
    for piece in quote.split("……"):
        piece = squeeze(piece)
        found = text.find(piece, at) if piece else -1
        if found < 0:
            return False
        at = found + len(piece)
    return True


def ast_nodes(node):
    """Every attrs node under ``node`` (a parsed file), depth first."""
    if attrs.has(type(node)):
        yield node
        for field in attrs.fields(type(node)):
            yield from ast_nodes(getattr(node, field.name))
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from ast_nodes(item)


def cites_and_sources(relative: str) -> tuple[list, dict]:
    """(cites, {source id: file}) of a policy or module under policies/, as parsed."""
    from medpolicy.parser import parse

    tree = parse((POLICIES / relative).read_text(encoding="utf-8"), relative)
    nodes = list(ast_nodes(tree))
    cites = [n for n in nodes if type(n).__name__ == "Cite"]
    sources = {n.id: n.file for n in nodes if type(n).__name__ == "Source"}
    return cites, sources


def policy_variant(tmp_path: Path, policy_file: str, old: str, new: str, edited: str | None = None):
    """``policy_file`` loaded from a copy of the policies folder in which one line of ``edited``
    (default: the policy itself) is replaced by a READING's alternative.

    The READING comment must name exactly that alternative line (``#   NEW``)."""
    folder = tmp_path / "policies"
    shutil.copytree(POLICIES, folder)
    target = folder / (edited or policy_file)
    lines = target.read_text(encoding="utf-8").split("\n")
    assert any(line.strip() == "#   " + new for line in lines), "the READING does not name this alternative"
    hits = [i for i, line in enumerate(lines) if line.strip() == old]
    assert len(hits) == 1, hits
    indent = lines[hits[0]][: len(lines[hits[0]]) - len(lines[hits[0]].lstrip())]
    lines[hits[0]] = indent + new
    target.write_text("\n".join(lines), encoding="utf-8")
    return medpolicy.load_policy(folder / policy_file)
