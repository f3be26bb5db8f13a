"""Where the grammar, the bundled policies, the documents they cite and the JSON schemas are.

In a wheel they are package data under ``medpolicy/_data``; in a source
checkout (editable install, or tests run from the repository) they are the
top-level ``grammar/``, ``policies/``, ``docs/sources/`` and ``schemas/`` folders.
"""
from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(name: str, checkout: str = "") -> Path:
    """The folder ``name`` of a wheel's package data, or of a source checkout (``checkout``, when it
    lives elsewhere there: the cited documents are ``docs/sources``)."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / (checkout or name)):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"medpolicy is installed without its {name}/ folder")


def grammar_path() -> Path:
    return _find("grammar") / "medpolicy.lark"


def bundled_policies() -> Path:
    return _find("policies")


def source_documents() -> Path:
    """The folder of the documents the bundled policies cite (a ``source`` declaration's file name)."""
    return _find("sources", checkout="docs/sources")


def schema_path(name: str) -> Path:
    """A published JSON Schema: ``schema_path("statement")`` or ``schema_path("scenario")``."""
    return _find("schemas") / f"{name}.schema.json"
