"""The progress line: on a terminal only, with claims/s and the time left."""
from __future__ import annotations

import io

from medpolicy.batch import run_batch
from medpolicy.batch.progress import Progress

from .helpers import dumps


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_quiet_unless_a_terminal():
    pipe = io.StringIO()
    progress = Progress(stream=pipe)
    progress.update(1000, 0.5)
    progress.close()
    assert not progress.enabled and pipe.getvalue() == ""


def test_a_line_with_the_rate_and_the_time_left():
    screen, clock = Terminal(), Clock()
    progress = Progress(stream=screen, clock=clock)
    assert progress.enabled
    clock.now += 10
    progress.update(25_000, 0.25)
    assert screen.getvalue() == "\r25,000 claims · 2,500 claims/s · 25% · ETA 0:30"
    clock.now += 0.1
    progress.update(26_000, 0.26)  # too soon: not redrawn
    assert screen.getvalue().count("\r") == 1
    clock.now += 3590
    progress.update(9_000_000, 0.9)
    assert screen.getvalue().endswith("\r9,000,000 claims · 2,500 claims/s · 90% · ETA 6:40")
    progress.close()
    assert screen.getvalue().endswith("\r" + " " * len("9,000,000 claims · 2,500 claims/s · 90% · ETA 6:40") + "\r")


def test_a_run_in_a_pipe_prints_nothing(tmp_path, mixed, capsys):
    source = tmp_path / "in.jsonl"
    source.write_text(dumps(mixed[0]) + "\n", encoding="utf-8")
    run_batch(source, tmp_path / "out.jsonl", workers=1, explain=False)  # progress=None: stderr is no terminal
    assert capsys.readouterr() == ("", "")
