"""Stage 3's output: a compiled policy, ready to evaluate many scenarios.

A :class:`CompiledPolicy` is what :func:`medpolicy.load_policy` returns and
what :mod:`medpolicy.evaluator` runs: the checked policy lowered once by
:mod:`medpolicy.compiler` into rule units (:mod:`medpolicy.rules`) whose
expressions are closures.  It holds no syntax tree that evaluation reads,
is never changed by an evaluation, and so may be shared by threads.
"""
from __future__ import annotations

import datetime as dt

import attrs

from .diagnostics import Diagnostic
from .explain import PayerAmount
from .model import Policy
from .rules.benefit import CompiledBenefit
from .rules.choice import BenefitChooser
from .rules.context import ZERO
from .rules.coverage import CoverageRule
from .rules.payer import BandedPayer
from .rules.premium import PremiumRule
from .rules.settlement import SettlementGuide


@attrs.frozen(eq=False)
class CompiledPolicy:
    model: Policy = attrs.field(repr=False)
    """The checked policy it was compiled from (declarations, scopes, texts)."""
    content_hash: str
    """``sha256:…`` of the policy text and every module it imports."""
    benefits: tuple[CompiledBenefit, ...] = attrs.field(repr=False)
    """Highest priority first."""
    chooser: BenefitChooser = attrs.field(repr=False)
    coverage: CoverageRule = attrs.field(repr=False)
    payers: tuple[BandedPayer, ...] = attrs.field(repr=False)
    """Payers after the basic fund, in the order they pay."""
    premium: PremiumRule = attrs.field(repr=False)
    labels: dict[str, dict[str, str]] = attrs.field(repr=False)
    """``level`` / ``condition`` / ``category`` / ``benefit`` → id → the name the policy declares."""
    claim_cost: int = 1
    """Evaluation steps placing one claim may take (for ``Limits.max_steps``)."""
    settlement: SettlementGuide = attrs.field(factory=lambda: SettlementGuide((), 0), repr=False)
    """What a student must do for a claim settled by hand."""

    @property
    def joining(self) -> bool:
        """Whether some benefit settles earlier care with the claim it takes (``includes``)."""
        return any(b.joining is not None for b in self.benefits)
    no_payers: tuple[PayerAmount, ...] = attrs.field(init=False, repr=False)
    """Every payer after the basic fund, having paid nothing (what an unpaid claim shows)."""

    @no_payers.default
    def _no_payers(self) -> tuple[PayerAmount, ...]:
        return tuple(PayerAmount(p.id, p.title, ZERO) for p in self.payers)

    # What services and the CLI read of the policy itself.
    @property
    def id(self) -> str:
        return self.model.id

    @property
    def title(self) -> str:
        return self.model.title

    @property
    def jurisdiction(self) -> str:
        return self.model.jurisdiction

    @property
    def path(self) -> str:
        return self.model.path

    @property
    def start(self) -> dt.date:
        return self.model.start

    @property
    def end(self) -> dt.date:
        return self.model.end

    @property
    def period(self) -> tuple[dt.date, dt.date]:
        return (self.model.start, self.model.end)

    @property
    def levels(self) -> dict[str, str]:
        return self.model.levels

    @property
    def conditions(self) -> dict[str, str]:
        return self.model.conditions

    @property
    def categories(self) -> dict[str, str]:
        return self.model.categories

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return self.model.warnings

    @property
    def texts(self) -> dict[str, str]:
        return self.model.texts
