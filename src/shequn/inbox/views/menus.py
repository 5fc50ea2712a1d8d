"""Console → Inbox → Menus: edit (limits checked before WeChat), publish, read back, drift."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages as flash
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shequn.channels import queries as channel_queries
from shequn.console.views.decorators import workspace_view
from shequn.inbox import menu_publishing, queries
from shequn.inbox.forms import MenuForm
from shequn.inbox.menus import MenuInvalid
from shequn.inbox.models import Menu
from shequn.tenancy.access import access_by_uid
from shequn.tenancy.roles import Permission


def _account(uid: str) -> Any:
    found = next((a for a in channel_queries.official_accounts() if str(a.uid) == uid), None)
    if found is None:
        raise Http404
    return found


@transaction.non_atomic_requests
@workspace_view()
def menu_list(request: HttpRequest, workspace: str) -> HttpResponse:
    # Not atomic: reading back calls WeChat (see menu_publishing).
    accounts = list(channel_queries.official_accounts())
    selected = request.GET.get("account") or (str(accounts[0].uid) if accounts else "")
    account = next((a for a in accounts if str(a.uid) == selected), None)
    menus = list(queries.menus_of(account)) if account is not None else []
    readback = None
    if account is not None and request.GET.get("read_back"):
        readback = menu_publishing.read_back(account, menus)
    context = {
        "accounts": accounts,
        "account": account,
        "menus": menus,
        "readback": readback,
        "can_edit": request.membership.allows(Permission.MANAGE_CONTENT),  # type: ignore[attr-defined]
    }
    return render(request, "inbox/menus.html", context)


def _edit(request: HttpRequest, workspace: str, menu: Menu | None) -> HttpResponse:
    accounts = list(channel_queries.official_accounts())
    initial: dict[str, Any] = {"account": request.GET.get("account", ""), "buttons": "[]"}
    if menu is not None:
        initial = {
            "account": str(menu.account.uid),
            "name": menu.name,
            "kind": menu.kind,
            "tag_id": menu.tag_id,
            "client_platform_type": menu.client_platform_type,
            "buttons": json.dumps(menu.buttons, ensure_ascii=False, indent=2),
        }
    form = MenuForm(request.POST or None, initial=initial, accounts=accounts)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = menu_publishing.save_menu(
                _account(data["account"]) if menu is None else menu.account,
                name=data["name"],
                buttons=data["buttons"],
                kind=data["kind"],
                tag_id=data["tag_id"],
                client_platform_type=data["client_platform_type"],
                menu=menu,
            )
        except MenuInvalid as exc:
            problems = exc.problems
        else:
            flash.success(request, _("Menu saved. Publish it to make it visible in WeChat."))
            response = redirect("console:inbox_menus", workspace=workspace)
            response["Location"] += f"?account={saved.account.uid}"
            return response
    return render(
        request, "inbox/menu_form.html", {"form": form, "menu": menu, "problems": problems}
    )


@workspace_view(permission=Permission.MANAGE_CONTENT)
def menu_new(request: HttpRequest, workspace: str) -> HttpResponse:
    return _edit(request, workspace, None)


@workspace_view(permission=Permission.MANAGE_CONTENT)
def menu_edit(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    return _edit(request, workspace, access_by_uid(Menu, uid))


def _back(workspace: str, menu: Menu) -> HttpResponse:
    response = redirect("console:inbox_menus", workspace=workspace)
    response["Location"] += f"?account={menu.account.uid}"
    return response


@transaction.non_atomic_requests
@workspace_view(permission=Permission.MANAGE_CONTENT)
def menu_publish(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    menu = access_by_uid(Menu, uid)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        menu_publishing.publish(menu)
        flash.success(request, _("Menu published. Followers see it within about 5 minutes."))
    except (menu_publishing.MenuRefused, MenuInvalid) as exc:
        flash.error(request, str(exc))
    return _back(workspace, menu)


@transaction.non_atomic_requests
@workspace_view(permission=Permission.MANAGE_CONTENT)
def menu_delete(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    menu = access_by_uid(Menu, uid)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        menu_publishing.delete_menu(menu)
        flash.success(request, _("Menu deleted."))
    except menu_publishing.MenuRefused as exc:
        flash.error(request, str(exc))
    return _back(workspace, menu)
