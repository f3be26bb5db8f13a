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

from .checker import check
from .errors import EvaluationError, MedpolicyError, PolicyError, PolicyNotFound, ScenarioError
from .compiler import compile_policy
from .evaluator import evaluate_scenario
from .explain import Statement
from .limits import DEFAULT_LIMITS, Limits
from .loader import load, load_source, resolve
from .model import Policy
from .program import CompiledPolicy
from .render_json import render_json, statement_dict
from .render_text import render_text
from .scenario import Scenario, validate

from .version import __version__


def load_policy(ref: str | Path, base: Path | None = None, limits: Limits = DEFAULT_LIMITS) -> CompiledPolicy:
    """Load, check and compile a policy by id (``city``) or path; raise PolicyError on problems."""
    path = ref if isinstance(ref, Path) else resolve(ref, base)
    return compile_policy(check(load(path, limits)))


def check_source(text: str, path: str = "<string>", root: Path | None = None,
                 limits: Limits = DEFAULT_LIMITS) -> CompiledPolicy:
    """Check and compile a policy held in memory; imports resolve inside ``root`` (default: the bundled policies)."""
    return compile_policy(check(load_source(text, path, root, limits)))


def evaluate(policy: CompiledPolicy, scenario: dict | Scenario, limits: Limits = DEFAULT_LIMITS, *,
             explain: bool = True) -> Statement:
    """Evaluate a scenario (a parsed mapping, or a validated Scenario) against a compiled policy.

    With ``explain=False`` no explanation events are built; the figures are the same.
    """
    if isinstance(policy, Policy):
        policy = compile_policy(policy)
    if not isinstance(scenario, Scenario):
        scenario = validate(scenario, policy.levels, policy.conditions, limits)
    return evaluate_scenario(policy, scenario, limits, explain)


__all__ = [
    "load_policy", "check_source", "evaluate", "render_text", "render_json", "statement_dict", "compile_policy",
    "CompiledPolicy", "Policy", "Statement", "__version__",
    "Limits", "MedpolicyError", "PolicyError", "PolicyNotFound", "ScenarioError", "EvaluationError",
]
