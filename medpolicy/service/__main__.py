"""``python -m medpolicy.service``: run the HTTP service (the CLI's ``serve`` wraps the same options)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional

from ..errors import MedpolicyError
from ..messages import LANGS
from . import serve
from .settings import Settings


def parser() -> argparse.ArgumentParser:
    d = Settings()
    p = argparse.ArgumentParser(prog="python -m medpolicy.service",
                                description="Serve medpolicy over HTTP (see docs/service.md).")
    p.add_argument("--host", default=d.host, help=f"interface to listen on (default {d.host})")
    p.add_argument("--port", type=int, default=d.port, help=f"TCP port; 0 picks a free one (default {d.port})")
    p.add_argument("--policies", type=Path, default=None, metavar="DIR",
                   help="serve the *.mpol files of DIR (default: MEDPOLICY_PATH, then the bundled policies)")
    p.add_argument("--max-body-bytes", type=int, default=d.max_body_bytes,
                   help=f"largest request body (default {d.max_body_bytes})")
    p.add_argument("--max-claims", type=int, default=d.max_claims,
                   help=f"most claims in one scenario (default {d.max_claims})")
    p.add_argument("--max-batch", type=int, default=d.max_batch,
                   help=f"most scenarios in one batch request (default {d.max_batch})")
    p.add_argument("--reload-interval", default=str(d.reload_interval_s), metavar="SECONDS",
                   help=f"seconds between checks of the policy files; 0 turns reloading off "
                        f"(default {d.reload_interval_s})")
    p.add_argument("--lang", choices=LANGS, default=d.lang, help=f"default language (default {d.lang})")
    p.add_argument("--log-level", default=d.log_level,
                   choices=["critical", "error", "warning", "info", "debug"], help=f"(default {d.log_level})")
    p.add_argument("--access-log", action="store_true", help="log a line per request (default off)")
    return p


def settings_from(argv: Optional[list[str]] = None) -> Settings:
    args = parser().parse_args(argv)
    if args.policies is not None and not args.policies.is_dir():
        parser().error(f"--policies {args.policies}: not a folder")
    try:
        return Settings(host=args.host, port=args.port, policies=args.policies, max_body_bytes=args.max_body_bytes,
                        max_claims=args.max_claims, max_batch=args.max_batch,
                        reload_interval_s=args.reload_interval, lang=args.lang, log_level=args.log_level,
                        access_log=args.access_log)
    except ValueError as err:
        parser().error(str(err))
        raise  # parser().error exits; this keeps type checkers content


def main(argv: Optional[list[str]] = None) -> int:
    settings = settings_from(argv)
    try:
        serve(settings)
    except MedpolicyError as err:  # the extra is missing
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
