"""The facts a policy can refer to: ``person.*``, ``claim.*``, ``policy.*``.

This is the vocabulary shared by the checker (which types policy
expressions), the scenario loader (which validates what services send) and
the evaluator (which supplies the values).  Enumerations whose members are
fixed by the scenario contract are listed here; ``level``, ``condition``,
``category`` and ``benefit`` members are declared by each policy.
"""
from __future__ import annotations

BUILTIN_ENUMS: dict[str, tuple[str, ...]] = {
    # observation: a stay in an emergency observation room (急诊观察室留院观察).
    "care": ("outpatient", "emergency", "inpatient", "observation"),
    "assistance": ("none", "dibao", "tekun", "orphan", "severe_disability", "low_income"),
    "location": ("local", "in_province", "out_of_province"),
    "filing": ("none", "long_term", "referral", "temporary"),
    # How the claim is settled: at the counter with the insurance card, or paid
    # in cash first and reimbursed by hand afterwards (手工报销 / 零星报销).
    "settlement": ("direct", "manual"),
    # Where the student was in the school year: in term, on winter or summer
    # break (寒暑假), on leave (休学) or on an internship (实习).
    "absence": ("none", "break", "leave", "internship"),
}

PERSON_FIELDS: dict[str, str] = {
    "id": "text",
    "assistance": "enum:assistance",
    "continuous_years": "number",
    "enrolled_on": "opt:date",
    "gap_years": "number",
    "back_paid_years": "number",
    "certified": "list:enum:condition",
    "long_term_care": "bool",
    "graduates_on": "opt:date",
    "birth_date": "opt:date",
}

CLAIM_FIELDS: dict[str, str] = {
    "id": "text",
    "date": "date",
    "care": "enum:care",
    "level": "enum:level",
    "institution": "opt:text",
    "condition": "opt:enum:condition",
    "category": "opt:enum:category",
    "pediatric": "bool",
    "total": "money",
    "covered": "money",
    "location": "enum:location",
    "filing": "enum:filing",
    "settlement": "enum:settlement",
    "absence": "enum:absence",
    "filed_on": "opt:date",
    "submitted_on": "opt:date",
    "benefit": "enum:benefit",
}

EARLIER_FIELDS: dict[str, str] = {**CLAIM_FIELDS, "basic_fund": "money"}
"""``earlier.*`` inside a ``history`` declaration: one earlier settled claim of the year, with what the
basic fund paid on it."""

POLICY_FIELDS: dict[str, str] = {
    "start": "date",
    "end": "date",
    "collection_start": "opt:date",
    "collection_end": "date",
}

FACT_ROOTS = {"person": PERSON_FIELDS, "claim": CLAIM_FIELDS, "policy": POLICY_FIELDS}

FINITE_CLAIM_FIELDS = ("care", "level", "condition", "category", "pediatric", "location", "filing", "settlement",
                       "absence")

SCENARIO_CLAIM_FIELDS = tuple(name for name in CLAIM_FIELDS if name != "benefit")
"""The claim fields a scenario gives (``claim.benefit`` is the policy's choice, not a fact of the scenario)."""
FINITE_PERSON_FIELDS = ("assistance", "long_term_care")
