"""`workspace_view`: every console page inside a workspace goes through it."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from shequn.tenancy.roles import Permission

View = Callable[..., HttpResponse]


def workspace_view(*, permission: Permission = Permission.VIEW) -> Callable[[View], View]:
    """Sign-in required, membership required (the tenancy middleware), then the role's permission.

    The workspace's time zone is active for the request so every time shown is the brand's local
    time, whichever office the reader sits in.
    """

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = getattr(request, "membership", None)
            if membership is None:
                # The middleware sets it for every /w/<workspace>/ URL of a member; without it the
                # URL is not a workspace page at all.
                raise Http404
            timezone.activate(membership.workspace.time_zone)
            try:
                if not membership.allows(permission):
                    return render(request, "console/forbidden.html", status=403)
                return view(request, *args, **kwargs)
            finally:
                timezone.deactivate()

        return login_required(wrapped)

    return decorate
