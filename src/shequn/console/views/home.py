"""The root URL and the workspace's first screen."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from shequn.accounts.queries import api_tokens, pending_invitations
from shequn.audit.queries import audit_events
from shequn.console.views.decorators import workspace_view
from shequn.tenancy import queries


@login_required
def home(request: HttpRequest) -> HttpResponse:
    first = queries.memberships_of(request.user).first()
    if first is None:
        return render(request, "console/no_workspace.html")
    return redirect("console:overview", workspace=first.workspace.slug)


@login_required
def workspace_home(request: HttpRequest, workspace: str) -> HttpResponse:
    return redirect("console:overview", workspace=workspace)


@workspace_view()
def overview(request: HttpRequest, workspace: str) -> HttpResponse:
    ws = request.workspace  # type: ignore[attr-defined]
    context = {
        "member_count": queries.members_of(ws).count(),
        "pending_count": pending_invitations().count(),
        "token_count": api_tokens().filter(revoked_at__isnull=True).count(),
        "recent_events": list(audit_events()[:5]),
    }
    return render(request, "console/overview.html", context)
