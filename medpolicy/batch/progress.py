"""A one-line progress report on a terminal: claims done, claims/s and the time left.

Shown only when the stream (stderr) is a terminal: a batch run from a script,
a pipe or a scheduler writes nothing but its summary.  The line is redrawn at
most every half second, in place (``\\r``), and wiped before the summary.
The time left is estimated from how much of the input has been read (bytes
for JSON Lines and CSV, rows for Parquet).
"""
from __future__ import annotations

import sys
import time
from typing import Callable, Optional, TextIO


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class Progress:
    """``update(claims, fraction)`` after each chunk; ``close()`` at the end."""

    def __init__(self, enabled: Optional[bool] = None, stream: Optional[TextIO] = None,
                 clock: Callable[[], float] = time.monotonic, interval: float = 0.5):
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled
        self.clock = clock
        self.interval = interval
        self.start = clock()
        self._shown = float("-inf")
        self._width = 0

    def line(self, claims: int, fraction: Optional[float]) -> str:
        elapsed = self.clock() - self.start
        rate = claims / elapsed if elapsed > 0 else 0.0
        parts = [f"{claims:,} claims", f"{rate:,.0f} claims/s"]
        if fraction is not None and 0 < fraction <= 1:
            parts.append(f"{fraction:.0%}")
            if fraction < 1:
                parts.append(f"ETA {_duration(elapsed * (1 - fraction) / fraction)}")
        return " · ".join(parts)

    def update(self, claims: int, fraction: Optional[float] = None) -> None:
        if not self.enabled:
            return
        now = self.clock()
        if now - self._shown < self.interval:
            return
        self._shown = now
        text = self.line(claims, fraction)
        self.stream.write("\r" + text + " " * max(self._width - len(text), 0))
        self.stream.flush()
        self._width = len(text)

    def close(self) -> None:
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0
