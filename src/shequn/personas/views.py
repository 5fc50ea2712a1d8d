"""Console → Personas: workload, persona pages (snippets, avatar), staff accounts, staff sync."""

from __future__ import annotations

import mimetypes
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequn.channels import queries as channel_queries
from shequn.channels.models import WeComCorp
from shequn.console.views.decorators import workspace_view
from shequn.personas import queries, services, snippet_text
from shequn.personas.models import Persona, StaffAccount
from shequn.tenancy.access import access_by_uid
from shequn.tenancy.roles import Permission

EDIT = Permission.MANAGE_CAMPAIGNS
PAGE_SIZE = 50


def _can_edit(request: HttpRequest) -> bool:
    return bool(request.membership.allows(EDIT))  # type: ignore[attr-defined]


def _corps() -> list[WeComCorp]:
    return list(channel_queries.wecom_corps().filter(disconnected_at__isnull=True))


@workspace_view()
def workload(request: HttpRequest, workspace: str) -> HttpResponse:
    context = {"workload": queries.workload(), "corps": _corps(), "can_edit": _can_edit(request)}
    return render(request, "personas/workload.html", context)


def _form_values(request: HttpRequest) -> dict[str, Any]:
    post = request.POST
    return {
        "name": post.get("name", ""),
        "display_name": post.get("display_name", ""),
        "tone_guide": post.get("tone_guide", ""),
        "avatar_url": post.get("avatar_url", ""),
        "default_capacity": post.get("default_capacity", ""),
        "content_pack": snippet_text.parse(post.get("content_pack", "")),
    }


def _form(
    request: HttpRequest,
    persona: Persona | None,
    values: dict[str, Any],
    errors: list[str],
    status: int = 200,
) -> HttpResponse:
    context = {
        "persona": persona,
        "values": {**values, "content_pack": snippet_text.render(values["content_pack"])},
        "errors": errors,
    }
    return render(request, "personas/form.html", context, status=status)


def _save(request: HttpRequest, persona: Persona | None) -> HttpResponse:
    values = _form_values(request)
    upload = request.FILES.get("avatar")
    try:
        with transaction.atomic():
            if persona is None:
                name = values.pop("name")
                persona = services.create_persona(name, **values)
                values["name"] = name
            else:
                services.update_persona(persona, **values)
            if upload is not None:
                services.set_avatar(persona, upload)
    except services.PersonaInvalid as exc:
        if persona is not None and persona.pk is not None:
            persona.refresh_from_db()
        return _form(request, persona if persona and persona.pk else None, values, exc.errors, 422)
    flash.success(request, _("Persona saved."))
    return redirect("console:personas_detail", workspace=request.workspace.slug, uid=persona.uid)  # type: ignore[attr-defined]


@workspace_view(permission=EDIT)
def persona_new(request: HttpRequest, workspace: str) -> HttpResponse:
    if request.method == "POST":
        return _save(request, None)
    values = {"default_capacity": 5000, "content_pack": []}
    return _form(request, None, values, [])


@workspace_view(permission=EDIT)
def persona_edit(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    persona = access_by_uid(Persona, uid)
    if request.method == "POST":
        return _save(request, persona)
    fields = ("name", "display_name", "tone_guide", "avatar_url", "default_capacity")
    values = {name: getattr(persona, name) for name in fields}
    values["content_pack"] = persona.content_pack
    return _form(request, persona, values, [])


@workspace_view()
def persona_detail(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    persona = access_by_uid(Persona, uid)
    staff = list(queries.staff_accounts(persona=persona))
    context = {
        "persona": persona,
        "staff": staff,
        "available": queries.available_staff(persona),
        "can_edit": _can_edit(request),
    }
    return render(request, "personas/detail.html", context)


@require_POST
@workspace_view(permission=EDIT)
def persona_delete(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    services.delete_persona(access_by_uid(Persona, uid))
    flash.success(request, _("Persona deleted."))
    return redirect("console:personas", workspace=workspace)


_PLACEHOLDER = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64">'
    '<rect width="64" height="64" rx="32" fill="#e0e7ff"/>'
    '<text x="32" y="41" font-size="28" text-anchor="middle" fill="#3730a3" '
    'font-family="sans-serif">{initial}</text></svg>'
)


@workspace_view()
def persona_avatar(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    """The uploaded avatar, else the avatar URL, else a circle with the initial."""
    persona = access_by_uid(Persona, uid)
    if persona.avatar:
        kind = mimetypes.guess_type(persona.avatar.name)[0] or "application/octet-stream"
        with persona.avatar.open("rb") as image:  # at most 1 MB (services.set_avatar)
            response = HttpResponse(image.read(), content_type=kind)
    elif persona.avatar_url:
        return redirect(persona.avatar_url)
    else:
        initial = escape(str(persona)[:1].upper() or "?")
        response = HttpResponse(_PLACEHOLDER.format(initial=initial), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=300"
    return response


@workspace_view()
def staff_list(request: HttpRequest, workspace: str) -> HttpResponse:
    found = queries.staff_accounts()
    persona_uid = request.GET.get("persona", "")
    persona = None
    if persona_uid == "none":
        found = found.filter(persona__isnull=True)
    elif persona_uid:
        persona = access_by_uid(Persona, persona_uid)
        found = found.filter(persona=persona)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "personas": list(queries.personas()),
        "selected": persona_uid,
        "query": urlencode({"persona": persona_uid}) if persona_uid else "",
        "corps": _corps(),
        "can_edit": _can_edit(request),
    }
    return render(request, "personas/staff_list.html", context)


def _staff_values(request: HttpRequest) -> dict[str, Any]:
    post = request.POST
    persona_uid = post.get("persona", "")
    capacity = post.get("capacity", "").strip()
    return {
        "persona": access_by_uid(Persona, persona_uid) if persona_uid else None,
        "capacity": capacity or None,
        "active": post.get("active") == "on",
    }


@workspace_view()
def staff_edit(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    staff = access_by_uid(StaffAccount, uid)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        if not _can_edit(request):
            return render(request, "console/forbidden.html", status=403)
        try:
            with transaction.atomic():
                services.update_staff(staff, **_staff_values(request))
        except services.PersonaInvalid as exc:
            errors, status = exc.errors, 422
            staff.refresh_from_db()
        else:
            flash.success(request, _("Staff account saved."))
            return redirect("console:personas_staff_edit", workspace=workspace, uid=staff.uid)
    customers = Paginator(queries.customers_of(staff).select_related("contact"), PAGE_SIZE)
    context = {
        "staff": staff,
        "load": queries.load(staff),
        "personas": list(queries.personas()),
        "customers": customers.get_page(request.GET.get("page")),
        "errors": errors,
        "can_edit": _can_edit(request),
    }
    return render(request, "personas/staff_edit.html", context, status=status)


@require_POST
@workspace_view(permission=EDIT)
def staff_sync(request: HttpRequest, workspace: str) -> HttpResponse:
    corps = _corps()
    wanted = request.POST.get("corp", "")
    if wanted:
        corps = [access_by_uid(WeComCorp, wanted)]
    for corp in corps:
        services.request_staff_sync(corp)
    if corps:
        flash.success(
            request, _("Staff sync started. The list updates in a minute or so; reload then.")
        )
    else:
        flash.error(request, _("Connect a WeCom corporation first."))
    back = "console:personas_staff" if request.POST.get("back") == "staff" else "console:personas"
    return redirect(back, workspace=workspace)
