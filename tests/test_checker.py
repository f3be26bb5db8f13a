"""Focused tests of the diagnostics the parser, loader and checker produce.

Each test writes a small policy to a temporary folder and asserts on the
:class:`~medpolicy.diagnostics.Diagnostic` data: its code, severity, where it
points (line and column, found by searching the policy text for the
offending words) and, where there is one, its did-you-mean help.  The exact
wording is pinned by the golden files (tests/test_diagnostics_golden.py).

The section "Known engine problems" at the end asserts the behaviour the
engine should have and does not yet: crashes on bad input, checks that are
missing, diagnostics that point at the wrong place or mislead.  Those tests
fail until the engine is fixed.
"""
from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from medpolicy import ast
from medpolicy.checker import check
from medpolicy.cli import main
from medpolicy.diagnostics import Diagnostic, render, render_all
from medpolicy.errors import PolicyError
from medpolicy.limits import DEFAULT_LIMITS, Limits
from medpolicy.loader import load
from medpolicy.parser import parse
from medpolicy.resources import bundled_policies
from medpolicy.span import Span

# ------------------------------------------------------------------ helpers

HEAD = """\
policy student {
  title "测试学生医保"
  year 2026-01-01 .. 2026-12-31
}

source guide "指南" "guide.md"

levels {
  "1" "一级医疗机构"
  "2" "二级医疗机构"
}

conditions {
  diabetes "糖尿病"
}
"""

HOSPITAL = """
benefit hospital "住院" {
  priority 10
  when claim.care == inpatient
  no deductible
  ratio 70%
}
"""


def policy(*parts: str, hospital: bool = True, head: str = HEAD) -> str:
    """HEAD, then PARTS, then (unless told not to) the benefit `hospital`."""
    return head + "".join(parts) + (HOSPITAL if hospital else "")


def benefit(when="claim.care == inpatient", ratio="70%", extra="", before="", after="") -> str:
    """A policy whose one benefit `hospital` has the given clauses."""
    body = f"""
benefit hospital "住院" {{
  priority 10
  when {when}
  no deductible
  ratio {ratio}{extra}
}}
"""
    return policy(before, body, after, hospital=False)


def critical(tables: str, covers="  covers claim.benefit in [hospital]\n") -> str:
    return policy() + '\ncritical_illness "大病保险" {\n' + covers + tables + "}\n"


def premium(items: str) -> str:
    return policy() + "\npremium {\n" + items + "}\n"


def diagnose(tmp_path: Path, text: str | bytes, name: str = "policy.mpol",
             limits: Limits = DEFAULT_LIMITS) -> list[Diagnostic]:
    """Every diagnostic of TEXT: the errors if it fails, else its warnings.

    Any exception other than PolicyError escapes and fails the test: bad
    input must never crash the pipeline.
    """
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    try:
        checked = check(load(path, limits))
    except PolicyError as err:
        assert err.diagnostics, "a PolicyError without diagnostics"
        return err.diagnostics
    return list(checked.warnings)


def pos(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """(line, column), 1-based, of the NTH occurrence of NEEDLE in TEXT."""
    index = -1
    for _ in range(nth + 1):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def one(diags: list[Diagnostic], code: str) -> Diagnostic:
    """The one diagnostic with CODE (the rendered list is shown if not)."""
    found = [d for d in diags if d.code == code]
    assert len(found) == 1, f"expected one {code}, got:\n{render_all(diags)}"
    return found[0]


def at(d: Diagnostic) -> tuple[int, int]:
    return d.span.line, d.span.column


def write_module(folder: Path, rel: str, text: str) -> None:
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


# ------------------------------------------------- one test per diagnostic
#
# (text, code, the words it must point at [, which occurrence], help) where
# help is None (no help), or a string the help must contain.

ADJUSTMENT_NO_RATIO = policy("""
adjustment offsite "异地就医" {
  applies to all
  when claim.location != local
}
""")

CASES = [
    # --- parser
    pytest.param(benefit(ratio="70% 80%"), "E001", "80%", "'cite'", id="E001-unexpected-token"),
    pytest.param(policy('\nparam base_ratio "基本比例" 70%\n'), "E001", "70%", "'='", id="E001-missing-equals"),
    pytest.param(benefit(ratio="min（70%, 80%)"), "E001", "（", "'('", id="E001-unexpected-character"),
    pytest.param(policy('\nadjustment offsite "异地就医" {\n  applies to ["hospital"]\n  ratio -20%\n}\n'),
                 "E001", '"hospital"', None, id="E001-applies-to-string"),
    pytest.param(HOSPITAL.join(policy().rsplit(HOSPITAL, 1)).replace("priority 10", "priority 10.5"),
                 "E002", "10.5", None, id="E002-priority-fraction"),
    pytest.param(policy().replace("2026-12-31", "2026-02-30"), "E002", "2026-02-30", None, id="E002-calendar-date"),
    pytest.param(policy().replace("  year 2026-01-01 .. 2026-12-31\n",
                                  "  year 2026-01-01 .. 2026-12-31\n  rounding half_upp to ¥0.01\n"),
                 "E003", "half_upp", "half_up", id="E003-rounding-mode"),
    pytest.param(policy('\ncap hospital_year "住院年度限额" ¥10000000000000 per year\n'),
                 "E007", "¥10000000000000", "yuan", id="E007-money-too-large"),
    pytest.param(benefit(ratio='by claim.level { "1": 80%, "2": 70%, "1": 60% }'),
                 "E101", ('"1"', 2), None, id="E101-lookup-key-twice"),
    pytest.param(policy().replace("  year 2026-01-01 .. 2026-12-31\n",
                                  '  year 2026-01-01 .. 2026-12-31\n  title "另一个标题"\n'),
                 "E102", 'title "另一个标题"', None, id="E102-header-field-twice"),
    pytest.param(benefit(extra="\n  ratio 80%"), "E102", "ratio 80%", "one of each clause",
                 id="E102-benefit-clause-twice"),
    pytest.param(policy('\nadjustment offsite "异地就医" {\n  applies to all\n  ratio -10%\n  ratio -20%\n}\n'),
                 "E102", "ratio -20%", None, id="E102-adjustment-clause-twice"),
    pytest.param(critical('  table "一般人员" otherwise {\n    band ¥0 .. ¥100000 pays 60%\n'
                          '    band above ¥100000 pays 70%\n  }\n',
                          covers="  covers claim.benefit in [hospital]\n  covers claim.care == inpatient\n"),
                 "E102", "covers claim.care", None, id="E102-covers-twice"),
    pytest.param(critical('  table "一般人员" otherwise {\n    deductible ¥20000\n    deductible ¥21000\n'
                          '    band ¥20000 .. ¥100000 pays 60%\n    band above ¥100000 pays 70%\n  }\n'),
                 "E102", "deductible ¥21000", None, id="E102-table-clause-twice"),
    pytest.param(ADJUSTMENT_NO_RATIO, "E103", "offsite", "ratio -20%", id="E103-adjustment-without-ratio"),
    # --- checker: declarations
    pytest.param(policy('\nbenefit hospital "门诊" {\n  priority 20\n  when claim.care == outpatient\n'
                        '  no deductible\n  ratio 50%\n}\n'),
                 "E101", ("hospital", 1), "the first is at", id="E101-benefit-twice"),
    pytest.param(policy().replace('  "2" "二级医疗机构"', '  "1" "二级医疗机构"'), "E101", ('"1"', 1), None,
                 id="E101-level-twice"),
    pytest.param(policy().replace('  diabetes "糖尿病"\n', '  diabetes "糖尿病"\n  diabetes "糖尿病伴有并发症"\n'),
                 "E101", ("diabetes", 1), None, id="E101-condition-twice"),
    pytest.param(policy('\nsource guide "指南（第二版）" "guide-2.md"\n'), "E101", ("guide", 2), None,
                 id="E101-source-twice"),
    pytest.param(benefit(ratio="base_ratio", before='\nparam base_ratio "甲" = 70%\nlet base_ratio "乙" = 80%\n'),
                 "E101", ("base_ratio", 1), "first definition is at", id="E101-defined-twice"),
    pytest.param(policy('\ncounter claim "就诊次数"\n'), "E101", "claim \"就诊次数\"", None, id="E101-reserved-name"),
    pytest.param(policy('\ncounter inpatient "住院次数"\n'), "E101", "inpatient \"住院次数\"", "another name",
                 id="E101-name-is-a-member"),
    pytest.param(premium('  item "个人缴费" {\n    else: ¥400\n  }\n') + "\npremium {\n  item \"x\" {\n    else: ¥1\n  }\n}\n",
                 "E101", ("premium {", 1), None, id="E101-two-premiums"),
    pytest.param(policy().replace('  diabetes "糖尿病"\n', '  Diabetes "糖尿病"\n'), "E104", "Diabetes",
                 "Chinese name", id="E104-condition-id"),
    pytest.param(policy(head=HEAD.replace('levels {\n  "1" "一级医疗机构"\n  "2" "二级医疗机构"\n}\n', "")),
                 "E105", "student", "levels {", id="E105-no-levels"),
    pytest.param(policy(head=HEAD.replace("  year 2026-01-01 .. 2026-12-31\n", "")), "E106", "student", "year ",
                 id="E106-no-year"),
    pytest.param(policy(head=HEAD.replace('  title "测试学生医保"\n', "")), "E106", "student", "title",
                 id="E106-no-title"),
    pytest.param(policy('\nparam base_ratio "基本比例" = 70%\n', hospital=False), "E110", "student", None,
                 id="E110-no-benefit"),
    # --- checker: benefits
    pytest.param(benefit().replace("  priority 10\n", ""), "E111", "hospital", "priority N", id="E111-no-priority"),
    pytest.param(policy('\nbenefit clinic "门诊" {\n  priority 10\n  when claim.care == outpatient\n'
                        '  no deductible\n  ratio 50%\n}\n'),
                 "E111", "hospital", "its own priority", id="E111-shared-priority"),
    pytest.param(benefit().replace("  when claim.care == inpatient\n", ""), "E112", "hospital", "when claim.care",
                 id="E112-no-when"),
    pytest.param(policy('\nbenefit excluded "急诊" {\n  priority 20\n  when claim.care == emergency\n'
                        '  pays nothing "急诊不予报销"\n  ratio 50%\n}\n'),
                 "E113", "excluded", "pays nothing", id="E113-pays-nothing-with-ratio"),
    pytest.param(benefit().replace("  ratio 70%\n", ""), "E113", "hospital", "ratio 70%", id="E113-no-ratio"),
    pytest.param(benefit(extra="\n  annual cap hospital_year for each claim.level",
                         before='\ncap hospital_year "住院年度限额" ¥100000 per year\n'),
                 "E114", ("claim.level", 0), "annual cap by", id="E114-shared-cap-for-each"),
    pytest.param(benefit(extra="\n  annual cap ¥100000 for each claim.total"), "E114", "claim.total", None,
                 id="E114-for-each-amount"),
    pytest.param(benefit(when="claim.care == inpatient and claim.care == outpatient"), "E115",
                 "claim.care == inpatient and", "care types", id="E115-never-matches"),
    pytest.param(policy('\nbenefit level1 "一级医疗机构住院" {\n  priority 5\n'
                        '  when claim.care == inpatient and claim.level == "1"\n  no deductible\n  ratio 85%\n}\n'),
                 "E116", "level1", "raise its priority", id="E116-shadowed"),
    pytest.param(benefit(ratio='by claim.level { "1": 85% }'), "E117", "by claim.level", "else:",
                 id="E117-missing-level-row"),
    # --- checker: critical illness
    pytest.param(critical('  table "一般人员" otherwise {\n    band ¥0 .. ¥100000 pays 60%\n'
                          '    band above ¥100000 pays 70%\n  }\n', covers=""),
                 "E120", "critical_illness", "covers claim.benefit", id="E120-no-covers"),
    pytest.param(critical(""), "E120", "critical_illness", None, id="E120-no-table"),
    pytest.param(critical('  table "困难人员" when person.assistance != none {\n    band ¥0 .. ¥100000 pays 70%\n'
                          '    band above ¥100000 pays 80%\n  }\n'),
                 "W120", "critical_illness", None, id="W120-no-otherwise-table"),
    pytest.param(critical('  table "一般人员" otherwise {\n    deductible ¥20000\n  }\n'), "E123", "table",
                 None, id="E123-no-band"),
    pytest.param(critical('  table "一般人员" otherwise {\n    band ¥0 .. ¥100000 pays 60%\n'
                          '    band above ¥100000 pays 170%\n  }\n'), "E124", "170%", None, id="E124-rate"),
    pytest.param(critical('  table "一般人员" otherwise {\n    band ¥0 .. ¥0 pays 60%\n'
                          '    band above ¥0 pays 70%\n  }\n'), "E125", "band ¥0 .. ¥0", None, id="E125-empty"),
    pytest.param(critical('  table "一般人员" otherwise {\n    deductible ¥20000\n    band ¥20000 .. ¥50000 pays 60%\n'
                          '    band ¥40000 .. ¥100000 pays 65%\n    band above ¥100000 pays 70%\n  }\n'),
                 "E126", "¥40000", "without gaps or overlaps", id="E126-overlap"),
    pytest.param(critical('  table "一般人员" otherwise {\n    deductible ¥20000\n    band ¥20000 .. ¥50000 pays 60%\n'
                          '    band ¥60000 .. ¥100000 pays 65%\n    band above ¥100000 pays 70%\n  }\n'),
                 "E126", "¥60000", "without gaps or overlaps", id="E126-gap"),
    pytest.param(critical('  table "一般人员" otherwise {\n    deductible ¥20000\n    band above ¥20000 pays 60%\n'
                          '    band ¥50000 .. ¥100000 pays 70%\n  }\n'),
                 "E126", "band above", None, id="E126-open-band-not-last"),
    pytest.param(critical('  table "一般人员" otherwise {\n'
                          '    deductible if policy.start + 1200 months * 999999999 > policy.end then ¥0 else ¥0\n'
                          '    band ¥0 .. ¥100000 pays 60%\n    band above ¥100000 pays 70%\n  }\n'),
                 "E127", "if policy.start", None, id="E127-out-of-range"),
    # --- checker: premium
    pytest.param(premium('  item "个人缴费" {\n    when person.assistance == dibao: ¥100\n  }\n'), "E130", "item",
                 "else: ¥", id="E130-no-else"),
    # --- checker: names
    pytest.param(benefit(ratio="base_rato", before='\nparam base_ratio "基本比例" = 70%\n'), "E200",
                 "base_rato", "did you mean 'base_ratio'?", id="E200-unknown-name"),
    pytest.param(benefit(ratio="reimbursement"), "E200", "reimbursement", None, id="E200-unknown-name-no-match"),
    pytest.param(benefit(when='claim.care == inpatient and claim.levle == "1"'), "E200", "claim.levle",
                 "did you mean 'level'?", id="E200-unknown-field"),
    pytest.param(benefit(when='claim.care == inpatient and claims.level == "1"'), "E200", "claims",
                 "did you mean 'claim'?", id="E200-unknown-root"),
    pytest.param(benefit(ratio="maximum(70%, 80%)"), "E200", "maximum", "did you mean 'max'?",
                 id="E200-unknown-function"),
    pytest.param(benefit(extra="\n  counts hospital_visit", before='\ncounter hospital_visits "住院次数"\n'),
                 "E200", "hospital_visit\n", "did you mean 'hospital_visits'?", id="E200-unknown-counter"),
    pytest.param(policy('\nadjustment offsite "异地就医" {\n  applies to [hospitl]\n  ratio -20%\n}\n'),
                 "E200", "hospitl", "did you mean 'hospital'?", id="E200-unknown-benefit"),
    pytest.param(benefit(ratio='70% cite guid "第三条"'), "E201", "cite guid", "did you mean 'guide'?",
                 id="E201-unknown-source"),
    pytest.param(benefit(ratio='70% cite manual "第三条"'), "E201", "cite manual", "source ID",
                 id="E201-unknown-source-no-match"),
    pytest.param(benefit(ratio="a", before='\nlet a "甲" = b + 5%\nlet b "乙" = a + 5%\n'), "E203", "a \"甲\"",
                 "refer back", id="E203-let-cycle"),
    pytest.param(benefit(ratio="a", before='\nlet a "甲" = a + 5%\n'), "E203", "a \"甲\"", "refer back",
                 id="E203-self-reference"),
    # --- checker: types
    pytest.param(benefit().replace("  no deductible\n", "  deductible per admission ¥100 + 5%\n"), "E204",
                 "¥100 + 5%", "multiply", id="E204-money-plus-percent"),
    pytest.param(benefit(ratio="70"), "E204", "70\n", "70%", id="E204-ratio-is-a-number"),
    pytest.param(benefit(when="claim.total"), "E204", "claim.total", None, id="E204-when-is-money"),
    pytest.param(benefit(ratio="if claim.pediatric then 70% else ¥5"), "E204", "¥5", "same type",
                 id="E204-branches-differ"),
    pytest.param(benefit(when="claim.care == inpatient and claim.total > 5%"), "E204", "claim.total > 5%", None,
                 id="E204-order-money-percent"),
    pytest.param(benefit(when="claim.care == claim.level"), "E204", "claim.care == claim.level", None,
                 id="E204-compare-care-level"),
    pytest.param(benefit(when="claim.care in inpatient"), "E204", "inpatient\n", None, id="E204-in-without-list"),
    pytest.param(benefit(ratio='by claim.total { "1": 70% }'), "E204", "claim.total", None,
                 id="E204-lookup-by-amount"),
    pytest.param(benefit(ratio="hospital_year", before='\ncap hospital_year "住院年度限额" ¥100000 per year\n'),
                 "E204", ("hospital_year", 1), "annual cap hospital_year when", id="E204-shared-cap-as-value"),
    pytest.param(premium('  item "个人缴费" {\n    else: 40%\n  }\n'), "E204", "40%", "¥100 * 50%",
                 id="E204-premium-is-percent"),
    pytest.param(benefit(when="claim.care == inpatient and not claim.total"), "E204", "claim.total", None,
                 id="E204-not-money"),
    pytest.param(benefit(ratio='-"七十"'), "E204", '-"七十"', None, id="E204-negate-text"),
    pytest.param(benefit(ratio="min(70%, ¥5)"), "E204", "min(", None, id="E204-min-mixed"),
    pytest.param(benefit(ratio="(70%).points"), "E204", "(70%).points", None, id="E204-attribute-of-value"),
    pytest.param(benefit(when="claim.care == inpatient and known(claim.institution otherwise 5)"), "E204", "5)",
                 None, id="E204-fallback-type"),
    pytest.param(benefit(when="claim.care == inpatient and person.enrolled_on <= policy.start"), "E205",
                 "person.enrolled_on", "otherwise", id="E205-absent-compared"),
    pytest.param(benefit(ratio="min(70%, cap_rate)", before='\nparam cap_rate "封顶比例" : percent unstated\n'),
                 "E205", "min(", None, id="E205-min-of-unstated"),
    pytest.param(benefit(when="claim.care == inpatient and person"), "E206", "person\n", None,
                 id="E206-root-without-field"),
    pytest.param(premium('  item "个人缴费" {\n    when claim.care == inpatient: ¥100\n    else: ¥400\n  }\n'),
                 "E207", ("claim.care", 1), "about the person", id="E207-claim-in-premium"),
    pytest.param(benefit(when="in_hospital", before='\nlet in_hospital "住院" = claim.care == inpatient\n',
                         after='\npremium {\n  item "个人缴费" {\n    when in_hospital: ¥100\n    else: ¥400\n  }\n}\n'),
                 "E207", ("in_hospital", 2), None, id="E207-let-with-claim-in-premium"),
    pytest.param(policy('\ncounter visits "门诊次数"\n\nbenefit clinic "门诊" {\n  priority 20\n'
                        '  when claim.care == outpatient and visits < 3\n  counts visits\n  no deductible\n'
                        '  ratio 50%\n}\n'),
                 "E207", "visits < 3", "year so far", id="E207-counter-in-when"),
    pytest.param(policy('\nparam start_date "开始" = person.enrolled_on otherwise policy.start\n'),
                 "E207", "person.enrolled_on", "constants", id="E207-person-in-param"),
    pytest.param(benefit(when="claim.care == inpatient and known(person.enrolled_on, claim.institution)"),
                 "E208", "known(", None, id="E208-known-two-values"),
    pytest.param(benefit(ratio="min(70%)"), "E208", "min(", None, id="E208-min-one-value"),
    pytest.param(benefit(when='claim.care == inpatient and claim.level == "3"'), "E209", '"3"', '"1", "2"',
                 id="E209-level-literal"),
    pytest.param(benefit(when='claim.care == inpatient and claim.level in ["1", "2", "4"]'), "E209", '"4"', 'levels: "1", "2"',
                 id="E209-level-literal-in-list"),
    pytest.param(benefit(ratio='by claim.level { "1": 85%, "3": 75%, else: 60% }'), "E209", ('"3"', 0), "levels:",
                 id="E209-lookup-level"),
    pytest.param(benefit(ratio="by claim.condition { diabetis: 85%, else: 60% }"), "E209", "diabetis",
                 "did you mean 'diabetes'?", id="E209-lookup-condition"),
    pytest.param(benefit(when="claim.care == inpatient and (claim.date otherwise policy.start) >= policy.start"),
                 "W201", "claim.date otherwise", None, id="W201-otherwise-never-absent"),
]


@pytest.mark.parametrize("text, code, where, help", CASES)
def test_diagnostic(tmp_path, text, code, where, help):
    diags = diagnose(tmp_path, text)
    d = one(diags, code)
    assert d.severity == ("warning" if code.startswith("W") else "error")
    needle, nth = where if isinstance(where, tuple) else (where, 0)
    assert at(d) == pos(text, needle, nth), render(d, {d.span.file: text})
    assert d.span.file.endswith("policy.mpol")
    if help is None:
        assert d.help is None
    else:
        assert help in (d.help or ""), d.help
    if code.startswith("E"):
        assert all(x.severity == "error" for x in diags if x.code.startswith("E"))


def test_every_error_stops_the_pipeline_but_warnings_do_not(tmp_path):
    text = benefit(when="claim.care == inpatient and (claim.date otherwise policy.start) >= policy.start")
    path = tmp_path / "p.mpol"
    path.write_text(text, encoding="utf-8")
    checked = check(load(path))
    assert [w.code for w in checked.warnings] == ["W201"]


def test_diagnostics_come_in_source_order(tmp_path):
    text = benefit(ratio="zzz", when="claim.care == inpatient and claim.levle == \"1\"",
                   before='\nparam p "甲" = yyy\n')
    diags = diagnose(tmp_path, text)
    assert [d.code for d in diags] == ["E200", "E200", "E200"]
    assert [at(d) for d in diags] == [pos(text, "yyy"), pos(text, "claim.levle"), pos(text, "zzz")]


def test_unexpected_end_of_file(tmp_path):
    text = benefit().rstrip().removesuffix("}")
    d = one(diagnose(tmp_path, text), "E001")
    assert d.message == "unexpected end of file"


# ------------------------------------------------------------------ loader


def test_file_over_the_size_limit(tmp_path):
    d = one(diagnose(tmp_path, policy(), limits=Limits(max_policy_bytes=100)), "E004")
    assert at(d) == (1, 1)
    assert "over the limit of 100" in d.message


def test_file_not_utf8(tmp_path):
    data = policy().encode("utf-8").replace("一级医疗机构".encode(), "一级医疗机构".encode("gbk"))
    d = one(diagnose(tmp_path, data), "E005")
    assert d.span.line == pos(policy(), "一级医疗机构")[0]
    assert d.help == "save the policy as UTF-8"


def test_nesting_over_the_limit(tmp_path):
    d = one(diagnose(tmp_path, policy(), limits=Limits(max_nesting=5)), "E006")
    assert "over the limit of 5" in d.message
    assert d.help and "let" in d.help


def test_deep_nesting_is_a_diagnostic_not_a_crash(tmp_path):
    n = 5000
    text = benefit(ratio="(" * n + "70%" + ")" * n)
    one(diagnose(tmp_path, text), "E006")
    text = benefit(ratio="-" * n + "70%")
    one(diagnose(tmp_path, text), "E006")


def test_import_absolute(tmp_path):
    text = policy('\nimport "/etc/national.mpol" as national\n')
    d = one(diagnose(tmp_path, text), "E301")
    assert at(d) == pos(text, "import")
    assert "absolute" in d.message


def test_import_leaving_the_folder(tmp_path):
    (tmp_path / "inner").mkdir()
    write_module(tmp_path, "secret.mpol", 'module secret "外面"\nparam x "x" = 1\n')
    text = policy('\nimport "../secret.mpol" as secret\n')
    d = one(diagnose(tmp_path / "inner", text), "E301")
    assert at(d) == pos(text, "import")
    assert "leaves" in d.message


def test_import_cycle(tmp_path):
    write_module(tmp_path, "m/a.mpol", 'module a "A"\nimport "m/b.mpol" as b\nparam x "x" = 1\n')
    write_module(tmp_path, "m/b.mpol", 'module b "B"\nimport "m/a.mpol" as a\nparam y "y" = 1\n')
    text = policy('\nimport "m/a.mpol" as a\n')
    d = one(diagnose(tmp_path, text), "E302")
    assert d.span.file.endswith("m/b.mpol")
    assert at(d) == (2, 1)
    assert re.search(r"m/a\.mpol → .*m/b\.mpol → .*m/a\.mpol$", d.message)


def test_policy_importing_itself(tmp_path):
    text = policy('\nimport "policy.mpol" as me\n')
    d = one(diagnose(tmp_path, text), "E302")
    assert at(d) == pos(text, "import")


def test_import_of_a_policy(tmp_path):
    (tmp_path / "other.mpol").write_text(policy(), encoding="utf-8")
    text = policy('\nimport "other.mpol" as other\n')
    d = one(diagnose(tmp_path, text), "E303")
    assert at(d) == pos(text, "import")


def test_import_of_a_missing_module(tmp_path):
    text = policy('\nimport "modules/rate.mpol" as rates\n')
    d = one(diagnose(tmp_path, text), "E304")
    assert at(d) == pos(text, "import")
    assert "modules/rate.mpol" in d.message


def test_syntax_error_in_a_module_names_the_module(tmp_path):
    write_module(tmp_path, "m.mpol", 'module m "M"\n\nparam x "x" 70%\n')
    d = one(diagnose(tmp_path, policy('\nimport "m.mpol" as m\n')), "E001")
    assert d.span.file.endswith("m.mpol") and not d.span.file.endswith("policy.mpol")
    assert at(d) == (3, 13)


def test_module_declaring_a_benefit(tmp_path):
    write_module(tmp_path, "m.mpol", """\
        module m "M"

        benefit clinic "门诊" {
          priority 5
          when claim.care == outpatient
          no deductible
          ratio 50%
        }
        """)
    d = one(diagnose(tmp_path, policy('\nimport "m.mpol" as m\n')), "E107")
    assert d.span.file.endswith("m.mpol")
    assert at(d) == (3, 9)


def test_module_checked_on_its_own(tmp_path):
    d = one(diagnose(tmp_path, 'module helpers "辅助"\n\nparam x "x" = 70%\n'), "E100")
    assert at(d) == (1, 8)
    assert "policy ID" in d.help


def test_unknown_definition_of_a_module(tmp_path):
    write_module(tmp_path, "rates.mpol", 'module rates "比例"\nparam base_ratio "基本比例" = 70%\n')
    text = benefit(ratio="rates.base_rato", before='\nimport "rates.mpol" as rates\n')
    d = one(diagnose(tmp_path, text), "E200")
    assert at(d) == pos(text, "rates.base_rato")
    assert d.help == "did you mean 'base_ratio'?"


def test_module_alias_used_as_a_value(tmp_path):
    write_module(tmp_path, "rates.mpol", 'module rates "比例"\nparam base_ratio "基本比例" = 70%\n')
    text = benefit(ratio="rates", before='\nimport "rates.mpol" as rates\n')
    d = one(diagnose(tmp_path, text), "E204")
    assert at(d) == pos(text, "rates\n", 1)


def test_error_inside_a_module_points_into_the_module(tmp_path):
    write_module(tmp_path, "rates.mpol", 'module rates "比例"\nparam base_ratio "基本比例" = 70% + ¥1\n')
    text = benefit(ratio="rates.base_ratio", before='\nimport "rates.mpol" as rates\n')
    d = one(diagnose(tmp_path, text), "E204")
    assert d.span.file.endswith("rates.mpol")
    assert at(d) == (2, 27)


# ------------------------------------------------- bundled policies, imports


@pytest.mark.parametrize("policy_id", ["karamay", "lanzhou", "shanghai"])
def test_bundled_policy_checks_clean(policy_id):
    checked = check(load(bundled_policies() / f"{policy_id}.mpol"))
    assert checked.id == policy_id
    assert all(w.severity == "warning" for w in checked.warnings)


NATIONAL = '\nimport "shared/national_waiting_period.mpol" as national\n\ncoverage starts national.benefits_start "等待期"\n'


WITH_COLLECTION = HEAD.replace("  year 2026-01-01 .. 2026-12-31\n",
                                "  year 2026-01-01 .. 2026-12-31\n  collection 2025-09-01 .. 2025-12-31\n")


def test_import_falls_back_to_the_bundled_modules(tmp_path):
    path = tmp_path / "city.mpol"
    path.write_text(policy(NATIONAL, head=WITH_COLLECTION), encoding="utf-8")
    program = load(path)
    assert program.imports[(program.main.path, "national")] == "policies/shared/national_waiting_period.mpol"
    checked = check(program)
    assert checked.coverage is not None


def test_the_national_rule_needs_a_collection_period(tmp_path):
    """It asks whether the person paid by the end of the collection period: without one it cannot be read."""
    path = tmp_path / "city.mpol"
    path.write_text(policy(NATIONAL), encoding="utf-8")
    with pytest.raises(PolicyError) as err:
        check(load(path))
    assert {d.code for d in err.value.diagnostics} == {"E207"}
    assert all("collection" in (d.help or "") for d in err.value.diagnostics)


def test_a_local_module_wins_over_the_bundled_one(tmp_path):
    write_module(tmp_path, "shared/national_waiting_period.mpol",
                 'module local "本地"\nlet benefits_start "开始" = policy.start\n')
    path = tmp_path / "city.mpol"
    path.write_text(policy(NATIONAL), encoding="utf-8")
    program = load(path)
    shown = program.imports[(program.main.path, "national")]
    assert shown != "policies/shared/national_waiting_period.mpol"
    assert shown.endswith("shared/national_waiting_period.mpol")
    check(program)


def test_misspelt_definition_of_the_bundled_module(tmp_path):
    text = policy(NATIONAL.replace("benefits_start", "benefits_strat"))
    d = one(diagnose(tmp_path, text), "E200")
    assert at(d) == pos(text, "national.benefits_strat")
    assert d.help == "did you mean 'benefits_start'?"


def test_check_command_prints_the_rendered_diagnostics(tmp_path):
    path = tmp_path / "bad.mpol"
    text = benefit(ratio="base_rato", before='\nparam base_ratio "基本比例" = 70%\n')
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1
    line, column = pos(text, "base_rato")
    assert f"bad.mpol:{line}:{column}: error[E200]: unknown name 'base_rato'" in result.output
    assert "help: did you mean 'base_ratio'?" in result.output


# ------------------------------------------------------------- parser spans


def test_spans_are_left_out_of_equality():
    text = policy()
    indented = "\n".join(("    " + line) if line else line for line in text.split("\n"))
    a, b = parse(text, "p.mpol"), parse(indented, "p.mpol")
    assert a == b
    assert a.header.span != b.header.span
    assert (a.header.span.line, a.header.span.column + 4) == (b.header.span.line, b.header.span.column)
    ben_a = next(d for d in a.decls if isinstance(d, ast.Benefit))
    ben_b = next(d for d in b.decls if isinstance(d, ast.Benefit))
    assert ben_a.when == ben_b.when
    assert ben_a.when.span.column + 4 == ben_b.when.span.column
    assert ben_a.when.span.line == ben_b.when.span.line == pos(text, "claim.care == inpatient")[0]


def test_spans_name_the_file_line_and_column():
    text = policy()
    file = parse(text, "some/where.mpol")
    ratio = next(d for d in file.decls if isinstance(d, ast.Benefit)).ratio
    assert ratio.span.file == "some/where.mpol"
    assert (ratio.span.line, ratio.span.column) == pos(text, "70%")
    assert ratio.span.end_column == ratio.span.column + len("70%")


# ------------------------------------------------------------------- render


def _caret_line(rendered: str) -> str:
    return rendered.split("\n")[2]


def test_render_prints_location_source_caret_and_help():
    source = "policy p {\n  ratio base_rato\n}\n"
    d = Diagnostic("E200", "unknown name 'base_rato'", Span("p.mpol", 2, 9, 2, 18), help="did you mean 'base_ratio'?")
    assert render(d, {"p.mpol": source}) == (
        "p.mpol:2:9: error[E200]: unknown name 'base_rato'\n"
        "   2 |   ratio base_rato\n"
        "               ^^^^^^^^^\n"
        "  help: did you mean 'base_ratio'?"
    )


def test_render_counts_chinese_characters_as_two_columns():
    line = '  when claim.condition == "高血压" and claims.level == "1"'
    column = line.index("claims") + 1
    d = Diagnostic("E200", "unknown name 'claims'", Span("p.mpol", 1, column, 1, column + len("claims")))
    out = render(d, {"p.mpol": line + "\n"})
    gutter = "   1 | "
    # 3 wide characters before the name: 3 extra cells.
    assert _caret_line(out) == " " * (len(gutter) + column - 1 + 3) + "^" * len("claims")


def test_render_underlines_chinese_text_two_cells_per_character():
    line = 'conditions { 高血压 "高血压" }'
    column = line.index("高血压") + 1
    d = Diagnostic("E104", "condition id '高血压' is not lower_snake_case English",
                   Span("p.mpol", 1, column, 1, column + 3))
    out = render(d, {"p.mpol": line})
    assert _caret_line(out) == " " * (len("   1 | ") + column - 1) + "^" * 6


def test_render_caret_after_full_width_punctuation():
    line = "  ratio min（70%, 80%)"
    column = line.index("70%") + 1
    d = Diagnostic("E204", "x", Span("p.mpol", 1, column, 1, column + 3))
    out = render(d, {"p.mpol": line})
    assert _caret_line(out) == " " * (len("   1 | ") + column - 1 + 1) + "^^^"


def test_render_without_help_has_no_help_line():
    d = Diagnostic("E110", "the policy declares no benefit", Span("p.mpol", 1, 8, 1, 9))
    out = render(d, {"p.mpol": "policy p {\n}\n"})
    assert "help:" not in out
    assert out.count("\n") == 2


def test_render_multi_line_span_marks_one_character():
    d = Diagnostic("E120", "critical_illness has no table", Span("p.mpol", 2, 1, 4, 2))
    out = render(d, {"p.mpol": "x\ncritical_illness \"大病\" {\n}\n"})
    assert _caret_line(out) == " " * len("   2 | ") + "^"


def test_render_without_source_prints_the_heading_and_help():
    d = Diagnostic("E005", "the file is not valid UTF-8", Span("p.mpol", 3, 1), help="save the policy as UTF-8")
    assert render(d, {}) == "p.mpol:3:1: error[E005]: the file is not valid UTF-8\n  help: save the policy as UTF-8"


def test_render_warning_and_render_all_separates_by_a_blank_line():
    a = Diagnostic("W201", "never absent", Span("p.mpol", 1, 1, 1, 2), severity="warning")
    b = Diagnostic("E200", "unknown", Span("p.mpol", 2, 1, 2, 2))
    out = render_all([a, b], {"p.mpol": "a\nb\n"})
    assert out.startswith("p.mpol:1:1: warning[W201]: never absent\n")
    assert "\n\np.mpol:2:1: error[E200]: unknown\n" in out


# ================================================== Known engine problems
#
# Each test below asserts what the engine should do and currently does not.


# --- crashes: a definition whose name is taken escapes as AttributeError/KeyError

@pytest.mark.parametrize("decls", [
    'param claim "理赔" = 70%',
    'let max "最高" = 5',
    'param inpatient "住院比例" = 70%',
    'list hospital "住院" = [inpatient]',
    'counter visits "次数"\nparam visits "次数" = 3',
    'cap year_cap "年度限额" ¥1000 per year\nlet year_cap "年度限额" = ¥1000',
    'import "rates.mpol" as rates\nparam rates "比例" = 70%',
], ids=["param-reserved", "let-function-name", "param-care-member", "list-benefit-name",
        "param-after-counter", "let-after-cap", "param-after-import-alias"])
def test_taken_name_is_reported_not_a_crash(tmp_path, decls):
    write_module(tmp_path, "rates.mpol", 'module rates "比例"\nparam base_ratio "基本比例" = 70%\n')
    text = policy("\n" + decls + "\n")
    d = one(diagnose(tmp_path, text), "E101")
    assert d.span.line == text.count("\n", 0, text.index(decls)) + decls.count("\n") + 1


def test_huge_constant_is_reported_not_a_crash(tmp_path):
    # str(Money) in the E126 message raises decimal.InvalidOperation.
    text = critical('  table "一般人员" otherwise {\n'
                    '    deductible ¥999999999999 * 999999999 * 999999999 * 999999999\n'
                    '    band ¥0 .. ¥100000 pays 60%\n    band above ¥100000 pays 70%\n  }\n')
    diags = diagnose(tmp_path, text)
    assert any(d.severity == "error" for d in diags)


# --- misplaced diagnostics

def test_reversed_year_points_at_the_year(tmp_path):
    text = policy(head=HEAD.replace("2026-01-01 .. 2026-12-31", "2026-12-31 .. 2026-01-01"))
    d = one(diagnose(tmp_path, text), "E106")
    assert d.span.line == pos(text, "year")[0]


def test_reversed_collection_points_at_the_collection(tmp_path):
    text = policy(head=HEAD.replace("  year 2026-01-01 .. 2026-12-31\n",
                                    "  year 2026-01-01 .. 2026-12-31\n  collection 2026-01-10 .. 2025-09-01\n"))
    d = one(diagnose(tmp_path, text), "E106")
    assert d.span.line == pos(text, "collection")[0]


def test_unknown_unstated_type_points_at_the_type(tmp_path):
    text = benefit(before='\nparam visit_cap "单次限额" : mony unstated\n')
    d = one(diagnose(tmp_path, text), "E202")
    assert d.help == "did you mean 'money'?"
    assert at(d) == pos(text, "mony")


def test_unexpected_end_of_file_points_after_the_last_text_and_asks_for_the_brace(tmp_path):
    text = benefit().rstrip().removesuffix("}")
    d = one(diagnose(tmp_path, text), "E001")
    line, column = pos(text, "70%", text.count("70%") - 1)
    assert (d.span.line, d.span.column) >= (line, column + len("70%"))
    assert "'}'" in (d.help or "")


# --- misleading syntax help

def test_missing_closing_brace_mentions_the_brace(tmp_path):
    text = benefit().rstrip().removesuffix("}") + '\nbenefit clinic "门诊" {\n  priority 20\n' \
        '  when claim.care == outpatient\n  no deductible\n  ratio 50%\n}\n'
    d = one(diagnose(tmp_path, text), "E001")
    assert "'}'" in (d.help or "")


def test_single_equals_suggests_a_comparison(tmp_path):
    d = one(diagnose(tmp_path, benefit(when="claim.care = inpatient")), "E001")
    assert "==" in (d.help or "") or "comparison" in (d.help or "")


def test_double_ampersand_suggests_and(tmp_path):
    d = one(diagnose(tmp_path, benefit(when='claim.care == inpatient && claim.level == "1"')), "E001")
    assert "'and'" in (d.help or "")


def test_unclosed_string_says_so(tmp_path):
    text = policy().replace('benefit hospital "住院" {', 'benefit hospital "住院 {')
    d = one(diagnose(tmp_path, text), "E001")
    assert d.help != "expected a quoted string"
    assert re.search(r"unterminated|unclosed|not closed|closing", d.message + " " + (d.help or ""))


# --- cascades and misleading checker messages

def test_otherwise_table_out_of_place_is_not_also_missing(tmp_path):
    text = critical('  table "一般人员" otherwise {\n    band ¥0 .. ¥100000 pays 60%\n'
                    '    band above ¥100000 pays 70%\n  }\n'
                    '  table "困难人员" when person.assistance != none {\n    band ¥0 .. ¥100000 pays 70%\n'
                    '    band above ¥100000 pays 80%\n  }\n')
    diags = diagnose(tmp_path, text)
    d = one(diags, "E121")
    assert at(d) == pos(text, 'table "一般人员"')
    assert not [x for x in diags if x.code == "W120"], render_all(diags)


def test_non_constant_deductible_gives_no_band_error(tmp_path):
    text = critical('  table "一般人员" otherwise {\n'
                    '    deductible if person.assistance == none then ¥20000 else ¥10000\n'
                    '    band ¥20000 .. ¥100000 pays 60%\n    band above ¥100000 pays 70%\n  }\n')
    diags = diagnose(tmp_path, text)
    assert at(one(diags, "E207")) == pos(text, "person.assistance")
    # Today also: E122 for the same expression, and an E126 claiming the
    # deductible is ¥0.00 — neither is a mistake of the author's.
    assert [d.code for d in diags] == ["E207"], render_all(diags)


def test_too_large_percentage_help_is_not_about_yuan(tmp_path):
    text = benefit(ratio="7000%")
    d = one(diagnose(tmp_path, text), "E007")
    assert at(d) == pos(text, "7000%")
    assert "yuan" not in (d.help or "")


def test_non_constant_band_bound_is_reported(tmp_path):
    # E122 (must be a constant) comes only after E207 today; either is right.
    text = critical('  table "一般人员" otherwise {\n    band ¥0 .. ¥100000 pays 60%\n'
                    '    band above (if claim.total > ¥0 then ¥100000 else ¥100000) pays 70%\n  }\n')
    diags = diagnose(tmp_path, text)
    line = pos(text, "band above")[0]
    assert diags and {d.code for d in diags} <= {"E122", "E207"}
    assert all(d.span.line == line for d in diags)


def test_missing_row_for_absent_condition_does_not_ask_for_a_row(tmp_path):
    text = benefit(ratio="by claim.condition { diabetes: 80% }")
    d = one(diagnose(tmp_path, text), "E117")
    assert "absent" in d.message
    # A table cannot have a row for "no condition": only `else` helps.
    assert "add the row" not in (d.help or "")


# --- checks that are missing

def test_benefit_ratio_over_100_percent_is_reported(tmp_path):
    text = benefit(ratio="700%")
    diags = diagnose(tmp_path, text)
    assert [at(d) for d in diags] == [pos(text, "700%")]


def test_negative_deductible_is_reported(tmp_path):
    # Today a deductible of -¥100 makes a ¥1000 claim pay 70% of ¥1100.
    text = benefit().replace("  no deductible\n", "  deductible per admission -¥100\n")
    diags = diagnose(tmp_path, text)
    assert [d.span.line for d in diags] == [pos(text, "-¥100")[0]]


def test_negative_shared_cap_is_reported(tmp_path):
    text = benefit(extra="\n  annual cap year_cap", before='\ncap year_cap "年度限额" -¥1000 per year\n')
    diags = diagnose(tmp_path, text)
    assert [d.span.line for d in diags] == [pos(text, "-¥1000")[0]]


def test_premium_case_after_else_is_reported(tmp_path):
    text = premium('  item "个人缴费" {\n    else: ¥400\n    when person.assistance == dibao: ¥100\n'
                   '    else: ¥380\n  }\n')
    diags = diagnose(tmp_path, text)
    assert any(d.severity == "error" and d.span.line == pos(text, "when person.assistance")[0] for d in diags), \
        render_all(diags)


def test_adjustment_declared_twice_is_reported(tmp_path):
    text = policy('\nadjustment boost "奖励" {\n  applies to all\n  ratio 5%\n}\n'
                  '\nadjustment boost "奖励二" {\n  applies to all\n  ratio 5%\n}\n')
    d = one(diagnose(tmp_path, text), "E101")
    assert at(d) == pos(text, "boost", 1)
