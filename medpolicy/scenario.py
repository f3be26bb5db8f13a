"""Reading and validating scenario files (a public contract).

A scenario is one insured person and one policy year of claims, in YAML or
strict JSON; see ``schemas/scenario.md``.  :func:`load_scenario` parses the
text, :func:`validate` checks every field against the policy (levels,
conditions and categories it declares) and returns a :class:`Scenario`.  Any problem is a
:class:`~medpolicy.errors.ScenarioError` naming the field and the claim.

Amounts are read as exact decimals: YAML and JSON floats never pass through
``float``.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Optional

import attrs
import yaml

from .diagnostics import closest
from .errors import ScenarioError
from .facts import BUILTIN_ENUMS, PERSON_FIELDS, SCENARIO_CLAIM_FIELDS
from .limits import DEFAULT_LIMITS, Limits
from .localize import msg


@attrs.frozen
class Person:
    id: str
    assistance: str = "none"
    continuous_years: Decimal = Decimal(1)
    enrolled_on: Optional[dt.date] = None
    gap_years: Decimal = Decimal(0)
    back_paid_years: Decimal = Decimal(0)
    certified: tuple[str, ...] = ()
    long_term_care: bool = False
    graduates_on: Optional[dt.date] = None
    """The day the student graduates, if known (some schemes extend cover after it)."""
    birth_date: Optional[dt.date] = None
    """The person's date of birth, if known (premiums and benefits may depend on ``age(…)``)."""


@attrs.frozen
class Claim:
    id: str
    date: dt.date
    care: str
    level: str
    total: Decimal
    covered: Decimal
    institution: Optional[str] = None
    condition: Optional[str] = None
    pediatric: bool = False
    location: str = "local"
    filing: str = "none"
    settlement: str = "direct"
    """``manual``: paid first and reimbursed by hand afterwards (手工报销)."""
    absence: str = "none"
    """Where the student was: in term (``none``), on ``break``, on ``leave`` or on an ``internship``."""
    filed_on: Optional[dt.date] = None
    """When the off-site filing (异地就医备案) was made, if the scenario says."""
    submitted_on: Optional[dt.date] = None
    """For a claim settled by hand: when its materials were handed in, if the scenario says."""
    category: Optional[str] = None
    """The claim's category (药品, 定点零售药店购药 …), one the policy declares, if the scenario says."""
    index: int = 0
    """Position in the scenario file (0-based)."""


@attrs.frozen
class Scenario:
    policy: Optional[str]
    person: Person
    claims: tuple[Claim, ...]


PERSON_KEYS = tuple(PERSON_FIELDS)
CLAIM_KEYS = SCENARIO_CLAIM_FIELDS
TOP_KEYS = ("policy", "person", "claims", "expect")
"""``expect`` holds the figures a scenario should give (read by ``medpolicy test``; ignored here)."""


class _DecimalLoader(yaml.SafeLoader):
    """Safe YAML (no object tags) that reads floats as exact decimals and
    refuses documents with more aliases than a scenario ever needs."""

    max_aliases = 100

    def compose_node(self, parent, index):
        if self.check_event(yaml.events.AliasEvent):
            self._aliases = getattr(self, "_aliases", 0) + 1
            if self._aliases > self.max_aliases:
                raise ScenarioError(msg("scenario.aliases"))
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        # A key given twice would silently replace the first (a second `claims:` drops every claim).
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int)):
                continue  # an unhashable key (a mapping) is PyYAML's to refuse, as a YAML error
            if key in seen:
                raise ScenarioError(msg("scenario.duplicate_key", key=str(key), line=key_node.start_mark.line + 1))
            seen.add(key)
        return super().construct_mapping(node, deep)


def _no_duplicate_keys(pairs):
    found = {}
    for key, value in pairs:
        if key in found:
            raise ScenarioError(msg("scenario.duplicate_key.json", key=key))
        found[key] = value
    return found


def _decimal_float(loader, node):
    text = loader.construct_scalar(node)
    try:
        return Decimal(text.replace("_", ""))
    except InvalidOperation:  # .inf, .nan, 1:20.5: the validator says what the field needs
        return text


_PLAIN_INT = re.compile(r"[-+]?(0|[1-9][0-9_]*)")


def _decimal_int(loader, node):
    # YAML 1.1 reads 010 as 8, 0x10 as 16 and 1:20 as 80: in a scenario those are typing slips, kept
    # as the text written, which the validator then refuses or reads as written (010 → 10.00).
    text = loader.construct_scalar(node)
    return int(text.replace("_", "")) if _PLAIN_INT.fullmatch(text) else text


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _decimal_float)
_DecimalLoader.add_constructor("tag:yaml.org,2002:int", _decimal_int)
# Dates stay text until validation, so a bad date is reported with its field.
_DecimalLoader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


def parse_text(text: str, kind: str) -> object:
    """Parse scenario text; ``kind`` is ``json`` or ``yaml``."""
    if kind == "json":
        # A byte-order mark is accepted, as YAML accepts it (editors on Windows write one).
        text = text.removeprefix("\ufeff")
        try:
            return json.loads(text, parse_float=Decimal, parse_int=Decimal,
                              parse_constant=_reject_constant, object_pairs_hook=_no_duplicate_keys)
        except json.JSONDecodeError as exc:
            raise ScenarioError(msg("scenario.json", problem=exc.msg, line=exc.lineno, column=exc.colno)) from None
    return parse_yaml_document(text)[0]


def parse_yaml_document(text: str) -> tuple[object, Optional[yaml.Node]]:
    """Scenario YAML read as :func:`parse_text` reads it, with the node tree it was built from
    (whose marks say where each value is written: policy tests rewrite expected figures in place)."""
    loader = None
    try:
        loader = _DecimalLoader(text)  # reads the text at once: a non-printable character is refused here
        node = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else None), node
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        # PyYAML words the problem itself, in English.
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if mark:
            raise ScenarioError(msg("scenario.yaml", problem=problem, line=mark.line + 1, column=mark.column + 1)) \
                from None
        raise ScenarioError(msg("scenario.yaml.nowhere", problem=problem)) from None
    except (ValueError, OverflowError, InvalidOperation) as exc:
        raise ScenarioError(msg("scenario.yaml.nowhere", problem=str(exc))) from None
    finally:
        if loader is not None:
            loader.dispose()


def _reject_constant(name):
    raise ScenarioError(msg("scenario.json.constant", name=name))


def load_scenario(path: Path, limits: Limits = DEFAULT_LIMITS) -> object:
    """Read and parse a scenario file (not yet validated)."""
    suffix = path.suffix.lower()
    if suffix not in (".json", ".yaml", ".yml"):
        raise ScenarioError(msg("scenario.suffix", suffix=suffix or path.name))
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ScenarioError(msg("scenario.unreadable", path=str(path), reason=exc.strerror)) from None
    if size > limits.max_scenario_bytes:
        raise ScenarioError(msg("scenario.too_big", size=size, limit=limits.max_scenario_bytes))
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(msg("scenario.not_utf8")) from None
    return parse_text(text, "json" if suffix == ".json" else "yaml")


def policy_reference(data: object) -> Optional[str]:
    """The ``policy`` field, read before the policy (and so validation) is known."""
    if isinstance(data, dict):
        value = data.get("policy")
        if value is not None and not isinstance(value, str):
            raise ScenarioError(msg("scenario.policy"), "policy")
        return value
    raise ScenarioError(msg("scenario.not_mapping"))


def validate(data: object, levels, conditions, limits: Limits = DEFAULT_LIMITS, categories=()) -> Scenario:
    """Check a parsed scenario against the policy's declared levels, conditions and (claim) categories."""
    if not isinstance(data, dict):
        raise ScenarioError(msg("scenario.not_mapping"))
    _unknown_keys(data, TOP_KEYS, "")
    if "person" not in data:
        raise ScenarioError(msg("scenario.missing"), "person")
    if "claims" not in data:
        raise ScenarioError(msg("scenario.missing.claims"), "claims")
    person = _person(data["person"], conditions)
    raw_claims = data["claims"]
    if raw_claims is None:
        raw_claims = []
    if not isinstance(raw_claims, list):
        raise ScenarioError(msg("scenario.claims_list"), "claims")
    if len(raw_claims) > limits.max_claims:
        raise ScenarioError(msg("scenario.too_many_claims", count=len(raw_claims), limit=limits.max_claims), "claims")
    claims = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_claims):
        claim = _claim(raw, index, levels, conditions, limits, categories)
        if claim.id in seen:
            raise ScenarioError(msg("scenario.duplicate_id", id=_plain(claim.id), other=seen[claim.id]),
                                f"claims[{index}].id")
        seen[claim.id] = index
        claims.append(claim)
    return Scenario(data.get("policy"), person, tuple(claims))


def _plain(value) -> str:
    """A key or id as shown in an error path: as is when it is a plain word, quoted otherwise,
    so that a message always stays on one line."""
    text = str(value)
    return text if re.fullmatch(r"[\w.-]{1,60}", text) else repr(text[:60])


def _unknown_keys(mapping: dict, allowed, where: str) -> None:
    for key in mapping:
        if key not in allowed:
            hint = closest(str(key), allowed)
            prefix = f"{where}." if where else ""
            if isinstance(key, (int, Decimal)) and not isinstance(key, bool):
                # `{total: 10,000.00}`: YAML reads `total: 10` and a field named 0.00.
                raise ScenarioError(msg("scenario.thousands"), f"{prefix}{_plain(key)}")
            raise ScenarioError(msg("scenario.unknown_field", name=hint) if hint else
                                msg("scenario.unknown_field.list", fields=list(allowed)), f"{prefix}{_plain(key)}")


def _person(raw, conditions) -> Person:
    if not isinstance(raw, dict):
        raise ScenarioError(msg("scenario.mapping"), "person")
    _unknown_keys(raw, PERSON_KEYS, "person")
    if "id" not in raw:
        raise ScenarioError(msg("scenario.missing"), "person.id")
    at = "person."
    certified = raw.get("certified") or []
    if not isinstance(certified, list):
        raise ScenarioError(msg("scenario.certified"), at + "certified")
    for i, cond in enumerate(certified):
        _member(cond, conditions, f"{at}certified[{i}]", "condition")
    return Person(
        id=_text(raw["id"], at + "id"),
        assistance=_member(raw.get("assistance", "none"), BUILTIN_ENUMS["assistance"], at + "assistance",
                           "assistance"),
        continuous_years=_count(raw.get("continuous_years", 1), at + "continuous_years", minimum=1),
        enrolled_on=_optional_date(raw.get("enrolled_on"), at + "enrolled_on"),
        gap_years=_count(raw.get("gap_years", 0), at + "gap_years"),
        back_paid_years=_count(raw.get("back_paid_years", 0), at + "back_paid_years"),
        certified=tuple(certified),
        long_term_care=_bool(raw.get("long_term_care", False), at + "long_term_care"),
        graduates_on=_optional_date(raw.get("graduates_on"), at + "graduates_on"),
        birth_date=_optional_date(raw.get("birth_date"), at + "birth_date"),
    )


_CLAIM_KEY_SET = frozenset(CLAIM_KEYS)
_CARE = frozenset(BUILTIN_ENUMS["care"])
_LOCATION = frozenset(BUILTIN_ENUMS["location"])
_FILING = frozenset(BUILTIN_ENUMS["filing"])
_SETTLEMENT = frozenset(BUILTIN_ENUMS["settlement"])
_ABSENCE = frozenset(BUILTIN_ENUMS["absence"])
_CENT = Decimal("0.01")


def _claim(raw, index: int, levels, conditions, limits: Limits, categories=()) -> Claim:
    # The common case (every field present and well formed) is checked with
    # plain set and type tests; the messages are only built when one fails.
    if not isinstance(raw, dict):
        raise ScenarioError(msg("scenario.mapping"), f"claims[{index}]")
    get = raw.get
    if raw.keys() - _CLAIM_KEY_SET:
        _unknown_keys(raw, CLAIM_KEYS, _where(raw, index))
    for key in ("id", "date", "care", "level", "total"):
        if get(key) is None:
            raise ScenarioError(msg("scenario.missing"), f"{_where(raw, index)}.{key}")
    total = _fast_amount(raw["total"], limits)
    if total is None:
        total = _amount(raw["total"], f"{_where(raw, index)}.total", limits)
    covered_raw = get("covered")
    if covered_raw is None:
        covered = total
    else:
        covered = _fast_amount(covered_raw, limits)
        if covered is None:
            covered = _amount(covered_raw, f"{_where(raw, index)}.covered", limits)
    if covered > total:
        raise ScenarioError(msg("scenario.covered", covered=str(covered), total=str(total)),
                            f"{_where(raw, index)}.covered")
    level = raw["level"]
    if isinstance(level, (int, Decimal)) and not isinstance(level, bool):
        level = str(level)
    care, location, filing = raw["care"], get("location", "local"), get("filing", "none")
    settlement, absence = get("settlement", "direct"), get("absence", "none")
    if get("filed_on") is not None or get("submitted_on") is not None or get("category") is not None:
        return _slow_claim(raw, index, levels, conditions, limits, total, covered, level, categories)
    condition, institution = get("condition"), get("institution")
    pediatric = get("pediatric", False)
    claim_id, date = raw["id"], raw["date"]
    if not (type(claim_id) is str and claim_id.strip() and type(care) is str and care in _CARE
            and type(level) is str and level in levels and type(location) is str and location in _LOCATION
            and type(filing) is str and filing in _FILING
            and type(settlement) is str and settlement in _SETTLEMENT and type(absence) is str and absence in _ABSENCE
            and (condition is None or (type(condition) is str and condition in conditions))
            and (institution is None or (type(institution) is str and institution.strip()))
            and type(pediatric) is bool and type(date) is str and len(date) == 10):
        return _slow_claim(raw, index, levels, conditions, limits, total, covered, level, categories)
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        return _slow_claim(raw, index, levels, conditions, limits, total, covered, level, categories)
    return Claim(claim_id, day, care, level, total, covered, institution, condition, pediatric, location, filing,
                 settlement, absence, index=index)


def _where(raw: dict, index: int) -> str:
    if isinstance(raw.get("id"), (str, int)) and not isinstance(raw.get("id"), bool):
        return f"claims[{index}] (id {_plain(raw['id'])})"
    return f"claims[{index}]"


def _fast_amount(value, limits: Limits):
    """An amount given as text or a number with at most two decimals, within limits; None to check slowly."""
    if type(value) is str:
        try:
            amount = Decimal(value)
        except InvalidOperation:
            return None
    elif type(value) is Decimal:
        amount = value
    else:
        return None
    if amount.is_finite() and 0 <= amount <= limits.max_amount and amount.as_tuple().exponent >= -2:
        return amount.quantize(_CENT)
    return None


def _slow_claim(raw, index: int, levels, conditions, limits: Limits, total, covered, level, categories=()) -> Claim:
    """The same checks, field by field, to say exactly which field is wrong."""
    where = _where(raw, index)
    condition, category = raw.get("condition"), raw.get("category")
    institution = raw.get("institution")
    return Claim(
        id=_text(raw["id"], f"{where}.id"),
        date=_date(raw["date"], f"{where}.date"),
        care=_member(raw["care"], BUILTIN_ENUMS["care"], f"{where}.care", "care"),
        level=_member(level, levels, f"{where}.level", "level"),
        total=total, covered=covered,
        institution=_text(institution, f"{where}.institution") if institution is not None else None,
        condition=_member(condition, conditions, f"{where}.condition", "condition") if condition is not None else None,
        pediatric=_bool(raw.get("pediatric", False), f"{where}.pediatric"),
        location=_member(raw.get("location", "local"), BUILTIN_ENUMS["location"], f"{where}.location", "location"),
        filing=_member(raw.get("filing", "none"), BUILTIN_ENUMS["filing"], f"{where}.filing", "filing"),
        settlement=_member(raw.get("settlement", "direct"), BUILTIN_ENUMS["settlement"], f"{where}.settlement",
                           "settlement"),
        absence=_member(raw.get("absence", "none"), BUILTIN_ENUMS["absence"], f"{where}.absence", "absence"),
        filed_on=_optional_date(raw.get("filed_on"), f"{where}.filed_on"),
        submitted_on=_optional_date(raw.get("submitted_on"), f"{where}.submitted_on"),
        category=_member(category, categories, f"{where}.category", "category") if category is not None else None,
        index=index,
    )


def _text(value, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise ScenarioError(msg("scenario.text"), where)
    text = str(value)
    if not text.strip():
        raise ScenarioError(msg("scenario.empty"), where)
    return text


def _member(value, allowed, where: str, what: str) -> str:
    """``value`` if it is one of ``allowed``; ``what`` is the kind of member (``{x:field}``)."""
    allowed = list(allowed)
    if not isinstance(value, str) or value not in allowed:
        plain = _half_width(value)
        hint = plain if plain in allowed else closest(str(value), allowed)
        if hint:
            raise ScenarioError(msg("scenario.member", what=what, value=repr(value), name=hint), where)
        if not allowed:
            raise ScenarioError(msg("scenario.member.none", what=what, value=repr(value)), where)
        listed = allowed if len(allowed) <= 12 else allowed[:12] + ["…"]
        raise ScenarioError(msg("scenario.member.list", what=what, value=repr(value), allowed=listed), where)
    return value


def _date(value, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        raise ScenarioError(msg("scenario.datetime"), where)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
        plain = _half_width(value)
        if plain is not None and _is_date(plain):
            raise ScenarioError(msg("scenario.half_width", value=repr(value), plain=plain), where)
    raise ScenarioError(msg("scenario.date", value=repr(value)), where)


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _half_width(value) -> Optional[str]:
    """``value`` as typed with the half-width characters a Chinese input method replaced (２０２６ → 2026,
    ￥ → ¥), or None when it has none to replace."""
    if not isinstance(value, str):
        return None
    plain = unicodedata.normalize("NFKC", value)
    return plain if plain != value else None


def _optional_date(value, where: str) -> Optional[dt.date]:
    return None if value is None else _date(value, where)


def _bool(value, where: str) -> bool:
    if not isinstance(value, bool):
        raise ScenarioError(msg("scenario.bool", value=repr(value)), where)
    return value


def _count(value, where: str, minimum: int = 0) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise ScenarioError(msg("scenario.whole", value=repr(value)), where)
    number = Decimal(value)
    if number != number.to_integral_value() or number < minimum or number > 200:
        raise ScenarioError(msg("scenario.whole.range", minimum=minimum, value=str(value)), where)
    return number


def _amount(value, where: str, limits: Limits) -> Decimal:
    if isinstance(value, bool):
        raise ScenarioError(msg("scenario.amount"), where)
    if isinstance(value, float):  # only reachable from callers that bypass our loaders
        value = repr(value)
    try:
        amount = Decimal(str(value).strip()) if isinstance(value, (str, int, Decimal)) else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        plain = (_half_width(value) or str(value)).strip().removeprefix("¥").replace(",", "").strip()
        try:
            readable = plain != str(value) and Decimal(plain).is_finite()
        except InvalidOperation:
            readable = False
        if readable:  # ￥4000, ¥4000, 4,000: an amount is a number of yuan
            raise ScenarioError(msg("scenario.amount.write", value=repr(value), plain=plain), where)
        raise ScenarioError(msg("scenario.amount.not", value=repr(value)), where)
    if amount < 0:
        raise ScenarioError(msg("scenario.amount.negative", value=str(value)), where)
    if amount > limits.max_amount:
        raise ScenarioError(msg("scenario.amount.limit", value=str(value), limit=str(limits.max_amount)), where)
    if amount != amount.quantize(Decimal("0.01")):
        raise ScenarioError(msg("scenario.amount.cents", value=str(value)), where)
    return amount.quantize(Decimal("0.01"))
