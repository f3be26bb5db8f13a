"""Render a statement as JSON (the shape other services consume).

The shape is ``schemas/statement.schema.json`` (version
:data:`~medpolicy.explain.SCHEMA_VERSION`), described in
``schemas/statement.md``.  Money is a string with two decimals (more only
where an intermediate amount has more, such as a band's exact share); every
explanation event keeps its ``kind`` and typed ``data`` beside the words
the catalogue gives it in the requested language, so a service never has to
parse prose.
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Optional

from .explain import EVENT_KINDS, SCHEMA_VERSION, Citation, Detail, Event, Statement
from .messages import describe, word
from .values import CENT, Days, Months, Money, Percent, _plain, format_money
from .version import __version__


def _money(amount: Optional[Decimal]) -> Optional[str]:
    if amount is None:
        return None
    if amount == amount.quantize(CENT):
        return format_money(amount)
    return format(amount.normalize(), "f")


def _percent(value: Percent) -> str:
    return f"{_plain(value.points)}%"


def _typed(value) -> dict:
    """A value whose type is not fixed by its field: ``{"type": …, "value": …}``."""
    if value is None:
        return {"type": "absent", "value": None}
    if isinstance(value, bool):
        return {"type": "bool", "value": value}
    if isinstance(value, Money):
        return {"type": "money", "value": _money(value.amount)}
    if isinstance(value, Percent):
        return {"type": "percent", "value": _percent(value)}
    if isinstance(value, Months):
        return {"type": "months", "value": value.count}
    if isinstance(value, Days):
        return {"type": "days", "value": value.count}
    if isinstance(value, dt.date):
        return {"type": "date", "value": value.isoformat()}
    if isinstance(value, Decimal):
        return {"type": "number", "value": _plain(value)}
    if isinstance(value, int):
        return {"type": "number", "value": str(value)}
    if isinstance(value, tuple):
        return {"type": "list", "value": [_typed(v) for v in value]}
    return {"type": "text", "value": str(value)}


def _detail(detail: Detail) -> dict:
    out = {"kind": detail.kind, "name": detail.name, "label": detail.label, "value": _typed(detail.value),
           "key": detail.key, "key_kind": detail.key_kind or None, "otherwise": detail.otherwise}
    if detail.kind == "history":
        out["claims"] = list(detail.claims)
    return out


def _field(type_: str, value):
    if value is None:
        return None
    base = type_.split(":")[0].rstrip("?")
    if base == "money":
        return _money(value)
    if base == "percent":
        return _percent(value)
    if base == "number":
        return format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)
    if base == "date":
        return value.isoformat()
    if base == "details":
        return [_detail(d) for d in value]
    return value


def _cite(cite: Optional[Citation]) -> Optional[dict]:
    if cite is None:
        return None
    return {"source": cite.source, "title": cite.title, "section": cite.section, "quote": cite.quote}


def event_dict(event: Event, lang: str, labels: dict) -> dict:
    fields = EVENT_KINDS[event.kind]
    return {
        "kind": event.kind,
        "text": describe(event, lang, labels),
        "amount": _money(event.amount),
        "rule": event.rule,
        "data": {name: _field(type_, event.data[name]) for name, type_ in fields.items()},
        "source": event.source.short if event.source is not None else None,
        "cite": _cite(event.cite),
    }


def _payers(payers) -> list:
    return [{"id": p.id, "title": p.title, "amount": _money(p.amount)} for p in payers]


def statement_dict(statement: Statement, lang: str = "zh") -> dict:
    t = statement.totals
    info, labels = statement.policy, statement.policy.labels
    explained = statement.explained

    def events(items) -> Optional[list]:
        return [event_dict(e, lang, labels) for e in items] if explained else None

    return {
        "schema_version": SCHEMA_VERSION,
        "medpolicy_version": __version__,
        "lang": lang,
        "policy": {
            "id": info.id,
            "title": info.title,
            "period": [info.period[0].isoformat(), info.period[1].isoformat()],
            "content_hash": info.content_hash,
        },
        "person": statement.person,
        "notes": events(statement.notes),
        "claims": [
            {
                "id": c.id,
                "date": c.date.isoformat(),
                "status": c.status,
                "benefit_id": c.benefit,
                "benefit": c.benefit_title,
                "visit": c.visit,
                "total": _money(c.total),
                "covered": _money(c.covered),
                "basic_fund": _money(c.basic_fund),
                "critical_illness": _money(c.critical_illness),
                "payers": _payers(c.payers),
                "patient": _money(c.patient),
                "explanation": events(c.events),
            }
            for c in statement.claims
        ],
        "totals": {
            "total": _money(t.total),
            "covered": _money(t.covered),
            "basic_fund": _money(t.basic_fund),
            "critical_illness": _money(t.critical_illness),
            "payers": _payers(t.payers),
            "fund": _money(t.fund),
            "patient": _money(t.patient),
        },
        "premium": {
            "personal": _money(statement.premium.personal),
            "explanation": events(statement.premium.events),
        },
    }


def comparison_dict(comparison, lang: str = "zh") -> dict:
    """A :class:`~medpolicy.compare.Comparison`: per policy its notes (kind, data and words),
    premium, net cost of the year and full statement."""
    return {
        "schema_version": SCHEMA_VERSION,
        "medpolicy_version": __version__,
        "lang": lang,
        "home": comparison.home,
        "policies": [
            {
                "policy": o.policy.id,
                "title": o.policy.title,
                "complete": o.complete,
                "unplaced": list(o.unplaced),
                "notes": [{"kind": n.kind, "data": n.data, "text": word(f"compare.{n.kind}", lang, **n.data)}
                          for n in o.notes],
                "premium": _money(o.premium),
                "patient": _money(o.statement.totals.patient),
                "net": _money(o.net),
                "statement": statement_dict(o.statement, lang),
            }
            for o in comparison.outcomes
        ],
    }


def render_json(statement: Statement, lang: str = "zh") -> str:
    return json.dumps(statement_dict(statement, lang), ensure_ascii=False, indent=2) + "\n"
