"""What-if: a policy with some of its named values changed, for one run.

``NAME=VALUE`` overrides a ``param``, ``let`` or shared ``cap`` declared in
the policy file (``general_outpatient_year=¥1000``, ``base_ratio=75%``): the
value must be a literal of the type the name already has.  The result is a
new compiled policy, the checked policy with those definitions replaced and
compiled again; the original is untouched.  Its place name says it is
changed and how (using the labels the policy declares), and its content hash
covers the overrides, so a statement never passes for the published policy's.
Compared with the original (:mod:`medpolicy.compare`), it shows baseline
against changed, per claim and in total.
"""
from __future__ import annotations

import hashlib
from typing import Sequence

import attrs

from . import ast
from .compiler import compile_policy
from .diagnostics import closest
from .errors import MedpolicyError, PolicyError
from .localize import msg, say
from .messages import word
from .model import Binding
from .program import CompiledPolicy
from .rules.context import CompileContext
from .values import format_money

OVERRIDABLE = ("param", "let", "cap")


class WhatIfError(MedpolicyError):
    """A ``--set`` that names nothing overridable, or gives a value of the wrong form or type."""


def apply_overrides(policy: CompiledPolicy, settings: Sequence[str], lang: str = "zh") -> CompiledPolicy:
    """``policy`` with each ``NAME=VALUE`` of ``settings`` applied; raise WhatIfError on a bad one."""
    model = policy.model
    scope = dict(model.scopes[model.path])
    caps = dict(model.caps)
    cx = CompileContext(model)
    shown = []
    for setting in settings:
        name, sep, text = setting.partition("=")
        name, text = name.strip(), text.strip()
        if not sep or not name or not text:
            raise WhatIfError(msg("whatif.form", setting=setting))
        binding = scope.get(name)
        if binding is None or binding.kind not in OVERRIDABLE:
            known = sorted(n for n, b in scope.items() if b.kind in OVERRIDABLE and b.file == model.path)
            hint = closest(name, known)
            raise WhatIfError(msg("whatif.unknown.hint", name=name, hint=hint) if hint
                              else msg("whatif.unknown", name=name, known=known))
        value = _literal(text, setting)
        node = binding.node
        current = node.amount if binding.kind == "cap" else node.value
        want = _base(cx.expr(ast.Name(name)).type if binding.kind != "cap" else cx.expr(current).type)
        got = _base(cx.expr(value).type)
        if want != got:
            raise WhatIfError(msg("whatif.type", name=name, want=want, got=got))
        if binding.kind == "cap":
            changed = attrs.evolve(node, amount=value)
            caps[name] = changed
        else:
            changed = attrs.evolve(node, value=value)
        scope[name] = Binding(binding.kind, changed, binding.file, binding.kinds)
        shown.append(say("whatif.item", lang, label=getattr(node, "label", None) or name, value=_show(value)))
    if not shown:
        return policy
    scopes = dict(model.scopes)
    scopes[model.path] = scope
    place = model.jurisdiction or model.id
    items = word("details.sep", lang).join(shown)
    changed_model = attrs.evolve(model, scopes=scopes, caps=caps,
                                 jurisdiction=say("whatif.changed", lang, place=place, items=items))
    compiled = compile_policy(changed_model)
    digest = hashlib.sha256((policy.content_hash + "\0" + "\0".join(settings)).encode("utf-8")).hexdigest()
    return attrs.evolve(compiled, content_hash=f"sha256:{digest}")


def _literal(text: str, setting: str) -> ast.Expr:
    """The literal ``text`` as the parser reads it (``¥1,200``, ``75%``, ``3 months``, ``2026-07-01``)."""
    from .parser import parse

    try:
        file = parse(f'policy whatif {{ title "whatif" }}\nlet value = {text}\n', "<--set>")
    except PolicyError:
        raise WhatIfError(msg("whatif.value", setting=setting)) from None
    (let,) = [d for d in file.decls if isinstance(d, ast.Let)]
    value = let.value
    inner = value.operand if isinstance(value, ast.Unary) and value.op == "-" else value
    if not isinstance(inner, ast.Literal):
        raise WhatIfError(msg("whatif.value", setting=setting))
    return value


def _base(type_name: str) -> str:
    return type_name[4:] if type_name.startswith("opt:") else type_name


def _show(value: ast.Expr) -> str:
    sign = "-" if isinstance(value, ast.Unary) else ""
    literal = value.operand if isinstance(value, ast.Unary) else value
    if literal.kind == "money":
        return f"{sign}¥{format_money(literal.value)}"
    if literal.kind == "percent":
        return f"{sign}{literal.value}%"
    return f"{sign}{literal.value}"


__all__ = ["apply_overrides", "WhatIfError", "OVERRIDABLE"]
