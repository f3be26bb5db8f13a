"""The editor files: the TextMate grammar highlights every keyword of the language and its literals,
and the VS Code extension points at files that exist.

TextMate grammars are Oniguruma regexes; these are written in the part Python's `re` shares, so they
are compiled here, and a small tokenizer (earliest match first, ties to the first pattern, as
TextMate does) checks what a line's words are highlighted as.
"""
from __future__ import annotations

import json
import re

import pytest

from medpolicy.typecheck import FUNCTIONS

from conftest import ROOT

EDITORS = ROOT / "editors"
GRAMMAR = json.loads((EDITORS / "textmate" / "medpolicy.tmLanguage.json").read_text(encoding="utf-8"))
LARK = (ROOT / "grammar" / "medpolicy.lark").read_text(encoding="utf-8")
KEYWORD_SCOPES = ("keyword.", "storage.type.", "constant.language.")


def flatten(patterns: list) -> list[dict]:
    """The grammar's rules in order, includes and pattern groups expanded."""
    rules = []
    for pattern in patterns:
        if "include" in pattern:
            rules += flatten([GRAMMAR["repository"][pattern["include"].lstrip("#")]])
        elif "match" in pattern or "begin" in pattern:
            rules.append(pattern)
        else:
            rules += flatten(pattern["patterns"])
    return rules


RULES = [(re.compile(rule.get("match") or rule["begin"]), rule) for rule in flatten(GRAMMAR["patterns"])]


def tokenize(line: str) -> list[tuple[str, str]]:
    """(text, scope) of each highlighted piece of one line."""
    tokens, pos = [], 0
    while pos < len(line):
        found = [(m, rule) for regex, rule in RULES if (m := regex.search(line, pos))]
        if not found:
            break
        m, rule = min(found, key=lambda f: f[0].start())  # min keeps the first of equal starts
        if "begin" in rule:
            end = _end_of_block(line, m.end(), rule)
            tokens.append((line[m.start():end], rule["name"]))
            pos = end
            continue
        if "captures" in rule:
            tokens += [(m.group(int(g)), c["name"]) for g, c in rule["captures"].items() if m.group(int(g))]
        else:
            tokens.append((m.group(0), rule["name"]))
        pos = max(m.end(), pos + 1)
    return tokens


def _end_of_block(line: str, pos: int, rule: dict) -> int:
    inner = [re.compile(p["match"]) for p in rule.get("patterns", [])]
    end = re.compile(rule["end"])
    while pos <= len(line):
        skipped = next((m for regex in inner if (m := regex.match(line, pos)) and m.end() > pos), None)
        if skipped:
            pos = skipped.end()
            continue
        stop = end.match(line, pos)
        if stop:
            return stop.end()
        pos += 1
    return len(line)


def scope_of(line: str, word: str) -> str:
    return next(scope for text, scope in tokenize(line) if text == word)


def all_regexes(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("match", "begin", "end"):
                yield value
            else:
                yield from all_regexes(value)
    elif isinstance(node, list):
        for item in node:
            yield from all_regexes(item)


def test_the_grammar_is_json_with_regexes_python_compiles():
    assert GRAMMAR["scopeName"] == "source.mpol" and GRAMMAR["fileTypes"] == ["mpol"]
    regexes = list(all_regexes(GRAMMAR))
    assert len(regexes) > 10
    for regex in regexes:
        re.compile(regex)


LARK_KEYWORDS = sorted(set(re.findall(r'"([a-z_]+)"', re.sub(r"//[^\n]*", "", LARK))))


def test_the_keywords_are_read_from_the_lark_grammar():
    assert {"policy", "benefit", "critical_illness", "above_deductible", "otherwise", "unstated"} <= set(LARK_KEYWORDS)
    assert "quote" not in LARK_KEYWORDS  # a word of the grammar's comments, not of the language


@pytest.mark.parametrize("keyword", LARK_KEYWORDS)
def test_every_keyword_of_the_language_is_highlighted(keyword):
    assert tokenize(f"  {keyword} ") == [(keyword, tokenize(f"  {keyword} ")[0][1])]
    assert tokenize(f"  {keyword} ")[0][1].startswith(KEYWORD_SCOPES)


@pytest.mark.parametrize("line, word, scope", [
    ("# 克拉玛依 benefit ¥100", "# 克拉玛依 benefit ¥100", "comment.line.number-sign.mpol"),
    ('  pays nothing "三级 # 不是注释 \\" benefit" # 注释', '"三级 # 不是注释 \\" benefit"', "string.quoted.double.mpol"),
    ('  pays nothing "三级 # 不是注释 \\" benefit" # 注释', "# 注释", "comment.line.number-sign.mpol"),
    ("cap general_outpatient_year \"年度限额\" ¥1,000 per year", "¥1,000", "constant.numeric.money.mpol"),
    ("cap general_outpatient_year \"年度限额\" ¥1,000 per year", "general_outpatient_year", "entity.name.mpol"),
    ("cap general_outpatient_year \"年度限额\" ¥1,000 per year", "cap", "storage.type.declaration.mpol"),
    ("  deductible per visit 300 元", "300 元", "constant.numeric.money.mpol"),
    ("  deductible per visit ¥12.50", "¥12.50", "constant.numeric.money.mpol"),
    ("  ratio 70% cite guide \"表\"", "70%", "constant.numeric.percent.mpol"),
    ("param wait \"等待期\" = 3 months", "3 months", "constant.numeric.months.mpol"),
    ("param wait \"等待期\" = 6 个月", "6 个月", "constant.numeric.months.mpol"),
    ("  deadline claim.date + 15 days", "15 days", "constant.numeric.days.mpol"),
    ("param window \"再次住院\" = 15 天", "15 天", "constant.numeric.days.mpol"),
    ("param window \"再次住院\" = 15日", "15日", "constant.numeric.days.mpol"),
    ("  includes inpatient care at the same institution up to 3 days before", "3", "constant.numeric.mpol"),
    ("  includes inpatient care at the same institution up to 3 days before", "days", "keyword.other.mpol"),
    ("  year 2026-01-01 .. 2026-12-31", "2026-01-01", "constant.numeric.date.mpol"),
    ("  year 2026-01-01 .. 2026-12-31", "..", "keyword.operator.mpol"),
    ("  priority 90", "90", "constant.numeric.mpol"),
    ("  when claim.care == inpatient and claim.level in [\"1\"]", "care", "variable.other.property.mpol"),
    ("  when claim.care == inpatient and claim.level in [\"1\"]", "claim", "variable.language.mpol"),
    ("  when claim.care == inpatient and claim.level in [\"1\"]", "and", "keyword.operator.word.mpol"),
    ("  when claim.care == inpatient and claim.level in [\"1\"]", "when", "keyword.control.mpol"),
    ("  else national.benefits_start", "benefits_start", "variable.other.member.mpol"),
    ("  if policy.start > x then max(a, b) else min(a, b)", "start", "variable.other.property.mpol"),
    ("  if policy.start > x then max(a, b) else min(a, b)", "max", "support.function.builtin.mpol"),
    ("policy karamay {", "karamay", "entity.name.mpol"),
    ('deductible clinic "门急诊共用起付线" ¥300 per year accumulating', "clinic", "entity.name.mpol"),
    ('deductible clinic "门急诊共用起付线" ¥300 per year accumulating', "deductible", "storage.type.declaration.mpol"),
    ("  deductible per year clinic", "deductible", "keyword.other.mpol"),
    ("  deductible per year clinic", "per", "keyword.other.mpol"),
    ('measure inpatient_ytd "住院累计"', "inpatient_ytd", "entity.name.mpol"),
    ("  ratio banded over inpatient_ytd {", "banded", "keyword.other.mpol"),
    ("  pays ¥300 even above covered", "covered", "keyword.other.mpol"),
])
def test_what_a_line_is_highlighted_as(line, word, scope):
    assert scope_of(line, word) == scope


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_built_in_function_is_highlighted(function):
    assert scope_of(f"  when {function}(a, b) > 0", function) == "support.function.builtin.mpol"


def test_the_vscode_extension_contributes_the_language_and_its_files():
    folder = EDITORS / "vscode"
    package = json.loads((folder / "package.json").read_text(encoding="utf-8"))
    (language,) = package["contributes"]["languages"]
    (grammar,) = package["contributes"]["grammars"]
    assert language["id"] == grammar["language"] == "medpolicy" and language["extensions"] == [".mpol"]
    assert grammar["scopeName"] == GRAMMAR["scopeName"]
    # the extension's grammar is the one tested here (a link, so that there is one file to edit)
    assert (folder / grammar["path"]).resolve() == (EDITORS / "textmate" / "medpolicy.tmLanguage.json").resolve()
    configuration = json.loads((folder / language["configuration"]).read_text(encoding="utf-8"))
    assert configuration["comments"]["lineComment"] == "#"
    assert ["{", "}"] in configuration["brackets"]
    assert (folder / package["main"]).is_file() and "vscode-languageclient" in package["dependencies"]
    assert package["contributes"]["configuration"]["properties"]["medpolicy.server.args"]["default"] == ["lsp"]
