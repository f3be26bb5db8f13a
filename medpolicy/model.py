"""Stage 2's output: a checked policy, ready to evaluate.

The checker (:mod:`medpolicy.checker`) builds a :class:`Policy` only when a
program has no errors.  It keeps the declarations' AST nodes (their
expressions are now known to be well typed) and adds what evaluation needs:
name scopes per file, benefits in priority order, declared levels and
conditions, and the sources citations point to.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Optional

import attrs

from . import ast


@attrs.frozen
class Binding:
    """What a name in a scope stands for."""

    kind: str
    """``param``, ``let``, ``list``, ``counter``, ``history``, ``cap``, ``module`` or ``member``."""
    node: object = None
    """The declaring node (``None`` for members)."""
    file: str = ""
    """Display path of the file whose scope evaluates ``node``; for a module
    binding, the module's path."""
    kinds: frozenset = frozenset()
    """For members: the enumerations the name belongs to."""


@attrs.frozen
class Policy:
    id: str
    title: str
    jurisdiction: str
    path: str
    """Display path of the policy file."""
    start: dt.date
    end: dt.date
    collection_start: Optional[dt.date]
    collection_end: Optional[dt.date]
    rounding_mode: str
    rounding_unit: Decimal
    rounding_cite: Optional[ast.Cite]
    levels: dict[str, str]
    """Level id → display name, in declaration order."""
    conditions: dict[str, str]
    """Condition id → display name."""
    categories: dict[str, str]
    """Claim category id → display name (``categories { … }``), in declaration order."""
    benefits: tuple[ast.Benefit, ...]
    """Highest priority first."""
    counters: dict[str, ast.Counter]
    caps: dict[str, ast.CapDecl]
    adjustments: tuple[ast.Adjustment, ...]
    coverage: Optional[ast.Coverage]
    critical: Optional[ast.CriticalIllness]
    """The ``critical_illness`` declaration, if any."""
    premium: Optional[ast.Premium]
    scopes: dict[str, dict[str, Binding]]
    """Display path → name → binding."""
    sources: dict[tuple[str, str], ast.Source]
    """(display path, source id) → source declaration."""
    texts: dict[str, str] = attrs.field(eq=False, repr=False, factory=dict)
    payers: tuple = ()
    """Every payer after the basic fund (critical illness included), in declaration order."""
    settlements: tuple = ()
    """The ``settlement`` declarations (what to do for a claim settled by hand), in declaration order."""
    coverage_end: Optional[ast.CoverageEnd] = None
    histories: tuple = ()
    """The ``history`` declarations of the policy and its modules (queries over earlier claims)."""
    """``coverage ends``: when a person's benefits end, if not with the policy year."""
    warnings: tuple = ()
    deductible_pools: dict = attrs.field(factory=dict)
    """Shared ``deductible`` declarations by id (one 起付线 several benefits meet together)."""
    measures: dict = attrs.field(factory=dict)
    """``measure`` declarations by id (year-to-date amounts banded ratios are measured on)."""

    @property
    def payer_declarations(self) -> list:
        """The payers after the basic fund, in order; a model built without ``payers`` but with a
        ``critical_illness`` declaration has that one."""
        payers = list(self.payers or ())
        if not payers and self.critical is not None:
            payers = [self.critical]
        return payers
