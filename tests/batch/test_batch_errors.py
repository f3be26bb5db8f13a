"""A bad scenario or row never stops a run: it goes to the errors file, and every row is
accounted for (rows in = rows out + rows rejected)."""
from __future__ import annotations

import json

import pytest

import medpolicy
from medpolicy.batch import run_batch
from medpolicy.limits import Limits

from .helpers import contract_line, dumps, expected, read_errors, read_lines, write_csv


def _person(mixed, city, index=0):
    return [s for s in mixed if s["policy"] == city][index]


def test_bad_lines_go_to_the_errors_file(tmp_path, mixed):
    good = [_person(mixed, "karamay"), _person(mixed, "lanzhou"), _person(mixed, "karamay", 1)]
    unknown_level = json.loads(dumps(_person(mixed, "karamay", 2)))
    unknown_level["claims"][1]["level"] = "9"
    no_date = json.loads(dumps(_person(mixed, "lanzhou", 1)))
    del no_date["claims"][0]["date"]
    nowhere = dict(json.loads(dumps(_person(mixed, "lanzhou", 2))), policy="nowhere")
    no_policy = {k: v for k, v in _person(mixed, "lanzhou", 3).items() if k != "policy"}
    lines = [
        dumps(good[0]),                                   # 1
        '{"policy": "karamay", "person": {',              # 2 not JSON
        "",                                               # 3 blank: skipped, not a row
        dumps(unknown_level),                             # 4
        dumps(no_date),                                   # 5 a missing field
        dumps(good[1]),                                   # 6
        dumps(nowhere),                                   # 7 an unknown policy
        "[1, 2]",                                         # 8 not a scenario
        None,                                             # 9 not UTF-8
        dumps(no_policy),                                 # 10 no policy anywhere
        dumps(good[2]),                                   # 11
    ]
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"".join((b"\xff\xfe{}" if line is None else line.encode()) + b"\n" for line in lines))

    summary = run_batch(source, tmp_path / "out.jsonl", workers=1, explain=False, progress=False)

    assert read_lines(tmp_path / "out.jsonl") == [contract_line(expected(s, False)) for s in good]
    errors = read_errors(tmp_path / "out.errors.jsonl")
    assert [e["line"] for e in errors] == [2, 4, 5, 7, 8, 9, 10]
    by_line = {e["line"]: e for e in errors}
    assert by_line[2]["person"] is None and by_line[2]["claims"] is None and by_line[2]["kind"] == "scenario"
    assert by_line[2]["message"]["en"].startswith("not valid JSON")
    assert by_line[2]["message"]["zh"].startswith("不是有效的 JSON")
    level = by_line[4]
    assert (level["person"], level["claims"], level["kind"]) == (unknown_level["person"]["id"], 8, "scenario")
    claim_id = unknown_level["claims"][1]["id"]
    assert level["path"] == f"claims[1] (id {claim_id}).level"
    assert level["message"]["en"] == f"claims[1] (id {claim_id}).level: unknown level '9' (one of: 1, 2, 3)"
    assert level["message"]["zh"].startswith(f"claims[1] (id {claim_id}).level：未知的医疗机构级别 '9'")
    missing = by_line[5]
    assert missing["path"] == f"claims[0] (id {no_date['claims'][0]['id']}).date"
    assert missing["message"]["en"].endswith("date: is missing") and missing["message"]["zh"].endswith("缺少此项")
    assert by_line[7]["kind"] == "policy" and "nowhere" in by_line[7]["message"]["en"]
    assert by_line[8]["message"]["en"] == "a scenario is a mapping with person and claims"
    assert by_line[9]["message"] == {"en": "the line is not valid UTF-8", "zh": "这一行不是有效的 UTF-8 编码"}
    assert by_line[10]["path"] == "policy" and "no policy" in by_line[10]["message"]["en"]
    assert "没有政策" in by_line[10]["message"]["zh"]

    assert (summary.rows_in, summary.rows_out, summary.rows_rejected) == (10, 3, 7)
    assert summary.rows_in == summary.rows_out + summary.rows_rejected
    assert summary.claims_in == summary.claims_out + summary.claims_rejected
    assert summary.claims_out == sum(len(s["claims"]) for s in good)
    assert summary.claims_rejected == 8 + 8 + 8 + 8  # the lines that could be read: level, date, policy, none
    assert summary.balanced and not summary.ok
    assert "lines: 10 in = 3 out + 7 rejected" in summary.text("en")
    assert "读入 10 = 写出 3 + 拒收 7" in summary.text("zh")


def test_bad_rows_of_a_claims_table(tmp_path, mixed):
    a, b, c, d = (json.loads(dumps(_person(mixed, "karamay", i))) for i in range(4))
    for person, keep in ((a, 3), (b, 2), (c, 2), (d, 1)):
        person["claims"] = person["claims"][:keep]
    c["claims"][1]["total"] = "12.345"
    source = write_csv(tmp_path / "in.csv", [a, b, c, d])
    header, *rows = source.read_text(encoding="utf-8").splitlines()
    columns = header.split(",")
    at = columns.index("person_id")
    stray = rows[0].split(",")
    stray[at] = ""  # a row without a person id
    differs = rows[4].split(",")
    differs[columns.index("person_continuous_years")] = "9" if b["person"].get("continuous_years") != 9 else "8"
    # rows: a a a, (no id), b b', c c, a again, d
    source.write_text("\n".join([header, *rows[:3], ",".join(stray), rows[3], ",".join(differs), *rows[5:7],
                                 rows[0], rows[7]]) + "\n", encoding="utf-8")

    summary = run_batch(source, tmp_path / "out.jsonl", workers=1, explain=False, progress=False)

    assert read_lines(tmp_path / "out.jsonl") == [contract_line(expected(s, False)) for s in (a, d)]
    errors = read_errors(tmp_path / "out.errors.jsonl")
    assert [(e["rows"], e["person"], e["claims"], e["path"]) for e in errors] == [
        ([4, 4], None, 1, "person_id"),
        ([5, 6], b["person"]["id"], 2, "person_continuous_years"),
        ([7, 8], c["person"]["id"], 2, f"claims[1] (id {c['claims'][1]['id']}).total"),
        ([9, 9], a["person"]["id"], 1, "person_id"),
    ]
    assert errors[0]["message"] == {"en": "person_id: the row has no person id", "zh": "person_id：这一行没有参保人编号"}
    assert "differs from the person's first row (row 5)" in errors[1]["message"]["en"]
    assert "12.345 has more than two decimals" in errors[2]["message"]["en"]
    assert "not consecutive" in errors[3]["message"]["en"] and "请按 person_id 排序" in errors[3]["message"]["zh"]
    assert (summary.rows_in, summary.rows_out, summary.rows_rejected) == (10, 4, 6)
    assert (summary.claims_in, summary.claims_out, summary.claims_rejected) == (10, 4, 6)
    assert (summary.scenarios_in, summary.scenarios_out, summary.scenarios_rejected) == (6, 2, 4)
    assert summary.balanced


def test_an_unexpected_failure_is_reported_and_the_run_goes_on(tmp_path, mixed, monkeypatch):
    import medpolicy.batch.local as local

    def evaluate(policy, data, *args, **kwargs):
        if data["person"]["id"] == mixed[1]["person"]["id"]:
            raise KeyError("boom")
        return medpolicy.evaluate(policy, data, *args, **kwargs)

    monkeypatch.setattr(local, "evaluate", evaluate)
    source = tmp_path / "in.jsonl"
    source.write_text("".join(dumps(s) + "\n" for s in mixed[:3]), encoding="utf-8")
    summary = run_batch(source, tmp_path / "out.jsonl", workers=1, explain=False, progress=False)
    assert summary.scenarios_out == 2 and summary.rows_rejected == 1
    (error,) = read_errors(tmp_path / "out.errors.jsonl")
    assert error["kind"] == "internal" and error["line"] == 2 and "KeyError" in error["message"]["en"]
    assert "内部错误" in error["message"]["zh"]


def test_a_line_over_the_limit_is_refused_without_being_held(tmp_path, mixed):
    source = tmp_path / "in.jsonl"
    small = {"policy": "karamay", "person": {"id": "small"}, "claims": []}
    source.write_text(dumps(mixed[0]) + "\n" + dumps(small) + "\n", encoding="utf-8")
    summary = run_batch(source, tmp_path / "out.jsonl", workers=1, explain=False, progress=False,
                        limits=Limits(max_scenario_bytes=200))
    (error,) = read_errors(tmp_path / "out.errors.jsonl")
    assert error["line"] == 1 and error["message"]["en"] == (
        f"the line is {len(dumps(mixed[0]).encode())} bytes, over the limit of 200")
    assert summary.rows_out == 1 and summary.rows_rejected == 1


def test_the_errors_file_can_be_named_and_is_always_written(tmp_path, mixed):
    source = tmp_path / "in.jsonl"
    source.write_text(dumps(mixed[0]) + "\n", encoding="utf-8")
    summary = run_batch(source, tmp_path / "out.jsonl", errors=tmp_path / "bad.jsonl", workers=1, progress=False)
    assert summary.errors == str(tmp_path / "bad.jsonl") and read_lines(tmp_path / "bad.jsonl") == []
    assert not (tmp_path / "out.errors.jsonl").exists()


def test_a_policy_that_cannot_load_stops_the_run_before_it_writes(tmp_path, mixed):
    source = tmp_path / "in.jsonl"
    source.write_text(dumps(mixed[0]) + "\n", encoding="utf-8")
    with pytest.raises(medpolicy.PolicyNotFound):
        run_batch(source, tmp_path / "out.jsonl", policy="nowhere", workers=1, progress=False)
    broken = tmp_path / "broken.mpol"
    broken.write_text("policy broken {", encoding="utf-8")
    with pytest.raises(medpolicy.PolicyError):
        run_batch(source, tmp_path / "out.jsonl", policy=broken, workers=1, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.mpol", "in.jsonl"]


def test_a_person_over_the_claims_limit_is_refused_whole(tmp_path, mixed):
    persons = [json.loads(dumps(s)) for s in mixed[:4] if s["policy"] == "karamay"]
    persons[0]["claims"] = persons[0]["claims"][:3]
    persons[1]["claims"] = persons[1]["claims"][:5]
    source = write_csv(tmp_path / "in.csv", persons)
    summary = run_batch(source, tmp_path / "out.jsonl", workers=1, explain=False, progress=False,
                        limits=Limits(max_claims=4))
    (error,) = read_errors(tmp_path / "out.errors.jsonl")
    assert (error["rows"], error["person"], error["claims"], error["path"]) == (
        [4, 8], persons[1]["person"]["id"], 5, "claims")
    assert error["message"]["en"] == "claims: 5 claims, over the limit of 4"
    assert (summary.rows_out, summary.rows_rejected) == (3, 5) and summary.balanced


def test_an_output_that_cannot_be_written_stops_the_run(tmp_path, mixed):
    from medpolicy.batch import BatchError

    source = tmp_path / "in.jsonl"
    source.write_text(dumps(mixed[0]) + "\n", encoding="utf-8")
    with pytest.raises(BatchError, match="cannot write .*missing"):
        run_batch(source, tmp_path / "missing" / "out.jsonl", workers=1, progress=False)
    with pytest.raises(BatchError, match="both read and written"):
        run_batch(source, tmp_path / "out.jsonl", errors=source, workers=1, progress=False)


def _dies(payloads):
    """A worker's chunk that the kernel kills (as the OOM killer would)."""
    import os
    import signal

    os.kill(os.getpid(), signal.SIGKILL)


def test_a_worker_killed_from_outside_stops_the_run_cleanly(tmp_path, mixed, monkeypatch):
    from medpolicy.batch import BatchError, local

    monkeypatch.setattr(local, "start_method", lambda: "fork")  # forked workers know this test module
    monkeypatch.setattr(local, "_pool_chunk", _dies)
    source = tmp_path / "in.jsonl"
    source.write_text("".join(dumps(s) + "\n" for s in mixed[:4]), encoding="utf-8")
    with pytest.raises(BatchError, match="a worker process died"):
        run_batch(source, tmp_path / "out.jsonl", workers=2, progress=False, chunk_claims=5)
    assert not (tmp_path / "out.jsonl").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]
