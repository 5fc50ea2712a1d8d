"""Console → Community: pools (list, create/edit, a pool with its groups, join code and health),
all groups with filters, a group's roster, and pre-join questionnaires."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shequn.community import queries, services
from shequn.community.forms import PoolForm, QuestionnaireForm
from shequn.community.models import GroupPool, PoolGroup, Questionnaire
from shequn.console.views.decorators import workspace_view
from shequn.contacts.models import CustomerGroup
from shequn.personas import queries as persona_queries
from shequn.personas.models import Persona
from shequn.tenancy.access import access_by_uid
from shequn.tenancy.roles import Permission
from shequn.wechat.errors import APIError

PAGE_SIZE = 50
SCENES = {
    0: gettext_lazy("Invited"),
    1: gettext_lazy("Invited directly"),
    2: gettext_lazy("Invited by link"),
    3: gettext_lazy("Scanned the group code"),
}


def _can_edit(request: HttpRequest) -> bool:
    return bool(request.membership.allows(Permission.OPERATE))  # type: ignore[attr-defined]


def _to_pool(workspace: str, pool: GroupPool) -> HttpResponse:
    return redirect("console:community_pool", workspace=workspace, uid=pool.uid)


@workspace_view()
def index(request: HttpRequest, workspace: str) -> HttpResponse:
    context = {
        "pools": list(queries.pools()),
        "questionnaires": list(queries.questionnaires()),
        "can_edit": _can_edit(request),
    }
    return render(request, "community/index.html", context)


def _pool_form(request: HttpRequest, workspace: str, pool: GroupPool | None) -> HttpResponse:
    form = PoolForm(request.POST or None, pool=pool)
    if request.method == "POST" and form.is_valid():
        try:
            if pool is None:
                pool = services.create_pool(
                    corp=form.cleaned_data["corp"],
                    name=form.cleaned_data["name"],
                    **form.pool_fields(),
                )
            else:
                services.update_pool(pool, name=form.cleaned_data["name"], **form.pool_fields())
        except services.PoolInvalid as exc:
            form.add_error(None, str(exc))
        else:
            flash.success(request, _("Pool saved."))
            return _to_pool(workspace, pool)
    status = 422 if request.method == "POST" else 200
    return render(request, "community/pool_form.html", {"form": form, "pool": pool}, status=status)


@workspace_view(permission=Permission.OPERATE)
def pool_new(request: HttpRequest, workspace: str) -> HttpResponse:
    return _pool_form(request, workspace, None)


@workspace_view(permission=Permission.OPERATE)
def pool_edit(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    return _pool_form(request, workspace, access_by_uid(GroupPool, uid))


@workspace_view()
def pool_detail(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    pool = access_by_uid(GroupPool, uid)
    members = queries.pool_groups(pool)
    in_pools = set(PoolGroup.objects.values_list("group_id", flat=True))
    context: dict[str, Any] = {
        "pool": pool,
        "members": members,
        "join_way": queries.join_way(pool),
        "health": [queries.group_stats(pool=pool, days=d) for d in queries.WINDOWS],
        "progressions": queries.progressions(pool),
        "progressions_to_check": queries.progressions_to_check(pool),
        "free_groups": [g for g in queries.groups().filter(corp=pool.corp) if g.pk not in in_pools][
            :200
        ],
        "can_edit": _can_edit(request),
    }
    return render(request, "community/pool.html", context)


@require_POST
@workspace_view(permission=Permission.OPERATE)
def pool_add_group(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    pool = access_by_uid(GroupPool, uid)
    group = access_by_uid(CustomerGroup, request.POST.get("group", ""))
    try:
        services.add_group_to_pool(pool, group)
    except services.PoolInvalid as exc:
        flash.error(request, str(exc))
    else:
        flash.success(request, _("Group added to the pool."))
    return _to_pool(workspace, pool)


@require_POST
@workspace_view(permission=Permission.OPERATE)
def pool_remove_group(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    member = access_by_uid(PoolGroup, uid)
    pool = member.pool
    services.remove_group_from_pool(member)
    flash.success(request, _("Group removed from the pool."))
    return _to_pool(workspace, pool)


@require_POST
@workspace_view(permission=Permission.OPERATE)
def pool_sync(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    """Read the pool's groups and join way from WeCom, then point the way at groups with room."""
    pool = access_by_uid(GroupPool, uid)
    try:
        services.sync_pool(pool)
        services.refresh_join_way(pool)
    except services.PoolUnavailable:
        flash.error(request, _("Every group of this pool is full: add a group in WeCom."))
    except APIError as exc:
        flash.error(request, _("WeCom refused: %(error)s") % {"error": exc.errmsg})
    else:
        flash.success(request, _("The pool is in step with WeCom."))
    return _to_pool(workspace, pool)


@workspace_view()
def group_list(request: HttpRequest, workspace: str) -> HttpResponse:
    pool_uid, owner, persona_uid, q = (
        request.GET.get(k, "").strip() for k in ("pool", "owner", "persona", "q")
    )
    pool = access_by_uid(GroupPool, pool_uid) if pool_uid else None
    persona = access_by_uid(Persona, persona_uid) if persona_uid else None
    staff = queries.persona_staff(persona) if persona else None
    found = queries.groups(pool=pool, owner=owner, staff=staff, q=q)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    pools_of = queries.pool_names([g.pk for g in page.object_list])
    context = {
        "page": page,
        "rows": [(g, pools_of.get(g.pk)) for g in page.object_list],
        "pools": list(queries.pools()),
        "owners": queries.owners(),
        "personas": list(persona_queries.personas()),
        "selected": {"pool": pool_uid, "owner": owner, "persona": persona_uid, "q": q},
    }
    return render(request, "community/groups.html", context)


@workspace_view()
def group_detail(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    group = access_by_uid(CustomerGroup, uid)
    page = Paginator(queries.roster(group), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "group": group,
        "pool": queries.pool_of_group(group),
        "page": page,
        "rows": [(m, SCENES.get(m.join_scene or -1, "—")) for m in page.object_list],
        "health": [queries.group_stats(group, days=d) for d in queries.WINDOWS],
    }
    return render(request, "community/group.html", context)


def _questionnaire_form(
    request: HttpRequest, workspace: str, questionnaire: Questionnaire | None
) -> HttpResponse:
    initial = None
    if questionnaire is not None:
        initial = {
            "name": questionnaire.name,
            "title": questionnaire.title,
            "question": questionnaire.question,
            "attribute_key": questionnaire.attribute_key,
            "pools": list(questionnaire.pools.all()),
            "active": questionnaire.active,
        }
    form = QuestionnaireForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.save_questionnaire(
            questionnaire,
            name=data["name"],
            title=data["title"],
            question=data["question"],
            attribute_key=data["attribute_key"],
            pools=list(data["pools"]),
            active=data["active"],
        )
        flash.success(request, _("Questionnaire saved."))
        return redirect("console:community", workspace=workspace)
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "questionnaire": questionnaire}
    return render(request, "community/questionnaire_form.html", context, status=status)


@workspace_view(permission=Permission.OPERATE)
def questionnaire_new(request: HttpRequest, workspace: str) -> HttpResponse:
    return _questionnaire_form(request, workspace, None)


@workspace_view(permission=Permission.OPERATE)
def questionnaire_edit(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    return _questionnaire_form(request, workspace, access_by_uid(Questionnaire, uid))
