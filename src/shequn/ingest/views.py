"""Callback endpoints inside Django's URLconf (dev server, tests, live server).

Production traffic reaches the same `receive.handle` through `ingest.wsgi.CallbackDispatcher`,
in front of Django's middleware. These views touch no session, CSRF token or user, and run
outside ATOMIC_REQUESTS: the inbox write is its own transaction.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from shequn.ingest.receive import MAX_BODY_BYTES, TOO_LARGE, Answer, Callback, handle, too_large


def _response(answer: Answer) -> HttpResponse:
    return HttpResponse(answer.body, status=answer.status, content_type=answer.content_type)


def _content_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


@csrf_exempt
@transaction.non_atomic_requests
def callback(request: HttpRequest, kind: str, callback_key: str) -> HttpResponse:
    if too_large(_content_length(request)):
        return _response(TOO_LARGE)
    body = request.read(MAX_BODY_BYTES + 1) if request.method == "POST" else b""
    answer = handle(
        Callback(
            kind=kind,
            key=callback_key,
            method=request.method or "GET",
            query=request.GET.dict(),
            body=body,
            headers=dict(request.headers),
        )
    )
    return _response(answer)
