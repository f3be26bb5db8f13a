"""The checker's cost grows with the size of a policy, not exponentially.

A chain of lets that each read the previous one twice (``let l2 = l1 + l1``)
doubles the work at each link if a let is re-walked or re-evaluated at every
read.  These tests count the work -- the nodes :func:`evaluate` visits and
the expressions reachability inspects -- rather than time it, and check that
the step budget bounds one whole evaluation, not each file or definition.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from medpolicy import ast, checker, expressions, reachability
from medpolicy.checker import _Checker
from medpolicy.errors import EvaluationError
from medpolicy.expressions import StepBudget, evaluate
from medpolicy.loader import load, load_source
from medpolicy.reachability import ProbeEnvironment
from medpolicy.typecheck import ConstantEnvironment
from medpolicy.values import Money

HEAD = """\
policy student {
  title "测试学生医保"
  year 2026-01-01 .. 2026-12-31
}

levels {
  "1" "一级医疗机构"
  "2" "二级医疗机构"
}

conditions {
  diabetes "糖尿病"
  hypertension "高血压"
}
"""

CONSTANT_START = "let l0 = ¥1\n"
FACTS_START = ("let l0 = if claim.care == outpatient and claim.condition in person.certified\n"
               "  and person.long_term_care then ¥1 else ¥2\n")


def chain(n: int, start: str = CONSTANT_START) -> str:
    """A policy whose benefit reads l{n}, where each l{i} is l{i-1} + l{i-1}, in its when, deductible and ratio."""
    lets = start + "".join(f"let l{i} = l{i - 1} + l{i - 1}\n" for i in range(1, n + 1))
    last = f"l{n}"
    return HEAD + lets + f"""
benefit clinic "门诊" {{
  priority 10
  when claim.care == outpatient and {last} > ¥0
  deductible per visit {last}
  ratio if {last} > ¥5 then 50% else 60%
}}

benefit hospital "住院" {{
  priority 5
  when claim.care == inpatient and {last} >= ¥1
  no deductible
  ratio by claim.level {{ "1": 85%, "2": 75% }}
}}
"""


def check_text(text: str):
    """The checker stage alone: the checked policy, or PolicyError."""
    return checker.check(load_source(text))


class Work:
    """How much work checking one policy did."""

    def __init__(self):
        self.evaluations = 0   # calls of evaluate, i.e. nodes visited
        self.points = 0        # probe points tried by reachability
        self.inspected = 0     # expressions reachability inspected for the facts they read


@pytest.fixture
def measure(monkeypatch):
    def run(text: str) -> Work:
        work = Work()
        real_evaluate = expressions.evaluate
        real_points = reachability.Reachability._probe_points
        real_reads = reachability.Reachability._reads

        def counting_evaluate(expr, env):
            work.evaluations += 1
            return real_evaluate(expr, env)

        def counting_points(self, reads):
            points = real_points(self, reads)
            work.points += len(points or ())
            return points

        def counting_reads(self, expr, file):
            work.inspected += 1
            return real_reads(self, expr, file)

        for module in (expressions, reachability, checker):
            monkeypatch.setattr(module, "evaluate", counting_evaluate)
        monkeypatch.setattr(reachability.Reachability, "_probe_points", counting_points)
        monkeypatch.setattr(reachability.Reachability, "_reads", counting_reads)
        check_text(text)
        monkeypatch.undo()
        return work
    return run


@pytest.mark.parametrize("start", [CONSTANT_START, FACTS_START], ids=["constant", "facts"])
def test_a_chain_of_30_lets_checks_in_linear_work(measure, start):
    work = measure(chain(30, start))
    assert work.points > 0  # reachability did try the benefits
    # Each let costs a few nodes (l{i}, the sum, its two reads) once per probe
    # point; re-evaluating at every read would cost 2**30 per point.
    assert work.evaluations < 10 * 30 * work.points + 200
    # Each let's body is inspected once, however many times it is read.
    assert work.inspected < 10 * 31 + 100


@pytest.mark.parametrize("start", [CONSTANT_START, FACTS_START], ids=["constant", "facts"])
def test_work_grows_linearly_with_the_chain(measure, start):
    short, long = measure(chain(15, start)), measure(chain(30, start))
    assert long.points == short.points
    # Doubling the chain at most doubles the work (plus what does not depend on it).
    assert long.evaluations - short.evaluations <= short.evaluations
    assert long.inspected - short.inspected <= short.inspected


def test_probes_read_person_and_claim_facts(measure):
    # The facts chain is probed over care (4 kinds) × long-term care × the claim's
    # condition with its certification (certified or not for diabetes and for
    # hypertension; nothing to certify for a claim without a condition).
    assert measure(chain(30, FACTS_START)).points == 4 * 2 * (2 + 2 + 1)


def test_a_long_chain_of_lets_is_not_a_crash():
    # Too deep for the probes to follow: reachability proves nothing, and says nothing.
    lets = "let l0 = ¥1\n" + "".join(f"let l{i} = l{i - 1} + ¥1\n" for i in range(1, 601))
    text = HEAD + lets + """
benefit hospital "住院" {
  priority 5
  when claim.care == inpatient and l600 > ¥0
  no deductible
  ratio 70%
}
"""
    assert check_text(text).benefits[0].id == "hospital"


# ------------------------------------------------------------- the budget

MODULE = 'module m "模块"\nlet a = ¥1 + ¥1 + ¥1\n'
MAIN = HEAD + """
import "m.mpol" as m

let b = m.a + ¥1 + ¥1

benefit hospital "住院" {
  priority 5
  when claim.care == inpatient
  no deductible
  ratio 70%
}
"""


@pytest.fixture
def checked(tmp_path):
    (tmp_path / "m.mpol").write_text(MODULE, encoding="utf-8")
    (tmp_path / "policy.mpol").write_text(MAIN, encoding="utf-8")
    program = load(tmp_path / "policy.mpol")
    check = _Checker(program)
    assert check.run() is not None
    return check, program.main.path


def test_derived_environments_share_one_budget(checked):
    check, main = checked
    env = ConstantEnvironment(check, main)
    assert env.in_file("elsewhere").steps is env.steps
    assert env.in_file("elsewhere").in_file(main).steps is env.steps
    probe = ProbeEnvironment(check, main, {"claim.care": "inpatient"})
    assert probe.in_file("elsewhere").steps is probe.steps
    assert probe.steps is not env.steps  # one budget per top-level evaluation


def test_a_chain_of_files_runs_out_of_steps_once(checked):
    # b: 1 step for the name, 5 for `m.a + ¥1 + ¥1` in the policy, 5 for
    # `¥1 + ¥1 + ¥1` in the module: 11 steps, no more than 6 in either file.
    check, main = checked
    b = ast.Name("b")
    steps = StepBudget(11)
    assert evaluate(b, ConstantEnvironment(check, main, steps)) == Money(Decimal(5))
    assert steps.left == 0
    with pytest.raises(EvaluationError, match="step limit"):
        evaluate(b, ConstantEnvironment(check, main, StepBudget(10)))
    with pytest.raises(EvaluationError, match="step limit"):
        evaluate(b, ProbeEnvironment(check, main, {}, StepBudget(10)))


def test_a_definition_read_twice_is_evaluated_once_per_evaluation(checked):
    check, main = checked
    steps = StepBudget(100)
    env = ConstantEnvironment(check, main, steps)
    first = evaluate(ast.Name("b"), env)
    spent = 100 - steps.left
    assert evaluate(ast.Name("b"), env) == first
    assert 100 - steps.left == spent + 1  # only the name itself
    # A new evaluation starts afresh.
    fresh = StepBudget(100)
    assert evaluate(ast.Name("b"), ConstantEnvironment(check, main, fresh)) == first
    assert 100 - fresh.left == spent
