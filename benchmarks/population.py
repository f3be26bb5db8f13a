"""A deterministic synthetic population of insured students, as scenario dicts.

``population(city, persons, claims_per_person, seed)`` returns one scenario
dict per person, in the scenario contract (``schemas/scenario.md``): dates as
ISO strings, amounts as strings with two decimals, exactly what a service
would hand to ``medpolicy.evaluate``.  The same arguments always give the same
population (a seeded ``random.Random``; no global state, no hash seeds).

The mix is meant to exercise every rule of the bundled Karamay 2026 and
Lanzhou 2025 policies, not to be statistically faithful:

- care: mostly outpatient, some emergency, some inpatient; levels by city
  (Karamay "1" "2" "3"; Lanzhou "1" "2" "3A" "3B"), each claim's level being
  its institution's;
- institutions, so that some outpatient claims share a day and an institution
  and are grouped into one visit (Karamay general outpatient), and some
  outpatient claims have no institution at all (each its own visit);
- conditions: some people are certified for chronic conditions, some claims
  name an uncertified hypertension/diabetes (Karamay 两病), some pediatric
  level-3 outpatient care (Karamay);
- amounts with cents, some with covered < total, some ¥0.00 claims, and a few
  very large admissions that cross the critical-illness bands and exhaust the
  annual caps (¥160,000 / ¥80,000 basic, ¥300,000 critical illness);
- a few claims dated outside the policy year;
- assistance statuses (dibao, tekun, orphan, low_income, severe_disability),
  continuous_years 1..10, the optional long-term-care premium;
- enrolment dates inside and after the collection period, gap years and
  back-paid years, so that some Karamay people wait (national waiting period,
  including the 6-month minimum after 4+ gap years).

Corners deliberately NOT generated (see benchmarks/handwritten.py): claims
grouped into one visit always agree on level, location and filing (an
institution has one level; the off-site facts are drawn once per visit),
because medpolicy reads a grouped visit's facts from its first claim and a
real claim file would never disagree within one visit (the hand-written
adjudicator reads the first claim's facts too, so this is caution, not a
known difference).  For the same reason the claims of one visit share their
care type: a level-3 emergency claim and a level-3 pediatric outpatient claim
of the same day and institution (one visit in Karamay) are not generated.
"""
from __future__ import annotations

import datetime as dt
import random

__all__ = ["population", "grouped_visit", "CITIES"]

CITIES = ("karamay", "lanzhou")

_YEAR = {
    "karamay": (dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    "lanzhou": (dt.date(2025, 9, 1), dt.date(2026, 8, 31)),
}

# Institutions by level: (name, level).
_INSTITUTIONS = {
    "karamay": [
        ("迎宾社区卫生服务中心", "1"), ("银河路社区卫生服务中心", "1"), ("白碱滩区卫生院", "1"),
        ("克拉玛依区人民医院", "2"), ("独山子区人民医院", "2"),
        ("克拉玛依市中心医院", "3"), ("克拉玛依市人民医院", "3"),
    ],
    "lanzhou": [
        ("城关区社区卫生服务中心", "1"), ("榆中县第二人民医院", "1"),
        ("兰州市第二人民医院", "2"), ("兰州市西固区人民医院", "2"),
        ("兰州大学第一医院", "3A"), ("甘肃省人民医院", "3A"),
        ("兰州市第一人民医院", "3B"),
    ],
}

# Conditions a person may be certified for (chronic-outpatient care).
_CERTIFIABLE = {
    "karamay": ["hypertension", "diabetes", "diabetes_complications", "tuberculosis", "chronic_renal_failure",
                "cancer", "mental_illness", "leukemia", "pku", "dialysis", "sle", "malignant_lymphoma"],
    "lanzhou": ["dialysis", "hypertension", "diabetes", "cancer", "pku", "other_chronic"],
}
# Conditions that appear on claims without a certification.
_OTHER_CONDITIONS = {
    "karamay": ["hypertension", "diabetes", "hypertension", "diabetes", "tuberculosis", "cancer"],
    "lanzhou": ["hypertension", "diabetes", "cancer", "other_chronic"],
}

_ASSISTANCE = ["dibao", "tekun", "orphan", "low_income", "severe_disability"]


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _amount(rng: random.Random, low: float, high: float) -> int:
    """A log-uniform amount in cents between low and high yuan."""
    return int(round(low * (high / low) ** rng.random() * 100))


def _person(rng: random.Random, city: str, index: int) -> dict:
    person: dict = {"id": f"{city[:2]}-{index:06d}", "continuous_years": rng.randint(1, 10)}
    r = rng.random()
    if r < 0.14:
        person["assistance"] = rng.choice(_ASSISTANCE)
    elif r < 0.16:
        person["assistance"] = "none"  # stated explicitly
    if rng.random() < 0.18:
        person["certified"] = rng.sample(_CERTIFIABLE[city], rng.choice((1, 1, 2)))
    start, _ = _YEAR[city]
    r = rng.random()
    if city == "karamay":
        if r < 0.55:
            pass  # no payment date: read as paid on time
        elif r < 0.80:  # inside the collection period 2025-09-01 .. 2026-01-10
            person["enrolled_on"] = (dt.date(2025, 9, 1) + dt.timedelta(days=rng.randint(0, 131))).isoformat()
        else:  # late: after the collection period, up to the autumn (waiting period)
            person["enrolled_on"] = (dt.date(2026, 1, 11) + dt.timedelta(days=rng.randint(0, 300))).isoformat()
    elif r < 0.6:
        person["enrolled_on"] = (start - dt.timedelta(days=rng.randint(-40, 60))).isoformat()
    r = rng.random()
    if r < 0.10:
        person["gap_years"] = rng.randint(1, 3)
    elif r < 0.14:
        person["gap_years"] = rng.randint(4, 7)  # long gap: 6-month minimum
    if "gap_years" in person and rng.random() < 0.5:
        person["back_paid_years"] = rng.randint(0, 4)
    if rng.random() < 0.3:
        person["long_term_care"] = rng.random() < 0.9
    return person


def _claims(rng: random.Random, city: str, person: dict, count: int) -> list[dict]:
    start, end = _YEAR[city]
    days = (end - start).days
    institutions = _INSTITUTIONS[city]
    certified = person.get("certified", [])
    claims: list[dict] = []
    previous_visit: dict | None = None
    for j in range(count):
        claim: dict = {"id": f"c{j:03d}"}
        # Another claim of the same visit (same day, same institution)?
        if previous_visit is not None and rng.random() < 0.30:
            for key in ("date", "care", "level", "institution", "location", "filing"):
                if key in previous_visit:
                    claim[key] = previous_visit[key]
            if "pediatric" in previous_visit and rng.random() < 0.7:
                claim["pediatric"] = previous_visit["pediatric"]
            claim["total"] = _money(_amount(rng, 5, 400))
            if rng.random() < 0.2:
                claim["covered"] = _money(int(int(claim["total"].replace(".", "")) * rng.uniform(0.3, 1.0)))
            claims.append(claim)
            continue
        r = rng.random()
        care = "outpatient" if r < 0.68 else "emergency" if r < 0.82 else "inpatient"
        r = rng.random()
        if r < 0.015:
            day = start - dt.timedelta(days=rng.randint(1, 60))  # before the policy year
        elif r < 0.03:
            day = end + dt.timedelta(days=rng.randint(1, 60))  # after it
        else:
            day = start + dt.timedelta(days=rng.randint(0, days))
        name, level = rng.choice(institutions)
        claim.update({"date": day.isoformat(), "care": care, "level": level})
        if care == "inpatient" or rng.random() < 0.88:
            claim["institution"] = name  # else: no institution, its own visit
        # condition
        if certified and care != "inpatient" and rng.random() < 0.45:
            claim["condition"] = rng.choice(certified)
        elif rng.random() < (0.25 if care == "inpatient" else 0.14):
            claim["condition"] = rng.choice(_OTHER_CONDITIONS[city] + certified)
        if city == "karamay" and care == "outpatient" and level == "3" and rng.random() < 0.3:
            claim["pediatric"] = True
        elif rng.random() < 0.02:
            claim["pediatric"] = False  # stated explicitly
        # amount
        if care == "inpatient":
            r = rng.random()
            if r < 0.10:
                cents = _amount(rng, 80_000, 450_000)  # big: critical-illness bands, annual caps
            elif r < 0.12:
                cents = _amount(rng, 50, 600)  # under the deductible
            else:
                cents = _amount(rng, 1_500, 60_000)
        elif "condition" in claim and claim["condition"] in certified:
            cents = _amount(rng, 200, 8_000)  # chronic outpatient
        elif care == "emergency":
            cents = _amount(rng, 30, 3_000)
        elif "condition" in claim:
            cents = _amount(rng, 50, 1_500)  # e.g. Karamay 两病 care, up to its annual limits
        else:
            cents = _amount(rng, 5, 600)
        if rng.random() < 0.01:
            cents = 0
        claim["total"] = _money(cents)
        r = rng.random()
        if r < 0.2:
            claim["covered"] = _money(int(cents * rng.uniform(0.4, 1.0)))
        elif r < 0.22:
            claim["covered"] = claim["total"]  # stated, equal
        elif r < 0.23:
            claim["covered"] = "0.00"
        # off-site care (异地就医): the same for every claim of the visit
        r = rng.random()
        if r < 0.10:
            claim["location"] = rng.choice(["in_province", "out_of_province"])
            claim["filing"] = rng.choice(["none", "long_term", "referral", "temporary", "temporary"])
        elif r < 0.12:
            claim["location"] = "local"
            claim["filing"] = rng.choice(["none", "temporary"])
        claims.append(claim)
        previous_visit = claim if care != "inpatient" and "institution" in claim else None
    # File order is not date order: medpolicy sorts by date, then file order.
    # Shuffle a little, keeping each visit's claims in their relative order.
    if len(claims) > 3:
        for _ in range(len(claims) // 4):
            i = rng.randrange(len(claims) - 1)
            a, b = claims[i], claims[i + 1]
            if a["date"] != b["date"]:
                claims[i], claims[i + 1] = b, a
    return claims


def population(city: str, persons: int, claims_per_person: int, seed: int = 0) -> list[dict]:
    """``persons`` scenario dicts for ``city`` ("karamay" or "lanzhou"), each with
    ``claims_per_person`` claims; deterministic in (city, persons, claims_per_person, seed)."""
    if city not in _YEAR:
        raise ValueError(f"unknown city {city!r} (one of {', '.join(_YEAR)})")
    rng = random.Random(f"medpolicy-bench:{city}:{seed}")
    scenarios = []
    for i in range(persons):
        person = _person(rng, city, i)
        scenarios.append({"policy": city, "person": person,
                          "claims": _claims(rng, city, person, claims_per_person)})
    return scenarios


def grouped_visit(claims: int, seed: int = 0) -> dict:
    """One Karamay general-outpatient visit of ``claims`` claims: the same day,
    the same level-1 institution (the scaling check of the benchmark)."""
    rng = random.Random(f"medpolicy-bench:grouped:{seed}")
    return {
        "policy": "karamay",
        "person": {"id": "stu-grouped"},
        "claims": [{"id": f"g{i:05d}", "date": "2026-03-02", "care": "outpatient", "level": "1",
                    "institution": "迎宾社区卫生服务中心", "total": _money(_amount(rng, 1, 300))}
                   for i in range(claims)],
    }
