"""Console → Contacts: custom attribute definitions and the follower import of each account."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequn.channels import queries as channel_queries
from shequn.channels.models import OfficialAccount
from shequn.console.views.decorators import workspace_view
from shequn.contacts import queries, services
from shequn.contacts.forms import AttributeDefinitionForm, AttributeEditForm, choice_lines
from shequn.contacts.models import AttributeDefinition, SyncRun
from shequn.tenancy.access import access_by_uid
from shequn.tenancy.roles import Permission


def _can_edit(request: HttpRequest) -> bool:
    return bool(request.membership.allows(Permission.OPERATE))  # type: ignore[attr-defined]


# -- attribute definitions -------------------------------------------------------------------


def _attributes_page(request: HttpRequest, status: int = 200, **extra: Any) -> HttpResponse:
    context = {
        "definitions": list(queries.attribute_definitions()),
        "can_edit": _can_edit(request),
        "form": AttributeDefinitionForm(),
        **extra,
    }
    return render(request, "contacts/attributes.html", context, status=status)


def _to_attributes(workspace: str) -> HttpResponse:
    return redirect("console:contacts_attributes", workspace=workspace)


@workspace_view()
def attribute_list(request: HttpRequest, workspace: str) -> HttpResponse:
    if request.method != "POST":
        return _attributes_page(request)
    if not _can_edit(request):
        return render(request, "console/forbidden.html", status=403)
    form = AttributeDefinitionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                definition = services.define_attribute(
                    key=data["key"],
                    label=data["label"],
                    value_type=data["value_type"],
                    choices=choice_lines(data["choices"]),
                    derive_age_months=data["derive_age_months"],
                )
        except services.AttributeValueError as exc:
            form.add_error(None, str(exc))
        else:
            flash.success(request, _("Attribute “%(label)s” added.") % {"label": definition.label})
            return _to_attributes(workspace)
    return _attributes_page(request, status=422, form=form)


@require_POST
@workspace_view(permission=Permission.OPERATE)
def attribute_edit(request: HttpRequest, workspace: str, uid: object) -> HttpResponse:
    definition = access_by_uid(AttributeDefinition, str(uid))
    form = AttributeEditForm(request.POST)
    if not form.is_valid():
        flash.error(request, _("An attribute needs a key and a label."))
        return _to_attributes(workspace)
    data = form.cleaned_data
    is_choice = definition.value_type == AttributeDefinition.Type.CHOICE
    try:
        with transaction.atomic():
            services.update_attribute_definition(
                definition,
                label=data["label"],
                choices=choice_lines(data["choices"]) if is_choice else None,
                derive_age_months=(
                    data["derive_age_months"]
                    if definition.value_type == AttributeDefinition.Type.DATE
                    else None
                ),
            )
    except services.AttributeValueError as exc:
        flash.error(request, str(exc))
    else:
        flash.success(request, _("Attribute “%(label)s” saved.") % {"label": definition.label})
    return _to_attributes(workspace)


@require_POST
@workspace_view(permission=Permission.OPERATE)
def attribute_move(request: HttpRequest, workspace: str, uid: object) -> HttpResponse:
    definition = access_by_uid(AttributeDefinition, str(uid))
    services.move_attribute_definition(definition, -1 if request.POST.get("to") == "up" else 1)
    return _to_attributes(workspace)


# -- follower import -------------------------------------------------------------------------


@workspace_view()
def sync_page(request: HttpRequest, workspace: str) -> HttpResponse:
    rows = [
        {"account": a, "run": queries.latest_sync_run(a.pk)}
        for a in channel_queries.official_accounts().order_by("name")
    ]
    return render(request, "contacts/sync.html", {"rows": rows, "can_edit": _can_edit(request)})


@require_POST
@workspace_view(permission=Permission.OPERATE)
def sync_start(request: HttpRequest, workspace: str) -> HttpResponse:
    """Start an import of an account's followers, or resume the one that was interrupted."""
    account = access_by_uid(OfficialAccount, request.POST.get("account", ""))
    services.start_follower_sync(account)
    flash.success(request, _("Importing the followers of %(account)s.") % {"account": account.name})
    return redirect("console:contacts_sync", workspace=workspace)


@workspace_view()
def sync_progress(request: HttpRequest, workspace: str, uid: object) -> HttpResponse:
    """htmx polling: one run's progress bar (polling stops when the run ends)."""
    run = access_by_uid(SyncRun, str(uid))
    return render(request, "contacts/_sync_run.html", {"run": run})
