"""medpolicy: executable, explained medical-insurance rules.

The pipeline, one module per stage: :mod:`~medpolicy.parser` (text → AST),
:mod:`~medpolicy.loader` (files and imports), :mod:`~medpolicy.checker`
(AST → checked :class:`~medpolicy.model.Policy`), :mod:`~medpolicy.compiler`
(checked policy → :class:`~medpolicy.program.CompiledPolicy`, once),
:mod:`~medpolicy.evaluator` (compiled policy + scenario →
:class:`~medpolicy.explain.Statement`, events as data), and the renderers
:mod:`~medpolicy.render_text` and :mod:`~medpolicy.render_json`, which word
the events from :mod:`~medpolicy.messages` in Chinese or English.

For services embedding the evaluator::

    policy = medpolicy.load_policy("city")   # parse, check, compile: once
    statement = medpolicy.evaluate(policy, {"person": {...}, "claims": [...]})
    medpolicy.statement_dict(statement, lang="zh")
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Union

from .compiler import compile_policy
from .errors import EvaluationError, MedpolicyError, PolicyError, PolicyNotFound, ScenarioError
from .evaluator import evaluate_scenario
from .explain import Statement
from .limits import DEFAULT_LIMITS, Limits
from .model import Policy
from .policy_cache import load_checked
from .program import CompiledPolicy
from .render_json import render_json, statement_dict
from .render_text import render_text
from .scenario import Scenario, validate
from .version import __version__

# The parser and checker (and Lark with them) are imported only when a policy
# must really be checked: a process that finds its policy in the cache of
# checked policies never loads them, which is most of a short run's start.


def load_policy(ref: Union[str, Path], base: Path | None = None, limits: Limits = DEFAULT_LIMITS) -> CompiledPolicy:
    """Load, check and compile a policy by id (``city``) or path; raise PolicyError on problems.

    This is the slow step (tens of milliseconds; less when the checked policy is
    cached on disk, see :mod:`medpolicy.policy_cache`): do it once and evaluate
    many scenarios with the result, which may be shared between threads.
    """
    from .loader import resolve

    path = ref if isinstance(ref, Path) else resolve(ref, base)
    return compile_policy(load_checked(path, _check_file, limits))


def _check_file(path: Path, limits: Limits = DEFAULT_LIMITS) -> tuple[Policy, dict[str, Path]]:
    """Parse and check a policy file: the checked policy, and where each module it imports is."""
    from .checker import check
    from .loader import load

    program = load(path, limits)
    return check(program), dict(program.files)


def check_source(text: str, path: str = "<string>", root: Path | None = None,
                 limits: Limits = DEFAULT_LIMITS) -> CompiledPolicy:
    """Check and compile a policy held in memory; imports resolve inside ``root`` (default: the bundled policies)."""
    from .checker import check
    from .loader import load_source

    return compile_policy(check(load_source(text, path, root, limits)))


def read_scenario(path: Union[str, Path], limits: Limits = DEFAULT_LIMITS) -> dict[str, Any]:
    """A scenario file (YAML or JSON) as a mapping, for :func:`evaluate`; raise ScenarioError
    when it cannot be read or parsed.  Its fields are validated by :func:`evaluate`."""
    from .scenario import load_scenario

    data = load_scenario(Path(path), limits)
    if isinstance(data, dict):
        return data
    validate(data, {}, {}, limits)  # raises the error a scenario that is no mapping gets
    raise AssertionError("validate accepted a scenario that is not a mapping")


def evaluate(policy: CompiledPolicy, scenario: Union[dict[str, Any], Scenario], limits: Limits = DEFAULT_LIMITS, *,
             explain: bool = True) -> Statement:
    """Evaluate a scenario (a parsed mapping, or a validated Scenario) against a compiled policy.

    A scenario mapping is validated first: a wrong field raises ScenarioError whose
    ``path`` names it (``claims[3].level``).  With ``explain=False`` no explanation
    events are built; the figures are the same.
    """
    if isinstance(policy, Policy):
        policy = compile_policy(policy)
    if not isinstance(scenario, Scenario):
        scenario = validate(scenario, policy.levels, policy.conditions, limits, policy.categories)
    return evaluate_scenario(policy, scenario, limits, explain)


__all__ = [
    "load_policy", "check_source", "read_scenario", "evaluate", "render_text", "render_json", "statement_dict", "compile_policy",
    "CompiledPolicy", "Policy", "Statement", "__version__",
    "Limits", "MedpolicyError", "PolicyError", "PolicyNotFound", "ScenarioError", "EvaluationError",
]
