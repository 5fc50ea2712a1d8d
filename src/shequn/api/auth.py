"""Bearer-token authentication: the token picks the workspace and is the acting party.

Every operation runs inside the token's workspace scope and as the token (for the audit log);
GET needs the `read` scope, anything else `write`, and routes marked `admin_scope` need `admin`.
Scopes are cumulative: `admin` includes `write`, which includes `read`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from shequn.accounts import services as account_services
from shequn.accounts.models import ApiToken
from shequn.api.errors import ApiError
from shequn.core.actors import Actor, acting_as
from shequn.core.middleware import client_ip
from shequn.tenancy.scope import tenant_scope

F = TypeVar("F", bound=Callable[..., Any])

READ, WRITE, ADMIN = (
    ApiToken.Scope.READ.value,
    ApiToken.Scope.WRITE.value,
    ApiToken.Scope.ADMIN.value,
)
_IMPLIED: dict[str, frozenset[str]] = {
    READ: frozenset({READ}),
    WRITE: frozenset({READ, WRITE}),
    ADMIN: frozenset({READ, WRITE, ADMIN}),
}
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_ADMIN_MARK = "_shequn_api_admin_scope"


def effective_scopes(token: ApiToken) -> frozenset[str]:
    granted: set[str] = set()
    for scope in token.scopes or ():
        granted |= _IMPLIED.get(scope, frozenset())
    return frozenset(granted)


class TokenAuth(HttpBearer):
    """`Authorization: Bearer shq_...`; answers the active ApiToken or None (→ 401)."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return account_services.authenticate_api_token(token.strip())


def admin_scope(func: F) -> F:
    """Mark an operation as needing the `admin` scope (members, tokens)."""
    setattr(func, _ADMIN_MARK, True)
    return func


def required_scope(request: HttpRequest, func: Callable[..., Any]) -> str:
    if getattr(func, _ADMIN_MARK, False):
        return ADMIN
    return READ if request.method in _SAFE_METHODS else WRITE


def in_token_context(func: F) -> F:
    """Operation decorator (installed on the whole API): scope check, tenant scope and actor."""

    @functools.wraps(func)
    def run(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        token = getattr(request, "auth", None)
        if not isinstance(token, ApiToken):
            # Only unauthenticated operations (none today) get here without a token.
            return func(request, *args, **kwargs)
        needed = required_scope(request, func)
        if needed not in effective_scopes(token):
            raise ApiError(
                403,
                "insufficient_scope",
                _("This token lacks the '%(scope)s' scope.") % {"scope": needed},
                {"required_scope": needed, "token_scopes": sorted(token.scopes or ())},
            )
        actor = Actor(kind="token", label=token.name, token_uid=token.uid, ip=client_ip(request))
        with tenant_scope(token.tenant), acting_as(actor):
            return func(request, *args, **kwargs)

    return cast(F, run)


def current_token(request: HttpRequest) -> ApiToken:
    token = getattr(request, "auth", None)
    if not isinstance(token, ApiToken):  # pragma: no cover - auth runs before every operation
        raise ApiError(401, "unauthenticated", _("Authentication required."))
    return token
