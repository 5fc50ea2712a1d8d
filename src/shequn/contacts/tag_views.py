"""Console → Contacts → Tags: tags with their counts and WeChat twins, and auto-tag rules."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequn.console.views.decorators import workspace_view
from shequn.contacts import queries, services
from shequn.contacts.forms import AutoTagRuleForm, TagForm
from shequn.contacts.models import AutoTagRule, Tag
from shequn.contacts.timeline_labels import channel_label, channel_names
from shequn.tenancy.access import access_by_uid
from shequn.tenancy.roles import Permission


def _can_edit(request: HttpRequest) -> bool:
    return bool(request.membership.allows(Permission.OPERATE))  # type: ignore[attr-defined]


def _rows() -> list[dict[str, Any]]:
    names = channel_names()
    rows = []
    for tag in queries.tags_with_counts():
        mirrors = [(m, channel_label(m.channel_ref, names)) for m in queries.tag_mirrors(tag)]
        rows.append({"tag": tag, "mirrors": mirrors})
    return rows


def _page(request: HttpRequest, status: int = 200, **extra: Any) -> HttpResponse:
    context = {
        "rows": _rows(),
        "rules": list(queries.auto_tag_rules()),
        "triggers": AutoTagRule.Trigger.choices,
        "can_edit": _can_edit(request),
        "form": TagForm(),
        **extra,
    }
    return render(request, "contacts/tags.html", context, status=status)


def _back(workspace: str) -> HttpResponse:
    return redirect("console:contacts_tags", workspace=workspace)


@workspace_view()
def tag_list(request: HttpRequest, workspace: str) -> HttpResponse:
    if request.method != "POST":
        return _page(request)
    if not _can_edit(request):
        return render(request, "console/forbidden.html", status=403)
    form = TagForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                tag = services.create_tag(form.cleaned_data["name"])
        except services.TagLimitError as exc:
            form.add_error("name", str(exc))
        else:
            flash.success(request, _("Tag “%(tag)s” created.") % {"tag": tag.name})
            return _back(workspace)
    return _page(request, status=422, form=form)


@require_POST
@workspace_view(permission=Permission.OPERATE)
def tag_rename(request: HttpRequest, workspace: str, uid: object) -> HttpResponse:
    tag = access_by_uid(Tag, str(uid))
    try:
        with transaction.atomic():
            services.rename_tag(tag, request.POST.get("name", ""))
    except services.TagLimitError as exc:
        flash.error(request, str(exc))
    else:
        flash.success(request, _("Tag renamed to “%(tag)s”.") % {"tag": tag.name})
    return _back(workspace)


@require_POST
@workspace_view(permission=Permission.OPERATE)
def tag_delete(request: HttpRequest, workspace: str, uid: object) -> HttpResponse:
    tag = access_by_uid(Tag, str(uid))
    name = tag.name
    services.delete_tag(tag)
    flash.success(request, _("Tag “%(tag)s” deleted.") % {"tag": name})
    return _back(workspace)


@require_POST
@workspace_view(permission=Permission.OPERATE)
def rule_create(request: HttpRequest, workspace: str) -> HttpResponse:
    form = AutoTagRuleForm(request.POST)
    if not form.is_valid():
        flash.error(request, _("Choose a tag and a trigger."))
        return _back(workspace)
    tag = access_by_uid(Tag, str(form.cleaned_data["tag"]))
    try:
        services.create_auto_tag_rule(
            tag, form.cleaned_data["trigger"], form.cleaned_data["value"] or ""
        )
    except ValueError as exc:
        flash.error(request, str(exc))
    else:
        flash.success(request, _("Auto-tag rule added."))
    return _back(workspace)


@require_POST
@workspace_view(permission=Permission.OPERATE)
def rule_toggle(request: HttpRequest, workspace: str, uid: object) -> HttpResponse:
    rule = access_by_uid(AutoTagRule, str(uid))
    services.set_auto_tag_rule_active(rule, not rule.is_active)
    return _back(workspace)


@require_POST
@workspace_view(permission=Permission.OPERATE)
def rule_delete(request: HttpRequest, workspace: str, uid: object) -> HttpResponse:
    services.delete_auto_tag_rule(access_by_uid(AutoTagRule, str(uid)))
    flash.success(request, _("Auto-tag rule deleted."))
    return _back(workspace)
