"""Every example of the policy authors' docs runs: docs/language.md and the tutorial docs/tutorial.md.

Policy authors copy what the docs show, so every code block is either run here
or explicitly marked as shown only.  The conventions (the words after the first
one of a fence's info string are invisible in rendered Markdown):

docs/language.md
  ```mpol   an example, checked with ``medpolicy.check_source``.  A block starting
            with ``policy`` is a policy; one starting with ``module`` is a
            module, checked by a policy that imports it; any other block is a
            *fragment*, which gets the header of :data:`FRAGMENT_HEADER` on its
            first line (so its line numbers stay the block's).  A policy or a
            fragment is then completed with the declarations of
            :data:`FRAGMENT_DECLARATIONS` it does not make itself: levels "1"
            "2" "3", four conditions, ``source guide``, and, when it declares
            no benefit, one benefit paying 50% of every claim.
  ```yaml   a check of the nearest ``mpol`` block above it, in the format of
            ``medpolicy test`` (docs/testing.md): a scenario with ``person``,
            ``claims`` and ``expect``, or a test file with ``cases``.  It is
            written beside the completed policy with ``policy:`` naming it and
            run with :func:`medpolicy.policytests.run`; every figure must agree.
            The figures are the docs' hand arithmetic, in comments beside them.
  ```text, ```sh   shown only.  An untagged block is refused.
  Together the ``mpol`` blocks must use every keyword and every rule of the
  grammar (grammar/medpolicy.lark), so a new construct needs an example.

docs/tutorial.md (the finished files are in docs/tutorial/)
  ```LANG file=NAME      an excerpt of docs/tutorial/NAME, byte for byte.
  ```mpol mistake=NAME   NAME's lines as a reader may mistype them: the first and
                         last lines are NAME's, the lines between replace NAME's.
  ```console             ``$ medpolicy …`` and what it prints.  The command is run
                         with click's CliRunner in a folder holding each file as
                         the reader has it at that point: the finished file up to
                         the end of the last excerpt of it shown so far (with the
                         mistake in place until an excerpt is shown again); the
                         source document (``.md``) is there in full from the start.
                         Its output must be the block's, trailing whitespace aside.
  ```text                shown only.  Any other block is refused.
"""
from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Optional

import attrs
import lark
import pytest
from click.testing import CliRunner

import medpolicy
from medpolicy.checker import check
from medpolicy.cli import main
from medpolicy.diagnostics import render_all
from medpolicy.loader import load
from medpolicy.policytests import coverage, run
from medpolicy.render_policytests import render_report, site_text
from medpolicy.resources import grammar_path

from conftest import ROOT, cites_and_sources, quote_in_source

LANGUAGE = ROOT / "docs" / "language.md"
TUTORIAL = ROOT / "docs" / "tutorial.md"
TUTORIAL_FILES = ROOT / "docs" / "tutorial"
TUTORIAL_POLICY = TUTORIAL_FILES / "example-city.mpol"
TUTORIAL_SOURCE = TUTORIAL_FILES / "example-city-rules.md"

FRAGMENT_HEADER = ('policy example { title "文档示例" year 2026-01-01 .. 2026-12-31 collection 2025-09-01 .. 2025-12-31 '
                   'rounding half_up to ¥0.01 } ')
FRAGMENT_DECLARATIONS = (
    # (what a fragment declaring it itself starts a line with, the declaration added otherwise)
    (r"levels\b", 'levels { "1" "一级医疗机构" "2" "二级医疗机构" "3" "三级医疗机构" }'),
    (r"conditions\b",
     'conditions { hypertension "高血压" diabetes "糖尿病" pku "苯丙酮尿症" dialysis "重症尿毒症透析治疗" }'),
    (r"source\s+guide\b",
     'source guide "克拉玛依市城乡居民基本医疗保险办理指南（高校学生篇）" "karamay-student-guide-2025.md"'),
    (r"benefit\b", 'benefit example "示例待遇" { priority 1 when claim.total >= ¥0 no deductible ratio 50% }'),
)
MODULE_FILE = "doc_module.mpol"

FENCE = re.compile(r"^```([^`\n]*)\n(.*?)^```[ \t]*$", re.M | re.S)


@attrs.frozen
class Block:
    """One fenced code block of a doc."""

    doc: Path
    line: int
    """The line of its opening fence."""
    lang: str
    options: dict
    """The words of the info string after the first: ``key=value``, or a bare word (True)."""
    text: str

    @property
    def id(self) -> str:
        return f"{self.doc.name}:{self.line}"


def blocks(doc: Path) -> list[Block]:
    text = doc.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        words = match.group(1).split()
        options = dict((w.split("=", 1) if "=" in w else (w, True)) for w in words[1:])
        line = text.count("\n", 0, match.start()) + 1
        found.append(Block(doc, line, words[0] if words else "", options, match.group(2)))
    return found


# ---------------------------------------------------------------------------------------- docs/language.md

LANGUAGE_BLOCKS = blocks(LANGUAGE)
EXAMPLES = [b for b in LANGUAGE_BLOCKS if b.lang == "mpol"]


def _kind(block: Block) -> str:
    first = re.search(r"^\s*(\w+)", re.sub(r"#[^\n]*", "", block.text))
    word = first.group(1) if first else ""
    return word if word in ("policy", "module") else "fragment"


def completed(block: Block) -> str:
    """The policy a block stands for: the block completed (a module's: a policy importing it as ``MODULE_FILE``)."""
    kind = _kind(block)
    own = "" if kind == "module" else block.text
    added = [declaration for starts, declaration in FRAGMENT_DECLARATIONS
             if not re.search(r"^[ \t]*" + starts, own, re.M)]
    if kind == "module":
        added.insert(0, f'import "{MODULE_FILE}" as doc_module')
    return ("" if kind == "policy" else FRAGMENT_HEADER) + own + "\n" + "\n".join(added) + "\n"


def checks() -> list[tuple[Optional[Block], Block]]:
    """Each ```yaml block of docs/language.md with the ``mpol`` block it checks."""
    pairs, example = [], None
    for block in LANGUAGE_BLOCKS:
        if block.lang == "mpol":
            example = block
        elif block.lang == "yaml":
            pairs.append((example, block))
    return pairs


def write_example(block: Block, folder: Path) -> Path:
    """The completed example as a policy file in ``folder`` (its module beside it)."""
    if _kind(block) == "module":
        (folder / MODULE_FILE).write_text(block.text, encoding="utf-8")
    path = folder / f"example-{block.line}.mpol"
    path.write_text(completed(block), encoding="utf-8")
    return path


def check_example(block: Block, folder: Path) -> medpolicy.CompiledPolicy:
    path = write_example(block, folder)
    try:
        return medpolicy.check_source(path.read_text(encoding="utf-8"), path=path.name, root=folder)
    except medpolicy.PolicyError as err:
        shown = render_all(err.diagnostics, err.sources, "en")
        pytest.fail(f"{block.id}: the example does not check (its line N is line {block.line} + N of the doc):\n{shown}")


def test_language_md_blocks_are_tagged():
    untagged = [b.id for b in LANGUAGE_BLOCKS if b.lang not in ("mpol", "yaml", "text", "sh")]
    assert not untagged, "tag each block mpol (checked), yaml (a check of the example above it) or text/sh"
    assert len(EXAMPLES) > 20 and len(checks()) > 15


@pytest.mark.parametrize("block", EXAMPLES, ids=lambda b: b.id)
def test_language_example_checks(block, tmp_path):
    check_example(block, tmp_path)


@pytest.mark.parametrize("pair", checks(), ids=lambda pair: pair[1].id)
def test_language_example_gives_the_figures_worked_out_by_hand(pair, tmp_path, monkeypatch):
    example, expected = pair
    assert example is not None, f"{expected.id}: a check before any example"
    policy = write_example(example, tmp_path)
    assert "policy:" not in re.findall(r"^\w+:", expected.text, re.M), f"{expected.id}: the test names the policy"
    suffix = ".test.yaml" if re.search(r"^cases:", expected.text, re.M) else ".yaml"
    path = tmp_path / f"check-{expected.line}{suffix}"
    path.write_text(f"policy: {policy.name}\n{expected.text}", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    report = run([path])
    assert report.results and report.ok, f"{expected.id} against {example.id}:\n{render_report(report, 'en')}"


# The grammar with every token kept, so that keywords can be read off the tree.
@pytest.fixture(scope="module")
def grammar() -> lark.Lark:
    return lark.Lark(grammar_path().read_text(encoding="utf-8"), parser="lalr", lexer="contextual",
                     propagate_positions=True, maybe_placeholders=True, keep_all_tokens=True)


def _used(grammar: lark.Lark, block: Block) -> tuple[set[str], set[str]]:
    """The keywords and the grammar rules (by name or alias) the block's own text uses."""
    text = block.text if _kind(block) == "module" else completed(block)
    lines = block.text.count("\n") + 1
    offset = len(FRAGMENT_HEADER) if _kind(block) == "fragment" else 0

    def own(line: int, column: int) -> bool:  # not in the completion of a fragment
        return (line > 1 or column > offset) and line <= lines

    tree = grammar.parse(text)
    rules = {str(t.data) for t in tree.iter_subtrees() if not t.meta.empty and own(t.meta.line, t.meta.column)}
    words = {str(tok) for tok in tree.scan_values(lambda v: isinstance(v, lark.Token))
             if tok.type not in ("NAME", "STRING") and own(tok.line, tok.column)}
    return words, rules


def test_every_keyword_and_rule_of_the_grammar_has_an_example(grammar):
    text = re.sub(r"//[^\n]*", "", grammar_path().read_text(encoding="utf-8"))
    keywords = set(re.findall(r'"([a-z_]+)"', text))
    rules = {str(r.alias) if r.alias else r.origin.name for r in grammar.rules
             if r.alias or not (r.options.expand1 or r.origin.name.startswith("_"))}
    used_words: set[str] = set()
    used_rules: set[str] = set()
    for block in EXAMPLES:
        words, names = _used(grammar, block)
        used_words |= words
        used_rules |= names
    assert len(keywords) > 80 and len(rules) > 80
    missing = sorted(keywords - used_words)
    assert not missing, f"keywords with no example in docs/language.md: {missing}"
    assert not rules - used_rules, f"grammar rules with no example in docs/language.md: {sorted(rules - used_rules)}"


# ---------------------------------------------------------------------------------------- docs/tutorial.md

TUTORIAL_BLOCKS = blocks(TUTORIAL)


@attrs.frozen
class Run:
    """A ``console`` block of the tutorial and the files the reader has when running it."""

    block: Block
    command: list
    output: str
    files: dict


def _mistaken(final: str, block: Block) -> tuple[int, int]:
    """The span of ``final``'s lines a ``mistake`` block replaces: from its first line to its last;
    raise ValueError when the block does not fit the file."""
    lines, wrong = final.splitlines(keepends=True), block.text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if len(wrong) >= 2 and line == wrong[0]]
    end = next((j for j in range(starts[0] + 1, len(lines)) if lines[j] == wrong[-1]), None) if starts else None
    if len(starts) != 1 or end is None:
        raise ValueError("its first line must be one line of the file, and its last a line after it")
    at = sum(len(line) for line in lines[:starts[0]])
    return at, at + sum(len(line) for line in lines[starts[0]:end + 1])


def _excerpt(final: str, block: Block) -> tuple[int, int]:
    at = final.find(block.text)
    if at < 0 or not block.text:
        raise ValueError("it is not the file's text")
    return at, at + len(block.text)


def tutorial_walk() -> tuple[list[Run], list[str]]:
    """Each ``console`` block, with the files as the tutorial has shown them up to it; and the
    excerpts and mistakes that do not fit their files."""
    shown: dict[str, int] = {}
    mistakes: dict[str, tuple[int, int, str]] = {}
    runs, problems = [], []
    for block in TUTORIAL_BLOCKS:
        name = block.options.get("file") or block.options.get("mistake")
        if name:
            path = TUTORIAL_FILES / str(name)
            final = path.read_text(encoding="utf-8") if path.is_file() else ""
            try:
                at, end = (_excerpt if "file" in block.options else _mistaken)(final, block)
            except ValueError as err:
                problems.append(f"{block.id}: docs/tutorial/{name}: {err}")
                continue
            if "file" in block.options:
                mistakes.pop(name, None)
            else:
                mistakes[name] = (at, end, block.text)
            shown[name] = max(shown.get(name, 0), end)
        elif block.lang == "console":
            first, _, output = block.text.partition("\n")
            if not first.startswith("$ medpolicy "):
                problems.append(f"{block.id}: a console block starts with `$ medpolicy …`")
                continue
            files = {p.name: p.read_text(encoding="utf-8") for p in TUTORIAL_FILES.glob("*.md")}
            for name, end in shown.items():
                if name.endswith(".md"):
                    continue
                final = (TUTORIAL_FILES / name).read_text(encoding="utf-8")
                at, stop, wrong = mistakes.get(name, (end, end, ""))
                files[name] = final[:at] + wrong + final[stop:end]
            runs.append(Run(block, shlex.split(first[2:])[1:], output, files))
    return runs, problems


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.rstrip().splitlines()]


def test_tutorial_blocks_are_excerpts_mistakes_commands_or_text():
    kinds = [("file" in b.options or "mistake" in b.options or b.lang in ("console", "text")) for b in TUTORIAL_BLOCKS]
    assert all(kinds), [b.id for b, ok in zip(TUTORIAL_BLOCKS, kinds) if not ok]
    runs, problems = tutorial_walk()
    assert not problems
    assert len(runs) >= 10
    named = {b.options.get("file") for b in TUTORIAL_BLOCKS}
    assert {"example-city.mpol", "example-city.test.yaml", "example-city-rules.md",
            "example-city-scenario.yaml"} <= named


@pytest.mark.parametrize("case", tutorial_walk()[0], ids=lambda r: r.block.id)
def test_tutorial_output_is_what_the_command_prints(case, tmp_path, monkeypatch):
    for name, text in case.files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, case.command)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert _lines(result.output) == _lines(case.output), (
        f"{case.block.id}: `medpolicy {' '.join(case.command)}` now prints:\n{result.output}")


def test_the_tutorial_files_pass_their_tests_and_exercise_every_rule(monkeypatch):
    monkeypatch.chdir(TUTORIAL_FILES)
    report = run([TUTORIAL_FILES])
    assert report.ok, render_report(report, "en")
    assert {r.case.file.name for r in report.results} == {"example-city.test.yaml", "example-city-scenario.yaml"}
    [(total, missing)] = coverage(report.results).values()
    assert total > 20
    assert not missing, "\n".join(site_text(site, "en") for site in missing)


def test_the_tutorial_policy_has_no_warning_not_even_a_lint():
    policy = check(load(TUTORIAL_POLICY), lint=True)
    assert not policy.warnings, render_all(policy.warnings, policy.texts, "en")


def test_the_tutorial_policy_quotes_its_document():
    # conftest's helpers take paths under policies/ and docs/sources/; an absolute path replaces them.
    cites, sources = cites_and_sources(str(TUTORIAL_POLICY))
    assert sources == {"rules": TUTORIAL_SOURCE.name} and len(cites) > 10
    for cite in cites:
        assert cite.quote and quote_in_source(cite.quote, str(TUTORIAL_SOURCE)), (cite.section, cite.quote)
