"""`medpolicy batch`: runs only once the command is registered in medpolicy/cli.py."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from .helpers import dumps, read_errors, read_lines


def registered():
    from medpolicy.cli import main

    if "batch" not in main.commands:
        pytest.skip("`medpolicy batch` is not registered in medpolicy/cli.py yet")
    return main


def run(main, *args):
    return CliRunner().invoke(main, list(map(str, args)))


def check_a_clean_run(main, tmp_path, mixed):
    source = tmp_path / "in.jsonl"
    source.write_text("".join(dumps(s) + "\n" for s in mixed[:3]), encoding="utf-8")
    result = run(main, "batch", source, "--out", tmp_path / "out.jsonl", "--workers", 1, "--no-explain",
                 "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "lines: 3 in = 3 out + 0 rejected" in result.output
    assert len(read_lines(tmp_path / "out.jsonl")) == 3


def check_refused_rows(main, tmp_path, mixed):
    source = tmp_path / "in.jsonl"
    source.write_text(dumps(mixed[0]) + "\n{\n", encoding="utf-8")
    result = run(main, "batch", source, "--out", tmp_path / "out.parquet", "--workers", 1, "--lang", "zh",
                 "--errors", tmp_path / "bad.jsonl")
    assert result.exit_code == 3, result.output
    assert "行数：读入 2 = 写出 1 + 拒收 1" in result.output
    assert [e["line"] for e in read_errors(tmp_path / "bad.jsonl")] == [2]
    assert (tmp_path / "out.totals.parquet").exists()


def check_an_unusable_input(main, tmp_path):
    source = tmp_path / "in.txt"
    source.write_text("", encoding="utf-8")
    result = run(main, "batch", source, "--out", tmp_path / "out.jsonl", "--lang", "en")
    assert result.exit_code == 2
    assert result.output.startswith("error: cannot read ") and ".jsonl, .ndjson, .csv" in result.output


def check_a_policy_that_fails_to_load(main, tmp_path, mixed):
    source = tmp_path / "in.jsonl"
    source.write_text(dumps(mixed[0]) + "\n", encoding="utf-8")
    result = run(main, "batch", source, "--out", tmp_path / "out.jsonl", "--policy", "nowhere", "--lang", "en")
    assert result.exit_code == 2 and "nowhere" in result.output
    assert not (tmp_path / "out.jsonl").exists()


def test_a_clean_run(tmp_path, mixed):
    check_a_clean_run(registered(), tmp_path, mixed)


def test_refused_rows(tmp_path, mixed):
    pytest.importorskip("pyarrow")
    check_refused_rows(registered(), tmp_path, mixed)


def test_an_unusable_input(tmp_path):
    check_an_unusable_input(registered(), tmp_path)


def test_a_policy_that_fails_to_load(tmp_path, mixed):
    check_a_policy_that_fails_to_load(registered(), tmp_path, mixed)
