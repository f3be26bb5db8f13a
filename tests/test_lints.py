"""The lints (medpolicy.lints) and `medpolicy check --strict`.

Each lint is shown firing on a small policy and staying silent on the text
that fixes it; the base policy of these tests is lint-clean, which the first
test checks (and that removing one of its cites makes it not).  The bundled
policies are lint-clean, and `check --strict` passes them.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings

import medpolicy
from medpolicy.checker import check
from medpolicy.cli import main
from medpolicy.diagnostic_codes import lint_name
from medpolicy.errors import PolicyError
from medpolicy.loader import load, load_source
from medpolicy.resources import bundled_policies

from test_checker import HEAD
from test_robustness import mutated_policy

HOSPITAL = """
benefit hospital "住院" {
  priority 10
  when claim.care == inpatient
  no deductible cite guide "一" "住院不设起付线"
  ratio 70% cite guide "一" "住院报销 70%"
}
"""


def lints(*parts: str, head: str = HEAD) -> list[tuple[str, str, int]]:
    """(code, message id, line) of each warning of HEAD + PARTS, which must check."""
    policy = check(load_source(head + "".join(parts), "p.mpol"), lint=True)
    return [(w.code, w.message_id, w.span.line) for w in policy.warnings]


def codes(*parts: str, head: str = HEAD) -> list[str]:
    return [code for code, _, _ in lints(*parts, head=head)]


def line_of(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


def test_the_base_policy_is_lint_clean_and_an_uncited_ratio_is_not():
    assert lints(HOSPITAL) == []
    uncited = HOSPITAL.replace(' cite guide "一" "住院报销 70%"', "")
    assert lints(uncited) == [("W401", "W401.benefit", line_of(HEAD + uncited, "ratio 70%"))]


def test_check_lints_only_when_asked():
    uncited = HOSPITAL.replace(' cite guide "一" "住院报销 70%"', "")
    assert check(load_source(HEAD + uncited, "p.mpol")).warnings == ()
    assert medpolicy.check_source(HEAD + uncited).warnings == ()


# ------------------------------------------------------------------ W401 uncited-number

BENEFIT = """
benefit clinic "门诊" {{
  priority 20
  when claim.care == outpatient
  {deductible}
  ratio {ratio}
  {extra}
}}
"""


def clinic(deductible='no deductible cite guide "二" "门诊不设起付线"', ratio='50% cite guide "二" "门诊 50%"',
           extra="") -> str:
    return BENEFIT.format(deductible=deductible, ratio=ratio, extra=extra) + HOSPITAL


@pytest.mark.parametrize("clause, args", [
    ("no deductible", {"deductible": "no deductible"}),
    ("deductible", {"deductible": "deductible per visit ¥10"}),
    ("ratio", {"ratio": "50%"}),
    ("ratio", {"ratio": 'by claim.level { "1": 50%, "2": 40% }'}),
    ("adjust", {"extra": 'adjust "连续参保" by 5% when person.continuous_years > 3'}),
    ("visit cap", {"extra": "visit cap ¥100"}),
    ("annual cap", {"extra": "annual cap ¥900"}),
])
def test_a_benefit_clause_stating_a_number_cites(clause, args):
    text = clinic(**args)
    found = [w for w in check(load_source(HEAD + text, "p.mpol"), lint=True).warnings]
    assert [(w.code, w.args) for w in found] == [("W401", {"clause": clause, "benefit": "clinic"})]
    assert found[0].help_args == {"source": "guide"}
    cited = {k: v + ' cite guide "二" "原文"' for k, v in args.items()}
    assert lints(clinic(**cited)) == []


def test_a_clause_that_only_names_a_definition_is_judged_at_the_definition():
    param = '\nparam base "基本比例" = 50%{cite}\n'
    assert lints(param.format(cite=' cite guide "二" "门诊 50%"'), clinic(ratio="base")) == []
    text = param.format(cite="")
    assert lints(text, clinic(ratio="base")) == [("W401", "W401.definition", line_of(HEAD + text, "param base"))]


def test_cases_cited_on_every_branch_count_as_cited():
    ratio = 'cases { when claim.level == "1": 50% cite guide "二" "一级 50%" else: 40%CITE }'
    assert lints(clinic(ratio=ratio.replace("CITE", ' cite guide "二" "二级 40%"'))) == []
    assert codes(clinic(ratio=ratio.replace("CITE", ""))) == ["W401"]


def test_a_benefit_that_pays_nothing_has_no_number_to_cite():
    assert lints(HOSPITAL, '\nbenefit cosmetic "美容" {\n  priority 20\n  when claim.care == outpatient\n'
                           '  pays nothing "美容不予支付"\n}\n') == []


def test_an_adjustment_block_cite_covers_its_ratio():
    adjustment = '\nadjustment bonus "连续参保" {{\n  applies to all\n  ratio 5%\n{cite}}}\n'
    assert lints(adjustment.format(cite='  cite guide "三" "提高 5 个百分点"\n'), HOSPITAL) == []
    text = adjustment.format(cite="")
    assert lints(text, HOSPITAL) == [("W401", "W401.definition", line_of(HEAD + text, "adjustment bonus"))]


SHARED = '\ncap year "年度限额" ¥900 per year{cap_cite}\n'
TWO_USES = """
benefit clinic "门诊" {{
  priority 20
  when claim.care == outpatient
  no deductible cite guide "二" "门诊不设起付线"
  ratio 50% cite guide "二" "门诊 50%"
  annual cap year{first}
}}

benefit emergency "急诊" {{
  priority 15
  when claim.care == emergency
  no deductible cite guide "二" "急诊不设起付线"
  ratio 50% cite guide "二" "急诊 50%"
  annual cap year{second}
}}
"""


@pytest.mark.parametrize("cap_cite, first, second, warned", [
    (' cite guide "二" "年度限额 900 元"', "", "", False),
    ("", ' cite guide "二" "门诊 900 元"', ' cite guide "二" "急诊 900 元"', False),
    ("", ' cite guide "二" "门诊 900 元"', "", True),
    ("", "", "", True),
])
def test_a_shared_cap_is_cited_where_declared_or_where_every_benefit_names_it(cap_cite, first, second, warned):
    shared = SHARED.format(cap_cite=cap_cite)
    found = lints(shared, TWO_USES.format(first=first, second=second), HOSPITAL)
    assert found == ([("W401", "W401.definition", line_of(HEAD + shared, "cap year"))] if warned else [])


def test_critical_illness_numbers_cite():
    table = """
critical_illness "大病保险" {{
  covers claim.benefit in [hospital]
  table "一般人员" otherwise {{
    deductible ¥10000{d}
    band ¥10000 .. ¥50000 pays 60%{b}
    band above ¥50000 pays 70% cite guide "四" "5 万元以上 70%"
    annual cap ¥300000{c}
  }}
}}
"""
    cite = ' cite guide "四" "原文"'
    assert lints(HOSPITAL, table.format(d=cite, b=cite, c=cite)) == []
    found = check(load_source(HEAD + HOSPITAL + table.format(d="", b="", c=""), "p.mpol"), lint=True).warnings
    assert [(w.message_id, w.args["clause"]) for w in found] == [
        ("W401.table", "deductible"), ("W401.table", "band"), ("W401.table", "annual cap")]


def test_a_premium_case_with_an_amount_cites_and_an_unstated_one_need_not():
    premium = ('\npremium {{\n  item "个人缴费" {{\n    when person.assistance == dibao: unstated\n'
               '    else: ¥400{cite}\n  }}\n}}\n')
    assert lints(HOSPITAL, premium.format(cite=' cite guide "五" "400 元"')) == []
    text = HOSPITAL + premium.format(cite="")
    assert lints(text) == [("W401", "W401.premium", line_of(HEAD + text, "else: ¥400"))]


def test_a_let_that_is_a_bare_number_cites_but_a_computation_need_not():
    assert codes('\nlet base "基本" = 50%\n', clinic(ratio="base")) == ["W401"]
    assert lints('\nlet base "基本" = if claim.level == "1" then 50% else 40%\n',
                 clinic(ratio='base cite guide "二" "原文"')) == []


def test_a_module_param_cites_in_the_module(tmp_path):
    (tmp_path / "rates.mpol").write_text('module rates "比例"\n\nparam base "基本比例" = 50%\n', encoding="utf-8")
    path = tmp_path / "p.mpol"
    path.write_text(HEAD + '\nimport "rates.mpol" as rates\n' + clinic(ratio='rates.base cite guide "二" "原文"'),
                    encoding="utf-8")
    found = check(load(path), lint=True).warnings
    assert [(w.code, w.span.file.endswith("rates.mpol"), w.span.line) for w in found] == [("W401", True, 3)]
    assert found[0].help_args == {"source": "SOURCE"}  # the module declares no source to suggest


# ------------------------------------------------------------------ W402 unused-declaration

@pytest.mark.parametrize("declaration, message_id", [
    ('let outpatient_care "门诊" = claim.care == outpatient', "W402.definition"),
    ('param base "基本比例" = 50% cite guide "二" "原文"', "W402.definition"),
    ('list kinds "类型" = [inpatient, outpatient]', "W402.definition"),
    ('counter visits "就诊次数"', "W402.definition"),
    ('history admissions "本年住院次数" = count where earlier.care == inpatient', "W402.definition"),
    ('cap year "年度限额" ¥900 per year cite guide "二" "原文"', "W402.definition"),
    ('source other "另一份文件"', "W402.source"),
])
def test_a_declaration_nothing_uses(declaration, message_id):
    text = "\n" + declaration + "\n" + HOSPITAL
    assert lints(text) == [("W402", message_id, line_of(HEAD + text, declaration))]


def test_a_definition_read_only_by_unused_ones_is_unused_too():
    chain = '\nlet inner "内" = claim.care == outpatient\nlet outer "外" = inner\n'
    assert [(m, line) for _, m, line in lints(chain, HOSPITAL)] == [
        ("W402.definition", line_of(HEAD + chain, "let inner")),
        ("W402.definition", line_of(HEAD + chain, "let outer"))]
    used = '\nlet inner "内" = claim.care == inpatient\nlet outer "外" = inner\n'
    assert lints(used, HOSPITAL.replace("when claim.care == inpatient", "when outer")) == []


def test_levels_and_conditions_are_never_unused():
    conditions = '\nconditions {\n  asthma "哮喘"\n}\n\nlevels {\n  "3" "三级医疗机构"\n}\n'
    assert lints(conditions, HOSPITAL) == []


def test_imports_and_module_definitions(tmp_path):
    (tmp_path / "rates.mpol").write_text(
        'module rates "比例"\n\nsource doc "文件"\nsource unused "未引用"\n\n'
        'param base "基本比例" = 50% cite doc "一" "原文"\nparam other "其他" = 40% cite doc "一" "原文"\n',
        encoding="utf-8")
    path = tmp_path / "p.mpol"
    path.write_text(HEAD + '\nimport "rates.mpol" as rates\n' + clinic(ratio='rates.base cite guide "二" "原文"'),
                    encoding="utf-8")
    found = check(load(path), lint=True).warnings
    # `rates.other` is unused by this policy but offered by the module: not reported; its uncited source is.
    assert [(w.message_id, w.args) for w in found] == [("W402.source", {"name": "unused"})]
    path.write_text(HEAD + '\nimport "rates.mpol" as rates\n' + HOSPITAL, encoding="utf-8")
    assert [w.message_id for w in check(load(path), lint=True).warnings] == ["W402.import", "W402.source"]


def test_an_adjustment_for_benefits_that_pay_nothing_is_unused():
    excluded = '\nbenefit cosmetic "美容" {\n  priority 20\n  when claim.care == outpatient\n  pays nothing "美容"\n}\n'
    adjustment = '\nadjustment bonus "激励" {{\n  applies to {to}\n  ratio 5%\n  cite guide "三" "原文"\n}}\n'
    assert codes(adjustment.format(to="[cosmetic]"), excluded, HOSPITAL) == ["W402"]
    assert lints(adjustment.format(to="[cosmetic, hospital]"), excluded, HOSPITAL) == []


# ------------------------------------------------------------------ W403, W405: constant clauses

@pytest.mark.parametrize("visit, annual, warned", [
    ("¥1000", "annual cap ¥900", True),
    ("¥900", "annual cap ¥900", False),
    ('by claim.level { "1": ¥100, "2": ¥1000 }', "annual cap ¥900", True),
    ("¥1000", "annual cap year", True),
    ("¥1000", 'annual cap by claim.level { "1": ¥900, "2": ¥900 }', False),  # not a constant: unknown
])
def test_a_visit_cap_above_the_annual_cap(visit, annual, warned):
    cite = ' cite guide "二" "原文"'
    shared = '\ncap year "年度限额" ¥900 per year' + cite + "\n" if annual == "annual cap year" else ""
    text = shared + clinic(extra=f"visit cap {visit}{cite}\n  {annual}{cite}")
    assert codes(text) == (["W403"] if warned else [])


def test_a_zero_ratio_is_pays_nothing():
    cite = ' cite guide "二" "原文"'
    assert codes(clinic(ratio="0%" + cite)) == ["W405"]
    assert codes(clinic(ratio='by claim.level { "1": 0%, "2": 50% }' + cite)) == []


# ------------------------------------------------------------------ W404 empty-citation-text

def test_an_empty_quote_or_section():
    assert [m for _, m, _ in lints(clinic(ratio='50% cite guide "二" ""'))] == ["W404.quote"]
    assert [m for _, m, _ in lints(clinic(ratio='50% cite guide " " "门诊 50%"'))] == ["W404.section"]
    assert lints(clinic(ratio='50% cite guide "二"')) == []  # no quote at all: a citation by subject


# ------------------------------------------------------------------ W406 date-outside-year

@pytest.mark.parametrize("head_extra, date, warned", [
    ("", "2025-12-31", True),
    ("", "2026-06-30", False),
    ("", "2027-01-01", True),
    ("  collection 2025-09-01 .. 2026-01-10\n", "2025-10-01", False),
    ("  collection 2025-09-01 .. 2026-01-10\n", "2025-08-31", True),
    ("  collection .. 2025-12-31\n", "2025-01-01", False),  # the period's start is unstated
])
def test_a_date_outside_the_policy_year(head_extra, date, warned):
    head = HEAD.replace("  year 2026-01-01 .. 2026-12-31\n", "  year 2026-01-01 .. 2026-12-31\n" + head_extra)
    text = clinic(ratio=f'if claim.date < {date} then 40% else 50% cite guide "二" "原文"')
    assert codes(text, head=head) == (["W406"] if warned else [])


def test_a_date_after_the_year_is_fine_when_cover_may_outlast_it():
    ends = '\ncoverage ends policy.end + 3 months "毕业生延长" cite guide "六" "原文"\n'
    text = ends + clinic(ratio='if claim.date > 2027-01-31 then 40% else 50% cite guide "二" "原文"')
    assert lints(text) == []


# ------------------------------------------------------------------ W407 counter-never-counted

def test_a_counter_read_but_never_counted():
    counter = '\ncounter visits "就诊次数"\n'
    deductible = 'deductible per visit if visits >= 2 then ¥5 else ¥10 cite guide "二" "原文"'
    assert codes(counter, clinic(deductible=deductible)) == ["W407"]
    assert lints(counter, clinic(deductible=deductible, extra="counts visits")) == []


# ------------------------------------------------------------------ W408 dead-row

CITE = ' cite guide "二" "原文"'


def position(text: str, needle: str) -> tuple[int, int]:
    """(line, column) of the first NEEDLE in TEXT."""
    before = text[:text.index(needle)]
    return before.count("\n") + 1, len(before) - before.rfind("\n")


def dead_rows(*parts: str) -> list[tuple[str, int, int, dict]]:
    """(row key, line, column, message args) of each W408 of HEAD + PARTS; no other warning is expected."""
    found = check(load_source(HEAD + "".join(parts), "p.mpol"), lint=True).warnings
    assert {w.code for w in found} <= {"W408"}, [w.message for w in found]
    return [(w.args["value"], w.span.line, w.span.column, w.help_id) for w in found]


def test_a_row_for_a_level_the_benefit_never_receives():
    text = clinic(ratio='by claim.level { "1": 50%, "2": 40% }' + CITE).replace(
        "when claim.care == outpatient", 'when claim.care == outpatient and claim.level == "1"')
    found = check(load_source(HEAD + text, "p.mpol"), lint=True).warnings
    assert [(w.code, w.severity, lint_name(w.code)) for w in found] == [("W408", "warning", "dead-row")]
    row = found[0]
    assert (row.span.line, row.span.column) == position(HEAD + text, '"2": 40%')
    assert row.message == ("the row claim.level = \"2\" in benefit 'clinic' (门诊) is never used: "
                           "no such claim reaches this table")
    assert row.help == ("benefit 'clinic' receives only claims with claim.level = \"1\" (by its `when`, after "
                        "higher-priority benefits take theirs): remove the row, or widen the `when`")
    assert row.text("zh").startswith("待遇 'clinic'（门诊）中 claim.level = \"2\" 这一行永远用不到")
    assert row.as_dict("zh")["help"].startswith("待遇 'clinic' 只会收到 claim.level 为 \"1\" 的费用")
    # The `when` admits level 2: the row is used.
    assert lints(text.replace('claim.level == "1"', 'claim.level in ["1", "2"]')) == []


def test_a_row_the_benefits_of_higher_priority_take_is_dead():
    first = ('\nbenefit clinic_2 "二级门诊" {\n  priority 30\n  when claim.care == outpatient and claim.level == "2"\n'
             '  no deductible' + CITE + '\n  ratio 45%' + CITE + '\n}\n')
    text = first + clinic(ratio='by claim.level { "1": 50%, "2": 40% }' + CITE)
    assert dead_rows(text) == [('"2"', *position(HEAD + text, '"2": 40%'), "W408.benefit.help")]


def test_rows_by_other_facts_and_an_else_row():
    cap = 'visit cap by claim.care { outpatient: ¥100, emergency: ¥200 }' + CITE
    text = clinic(extra=cap)
    assert [(value, help_id) for value, _, _, help_id in dead_rows(text)] == [("emergency", "W408.benefit.help")]
    # An `else` row is never dead; the rows beside it may be.
    ratio = 'by claim.care { emergency: 40%, else: 50% }' + CITE
    assert [value for value, *_ in dead_rows(clinic(ratio=ratio))] == ["emergency"]
    assert lints(clinic(ratio='by claim.care { outpatient: 50%, else: 40% }' + CITE)) == []


def test_a_benefit_whose_when_reads_a_date_proves_nothing():
    text = clinic(ratio='by claim.level { "1": 50%, "2": 40% }' + CITE).replace(
        "when claim.care == outpatient",
        'when claim.care == outpatient and claim.level == "1" and claim.date >= 2026-03-01')
    assert lints(text) == []


@pytest.mark.parametrize("ratio, dead", [
    # The `else` branch never sees level 1: its "1" row is dead, not that of the level-1 branch.
    ('if claim.level == "1" then by claim.level { "1": 55% } else by claim.level { "1": 50%, "2": 40% }', ['"1"']),
    ('cases { when claim.level == "1": 55% else: by claim.level { "1": 50%, "2": 40% } }', ['"1"']),
    # A condition the probes cannot judge (an amount) lets every level through both ways.
    ('if claim.covered > ¥100 then by claim.level { "1": 50%, "2": 40% } else 45%', []),
])
def test_rows_under_branches_follow_the_branch_conditions(ratio, dead):
    # The probes try the levels only if some `when` reads them (as for E117): this one does, admitting both.
    text = clinic(ratio=ratio + CITE).replace(
        "when claim.care == outpatient", 'when claim.care == outpatient and claim.level in ["1", "2"]')
    found = dead_rows(text)
    assert [value for value, *_ in found] == dead
    assert {help_id for *_, help_id in found} == ({"W408.branch.help"} if dead else set())


def test_a_table_in_a_branch_no_claim_takes_is_not_this_lint():
    ratio = 'if claim.level == "2" then by claim.level { "1": 50%, "2": 40% } else 45%'
    text = clinic(ratio=ratio + CITE).replace(
        "when claim.care == outpatient", 'when claim.care == outpatient and claim.level == "1"')
    assert lints(text) == []


# ------------------------------------------------------------------ the command

def invoke(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def uncited(tmp_path) -> Path:
    path = tmp_path / "p.mpol"
    path.write_text(HEAD + HOSPITAL.replace(' cite guide "一" "住院报销 70%"', ""), encoding="utf-8")
    return path


def test_check_prints_warnings_and_passes(uncited):
    result = invoke("check", str(uncited), "--lang", "en")
    assert result.exit_code == 0
    assert "warning[W401]: `ratio` of benefit 'hospital' cites no source" in result.stderr
    assert result.stdout.strip().endswith(": ok (1 benefit)")


def test_check_strict_turns_warnings_into_errors(uncited):
    result = invoke("check", "--strict", str(uncited), "--lang", "zh")
    assert result.exit_code == 1
    assert "错误[W401]：待遇 'hospital' 的 `ratio` 没有注明出处（cite）" in result.stderr
    assert "发现 1 个问题" in result.stderr and "检查通过" not in result.stdout
    report = json.loads(invoke("check", "--strict", str(uncited), "--format", "json").stdout)
    assert report[0]["ok"] is False
    assert [(d["code"], d["severity"], d["lint"]) for d in report[0]["diagnostics"]] == [
        ("W401", "error", "uncited-number")]


def test_check_json_shows_severity_and_lint(uncited):
    report = json.loads(invoke("check", str(uncited), "--format", "json").stdout)
    assert report[0]["ok"] is True
    assert [(d["code"], d["severity"], d["lint"]) for d in report[0]["diagnostics"]] == [
        ("W401", "warning", "uncited-number")]


def test_check_strict_passes_a_lint_clean_policy(tmp_path):
    path = tmp_path / "p.mpol"
    path.write_text(HEAD + HOSPITAL, encoding="utf-8")
    assert invoke("check", "--strict", str(path)).exit_code == 0


# ------------------------------------------------------------------ the bundled policies

@pytest.mark.parametrize("policy_id", ["karamay", "lanzhou", "shanghai"])
def test_the_bundled_policies_are_lint_clean(policy_id):
    policy = check(load(bundled_policies() / f"{policy_id}.mpol"), lint=True)
    assert [(w.code, w.message_id, w.span.line) for w in policy.warnings] == []


def test_check_strict_passes_the_bundled_policies():
    result = CliRunner().invoke(main, ["check", "--strict", "karamay", "lanzhou", "shanghai", "--lang", "en"])
    assert result.exit_code == 0, result.output


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_policy())
def test_lints_never_crash_on_a_policy_that_checks(text):
    """Mutated bundled policies: either an error, or a checked policy whose lints are warnings with spans."""
    try:
        policy = check(load_source(text, "policies/fuzzed.mpol", bundled_policies()), lint=True)
    except PolicyError:
        return
    assert all(w.severity == "warning" and w.span.line >= 1 for w in policy.warnings)
