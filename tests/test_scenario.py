"""Scenario validation: every bad field is one clear error naming field and claim."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from medpolicy.errors import ScenarioError
from medpolicy.scenario import parse_text, validate

LEVELS = ["1", "2", "3"]
CONDITIONS = ["pku", "dialysis"]


def scenario(**claim_fields):
    claim = {"id": "c1", "date": "2026-03-02", "care": "outpatient", "level": "1", "total": Decimal("100.00")}
    claim.update(claim_fields)
    return {"policy": "karamay", "person": {"id": "s1"}, "claims": [claim]}


def error_of(data) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        validate(data, LEVELS, CONDITIONS)
    return info.value


def test_defaults_are_filled_in():
    result = validate(scenario(), LEVELS, CONDITIONS)
    person, claim = result.person, result.claims[0]
    assert person.assistance == "none" and person.continuous_years == 1 and person.gap_years == 0
    assert person.enrolled_on is None and person.certified == () and person.long_term_care is False
    assert claim.covered == Decimal("100.00")  # covered defaults to total
    assert claim.location == "local" and claim.filing == "none" and claim.pediatric is False
    assert claim.settlement == "direct" and claim.absence == "none"
    assert claim.date == dt.date(2026, 3, 2)


@pytest.mark.parametrize("fields, path, words", [
    ({"colour": "red"}, "claims[0] (id c1).colour", "unknown field"),
    ({"totl": 5}, "claims[0] (id c1).totl", "did you mean 'total'?"),
    ({"level": "4"}, "claims[0] (id c1).level", "unknown level '4'"),
    ({"care": "inpatien"}, "claims[0] (id c1).care", "did you mean 'inpatient'?"),
    ({"total": Decimal("-1")}, "claims[0] (id c1).total", "must not be negative"),
    ({"covered": Decimal("200")}, "claims[0] (id c1).covered", "more than total"),
    ({"date": "2026-02-30"}, "claims[0] (id c1).date", "is not a date"),
    ({"date": "tomorrow"}, "claims[0] (id c1).date", "is not a date"),
    ({"total": "12.345"}, "claims[0] (id c1).total", "more than two decimals"),
    ({"total": "1e12"}, "claims[0] (id c1).total", "over the limit"),
    ({"total": "abc"}, "claims[0] (id c1).total", "not an amount"),
    ({"total": True}, "claims[0] (id c1).total", "amount in yuan"),
    ({"condition": "flu"}, "claims[0] (id c1).condition", "unknown condition 'flu'"),
    ({"pediatric": "yes"}, "claims[0] (id c1).pediatric", "true or false"),
    ({"filing": "temp"}, "claims[0] (id c1).filing", "unknown filing"),
    ({"location": "abroad"}, "claims[0] (id c1).location", "unknown location"),
    ({"settlement": "manuel"}, "claims[0] (id c1).settlement", "did you mean 'manual'?"),
    ({"settlement": True}, "claims[0] (id c1).settlement", "unknown settlement"),
    ({"absence": "vacation"}, "claims[0] (id c1).absence", "unknown absence"),
    ({"filed_on": "2026-13-01"}, "claims[0] (id c1).filed_on", "is not a date"),
    ({"submitted_on": 20260301}, "claims[0] (id c1).submitted_on", "is not a date"),
    ({"care": "observe"}, "claims[0] (id c1).care", "did you mean 'observation'?"),
])
def test_bad_claim_fields_name_the_field_and_the_claim(fields, path, words):
    err = error_of(scenario(**fields))
    assert err.path == path
    assert words in str(err)
    assert "\n" not in str(err)


def test_how_a_claim_is_settled_and_where_the_student_was_are_read():
    claim = validate(scenario(settlement="manual", absence="break"), LEVELS, CONDITIONS).claims[0]
    assert (claim.settlement, claim.absence) == ("manual", "break")
    assert (claim.filed_on, claim.submitted_on) == (None, None)
    claim = validate(scenario(filed_on="2026-02-01", submitted_on=dt.date(2026, 5, 1)), LEVELS, CONDITIONS).claims[0]
    assert (claim.filed_on, claim.submitted_on) == (dt.date(2026, 2, 1), dt.date(2026, 5, 1))
    assert claim.index == 0 and claim.date == dt.date(2026, 3, 2)


def test_claims_keep_their_place_in_the_file_whatever_path_reads_them():
    data = scenario()
    first = data["claims"][0]
    data["claims"] = [dict(first, id="a"), dict(first, id="b", filed_on="2026-01-01"), dict(first, id="c")]
    assert [c.index for c in validate(data, LEVELS, CONDITIONS).claims] == [0, 1, 2]


def test_a_graduation_date_is_read():
    data = scenario()
    data["person"]["graduates_on"] = "2026-06-30"
    assert validate(data, LEVELS, CONDITIONS).person.graduates_on == dt.date(2026, 6, 30)
    data["person"]["graduates_on"] = "June"
    assert error_of(data).path == "person.graduates_on"


def test_a_birth_date_is_read_and_a_bad_one_is_refused_by_name():
    data = scenario()
    assert validate(data, LEVELS, CONDITIONS).person.birth_date is None
    data["person"]["birth_date"] = "2008-02-29"
    assert validate(data, LEVELS, CONDITIONS).person.birth_date == dt.date(2008, 2, 29)
    data["person"]["birth_date"] = "2007-02-29"  # no such day
    assert error_of(data).path == "person.birth_date"
    data["person"]["birth_date"] = "born"
    assert error_of(data).path == "person.birth_date"


def test_missing_fields():
    data = scenario()
    del data["claims"][0]["total"]
    assert error_of(data).path == "claims[0] (id c1).total"
    assert error_of({"person": {"id": "s"}}).path == "claims"
    assert error_of({"claims": []}).path == "person"
    assert error_of({"person": {}, "claims": []}).path == "person.id"


def test_person_fields_are_checked():
    data = scenario()
    data["person"]["assistance"] = "poor"
    assert "unknown assistance status 'poor'" in str(error_of(data))
    data["person"] = {"id": "s", "certified": ["pkk"]}
    err = error_of(data)
    assert err.path == "person.certified[0]" and "did you mean 'pku'?" in str(err)
    data["person"] = {"id": "s", "continuous_years": 0}
    assert error_of(data).path == "person.continuous_years"
    data["person"] = {"id": "s", "gap_years": 1.5}
    assert error_of(data).path == "person.gap_years"
    data["person"] = {"id": "s", "enrolled_on": "2025-13-01"}
    assert error_of(data).path == "person.enrolled_on"


def test_duplicate_claim_ids_are_refused():
    data = scenario()
    data["claims"].append(dict(data["claims"][0]))
    err = error_of(data)
    assert err.path == "claims[1].id" and "also claim 0's" in str(err)


def test_yaml_floats_are_read_exactly():
    data = parse_text("person: {id: s}\nclaims:\n  - {id: a, date: 2026-01-02, care: inpatient, level: 1, "
                      "total: 0.1, covered: 0.10}\n", "yaml")
    claim = validate(data, LEVELS, CONDITIONS).claims[0]
    assert claim.total == Decimal("0.10") and isinstance(claim.total, Decimal)
    assert claim.level == "1"  # an unquoted YAML level number is read as its id


def test_json_is_strict_and_exact():
    data = parse_text('{"person": {"id": "s"}, "claims": [{"id": "a", "date": "2026-01-02", "care": "inpatient",'
                      ' "level": "1", "total": 1234.56}]}', "json")
    assert validate(data, LEVELS, CONDITIONS).claims[0].total == Decimal("1234.56")
    with pytest.raises(ScenarioError, match="not valid JSON"):
        parse_text('{"person": NaN}', "json")
    with pytest.raises(ScenarioError, match="not valid JSON"):
        parse_text("{'single': 'quotes'}", "json")


def test_yaml_is_loaded_safely():
    with pytest.raises(ScenarioError, match="not valid YAML"):
        parse_text("person: !!python/object/apply:os.system ['echo hi']\nclaims: []\n", "yaml")
    # Each level refers three times to the one before: 3**40 leaves if expanded.
    bomb = "l0: &l0 [x, x, x]\n" + "".join(f"l{i}: &l{i} [*l{i - 1}, *l{i - 1}, *l{i - 1}]\n" for i in range(1, 41))
    with pytest.raises(ScenarioError, match="too many aliases"):
        parse_text(bomb, "yaml")


def test_a_scenario_must_be_a_mapping():
    assert "mapping" in str(error_of([1, 2]))
    data = scenario()
    data["claims"] = {"c1": {}}
    assert error_of(data).path == "claims"


def test_a_thousands_separator_in_a_flow_mapping_is_named():
    # `{…, total: 10,000.00}`: YAML reads `total: 10` and a field 0.00; "unknown field" pointed nowhere useful.
    from medpolicy.scenario import parse_text

    data = parse_text('person: {id: s1}\nclaims:\n  - {id: c1, date: 2026-03-02, care: outpatient, level: "1",'
                      ' total: 10,000.00}\n', "yaml")
    error = error_of(data)
    assert "thousands separators (10000.00, not 10,000.00)" in error.text("en")


def test_a_mapping_used_as_a_key_is_a_scenario_error_not_a_crash():
    # Found by test_robustness's random YAML: the duplicate-key check tried to remember an unhashable key.
    from medpolicy.errors import ScenarioError
    from medpolicy.scenario import parse_text

    with pytest.raises(ScenarioError):
        parse_text("? {a: 1}\n: x\n", "yaml")


@pytest.mark.parametrize("fields, words", [
    # a Chinese input method types full-width characters; the message says what to type instead
    ("total: ￥4000", "'￥4000' is not an amount in yuan: write 4000"),
    ("total: ¥4000", "'¥4000' is not an amount in yuan: write 4000"),
    ("total: '4,000.50'", "'4,000.50' is not an amount in yuan: write 4000.50"),
    ('total: 1, date: ２０２６-03-02', "'２０２６-03-02' is typed with full-width characters (a Chinese input method): "
                                     "write 2026-03-02"),
    ('total: 1, level: "１"', "unknown level '１'; did you mean '1'?"),
    # YAML 1.1 reads these as numbers (.inf as infinity, 010 as 8, 0x10 as 16, 1:20 as 80): kept as written
    ("total: .inf", "'.inf' is not an amount in yuan"),
    ("total: 0x10", "'0x10' is not an amount in yuan"),
    ("total: 1:20", "'1:20' is not an amount in yuan"),
    ("total: 1, level: 010", "unknown level '010'"),
])
def test_slips_of_the_keyboard_and_yaml_1_1_numbers_are_named(fields, words):
    from medpolicy.scenario import parse_text

    claim = "{id: c1, date: 2026-03-02, care: outpatient, level: \"1\", " + fields + "}"
    if "date: ２" in fields:
        claim = claim.replace("date: 2026-03-02, ", "")
    if "level: " in fields:
        claim = claim.replace('level: "1", ', "")
    error = error_of(parse_text("person: {id: s1}\nclaims:\n  - " + claim + "\n", "yaml"))
    assert words in error.text("en")


def test_a_leading_zero_amount_is_read_as_written():
    from medpolicy.scenario import parse_text

    data = parse_text('person: {id: s1}\nclaims:\n  - {id: c1, date: 2026-03-02, care: outpatient, level: "1",'
                      " total: 010}\n", "yaml")
    assert validate(data, LEVELS, CONDITIONS).claims[0].total == Decimal("10.00")   # not 8 (YAML 1.1 octal)
