"""Console → Contacts → Segments: list, builder with a live count, and a segment as a saved view."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequn.channels.models import OfficialAccount
from shequn.console.views.decorators import workspace_view
from shequn.contacts import queries as contact_queries
from shequn.contacts.models import CustomerGroup
from shequn.segments import builder_form, queries, services
from shequn.segments.models import Segment
from shequn.segments.rules import RuleInvalid
from shequn.tenancy.access import access_by_uid
from shequn.tenancy.roles import Permission

PAGE_SIZE = 50


def _can_edit(request: HttpRequest) -> bool:
    return bool(request.membership.allows(Permission.OPERATE))  # type: ignore[attr-defined]


@workspace_view()
def segment_list(request: HttpRequest, workspace: str) -> HttpResponse:
    rows = [(segment, queries.count(segment)) for segment in queries.segments()]
    return render(request, "segments/list.html", {"rows": rows, "can_edit": _can_edit(request)})


def _choices() -> dict[str, Any]:
    return {
        "tags": list(contact_queries.tags_with_counts()),
        "definitions": list(contact_queries.attribute_definitions()),
        "groups": list(CustomerGroup.objects.order_by("name", "chat_id")),
        "accounts": list(OfficialAccount.objects.order_by("name")),
        "kinds": [
            ("has_tag", _("Has tag")),
            ("lacks_tag", _("Lacks tag")),
            ("attribute", _("Attribute")),
            ("last_activity", _("Last activity")),
            ("source_channel", _("Source channel")),
            ("in_group", _("In customer group")),
            ("in_any_group", _("In any customer group")),
            ("not_in_any_group", _("Not in any customer group")),
            ("follows", _("Follows official account")),
            ("subscribed", _("Follows any official account")),
        ],
    }


def _builder(
    request: HttpRequest,
    segment: Segment | None,
    state: builder_form.BuilderState,
    errors: list[str],
    name: str,
    description: str,
    status: int = 200,
) -> HttpResponse:
    context = {
        "segment": segment,
        "state": state,
        "errors": errors,
        "name": name,
        "description": description,
        **_choices(),
        **_preview(state),
    }
    return render(request, "segments/builder.html", context, status=status)


def _save(request: HttpRequest, segment: Segment | None) -> HttpResponse:
    state = builder_form.from_post(request.POST)
    name = request.POST.get("name", "")
    description = request.POST.get("description", "")
    try:
        if segment is None:
            segment = services.create_segment(name, state.tree(), description)
        else:
            services.update_segment(
                segment, name=name, rule_tree=state.tree(), description=description
            )
    except RuleInvalid as exc:
        return _builder(request, segment, state, exc.errors, name, description, status=422)
    flash.success(request, _("Segment saved."))
    return redirect("console:segments_members", workspace=request.workspace.slug, uid=segment.uid)  # type: ignore[attr-defined]


@workspace_view(permission=Permission.OPERATE)
def segment_new(request: HttpRequest, workspace: str) -> HttpResponse:
    if request.method == "POST":
        return _save(request, None)
    state = builder_form.BuilderState(rows=[builder_form.blank_row()])
    return _builder(request, None, state, [], "", "")


@workspace_view(permission=Permission.OPERATE)
def segment_edit(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    segment = access_by_uid(Segment, uid)
    if request.method == "POST":
        return _save(request, segment)
    state = builder_form.from_tree(segment.rules)
    return _builder(request, segment, state, [], segment.name, segment.description)


@require_POST
@workspace_view(permission=Permission.OPERATE)
def segment_rows(request: HttpRequest, workspace: str) -> HttpResponse:
    """htmx: the rows after adding, removing or changing a condition's kind, with the count."""
    state = builder_form.from_post(request.POST)
    if request.POST.get("add") and len(state.rows) < builder_form.MAX_ROWS:
        state.rows.append(builder_form.blank_row())
    context = {"state": state, **_choices(), **_preview(state)}
    return render(request, "segments/_rows.html", context)


def _preview(state: builder_form.BuilderState) -> dict[str, Any]:
    try:
        return {"count": queries.preview(state.tree()), "preview_errors": []}
    except RuleInvalid as exc:
        return {"count": None, "preview_errors": exc.errors}


@require_POST
@workspace_view(permission=Permission.OPERATE)
def segment_preview(request: HttpRequest, workspace: str) -> HttpResponse:
    """htmx: the live count of the rules being edited (debounced by the page)."""
    context = _preview(builder_form.from_post(request.POST))
    return render(request, "segments/_count.html", context)


@require_POST
@workspace_view(permission=Permission.OPERATE)
def segment_delete(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    services.delete_segment(access_by_uid(Segment, uid))
    flash.success(request, _("Segment deleted."))
    return redirect("console:segments", workspace=workspace)


@workspace_view()
def segment_members(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    """The contact list filtered by a segment: the console's saved views."""
    segment = access_by_uid(Segment, uid)
    found = queries.member_contacts(segment).order_by("-created_at", "-id")
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "segment": segment,
        "page": page,
        "total": page.paginator.count,
        "saved_views": list(queries.segments()),
        "can_edit": _can_edit(request),
    }
    return render(request, "segments/members.html", context)
