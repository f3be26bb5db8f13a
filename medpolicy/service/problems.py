"""Every error the service answers, as RFC 9457 ``application/problem+json``.

A handler raises :class:`Problem`; the app's exception handlers turn it (and
Starlette's own 404/405, and any unexpected exception) into one JSON shape:
``type``, ``title``, ``status``, ``detail``, ``instance`` and, for a scenario
whose fields are wrong, ``errors: [{path, message}]``.  Types are stable
URIs documented in ``docs/service.md``; titles and details are worded in the
request's language (``zh`` or ``en``).  A 500 says only that something went
wrong: the traceback goes to the log, never to the client.
"""
from __future__ import annotations

import json
from typing import Any, Optional

from starlette.responses import Response

from ..errors import ScenarioError
from ..localize import say

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://medpolicy.invalid/problems/"

# slug → (status, title in zh, title in en)
TYPES: dict[str, tuple[int, str, str]] = {
    "malformed-json": (400, "请求体不是有效的 JSON", "The request body is not valid JSON"),
    "bad-parameter": (400, "查询参数无效", "A query parameter is not valid"),
    "policy-not-found": (404, "没有这个政策", "No such policy"),
    "body-too-large": (413, "请求体过大", "The request body is too large"),
    "unsupported-media-type": (415, "请求体应为 JSON", "The request body must be JSON"),
    "scenario-invalid": (422, "场景无效", "The scenario is not valid"),
    "request-invalid": (422, "请求格式无效", "The request is not valid"),
    "evaluation-failed": (422, "无法计算此场景", "The scenario could not be evaluated"),
    "policy-unavailable": (503, "政策暂时无法使用", "The policy cannot be used"),
    "internal-error": (500, "服务器内部错误", "Internal server error"),
}

def detail(key: str, lang: str, **args: Any) -> str:
    """The service's own sentence ``service.<key>`` of the catalogue (:mod:`medpolicy.error_messages`)."""
    return say(key, lang, **args)


class Problem(Exception):
    """An error answered as problem+json; ``kind`` is a slug of :data:`TYPES`."""

    def __init__(self, kind: str, detail: str, errors: Optional[list[dict]] = None, **extra: Any):
        super().__init__(detail)
        self.kind, self.detail, self.errors, self.extra = kind, detail, errors, extra

    @property
    def status(self) -> int:
        return TYPES[self.kind][0]

    def as_dict(self, lang: str, instance: str) -> dict:
        status, zh, en = TYPES[self.kind]
        body: dict[str, Any] = {"type": TYPE_BASE + self.kind, "title": zh if lang == "zh" else en,
                                "status": status, "detail": self.detail, "instance": instance}
        if self.errors is not None:
            body["errors"] = self.errors
        body.update(self.extra)
        return body


def scenario_problem(err: ScenarioError, lang: str, prefix: str = "") -> Problem:
    """422 for a scenario the validator refused, with the field it names; ``prefix`` locates the
    scenario in the request (``scenario.``, ``scenarios[3].``)."""
    message = err.message.text(lang) if getattr(err, "message", None) is not None else err.bare_message
    path = (prefix + err.path if err.path else prefix.rstrip(".")) if prefix else err.path
    whole = say("error.at", lang, path=path, message=message) if path else message
    return Problem("scenario-invalid", whole, [{"path": path, "message": message}])


def field_problem(kind: str, path: str, message: str, lang: str) -> Problem:
    """A request whose shape (not its scenario) is wrong, naming the field."""
    return Problem(kind, say("error.at", lang, path=path, message=message) if path else message,
                   [{"path": path, "message": message}])


def relocated(problem: Problem, prefix: str, lang: str) -> Problem:
    """``problem`` about a field of one scenario of a batch: its paths prefixed (``scenarios[3].``)."""
    if not problem.errors:
        return problem
    errors = [{"path": prefix + e["path"] if e["path"] else prefix.rstrip("."), "message": e["message"]}
              for e in problem.errors]
    first = errors[0]
    return Problem(problem.kind, say("error.at", lang, path=first["path"], message=first["message"]), errors,
                   **problem.extra)


def problem_response(body: dict, headers: Optional[dict] = None) -> Response:
    return Response(json.dumps(body, ensure_ascii=False, separators=(",", ":")), status_code=body["status"],
                    media_type=MEDIA_TYPE,
                    headers=headers)


__all__ = ["Problem", "TYPES", "MEDIA_TYPE", "TYPE_BASE", "detail", "scenario_problem", "field_problem",
           "relocated", "problem_response"]
