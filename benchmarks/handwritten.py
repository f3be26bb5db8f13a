"""The plain hand-written adjudicator the benchmark compares medpolicy with.

What a programmer would write without medpolicy: one Python function per
city, the rules of policies/karamay.mpol (克拉玛依 2026) and
policies/lanzhou.mpol (兰州 2025) written out by hand, with the same READING
choices the .mpol files make.  It takes the same scenario dicts as
``medpolicy.evaluate`` (validating them minimally but honestly: required
fields, types, known enum values, levels and conditions, amounts that parse
to Decimal with at most two decimals, covered ≤ total, unique ids) and
returns, per claim, (basic_fund, critical_illness, patient), the totals and
the personal premium.  Money is ``decimal.Decimal`` throughout.

It is deliberately ordinary code: no explanation, no tables interpreted at
run time, no caching.  bench_compiled.py checks that it gives exactly
medpolicy's figures on the whole generated population before timing it.

Processing order (as medpolicy): claims by date, then by file order; a
grouped visit (same benefit, same day, same institution) is paid where its
first claim stands, and its facts (level, location, filing) are its first
claim's.
"""
from __future__ import annotations

import calendar
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = ["adjudicate", "adjudicate_karamay", "adjudicate_lanzhou", "ScenarioInvalid", "Result"]

ZERO = Decimal(0)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("100000000")
MAX_CLAIMS = 10_000

ASSISTANCE = frozenset({"none", "dibao", "tekun", "orphan", "severe_disability", "low_income"})
CARE = frozenset({"outpatient", "emergency", "inpatient"})
LOCATION = frozenset({"local", "in_province", "out_of_province"})
FILING = frozenset({"none", "long_term", "referral", "temporary"})
PERSON_KEYS = frozenset({"id", "assistance", "continuous_years", "enrolled_on", "gap_years", "back_paid_years",
                         "certified", "long_term_care"})
CLAIM_KEYS = frozenset({"id", "date", "care", "level", "institution", "condition", "pediatric", "total", "covered",
                        "location", "filing"})
TOP_KEYS = frozenset({"policy", "person", "claims"})


class ScenarioInvalid(ValueError):
    pass


class Result:
    """Per-claim figures in processing order, the year's totals, the premium."""

    __slots__ = ("claims", "totals", "premium")

    def __init__(self, claims: dict, totals: tuple, premium: Decimal):
        self.claims = claims
        """claim id → (basic_fund, critical_illness, patient)"""
        self.totals = totals
        """(total, covered, basic_fund, critical_illness, patient)"""
        self.premium = premium


def _round(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months; a day past the month's end clamps to its last day (31 Jan + 1 month = 28 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# ---------------------------------------------------------------- validation

class _Person:
    __slots__ = ("id", "assistance", "continuous_years", "enrolled_on", "gap_years", "back_paid_years",
                 "certified", "long_term_care")


class _Claim:
    __slots__ = ("id", "date", "care", "level", "institution", "condition", "pediatric", "total", "covered",
                 "location", "filing", "index")


def _amount(value, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise ScenarioInvalid(f"{where}: not an amount")
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise ScenarioInvalid(f"{where}: {value!r} is not an amount") from None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise ScenarioInvalid(f"{where}: {value!r} is out of range")
    if amount.as_tuple().exponent < -2 and amount != amount.quantize(CENT):
        raise ScenarioInvalid(f"{where}: {value!r} has more than two decimals")
    return amount.quantize(CENT)


def _date(value, where: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ScenarioInvalid(f"{where}: {value!r} is not a date")


def _whole(value, where: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)) or value != int(value) \
            or not minimum <= value <= 200:
        raise ScenarioInvalid(f"{where}: must be a whole number from {minimum} to 200")
    return int(value)


def _text(value, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)) or not str(value).strip():
        raise ScenarioInvalid(f"{where}: must be text")
    return str(value)


def _bool(value, where: str) -> bool:
    if not isinstance(value, bool):
        raise ScenarioInvalid(f"{where}: must be true or false")
    return value


def _validate(data, levels: frozenset, conditions: frozenset) -> tuple[_Person, list[_Claim]]:
    if not isinstance(data, dict) or not TOP_KEYS.issuperset(data):
        raise ScenarioInvalid("a scenario is a mapping of policy, person and claims")
    raw = data.get("person")
    if not isinstance(raw, dict) or "id" not in raw or not PERSON_KEYS.issuperset(raw):
        raise ScenarioInvalid("person: a mapping with an id and known fields")
    p = _Person()
    p.id = _text(raw["id"], "person.id")
    p.assistance = raw.get("assistance", "none")
    if p.assistance not in ASSISTANCE:
        raise ScenarioInvalid(f"person.assistance: unknown {p.assistance!r}")
    p.continuous_years = _whole(raw.get("continuous_years", 1), "person.continuous_years", 1)
    p.gap_years = _whole(raw.get("gap_years", 0), "person.gap_years", 0)
    p.back_paid_years = _whole(raw.get("back_paid_years", 0), "person.back_paid_years", 0)
    enrolled = raw.get("enrolled_on")
    p.enrolled_on = _date(enrolled, "person.enrolled_on") if enrolled is not None else None
    certified = raw.get("certified") or []
    if not isinstance(certified, list) or any(c not in conditions for c in certified):
        raise ScenarioInvalid("person.certified: a list of known conditions")
    p.certified = frozenset(certified)
    p.long_term_care = _bool(raw.get("long_term_care", False), "person.long_term_care")

    if "claims" not in data:
        raise ScenarioInvalid("claims: missing")
    raw_claims = data["claims"]
    if raw_claims is None:
        raw_claims = []
    if not isinstance(raw_claims, list) or len(raw_claims) > MAX_CLAIMS:
        raise ScenarioInvalid("claims: a list of at most 10,000 claims")
    claims = []
    seen = set()
    for index, rc in enumerate(raw_claims):
        where = f"claims[{index}]"
        if not isinstance(rc, dict) or not CLAIM_KEYS.issuperset(rc):
            raise ScenarioInvalid(f"{where}: a mapping of known fields")
        for key in ("id", "date", "care", "level", "total"):
            if rc.get(key) is None:
                raise ScenarioInvalid(f"{where}.{key}: missing")
        c = _Claim()
        c.index = index
        c.id = _text(rc["id"], where + ".id")
        if c.id in seen:
            raise ScenarioInvalid(f"{where}.id: duplicate {c.id!r}")
        seen.add(c.id)
        c.date = _date(rc["date"], where + ".date")
        c.care = rc["care"]
        if c.care not in CARE:
            raise ScenarioInvalid(f"{where}.care: unknown {c.care!r}")
        level = rc["level"]
        c.level = str(level) if isinstance(level, (int, Decimal)) and not isinstance(level, bool) else level
        if c.level not in levels:
            raise ScenarioInvalid(f"{where}.level: unknown {level!r}")
        c.total = _amount(rc["total"], where + ".total")
        covered = rc.get("covered")
        c.covered = c.total if covered is None else _amount(covered, where + ".covered")
        if c.covered > c.total:
            raise ScenarioInvalid(f"{where}.covered: more than total")
        institution = rc.get("institution")
        c.institution = None if institution is None else _text(institution, where + ".institution")
        c.condition = rc.get("condition")
        if c.condition is not None and c.condition not in conditions:
            raise ScenarioInvalid(f"{where}.condition: unknown {c.condition!r}")
        c.pediatric = _bool(rc.get("pediatric", False), where + ".pediatric")
        c.location = rc.get("location", "local")
        if c.location not in LOCATION:
            raise ScenarioInvalid(f"{where}.location: unknown {c.location!r}")
        c.filing = rc.get("filing", "none")
        if c.filing not in FILING:
            raise ScenarioInvalid(f"{where}.filing: unknown {c.filing!r}")
        claims.append(c)
    return p, claims


# ---------------------------------------------------------------- shared pieces

def national_benefits_start(person: _Person, year_start: dt.date, collection_end: dt.date) -> dt.date:
    """国办发〔2024〕38号 as policies/shared/national_waiting_period.mpol reads it."""
    paid_on_time = (person.enrolled_on or collection_end) <= collection_end
    variable = max(person.gap_years - person.back_paid_years, 0)  # 1 month per gap year, −1 per back-paid year
    if paid_on_time and person.gap_years == 0:
        return year_start
    if person.gap_years >= 4:
        wait = max(3 + variable, 6)  # long gap: at least 6 months
    else:
        wait = 3 + variable
    return add_months(max(person.enrolled_on or year_start, year_start), wait)


def _bands(before: Decimal, after: Decimal, bands) -> Decimal:
    """Critical illness owed on the part of the year's burden between before and after."""
    raw = ZERO
    for low, high, rate in bands:
        top = after if high is None or after < high else high
        part = top - (before if before > low else low)
        if part > 0:
            raw += part * rate / HUNDRED
    return _round(raw)


def _split(fund: Decimal, group: list, covered: Decimal) -> list[Decimal]:
    """A visit's payment split by covered amount, half-up to the cent; the last claim takes the remainder."""
    shares, left = [], fund
    for c in group[:-1]:
        share = _round(fund * c.covered / covered) if covered else ZERO
        left -= share
        shares.append(share)
    shares.append(left)
    return shares


def _result(order: list, paid: dict, premium: Decimal) -> Result:
    claims = {}
    total = covered = basic = ci = patient = ZERO
    for c in order:
        b, k = paid.get(c.id, (ZERO, ZERO))
        p = c.total - b - k
        claims[c.id] = (b, k, p)
        total += c.total
        covered += c.covered
        basic += b
        ci += k
        patient += p
    return Result(claims, (total, covered, basic, ci, patient), premium)


# ---------------------------------------------------------------- Karamay 2026

K_START, K_END = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
K_COLLECTION_END = dt.date(2026, 1, 10)
K_LEVELS = frozenset({"1", "2", "3"})
K_CONDITIONS = frozenset({
    "hypertension", "diabetes", "diabetes_complications", "tuberculosis", "drug_resistant_tb",
    "chronic_renal_failure", "organ_transplant", "cancer", "mental_illness", "connective_tissue_disease",
    "leukemia", "hemophilia", "aplastic_anemia", "myasthenia_gravis", "pku", "dialysis", "sle",
    "lupus_nephritis", "malignant_lymphoma", "langerhans_histiocytosis", "chronic_active_ebv",
    "autoimmune_hemolytic_anemia"})
# READING (karamay.mpol): chronic outpatient covers both lists (15 chronic + 13 major) = every declared condition.
K_CERTIFIABLE = K_CONDITIONS
K_NEEDY = frozenset({"dibao", "tekun", "orphan", "low_income"})
K_GENERAL_BANDS = ((Decimal(21000), Decimal(50000), Decimal(60)),
                   (Decimal(50000), Decimal(100000), Decimal(65)),
                   (Decimal(100000), None, Decimal(70)))
K_GENERAL_CI_CAP = Decimal(300000)
K_NEEDY_BANDS = ((Decimal(10500), Decimal(50000), Decimal(65)),
                 (Decimal(50000), Decimal(100000), Decimal(70)),
                 (Decimal(100000), None, Decimal(75)))
K_INPATIENT_DED = {"1": Decimal(100), "2": Decimal(200), "3": Decimal(600)}
K_INPATIENT_RATIO = {"1": Decimal(85), "2": Decimal(75), "3": Decimal(65)}
K_GENERAL_DED = {"1": Decimal(10), "2": Decimal(20)}
K_GENERAL_RATIO = {"1": Decimal(70), "2": Decimal(60)}
K_GENERAL_VISIT_CAP = {"1": Decimal(100), "2": Decimal(200)}
K_TWO_DISEASES_CAP = {"hypertension": Decimal(700), "diabetes": Decimal(1000)}
K_GENERAL_YEAR_CAP = Decimal(900)
K_CHRONIC_INPATIENT_CAP = Decimal(160000)
HALF = Decimal("0.5")

ONE_DAY = dt.timedelta(days=1)

# Benefits (by priority: off-site unfiled 90, chronic 70, 两病 60, inpatient 50, L3 general 41, general 40, L3 excluded 30).
CHRONIC, TWO_DISEASES, INPATIENT, GENERAL_L3, GENERAL, EXCLUDED = (
    "chronic_outpatient", "two_diseases", "inpatient", "general_outpatient_level3", "general_outpatient",
    "level3_outpatient_excluded")


def _karamay_benefit(c: _Claim, certified) -> str | None:
    # Unfiled off-site care pays nothing (the population states no absence or filing date,
    # so the admission-during-a-break exception and the filing-date checks never apply).
    if c.location != "local" and c.filing == "none":
        return EXCLUDED
    if c.care != "inpatient" and c.condition in K_CERTIFIABLE and c.condition in certified:
        return CHRONIC
    if c.care == "outpatient" and c.level == "1" and c.condition in ("hypertension", "diabetes") \
            and c.condition not in certified:
        return TWO_DISEASES
    if c.care == "inpatient":
        return INPATIENT
    if c.level == "3":  # outpatient or emergency
        if c.care == "emergency" or c.pediatric:
            return GENERAL_L3
        return EXCLUDED  # L3 outpatient, neither emergency nor pediatric
    return GENERAL  # outpatient or emergency at level 1 or 2


def adjudicate_karamay(data) -> Result:
    person, claims = _validate(data, K_LEVELS, K_CONDITIONS)
    certified = person.certified
    # coverage: assistance recipients never wait; everyone else follows the national rule
    if person.assistance != "none":
        coverage_start = K_START
    else:
        coverage_start = max(national_benefits_start(person, K_START, K_COLLECTION_END), K_START)
    bonus = Decimal(min(max(person.continuous_years - 3, 0), 5))
    needy = person.assistance in K_NEEDY
    bands = K_NEEDY_BANDS if needy else K_GENERAL_BANDS
    ci_cap = None if needy else K_GENERAL_CI_CAP

    order = sorted(claims, key=lambda c: (c.date, c.index))
    visits: dict = {}
    for c in order:
        if c.date < K_START or c.date > K_END or c.date < coverage_start:
            continue  # outside the year or waiting: pays nothing, counts nothing
        benefit = _karamay_benefit(c, certified)
        if (benefit is GENERAL or benefit is GENERAL_L3) and c.institution is not None:
            key = (benefit, c.date, c.institution)
        else:
            key = c.index
        entry = visits.get(key)
        if entry is None:
            visits[key] = (benefit, [c])
        else:
            entry[1].append(c)

    general_visits = 0
    inpatient_ded_highest = None
    l3_ded_highest = None
    general_used = ZERO
    chronic_inpatient_used = ZERO
    two_diseases_used = {"hypertension": ZERO, "diabetes": ZERO}
    ci_burden = ZERO
    ci_paid = ZERO
    paid: dict = {}

    for benefit, group in visits.values():
        if benefit is EXCLUDED:
            continue
        first = group[0]
        covered = first.covered if len(group) == 1 else sum((c.covered for c in group), ZERO)
        offsite_cut = first.location != "local" and first.filing == "temporary"
        level = first.level
        if benefit is GENERAL:
            general_visits += 1
            due = K_GENERAL_DED[level] * (HALF if general_visits >= 2 else 1)
            base = covered - min(due, covered)
            ratio = K_GENERAL_RATIO[level] - (20 if offsite_cut else 0)
            fund = _round(base * ratio / HUNDRED)
            if fund > K_GENERAL_VISIT_CAP[level]:
                fund = K_GENERAL_VISIT_CAP[level]
            left = K_GENERAL_YEAR_CAP - general_used
            if fund > left:
                fund = max(left, ZERO)
            general_used += fund
        elif benefit is GENERAL_L3:
            general_visits += 1
            # READING: ¥20 once a year, in full, never halved (`highest`)
            due = Decimal(20) - (l3_ded_highest or ZERO)
            if due < 0:
                due = ZERO
            l3_ded_highest = max(l3_ded_highest or ZERO, Decimal(20))
            base = covered - min(due, covered)
            ratio = Decimal(70) - (20 if offsite_cut else 0)
            fund = _round(base * ratio / HUNDRED)
            left = K_GENERAL_YEAR_CAP - general_used
            if fund > left:
                fund = max(left, ZERO)
            general_used += fund
        elif benefit is TWO_DISEASES:
            ratio = Decimal(50) - (20 if offsite_cut else 0)
            fund = _round(covered * ratio / HUNDRED)
            cond = first.condition
            left = K_TWO_DISEASES_CAP[cond] - two_diseases_used[cond]
            if fund > left:
                fund = max(left, ZERO)
            two_diseases_used[cond] += fund
        else:  # CHRONIC or INPATIENT
            if benefit is INPATIENT:
                # once a year by the highest level reached: only the difference at a higher level
                standard = K_INPATIENT_DED[level]
                due = standard - (inpatient_ded_highest or ZERO)
                if due < 0:
                    due = ZERO
                inpatient_ded_highest = max(inpatient_ded_highest or ZERO, standard)
                base = covered - min(due, covered)
                ratio = K_INPATIENT_RATIO[level] + bonus
            else:
                base = covered
                ratio = Decimal(65) + bonus
            if offsite_cut:
                ratio -= 20
            fund = _round(base * ratio / HUNDRED)
            left = K_CHRONIC_INPATIENT_CAP - chronic_inpatient_used
            if fund > left:
                fund = max(left, ZERO)
            chronic_inpatient_used += fund
            # critical illness on the year's cumulative personal burden (never grouped: one claim)
            ci = ZERO
            burden = first.covered - fund
            if burden > 0:
                before, ci_burden = ci_burden, ci_burden + burden
                ci = _bands(before, ci_burden, bands)
                if ci_cap is not None and ci > ci_cap - ci_paid:
                    ci = max(ci_cap - ci_paid, ZERO)
                ci_paid += ci
            paid[first.id] = (fund, ci)
            continue
        if len(group) == 1:
            paid[first.id] = (fund, ZERO)
        else:
            for c, share in zip(group, _split(fund, group, covered)):
                paid[c.id] = (share, ZERO)

    # premium
    a = person.assistance
    if a in ("tekun", "orphan"):
        premium = ZERO
    elif a in ("dibao", "severe_disability"):
        premium = Decimal(100)
    elif a == "none" and (person.enrolled_on or K_COLLECTION_END) > K_COLLECTION_END:
        premium = Decimal(1200)
    else:
        premium = Decimal(400)
    if person.long_term_care and a not in ("tekun", "orphan"):
        premium += 53
    return _result(order, paid, premium)


# ---------------------------------------------------------------- Lanzhou 2025

L_START, L_END = dt.date(2025, 9, 1), dt.date(2026, 8, 31)
L_LEVELS = frozenset({"1", "2", "3A", "3B"})
L_CONDITIONS = frozenset({"dialysis", "hypertension", "diabetes", "cancer", "pku", "other_chronic"})
L_INPATIENT_DED = {"3A": Decimal(1400), "3B": Decimal(600), "2": Decimal(400), "1": Decimal(200)}
L_INPATIENT_RATIO = {"3A": Decimal(65), "3B": Decimal(75), "2": Decimal(85), "1": Decimal(90)}
L_INPATIENT_CAP = Decimal(80000)
# bands measured above the ¥5,000 deductible; no annual cap
L_BANDS = ((Decimal(5000), Decimal(15000), Decimal(60)),
           (Decimal(15000), Decimal(25000), Decimal(65)),
           (Decimal(25000), Decimal(55000), Decimal(70)),
           (Decimal(55000), Decimal(105000), Decimal(75)),
           (Decimal(105000), None, Decimal(80)))


def adjudicate_lanzhou(data) -> Result:
    person, claims = _validate(data, L_LEVELS, L_CONDITIONS)
    certified = person.certified
    order = [c for c in sorted(claims, key=lambda c: (c.date, c.index)) if L_START <= c.date <= L_END]
    # Emergency care at the same institution on an admission's day or the day before is settled
    # with the admission (问答 七（五）), as one visit paid where its first claim falls.
    joined_to: dict = {}
    for a in order:
        if a.care == "inpatient" and a.institution is not None:
            for e in order:
                if e.care == "emergency" and e.institution == a.institution and e.index not in joined_to \
                        and a.date - ONE_DAY <= e.date <= a.date:
                    joined_to[e.index] = a
    leads = {a.index for a in joined_to.values()}
    groups: dict = {}
    for c in order:
        lead = joined_to.get(c.index)
        key = lead.index if lead is not None else c.index
        groups.setdefault(key, []).append(c)
    admissions = 0
    inpatient_used = ZERO
    ci_burden = ZERO
    paid: dict = {}
    for key, group in groups.items():
        c = group[-1]
        if c.care != "inpatient" and key not in leads:
            if c.condition is None or c.condition not in certified:
                continue  # general outpatient / emergency: left to the school, pays nothing
            # certified chronic outpatient care: no deductible, dialysis 90%, others 70%, no cap
            shares = [_round(c.covered * (90 if c.condition == "dialysis" else 70) / HUNDRED)]
        else:
            admissions += 1
            covered = c.covered if len(group) == 1 else sum((g.covered for g in group), ZERO)
            # from the 2nd admission the deductible falls by 20% per admission, down to 50%
            due = L_INPATIENT_DED[c.level] * max(100 - 20 * (admissions - 1), 50) / HUNDRED
            base = covered - min(due, covered)
            fund = _round(base * L_INPATIENT_RATIO[c.level] / HUNDRED)
            left = L_INPATIENT_CAP - inpatient_used
            if fund > left:
                fund = max(left, ZERO)
            inpatient_used += fund
            shares = [fund] if len(group) == 1 else _split(fund, group, covered)
        for g, fund in zip(group, shares):
            ci = ZERO
            burden = g.covered - fund
            if burden > 0:
                before, ci_burden = ci_burden, ci_burden + burden
                ci = _bands(before, ci_burden, L_BANDS)
            paid[g.id] = (fund, ci)
    return _result(sorted(claims, key=lambda c: (c.date, c.index)), paid, Decimal(400))


# ---------------------------------------------------------------- dispatch

ADJUDICATORS = {"karamay": adjudicate_karamay, "lanzhou": adjudicate_lanzhou}


def adjudicate(city: str, data) -> Result:
    return ADJUDICATORS[city](data)
