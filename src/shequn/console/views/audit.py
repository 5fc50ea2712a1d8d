"""Settings → Audit log: filterable, paginated; htmx swaps only the table on filter change."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shequn.audit.queries import audit_actions, audit_events
from shequn.console.forms import AuditFilterForm
from shequn.console.views.decorators import workspace_view
from shequn.tenancy.roles import Permission

PER_PAGE = 50


@workspace_view(permission=Permission.VIEW_AUDIT)
def audit(request: HttpRequest, workspace: str) -> HttpResponse:
    form = AuditFilterForm(request.GET or None, actions=audit_actions())
    filters = form.cleaned_data if form.is_valid() else {}
    events = audit_events(
        action=filters.get("action") or "",
        actor=filters.get("actor") or "",
        since=filters.get("since"),
        until=filters.get("until"),
    )
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    template = "console/settings/audit.html"
    if request.htmx and request.htmx.target == "audit-results":  # type: ignore[attr-defined]
        template = "console/settings/audit_table.html"
    return render(request, template, context)
