"""The registry of diagnostic codes: what each code means, where it comes from, how grave it is.

Every diagnostic the parser, loader, checker and lints produce has a code
(``E204``, ``W401``).  :data:`CODES` lists each once, with the stage that
emits it, its default severity (``E…`` codes are errors, ``W…`` codes
warnings, which ``medpolicy check --strict`` turns into errors), a one-line
description in English and Chinese, and for a lint its name
(``uncited-number``).  :class:`~medpolicy.diagnostics.Diagnostic` takes its
default severity from here; the table of codes in ``docs/diagnostics.md`` is
generated from here (:func:`markdown_table`, ``python -m
medpolicy.diagnostic_codes``); the tests check that every code the source
names and every catalogue entry belongs to a registered code, and that each
code has a golden case under ``tests/diagnostics/``.

Code ranges follow the stage and subject: ``E0xx`` syntax and files,
``E1xx`` declarations, ``E2xx`` names and types, ``E3xx`` imports; a
warning takes the range of the errors it is related to (``W120``, ``W201``);
lints, which read a policy that checks, are ``W4xx``.
"""
from __future__ import annotations

from typing import Optional

import attrs

STAGES = ("parser", "loader", "checker", "lint")
SEVERITIES = ("error", "warning")


@attrs.frozen
class Code:
    code: str
    stage: str
    """Which stage emits it: one of :data:`STAGES`."""
    en: str
    """What is wrong, in one line of English (markdown)."""
    zh: str
    """The same in Chinese."""
    lint: Optional[str] = None
    """A lint's name, e.g. ``uncited-number``; None for the checks that are not lints."""

    @property
    def severity(self) -> str:
        """The default severity: ``error`` for ``E…``, ``warning`` for ``W…``."""
        return "warning" if self.code.startswith("W") else "error"


_ALL = (
    # ---- syntax and files
    Code("E001", "parser", "syntax: an unexpected character, word or end of file (with what was expected; `=` "
                           "suggests `==`, `&&` suggests `and`, an unclosed string says so); each declaration with "
                           "a syntax error is reported once, and the parser goes on with the next declaration",
         "语法错误：出现了不应有的字符、词或文件提前结束（并说明此处应写什么；`=` 提示改为 `==`，`&&` 提示改为 `and`，"
         "未结束的字符串也会指出）；每项有语法错误的声明报告一次，然后从下一项声明继续检查"),
    Code("E002", "parser", "a date that is not a calendar date; a priority or number of days that is not a whole "
                           "number", "日期不是有效的日历日期；优先级或天数不是整数"),
    Code("E003", "parser", "unknown rounding mode (use `half_up`, `half_even` or `down`)",
         "未知的舍入方式（可用 `half_up`、`half_even` 或 `down`）"),
    Code("E004", "loader", "the file is over the size limit (`Limits.max_policy_bytes`)",
         "文件超过大小上限（`Limits.max_policy_bytes`）"),
    Code("E005", "loader", "the file is not valid UTF-8", "文件不是有效的 UTF-8 编码"),
    Code("E006", "parser", "the text nests deeper than `Limits.max_nesting`", "嵌套层次超过 `Limits.max_nesting`"),
    Code("E007", "parser", "a literal too large to be meant (money over ¥1,000,000,000,000, percentages over "
                           "1000%, …)", "数值大得不合常理（金额超过 ¥1,000,000,000,000、百分比超过 1000% 等）"),
    # ---- declarations
    Code("E100", "checker", "a module was given where a policy is needed", "需要政策文件的地方给的是模块"),
    Code("E101", "checker", "a name, level, condition, category, benefit, source, adjustment, payer or settlement "
                            "declared twice, or a name already taken",
         "名称、医疗机构级别、病种、费用类别、待遇、依据文件、调整项、支付方或手工报销说明重复声明，或名称已被占用"),
    Code("E102", "parser", "a clause set twice in a header, benefit, table, adjustment or settlement",
         "政策文件头、待遇、支付标准表、调整项或手工报销说明中同一项写了两次"),
    Code("E103", "parser", "an adjustment without `ratio`", "调整项缺少 `ratio`"),
    Code("E104", "checker", "a condition or category id that is not lower_snake_case English",
         "病种或费用类别标识不是小写英文加下划线（lower_snake_case）"),
    Code("E105", "checker", "no institution levels declared", "没有声明定点医疗机构级别"),
    Code("E106", "checker", "the header lacks a year or title, a period ends before it starts, or it rounds to ¥0",
         "政策文件头缺少保险年度或标题，某个期间的结束日期早于开始日期，或舍入单位是 ¥0"),
    Code("E107", "checker", "a module declares something only a policy may (benefits, levels, …)",
         "模块中声明了只有政策文件才能声明的内容（待遇、医疗机构级别等）"),
    Code("E110", "checker", "the policy declares no benefit", "政策没有声明任何待遇"),
    Code("E111", "checker", "a benefit without a priority, or two benefits with the same priority",
         "待遇没有优先级，或两个待遇的优先级相同"),
    Code("E112", "checker", "a benefit without `when`", "待遇没有 `when` 条件"),
    Code("E113", "checker", "a benefit without a ratio, or one that `pays nothing` yet has payment clauses; `pays` "
                            "beside a ratio, deductible or adjustment; two ratios (`ratio` and `ratio banded`); "
                            "adjustments applied to a banded ratio",
         "待遇没有报销比例，或写了 `pays nothing` 却又写了支付规则；`pays` 与报销比例、起付线或比例调整同时出现；"
         "同时写了两种报销比例（`ratio` 与 `ratio banded`）；对分段累进的比例做了调整"),
    Code("E114", "checker", "`for each` on a shared cap, or on something that is not a member",
         "对共用限额使用 `for each`，或 `for each` 后面不是级别、病种等取值"),
    Code("E115", "checker", "a benefit whose `when` is false for every claim", "待遇的 `when` 条件对任何费用都不成立"),
    Code("E116", "checker", "a benefit that higher-priority benefits shadow entirely",
         "待遇被优先级更高的待遇完全遮蔽，永远用不到"),
    Code("E117", "checker", "a table with no row for a value its benefit can receive",
         "对照表缺少待遇会遇到的某个取值的行"),
    Code("E120", "checker", "`critical_illness` without `covers` or without a table",
         "`critical_illness` 缺少 `covers` 条件或支付标准表"),
    Code("E121", "checker", "an `otherwise` table that is not the last", "`otherwise` 支付标准表没有放在最后"),
    Code("E122", "checker", "a band bound, rate or deductible that is not a constant",
         "分段上下限、支付比例或起付线不是固定值"),
    Code("E123", "checker", "a critical-illness table without bands", "大病保险支付标准表没有分段"),
    Code("E124", "checker", "a band rate outside 0%..100%", "分段支付比例不在 0% 至 100% 之间"),
    Code("E125", "checker", "an empty or reversed band", "分段为空或上下限写反"),
    Code("E126", "checker", "bands that overlap, leave a gap, or do not start at the deductible (or at ¥0 above "
                            "it; a banded ratio's bands at ¥0); an open band that is not last",
         "分段重叠、留有空档，或不从起付线（按超过起付线计算时从 ¥0；分段累进的比例从 ¥0）开始；不设上限的分段没有放在最后"),
    Code("E127", "checker", "a constant whose value is out of range", "固定值超出可计算的范围"),
    Code("E128", "checker", "a benefit ratio outside 0%..100%", "待遇的报销比例不在 0% 至 100% 之间"),
    Code("E129", "checker", "a negative deductible, cap or premium", "起付线、支付限额或个人缴费为负数"),
    Code("E130", "checker", "a premium item without `else`", "缴费项目缺少 `else` 情形"),
    Code("E131", "checker", "a premium case after `else`", "缴费情形写在 `else` 之后"),
    Code("E132", "checker", "a `settlement` with no material, `submit to`, `deadline` or `takes`: nothing a "
                            "student must do",
         "`settlement` 没有写材料、提交地点、期限或办理时长：没有说明参保人需要做什么"),
    # ---- names and types
    Code("E200", "checker", "an unknown name, field, function, counter, benefit, measure, shared deductible or "
                            "module definition (with did-you-mean); a yearly deductible without `accumulating` or "
                            "`highest` that names no shared deductible, or with one beside a shared "
                            "deductible (the declaration states the mode)",
         "名称、字段、函数、计数器、待遇、累计额、共用起付线或模块中的定义不存在（并提示相近的名称）；"
         "年度起付线没有写 `accumulating` 或 `highest`，又没有指向共用起付线，或对共用起付线又写了计收方式（方式在声明处写明）"),
    Code("E201", "checker", "a citation of an undeclared source", "引用了没有声明的依据文件"),
    Code("E202", "parser", "an unknown type for an `unstated` parameter", "`unstated` 参数的类型未知"),
    Code("E203", "checker", "a definition that refers to itself, directly or not (with the cycle)",
         "定义直接或间接地引用了自己（并列出循环）"),
    Code("E204", "checker", "a type error: `¥100 + 5%`, comparing money with a percentage, a ratio that is "
                            "money, …", "类型错误：`¥100 + 5%`、金额与百分比比较、报销比例写成金额等"),
    Code("E205", "checker", "a value that may be absent used where it must be present (use `otherwise`)",
         "可能没有提供的值用在了必须有值的地方（请用 `otherwise`）"),
    Code("E206", "checker", "`person`, `claim` or `policy` without a field", "`person`、`claim` 或 `policy` 后面没有写字段"),
    Code("E207", "checker", "a fact read where it does not exist (claim facts in a premium, facts in a constant, "
                            "counters or histories in `when`, `earlier` outside a `history`, a history reading a "
                            "counter or another history, claim facts in a shared cap: it reads person facts only)",
         "在不存在该信息的地方读取它（缴费中读费用信息、固定值中读参保人信息、`when` 中读计数器或历史查询、"
         "`history` 之外读 `earlier`、历史查询读计数器或其他历史查询、共用限额读费用信息：它只能读参保人信息）"),
    Code("E208", "checker", "a function given the wrong number of values", "函数的参数个数不对"),
    Code("E209", "checker", "a table key or level literal that is not a declared member",
         "对照表的键或医疗机构级别不是已声明的取值"),
    # ---- imports
    Code("E301", "loader", "an import path that is absolute or leaves the policies folder",
         "导入路径是绝对路径，或超出了政策文件夹"),
    Code("E302", "loader", "an import cycle (with the cycle)", "循环导入（并列出循环）"),
    Code("E303", "loader", "an import of a policy rather than a module", "导入的是政策文件而不是模块"),
    Code("E304", "loader", "an imported module that cannot be found", "找不到导入的模块"),
    # ---- warnings of the checker
    Code("W120", "checker", "no `otherwise` critical-illness table: some people get no critical-illness cover",
         "没有 `otherwise` 大病保险支付标准表：有些参保人得不到大病保险支付"),
    Code("W201", "checker", "`otherwise` on a value that is never absent", "对总是有值的值使用了 `otherwise`"),
    # ---- lints (medpolicy.lints)
    Code("W401", "lint", "a number the policy pays by with no `cite`: a benefit's deductible (`no deductible` "
                         "too), ratio, `adjust`, visit or annual cap; an adjustment's ratio; a shared cap (unless "
                         "every `annual cap` naming it cites); a critical-illness deductible, band or cap; a premium "
                         "case; a `param` whose value holds a number. A clause that only names a definition is "
                         "judged at the definition",
         "支付所依据的数字没有注明出处（cite）：待遇的起付线（含 `no deductible`）、报销比例、`adjust`、单次或年度"
         "限额；调整项的比例；共用限额（除非每个引用它的 `annual cap` 都注明了出处）；大病保险的起付线、分段、限额；"
         "缴费情形；值中含有数字的 `param`。只写了一个定义名称的条款，在定义处检查",
         lint="uncited-number"),
    Code("W402", "lint", "a `param`, `let`, `list`, `cap`, `counter`, `history`, `source` or `import` the policy "
                         "never uses, "
                         "or an adjustment that applies to no benefit with a ratio (a module's definitions the "
                         "policy does not use are not reported; levels and conditions are what scenarios name, so "
                         "they are never unused)",
         "声明了但从未用到的 `param`、`let`、`list`、`cap`、`counter`、`history`、`source` 或 `import`，或不适用于任何有报销比例"
         "的待遇的调整项（导入模块中政策没有用到的定义不报告；医疗机构级别和病种供场景使用，不算未用）",
         lint="unused-declaration"),
    Code("W403", "lint", "a visit cap above the annual cap of the same benefit (both constants): it never applies",
         "单次支付限额高于同一待遇的年度限额（两者都是固定值）：永远不起作用", lint="visit-cap-above-annual-cap"),
    Code("W404", "lint", "a `cite` whose section or quote is written but empty (`\"\"`)",
         "`cite` 的章节或原文写了引号却是空的（`\"\"`）", lint="empty-citation-text"),
    Code("W405", "lint", "a benefit whose ratio is a constant 0% instead of `pays nothing \"reason\"`",
         "待遇的报销比例是固定的 0%，而不是写成 `pays nothing \"原因\"`", lint="zero-ratio"),
    Code("W406", "lint", "a date in a benefit, adjustment, premium, `coverage starts` or the policy's own "
                         "`param`/`let` outside the policy year (and its collection period; no upper bound when "
                         "`coverage ends` may extend the year)",
         "待遇、调整项、缴费、`coverage starts` 或政策自身的 `param`/`let` 中的日期不在保险年度（及集中缴费期）内"
         "（写了 `coverage ends` 时不检查上限）", lint="date-outside-year"),
    Code("W407", "lint", "a counter some rule reads but no benefit `counts`: it is always 0",
         "规则读取了计数器，但没有任何待遇 `counts` 它：它总是 0", lint="counter-never-counted"),
    Code("W408", "lint", "a row of a table by a finite fact (`by claim.level { … }`, by care, condition, "
                         "category, …) in a benefit's clause for a value no claim reaching the table has: the "
                         "benefit's `when` (after higher-priority benefits take theirs) and the `if` / `cases` "
                         "branches around the table exclude it. Not reported for a benefit whose `when` reads "
                         "other facts (dates, amounts), nor for an `else` row",
         "待遇条款中按有限取值（`by claim.level { … }`，或按就医类别、病种、费用类别等）列出的对照表里，有一行的取值"
         "不会出现在来到这张表的费用中：待遇的 `when` 条件（除去优先级更高的待遇先取走的费用）及对照表外层的 `if` / "
         "`cases` 分支排除了它。`when` 读取其他信息（日期、金额）的待遇不报告，`else` 行也不报告",
         lint="dead-row"),
)

CODES: dict[str, Code] = {c.code: c for c in _ALL}
"""Every diagnostic code, in order."""


def default_severity(code: str) -> str:
    """The severity a diagnostic of ``code`` has unless its emitter says otherwise; KeyError if unregistered."""
    return CODES[code].severity


def lint_name(code: str) -> Optional[str]:
    """The lint name of ``code`` (``uncited-number``), or None for a check that is not a lint."""
    entry = CODES.get(code)
    return entry.lint if entry else None


def markdown_table(lang: str = "en") -> str:
    """The table of codes in ``docs/diagnostics.md``."""
    head = {"en": "| code | stage | severity | lint | what is wrong |",
            "zh": "| 代码 | 阶段 | 严重程度 | lint | 问题 |"}[lang]
    rows = [head, "| --- | --- | --- | --- | --- |"]
    for c in _ALL:
        lint = f"`{c.lint}`" if c.lint else ""
        rows.append(f"| {c.code} | {c.stage} | {c.severity} | {lint} | {getattr(c, lang)} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")
