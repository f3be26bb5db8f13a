"""Benefit reachability (E115, E116, E117, and the lint W408) when conditions ask what is certified.

``person.certified`` is a set of conditions.  The checker tries, at each
combination of the other finite facts, every subset of the conditions the
policy asks about (the claim's own condition for ``claim.condition in
person.certified``, and each condition named in ``X in person.certified``),
so a benefit for certified hypertension and one for certified diabetes are
both reachable, while a benefit really shadowed by a broader one is still
reported.
"""
from __future__ import annotations

import pytest

import medpolicy
from medpolicy.checker import check
from medpolicy.diagnostics import render_all
from medpolicy.errors import PolicyError
from medpolicy.loader import load_source
from medpolicy.reachability import Reachability

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
  hypertension "高血压"
}
"""


def benefit(id: str, priority: int, when: str, ratio: str = "70%") -> str:
    return f"""
benefit {id} "{id}" {{
  priority {priority}
  when {when}
  no deductible
  ratio {ratio}
}}
"""


def policy(*parts: str, head: str = HEAD) -> str:
    return head + "".join(parts)


def diagnostics(text: str, **kwargs) -> list:
    """The errors of TEXT (empty if it checks clean)."""
    try:
        medpolicy.check_source(text, **kwargs)
    except PolicyError as err:
        assert err.diagnostics, "a PolicyError without diagnostics"
        return [d for d in err.diagnostics if d.severity == "error"]
    return []


def codes(text: str, **kwargs) -> list[str]:
    return [d.code for d in diagnostics(text, **kwargs)]


def one(diags: list, code: str):
    found = [d for d in diags if d.code == code]
    assert len(found) == 1, f"expected one {code}, got:\n{render_all(diags)}"
    return found[0]


HYPERTENSION = "claim.care == outpatient and hypertension in person.certified"
DIABETES = "claim.care == outpatient and diabetes in person.certified"


# ------------------------------------------------- conditions named literally


def test_one_benefit_per_certified_condition_is_accepted():
    # The issue: with person.certified treated as "every condition or none",
    # the diabetes benefit was reported as shadowed (E116).
    text = policy(benefit("htn", 60, HYPERTENSION), benefit("dm", 50, DIABETES))
    medpolicy.check_source(text)
    assert codes(text) == []


def test_benefit_shadowed_by_a_broader_one_is_still_reported():
    text = policy(benefit("clinic", 60, "claim.care == outpatient"), benefit("dm", 50, DIABETES))
    d = one(diagnostics(text), "E116")
    assert "'dm'" in d.message
    assert codes(text) == ["E116"]


def test_benefit_shadowed_by_the_same_certification_is_reported():
    text = policy(benefit("htn", 60, HYPERTENSION),
                  benefit("htn_local", 50, HYPERTENSION + " and claim.location == local"))
    assert "'htn_local'" in one(diagnostics(text), "E116").message


def test_certified_and_not_certified_never_matches():
    text = policy(benefit("odd", 60, "hypertension in person.certified and not (hypertension in person.certified)"),
                  benefit("clinic", 50, "claim.care == outpatient"))
    d = one(diagnostics(text), "E115")
    assert "'odd'" in d.message
    assert codes(text) == ["E115"]


def test_not_in_certified_is_the_complement():
    text = policy(benefit("htn", 60, HYPERTENSION),
                  benefit("others", 50, "claim.care == outpatient and hypertension not in person.certified"))
    assert codes(text) == []
    shadowed = text + benefit("clinic", 40, "claim.care == outpatient")
    assert "'clinic'" in one(diagnostics(shadowed), "E116").message


def test_both_certified_needs_both():
    text = policy(benefit("both", 60, HYPERTENSION + " and diabetes in person.certified"),
                  benefit("htn", 50, HYPERTENSION), benefit("dm", 40, DIABETES))
    assert codes(text) == []
    # Every claim of a person certified for either goes to `either`.
    either = "claim.care == outpatient and (hypertension in person.certified or diabetes in person.certified)"
    text = policy(benefit("either", 60, either),
                  benefit("htn", 50, HYPERTENSION), benefit("dm", 40, DIABETES))
    diags = diagnostics(text)
    assert sorted(d.message.split("'")[1] for d in diags if d.code == "E116") == ["dm", "htn"]


# ------------------------------------------------- the claim's own condition


OWN = "claim.care == outpatient and claim.condition in person.certified"
NOT_OWN = "claim.care == outpatient and not (claim.condition in person.certified)"


def test_claims_own_condition_certified_or_not():
    assert codes(policy(benefit("chronic", 60, OWN), benefit("general", 50, NOT_OWN))) == []


def test_benefit_below_certified_and_uncertified_is_shadowed():
    text = policy(benefit("chronic", 60, OWN), benefit("general", 50, NOT_OWN),
                  benefit("clinic", 40, "claim.care == outpatient"))
    assert "'clinic'" in one(diagnostics(text), "E116").message


def test_own_condition_and_named_condition_are_the_same_question():
    # For a hypertension claim, `claim.condition in person.certified` and
    # `hypertension in person.certified` must agree.
    text = policy(benefit("htn", 60, "claim.condition == hypertension and hypertension in person.certified"),
                  benefit("chronic", 50, "claim.condition in person.certified"))
    assert codes(text) == []
    again = "claim.condition == hypertension and claim.condition in person.certified"
    shadowed = text + benefit("htn_again", 40, again)
    assert "'htn_again'" in one(diagnostics(shadowed), "E116").message
    never = policy(benefit("odd", 60, "claim.condition == hypertension and claim.condition in person.certified "
                                      "and not (hypertension in person.certified)"),
                   benefit("clinic", 50, "claim.care == outpatient"))
    assert "'odd'" in one(diagnostics(never), "E115").message


def test_other_certified_condition_with_the_claims_condition():
    # A diabetes claim of a person also certified for hypertension.
    text = policy(benefit("dm_with_htn", 60, "claim.condition == diabetes and claim.condition in person.certified "
                                             "and hypertension in person.certified"),
                  benefit("chronic", 50, "claim.condition in person.certified"))
    assert codes(text) == []


@pytest.mark.parametrize("policy_id", ["karamay", "lanzhou", "shanghai"])
def test_bundled_policies_check_clean(policy_id):
    assert medpolicy.load_policy(policy_id).id == policy_id


# --------------------------------------------------------------- E117 rows


def test_missing_row_for_a_certified_condition():
    text = policy(benefit("chronic", 60, OWN, ratio="by claim.condition { diabetes: 80% }"))
    d = one(diagnostics(text), "E117")
    assert "hypertension" in d.message
    # An uncertified or absent condition never reaches the benefit: no row needed.
    assert codes(policy(benefit("chronic", 60, OWN, ratio="by claim.condition { diabetes: 80%, hypertension: 75% }"))) == []


def test_row_not_needed_for_a_condition_the_benefit_cannot_receive():
    text = policy(benefit("dm", 60, "claim.condition == diabetes and diabetes in person.certified",
                          ratio="by claim.condition { diabetes: 80% }"))
    assert codes(text) == []


def test_missing_level_row_for_a_benefit_asking_about_certification():
    text = policy(benefit("htn", 60, HYPERTENSION, ratio='by claim.level { "1": 85% }'))
    d = one(diagnostics(text), "E117")
    assert 'claim.level = "2"' in d.message


# ------------------------------------------------------------- through lets


def test_certification_asked_through_lets():
    lets = ('\nlet certs = person.certified\n'
            'let htn_certified = hypertension in certs\n'
            'let outpatient_care = claim.care == outpatient\n')
    text = policy(lets, benefit("htn", 60, "outpatient_care and htn_certified"),
                  benefit("dm", 50, "outpatient_care and diabetes in certs"))
    assert codes(text) == []
    shadowed = policy(lets, benefit("clinic", 60, "outpatient_care"),
                      benefit("dm", 50, "outpatient_care and diabetes in certs"))
    assert "'dm'" in one(diagnostics(shadowed), "E116").message
    never = policy(lets, benefit("odd", 60, "htn_certified and not (hypertension in person.certified)"),
                   benefit("clinic", 50, "outpatient_care"))
    assert "'odd'" in one(diagnostics(never), "E115").message


def test_claims_condition_through_a_let():
    lets = "\nlet own = claim.condition\nlet own_certified = own in person.certified\n"
    text = policy(lets, benefit("chronic", 60, "claim.care == outpatient and own_certified"),
                  benefit("general", 50, "claim.care == outpatient and not own_certified"),
                  benefit("clinic", 40, "claim.care == outpatient"))
    assert "'clinic'" in one(diagnostics(text), "E116").message


def test_certification_asked_through_a_module(tmp_path):
    (tmp_path / "chronic.mpol").write_text(
        'module chronic "慢特病"\n'
        'let certs = person.certified\n'
        'let own_certified = claim.condition in certs\n', encoding="utf-8")
    imports = '\nimport "chronic.mpol" as ch\n'
    text = policy(imports, benefit("chronic", 60, "claim.care == outpatient and ch.own_certified"),
                  benefit("htn", 50, "claim.care == outpatient and hypertension in ch.certs"))
    assert codes(text, root=tmp_path) == []
    own_htn = "claim.care == outpatient and claim.condition == hypertension and ch.own_certified"
    shadowed = text + benefit("htn_own", 40, own_htn)
    assert "'htn_own'" in one(diagnostics(shadowed, root=tmp_path), "E116").message


# ----------------------------------------------------- what proves nothing


@pytest.mark.parametrize("question", [
    "(if claim.pediatric then diabetes else hypertension) in person.certified",
    "person.certified == [diabetes]",
    "claim.care == outpatient and person.certified != []",
])
def test_other_uses_of_certified_prove_nothing(question):
    # Which conditions these ask about is not known: the checker tries nothing,
    # so the shadowed benefit below is not reported (rather than guessed at).
    text = policy(benefit("clinic", 60, "claim.care == outpatient"),
                  benefit("dm", 50, f"claim.care == outpatient and ({question})"))
    assert codes(text) == []


CONDITIONS_9 = HEAD.replace('  diabetes "糖尿病"\n  hypertension "高血压"\n',
                            "".join(f'  c{i} "病{i}"\n' for i in range(1, 10)))


@pytest.mark.parametrize("asked, reported", [(8, True), (9, False)])
def test_at_most_eight_conditions_are_asked_about(asked, reported):
    either = " or ".join(f"c{i} in person.certified" for i in range(1, asked + 1))
    text = policy(benefit("clinic", 60, "claim.care == outpatient"),
                  benefit("certified", 50, f"claim.care == outpatient and ({either})"), head=CONDITIONS_9)
    assert codes(text) == (["E116"] if reported else [])


def test_a_benefit_reading_a_date_does_not_blind_the_checker_to_the_others():
    # "late" reads claim.submitted_on (not enumerable): nothing is said of it, yet
    # "dm" is still shadowed by "clinic" for every probed claim, and is reported.
    text = policy(benefit("late", 90, "claim.care == outpatient and claim.date > 2026-06-30"),
                  benefit("clinic", 60, "claim.care == outpatient"),
                  benefit("dm", 50, "claim.care == outpatient and claim.condition == diabetes"))
    assert codes(text) == ["E116"]
    # and the unprovable benefit alone is never reported
    assert codes(policy(benefit("late", 90, "claim.date > 2026-06-30"))) == []


# ------------------------------------------------------ W408 rows no claim uses


def dead_rows(text: str) -> list[tuple[str, str]]:
    """(benefit, row key) of each row of TEXT no claim can use (lint W408), which must check."""
    policy = check(load_source(text, "p.mpol"), lint=True)
    return [(w.args["benefit"], w.args["value"]) for w in policy.warnings if w.code == "W408"]


def test_a_row_for_a_condition_the_benefit_cannot_receive_is_dead():
    # The counterpart of the missing row (E117): diabetes only, so the hypertension row is never used.
    text = policy(benefit("dm", 60, "claim.condition == diabetes and diabetes in person.certified",
                          ratio="by claim.condition { diabetes: 80%, hypertension: 75% }"))
    assert dead_rows(text) == [("dm", "hypertension")]
    # Certified chronic claims of either condition: both rows are used.
    assert dead_rows(policy(benefit("chronic", 60, OWN,
                                    ratio="by claim.condition { diabetes: 80%, hypertension: 75% }"))) == []


def test_a_benefit_reading_a_date_takes_no_row_from_the_others():
    # "late" may or may not take level-2 outpatient claims (by the date): "clinic" keeps its level-2 row.
    text = policy(benefit("late", 90, 'claim.care == outpatient and claim.level == "2" and claim.date > 2026-06-30'),
                  benefit("clinic", 60, 'claim.care == outpatient and claim.level in ["1", "2"]',
                          ratio='by claim.level { "1": 80%, "2": 70% }'))
    assert dead_rows(text) == []
    # A benefit of higher priority that surely takes them leaves the row dead.
    text = text.replace(' and claim.date > 2026-06-30', "")
    assert dead_rows(text) == [("clinic", '"2"')]


def test_dead_rows_come_from_the_probing_done_for_the_errors(monkeypatch):
    calls = []
    probe = Reachability._probe

    def counted(self, *args):
        calls.append(1)
        return probe(self, *args)

    monkeypatch.setattr(Reachability, "_probe", counted)
    text = policy(benefit("clinic", 60, 'claim.care == outpatient and claim.level == "1"',
                          ratio='by claim.level { "1": 80%, "2": 70% }'))
    assert dead_rows(text) == [("clinic", '"2"')]
    assert calls == [1]


def test_a_benefit_for_claims_without_a_condition():
    text = policy(benefit("plain", 60, "claim.care == outpatient and not (claim.condition in [diabetes, hypertension])",
                          ratio="by claim.condition { diabetes: 80%, else: 70% }"),
                  benefit("clinic", 50, "claim.care == outpatient"))
    found = [w for w in check(load_source(text, "p.mpol"), lint=True).warnings if w.code == "W408"]
    assert [(w.args["value"], w.help_id) for w in found] == [("diabetes", "W408.benefit.absent.help")]
    assert found[0].help.startswith("benefit 'plain' receives only claims without claim.condition")
