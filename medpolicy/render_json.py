"""Render a statement as JSON (the shape other services consume).

Money is a string with two decimals; the shape is documented in
``schemas/statement.md`` and fixed by the golden tests.
"""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Optional

from .explain import Statement, Step
from .values import format_money


def _money(amount: Optional[Decimal]) -> Optional[str]:
    return None if amount is None else format_money(amount)


def _step(step: Step) -> dict:
    return {
        "step": step.text,
        "amount": _money(step.amount),
        "source": step.source.short if step.source is not None else None,
        "cite": step.cite,
    }


def statement_dict(statement: Statement) -> dict:
    t = statement.totals
    return {
        "policy": {
            "id": statement.policy_id,
            "title": statement.policy_title,
            "period": [statement.period[0].isoformat(), statement.period[1].isoformat()],
        },
        "person": statement.person,
        "claims": [
            {
                "id": c.id,
                "benefit": c.benefit_title,
                "total": _money(c.total),
                "covered": _money(c.covered),
                "basic_fund": _money(c.basic_fund),
                "critical_illness": _money(c.critical_illness),
                "patient": _money(c.patient),
                "explanation": [_step(s) for s in c.steps],
            }
            for c in statement.claims
        ],
        "totals": {
            "total": _money(t.total),
            "covered": _money(t.covered),
            "basic_fund": _money(t.basic_fund),
            "critical_illness": _money(t.critical_illness),
            "fund": _money(t.fund),
            "patient": _money(t.patient),
        },
        "premium": {
            "personal": _money(statement.premium.personal),
            "explanation": [_step(s) for s in statement.premium.steps],
        },
    }


def render_json(statement: Statement) -> str:
    return json.dumps(statement_dict(statement), ensure_ascii=False, indent=2) + "\n"
