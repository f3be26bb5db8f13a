"""The language server's answers as data: diagnostics placed in the buffer, hover, definition, completion,
formatting.  Positions are 0-based (line, character) in code points, as the features take them."""
from __future__ import annotations

import pytest

from medpolicy.errors import PolicyError
from medpolicy.lsp import features
from medpolicy.lsp.analysis import analyze
from medpolicy.lsp.features import Range, completions, definition, findings, hover

from conftest import EXAMPLES, POLICIES
from test_year_history import READMISSION

KARAMAY = POLICIES / "karamay.mpol"
QINGHE = EXAMPLES / "qinghe" / "qinghe.mpol"
NATIONAL = "policies/shared/national_waiting_period.mpol"


def at(text: str, needle: str, offset: int = 0, skip_comments: bool = True) -> tuple[int, int]:
    """(line, character) of ``needle``'s first occurrence outside comments, plus ``offset``."""
    start = 0
    while True:
        i = text.index(needle, start)
        line_start = text.rfind("\n", 0, i) + 1
        if not (skip_comments and "#" in text[line_start:i]):
            return text.count("\n", 0, i), i - line_start + offset
        start = i + 1


@pytest.fixture(scope="module")
def karamay():
    return analyze(KARAMAY.read_text(encoding="utf-8"), KARAMAY)


def hover_at(analysis, needle, offset=0, lang="en"):
    found = hover(analysis, *at(analysis.text, needle, offset), lang)
    return found.markdown if found else None


def definition_at(analysis, needle, offset=0):
    return definition(analysis, *at(analysis.text, needle, offset))


# ---------------------------------------------------------------- diagnostics

def test_a_finding_has_the_code_the_range_and_the_help_in_the_language(karamay):
    text = karamay.text.replace("ratio 65%", "ratio ¥65", 1)
    analysis = analyze(text, KARAMAY)
    (en,) = findings(analysis, "en")
    line, character = at(text, "¥65")
    assert (en.code, en.severity, en.range) == ("E204", "error", Range(line, character, line, character + 3))
    assert en.message.startswith("a ratio must be a percentage, not money")
    (zh,) = findings(analysis, "zh")
    assert zh.message == "报销比例应是百分比，而不是金额" and zh.range == en.range


def test_the_help_follows_the_message(karamay):
    (finding,) = findings(analyze(karamay.text.replace("when needy {", "when neddy {"), KARAMAY), "en")
    assert finding.message == "unknown name 'neddy'\nhelp: did you mean 'needy'?"
    (finding,) = findings(analyze(karamay.text.replace("when needy {", "when neddy {"), KARAMAY), "zh")
    assert finding.message.endswith("\n提示：是不是想写 'needy'？")


def test_a_problem_in_an_imported_module_is_shown_on_the_import(tmp_path):
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "rates.mpol").write_text('module rates "比例"\nparam base "基本比例" = 60 %\n',
                                                    encoding="utf-8")
    text = ('policy city {\n  title "City"\n  year 2026-01-01 .. 2026-12-31\n}\n'
            '  import "shared/rates.mpol" as rates\nlevels { "1" "一级" }\n')
    (finding,) = findings(analyze(text, tmp_path / "city.mpol"), "en")
    assert finding.code == "E001" and finding.range == Range(4, 2, 4, 28)
    assert finding.message.startswith(f"{(tmp_path / 'shared' / 'rates.mpol').resolve()}:2:")


def test_a_span_without_an_end_covers_the_word_it_points_at():
    span = features.Span("p.mpol", 2, 3)
    assert features.span_range(span, "policy p {\n  title x\n}") == Range(1, 2, 1, 7)
    assert features.span_range(features.Span("p.mpol", 1, 8), "a = ¥1") == Range(0, 7, 0, 7)  # past the end
    assert features.span_range(features.Span("p.mpol", 0, 0), "x") == Range(0, 0, 0, 0)


# --------------------------------------------------------------------- hover

def test_hover_on_a_let_shows_its_value_as_written_and_its_label(karamay):
    text = hover_at(karamay, "if assistance_recipient", 4)
    assert text == ("**derived value** `assistance_recipient` · 医疗救助对象\n\n"
                    "```medpolicy\nlet assistance_recipient \"医疗救助对象\" = person.assistance != none\n```")


def test_hover_on_a_module_name_shows_the_declaration_there_and_where(karamay):
    text = hover_at(karamay, "national.benefits_start", 10, lang="zh")
    assert text.startswith("**派生值** `benefits_start` · 待遇享受开始日期")
    assert "let benefits_start \"待遇享受开始日期\" =\n  if waiting_period == 0 months" in text
    assert text.endswith(f"定义于 `{NATIONAL}`")


def test_hover_shows_the_citation_section_and_quote(karamay):
    text = hover_at(karamay, "annual cap general_outpatient_year", 12)
    assert 'cap general_outpatient_year "普通门诊年度限额" ¥900' in text
    assert "Cited: guide (克拉玛依市城乡居民基本医疗保险办理指南（高校学生篇）), 居民基本医疗保险待遇标准表 · 普通门诊 · 年度限额" in text
    assert text.endswith("> 普通门诊 一级医疗机构 医保目录范围内 10 元( 单次 ) 100 元 70% 900 元")


def test_hover_on_the_names_of_the_policy(karamay):
    assert hover_at(karamay, 'claim.level == "1"', 16) == '**institution level** `"1"` · 一级医疗机构'
    assert hover_at(karamay, "pku\n") == "**condition** `pku` · 苯丙酮尿症"
    assert hover_at(karamay, "applies to [chronic_outpatient", 12) == \
        "**benefit** `chronic_outpatient` · 居民门诊慢病\n\npriority 70"
    assert hover_at(karamay, "counts general_outpatient_visits", 8).startswith(
        "**visit counter** `general_outpatient_visits` · 普通门诊就诊次数\n\n```medpolicy\n"
        'counter general_outpatient_visits "普通门诊就诊次数"\n```')
    assert hover_at(karamay, "cite guide", 6).startswith("**source document** `guide` · 克拉玛依市")
    assert hover_at(karamay, "min(", 1, lang="zh") == "**内置函数** `min(a, b, …)`：各参数中的最小值"


def test_hover_on_facts_and_members(karamay):
    text = hover_at(karamay, "claim.care", 7, lang="zh")
    assert text.startswith("**场景信息** `claim.care` · 就诊类型：门诊、急诊、住院或急诊留院观察\n\n类型：就诊类型")
    assert "`outpatient`, `emergency`, `inpatient`, `observation`" in text
    level = hover_at(karamay, "claim.level", 2)
    assert 'the level this policy declares: `"1"` 一级医疗机构, `"2"` 二级医疗机构, `"3"` 三级医疗机构' in level
    assert hover_at(karamay, "dibao,", 1, lang="zh") == "**救助身份** `dibao` · 低保对象\n\n救助身份的取值（`person.assistance`）"


def test_hover_on_a_word_with_several_meanings_gives_each(karamay):
    """A benefit may be named like a kind of care, a claim category like the benefit that pays it: the
    checker reads such a word by what it is compared with, so a hover on a use of it says every meaning."""
    assert hover_at(karamay, "claim.care == inpatient", 16) == (
        "**benefit** `inpatient` · 普通住院\n\npriority 50\n\n---\n\n"
        "**care** `inpatient`\n\na value of care (`claim.care`)")
    qinghe = analyze(QINGHE.read_text(encoding="utf-8"), QINGHE)
    assert hover_at(qinghe, "earlier.benefit == checkup", 21) == (
        "**claim category** `checkup` · 健康体检\n\n---\n\n**benefit** `checkup` · 健康体检补助\n\npriority 60")
    # on a declaration: what it declares, only
    assert hover_at(qinghe, "benefit checkup", 10) == "**benefit** `checkup` · 健康体检补助\n\npriority 60"
    assert hover_at(karamay, "benefit inpatient", 10) == "**benefit** `inpatient` · 普通住院\n\npriority 50"


def test_hover_on_claim_benefit_lists_every_benefit(karamay):
    qinghe = analyze(QINGHE.read_text(encoding="utf-8"), QINGHE)
    assert hover_at(qinghe, "claim.benefit == inpatient", 8).endswith(
        "the benefit this policy declares: `checkup`, `birth`, `pharmacy`, `inpatient`, `emergency`, `outpatient`")


def test_no_hover_where_nothing_is_named(karamay):
    assert hover_at(karamay, "# 克拉玛依") is None
    assert hover_at(karamay, "¥900") is None
    assert hover(analyze("policy"), 0, 0, "en") is None  # no parse, no index


# ---------------------------------------------------------------- definition

def test_definition_of_names_levels_conditions_and_sources(karamay):
    text = karamay.text

    def declared(name, follows):
        """Where ``name`` is written, the first time ``follows`` comes right after it."""
        line, character = at(text, name + follows)
        return features.Target(karamay.path, Range(line, character, line, character + len(name)))

    assert definition_at(karamay, "if assistance_recipient", 3) == declared("assistance_recipient", ' "')
    assert definition_at(karamay, 'claim.level == "1"', 15) == declared('"1"', ' "一级')
    assert definition_at(karamay, "[hypertension, diabetes]", 2) == declared("hypertension", ' "')
    assert definition_at(karamay, "applies to [chronic_outpatient", 12) == declared("chronic_outpatient", ' "')
    assert definition_at(karamay, "cite guide", 7) == declared("guide", ' "克拉玛依')
    assert definition_at(karamay, "claim.level", 8) is None  # a fact has no declaration


def test_definition_of_a_word_with_several_declarations_gives_each():
    qinghe = analyze(QINGHE.read_text(encoding="utf-8"), QINGHE)
    text = qinghe.text
    targets = features.definitions(qinghe, *at(text, "earlier.benefit == checkup", 21))
    category, benefit = at(text, '  checkup "', 2), at(text, "benefit checkup", 8)
    assert [(t.file, t.range.start_line, t.range.start_character) for t in targets] == [
        (qinghe.path, *category), (qinghe.path, *benefit)]
    assert definition_at(qinghe, "earlier.benefit == checkup", 21) == targets[0]
    assert len(features.definitions(qinghe, *at(text, "benefit checkup", 10))) == 1  # a declaration: itself


def test_definition_across_an_import(karamay):
    target = definition_at(karamay, "national.benefits_start", 12)
    module = karamay.index.program.texts[NATIONAL]
    line, character = at(module, "benefits_start \"")
    assert target == features.Target(NATIONAL, Range(line, character, line, character + len("benefits_start")))
    # the alias goes to the import; the imported path to the module file itself
    assert definition_at(karamay, "else national", 7).file == karamay.path
    assert definition_at(karamay, '"shared/national', 3).file == NATIONAL


# ---------------------------------------------------------------- completion

def complete(analysis, text, lang="en"):
    """Completions at the end of ``text`` (a buffer being typed)."""
    lines = text.split("\n")
    return completions(analysis.index, text, len(lines) - 1, len(lines[-1]), lang)


def labels(items):
    return [item.label for item in items]


def test_completion_at_the_top_of_a_file_offers_declarations(karamay):
    items = complete(karamay, karamay.text + "\nbe")
    assert {"benefit", "param", "coverage starts", "critical_illness", "settlement"} <= set(labels(items))
    assert "policy" not in labels(items) and "needy" not in labels(items)
    assert labels(completions(None, "# a new file\n", 1, 0, "en"))[-2:] == ["policy", "module"]


def test_completion_in_a_benefit_offers_its_clauses_and_the_names_in_scope(karamay):
    items = complete(karamay, karamay.text + '\nbenefit extra "x" {\n  ')
    found = labels(items)
    assert {"visits grouped by day and institution", "annual cap", "pays nothing", "priority"} <= set(found)
    assert {"needy", "chronic_diseases", "national", "pku", "inpatient", "claim", "min"} <= set(found)
    assert len(found) == len(set(found))  # `when` is a clause and an expression keyword: offered once
    needy = next(item for item in items if item.label == "needy")
    assert (needy.kind, needy.detail) == ("let", "derived value · 困难人员")


def test_completion_in_other_blocks(karamay):
    assert labels(complete(karamay, karamay.text + '\npayer aid "救助" {\n  table "t" otherwise {\n    '))[:5] == \
        ["deductible", "bands measured", "band", "band above", "annual cap"]
    assert "item" in labels(complete(karamay, karamay.text + "\npremium {\n  "))
    assert complete(karamay, karamay.text + "\nlevels {\n  ") == []


def test_completion_after_cite_offers_the_sources(karamay):
    items = complete(karamay, karamay.text + '\nbenefit x "x" {\n  ratio 50% cite ')
    assert [(item.label, item.kind) for item in items] == [("guide", "source")]


def test_no_completion_inside_a_comment(karamay):
    assert complete(karamay, karamay.text + "\n# see claim.") == []
    assert complete(karamay, karamay.text + '\nlet x = claim.care  # as in ') == []
    assert "care" in labels(complete(karamay, karamay.text + '\nlet x = "#" == claim.'))  # a # in a string


def test_completion_after_a_dot(karamay):
    facts = complete(karamay, karamay.text + "\nlet x = claim.", lang="zh")
    assert labels(facts)[:4] == ["id", "date", "care", "level"]
    assert facts[2].detail == "就诊类型：门诊、急诊、住院或急诊留院观察"
    assert labels(complete(karamay, karamay.text + "\nlet x = national.wai")) == [
        "fixed_wait", "month_per_gap_year", "month_per_back_paid_year", "long_gap_years", "long_gap_minimum",
        "paid_on_time", "variable_wait", "waiting_period", "benefits_start"]


def test_completion_of_level_ids_inside_strings(karamay):
    expected = [("1", "一级医疗机构"), ("2", "二级医疗机构"), ("3", "三级医疗机构")]
    inside_compare = complete(karamay, karamay.text + '\nlet x = claim.level == "')
    assert [(i.label, i.detail) for i in inside_compare] == expected
    inside_table = complete(karamay, karamay.text + '\nlet x = by claim.level {\n  "1": 1, "')
    assert labels(inside_table) == ["1", "2", "3"]
    assert complete(karamay, karamay.text + '\nlet x = "') == []  # any other string: free text


def test_completion_without_any_parse_still_offers_keywords_and_facts():
    items = completions(None, 'policy p {\n}\nlet x = claim.le', 2, 16, "en")
    assert "level" in labels(items)


# ---------------------------------------------------------------- formatting

def test_formatting_gives_the_new_text_only_when_it_changes(monkeypatch):
    import medpolicy.formatter as formatter

    def fake(text, path="<string>"):
        if "broken" in text:
            raise PolicyError([])
        return text.replace("  ", " ")

    monkeypatch.setattr(formatter, "format_source", fake)
    assert features.formatted("a  b") == "a b"
    assert features.formatted("a b") is None
    assert features.formatted("broken") is None


def test_formatting_with_the_real_formatter(karamay):
    from medpolicy.formatter import format_source

    untidy = karamay.text.replace("  priority 90", "        priority 90")
    assert features.formatted(untidy, karamay.path) == format_source(untidy, karamay.path)
    assert features.formatted(format_source(untidy)) is None


def test_the_whole_range_of_a_text():
    assert features.whole("a\nbc") == Range(0, 0, 1, 2)
    assert features.whole("a\n") == Range(0, 0, 1, 0)


# ---------------------------------------------------------------- histories


def test_hover_and_completion_of_a_history_and_of_earlier(tmp_path):
    analysis = analyze(READMISSION, tmp_path / "history.mpol")
    assert hover_at(analysis, "if readmission", 4) == (
        "**query over the year's earlier claims** `readmission` · 15日内再次住院\n\n```medpolicy\n"
        'history readmission "15日内再次住院" = count where earlier.care == inpatient and claim.date - earlier.date'
        " <= 15 days\n```")
    assert hover_at(analysis, "earlier.care", 9, lang="zh").startswith(
        "**场景信息** `earlier.care` · 就诊类型：门诊、急诊、住院或急诊留院观察")
    fields = labels(complete(analysis, READMISSION + 'history x "x" = sum earlier.'))
    assert fields[:2] == ["id", "date"] and fields[-1] == "basic_fund"
    assert "readmission" in labels(complete(analysis, READMISSION + 'benefit b "b" {\n  ratio '))


# ---------------------------------------------------------------- shared deductibles and measures

FOUR = POLICIES.parent / "tests" / "show" / "four_constructs.mpol"


def test_hover_on_a_shared_deductible_and_a_measure_shows_label_declaration_and_cite():
    analysis = analyze(FOUR.read_text(encoding="utf-8"), FOUR)
    assert hover_at(analysis, "per year clinic", 9) == (
        "**shared deductible** `clinic` · 门急诊共用起付线\n\n```medpolicy\n"
        'deductible clinic "门急诊共用起付线" ¥300 per year accumulating\n```\n\nCited: guide (办理指南), 第三条')
    assert hover_at(analysis, "over inpatient_ytd", 5, lang="zh").startswith(
        "**分段累进的本年累计额** `inpatient_ytd` · 住院累计（起付线以上）\n\n```medpolicy\n"
        'measure inpatient_ytd "住院累计（起付线以上）"\n```')


def test_completion_after_banded_over_offers_the_measures_only():
    analysis = analyze(FOUR.read_text(encoding="utf-8"), FOUR)
    text = analysis.text + '\nbenefit x "x" {\n  ratio banded over '
    assert labels(complete(analysis, text)) == ["inpatient_ytd"]
    assert "clinic" in labels(complete(analysis, analysis.text + '\nbenefit x "x" {\n  deductible per year '))


def test_completion_in_the_bands_of_a_banded_ratio():
    analysis = analyze(FOUR.read_text(encoding="utf-8"), FOUR)
    text = analysis.text + '\nbenefit x "x" {\n  ratio banded over inpatient_ytd {\n    '
    assert labels(complete(analysis, text))[:2] == ["band", "band above"]
