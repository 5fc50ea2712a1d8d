"""Per-request context: a request id in every log line and the acting user for the audit log."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import structlog
from django.http import HttpRequest, HttpResponse

from shequn.core.actors import ANONYMOUS, Actor, acting_as


def client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "")


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex[:16]
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        # The actor is refined once authentication has run (see accounts.middleware).
        with acting_as(Actor(kind=ANONYMOUS.kind, label=ANONYMOUS.label, ip=client_ip(request))):
            response = self.get_response(request)
        response["X-Request-Id"] = request_id
        structlog.contextvars.clear_contextvars()
        return response
