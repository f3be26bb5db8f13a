"""medpolicy as an HTTP service: evaluate scenarios over JSON, policies compiled once.

An ASGI application (Starlette, served by uvicorn) around the library:
:mod:`.settings` (what an operator tunes), :mod:`.registry` (policies
compiled at start and reloaded when their files change), :mod:`.describe`
(a policy as JSON data), :mod:`.problems` (errors as RFC 9457
problem+json), :mod:`.openapi` (the OpenAPI 3.1 document) and :mod:`.app`
(the routes).  Run it with ``python -m medpolicy.service`` or
:func:`serve`; the endpoints are described in ``docs/service.md``.  Needs
the ``service`` extra (``pip install 'medpolicy[service]'``).
"""
from __future__ import annotations

import importlib.util
import logging
from typing import Any

from ..errors import MedpolicyError
from ..localize import msg
from .settings import Settings

__all__ = ["create_app", "Settings", "serve"]


def __getattr__(name: str) -> Any:
    # Starlette is imported on first use, so that a missing extra is reported by
    # serve() as a sentence, not by an ImportError when this package is imported.
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(name)


def serve(settings: Settings) -> None:
    """Run the service under uvicorn until interrupted; raise MedpolicyError if the extra is missing."""
    missing = [name for name in ("starlette", "uvicorn") if importlib.util.find_spec(name) is None]
    if missing:
        raise MedpolicyError(msg("cli.needs_service", names=missing))
    import uvicorn

    from .app import create_app

    # uvicorn configures its own loggers; the service's (loads, reloads) go to the same stream.
    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s:     %(name)s: %(message)s")
    # One process, one registry: policies are compiled once and reloaded by its watcher.
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level=settings.log_level,
                access_log=settings.access_log)
