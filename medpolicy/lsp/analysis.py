"""Checking an editor buffer the way ``medpolicy check`` checks a file.

:func:`analyze` parses the buffer's text, follows its imports (resolved
from the buffer's folder, then the bundled policies, as the loader does for
a file on disk), checks it and indexes its names.  A module cannot be
checked alone (the checker wants a policy, E100), so a module buffer is
checked as part of a stand-in policy that only imports it, and only the
module's own diagnostics are kept.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Optional

import attrs

from .. import ast
from ..checker import check
from ..diagnostics import Diagnostic
from ..errors import PolicyError
from ..loader import Program, display_path, load_source
from .index import Index, build_index

UNTITLED = "<buffer>"
"""How a buffer that is not a file yet is named in spans."""

_HOST = "<module host>"


@attrs.frozen
class Analysis:
    text: str
    path: str
    """The buffer's display path (as the spans of its diagnostics name it)."""
    diagnostics: tuple[Diagnostic, ...]
    """Errors and warnings, in the buffer or in the modules it imports."""
    index: Optional[Index] = None
    """None when the text does not parse or an import cannot be read."""


def analyze(text: str, file: Path | None = None) -> Analysis:
    """Check ``text``, the content of ``file`` (None for an unsaved buffer)."""
    shown = display_path(file) if file is not None else UNTITLED
    try:
        program = load_source(text, shown, file.resolve().parent if file is not None else None)
    except PolicyError as err:
        return Analysis(text, shown, tuple(err.diagnostics))
    checked = _check_module if program.main.is_module else check
    try:
        diagnostics = list(checked(program).warnings)
    except PolicyError as err:
        diagnostics = err.diagnostics
    if program.main.is_module:  # what the stand-in policy lacks is not the module's problem
        diagnostics = [d for d in diagnostics if d.span.file in program.texts]
    return Analysis(text, shown, tuple(diagnostics), build_index(program))


def _check_module(program: Program):
    """Check a module as the declarations of a policy that imports it and says nothing else."""
    module = program.main
    header = ast.PolicyHeader(id="host", title="host", year=(dt.date(2000, 1, 1), dt.date(2000, 12, 31)),
                              collection=(None, dt.date(2000, 1, 1)))
    host = ast.File(header, (ast.Levels((ast.Level("host", "host"),)), ast.Import(module.path, "module")),
                    path=_HOST)
    return check(Program(host, {module.path: module, **program.modules},
                         {(_HOST, "module"): module.path, **program.imports}, program.texts, program.files))
