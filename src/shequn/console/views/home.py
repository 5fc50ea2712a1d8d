"""The root URL and the workspace's first screen."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from shequn.accounts.queries import api_tokens, pending_invitations
from shequn.audit.queries import audit_events
from shequn.console.overview import DAYS, PERIOD, build_overview
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
    """Charts of the customers' life (followers, adds, group joins, payouts, messages) by event
    day; htmx polls the same URL every few seconds and swaps in just the charts."""
    ws = request.workspace  # type: ignore[attr-defined]
    charts = build_overview(ws.time_zone)
    context: dict[str, object] = {
        "charts": charts,
        "days": DAYS,
        "period": PERIOD,
        "has_data": any(chart.values.count(0) < len(chart.values) for chart in charts),
    }
    if request.headers.get("HX-Request"):
        return render(request, "console/_overview_charts.html", context)
    context.update(
        {
            "member_count": queries.members_of(ws).count(),
            "pending_count": pending_invitations().count(),
            "token_count": api_tokens().filter(revoked_at__isnull=True).count(),
            "recent_events": list(audit_events()[:5]),
        }
    )
    return render(request, "console/overview.html", context)
