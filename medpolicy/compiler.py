"""Stage 3: lower a checked policy, once, into a compiled program.

The checker's :class:`~medpolicy.model.Policy` still holds syntax trees.
:func:`compile_policy` turns each rule into its unit of
:mod:`medpolicy.rules` — expressions into closures
(:mod:`medpolicy.compiled_expr`), citations resolved, constants folded,
band edges and caps computed — and returns the
:class:`~medpolicy.program.CompiledPolicy` the evaluator runs.  This stage
reports nothing: a checked policy always compiles.
"""
from __future__ import annotations

import hashlib

from .model import Policy
from .program import CompiledPolicy
from .rules.benefit import compile_benefit
from .rules.choice import BenefitChooser
from .rules.context import CompileContext
from .rules.coverage import compile_coverage
from .rules.payer import compile_payer
from .rules.premium import compile_premium
from .rules.settlement import compile_settlement


def compile_policy(policy: Policy) -> CompiledPolicy:
    cx = CompileContext(policy)
    benefits = tuple(compile_benefit(cx, b, i) for i, b in enumerate(policy.benefits))
    payers = tuple(compile_payer(cx, decl) for decl in policy.payer_declarations)
    chooser = BenefitChooser(benefits)
    labels = {"level": dict(policy.levels), "condition": dict(policy.conditions), "category": dict(policy.categories),
              "benefit": {b.id: b.title for b in benefits}}
    claim_cost = chooser.cost + sum(p.covers.size + sum(t.when.size for t in p.tables if t.when) for p in payers)
    settlement = compile_settlement(cx, policy.settlements)
    return CompiledPolicy(policy, content_hash(policy), benefits, chooser, compile_coverage(cx, policy.coverage, policy.coverage_end),
                          payers, compile_premium(cx, policy.premium), labels, claim_cost + settlement.cost,
                          settlement)


def content_hash(policy: Policy) -> str:
    """sha256 of the policy's text and its modules' texts, whatever their paths on this machine."""
    digest = hashlib.sha256()
    main = policy.texts.get(policy.path, "")
    others = sorted(text for path, text in policy.texts.items() if path != policy.path)
    for text in [main, *others]:
        digest.update(text.encode("utf-8"))
        digest.update(b"\0")
    return "sha256:" + digest.hexdigest()


__all__ = ["compile_policy", "content_hash"]
