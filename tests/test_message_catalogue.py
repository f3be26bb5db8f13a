"""The diagnostics and errors catalogue: complete, consistent with the code, and usable in both languages.

Every entry has an English and a Chinese wording with the same placeholders;
every message id the source names is an entry, and every entry is named by
the source; every diagnostic code is documented.  Then the errors: their
``str()`` stays English and ``text(lang)`` words them in either language.
"""
from __future__ import annotations

import ast
import re
import string

import pytest

import medpolicy
from medpolicy import diagnostic_messages, error_messages
from medpolicy.diagnostics import Diagnostic, render
from medpolicy.errors import EvaluationError, PolicyError, PolicyNotFound, ScenarioError
from medpolicy.localize import CATALOGUE, LANGS, SPECS, msg, placeholders, say
from medpolicy.messages import LANGS as STATEMENT_LANGS
from medpolicy.span import Span

from conftest import ROOT

SOURCE = ROOT / "medpolicy"
CATALOGUE_MODULES = {"diagnostic_messages.py", "error_messages.py"}
# An id is a string of dotted words in one of these namespaces (a fact such as
# "claim.level" or "policy.start" is not).
ID = re.compile(r"[EW]\d{3}(?:\.[a-z0-9_]+)*|(?:help|scenario|load|eval|cli|render|error|compare|service|batch|whatif|ptest)(?:\.[a-z0-9_]+)+")
VOCABULARIES = {name: table for module in (diagnostic_messages, error_messages)
                for name, table in vars(module).items() if name.isupper() and isinstance(table, dict)}
CJK = re.compile(r"[\u4e00-\u9fff]")


MAKERS = {"msg", "say", "Message", "detail", "RowError", "BatchError"}


def named_ids() -> set[str]:
    """The message ids the package names outside the catalogues: the first argument of
    ``msg``/``say``/``Message``, and id-shaped strings in tables (tuples and dicts of ids)."""
    found = set()
    for path in sorted(SOURCE.rglob("*.py")):
        if path.name in CATALOGUE_MODULES:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and node.args and getattr(node.func, "id", getattr(node.func, "attr", None)) \
                    in MAKERS and isinstance(node.args[0], ast.Constant):
                found.add(node.args[0].value)
            elif isinstance(node, (ast.Tuple, ast.Dict)):
                items = node.elts if isinstance(node, ast.Tuple) else node.values
                found |= {x.value for x in items if isinstance(x, ast.Constant) and isinstance(x.value, str)
                          and ID.fullmatch(x.value)}
    return found


USED = named_ids()


def test_the_languages_are_those_of_the_statement():
    assert set(LANGS) == set(STATEMENT_LANGS)


@pytest.mark.parametrize("message_id", sorted(CATALOGUE))
def test_every_entry_has_both_languages_with_the_same_placeholders(message_id):
    entry = CATALOGUE[message_id]
    assert set(entry) == set(LANGS)
    assert all(entry[lang].strip() for lang in LANGS)
    assert placeholders(entry["en"]) == placeholders(entry["zh"])
    for _, spec in placeholders(entry["en"]):
        assert spec == "" or spec in SPECS, f"{message_id}: unknown spec {spec!r}"
    assert ID.fullmatch(message_id), f"{message_id} is not in a namespace"


@pytest.mark.parametrize("message_id", sorted(CATALOGUE))
def test_every_chinese_wording_is_chinese(message_id):
    """A forgotten translation shows as an English "zh" wording."""
    if message_id in ("render.head", "error.at"):  # layout only: their words come from their arguments
        return
    assert CJK.search(CATALOGUE[message_id]["zh"]), CATALOGUE[message_id]["zh"]


@pytest.mark.parametrize("name", sorted(VOCABULARIES))
def test_every_vocabulary_word_has_both_languages(name):
    for key, entry in VOCABULARIES[name].items():
        assert set(entry) == set(LANGS), (name, key)
        if name == "TYPES":  # compound types have their own placeholders
            assert {n for _, n, _, _ in string.Formatter().parse(entry["en"]) if n} == \
                   {n for _, n, _, _ in string.Formatter().parse(entry["zh"]) if n}, key


def test_the_catalogues_do_not_share_an_id():
    assert not set(diagnostic_messages.DIAGNOSTICS) & set(error_messages.ERRORS)


def test_every_id_the_source_names_is_in_the_catalogue():
    assert sorted(USED - set(CATALOGUE)) == []


def test_every_entry_is_used():
    assert sorted(set(CATALOGUE) - USED) == []


def test_every_code_is_documented():
    documented = set(re.findall(r"^\| ([EW]\d{3}) \|", (ROOT / "docs" / "diagnostics.md").read_text("utf-8"), re.M))
    codes = {message_id.split(".")[0] for message_id in CATALOGUE if re.match(r"[EW]\d{3}\b", message_id)}
    assert sorted(codes - documented) == []
    assert sorted(documented - codes) == []


def test_msg_refuses_an_unknown_id():
    with pytest.raises(KeyError):
        msg("E999.nothing")


# ----------------------------------------------------------------- diagnostics

def test_a_diagnostic_keeps_its_data_and_words_it_in_either_language():
    d = Diagnostic.of(msg("E204.expect", what="ratio", want="percent", got="money"), Span("p.mpol", 2, 9, 2, 13),
                      help=msg("help.did_you_mean", name="base_ratio"))
    assert (d.code, d.severity, d.message_id) == ("E204", "error", "E204.expect")
    assert d.message == "a ratio must be a percentage, not money" == d.text("en")
    assert d.text("zh") == "报销比例应是百分比，而不是金额"
    assert d.help == "did you mean 'base_ratio'?" and d.help_text("zh") == "是不是想写 'base_ratio'？"
    assert d.as_dict()["message"] == d.message and d.as_dict("zh")["message"] == d.text("zh")
    assert d.as_dict("zh")["args"] == {"what": "ratio", "want": "percent", "got": "money"}


def test_chinese_rendering_keeps_location_source_and_caret():
    source = "policy p {\n  ratio ¥100\n}\n"
    d = Diagnostic.of(msg("E204.expect", what="ratio", want="percent", got="money"), Span("p.mpol", 2, 9, 2, 13),
                      help=msg("E204.expect.percent"))
    en, zh = render(d, {"p.mpol": source}).split("\n"), render(d, {"p.mpol": source}, "zh").split("\n")
    assert zh[0] == "p.mpol:2:9: 错误[E204]：报销比例应是百分比，而不是金额"
    assert zh[1:3] == en[1:3]
    assert zh[3] == "  提示：百分比要带 %，例如 70%"


def test_a_warning_is_a_warning_in_chinese():
    d = Diagnostic.of(msg("W201"), Span("p.mpol", 1, 1), "warning")
    assert render(d, {}, "zh") == "p.mpol:1:1: 警告[W201]：这个值总是有的，`otherwise` 不起作用"


def test_a_diagnostic_built_from_bare_text_shows_it_in_every_language():
    d = Diagnostic("E200", "unknown", Span("p.mpol", 1, 1), help="try again")
    assert d.text("zh") == "unknown" and d.help_text("zh") == "try again" and d.as_dict()["message_id"] is None


def test_types_are_worded_in_chinese():
    assert say("E204.in_type", "zh", item="opt:enum:condition", list="list:enum:level") == \
        "病种（可能没有提供）不可能出现在医疗机构级别的列表中"
    assert say("E204.not", "zh", type="sym:care,level") == "'not' 后面应是条件（成立或不成立），而不是就诊类型或医疗机构级别的取值"
    assert say("E204.not", "en", type="sym:care,level") == "'not' needs a true/false condition, not a member of care or level"


def test_expected_tokens_keep_the_english_order_and_keywords():
    names = ["RBRACE", "NAME", "PRIORITY", "STRING", "$END", "RPAR", "COMMA", "MONEY", "DATE", "WHEN"]
    assert say("E001.expected", "en", expected=names) == (
        "expected '}', ')', ',', 'priority', 'when', a date (2026-01-01), a name, a quoted string, …")
    assert say("E001.expected", "zh", expected=names) == (
        "此处应写：'}'、')'、','、'priority'、'when'、日期（2026-01-01）、名称、带引号的文字等")


# ---------------------------------------------------------------------- errors

def test_scenario_error_keeps_its_path_and_english():
    err = ScenarioError(msg("scenario.missing"), "claims[3] (id a).date")
    assert err.path == "claims[3] (id a).date" and err.bare_message == "is missing"
    assert str(err) == "claims[3] (id a).date: is missing" == err.text("en")
    assert err.text("zh") == "claims[3] (id a).date：缺少此项"
    assert (err.message_id, err.message_args) == ("scenario.missing", {})


def test_scenario_errors_from_validation_speak_chinese():
    policy = medpolicy.load_policy("karamay")
    with pytest.raises(ScenarioError) as info:
        medpolicy.evaluate(policy, {"person": {"id": "x"}, "claims": [
            {"id": "a", "date": "2026-01-05", "care": "outpatient", "level": "1", "total": "1.005"}]})
    assert str(info.value) == "claims[0] (id a).total: 1.005 has more than two decimals (amounts are in yuan and fen)"
    assert info.value.text("zh") == "claims[0] (id a).total：1.005 的小数超过两位（金额以元为单位，精确到分）"
    assert info.value.message_args == {"value": "1.005"}


def test_policy_not_found_speaks_chinese():
    with pytest.raises(PolicyNotFound) as info:
        medpolicy.load_policy("lanzho")
    assert str(info.value).startswith("no policy named 'lanzho'; did you mean 'lanzhou'? (known: ")
    assert info.value.text("zh").startswith("没有名为 'lanzho' 的政策；是不是想写 'lanzhou'？（现有政策：")


def test_policy_error_words_its_first_diagnostic():
    with pytest.raises(PolicyError) as info:
        medpolicy.check_source("policy p {\n  title \"P\"\n}\n")
    err = info.value
    first = err.diagnostics[0]
    assert str(err) == f"{first.span}: {first.message}"
    assert err.text("zh") == f"{first.span}：{first.text('zh')}"


def test_an_error_raised_as_plain_text_is_shown_as_it_is():
    unknown = EvaluationError("something new")
    assert unknown.message_id is None and unknown.text("zh") == "something new"


def test_step_limit_from_the_evaluator_in_chinese():
    from medpolicy.limits import Limits

    policy = medpolicy.load_policy("karamay")
    scenario = {"person": {"id": "x"}, "claims": [
        {"id": f"c{i}", "date": "2026-01-05", "care": "outpatient", "level": "1", "total": "10"} for i in range(3)]}
    with pytest.raises(EvaluationError) as info:
        medpolicy.evaluate(policy, scenario, Limits(max_steps=1))
    assert info.value.text("zh").startswith("测算超出了步数上限")


def test_a_negative_amount_puts_its_sign_before_the_currency():
    from decimal import Decimal

    from medpolicy.messages import money

    assert (money(Decimal("-40.00")), money(Decimal("40.00")), money(None)) == ("−¥40.00", "¥40.00", "—")
