"""Running policy tests: each case's scenario through its policy, compared with what it expects.

A policy is loaded once per run however many cases name it.  Nothing a case
does stops the run: a policy that does not check, a scenario the contract
refuses or an expectation naming a claim that is not there makes that case
an error, reported with the rest.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional, Union

import attrs

from ..errors import MedpolicyError, PolicyNotFound
from ..evaluator import evaluate_scenario
from ..explain import Statement
from ..loader import resolve
from ..localize import Message, msg
from ..program import CompiledPolicy
from ..scenario import validate
from .expectations import ExpectationError, Mismatch, compare
from .files import TEST_SUFFIX, Place, TestCase, discover, read_file


@attrs.frozen
class CaseResult:
    """What one case gave."""

    case: TestCase
    mismatches: tuple[Mismatch, ...] = ()
    error: Optional[Union[MedpolicyError, Message]] = None
    """Why the case could not be compared (a policy, scenario or expectation problem)."""
    error_place: Optional[Place] = None
    statement: Optional[Statement] = attrs.field(default=None, eq=False, repr=False)
    policy: Optional[CompiledPolicy] = attrs.field(default=None, eq=False, repr=False)

    @property
    def passed(self) -> bool:
        return self.error is None and not self.mismatches


@attrs.frozen
class FileError:
    """A test file that could not be read at all."""

    path: Path
    error: MedpolicyError


@attrs.frozen
class Report:
    results: tuple[CaseResult, ...]
    file_errors: tuple[FileError, ...] = ()

    @property
    def passed(self) -> int:
        return sum(1 for r in self.results if r.passed)

    @property
    def failed(self) -> int:
        return len(self.results) - self.passed + len(self.file_errors)

    @property
    def ok(self) -> bool:
        return self.failed == 0


class _Policies:
    """Each policy a run needs, loaded (or refused) once."""

    def __init__(self, override: Optional[str]):
        self.override = override
        self.loaded: dict[Path, Union[CompiledPolicy, MedpolicyError]] = {}

    def for_case(self, case: TestCase) -> CompiledPolicy:
        if self.override is not None:
            path = resolve(self.override, Path.cwd())
        elif case.policy is not None:
            path = resolve(case.policy, case.file.parent)
        else:
            beside = case.file.with_name(case.file.name.removesuffix(TEST_SUFFIX) + ".mpol")
            if not beside.is_file():
                raise PolicyNotFound(msg("ptest.no_policy", path=str(case.file)))
            path = beside
        path = path.resolve()
        if path not in self.loaded:
            from .. import load_policy  # the package's entry point: checked, compiled, cached on disk

            try:
                self.loaded[path] = load_policy(path)
            except MedpolicyError as exc:
                self.loaded[path] = exc
        found = self.loaded[path]
        if isinstance(found, MedpolicyError):
            raise found
        return found


def run_case(case: TestCase, policies: _Policies) -> CaseResult:
    try:
        program = policies.for_case(case)
        scenario = validate(case.scenario, program.levels, program.conditions, categories=program.categories)
    except MedpolicyError as exc:
        return CaseResult(case, error=exc)
    statement = evaluate_scenario(program, scenario, explain=True)
    benefits = tuple(b.id for b in program.model.benefits)
    try:
        mismatches = compare(case, statement, benefits)
    except ExpectationError as exc:
        return CaseResult(case, error=exc.message, error_place=exc.place, statement=statement, policy=program)
    return CaseResult(case, tuple(mismatches), statement=statement, policy=program)


def run(paths: list[Path], policy: Optional[str] = None) -> Report:
    """Run every case of the test files found under ``paths``; ``policy`` (an id or path) replaces
    the policy each case names, to try a draft against the tests of the published version."""
    policies = _Policies(policy)
    results: list[CaseResult] = []
    errors: list[FileError] = []
    for path in discover(paths):
        try:
            cases = read_file(path)
        except MedpolicyError as exc:
            errors.append(FileError(path, exc))
            continue
        results += [run_case(case, policies) for case in cases]
    return Report(tuple(results), tuple(errors))
