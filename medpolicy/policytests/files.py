"""Reading policy test files: scenarios with the figures a policy must give.

Two kinds of YAML file hold policy tests:

* a *test file* (``NAME.test.yaml``, usually beside the policy): a ``policy``
  (a path relative to the file, or a policy id), an optional default
  ``person``, and ``cases``, each a scenario (``name``, ``person``,
  ``claims``, optional ``policy``) with its ``expect`` block;
* a *scenario file* (``examples/*.yaml``) with a top-level ``expect`` block:
  one case, named after the file.

``expect`` has the shape of the language conformance suite's
(``tests/language/README.md``): ``claims`` by id, ``totals``, ``premium``,
``settlement``; every field is optional, so a case states only the figures
its author checked by hand.  Each expected value keeps the place it is
written (line, column, and the text's extent), for failure reports and for
``medpolicy test --update``, which rewrites the figures in place.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator, Optional

import attrs
import yaml

from ..diagnostics import closest
from ..errors import MedpolicyError, ScenarioError
from ..localize import msg
from ..scenario import parse_yaml_document

TEST_SUFFIX = ".test.yaml"
FILE_KEYS = ("policy", "person", "cases")
CASE_KEYS = ("name", "policy", "person", "claims", "expect")
EXPECT_KEYS = ("claims", "totals", "premium", "settlement")
CLAIM_FIELDS = ("status", "benefit", "covered", "basic_fund", "critical_illness", "patient", "deductible", "ratio")
"""What ``expect.claims.ID`` may state; any other key names a payer the policy declares."""
TOTAL_FIELDS = ("total", "covered", "basic_fund", "critical_illness", "patient")
"""What ``expect.totals`` may state; any other key names a payer the policy declares."""
SETTLEMENT_FIELDS = ("path", "materials", "submit", "deadline", "takes")


class PolicyTestError(MedpolicyError):
    """A test file that cannot be read as one (bad YAML, an unknown key, a case without claims)."""

    exit_code = 2


@attrs.frozen
class Place:
    """Where a value is written in a test file: 1-based line and column, and its text's offsets."""

    line: int
    column: int
    start: int = attrs.field(eq=False)
    end: int = attrs.field(eq=False)
    quote: str = attrs.field(default="", eq=False)
    """The quote the value is written in (``'`` or ``"``), or "" when it is plain."""

    @property
    def quoted(self) -> bool:
        return bool(self.quote)


@attrs.frozen
class Expected:
    """One figure a case states: ``path`` is where it sits under ``expect``
    (``("claims", "a", "basic_fund")``, ``("totals", "patient")``, ``("premium",)``)."""

    path: tuple[str, ...]
    value: Any
    place: Place


@attrs.frozen
class TestCase:
    """One scenario and what it must give."""

    file: Path
    name: str
    line: int
    """The line the case starts on."""
    policy: Optional[str]
    """The policy reference as written (None: none given)."""
    scenario: dict
    """``person`` and ``claims``, as the scenario contract reads them."""
    expected: tuple[Expected, ...]
    settlement: dict = attrs.field(factory=dict)
    """``expect.settlement``: claim id → the guidance expected (compared as a whole)."""
    settlement_places: dict = attrs.field(factory=dict)
    claim_places: dict = attrs.field(factory=dict)
    """``expect.claims``: claim id → where its id is written."""


def discover(paths: list[Path]) -> list[Path]:
    """The test files under ``paths`` (files given are taken as they are; folders are searched)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            for candidate in sorted(path.rglob("*.y*ml")):
                if any(part.startswith(".") for part in candidate.relative_to(path).parts):
                    continue
                if candidate.name.endswith(TEST_SUFFIX) or _is_scenario_with_expect(candidate):
                    found.append(candidate)
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def _is_scenario_with_expect(path: Path) -> bool:
    # A cheap look before a full read: only a scenario (top-level `claims:`) with a top-level
    # `expect:` is a test. Other YAML with an `expect:` (the engine's own conformance cases, which
    # hold a policy text and a `scenario:`) is another format, and not this command's to run.
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return False
    keys = {line.split(":", 1)[0] for line in text.splitlines() if line[:1].isalpha()}
    return {"expect", "claims"} <= keys


def read_file(path: Path) -> list[TestCase]:
    """The cases of one test file; raise PolicyTestError (or ScenarioError for bad YAML) if it is malformed."""
    if path.suffix == ".mpol":
        raise PolicyTestError(msg("ptest.is_policy", path=str(path),
                                  tests=path.name.removesuffix(".mpol") + TEST_SUFFIX))
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyTestError(msg("ptest.unreadable", path=str(path), problem=exc.strerror or str(exc))) from None
    except UnicodeDecodeError:
        raise PolicyTestError(msg("ptest.not_utf8", path=str(path))) from None
    try:
        data, node = parse_yaml_document(text)
    except ScenarioError as exc:
        raise PolicyTestError(msg("error.at", path=str(path), message=exc.text("en"))) from None
    if not isinstance(data, dict) or node is None:
        raise PolicyTestError(msg("ptest.mapping", path=str(path)))
    if not path.name.endswith(TEST_SUFFIX):
        _check_keys(data, ("policy", "person", "claims", "expect"), path, node, "")
        if "expect" not in data:
            raise PolicyTestError(msg("ptest.no_expect", path=str(path)))
        return [_case(path, path.stem, data, node, data.get("policy"), None)]
    _check_keys(data, FILE_KEYS, path, node, "")
    cases = data["cases"]
    if not isinstance(cases, list) or not cases:
        raise PolicyTestError(msg("ptest.cases", path=str(path), line=_line(node, "cases")))
    cases_node = _child(node, "cases")
    out = []
    for index, (raw, raw_node) in enumerate(zip(cases, cases_node.value)):
        where = f"cases[{index}]"
        if not isinstance(raw, dict):
            raise PolicyTestError(msg("ptest.case_mapping", path=str(path), line=raw_node.start_mark.line + 1))
        _check_keys(raw, CASE_KEYS, path, raw_node, where + ".")
        name = str(raw.get("name") or f"{where}")
        out.append(_case(path, name, raw, raw_node, raw.get("policy", data.get("policy")), data.get("person")))
    return out


def _case(path: Path, name: str, raw: dict, node: yaml.Node, policy, person) -> TestCase:
    line = node.start_mark.line + 1
    if "claims" not in raw:
        raise PolicyTestError(msg("ptest.no_claims", path=str(path), line=line, name=name))
    if "expect" not in raw or not isinstance(raw["expect"], dict):
        raise PolicyTestError(msg("ptest.no_expect.case", path=str(path), line=line, name=name))
    expect_node = _child(node, "expect")
    _check_keys(raw["expect"], EXPECT_KEYS, path, expect_node, "expect.")
    expected: list[Expected] = []
    claim_places: dict[str, Place] = {}
    for key in ("claims", "totals"):
        if key not in raw["expect"]:
            continue
        section, section_node = raw["expect"][key], _child(expect_node, key)
        if not isinstance(section, dict):
            raise PolicyTestError(msg("ptest.section", path=str(path), line=section_node.start_mark.line + 1,
                                      key=f"expect.{key}"))
        if key == "totals":
            expected += _figures(path, ("totals",), section, section_node)
            continue
        # The mapping keeps the written order (keys given twice are refused), so it pairs with its nodes;
        # the id is the text written, even where YAML reads it as something else (`on`, `1`).
        for fields, (key_node, fields_node) in zip(section.values(), section_node.value):
            claim_id = key_node.value
            claim_places[claim_id] = _place(key_node)
            if not isinstance(fields, dict):
                raise PolicyTestError(msg("ptest.section", path=str(path), line=fields_node.start_mark.line + 1,
                                          key=f"expect.claims.{claim_id}"))
            expected += _figures(path, ("claims", str(claim_id)), fields, fields_node)
    if "premium" in raw["expect"]:
        expected.append(Expected(("premium",), raw["expect"]["premium"],
                                 _place(_child(expect_node, "premium"))))
    settlement = raw["expect"].get("settlement") or {}
    places = {}
    if settlement:
        settlement_node = _child(expect_node, "settlement")
        for claim_id, want in settlement.items():
            if want is not None:
                _check_keys(want, SETTLEMENT_FIELDS, path, _child(settlement_node, claim_id),
                            f"expect.settlement.{claim_id}.")
            places[str(claim_id)] = _place(_child(settlement_node, claim_id))
    scenario = {"person": raw.get("person", person) or {}, "claims": raw["claims"]}
    return TestCase(path, name, line, None if policy is None else str(policy), scenario, tuple(expected),
                    {str(k): v for k, v in settlement.items()}, places, claim_places)



def _figures(path: Path, prefix: tuple[str, ...], fields: dict, node: yaml.Node) -> list[Expected]:
    out = []
    # Paired with the nodes in written order, since a key is the text written even where YAML reads
    # it as a number (`{basic_fund: 8,820.00}` is `basic_fund: 8` and a key `820.00`).
    for value, (key_node, value_node) in zip(fields.values(), node.value):
        key = key_node.value
        if isinstance(value_node, (yaml.MappingNode, yaml.SequenceNode)):
            raise PolicyTestError(msg("ptest.figure", path=str(path), line=value_node.start_mark.line + 1,
                                      key=".".join(("expect",) + prefix + (key,))))
        out.append(Expected(prefix + (key,), value, _place(value_node)))
    return out


def _check_keys(data: dict, allowed, path: Path, node: yaml.Node, where: str) -> None:
    for key in data:
        if key not in allowed:
            hint = closest(str(key), list(allowed))
            line = _line(node, key)
            if hint:
                raise PolicyTestError(msg("ptest.unknown_key", path=str(path), line=line, key=f"{where}{key}",
                                          name=hint))
            raise PolicyTestError(msg("ptest.unknown_key.list", path=str(path), line=line, key=f"{where}{key}",
                                      keys=list(allowed)))


def _pairs(node: yaml.Node) -> Iterator[tuple[yaml.Node, yaml.Node]]:
    return iter(node.value) if isinstance(node, yaml.MappingNode) else iter(())


def _child(node: yaml.Node, key) -> yaml.Node:
    for key_node, value_node in _pairs(node):
        if key_node.value == str(key):
            return value_node
    return node


def _line(node: yaml.Node, key) -> int:
    for key_node, _ in _pairs(node):
        if key_node.value == str(key):
            return key_node.start_mark.line + 1
    return node.start_mark.line + 1


def _place(node: yaml.Node) -> Place:
    quote = node.style if isinstance(node, yaml.ScalarNode) and node.style in ("'", '"') else ""
    return Place(node.start_mark.line + 1, node.start_mark.column + 1, node.start_mark.index, node.end_mark.index,
                 quote)
