"""Each kind of rule is one unit: its check and its compile step live in its module.

The meta-tests hold the layout in place: every rule module (but the shared
ones) defines a ``check_*`` and a ``compile_*`` function, no rule module
imports the checker (the checker imports them, and hands itself over as
:class:`medpolicy.rules.checking.Checker`), and the checks that moved out of
the checker stay out.  The last tests run one unit's check alone, through a
minimal stand-in for the checker, to show a unit needs nothing else.
"""
from __future__ import annotations

import ast as pyast
import importlib
import inspect
import re
import textwrap
from pathlib import Path

import pytest

import medpolicy.rules
from medpolicy import ast
from medpolicy.checker import _Checker, check
from medpolicy.errors import EvaluationError, PolicyError
from medpolicy.expressions import Environment, evaluate
from medpolicy.loader import load_source
from medpolicy.parser import parse
from medpolicy.rules.checking import Checker
from medpolicy.rules.payer import check_payer
from medpolicy.rules.ratio import check_ratio

RULES = Path(medpolicy.rules.__file__).parent
CHECKER = Path(inspect.getsourcefile(_Checker))
# Shared by the units, or (choice) checks that compare benefits with each other, which the checker's pipeline keeps.
NOT_UNITS = {"__init__", "context", "checking", "choice"}
UNITS = sorted(p.stem for p in RULES.glob("*.py") if p.stem not in NOT_UNITS)
MOVED = ["_check_sign", "_check_adjustment", "_check_critical", "_const", "_check_bands", "_check_premium",
         "_value_leaves", "_BAND_START"]


def _functions(name: str) -> list[str]:
    module = importlib.import_module(f"medpolicy.rules.{name}")
    return [n for n, f in vars(module).items() if inspect.isfunction(f) and f.__module__ == module.__name__]


def test_the_units_are_the_ones_expected():
    assert UNITS == ["bands", "benefit", "caps", "coverage", "deductible", "fixed", "grouping", "payer", "premium",
                     "ratio", "ratio_bands", "settlement"]


@pytest.mark.parametrize("name", UNITS)
def test_each_unit_checks_and_compiles(name):
    functions = _functions(name)
    assert any(f.startswith("check_") for f in functions), f"rules/{name}.py defines no check_* function"
    assert any(f.startswith("compile_") for f in functions), f"rules/{name}.py defines no compile_* function"


@pytest.mark.parametrize("name", UNITS)
def test_each_unit_docstring_names_its_check(name):
    doc = importlib.import_module(f"medpolicy.rules.{name}").__doc__
    checks = [f for f in _functions(name) if f.startswith("check_")]
    assert "Checks" in doc and any(f":func:`{f}`" in doc for f in checks), f"rules/{name}.py: Checks line"


@pytest.mark.parametrize("path", sorted(RULES.glob("*.py")), ids=lambda p: p.stem)
def test_no_rule_module_imports_the_checker(path):
    tree = pyast.parse(path.read_text(encoding="utf-8"))
    imported = set()
    for node in pyast.walk(tree):
        if isinstance(node, pyast.ImportFrom):
            imported.add(node.module or "")
            imported.update(f"{node.module or ''}.{a.name}".lstrip(".") for a in node.names)
        elif isinstance(node, pyast.Import):
            imported.update(a.name for a in node.names)
    assert not [m for m in imported if m.split(".")[-1] == "checker"], f"{path.name} imports the checker"


def test_the_moved_checks_are_gone_from_the_checker():
    source = CHECKER.read_text(encoding="utf-8")
    left = [name for name in MOVED if re.search(rf"\b{name}\b", source)]
    assert not left, f"still in checker.py: {left}"


def test_the_benefit_body_is_a_sequence_of_unit_checks():
    body = inspect.getsource(_Checker._check_benefit_body)
    for unit_check in ("check_grouping", "check_benefit", "check_ratio", "check_pays", "check_deductible",
                       "check_adjust_clauses", "check_caps"):
        assert f"{unit_check}(self, b, file)" in body
    assert "self.error(" not in body and "self._expect(" not in body


def test_the_checker_has_every_method_of_the_protocol():
    wanted = [n for n, f in vars(Checker).items() if inspect.isfunction(f) and not n.startswith("_")]
    assert wanted  # the protocol is not empty
    assert [n for n in wanted if not callable(getattr(_Checker, n, None))] == []
    for name in wanted:
        assert getattr(Checker, name).__doc__, f"Checker.{name} is not documented"


# ------------------------------------------------------------------ one unit alone

class _Literals(Environment):
    """Evaluates literals and arithmetic on them; a name or a fact is not a constant here."""

    def name(self, node):
        raise EvaluationError("not a constant")

    def fact(self, root, field):
        raise EvaluationError("not a constant")

    def qualified(self, alias, name, node):
        raise EvaluationError("not a constant")


class FakeChecker:
    """The least a unit's check needs: it records what is reported and trusts every type."""

    def __init__(self):
        self.reported: list[tuple[str, str, object]] = []   # (severity, message id, span)

    def error(self, message, span, help=None):
        self.reported.append(("error", message.id, span))

    def warning(self, message, span, help=None):
        self.reported.append(("warning", message.id, span))

    def expect(self, expr, want, file, context, what, allow_unstated=False, counters=False):
        return want

    def infer(self, expr, file, context):
        return "error"

    def check_cite(self, cite, file):
        pass

    def kind(self, file, name):
        return None

    def names(self, file, kind):
        return []

    def benefits(self):
        return []

    def constant(self, expr, file):
        return evaluate(expr, _Literals())

    def error_count(self):
        return sum(severity == "error" for severity, _, _ in self.reported)


HEAD = """\
policy student {
  title "测试学生医保"
  year 2026-01-01 .. 2026-12-31
}
levels { "1" "一级医疗机构" }
"""

BAND_GAP = HEAD + textwrap.dedent("""\
    benefit hospital "住院" {
      priority 10
      when claim.care == inpatient
      no deductible
      ratio 120%
    }
    critical_illness "大病保险" {
      covers claim.benefit in [hospital]
      table "一般人员" otherwise {
        deductible ¥20000
        band ¥20000 .. ¥50000 pays 60%
        band ¥60000 .. ¥100000 pays 65%
        band above ¥100000 pays 70%
      }
    }
    """)


def _decl(text: str, kind):
    return next(d for d in parse(text, "gap.mpol").decls if isinstance(d, kind))


def test_check_payer_alone_reports_a_band_gap():
    ck = FakeChecker()
    check_payer(ck, _decl(BAND_GAP, ast.CriticalIllness), "gap.mpol")
    assert [(severity, message) for severity, message, _ in ck.reported] == [("error", "E126.gap.previous")]
    # The same diagnostic, at the same place, as the whole checker reports.
    with pytest.raises(PolicyError) as err:
        check(load_source(BAND_GAP, "gap.mpol"))
    band = [d for d in err.value.diagnostics if d.code == "E126"]
    assert [(d.message_id, d.span) for d in band] == [(m, span) for _, m, span in ck.reported]


def test_check_ratio_alone_reports_a_ratio_over_100_percent():
    ck = FakeChecker()
    check_ratio(ck, _decl(BAND_GAP, ast.Benefit), "gap.mpol")
    assert [(severity, message, span.line) for severity, message, span in ck.reported] == [("error", "E128", 10)]
