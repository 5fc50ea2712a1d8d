"""One error format for every API response that is not a success.

    {"error": {"code": "<stable_snake_case>", "message": "<human, translated>", "details": {...}}}

Clients branch on `code`; `message` is for people and follows the request's language.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from shequn.core.logging import get_logger

if TYPE_CHECKING:
    from ninja import NinjaAPI

log = get_logger(__name__)

# Codes for statuses raised without a more specific code (e.g. a bare HttpError).
STATUS_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
}


class ApiError(Exception):
    """Raised by API views for an error the client can act on."""

    def __init__(
        self, status: int, code: str, message: str, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}


def error_response(
    status: int, code: str, message: str, details: dict[str, Any] | None = None
) -> JsonResponse:
    body = {"error": {"code": code, "message": message, "details": details or {}}}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _default_message(status: int) -> str:
    messages = {
        401: _("Authentication required: send 'Authorization: Bearer <token>'."),
        403: _("You do not have permission to do this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        409: _("The request conflicts with the current state."),
        422: _("The request is not valid."),
        429: _("Too many requests. Slow down and retry later."),
        500: _("Internal error. The problem was logged."),
    }
    return messages.get(status, _("The request failed."))


def _roll_back() -> None:
    # The request runs in one transaction (ATOMIC_REQUESTS): an error response must not commit
    # whatever the view wrote before it failed.
    if connection.in_atomic_block:
        transaction.set_rollback(True)


def _field_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    fields = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        location = loc[0] if loc else ""
        # Ninja prefixes the schema argument name for body and grouped query params.
        path = [part for part in loc[1:] if part not in {"payload", "filters", "page"}]
        fields.append(
            {
                "location": location,
                "field": ".".join(path),
                "message": str(error.get("msg", "")),
                "type": str(error.get("type", "")),
            }
        )
    return fields


def _on_api_error(request: HttpRequest, exc: Any) -> HttpResponse:
    _roll_back()
    return error_response(exc.status, exc.code, exc.message, exc.details)


def _on_validation_error(request: HttpRequest, exc: Any) -> HttpResponse:
    _roll_back()
    return error_response(
        422, "validation_error", _default_message(422), {"fields": _field_errors(exc.errors)}
    )


def _on_unauthenticated(request: HttpRequest, exc: Any) -> HttpResponse:
    response = error_response(401, "unauthenticated", _default_message(401))
    response["WWW-Authenticate"] = 'Bearer realm="shequn"'
    return response


def _on_throttled(request: HttpRequest, exc: Any) -> HttpResponse:
    wait = max(1, int(exc.wait + 0.999)) if exc.wait is not None else None
    details = {"retry_after": wait} if wait is not None else {}
    response = error_response(429, "rate_limited", _default_message(429), details)
    if wait is not None:
        response["Retry-After"] = str(wait)
    return response


def _on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
    _roll_back()
    status = exc.status_code
    return error_response(status, STATUS_CODES.get(status, "error"), _default_message(status))


def _on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
    _roll_back()
    return error_response(404, "not_found", _default_message(404))


def _on_permission_denied(request: HttpRequest, exc: Any) -> HttpResponse:
    _roll_back()
    return error_response(403, "forbidden", _default_message(403))


def _on_unexpected(request: HttpRequest, exc: Any) -> HttpResponse:
    _roll_back()
    log.error("api.internal_error", path=request.path, method=request.method, exc_info=exc)
    return error_response(500, "internal_error", _default_message(500))


def install_error_handlers(api: NinjaAPI) -> None:
    """Replace ninja's handlers (which answer {"detail": ...} or re-raise) with ours."""
    api.add_exception_handler(Exception, _on_unexpected)
    api.add_exception_handler(Http404, _on_not_found)
    api.add_exception_handler(PermissionDenied, _on_permission_denied)
    api.add_exception_handler(HttpError, _on_http_error)
    api.add_exception_handler(AuthenticationError, _on_unauthenticated)
    api.add_exception_handler(Throttled, _on_throttled)
    api.add_exception_handler(ValidationError, _on_validation_error)
    api.add_exception_handler(ApiError, _on_api_error)


def json_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a URL's view so that ninja's plain-text 405 also speaks the error format."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            allowed = response.get("Allow", "")
            replacement = error_response(
                405,
                "method_not_allowed",
                _default_message(405),
                {"allowed": sorted(m.strip() for m in allowed.split(",") if m.strip())},
            )
            replacement["Allow"] = allowed
            return replacement
        return response

    return wrapped


def not_found_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Unknown paths under the API answer in the error format, not with an HTML page."""
    return error_response(404, "not_found", _default_message(404))
