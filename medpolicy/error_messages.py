"""The errors catalogue: what a scenario, a policy lookup, an evaluation or the CLI can refuse, in English and Chinese.

The companion of :mod:`medpolicy.diagnostic_messages` for errors that are not
about a place in a policy text: :class:`~medpolicy.errors.ScenarioError`
(a field of the scenario file is wrong), :class:`~medpolicy.errors.PolicyNotFound`,
:class:`~medpolicy.errors.EvaluationError` and the CLI's own lines.  The
same rules hold: one entry per message, the same placeholders in both
wordings, field names and values the user wrote shown as written.

The Chinese speaks to whoever writes the scenario (students, bureau staff):
a field path such as ``claims[3] (id a).level`` is printed before the
message and stays as is, since it names the file's own keys.
"""
from __future__ import annotations

ERRORS: dict[str, dict[str, str]] = {
    # ---- where an error is
    "error.at": {"en": "{path}: {message}", "zh": "{path}：{message}"},
    "error.policy": {"en": "policy error", "zh": "政策有误"},
    # ---- reading a scenario file
    "scenario.suffix": {"en": "a scenario file ends in .yaml, .yml or .json, not '{suffix}'",
                        "zh": "场景文件的扩展名应为 .yaml、.yml 或 .json，而不是 '{suffix}'"},
    "scenario.unreadable": {"en": "cannot read {path}: {reason}", "zh": "无法读取 {path}：{reason}"},
    "scenario.too_big": {"en": "the scenario is {size} bytes, over the limit of {limit}",
                         "zh": "场景文件大小为 {size} 字节，超过上限 {limit} 字节"},
    "scenario.not_utf8": {"en": "the scenario is not valid UTF-8", "zh": "场景文件不是有效的 UTF-8 编码"},
    "scenario.json": {"en": "not valid JSON: {problem} (line {line}, column {column})",
                      "zh": "不是有效的 JSON：{problem}（第 {line} 行第 {column} 列）"},
    "scenario.json.constant": {"en": "not valid JSON: {name} is not a number", "zh": "不是有效的 JSON：{name} 不是数字"},
    "scenario.yaml": {"en": "not valid YAML: {problem} (line {line}, column {column})",
                      "zh": "不是有效的 YAML：{problem}（第 {line} 行第 {column} 列）"},
    "scenario.yaml.nowhere": {"en": "not valid YAML: {problem}", "zh": "不是有效的 YAML：{problem}"},
    "scenario.aliases": {"en": "the YAML uses too many aliases (&/*)", "zh": "YAML 中的别名（&/*）用得太多"},
    # ---- the shape of a scenario
    "scenario.not_mapping": {"en": "a scenario is a mapping with person and claims",
                             "zh": "场景文件应由 person（参保人）和 claims（费用）两部分组成"},
    "scenario.policy": {"en": "must be a policy id or a path to a .mpol file", "zh": "应为政策标识或 .mpol 文件的路径"},
    "scenario.missing": {"en": "is missing", "zh": "缺少此项"},
    "scenario.missing.claims": {"en": "is missing (use [] for a year without care)",
                                "zh": "缺少此项（全年没有就诊时写 []）"},
    "scenario.claims_list": {"en": "must be a list of claims", "zh": "应是费用的列表"},
    "scenario.too_many_claims": {"en": "{count} claims, over the limit of {limit}",
                                 "zh": "共 {count} 笔费用，超过上限 {limit} 笔"},
    "scenario.duplicate_id": {"en": "id {id} is also claim {other}'s", "zh": "id {id} 与 claims[{other}] 的 id 重复"},
    "scenario.unknown_field": {"en": "unknown field; did you mean '{name}'?", "zh": "没有这个字段；是不是想写 '{name}'？"},
    "scenario.unknown_field.list": {"en": "unknown field (fields: {fields:names})",
                                    "zh": "没有这个字段（可用的字段：{fields:names}）"},
    "scenario.mapping": {"en": "must be a mapping", "zh": "应是“字段: 值”的形式"},
    "scenario.certified": {"en": "must be a list of condition ids", "zh": "应是病种标识的列表"},
    "scenario.covered": {"en": "covered ({covered}) is more than total ({total})",
                         "zh": "合规费用（{covered}）大于总费用（{total}）"},
    # ---- one field of a scenario
    "scenario.text": {"en": "must be text", "zh": "应是文字"},
    "scenario.empty": {"en": "must not be empty", "zh": "不能为空"},
    "scenario.member": {"en": "unknown {what:field} {value}; did you mean '{name}'?",
                        "zh": "未知的{what:field} {value}；是不是想写 '{name}'？"},
    "scenario.member.list": {"en": "unknown {what:field} {value} (one of: {allowed:names})",
                             "zh": "未知的{what:field} {value}（可选：{allowed:names}）"},
    "scenario.datetime": {"en": "must be a date (YYYY-MM-DD), not a date and time",
                          "zh": "应是日期（YYYY-MM-DD），不能带时间"},
    "scenario.date": {"en": "{value} is not a date (YYYY-MM-DD)", "zh": "{value} 不是日期（YYYY-MM-DD）"},
    "scenario.bool": {"en": "must be true or false, not {value}", "zh": "应是 true 或 false，而不是 {value}"},
    "scenario.whole": {"en": "must be a whole number, not {value}", "zh": "应是整数，而不是 {value}"},
    "scenario.whole.range": {"en": "must be a whole number from {minimum} to 200, not {value}",
                             "zh": "应是 {minimum} 到 200 之间的整数，而不是 {value}"},
    "scenario.amount": {"en": "must be an amount in yuan, e.g. 4000.00", "zh": "应是以元为单位的金额，例如 4000.00"},
    "scenario.amount.not": {"en": "{value} is not an amount in yuan", "zh": "{value} 不是以元为单位的金额"},
    "scenario.amount.negative": {"en": "must not be negative ({value})", "zh": "不能为负数（{value}）"},
    "scenario.amount.limit": {"en": "{value} is over the limit of {limit} yuan", "zh": "{value} 超过上限 {limit} 元"},
    "scenario.amount.cents": {"en": "{value} has more than two decimals (amounts are in yuan and fen)",
                              "zh": "{value} 的小数超过两位（金额以元为单位，精确到分）"},
    # ---- finding a policy
    "load.file_not_found": {"en": "policy file not found: {ref}", "zh": "找不到政策文件：{ref}"},
    "load.unknown": {"en": "no policy named '{ref}'", "zh": "没有名为 '{ref}' 的政策"},
    "load.unknown.known": {"en": "no policy named '{ref}' (known: {known:names})",
                           "zh": "没有名为 '{ref}' 的政策（现有政策：{known:names}）"},
    "load.unknown.hint": {"en": "no policy named '{ref}'; did you mean '{name}'? (known: {known:names})",
                          "zh": "没有名为 '{ref}' 的政策；是不是想写 '{name}'？（现有政策：{known:names}）"},
    "cli.no_policies": {"en": "name at least one policy to compare with --policies",
                        "zh": "请用 --policies 指定至少一个要比较的政策"},
    "compare.not_compared": {"en": "names policy '{ref}', which is not among those compared ({known:names})",
                             "zh": "指定的政策 '{ref}' 不在比较之列（比较的政策：{known:names}）"},
    # ---- the HTTP service (medpolicy.service)
    "service.json": {"zh": "第 {line} 行第 {column} 列：{problem}", "en": "line {line}, column {column}: {problem}"},
    "service.json.constant": {"zh": "{name} 不是 JSON 数字", "en": "{name} is not a JSON number"},
    "service.json.deep": {"zh": "JSON 嵌套过深", "en": "the JSON is nested too deeply"},
    "service.utf8": {"zh": "请求体不是有效的 UTF-8 编码", "en": "the request body is not valid UTF-8"},
    "service.too_large": {"zh": "请求体超过上限 {limit} 字节", "en": "the request body is over the limit of {limit} bytes"},
    "service.media_type": {"zh": "Content-Type 应为 application/json，而不是 {media_type}",
                   "en": "Content-Type must be application/json, not {media_type}"},
    "service.lang": {"zh": "lang 应为 zh 或 en，而不是 {value!r}", "en": "lang must be zh or en, not {value!r}"},
    "service.explain": {"zh": "explain 应为 true 或 false，而不是 {value!r}", "en": "explain must be true or false, not {value!r}"},
    "service.no_policy": {"zh": "场景未指明政策：请填写 policy 字段", "en": "the scenario names no policy: give its policy field"},
    "service.policy_text": {"zh": "应为政策标识（文字）", "en": "must be a policy id (text)"},
    "service.broken": {"zh": "政策 '{id}' 未能加载：{message}", "en": "policy '{id}' failed to load: {message}"},
    "service.object": {"zh": "请求体应为 JSON 对象", "en": "the request body must be a JSON object"},
    "service.scenarios": {"zh": "应为场景的列表", "en": "must be a list of scenarios"},
    "service.policies": {"zh": "应为要比较的政策编号列表（至少一个）", "en": "must be a list of the policy ids to compare (one or more)"},
    "service.batch": {"zh": "共 {count} 个场景，超过上限 {limit}", "en": "{count} scenarios, over the limit of {limit}"},
    "service.internal": {"zh": "处理请求时出错，详情已记入服务日志", "en": "the request failed; the service log has the details"},
    "service.route": {"zh": "没有这个地址", "en": "no such resource"},
    "service.method": {"zh": "此地址不接受该请求方法", "en": "this resource does not accept the method"},
    # ---- evaluating
    "eval.step_limit": {"en": "evaluation exceeded its step limit (Limits.max_steps)",
                        "zh": "测算超出了步数上限（Limits.max_steps）"},
    "eval.out_of_range": {"en": "the policy computed a value out of range: {problem}",
                          "zh": "政策算出的数值超出了可表示的范围：{problem}"},
    "eval.too_deep": {"en": "the policy's definitions depend on each other too deeply to evaluate",
                      "zh": "政策中的定义层层引用，层次过深，无法测算"},
    "eval.steps": {"en": "evaluation exceeded its step limit", "zh": "测算超出了步数上限"},
    "eval.no_value": {"en": "'{name}' has no value here", "zh": "'{name}' 在这里没有值"},
    "eval.unknown_name": {"en": "unknown name '{name}'", "zh": "名称 '{name}' 没有定义"},
    "eval.unknown_node": {"en": "cannot evaluate {node}", "zh": "无法计算 {node}"},
    "eval.attribute": {"en": "cannot take .{name} of an expression", "zh": "不能对表达式取 .{name}"},
    "eval.unknown_function": {"en": "unknown function {name}", "zh": "没有 {name} 这个函数"},
    "eval.no_row": {"en": "no table row for {key}", "zh": "对照表中没有 {key} 这一行"},
    "eval.not_constant": {"en": "not constant", "zh": "不是固定值"},
    # ---- the command line
    "cli.error": {"en": "error: {message}", "zh": "错误：{message}"},
    "cli.no_policy": {"en": "the scenario names no policy; add `policy: ID` or pass --policy",
                      "zh": "场景文件没有指明政策；请加上 `policy: ID`，或用 --policy 指定"},
    "cli.needs_hypothesis": {"en": "medpolicy verify needs hypothesis: pip install 'medpolicy[verify]'",
                             "zh": "medpolicy verify 需要 hypothesis：pip install 'medpolicy[verify]'"},
}

FIELDS: dict[str, dict[str, str]] = {
    # ``{x:field}``: the kind of value a scenario field holds
    "assistance": {"en": "assistance status", "zh": "救助身份"},
    "condition": {"en": "condition", "zh": "病种"},
    "care": {"en": "care type", "zh": "就诊类型"},
    "level": {"en": "level", "zh": "医疗机构级别"},
    "location": {"en": "location", "zh": "就医地"},
    "filing": {"en": "filing", "zh": "备案类型"},
}
