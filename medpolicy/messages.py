"""The message catalogue: every sentence medpolicy shows a reader, in Chinese and English.

Renderers (:mod:`medpolicy.render_text`, :mod:`medpolicy.render_json`, the
CLI) word explanation events and headings only through :func:`describe`,
:func:`word` and :func:`show_value`; no other module writes prose for a
statement.  The reader of a statement is usually Chinese: in ``zh`` every
level, condition and benefit is shown by the name the policy declares, and
a named value by its label (``困难人员 = 否``), never by an internal id.

:data:`MESSAGES` maps a message key to its two wordings.  An event's key is
its kind, or ``kind.variant`` where the wording depends on the data (a cap
that applied or did not).  Templates are ``str.format`` strings over the
event's data, each value already formatted for the language.
"""
from __future__ import annotations

import datetime as dt
import locale
import os
from decimal import Decimal
from typing import Optional

from .explain import CRITICAL_ILLNESS, Citation, Detail, Event
from .values import Days, Months, Money, Percent, format_money, _plain

LANGS = ("zh", "en")

MESSAGES: dict[str, dict[str, str]] = {
    # statement notes
    "processing_order": {"zh": "各笔费用按就诊日期处理，同一日期按场景文件中的顺序",
                         "en": "claims are processed by date, then in the order of the scenario file"},
    "coverage.default": {"zh": "待遇自保险年度起始日 {start} 起享受",
                         "en": "benefits run from the policy-year start {start}"},
    "coverage": {"zh": "待遇自 {start} 起享受：{reason}{details}", "en": "benefits start on {start}: {reason}{details}"},
    "coverage_end": {"zh": "待遇享受至 {end}：{reason}{details}", "en": "benefits run until {end}: {reason}{details}"},
    # where a claim lands
    "order": {"zh": "处理顺序：第 {position} 笔，共 {count} 笔", "en": "claim {position} of {count} in processing order"},
    "outside_period": {"zh": "就诊日期 {date} 不在保险年度 {start} 至 {end} 内，基金不予支付",
                       "en": "the claim's date {date} is outside the policy year {start} .. {end}: the policy pays nothing"},
    "waiting": {"zh": "就诊日期 {date} 早于待遇享受开始日期 {coverage_start}（待遇等待期内），基金不予支付",
                "en": "the claim's date {date} is before benefits start on {coverage_start} (waiting period): "
                      "the fund pays nothing"},
    "coverage_ended": {"zh": "就诊日期 {date} 晚于待遇享受截止日期 {end}，基金不予支付",
                       "en": "the claim's date {date} is after benefits end on {end}: the policy pays nothing"},
    "late": {"zh": "手工报销（{title}）材料于 {submitted_on} 提交，晚于提交期限 {deadline}，基金不予支付",
             "en": "settled by hand ({title}): handed in on {submitted_on}, after the deadline {deadline}: the policy pays nothing"},
    "no_benefit": {"zh": "本政策没有适用于此笔费用的待遇（{care}，{level}{condition}{category}），基金不予支付",
                   "en": "no benefit of this policy covers {care} care at level {level}{condition}{category}: "
                         "the policy pays nothing"},
    "benefit": {"zh": "适用待遇：{benefit}（优先级 {priority}；{care}，{level}{claim_condition}{category}）",
                "en": "benefit {benefit} ({benefit_id}, priority {priority}) takes the claim: {condition}{category}"},
    # A claim's category, shown by the name the policy gives it (its id means nothing to a reader).
    "claim.category": {"zh": "，{category}", "en": " (category: {category})"},
    "visit": {"zh": "与同日在同一医疗机构（{institution}）的费用合并为一次就诊：共 {claims} 笔，合规费用合计 {covered}",
              "en": "one visit with the claims of the same day at the same institution ({institution}): {claims} claims "
                    "(visit {visit}), covered {covered}"},
    "joined": {"zh": "{days} 天内在同一医疗机构（{institution}）发生的{care}费用与费用 {admission} 一并结算：共 {claims} 笔，合规费用合计 {covered}",
               "en": "{care} care at the same institution ({institution}) up to {days} days before is settled with claim "
                     "{admission}: {claims} claims, covered {covered}"},
    "excluded": {"zh": "不予支付：{reason}", "en": "excluded: {reason}; the fund pays nothing"},
    "visit_count": {"zh": "{label}：本年度第 {count} 次", "en": "{label}: visit {count} of the year"},
    # the basic fund
    "no_deductible": {"zh": "不设起付线", "en": "no deductible"},
    "deductible.visit": {"zh": "每次就诊起付线 {standard}{details}", "en": "deductible per visit {standard}{details}"},
    "deductible.admission": {"zh": "每次住院起付线 {standard}{details}",
                             "en": "deductible per admission {standard}{details}"},
    "deductible.accumulating": {"zh": "年度起付线 {standard}{details}，本年度此前已累计 {before}，本次应计 {due}",
                                "en": "annual deductible {standard}{details}, {before} met earlier this year, {due} due"},
    "deductible.highest.first": {"zh": "年度起付线 {standard}{details}，本年度首次计收",
                                 "en": "annual deductible {standard}{details}, the first this year"},
    "deductible.highest": {"zh": "年度起付线 {standard}{details}；本年度已按此前最高等级计收 {before}，本次补足差额 {due}",
                           "en": "annual deductible {standard}{details}; {before} already charged this year at the "
                                 "highest level so far, {due} due"},
    # A deductible several benefits meet together, named by its label before its figures.
    "deductible.shared": {"zh": "{shared}（多项待遇共用）：", "en": "{shared} (shared): "},
    "deductible.all": {"zh": "；本次合规费用 {charged} 全部计入起付线",
                       "en": "; the visit's covered {charged} is all deductible"},
    "eligible": {"zh": "纳入报销的费用：{covered} − 起付线 {deductible} = {eligible}",
                 "en": "eligible amount {covered} − deductible {deductible} = {eligible}"},
    "ratio": {"zh": "报销比例 {ratio}{details}", "en": "ratio {ratio}{details}"},
    "adjustment": {"zh": "{label}：{sign}{points}{details}，报销比例调整为 {ratio}",
                   "en": "{label}: {sign}{points}{details} → ratio {ratio}"},
    "ratio_clamped": {"zh": "报销比例应在 0% 至 100% 之间：{before} → {after}",
                      "en": "a ratio stays within 0%..100%: {before} → {after}"},
    "fund": {"zh": "{eligible} × {ratio} = {fund}", "en": "{ratio} × {eligible} = {fund}"},
    "measure": {"zh": "{label}：本年度此前累计 {before}，加上本次 {eligible}，累计至 {after}",
                "en": "{label}: {before} so far this year, plus this visit's {eligible}, makes {after}"},
    "ratio_band": {"zh": "{low} 至 {high} 段按 {rate} 支付：{part} × {rate} = {pay}",
                   "en": "band {low} .. {high} at {rate}: {part} × {rate} = {pay}"},
    "ratio_band.open": {"zh": "{low} 以上部分按 {rate} 支付：{part} × {rate} = {pay}",
                        "en": "band above {low} at {rate}: {part} × {rate} = {pay}"},
    "bands_fund": {"zh": "各段合计 {fund}", "en": "the bands pay {fund} in all"},
    "fixed": {"zh": "定额支付 {amount}{details}", "en": "a fixed payment of {amount}{details}"},
    "fixed.at_cost": {"zh": "定额 {amount}{details}；合规费用 {covered} 低于定额，按实际费用支付 {fund}",
                      "en": "a quota of {amount}{details}; the covered {covered} is lower, so it pays the actual {fund}"},
    "fixed.above": {"zh": "定额补助 {amount}{details}，比合规费用 {covered} 多出 {above}，一并支付",
                    "en": "an allowance of {amount}{details}, {above} more than the covered {covered}, paid in full"},
    "fund.rounded": {"zh": "（精确值 {exact}，按{rounding}保留至 {unit}）",
                     "en": " (exactly {exact}, rounded {rounding} to {unit})"},
    "visit_cap.applied": {"zh": "单次支付限额 {cap}{details}：基金支付 {fund}（原应支付 {before}）",
                          "en": "per-visit cap {cap}{details}: the fund pays {fund} instead of {before}"},
    "visit_cap.within": {"zh": "未超过单次支付限额 {cap}{details}", "en": "within the per-visit cap {cap}{details}"},
    "annual_cap.own": {"zh": "「{benefit}」年度限额{key}", "en": "annual cap of {benefit}{key}"},
    "annual_cap.applied": {"zh": "{name} {limit}：本年度此前已用 {used}，尚余 {left}，基金支付 {fund}（原应支付 {before}）",
                           "en": "{name} {limit}: {used} used earlier this year, {left} left: the fund pays {fund} "
                                 "instead of {before}"},
    "annual_cap.within": {"zh": "{name} {limit}：本年度此前已用 {used}，未超过限额",
                          "en": "{name} {limit}: {used} used earlier this year, within it"},
    "annual_cap_unstated": {"zh": "{name}：文件未载明金额，不设限额",
                            "en": "{name}: the document states no amount, so no cap applies"},
    "split": {"zh": "本次就诊基金支付 {visit_fund}，按合规费用分摊：本笔 {covered} / 合计 {visit_covered}，分得 {share}",
              "en": "the visit's {visit_fund} is split by covered amount: this claim's {covered} of {visit_covered} "
                    "gets {share}"},
    "split.remainder": {"zh": "（末笔取余额）", "en": " (the remainder, as the last claim)"},
    "basic_fund": {"zh": "基本医保基金支付 {amount}", "en": "the basic fund pays {amount}"},
    # later payers
    "payer_no_table": {"zh": "{title}：没有适用于本人的待遇标准{details}",
                       "en": "{title}: no table applies to this person{details}"},
    "payer_burden": {"zh": "{title}（适用「{table}」标准{details}）：个人负担的合规费用 {covered} − {paid_before} = {burden}；"
                           "本年度累计由 {year_before} 增至 {year_after}；起付线 {deductible}",
                     "en": "{title} ({table}{details}): personal compliant burden {covered} − {paid_before} = {burden}; "
                           "the year's burden goes from {year_before} to {year_after}; deductible {deductible}"},
    "band": {"zh": "{low} 至 {high} 段按 {rate} 支付：{part} × {rate} = {pay}",
             "en": "band {low} .. {high} at {rate}: {part} × {rate} = {pay}"},
    "band.open": {"zh": "{low} 以上部分按 {rate} 支付：{part} × {rate} = {pay}",
                  "en": "band above {low} at {rate}: {part} × {rate} = {pay}"},
    "payer_cap": {"zh": "{title}年度限额 {cap}：此前已支付 {paid_before}，本次支付 {left}（原应支付 {before}）",
                  "en": "{title} annual cap {cap}: {paid_before} paid earlier, pays {left} instead of {before}"},
    "payer_cap_unstated": {"zh": "{title}年度最高支付限额：文件未载明金额，不设限额",
                           "en": "{title} annual cap: the document states no amount, so no cap applies"},
    "payer": {"zh": "{title}支付 {amount}", "en": "{title} pays {amount}"},
    # what is left
    "patient": {"zh": "个人支付 {total} − {basic_fund} − {payers} = {patient}",
                "en": "the patient pays {total} − {basic_fund} − {payers} = {patient}"},
    # When a fund pays more than the bill (an allowance), the patient's share is negative: money received.
    "patient.receives": {"zh": "（即个人领取 {amount}）", "en": " (the patient receives {amount})"},
    "patient_all": {"zh": "个人支付全部费用 {total}", "en": "the patient pays the whole {total}"},
    # settlement by hand
    "settlement": {"zh": "手工报销：{title}{details}", "en": "reimbursement by hand: {title}{details}"},
    "material": {"zh": "所需材料 {number}：{text}{details}", "en": "material {number}: {text}{details}"},
    "submit": {"zh": "提交至：{to}", "en": "hand in to: {to}"},
    "deadline": {"zh": "提交期限：最迟 {deadline}{details}", "en": "hand in by {deadline}{details}"},
    "processing_time": {"zh": "办理时长：{time}", "en": "reimbursement takes {time}"},
    "settlement_unstated": {"zh": "手工报销：文件未载明所需材料和期限", "en": "reimbursement by hand: the document states no materials or deadline"},
    # premium
    "premium_none": {"zh": "文件未载明个人缴费标准", "en": "the document states no personal contribution"},
    "premium": {"zh": "{item}：{amount}{details}", "en": "{item}: {amount}{details}"},
    "premium_unstated": {"zh": "{item}：文件未载明本人适用的金额{details}",
                         "en": "{item}: the document states no amount for this person{details}"},
    # details and citations
    "detail.let": {"zh": "{name} = {value}", "en": "{name} = {value}"},
    "detail.row": {"zh": "{key}：{key_value} → {value}", "en": "{key} {key_value} → {value}"},
    "detail.row.otherwise": {"zh": "{key}：{key_value} → {value}（其他情形）", "en": "{key} {key_value} → {value} (else)"},
    "detail.counter": {"zh": "{name} {value}", "en": "{name} {value}"},
    "detail.history": {"zh": "{name}：{value}，依据此前费用 {claims}", "en": "{name}: {value}, from earlier claims {claims}"},
    "detail.history.none": {"zh": "{name}：{value}，本年此前没有相符的费用", "en": "{name}: {value}, no earlier claim matches"},
    "details": {"zh": "（{items}）", "en": " ({items})"},
    "details.sep": {"zh": "；", "en": "; "},
    "details.inline": {"zh": "；{items}", "en": "; {items}"},
    "cite": {"zh": "{title}，{section}", "en": "{title}, {section}"},
    "cite.quote": {"zh": "{title}，{section}：“{quote}”", "en": "{title}, {section}: “{quote}”"},
    # statement headings (text renderer)
    "heading": {"zh": "{title}（{id}），保险年度 {start} 至 {end}", "en": "{title} ({id}), policy year {start} .. {end}"},
    "person": {"zh": "参保人：{person}", "en": "Insured person: {person}"},
    "col.claim": {"zh": "费用", "en": "claim"},
    "col.date": {"zh": "日期", "en": "date"},
    "col.benefit": {"zh": "待遇", "en": "benefit"},
    "col.total": {"zh": "总费用", "en": "total"},
    "col.covered": {"zh": "合规费用", "en": "covered"},
    "col.basic_fund": {"zh": "基本医保", "en": "basic fund"},
    "col.patient": {"zh": "个人支付", "en": "patient"},
    "row.total": {"zh": "合计", "en": "total"},
    "summary": {"zh": "基金共支付 {fund}（基本医保 {basic_fund}{payers}）；个人支付 {patient}。",
                "en": "Fund pays {fund} in all (basic {basic_fund}{payers}); the patient pays {patient}."},
    "summary.payer": {"zh": " + {title} {amount}", "en": " + {title} {amount}"},
    "premium_line": {"zh": "个人缴费：{amount}", "en": "Personal premium: {amount}"},
    "premium_line.unstated": {"zh": "个人缴费：文件未载明", "en": "Personal premium: not stated by the document"},
    "section.notes": {"zh": "说明", "en": "Notes"},
    "section.claim": {"zh": "费用 {id}（{date}）：{what}", "en": "Claim {id} ({date}): {what}"},
    "section.premium": {"zh": "个人缴费", "en": "Premium"},
    "explanation_off": {"zh": "（未生成逐步说明）", "en": "(evaluated without explanation)"},
    # other commands
    # comparing policies (medpolicy.compare)
    "compare.heading": {"zh": "同一年的就医，按 {count} 个政策分别计算（参保人 {person}；就诊日期以{home}的保险年度为准）",
                        "en": "The same year of care under {count} policies (insured person {person}; "
                              "dates as in the year of {home})"},
    "compare.claim": {"zh": "费用 {id}（{date}，总费用 {total}）", "en": "claim {id} ({date}, total {total})"},
    "compare.unplaced": {"zh": "未计算", "en": "not placed"},
    "compare.none": {"zh": "未载明", "en": "not stated"},
    "compare.premium": {"zh": "个人缴费", "en": "personal premium"},
    # medpolicy show
    "show.collection": {"zh": "集中参保缴费期：{start} 至 {end}", "en": "collection period: {start} .. {end}"},
    "show.scenario": {"zh": "场景中可以写的内容", "en": "What a scenario may say"},
    "show.levels": {"zh": "医疗机构级别（claim.level）：{members}", "en": "levels (claim.level): {members}"},
    "show.conditions": {"zh": "病种（claim.condition、person.certified）：{members}",
                        "en": "conditions (claim.condition, person.certified): {members}"},
    "show.categories": {"zh": "费用类别（claim.category）：{members}", "en": "categories (claim.category): {members}"},
    "show.fixed": {"zh": "{name}（{fact}）：{members}", "en": "{fact}: {members}"},
    "show.names": {"zh": "命名值（参数、计算值、列表、共用限额）", "en": "Named values (params, lets, lists, shared caps)"},
    "show.histories": {"zh": "历史查询（读取本年此前已结算的费用）",
                       "en": "Histories (queries over the year's earlier settled claims)"},
    "show.unstated": {"zh": "文件未载明", "en": "not stated"},
    "show.benefits": {"zh": "待遇（按优先级从高到低）", "en": "Benefits, highest priority first"},
    "show.when": {"zh": "适用于：{text}", "en": "when: {text}"},
    "show.excluded": {"zh": "不予支付：{reason}", "en": "pays nothing: {reason}"},
    "show.no_deductible": {"zh": "不设起付线", "en": "no deductible"},
    "show.deductible": {"zh": "起付线（{mode}）：{text}", "en": "deductible ({mode}): {text}"},
    "show.payer_deductible": {"zh": "起付线：{text}", "en": "deductible: {text}"},
    "show.ratio": {"zh": "报销比例：{text}", "en": "ratio: {text}"},
    "show.adjust": {"zh": "比例调整「{label}」：{text}", "en": "adjustment {label}: {text}"},
    "show.visit_cap": {"zh": "单次支付限额：{text}", "en": "per-visit cap: {text}"},
    "show.annual_cap": {"zh": "年度限额：{text}", "en": "annual cap: {text}"},
    "show.adjustment": {"zh": "各待遇共用的比例调整「{label}」：{when} 时 {text}",
                        "en": "adjustment {label} across benefits: when {when}, {text}"},
    "show.payer": {"zh": "{title}（适用于：{text}）", "en": "{title} (covers: {text})"},
    "show.table": {"zh": "支付标准「{title}」，适用于：{when}", "en": "table {title}, for: {when}"},
    "show.otherwise": {"zh": "其他人员", "en": "everyone else"},
    "show.bands": {"zh": "分段：{text}", "en": "bands: {text}"},
    "show.settlements": {"zh": "手工报销说明", "en": "Settlement by hand"},
    "show.only_when": {"zh": "（仅当 {text}）", "en": " (only when {text})"},
    "show.deadline": {"zh": "提交期限：{text}", "en": "hand in by: {text}"},
    "show.pools": {"zh": "多项待遇共用的起付线", "en": "Shared deductibles"},
    "show.pool": {"zh": "{id} {label} = {amount}（{mode}）", "en": "{id} {label} = {amount} ({mode})"},
    "show.measures": {"zh": "分段累进的本年累计额", "en": "Measures (year-to-date amounts banded ratios read)"},
    "show.cite": {"zh": "依据：{title}{section}", "en": "cite: {title}{section}"},
    "show.deductible_pool": {"zh": "起付线（共用「{label}」，{mode}）：{text}",
                             "en": "deductible (shared {label}, {mode}): {text}"},
    "show.pays": {"zh": "定额支付：{text}（不超过合规费用）", "en": "pays: {text} (at most the covered amount)"},
    "show.pays.above": {"zh": "定额补助：{text}（超出合规费用也全额支付）", "en": "pays: {text}, even above covered"},
    "show.ratio_bands": {"zh": "报销比例按「{label}」分段累进：{text}", "en": "ratio banded over {label}: {text}"},
    "show.annual_cap.when": {"zh": "年度限额：{text}（适用于：{when}）", "en": "annual cap: {text} (when {when})"},
    "show.kind.param": {"zh": "参数", "en": "param"},
    "show.kind.let": {"zh": "计算值", "en": "let"},
    "show.kind.list": {"zh": "列表", "en": "list"},
    "show.kind.cap": {"zh": "共用限额", "en": "cap"},
    "show.kind.history": {"zh": "历史查询", "en": "history"},
    "show.counters": {"zh": "就诊次数计数（本年度累计）", "en": "Counters (visits counted over the year)"},
    "show.counter": {"zh": "{id} {label}，计入的待遇：{benefits}", "en": "{id} {label}, counted by: {benefits}"},
    "show.none": {"zh": "无", "en": "none"},
    "show.grouping": {"zh": "同日在同一医疗机构的就诊合并为一次就诊", "en": "visits grouped by day and institution"},
    "show.includes": {"zh": "一并结算：同一医疗机构当日及此前 {days} 日内的{care}费用",
                      "en": "settled with it: {care} care at the same institution that day or up to {days} day(s) before"},
    "show.adjust.points": {"zh": "比例调整「{label}」（加减百分点）：{text}",
                           "en": "adjustment {label} (percentage points): {text}"},
    "show.adjust.points.when": {"zh": "比例调整「{label}」（加减百分点）：{when} 时 {text}",
                                "en": "adjustment {label} (percentage points): when {when}, {text}"},
    "show.adjustments": {"zh": "各待遇共用的比例调整（加减百分点）",
                         "en": "Ratio adjustments across benefits (percentage points)"},
    "show.applies_to": {"zh": "适用待遇：{benefits}", "en": "benefits: {benefits}"},
    "show.applies_to.all": {"zh": "适用待遇：全部按比例报销的待遇（{benefits}）",
                            "en": "benefits: every benefit paid by a ratio ({benefits})"},
    "show.always": {"zh": "适用于：无附加条件", "en": "when: always"},
    "show.points": {"zh": "报销比例加减：{text}", "en": "points added to the ratio: {text}"},
    "show.per": {"zh": "{text}（按 {per} 的每个取值分别计算）", "en": "{text} for each {per}"},
    "show.named": {"zh": "{text}（{label}）", "en": "{text} ({label})"},
    "show.shared_cap": {"zh": "{text}（多项待遇共用「{label}」）", "en": "{text} (shared {label})"},
    "show.cap_unstated": {"zh": "文件未载明（{label}），计算时不设此限额", "en": "not stated ({label}): no cap is applied"},
    "show.no_cap": {"zh": "年度限额：不设", "en": "annual cap: none"},
    "show.band": {"zh": "{low} 至 {high} 的部分 {rate}", "en": "{low} to {high} at {rate}"},
    "show.band.above": {"zh": "{low} 以上的部分 {rate}", "en": "above {low} at {rate}"},
    "show.band.separator": {"zh": "；", "en": "; "},
    "show.bands.absolute": {"zh": "分段（按本年度累计个人负担）：{text}",
                            "en": "bands (of the year's cumulative burden): {text}"},
    "show.bands.above_deductible": {"zh": "分段（按本年度累计个人负担超过起付线的部分，自起付线起算）：{text}",
                                    "en": "bands (of the year's cumulative burden above the deductible, "
                                          "counted from it): {text}"},
    "show.ratio_bands.measured": {"zh": "报销比例按「{label}」（本年度累计的起付线以上合规费用）分段累进：{text}",
                                  "en": "ratio banded over {label} (the year's running total of covered amounts "
                                        "above the deductible): {text}"},
    "show.when.every_manual": {"zh": "适用于：所有手工报销的费用", "en": "when: every claim settled by hand"},
    # medpolicy test: policy tests and the rules they exercise
    "test.file": {"zh": "{path}：{passed} 个用例通过", "en": "{path}: {passed} passed"},
    "test.file.failed": {"zh": "{path}：{passed} 个通过，{failed} 个失败", "en": "{path}: {passed} passed, {failed} failed"},
    "test.case.failed": {"zh": "✗ {path}:{line} 用例「{name}」", "en": "✗ {path}:{line} case '{name}'"},
    "test.case.error": {"zh": "✗ {path}:{line} 用例「{name}」无法运行：{problem}",
                        "en": "✗ {path}:{line} case '{name}' could not run: {problem}"},
    "test.figure": {"zh": "{key}（第 {line} 行）：应为 {expected}，实际为 {actual}",
                    "en": "{key} (line {line}): expected {expected}, got {actual}"},
    "test.figure.line": {"zh": "第 {line} 行：", "en": "line {line}: "},
    "test.steps": {"zh": "得出这个金额的规则：", "en": "the rules that produced it:"},
    "test.summary": {"zh": "{passed} 个通过，{failed} 个失败", "en": "{passed} passed, {failed} failed"},
    "test.none": {"zh": "没有找到测试文件（*.test.yaml，或带 expect 的场景文件）",
                  "en": "no test files found (*.test.yaml, or scenario files with `expect`)"},
    "test.updated": {"zh": "{path}：已更新 {count} 个金额", "en": "{path}: {count} figure(s) updated"},
    "test.coverage": {"zh": "{path}：{covered}/{total} 条规则被测试用到", "en": "{path}: {covered} of {total} rules exercised"},
    "test.coverage.missing": {"zh": "没有测试用到的规则：", "en": "not exercised by any test:"},
    "site.benefit": {"zh": "待遇适用条件", "en": "benefit"},
    "site.excluded": {"zh": "不予支付", "en": "pays nothing"},
    "site.includes": {"zh": "合并计算", "en": "includes"},
    "site.deductible": {"zh": "起付线", "en": "deductible"},
    "site.ratio": {"zh": "报销比例", "en": "ratio"},
    "site.adjust": {"zh": "比例调整", "en": "ratio adjustment"},
    "site.visit_cap": {"zh": "单次支付限额", "en": "per-visit cap"},
    "site.annual_cap": {"zh": "年度限额", "en": "annual cap"},
    "site.cap": {"zh": "共用年度限额", "en": "shared cap"},
    "site.adjustment": {"zh": "比例调整", "en": "adjustment"},
    "site.table": {"zh": "支付标准（含起付线）", "en": "payer table (with its deductible)"},
    "site.band": {"zh": "分段", "en": "band"},
    "site.payer_cap": {"zh": "最高支付限额", "en": "payer cap"},
    "site.premium": {"zh": "个人缴费", "en": "premium case"},
    "site.coverage": {"zh": "待遇开始", "en": "coverage start"},
    "site.coverage_end": {"zh": "待遇终止", "en": "coverage end"},
    "site.settlement": {"zh": "手工报销", "en": "settlement path"},
    "site.pool": {"zh": "共用起付线", "en": "shared deductible"},
    "site.pays": {"zh": "定额支付", "en": "fixed payment"},
    "site.ratio_band": {"zh": "分段累进的一段", "en": "band of a banded ratio"},
    "site.cap_when": {"zh": "按条件选用的共用年度限额", "en": "shared cap chosen by a condition"},
    "site.row": {"zh": "{what}「{row}」行", "en": "{what} row {row}"},
    "compare.guidance": {"zh": "手工报销须知（先行垫付、事后报销的费用）", "en": "What to do for claims settled by hand"},
    "compare.guidance.claim": {"zh": "费用 {id}（{date}）", "en": "claim {id} ({date})"},
    "compare.net": {"zh": "全年个人支出（缴费 + 个人支付）", "en": "the year's cost (premium + patient)"},
    "compare.incomplete": {"zh": "有 {count} 笔费用无法对应本政策的医疗机构级别，未计入本政策的合计",
                           "en": "{count} claim(s) match no level here and are left out of this policy's totals"},
    "compare.date_shift": {"zh": "就诊日期按与{home_name}保险年度起始日的间隔移入本政策年度（{days:+d} 天）",
                           "en": "dates moved into this policy's year by their offset from the year start of "
                                 "{home_name} ({days:+d} days)"},
    "compare.level_mapped": {"zh": "费用 {claim}：本政策未设“{level_name}”，按“{to_name}”计算",
                             "en": "claim {claim}: {level_name} ({level}) is not a level here; paid as "
                                   "{to_name} ({to})"},
    "compare.level_unplaced": {"zh": "费用 {claim}：本政策没有与“{level_name}”对应的医疗机构级别，未予计算",
                               "en": "claim {claim}: no level here matches {level_name} ({level}); left out of "
                                     "this policy's figures"},
    "compare.condition_dropped": {"zh": "费用 {claim}：本政策未列“{condition_name}”病种，按普通就医计算",
                                  "en": "claim {claim}: {condition_name} ({condition}) is not a condition here; "
                                        "paid as ordinary care"},
    "compare.category_dropped": {"zh": "费用 {claim}：本政策未列“{category_name}”费用类别，按普通就医计算",
                                 "en": "claim {claim}: {category_name} ({category}) is not a category here; "
                                       "paid as ordinary care"},
    "compare.certified_dropped": {"zh": "本政策未列“{condition_name}”病种，其认定不适用",
                                  "en": "{condition_name} ({condition}) is not a condition here; its certification "
                                        "does not apply"},
    # the HTML comparison (medpolicy.render_html)
    "compare.html.home_year": {
        "zh": "场景中的就诊日期属于{home}的保险年度（{start} 至 {end}）；其他政策按相同间隔移入各自的保险年度",
        "en": "The scenario's dates are in the policy year of {home} ({start} .. {end}); each other policy "
              "sees them moved by the same offset into its own year"},
    "compare.html.policy": {"zh": "{place}：{title}（{id}），保险年度 {start} 至 {end}",
                            "en": "{place}: {title} ({id}), policy year {start} .. {end}"},
    "compare.html.answer": {"zh": "{place}：{net}（个人缴费 {premium} + 个人支付 {patient}）",
                            "en": "{place}: {net} (premium {premium} + patient {patient})"},
    "compare.html.answer.unstated": {"zh": "{place}：未载明（文件未载明个人缴费；个人支付 {patient}）",
                                     "en": "{place}: not stated (the document states no premium; "
                                           "the patient pays {patient})"},
    "compare.html.lowest": {"zh": "最低", "en": "lowest"},
    "compare.html.chart": {"zh": "全年费用由谁支付", "en": "Who pays for the year's care"},
    "compare.html.bar_total": {"zh": "总费用 {total}", "en": "total {total}"},
    "compare.html.segment": {"zh": "{place}：{segment} {amount}（占总费用 {share}）",
                             "en": "{place}: {segment} {amount} ({share} of the total)"},
    "compare.html.claims": {"zh": "各笔费用由谁支付（元）", "en": "Each claim: who pays (yuan)"},
    "compare.html.notes": {"zh": "为适用各政策对场景所作的调整", "en": "How the scenario was fitted to each policy"},
    "compare.html.no_notes": {"zh": "无需调整", "en": "nothing had to be moved"},
    "compare.html.steps": {"zh": "逐步计算及政策原文依据", "en": "Step by step, with the policy documents' words"},
    "compare.html.footer": {"zh": "由 medpolicy {version} 生成；金额单位：元",
                            "en": "Made by medpolicy {version}; amounts in yuan"},
    "check.ok": {"zh": "{path}：检查通过（{benefits} 项待遇）", "en": "{path}: ok ({benefits} benefits)"},
    "check.ok.one": {"zh": "{path}：检查通过（1 项待遇）", "en": "{path}: ok (1 benefit)"},
    "check.problems": {"zh": "{path}：发现 {count} 个问题", "en": "{path}: {count} problems"},
    "check.problems.one": {"zh": "{path}：发现 1 个问题", "en": "{path}: 1 problem"},
    "verify.ok": {"zh": "{path}：生成 {examples} 个场景，各项不变量均成立（资金守恒、上下限、限额、确定性、处理顺序、单调性、未支付须说明原因）",
                  "en": "{path}: {examples} generated scenarios, every invariant holds (conservation, bounds, caps, "
                        "determinism, order, monotonicity, reasons for unpaid claims)"},
    "verify.failed": {"zh": "{path}：发现反例", "en": "{path}: counterexample found"},
    "policies.broken": {"zh": "（检查未通过）", "en": "(does not check)"},
    "fmt.reformatted": {"zh": "{path}：已按规范格式重排", "en": "{path}: reformatted"},
    "fmt.would_change": {"zh": "{path}：格式不规范，需要重排", "en": "{path}: would be reformatted"},
    # medpolicy diff (medpolicy.render_diff)
    "diff.a": {"zh": "A：{title}（{id}，{path}）", "en": "A: {title} ({id}, {path})"},
    "diff.b": {"zh": "B：{title}（{id}，{path}）", "en": "B: {title} ({id}, {path})"},
    "diff.identical": {"zh": "两个政策相同。", "en": "The two policies are identical."},
    "diff.count": {"zh": "共 {count} 处不同（每项：A | B，— 表示没有；+ 仅 B 有，- 仅 A 有，~ 两者都有、其中有不同）",
                   "en": "{count} difference(s) (each: A | B, — where a policy has none; + only in B, - only in A, "
                         "~ in both, different inside)"},
    "diff.field": {"zh": "{field}：{sides}", "en": "{field}: {sides}"},
    "diff.value": {"zh": "：{sides}", "en": ": {sides}"},
    "diff.delta": {"zh": "（{delta}）", "en": " ({delta})"},
    "diff.usage": {"zh": "diff 比较两个政策：medpolicy diff A B [--scenarios 目录或场景文件…]",
                   "en": "diff compares two policies: medpolicy diff A B [--scenarios DIR|FILE...]"},
    "diff.section.policy": {"zh": "政策", "en": "Policy"},
    "diff.section.level": {"zh": "医疗机构级别（claim.level）", "en": "Levels (claim.level)"},
    "diff.section.condition": {"zh": "病种（claim.condition、person.certified）",
                               "en": "Conditions (claim.condition, person.certified)"},
    "diff.section.category": {"zh": "费用类别（claim.category）", "en": "Categories (claim.category)"},
    "diff.section.name": {"zh": "命名值（参数、计算值、列表）", "en": "Named values (params, lets, lists)"},
    "diff.section.cap": {"zh": "共用年度限额", "en": "Shared annual caps"},
    "diff.section.pool": {"zh": "多项待遇共用的起付线", "en": "Shared deductibles"},
    "diff.section.measure": {"zh": "分段累进的本年累计额", "en": "Measures (year-to-date amounts of banded ratios)"},
    "diff.section.coverage": {"zh": "待遇享受期", "en": "Cover"},
    "diff.section.benefit": {"zh": "待遇", "en": "Benefits"},
    "diff.section.adjustment": {"zh": "各待遇共用的比例调整", "en": "Ratio adjustments across benefits"},
    "diff.section.payer": {"zh": "基本医保之后的支付方", "en": "Payers after the basic fund"},
    "diff.section.item": {"zh": "个人缴费", "en": "Premium"},
    "diff.section.settlement": {"zh": "手工报销", "en": "Settlement by hand"},
    "diff.coverage.starts": {"zh": "待遇开始", "en": "cover starts"},
    "diff.coverage.ends": {"zh": "待遇截止", "en": "cover ends"},
    "diff.case": {"zh": "当 {when} 时", "en": "when {when}"},
    "diff.else": {"zh": "其他情形", "en": "else"},
    "diff.table": {"zh": "支付标准「{name}」", "en": "table {name}"},
    "diff.band": {"zh": "第 {name} 段", "en": "band {name}"},
    "diff.adjust": {"zh": "比例调整「{name}」", "en": "adjustment {name}"},
    "diff.material": {"zh": "材料「{name}」", "en": "material {name}"},
    "diff.field.title": {"zh": "名称", "en": "title"},
    "diff.field.jurisdiction": {"zh": "地区", "en": "jurisdiction"},
    "diff.field.year": {"zh": "保险年度", "en": "policy year"},
    "diff.field.collection": {"zh": "集中参保缴费期", "en": "collection period"},
    "diff.field.rounding": {"zh": "舍入", "en": "rounding"},
    "diff.field.name": {"zh": "名称", "en": "name"},
    "diff.field.label": {"zh": "名称", "en": "label"},
    "diff.field.value": {"zh": "值", "en": "value"},
    "diff.field.reason": {"zh": "说明", "en": "reason"},
    "diff.field.priority": {"zh": "优先级", "en": "priority"},
    "diff.field.when": {"zh": "适用于", "en": "when"},
    "diff.field.excluded": {"zh": "不予支付", "en": "pays nothing"},
    "diff.field.grouping": {"zh": "合并就诊", "en": "grouping"},
    "diff.field.includes": {"zh": "一并结算", "en": "includes"},
    "diff.field.counts": {"zh": "计入次数", "en": "counts"},
    "diff.field.deductible_mode": {"zh": "起付线计收方式", "en": "deductible mode"},
    "diff.field.deductible": {"zh": "起付线", "en": "deductible"},
    "diff.field.ratio": {"zh": "报销比例", "en": "ratio"},
    "diff.field.ratio_bands": {"zh": "分段累进所依据的累计额", "en": "ratio banded over"},
    "diff.field.pays": {"zh": "定额支付", "en": "pays"},
    "diff.field.amount": {"zh": "金额", "en": "amount"},
    "diff.field.visit_cap": {"zh": "单次支付限额", "en": "per-visit cap"},
    "diff.field.annual_caps": {"zh": "年度限额", "en": "annual caps"},
    "diff.field.points": {"zh": "调整", "en": "points"},
    "diff.field.applies": {"zh": "适用待遇", "en": "applies to"},
    "diff.field.covers": {"zh": "适用于", "en": "covers"},
    "diff.field.measure": {"zh": "分段计算方式", "en": "bands measured"},
    "diff.field.cap": {"zh": "年度限额", "en": "annual cap"},
    "diff.field.low": {"zh": "下限", "en": "low"},
    "diff.field.high": {"zh": "上限", "en": "high"},
    "diff.field.rate": {"zh": "支付比例", "en": "rate"},
    "diff.field.submit": {"zh": "提交至", "en": "hand in to"},
    "diff.field.deadline": {"zh": "提交期限", "en": "deadline"},
    "diff.field.takes": {"zh": "办理时长", "en": "takes"},
    "diff.scenarios": {"zh": "场景（A | B；括号内为差额 B − A）", "en": "Scenarios (A | B; in parentheses B − A)"},
    "diff.claim": {"zh": "费用 {id}（{date}）", "en": "claim {id} ({date})"},
    "diff.totals": {"zh": "全年合计", "en": "the year"},
    "diff.figure.status": {"zh": "结果", "en": "outcome"},
    "diff.figure.benefit": {"zh": "适用待遇", "en": "benefit"},
    "diff.figure.basic_fund": {"zh": "基本医保", "en": "basic fund"},
    "diff.figure.patient": {"zh": "个人支付", "en": "patient"},
    "diff.figure.premium": {"zh": "个人缴费", "en": "personal premium"},
    "diff.invalid.a": {"zh": "在 A 下无法计算：{error}", "en": "cannot be evaluated under A: {error}"},
    "diff.invalid.b": {"zh": "在 B 下无法计算：{error}", "en": "cannot be evaluated under B: {error}"},
    "diff.invalid.both": {"zh": "在 A 和 B 下都无法计算：{error}", "en": "cannot be evaluated under A or B: {error}"},
    "diff.shift.a": {"zh": "在 A 下各日期移动 {days:+d} 天，移入 A 的保险年度",
                     "en": "under A every date moves {days:+d} days, into A's policy year"},
    "diff.shift.b": {"zh": "在 B 下各日期移动 {days:+d} 天，移入 B 的保险年度",
                     "en": "under B every date moves {days:+d} days, into B's policy year"},
    "diff.same": {"zh": "{total} 个场景中有 {count} 个在两个政策下结果相同",
                  "en": "{count} of {total} scenario(s) have the same figures under both"},
    "diff.failed": {"zh": "另有 {count} 个场景在 A 或 B 下无法计算（见上），未作比较",
                    "en": "{count} more scenario(s) cannot be evaluated under A or B (above) and are not compared"},
    "diff.sep.items": {"zh": "、", "en": ", "},
    "diff.sep.clauses": {"zh": "；", "en": "; "},
    "diff.sep.order": {"zh": " → ", "en": " → "},
    "diff.list": {"zh": "{members}", "en": "{members}"},
    "diff.order": {"zh": "{items}", "en": "{items}"},
    "diff.clauses": {"zh": "{clauses}", "en": "{clauses}"},
    "diff.members.added": {"zh": "增加 {members}", "en": "added {members}"},
    "diff.members.removed": {"zh": "删除 {members}", "en": "removed {members}"},
    "diff.rounding": {"zh": "{mode}，保留至 {unit}", "en": "{mode} to {unit}"},
    "diff.measured.absolute": {"zh": "按全年累计个人负担分段", "en": "on the year's whole burden"},
    "diff.measured.above_deductible": {"zh": "按超过起付线的部分分段", "en": "above the deductible"},
    "diff.grouping": {"zh": "同一天在同一医疗机构的就诊合并为一次", "en": "visits grouped by day and institution"},
    "diff.includes": {"zh": "同一医疗机构此前 {days} 天内的{care}费用一并结算",
                      "en": "{care} care at the same institution up to {days} days before"},
    "diff.includes.one": {"zh": "同一医疗机构此前 {days} 天内的{care}费用一并结算",
                          "en": "{care} care at the same institution up to {days} day before"},
    "diff.pays": {"zh": "{amount}（不超过合规费用）", "en": "{amount}"},
    "diff.pays.above": {"zh": "{amount}（超出合规费用也全额支付）", "en": "{amount} even above covered"},
    "diff.cap": {"zh": "{amount}", "en": "{amount}"},
    "diff.cap.per": {"zh": "{amount}（按 {per} 分别计算）", "en": "{amount} for each {per}"},
    "diff.cap.when": {"zh": "{amount}（适用于：{when}）", "en": "{amount} when {when}"},
    "diff.cap.per.when": {"zh": "{amount}（按 {per} 分别计算；适用于：{when}）", "en": "{amount} for each {per} when {when}"},
    "diff.all_benefits": {"zh": "全部待遇", "en": "all"},
    "diff.unstated": {"zh": "文件未载明（{type}）", "en": "{type} unstated"},
    "diff.pool": {"zh": "{amount}（每年，{mode}）", "en": "{amount} per year {mode}"},
    "diff.band.range": {"zh": "{low} 至 {high}：{rate}", "en": "{low} .. {high} pays {rate}"},
    "diff.band.above": {"zh": "{low} 以上：{rate}", "en": "above {low} pays {rate}"},
    "diff.adjust.when": {"zh": "{points}（适用于：{when}）", "en": "{points} when {when}"},
    "diff.field.table_order": {"zh": "支付标准的顺序（取第一个适用的）",
                               "en": "order of the tables (the first that applies is used)"},
    "diff.field.case_order": {"zh": "情形的顺序（取第一个成立的）", "en": "order of the cases (the first that holds is used)"},
    "diff.field.material_order": {"zh": "材料的顺序", "en": "order of the materials"},
}

# Display names of the members the scenario contract fixes, and of facts.
VALUE_LABELS: dict[str, dict[str, dict[str, str]]] = {
    "care": {"zh": {"outpatient": "门诊", "emergency": "急诊", "inpatient": "住院", "observation": "急诊留院观察"},
             "en": {"outpatient": "outpatient", "emergency": "emergency", "inpatient": "inpatient",
                    "observation": "emergency observation"}},
    "assistance": {"zh": {"none": "无", "dibao": "低保对象", "tekun": "特困人员", "orphan": "孤儿",
                          "severe_disability": "重度残疾人", "low_income": "低收入家庭成员"},
                   "en": {}},
    "location": {"zh": {"local": "参保地", "in_province": "省内异地", "out_of_province": "跨省异地"}, "en": {}},
    "filing": {"zh": {"none": "未备案", "long_term": "异地长期居住备案", "referral": "转诊转院备案",
                      "temporary": "异地临时就医备案"}, "en": {}},
    "settlement": {"zh": {"direct": "直接结算", "manual": "手工报销"}, "en": {}},
    "absence": {"zh": {"none": "在校期间", "break": "寒暑假", "leave": "休学", "internship": "实习"}, "en": {}},
    "status": {"zh": {"paid": "已结算", "excluded": "不予支付", "no_benefit": "无适用待遇",
                      "outside_period": "不在保险年度内", "waiting": "待遇等待期内", "late": "逾期提交"},
               "en": {"paid": "paid", "excluded": "excluded", "no_benefit": "no benefit",
                      "outside_period": "outside period", "waiting": "waiting", "late": "handed in late"}},
    "fact": {"zh": {"claim.level": "医疗机构等级", "claim.care": "就诊类型", "claim.condition": "病种",
                    "claim.location": "就医地", "claim.filing": "备案类型", "claim.pediatric": "儿科",
                    "claim.settlement": "结算方式", "claim.absence": "离校情形", "claim.filed_on": "备案日期",
                    "claim.submitted_on": "材料提交日期", "person.graduates_on": "毕业日期",
                    "person.birth_date": "出生日期",
                    "claim.benefit": "待遇", "person.assistance": "救助身份", "person.long_term_care": "参加长护险"},
             "en": {}},
    "deductible_mode": {"zh": {"visit": "每次就诊", "admission": "每次住院", "accumulating": "年度累计",
                               "highest": "年度，按已就诊最高等级补足", "pool": "多项待遇共用"},
                        "en": {"pool": "shared"}},
    "rounding": {"zh": {"half_up": "四舍五入", "half_even": "四舍六入五成双", "down": "舍去尾数"}, "en": {}},
    "payer": {"zh": {CRITICAL_ILLNESS: "大病保险"}, "en": {CRITICAL_ILLNESS: "critical illness"}},
}

_WORDS = {"zh": {True: "是", False: "否", None: "无"}, "en": {True: "true", False: "false", None: "absent"}}


def default_lang() -> str:
    """``zh`` when the user's locale is Chinese, else ``en``."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    try:
        current = locale.getlocale()[0] or ""
    except ValueError:  # pragma: no cover - a malformed locale
        current = ""
    return "zh" if current.lower().startswith("zh") else "en"


def word(message: str, lang: str, **fields) -> str:
    """One catalogue message, formatted."""
    text = MESSAGES[message][lang]
    return text.format(**fields) if fields else text


def value_label(kind: str, value, lang: str, labels: Optional[dict] = None) -> str:
    """How a member (a level, a condition, a care type …) is shown."""
    if value is None:
        return _WORDS[lang][None]
    if lang == "zh" and labels and kind in labels and value in labels[kind]:
        return labels[kind][value]
    if kind == "benefit" and labels and value in labels.get("benefit", {}):
        return labels["benefit"][value]
    return VALUE_LABELS.get(kind, {}).get(lang, {}).get(value, str(value))


def show_value(value, lang: str, labels: Optional[dict] = None, kind: str = "") -> str:
    """A typed value as a reader sees it."""
    if value is None or isinstance(value, bool):
        return _WORDS[lang][value]
    if isinstance(value, Money):
        return f"¥{format_money(value.amount)}"
    if isinstance(value, Percent):
        return f"{_plain(value.points)}%"
    if isinstance(value, Months):
        return f"{value.count} 个月" if lang == "zh" else str(value)
    if isinstance(value, Days):
        return f"{value.count} 天" if lang == "zh" else str(value)
    if isinstance(value, Decimal):
        return _plain(value)
    if isinstance(value, (dt.date, int)):
        return str(value)
    if isinstance(value, tuple):
        sep = "、" if lang == "zh" else ", "
        return ("[" if lang == "en" else "") + sep.join(show_value(v, lang, labels, kind) for v in value) + (
            "]" if lang == "en" else "")
    if kind:
        return value_label(kind, value, lang, labels)
    return str(value)


def money(amount: Optional[Decimal]) -> str:
    if amount is None:
        return "—"
    # The sign before the currency (an allowance paid above the bill leaves a negative share).
    return f"−¥{format_money(-amount)}" if amount < 0 else f"¥{format_money(amount)}"


def describe_detail(detail: Detail, lang: str, labels: Optional[dict] = None) -> str:
    if detail.kind == "row":
        key = detail.label or VALUE_LABELS["fact"].get(lang, {}).get(detail.name) or detail.name.split(".")[-1]
        key_value = value_label(detail.key_kind, detail.key, lang, labels)
        if lang == "en" and detail.key_kind == "level":
            key_value = str(detail.key)
        return word("detail.row.otherwise" if detail.otherwise else "detail.row", lang, key=key, key_value=key_value,
                    value=show_value(detail.value, lang, labels))
    name = (detail.label or detail.name) if lang == "zh" else detail.name
    if detail.kind == "counter":
        return word("detail.counter", lang, name=detail.label or detail.name, value=detail.value)
    if detail.kind == "history":
        return word("detail.history" if detail.claims else "detail.history.none", lang, name=detail.label or detail.name,
                    value=show_value(detail.value, lang, labels), claims=", ".join(detail.claims))
    return word("detail.let", lang, name=name, value=show_value(detail.value, lang, labels))


def describe_details(details, lang: str, labels: Optional[dict] = None, inline: bool = False) -> str:
    """What decided a value, in parentheses (or, ``inline``, after a semicolon inside them)."""
    if not details:
        return ""
    items = MESSAGES["details.sep"][lang].join(describe_detail(d, lang, labels) for d in details)
    return word("details.inline" if inline else "details", lang, items=items)


def describe_cite(cite: Optional[Citation], lang: str) -> Optional[str]:
    if cite is None:
        return None
    if cite.quote:
        return word("cite.quote", lang, title=cite.title, section=cite.section, quote=cite.quote)
    return word("cite", lang, title=cite.title, section=cite.section)


def payer_title(payer_id: str, title: str, lang: str) -> str:
    """A payer's name in a column heading or summary."""
    return VALUE_LABELS["payer"][lang].get(payer_id, title)


def describe(event: Event, lang: str, labels: Optional[dict] = None) -> str:
    """An explanation event in words."""
    d = event.data
    kind = event.kind
    f: dict = {}
    for name, value in d.items():
        if name == "details":
            f[name] = describe_details(value, lang, labels, inline=kind in _INLINE_DETAILS)
        elif isinstance(value, Decimal):
            f[name] = money(value)
        elif isinstance(value, Percent):
            f[name] = show_value(value, lang)
        else:
            f[name] = show_value(value, lang, labels)
    key = kind
    if kind == "coverage":
        key = "coverage" if d["reason"] else "coverage.default"
    elif kind in ("no_benefit", "benefit"):
        f["care"] = value_label("care", d["care"], lang)
        f["level"] = value_label("level", d["level"], lang, labels)
        cond_key = "condition" if kind == "no_benefit" else "claim_condition"
        condition = d[cond_key]
        if condition is None:
            f[cond_key] = ""
        elif lang == "zh":
            f[cond_key] = "，" + value_label("condition", condition, lang, labels)
        else:
            f[cond_key] = f" for condition {condition}"
        if kind == "benefit":
            f["benefit"] = value_label("benefit", d["benefit"], lang, labels)
            f["benefit_id"] = d["benefit"]
        category = d.get("category")
        f["category"] = "" if category is None else word(
            "claim.category", lang, category=((labels or {}).get("category") or {}).get(category, category))
    elif kind == "visit":
        f["institution"] = d["institution"]
    elif kind == "joined":
        f["institution"] = d["institution"]
        f["care"] = value_label("care", d["care"], lang)
    elif kind == "deductible":
        mode = d["mode"]
        key = f"deductible.{mode}" + (".first" if mode == "highest" and d["before"] is None else "")
        text = word(key, lang, **f)
        if d.get("shared"):
            text = word("deductible.shared", lang, shared=d["shared"]) + text
        return text + (word("deductible.all", lang, **f) if d["all_deductible"] else "")
    elif kind == "adjustment":
        points = d["points"].points
        f["sign"] = "+" if points > 0 else "−"
        f["points"] = show_value(Percent(abs(points)), lang)
    elif kind == "fixed":
        key = "fixed.above" if d["above"] > 0 else "fixed.at_cost" if d["at_cost"] else "fixed"
    elif kind == "patient" and d["patient"] < 0:
        return word("patient", lang, **f) + word("patient.receives", lang, amount=money(-d["patient"]))
    elif kind in ("fund", "bands_fund"):
        text = word(kind, lang, **f)
        if d["rounded"]:
            exact = d["exact"].normalize()
            text += word("fund.rounded", lang, exact=f"{exact:f}",
                         rounding=VALUE_LABELS["rounding"][lang].get(d["rounding"], d["rounding"]),
                         unit=f"¥{d['unit']}")
        return text
    elif kind in ("visit_cap",):
        key = "visit_cap.applied" if d["applied"] else "visit_cap.within"
    elif kind in ("annual_cap", "annual_cap_unstated"):
        f["name"] = _cap_name(d, lang, labels)
        if kind == "annual_cap":
            key = "annual_cap.applied" if d["applied"] else "annual_cap.within"
    elif kind == "split":
        return word("split", lang, **f) + (word("split.remainder", lang) if d["remainder"] else "")
    elif kind in ("band", "ratio_band"):
        key = f"{kind}.open" if d["high"] is None else kind
    return word(key, lang, **f)


_INLINE_DETAILS = {"payer_burden"}


def _cap_name(d: dict, lang: str, labels: Optional[dict]) -> str:
    if d["label"]:
        return d["label"] if lang == "zh" else f"annual cap {d['label']}"
    benefit = d["cap"].rsplit(":", 1)[0]
    key = d.get("key")
    if key is None:
        shown_key = ""
    elif lang == "zh":
        shown_key = f"（{value_label('condition', key, lang, labels)}）" if labels and key in labels.get(
            "condition", {}) else f"（{key}）"
    else:
        shown_key = f" for {key}"
    title = (labels or {}).get("benefit", {}).get(benefit, benefit)
    return word("annual_cap.own", lang, benefit=title, key=shown_key)
