"""The language conformance suite: one YAML case per file, per construct.

Each ``tests/language/<construct>/<case>.yaml`` is either

* a GOOD case: a policy, a scenario and the figures expected for every claim,
  the year's totals and (optionally) the premium, each worked out by hand in
  the file's comments; the scenario is run through every runner in
  :data:`RUNNERS` and each must agree with the hand arithmetic; or
* a BAD case: a policy the checker must reject, with the diagnostic codes it
  must report, in order.

See ``tests/language/README.md`` for the file format.  Test ids are
``<construct>/<case>``.
"""
from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

import medpolicy
from medpolicy.policytests.expectations import guidance

HERE = Path(__file__).resolve().parent

# Every construct must have a folder with at least one good case.
CONSTRUCTS = (
    "header_and_rounding", "params_and_lets", "lists_and_membership", "lookup_tables", "cases_and_if",
    "otherwise_and_known", "dates_and_months", "benefit_priority", "grouping", "counters",
    "deductible_visit", "deductible_admission", "deductible_accumulating", "deductible_highest",
    "no_deductible", "ratio_and_adjust", "adjustments", "visit_cap", "annual_cap_private",
    "annual_cap_shared", "annual_cap_for_each", "pays_nothing", "coverage_and_waiting",
    "critical_illness_bands_absolute", "critical_illness_bands_above_deductible", "critical_illness_cap",
    "critical_illness_tables", "premium", "unstated", "modules_and_imports", "settlement", "person_age",
    "deductible_shared_pool", "fixed_payment", "ratio_banded", "caps_by_person_and_condition",
    "year_history",
    "claim_categories",
)

TOP_KEYS = {"policy", "modules", "scenario", "expect", "diagnostics", "warnings", "xfail"}
EXPECT_KEYS = {"claims", "totals", "premium", "settlement"}
SETTLEMENT_KEYS = {"path", "materials", "submit", "deadline", "takes"}
CLAIM_FIELDS = ("status", "benefit", "basic_fund", "critical_illness", "patient")
TOTAL_FIELDS = ("basic_fund", "critical_illness", "patient")
MONEY_FIELDS = {"basic_fund", "critical_illness", "patient"}


# ------------------------------------------------------------------ runners

def _compiled(policy, scenario):
    return medpolicy.evaluate(policy, scenario)


RUNNERS = [("compiled", _compiled)]


# ------------------------------------------------------------- case files

class _CaseLoader(yaml.SafeLoader):
    """Safe YAML that keeps dates as text (as a service would send them) and
    reads any unquoted decimal as an exact Decimal, never a float."""


_CaseLoader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))
_CaseLoader.add_constructor("tag:yaml.org,2002:float",
                            lambda loader, node: Decimal(loader.construct_scalar(node).replace("_", "")))


def load_case(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        case = yaml.load(handle, Loader=_CaseLoader)  # noqa: S506 - a SafeLoader subclass
    assert isinstance(case, dict), f"{path}: a case is a mapping"
    return case


def case_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


CASE_FILES = sorted(HERE.glob("*/*.yaml"))


def _params():
    params = []
    for path in CASE_FILES:
        try:
            case = load_case(path)
        except Exception:  # reported by test_case_file_shape; keep collecting the rest
            case = {}
        marks = [pytest.mark.xfail(reason=str(case["xfail"]), strict=True)] if case.get("xfail") else []
        params.append(pytest.param(path, id=case_id(path), marks=marks))
    return params


def check_case(case: dict, path: Path, tmp_path: Path):
    """Check the case's policy; its modules (if any) are written to a fresh root."""
    root = None
    if case.get("modules"):
        root = tmp_path / "root"
        for rel, text in case["modules"].items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    return medpolicy.check_source(case["policy"], path=f"{path.stem}.mpol", root=root)


def _warnings_of(policy) -> list[str]:
    found = getattr(policy, "warnings", None)
    if found is None:
        found = getattr(getattr(policy, "model", None), "warnings", ())
    return [w.code for w in found]


def _money(value) -> Decimal:
    return Decimal(str(value))


def _compare(name: str, statement, expect: dict) -> list[str]:
    """Every difference between a statement and the expectation, as text."""
    problems = []
    claims = expect["claims"] or {}
    got = {c.id: c for c in statement.claims}
    if set(got) != set(claims):
        problems.append(f"{name}: claims {sorted(got)}, expected {sorted(claims)}")
    for cid, want in claims.items():
        claim = got.get(cid)
        if claim is None:
            continue
        for field in CLAIM_FIELDS:
            value = getattr(claim, field)
            expected = want[field]
            if field in MONEY_FIELDS:
                expected = _money(expected)
            if value != expected:
                problems.append(f"{name}: claim {cid}.{field} = {value}, expected {expected}")
    for claim in statement.claims:
        if claim.basic_fund + claim.critical_illness + claim.patient != claim.total:
            problems.append(f"{name}: claim {claim.id} breaks conservation: {claim.basic_fund} + "
                            f"{claim.critical_illness} + {claim.patient} != {claim.total}")
    totals = statement.totals
    for field in TOTAL_FIELDS:
        value, expected = getattr(totals, field), _money(expect["totals"][field])
        if value != expected:
            problems.append(f"{name}: totals.{field} = {value}, expected {expected}")
    if totals.basic_fund + totals.critical_illness + totals.patient != totals.total:
        problems.append(f"{name}: the totals break conservation")
    if "settlement" in expect:
        problems += _compare_settlement(name, statement, expect["settlement"] or {})
    if "premium" in expect:
        value = statement.premium.personal
        expected = None if expect["premium"] is None else _money(expect["premium"])
        if value != expected:
            problems.append(f"{name}: premium = {value}, expected {expected}")
    return problems


def _compare_settlement(name: str, statement, expect: dict) -> list[str]:
    """Claims listed get exactly that guidance (``path: null``: the policy states none); others get none."""
    problems = []
    for claim in statement.claims:
        got, want = guidance(claim), expect.get(claim.id)
        if want is not None:
            want = {"path": None, "materials": [], "submit": None, "deadline": None, "takes": None, **want}
        if got != want:
            problems.append(f"{name}: claim {claim.id} settlement guidance {got}, expected {want}")
    return problems


# -------------------------------------------------------------------- tests

@pytest.mark.parametrize("path", _params())
def test_case(path: Path, tmp_path: Path):
    case = load_case(path)
    if "diagnostics" in case:
        with pytest.raises(medpolicy.PolicyError) as info:
            check_case(case, path, tmp_path)
        assert [d.code for d in info.value.diagnostics] == case["diagnostics"], \
            "\n".join(f"{d.span}: {d.code} {d.message}" for d in info.value.diagnostics)
        return
    policy = check_case(case, path, tmp_path)
    assert _warnings_of(policy) == case.get("warnings", [])
    problems = []
    for name, run in RUNNERS:
        statement = run(policy, copy.deepcopy(case["scenario"]))
        problems += _compare(name, statement, case["expect"])
    assert not problems, "\n".join(problems)


def test_every_construct_has_a_folder_with_a_good_case():
    good = {path.parent.name for path in CASE_FILES if "expect" in load_case(path)}
    missing = [c for c in CONSTRUCTS if c not in good]
    assert not missing, f"constructs without a good case: {missing}"
    folders = {p.name for p in HERE.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))}
    assert folders <= set(CONSTRUCTS), f"folders that are not listed constructs: {sorted(folders - set(CONSTRUCTS))}"


@pytest.mark.parametrize("path", CASE_FILES, ids=case_id)
def test_case_file_shape(path: Path):
    case = load_case(path)
    unknown = set(case) - TOP_KEYS
    assert not unknown, f"unknown top-level keys: {sorted(unknown)}"
    assert isinstance(case.get("policy"), str), "every case has a policy text"
    good, bad = "expect" in case, "diagnostics" in case
    assert good != bad, "a case is either good (scenario + expect) or bad (diagnostics)"
    if bad:
        assert "scenario" not in case and "warnings" not in case
        assert isinstance(case["diagnostics"], list) and case["diagnostics"], "list the expected codes"
        return
    assert "scenario" in case, "a good case needs a scenario"
    expect = case["expect"]
    assert set(expect) <= EXPECT_KEYS and {"claims", "totals"} <= set(expect)
    for cid, want in (expect["claims"] or {}).items():
        assert set(want) == set(CLAIM_FIELDS), f"claim {cid}: give exactly {CLAIM_FIELDS}"
    assert set(expect["totals"]) == set(TOTAL_FIELDS), f"totals: give exactly {TOTAL_FIELDS}"
    for cid, want in (expect.get("settlement") or {}).items():
        assert cid in (expect["claims"] or {}) and set(want) <= SETTLEMENT_KEYS, f"settlement of {cid}"
    for rel in case.get("modules") or {}:
        assert not rel.startswith("/") and ".." not in Path(rel).parts, "modules stay inside the root"
