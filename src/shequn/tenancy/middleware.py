"""Console scope: `/w/<workspace>/...` URLs enter that workspace's scope for its members."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from shequn.tenancy import queries
from shequn.tenancy.scope import enter_scope, exit_scope


class TenantScopeMiddleware:
    """Resets the scope after every request, whatever the view (or the API auth) set inside it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = enter_scope(None)
        try:
            return self.get_response(request)
        finally:
            exit_scope(token)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> None:
        slug = view_kwargs.get("workspace")
        if slug is None:
            return
        user = request.user
        if not user.is_authenticated:
            return  # the view's login_required redirects to sign-in
        membership = queries.membership_for_slug(user, slug)
        if membership is None:
            # Another workspace's URL is indistinguishable from one that does not exist.
            raise Http404
        request.workspace = membership.workspace  # type: ignore[attr-defined]
        request.membership = membership  # type: ignore[attr-defined]
        enter_scope(membership.workspace)
