"""Source locations.

Every AST node and every diagnostic carries a :class:`Span`.  Spans are
excluded from node equality (see :mod:`medpolicy.ast`), so tests compare
structure, not positions.
"""
from __future__ import annotations

import attrs


@attrs.frozen
class Span:
    """A position in a source file.

    ``file`` is the path as shown to users (``policies/city.mpol`` for a
    bundled policy); ``line`` and ``column`` are 1-based; ``end_line`` and
    ``end_column`` mark where the spanned text stops (exclusive column).
    """

    file: str
    line: int
    column: int
    end_line: int = 0
    end_column: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    @property
    def short(self) -> str:
        """``file:line``, the form the statement cites."""
        return f"{self.file}:{self.line}"


UNKNOWN = Span("<unknown>", 0, 0)


def span_field():
    """An attrs field for a node's span, left out of equality and hashing."""
    return attrs.field(default=UNKNOWN, eq=False, repr=False, kw_only=True)
