"""Policy tests: scenarios with the figures a policy must give, run by ``medpolicy test``.

:mod:`.files` reads test files (``*.test.yaml``, and scenario files with an
``expect`` block), :mod:`.expectations` compares a statement with what a
case expects, :mod:`.runner` runs cases against their policies, and
:mod:`.coverage` says which rules of a policy no case exercised.
:mod:`.update` writes the figures a policy now gives back into the files;
:mod:`medpolicy.render_policytests` prints a run.
"""
from __future__ import annotations

from .coverage import Site, coverage
from .files import PolicyTestError, TestCase, discover, read_file
from .runner import CaseResult, Report, run
from .update import update

__all__ = ["CaseResult", "PolicyTestError", "Report", "Site", "TestCase", "coverage", "discover", "read_file", "run",
           "update"]
