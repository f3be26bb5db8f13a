"""Coverage-guided fuzz target (atheris) for the parser and the checker.

Every input must end in a clean check or a PolicyError with diagnostics;
any other exception is a crash, and the input that caused it belongs in
tests/fuzz_regressions/ as a regression case.

    python3 -m pip install atheris
    mkdir -p /tmp/corpus && cp policies/*.mpol tests/diagnostics/*.mpol /tmp/corpus/
    python3 fuzz/fuzz_policy.py /tmp/corpus -max_total_time=600      # ten minutes
"""
from __future__ import annotations

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

with atheris.instrument_imports():
    import medpolicy
    from medpolicy.errors import PolicyError


def test_one_input(data: bytes) -> None:
    text = data.decode("utf-8", errors="replace")
    try:
        medpolicy.check_source(text, "fuzz.mpol")
    except PolicyError as err:
        if not err.diagnostics:
            raise AssertionError("a PolicyError without diagnostics") from None


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
