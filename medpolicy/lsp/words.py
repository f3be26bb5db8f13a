"""The editor's catalogue: what hovers and completions say, in Chinese and English.

Every entry maps a key to its two wordings (``str.format`` templates), like
the statement catalogue of :mod:`medpolicy.messages`.  Kinds of members and
types are worded by :mod:`medpolicy.localize` (the diagnostics' vocabulary);
this catalogue adds what only an editor shows: what each kind of declaration
is, what each fact of a scenario means, and the short phrases around them.
"""
from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    # what a name is, by the kind of its declaration
    "kind.param": {"en": "parameter", "zh": "参数"},
    "kind.let": {"en": "derived value", "zh": "派生值"},
    "kind.list": {"en": "list", "zh": "列表"},
    "kind.counter": {"en": "visit counter", "zh": "就诊次数计数器"},
    "kind.history": {"en": "query over the year's earlier claims", "zh": "本年此前费用的历史查询"},
    "kind.cap": {"en": "shared annual cap", "zh": "共用年度限额"},
    "kind.deductible": {"en": "shared deductible", "zh": "多项待遇共用的起付线"},
    "kind.measure": {"en": "year-to-date measure of a banded ratio", "zh": "分段累进的本年累计额"},
    "kind.source": {"en": "source document", "zh": "依据文件"},
    "kind.module": {"en": "imported module", "zh": "导入的模块"},
    "kind.level": {"en": "institution level", "zh": "医疗机构级别"},
    "kind.condition": {"en": "condition", "zh": "病种"},
    "kind.category": {"en": "claim category", "zh": "费用类别"},
    "kind.benefit": {"en": "benefit", "zh": "待遇"},
    "kind.settlement": {"en": "settlement by hand", "zh": "手工报销说明"},
    "kind.payer": {"en": "further payer", "zh": "后续支付方"},
    "kind.adjustment": {"en": "ratio adjustment", "zh": "报销比例调整"},
    "kind.fact": {"en": "fact of the scenario", "zh": "场景信息"},
    "kind.function": {"en": "built-in function", "zh": "内置函数"},
    "kind.keyword": {"en": "keyword", "zh": "关键字"},
    # phrases around them
    "member": {"en": "a value of {kind} (`{fact}`)", "zh": "{kind}的取值（`{fact}`）"},
    "priority": {"en": "priority {priority}", "zh": "优先级 {priority}"},
    "pays_nothing": {"en": "pays nothing: {reason}", "zh": "不予支付：{reason}"},
    "cite": {"en": "Cited: {source}, {section}", "zh": "出处：{source}，{section}"},
    "cite.source": {"en": "{id} ({title})", "zh": "{id}（{title}）"},
    "defined_in": {"en": "declared in `{file}`", "zh": "定义于 `{file}`"},
    "type": {"en": "type: {type}", "zh": "类型：{type}"},
    "values": {"en": "one of: {values}", "zh": "取值：{values}"},
    "values.policy": {"en": "the {kind} this policy declares: {values}", "zh": "本政策声明的{kind}：{values}"},
    "unstated": {"en": "the document states no value ({type})", "zh": "文件未写明具体数值（{type}）"},
    "module": {"en": "module `{path}`: {title}", "zh": "模块 `{path}`：{title}"},
    "source.file": {"en": "file: {file}", "zh": "文件：{file}"},
}

FACT_NOTES: dict[str, dict[str, str]] = {
    # what each fact of a scenario (medpolicy.facts, schemas/scenario.md) means
    "person.id": {"en": "the insured person's id", "zh": "参保人编号"},
    "person.assistance": {"en": "the person's medical-assistance status (低保, 特困, 孤儿 …)",
                          "zh": "参保人的救助身份（低保、特困、孤儿等）"},
    "person.continuous_years": {"en": "consecutive insured years, this one included",
                                "zh": "连续参保年数（含本年度）"},
    "person.enrolled_on": {"en": "the day the premium was paid", "zh": "缴费日期"},
    "person.gap_years": {"en": "years without insurance just before this enrolment",
                         "zh": "本次参保前连续断保的年数"},
    "person.back_paid_years": {"en": "lapsed years paid back", "zh": "补缴的断保年数"},
    "person.certified": {"en": "conditions certified for chronic-outpatient benefits",
                         "zh": "已认定的门诊慢特病病种"},
    "person.long_term_care": {"en": "whether the person also pays the optional long-term-care premium",
                              "zh": "是否同时缴纳长期护理保险费"},
    "person.graduates_on": {"en": "the day the student graduates", "zh": "毕业日期"},
    "person.birth_date": {"en": "the person's date of birth (read it with `age(…)`)",
                          "zh": "出生日期（用 `age(…)` 计算周岁）"},
    "claim.id": {"en": "the claim's id, unique in the scenario", "zh": "费用编号（场景内唯一）"},
    "claim.date": {"en": "the day of the care", "zh": "就诊日期"},
    "claim.care": {"en": "the kind of care: outpatient, emergency, inpatient or observation",
                   "zh": "就诊类型：门诊、急诊、住院或急诊留院观察"},
    "claim.level": {"en": "the institution's level, one the policy declares", "zh": "医疗机构级别（政策中声明的级别之一）"},
    "claim.institution": {"en": "the institution (same day + same institution can be one visit)",
                          "zh": "医疗机构（同日同一医疗机构可合并为一次就诊）"},
    "claim.condition": {"en": "the condition treated, one the policy declares", "zh": "所治疗的病种（政策中声明的病种之一）"},
    "claim.category": {"en": "the claim's category (drugs, pharmacy purchase, maternity …), one the policy declares; "
                                "may be absent", "zh": "费用类别（药品、定点零售药店购药、生育等，政策中声明的类别之一），可以不写"},
    "claim.pediatric": {"en": "whether the care was pediatric", "zh": "是否为儿科就诊"},
    "claim.total": {"en": "all charges of the claim", "zh": "全部医疗费用"},
    "claim.covered": {"en": "charges inside the insurance catalogue (政策范围内)", "zh": "政策范围内费用"},
    "claim.location": {"en": "where the care took place: local, in the province or out of it",
                       "zh": "就医地：本地、省内异地或省外"},
    "claim.filing": {"en": "the off-site filing (异地就医备案) the claim relies on", "zh": "异地就医备案类型"},
    "claim.settlement": {"en": "direct (at the counter) or manual (paid first, reimbursed by hand)",
                         "zh": "结算方式：直接结算或手工报销"},
    "claim.absence": {"en": "where the student was: in term, on break, on leave or on an internship",
                      "zh": "就诊时学生的情形：在校、寒暑假、休学或实习"},
    "claim.filed_on": {"en": "the day the off-site filing was made", "zh": "异地就医备案日期"},
    "claim.submitted_on": {"en": "for a claim settled by hand: the day its materials were handed in",
                           "zh": "手工报销材料的提交日期"},
    "claim.benefit": {"en": "the benefit that took the claim (the policy's choice)",
                      "zh": "受理该笔费用的待遇（由政策决定）"},
    "policy.start": {"en": "the first day of the policy year", "zh": "保险年度起始日"},
    "policy.end": {"en": "the last day of the policy year", "zh": "保险年度截止日"},
    "policy.collection_start": {"en": "the first day of the collection period, if stated",
                                "zh": "集中参保缴费期起始日（如有）"},
    "policy.collection_end": {"en": "the last day of the collection period", "zh": "集中参保缴费期截止日"},
    # the roots themselves
    "person": {"en": "the insured person", "zh": "参保人"},
    "claim": {"en": "the claim being settled", "zh": "正在结算的一笔费用"},
    "policy": {"en": "the policy's header: its year and collection period", "zh": "政策的年度和集中参保缴费期"},
    "earlier": {"en": "inside a `history`: one earlier settled claim of the year",
                "zh": "在 `history` 中：本年此前已结算的一笔费用"},
    "earlier.basic_fund": {"en": "what the basic fund paid on that earlier claim", "zh": "该笔此前费用的基本医保支付额"},
}

FUNCTION_NOTES: dict[str, dict[str, str]] = {
    "min": {"en": "`min(a, b, …)`: the smallest of its arguments", "zh": "`min(a, b, …)`：各参数中的最小值"},
    "max": {"en": "`max(a, b, …)`: the largest of its arguments", "zh": "`max(a, b, …)`：各参数中的最大值"},
    "known": {"en": "`known(x)`: whether an optional fact is given", "zh": "`known(x)`：可选信息是否已提供"},
    "end_of_year": {"en": "`end_of_year(date)`: 31 December of the date's year",
                    "zh": "`end_of_year(date)`：该日期所在年份的 12 月 31 日"},
    "age": {"en": "`age(birth, on)`: whole years completed on `on` (29 February births count 1 March)",
            "zh": "`age(出生日期, 日期)`：到该日期的周岁数（2 月 29 日出生者在平年按 3 月 1 日计）"},
}


def word(key: str, lang: str, **fields) -> str:
    """One entry of :data:`WORDS`, formatted in ``lang``."""
    text = WORDS[key][lang]
    return text.format(**fields) if fields else text


def fact_note(fact: str, lang: str) -> str | None:
    entry = FACT_NOTES.get(fact)
    if entry is None and fact.startswith("earlier."):
        entry = FACT_NOTES.get("claim." + fact[len("earlier."):])  # an earlier claim has the claim's facts
    return entry[lang] if entry else None


def function_note(name: str, lang: str) -> str | None:
    entry = FUNCTION_NOTES.get(name)
    return entry[lang] if entry else None
