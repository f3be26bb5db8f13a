"""What an operator can tune in the HTTP service, with the defaults it runs with.

One frozen :class:`Settings` is built by ``python -m medpolicy.service`` (or
the CLI's ``serve``) from its options and handed to
:func:`medpolicy.service.create_app`; nothing reads the environment behind
its back except the policy search path (``MEDPOLICY_PATH``) when no policy
folder is given.  The defaults are those of ``docs/service.md``.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Optional

import attrs

from ..limits import DEFAULT_LIMITS, Limits
from ..messages import LANGS


def _positive(instance, attribute, value) -> None:
    if value <= 0:
        raise ValueError(f"{attribute.name} must be positive, not {value!r}")


def _port(instance, attribute, value) -> None:
    # 0 asks the operating system for a free port (tests, benchmarks).
    if not 0 <= value <= 65535:
        raise ValueError(f"port must be 0..65535, not {value!r}")


def _not_negative(instance, attribute, value) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must not be negative, not {value!r}")


def _folder(value) -> Optional[Path]:
    return None if value is None else Path(value)


def _seconds(value) -> Decimal:
    try:
        seconds = Decimal(str(value))
    except ArithmeticError:  # decimal.InvalidOperation
        raise ValueError(f"reload_interval_s must be a number of seconds, not {value!r}") from None
    if not seconds.is_finite():
        raise ValueError(f"reload_interval_s must be a number of seconds, not {value!r}")
    return seconds


@attrs.frozen
class Settings:
    host: str = "127.0.0.1"
    """Interface to listen on; loopback by default, so that exposing the service is a decision."""
    port: int = attrs.field(default=8000, validator=_port)
    """TCP port."""
    policies: Optional[Path] = attrs.field(default=None, converter=_folder)
    """Folder whose ``*.mpol`` files are served (ids are the file names); None serves the
    policies on the search path: each folder of ``MEDPOLICY_PATH``, then the bundled ones."""
    max_body_bytes: int = attrs.field(default=1_048_576, validator=_positive)
    """Largest request body read (1 MiB); a longer one is refused with 413 while it is read."""
    max_claims: int = attrs.field(default=1_000, validator=_positive)
    """Most claims one scenario may hold (the library allows 10,000 for files read locally)."""
    max_batch: int = attrs.field(default=100, validator=_positive)
    """Most scenarios one ``/v1/evaluate/batch`` request may hold."""
    reload_interval_s: Decimal = attrs.field(default=Decimal(2), converter=_seconds, validator=_not_negative)
    """Seconds between two looks at the policy files' modification times; 0 turns reloading off."""
    lang: str = attrs.field(default="zh", validator=attrs.validators.in_(LANGS))
    """Language of statements and problem details when a request has no ``lang``."""
    log_level: str = "info"
    """uvicorn's log level (``critical`` … ``debug``)."""
    access_log: bool = False
    """Log a line per request through uvicorn (off by default: at hundreds of requests a second it would
    drown the reload messages)."""

    @property
    def limits(self) -> Limits:
        """The library limits requests are evaluated under."""
        return attrs.evolve(DEFAULT_LIMITS, max_claims=self.max_claims, max_scenario_bytes=self.max_body_bytes)

    @property
    def reload_seconds(self) -> Optional[float]:
        """The poll interval as the watcher thread sleeps it, or None when reloading is off.

        A timer is the one place a float is wanted: it is never money."""
        return float(self.reload_interval_s) if self.reload_interval_s > 0 else None


__all__ = ["Settings"]
