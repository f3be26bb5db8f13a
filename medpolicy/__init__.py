"""medpolicy: executable, explained medical-insurance rules.

The pipeline, one module per stage: :mod:`~medpolicy.parser` (text → AST),
:mod:`~medpolicy.loader` (files and imports), :mod:`~medpolicy.checker`
(AST → checked :class:`~medpolicy.model.Policy`), :mod:`~medpolicy.evaluator`
(policy + scenario → :class:`~medpolicy.explain.Statement`), and the
renderers :mod:`~medpolicy.render_text` and :mod:`~medpolicy.render_json`.

For services embedding the evaluator::

    policy = medpolicy.load_policy("city")   # a policy id, or a path to a .mpol file
    statement = medpolicy.evaluate(policy, {"person": {...}, "claims": [...]})
    medpolicy.statement_dict(statement)
"""
from __future__ import annotations

from pathlib import Path

from .checker import check
from .errors import EvaluationError, MedpolicyError, PolicyError, PolicyNotFound, ScenarioError
from .evaluator import evaluate_scenario
from .explain import Statement
from .limits import DEFAULT_LIMITS, Limits
from .loader import load, load_source, resolve
from .model import Policy
from .render_json import render_json, statement_dict
from .render_text import render_text
from .scenario import Scenario, validate

__version__ = "0.1.0"


def load_policy(ref: str | Path, base: Path | None = None, limits: Limits = DEFAULT_LIMITS) -> Policy:
    """Load and check a policy by id (``city``) or path; raise PolicyError on problems."""
    path = ref if isinstance(ref, Path) else resolve(ref, base)
    return check(load(path, limits))


def check_source(text: str, path: str = "<string>", root: Path | None = None,
                 limits: Limits = DEFAULT_LIMITS) -> Policy:
    """Check a policy held in memory; imports resolve inside ``root`` (default: the bundled policies)."""
    return check(load_source(text, path, root, limits))


def evaluate(policy: Policy, scenario: dict | Scenario, limits: Limits = DEFAULT_LIMITS) -> Statement:
    """Evaluate a scenario (a parsed mapping, or a validated Scenario) against a policy."""
    if not isinstance(scenario, Scenario):
        scenario = validate(scenario, policy.levels, policy.conditions, limits)
    return evaluate_scenario(policy, scenario, limits)


__all__ = [
    "load_policy", "check_source", "evaluate", "render_text", "render_json", "statement_dict", "Policy", "Statement",
    "Limits", "MedpolicyError", "PolicyError", "PolicyNotFound", "ScenarioError", "EvaluationError",
]
