"""Limits that keep a policy or a scenario from exhausting the machine.

Every limit has a default here and can be changed by an embedding service
(pass a :class:`Limits` to :func:`medpolicy.load_policy` / :func:`medpolicy.evaluate`).
"""
from __future__ import annotations

from decimal import Decimal

import attrs


@attrs.frozen
class Limits:
    max_policy_bytes: int = 1_000_000
    """Largest policy or module file read."""
    max_nesting: int = 200
    """Deepest syntax tree accepted (each parenthesis or operator nests a level or more)."""
    max_claims: int = 10_000
    """Most claims one scenario may hold."""
    max_amount: Decimal = Decimal("100000000")
    """Largest amount (yuan) a claim may state: ¥100 million."""
    max_steps: int = 2_000_000
    """Expression evaluation steps allowed for one scenario."""
    max_scenario_bytes: int = 10_000_000
    """Largest scenario file read."""


DEFAULT_LIMITS = Limits()
