"""Fixtures of the batch tests (helpers in helpers.py)."""
from __future__ import annotations

import pytest

from .helpers import mixed_population


@pytest.fixture(scope="module")
def mixed() -> list[dict]:
    """Karamay and Lanzhou persons interleaved, then the Shanghai examples."""
    return mixed_population()
