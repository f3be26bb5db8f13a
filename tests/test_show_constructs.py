"""``medpolicy show`` of shared deductibles, measures, fixed payments, banded ratios and guarded caps.

tests/show/four_constructs.mpol uses every one of them; its listing is a golden
file in both languages, and the JSON description carries each as data.

Then what the listing says of clauses a policy leaves out or writes by name
(tests/show/audit.mpol, also a golden file, and the bundled policies): never
Python's ``None``, an adjustment's benefits by their titles, how a payer's
bands are measured, a named value by its label, in words a Chinese reader reads.
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from medpolicy.cli import main

from conftest import ROOT, golden_file

POLICY = "tests/show/four_constructs.mpol"


def invoke(*args):
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_show_of_the_four_constructs_matches_golden(monkeypatch, lang):
    monkeypatch.chdir(ROOT)
    result = invoke("show", POLICY, "--lang", lang)
    assert result.exit_code == 0, result.output
    golden_file(ROOT / "tests" / "golden" / "cli" / f"show-four-constructs.{lang}.txt", result.stdout)


def test_a_pool_deductible_is_shown_by_its_label_and_amount_not_its_id(monkeypatch):
    monkeypatch.chdir(ROOT)
    text = invoke("show", POLICY, "--lang", "en").stdout
    assert "deductible (pool)" not in text
    assert "deductible (shared 门急诊共用起付线, accumulating): ¥300" in text


def test_the_description_carries_each_construct_as_data(monkeypatch):
    monkeypatch.chdir(ROOT)
    data = json.loads(invoke("show", POLICY, "--format", "json").stdout)
    assert data["deductible_pools"] == [{
        "id": "clinic", "label": "门急诊共用起付线", "amount": "¥300", "mode": "accumulating",
        "cite": {"source": "guide", "title": "办理指南", "section": "第三条", "quote": None},
        "at": f"{POLICY}:8"}]
    assert [m["id"] for m in data["measures"]] == ["inpatient_ytd"]
    benefits = {b["id"]: b for b in data["benefits"]}
    assert benefits["newborn"]["pays"] == {"amount": "¥300", "above_covered": True, "cite": None}
    assert benefits["checkup"]["pays"]["above_covered"] is False
    banded = benefits["inpatient"]["ratio_bands"]
    assert banded["label"] == "住院累计（起付线以上）"
    assert [(b["low"], b["high"], b["rate"]) for b in banded["bands"]] == [
        ("¥0", "¥10,000", "70%"), ("¥10,000", None, "80%")]
    assert [c["when"] for c in benefits["outpatient"]["annual_caps"]] == ['claim.level == "1"', 'claim.level != "1"']
    assert benefits["emergency"]["deductible"]["pool"]["label"] == "门急诊共用起付线"


AUDIT = "tests/show/audit.mpol"
EVERY_POLICY = ["karamay", "lanzhou", "shanghai", "examples/qinghe/qinghe.mpol", POLICY, AUDIT]


def show(policy: str, lang: str) -> str:
    result = invoke("show", policy, "--lang", lang)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_show_of_the_audit_policy_matches_golden(monkeypatch, lang):
    monkeypatch.chdir(ROOT)
    golden_file(ROOT / "tests" / "golden" / "cli" / f"show-audit.{lang}.txt", show(AUDIT, lang))


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("policy", EVERY_POLICY)
def test_nothing_is_shown_as_none_or_as_a_raw_true(monkeypatch, policy, lang):
    monkeypatch.chdir(ROOT)
    text = show(policy, lang)
    assert "None" not in text and "null" not in text
    # A settlement path (or payer) for every claim was shown as the keyword `true`.
    assert "：true" not in text and ": true" not in text


def test_an_adjustment_without_when_applies_always_in_words(monkeypatch):
    monkeypatch.chdir(ROOT)
    zh, en = show("karamay", "zh"), show("karamay", "en")
    assert "  continuity_bonus 连续参保激励  [policies/karamay.mpol:143]\n    适用待遇：居民门诊慢病、普通住院\n" \
           "    适用于：无附加条件\n    报销比例加减：min(max(person.continuous_years - 3, 0), 5) * 1%\n" in zh
    assert "    benefits: 居民门诊慢病, 普通住院\n    when: always\n" in en


def test_an_adjustment_says_which_benefits_it_applies_to_by_their_titles(monkeypatch):
    monkeypatch.chdir(ROOT)
    zh, en = show(AUDIT, "zh"), show(AUDIT, "en")
    assert "  continuity 连续参保激励  [tests/show/audit.mpol:47]\n    适用待遇：住院、门诊\n" in zh
    # `applies to all`: every benefit paid by a ratio, not the fixed payment nor the one paying nothing.
    assert "    适用待遇：全部按比例报销的待遇（门诊、住院）\n    适用于：claim.location != local\n" in zh
    assert "    benefits: every benefit paid by a ratio (门诊, 住院)\n" in en
    data = json.loads(invoke("show", AUDIT, "--format", "json").stdout)
    assert [[b["id"] for b in a["applies_to"]] for a in data["adjustments"]] == [
        ["inpatient", "outpatient"], ["outpatient", "inpatient"]]
    assert [a["benefits"] for a in data["adjustments"]] == [["inpatient", "outpatient"], None]  # kept as it was


def test_a_benefits_own_adjustment_shows_its_condition(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert "比例调整「困难人员」（加减百分点）：person.assistance != none 时 10%\n" in show(AUDIT, "zh")
    assert "adjustment 困难人员 (percentage points): when person.assistance != none, 10%\n" in show(AUDIT, "en")
    assert "比例调整「连续参保」（加减百分点）：1%\n" in show(AUDIT, "zh")


def test_a_payers_bands_say_how_they_are_measured(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert "    起付线：¥5000\n    分段（按本年度累计个人负担超过起付线的部分，自起付线起算）：¥0 至 ¥10000 的部分 60%；" \
           "¥10000 至 ¥20000 的部分 65%；" in show("lanzhou", "zh")
    assert "bands (of the year's cumulative burden above the deductible, counted from it): ¥0 to ¥10000 at 60%; " \
           in show("lanzhou", "en")
    assert "    分段（按本年度累计个人负担）：¥10500 至 ¥50000 的部分 65%；¥50000 至 ¥100000 的部分 70%；" \
           "¥100000 以上的部分 75%\n" in show("karamay", "zh")
    assert "bands (of the year's cumulative burden): ¥10500 to ¥50000 at 65%; " in show("karamay", "en")


def test_a_banded_ratio_says_what_its_measure_adds_up(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert "报销比例按「住院累计（起付线以上）」（本年度累计的起付线以上合规费用）分段累进：¥0 至 ¥10,000 的部分 70%；" \
           "¥10,000 以上的部分 80%\n" in show(POLICY, "zh")


@pytest.mark.parametrize("policy", EVERY_POLICY)
def test_bands_are_in_words_not_the_languages_range_syntax(monkeypatch, policy):
    monkeypatch.chdir(ROOT)
    for lang in ("zh", "en"):
        # A band line has a rate; `..` is left only in the dates of the heading.
        assert not [line for line in show(policy, lang).splitlines() if ".." in line and "%" in line]


def test_a_shared_cap_is_shown_by_its_label_and_amount_not_its_id(monkeypatch):
    monkeypatch.chdir(ROOT)
    zh = show("karamay", "zh")
    assert "年度限额：chronic_and_inpatient_year" not in zh
    assert "       年度限额：¥160000（多项待遇共用「门诊慢病与住院年度限额」）\n" in zh
    assert "       annual cap: ¥900 (shared 普通门诊年度限额)\n" in show("karamay", "en")


def test_an_unstated_cap_says_no_cap_is_applied(monkeypatch):
    monkeypatch.chdir(ROOT)
    zh = show("shanghai", "zh")
    assert "年度限额：ci_annual_maximum" not in zh
    assert "    年度限额：文件未载明（城乡居民大病保险最高支付限额），计算时不设此限额\n" in zh
    assert "    annual cap: not stated (城乡居民大病保险最高支付限额): no cap is applied\n" in show("shanghai", "en")
    # A shared cap whose amount is an unstated param: the same.
    assert "       年度限额：文件未载明（购药年度限额），计算时不设此限额\n" in show(AUDIT, "zh")


def test_a_payer_table_without_an_annual_cap_says_so(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert show("lanzhou", "zh").endswith("    年度限额：不设\n\n手工报销说明\n"
                                          "  out_of_province_absent 法定不在校期间省外住院，就医结束后报销  "
                                          "[policies/lanzhou.mpol:159]\n    适用于：claim.location == out_of_province "
                                          "and claim.care == inpatient and claim.absence != none\n"
                                          "    提交至：县区经办机构（就医结束后准备相关资料；函中未列明具体材料）\n")


def test_a_param_named_as_a_value_is_shown_with_its_label(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert "       报销比例：70%（住院基本报销比例）\n" in show(AUDIT, "zh")
    assert "       ratio: 70% (住院基本报销比例)\n" in show(AUDIT, "en")


def test_a_cap_for_each_key_says_so(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert "年度限额：by claim.condition { hypertension: ¥700, diabetes: ¥1000 }（按 claim.condition 的每个取值分别计算）\n" \
           in show("karamay", "zh")
    assert "annual cap: by claim.condition { hypertension: ¥700, diabetes: ¥1000 } for each claim.condition\n" \
           in show("karamay", "en")


def test_grouped_visits_and_included_care_are_shown(monkeypatch):
    monkeypatch.chdir(ROOT)
    karamay = show("karamay", "zh")
    start = karamay.index("  general_outpatient 普通门诊（一、二级医疗机构）")
    assert "       同日在同一医疗机构的就诊合并为一次就诊\n" in karamay[start:karamay.index("单次支付限额", start)]
    assert "       一并结算：同一医疗机构当日及此前 1 日内的急诊费用\n" in show("lanzhou", "zh")
    assert "settled with it: emergency care at the same institution that day or up to 1 day(s) before\n" \
           in show("lanzhou", "en")


def test_counters_are_listed_with_their_labels_and_the_benefits_counting_toward_them(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert "就诊次数计数（本年度累计）\n  admissions 住院次数，计入的待遇：住院  [policies/lanzhou.mpol:52]\n" \
           in show("lanzhou", "zh")
    data = json.loads(invoke("show", "karamay", "--format", "json").stdout)
    assert data["counters"] == [{"id": "general_outpatient_visits", "label": "普通门诊就诊次数",
                                 "at": "policies/karamay.mpol:117",
                                 "benefits": ["general_outpatient_level3", "general_outpatient"]}]


def test_a_settlement_path_for_every_claim_says_so_in_words(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert "  any 手工报销  [tests/show/audit.mpol:75]\n    适用于：所有手工报销的费用\n" in show(AUDIT, "zh")
    assert "    when: every claim settled by hand\n" in show(AUDIT, "en")


def test_the_kind_of_a_named_value_is_in_chinese(monkeypatch):
    monkeypatch.chdir(ROOT)
    zh = show("karamay", "zh")
    assert "[共用限额, policies/karamay.mpol:131]" in zh and "[计算值, policies/karamay.mpol:81]" in zh
    assert "[列表, policies/karamay.mpol:56]" in zh and "[参数, policies/shared/" in zh
    assert not [line for line in zh.splitlines() if "  [param, " in line or "  [let, " in line or "  [cap, " in line]


def test_an_adjustment_applying_to_no_benefit_is_not_shown_as_applying_to_all(tmp_path):
    path = tmp_path / "empty.mpol"
    path.write_text('policy e {\n  title "E"\n  year 2026-01-01 .. 2026-12-31\n}\nlevels { "1" "一级" }\n'
                    'benefit b "B" {\n  priority 1\n  when claim.care == inpatient\n  no deductible\n  ratio 50%\n}\n'
                    'adjustment x "X" {\n  applies to []\n  ratio 1%\n}\n', encoding="utf-8")
    assert "    适用待遇：无\n" in invoke("show", str(path), "--lang", "zh").stdout
    assert json.loads(invoke("show", str(path), "--format", "json").stdout)["adjustments"][0]["benefits"] == []
