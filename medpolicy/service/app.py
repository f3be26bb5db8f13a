"""The Starlette application: routes, request reading, and errors as problem+json.

:func:`create_app` wires a :class:`~medpolicy.service.registry.Registry`
(policies compiled at start, reloaded by a watcher thread) to the routes of
``docs/service.md``.  Request bodies are read in chunks and refused past the
size limit before any parsing; parsing, validation, evaluation and the
rendering of the statement to bytes are CPU work and run in the thread pool,
so that the event loop keeps answering while a large scenario is evaluated.

The evaluation endpoints share ``_json_post`` (read, then run in the pool):
``POST /v1/compare`` is one more (:mod:`medpolicy.compare` underneath).
"""
from __future__ import annotations

import contextlib
import json
import logging
from decimal import Decimal
from http import HTTPStatus
from typing import Any, Callable, Optional
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import evaluate, statement_dict
from ..compare import compare
from ..render_json import comparison_dict
from ..diagnostics import closest
from ..errors import MedpolicyError, ScenarioError
from ..loader import display_path
from ..localize import msg
from ..messages import LANGS
from ..version import __version__
from . import openapi
from .problems import Problem, detail, field_problem, problem_response, relocated, scenario_problem
from .registry import Entry, Registry
from .settings import Settings

log = logging.getLogger("medpolicy.service")

JSON_TYPES = ("application/json",)


def _dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def instance(request: Request) -> str:
    """The request's path as sent (still percent-encoded), so that ``instance`` is a URI reference."""
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if raw else request.url.path
    return quote(path, safe="/%:@!$&'()*+,;=-._~")


def _json(data: Any, status: int = 200) -> Response:
    return Response(_dumps(data), status_code=status, media_type="application/json")


class Service:
    """What the handlers share: the settings and the registry."""

    def __init__(self, settings: Settings, registry: Registry):
        self.settings = settings
        self.registry = registry
        self.limits = settings.limits
        self._openapi: tuple[tuple[str, ...], bytes] = ((), b"")

    # -- request parameters
    def lang(self, request: Request) -> str:
        """The language asked for, else the service's (also for the error about a bad ``lang``)."""
        value = request.query_params.get("lang")
        return value if value in LANGS else self.settings.lang

    def query(self, request: Request) -> tuple[str, bool]:
        lang = self.lang(request)
        value = request.query_params.get("lang")
        if value is not None and value not in LANGS:
            raise field_problem("bad-parameter", "lang", detail("service.lang", lang, value=value), lang)
        explain = request.query_params.get("explain", "true").lower()
        if explain not in ("true", "false", "1", "0"):
            raise field_problem("bad-parameter", "explain",
                                detail("service.explain", lang, value=request.query_params["explain"]), lang)
        return lang, explain in ("true", "1")

    async def body(self, request: Request, lang: str) -> bytes:
        """The request body, refused with 413 as soon as it passes the limit (before parsing)."""
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media and media not in JSON_TYPES and not media.endswith("+json"):
            raise Problem("unsupported-media-type", detail("service.media_type", lang, media_type=media))
        limit = self.settings.max_body_bytes
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise Problem("body-too-large", detail("service.too_large", lang, limit=limit))
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:  # a chunked body has no length to refuse it by in advance
                raise Problem("body-too-large", detail("service.too_large", lang, limit=limit))
            chunks.append(chunk)
        return b"".join(chunks)

    # -- evaluation (runs in the thread pool)
    def entry(self, ref: object, lang: str, path: str) -> Entry:
        """The served policy ``ref`` names (``path`` is the request field it came from)."""
        if ref is None or ref == "":
            raise field_problem("scenario-invalid", path, detail("service.no_policy", lang), lang)
        if not isinstance(ref, str):
            raise field_problem("scenario-invalid", path, detail("service.policy_text", lang), lang)
        entry = self.registry.get(ref)
        if entry is None:
            # Only served ids are looked up: a path in a request is never opened.
            known = self.registry.ids()
            hint = closest(ref, known)
            message = msg("load.unknown.hint", ref=ref, name=hint, known=known) if hint else \
                msg("load.unknown.known", ref=ref, known=known) if known else msg("load.unknown", ref=ref)
            extra = {"policy": ref, "suggestion": hint} if hint else {"policy": ref}
            raise Problem("policy-not-found", message.text(lang), **extra)
        if entry.policy is None:
            error = entry.last_error.as_dict(lang)["message"] if entry.last_error else ""
            raise Problem("policy-unavailable", detail("service.broken", lang, id=ref, message=error), policy=ref)
        return entry

    def evaluate_one(self, data: object, lang: str, explain: bool) -> dict:
        """One scenario (or ``{policy, scenario}`` envelope) into its statement dict."""
        if not isinstance(data, dict):
            raise field_problem("request-invalid", "", detail("service.object", lang), lang)
        scenario, prefix, ref, ref_path = data, "", data.get("policy"), "policy"
        if "scenario" in data:  # the envelope {policy, scenario}: the scenario's own policy field wins
            unknown = sorted(set(data) - {"policy", "scenario"})
            if unknown:
                raise field_problem("request-invalid", str(unknown[0]),
                                    msg("scenario.unknown_field.list", fields=["policy", "scenario"]).text(lang), lang)
            scenario, prefix = data["scenario"], "scenario."
            if isinstance(scenario, dict) and scenario.get("policy") is not None:
                ref, ref_path = scenario["policy"], "scenario.policy"
        entry = self.entry(ref, lang, ref_path)
        try:
            statement = evaluate(entry.policy, scenario, self.limits, explain=explain)
        except ScenarioError as err:
            raise scenario_problem(err, lang, prefix) from None
        except MedpolicyError as err:  # EvaluationError (a limit hit), or any other refusal of this input
            raise Problem("evaluation-failed", err.text(lang)) from None
        return statement_dict(statement, lang)

    def parse(self, raw: bytes, lang: str) -> object:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise Problem("malformed-json", detail("service.utf8", lang)) from None

        def constant(name: str):
            raise Problem("malformed-json", detail("service.json.constant", lang, name=name))

        def unique(pairs):
            found = {}
            for key, value in pairs:
                if key in found:  # the second would silently replace the first
                    raise Problem("malformed-json", detail("service.json.duplicate", lang, key=key))
                found[key] = value
            return found

        try:
            # Numbers stay exact: amounts are Decimal from the first byte, as in scenario files.
            return json.loads(text, parse_float=Decimal, parse_int=Decimal, parse_constant=constant,
                              object_pairs_hook=unique)
        except json.JSONDecodeError as exc:
            raise Problem("malformed-json", detail("service.json", lang, line=exc.lineno, column=exc.colno,
                                                    problem=exc.msg)) from None
        except RecursionError:
            raise Problem("malformed-json", detail("service.json.deep", lang)) from None

    def run_single(self, raw: bytes, lang: str, explain: bool, instance: str) -> bytes:
        return _dumps(self.evaluate_one(self.parse(raw, lang), lang, explain))

    def run_batch(self, raw: bytes, lang: str, explain: bool, instance: str) -> bytes:
        data = self.parse(raw, lang)
        if not isinstance(data, dict):
            raise field_problem("request-invalid", "", detail("service.object", lang), lang)
        unknown = sorted(set(data) - {"scenarios"})
        if unknown:
            raise field_problem("request-invalid", str(unknown[0]),
                                msg("scenario.unknown_field.list", fields=["scenarios"]).text(lang), lang)
        items = data.get("scenarios")
        if not isinstance(items, list):
            raise field_problem("request-invalid", "scenarios", detail("service.scenarios", lang), lang)
        if len(items) > self.settings.max_batch:
            raise field_problem("request-invalid", "scenarios",
                                detail("service.batch", lang, count=len(items), limit=self.settings.max_batch), lang)
        results = []
        for index, item in enumerate(items):
            where = f"{instance}#/scenarios/{index}"
            try:
                results.append({"statement": self.evaluate_one(item, lang, explain)})
            except Problem as problem:
                results.append({"error": relocated(problem, f"scenarios[{index}].", lang).as_dict(lang, where)})
            except Exception:  # noqa: BLE001 - one scenario's failure must not take the others down
                log.exception("batch item %d failed", index)
                results.append({"error": Problem("internal-error", detail("service.internal", lang)).as_dict(lang, where)})
        return _dumps({"results": results})

    def run_compare(self, raw: bytes, lang: str, explain: bool, instance: str) -> bytes:
        """``{"scenario": …, "policies": [ids]}``: the same year under each policy, side by side."""
        data = self.parse(raw, lang)
        if not isinstance(data, dict):
            raise field_problem("request-invalid", "", detail("service.object", lang), lang)
        unknown = sorted(set(data) - {"scenario", "policies"})
        if unknown:
            raise field_problem("request-invalid", str(unknown[0]),
                                msg("scenario.unknown_field.list", fields=["scenario", "policies"]).text(lang), lang)
        ids = data.get("policies")
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            raise field_problem("request-invalid", "policies", detail("service.policies", lang), lang)
        if len(ids) > self.settings.max_batch:
            raise field_problem("request-invalid", "policies",
                                detail("service.batch", lang, count=len(ids), limit=self.settings.max_batch), lang)
        policies = [self.entry(ref, lang, f"policies[{i}]").policy for i, ref in enumerate(ids)]
        try:
            result = compare(data.get("scenario"), policies, self.limits, explain=explain)
        except ScenarioError as err:
            raise scenario_problem(err, lang, "scenario.") from None
        except MedpolicyError as err:
            raise Problem("evaluation-failed", err.text(lang)) from None
        return _dumps(comparison_dict(result, lang))

    # -- documents
    def summary(self, entry: Entry) -> dict:
        p = entry.policy
        return {
            "id": entry.id,
            "title": p.title if p else None,
            "jurisdiction": p.jurisdiction if p else None,
            "period": [p.start.isoformat(), p.end.isoformat()] if p else None,
            "content_hash": p.content_hash if p else None,
            "status": entry.status,
            "serving": p is not None,
            "loaded_at": entry.loaded_at,
        }

    def document(self, entry: Entry, lang: str) -> dict:
        p = entry.policy
        error = entry.last_error.as_dict(lang) if entry.last_error else None
        if error is not None and entry.last_error.error is not None:
            error["sources"] = dict(getattr(entry.last_error.error, "sources", None) or {})
        texts = dict(p.texts) if p else {}
        return {
            **self.summary(entry),
            "path": display_path(entry.path),
            "generation": entry.generation,
            "warnings": [d.as_dict(lang) for d in p.warnings] if p else [],
            "last_error": error,
            **(entry.description or {"parameters": [], "benefits": [], "payers": []}),
            "texts": texts,
        }

    def openapi_bytes(self) -> bytes:
        ids = tuple(self.registry.ids())
        cached_ids, cached = self._openapi
        if cached_ids != ids or not cached:
            cached = _dumps(openapi.build(list(ids)))
            self._openapi = (ids, cached)  # one tuple: read and written whole
        return cached


def create_app(settings: Optional[Settings] = None, registry: Optional[Registry] = None) -> Starlette:
    """The ASGI app; policies are compiled when it starts (its lifespan), not when it is created."""
    settings = settings or Settings()
    registry = registry or Registry(settings.policies, settings.limits, settings.reload_seconds)
    service = Service(settings, registry)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        if not registry.entries():
            await run_in_threadpool(registry.load_all)
        loaded = registry.entries()
        log.info("serving %d policies: %s", len(loaded), ", ".join(f"{e.id} ({e.status})" for e in loaded))
        registry.start()
        try:
            yield
        finally:
            registry.stop()

    async def health(request: Request) -> Response:
        entries = registry.entries()
        return _json({"status": "ok", "version": __version__, "policies": len(entries),
                      "policies_with_errors": sum(1 for e in entries if e.status != "ok")})

    async def list_policies(request: Request) -> Response:
        return _json({"policies": [service.summary(e) for e in registry.entries()]})

    async def get_policy(request: Request) -> Response:
        lang, _ = service.query(request)
        policy_id = request.path_params["policy_id"]
        entry = registry.get(policy_id)
        if entry is None:
            service.entry(policy_id, lang, "policy_id")  # raises the 404 with its suggestion
        return _json(service.document(entry, lang))

    def _json_post(run: Callable[[Service, bytes, str, bool, str], bytes]):
        async def endpoint(request: Request) -> Response:
            lang, explain = service.query(request)
            raw = await service.body(request, lang)
            body = await run_in_threadpool(run, service, raw, lang, explain, instance(request))
            return Response(body, media_type="application/json")
        return endpoint

    async def statement_schema(request: Request) -> Response:
        return _json(openapi.statement_schema())

    async def scenario_schema(request: Request) -> Response:
        schema = openapi.scenario_schema()
        if schema is None:
            raise HTTPException(404, "this installation has no schemas/scenario.schema.json")
        return _json(schema)

    async def openapi_document(request: Request) -> Response:
        return Response(service.openapi_bytes(), media_type="application/json")

    async def on_problem(request: Request, exc: Problem) -> Response:
        return problem_response(exc.as_dict(service.lang(request), instance(request)))

    async def on_http(request: Request, exc: HTTPException) -> Response:
        lang = service.lang(request)
        text = {404: detail("service.route", lang), 405: detail("service.method", lang)}.get(exc.status_code, exc.detail)
        body = {"type": "about:blank", "title": HTTPStatus(exc.status_code).phrase, "status": exc.status_code,
                "detail": text, "instance": instance(request)}
        return problem_response(body, getattr(exc, "headers", None))

    async def on_error(request: Request, exc: Exception) -> Response:
        # Starlette logs the traceback after this answer; the client only learns that it failed.
        lang = service.lang(request)
        return problem_response(Problem("internal-error", detail("service.internal", lang)).as_dict(lang, instance(request)))

    routes = [
        Route("/healthz", health, methods=["GET"]),
        Route("/v1/policies", list_policies, methods=["GET"]),
        Route("/v1/policies/{policy_id}", get_policy, methods=["GET"]),
        Route("/v1/evaluate", _json_post(Service.run_single), methods=["POST"]),
        Route("/v1/evaluate/batch", _json_post(Service.run_batch), methods=["POST"]),
        Route("/v1/compare", _json_post(Service.run_compare), methods=["POST"]),
        Route("/v1/schemas/statement", statement_schema, methods=["GET"]),
        Route("/v1/schemas/scenario", scenario_schema, methods=["GET"]),
        Route("/openapi.json", openapi_document, methods=["GET"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={Problem: on_problem, HTTPException: on_http, Exception: on_error})
    app.state.service = service
    return app


__all__ = ["create_app", "Service"]
