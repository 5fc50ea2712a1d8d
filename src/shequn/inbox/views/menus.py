"""Console → Inbox → Menus: edit (limits checked before WeChat), publish, read back, drift."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages as flash
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from shequn.channels import queries as channel_queries
from shequn.console.views.decorators import workspace_view
from shequn.contacts import queries as contact_queries
from shequn.inbox import menu_editor, menu_publishing, queries
from shequn.inbox.forms import MenuForm
from shequn.inbox.menus import MAX_SUB, MAX_TOP, MenuInvalid
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


def _rule_keys(account: Any) -> tuple[dict[str, str], dict[str, str], list[Any]]:
    """Keyword rules a click button can be answered by: uid → key, key → uid, the rules."""
    found = [r for r in queries.keyword_rules_of(account) if r.patterns.strip()]
    by_uid = {str(r.uid): r.patterns.strip().splitlines()[0].strip() for r in found}
    return by_uid, {key: uid for uid, key in by_uid.items()}, found


def _account_tags(account: Any) -> list[tuple[str, str]]:
    """(tag ID on the account, tag name) of the tags mirrored to the account."""
    ref = f"oa:{account.uid}"
    found = []
    for tag in contact_queries.tags_with_counts()[:200]:
        for mirror in contact_queries.tag_mirrors(tag):
            if mirror.channel_ref == ref and mirror.remote_id:
                found.append((mirror.remote_id, tag.name))
    return found


def _editor_context(
    form: MenuForm,
    menu: Menu | None,
    account: Any,
    buttons: list[dict[str, Any]],
    problems: dict[str, list[str]],
) -> dict[str, Any]:
    _by_uid, by_key, found_rules = _rule_keys(account) if account is not None else ({}, {}, [])
    return {
        "form": form,
        "menu": menu,
        "account": account,
        "rows": menu_editor.rows(buttons, problems, by_key),
        "top_problems": problems.get("", []),
        "problem_count": sum(len(v) for v in problems.values()),
        "type_choices": menu_editor.TYPE_CHOICES,
        "rules": found_rules,
        "max_top": MAX_TOP,
        "max_sub": MAX_SUB,
        "buttons_json": json.dumps(buttons, ensure_ascii=False, indent=2),
        "tags": _account_tags(account) if account is not None else [],
    }


def _edit(request: HttpRequest, workspace: str, menu: Menu | None) -> HttpResponse:
    accounts = list(channel_queries.official_accounts())
    account: Any
    if menu is not None:
        account = menu.account
        initial: dict[str, Any] = {
            "account": str(account.uid),
            "name": menu.name,
            "kind": menu.kind,
            "tag_id": menu.tag_id,
            "client_platform_type": menu.client_platform_type,
        }
    else:
        wanted = request.POST.get("account") or request.GET.get("account", "")
        account = next((a for a in accounts if str(a.uid) == wanted), None)
        account = account or (accounts[0] if accounts else None)
        initial = {"account": str(account.uid) if account else "", "kind": request.GET.get("kind")}
    form = MenuForm(request.POST or None, initial=initial, accounts=accounts)
    if menu is not None:
        form.fields["account"].required = False
    problems: dict[str, list[str]] = {}
    if request.method != "POST":
        buttons = list(menu.buttons) if menu is not None else [{"name": "", "type": "click"}]
        return _render(request, _editor_context(form, menu, account, buttons, problems))
    by_uid, _by_key, _found = _rule_keys(account) if account is not None else ({}, {}, [])
    buttons = menu_editor.buttons_from_post(request.POST, by_uid)
    op = request.POST.get("op", "save")
    if op == "json":
        try:
            buttons = menu_editor.from_json(request.POST.get("buttons_json", ""))
        except ValueError as exc:
            problems[""] = [_("This is not valid JSON: %(error)s") % {"error": exc}]
    elif op not in ("save", "publish"):
        buttons = menu_editor.apply(buttons, op)
    if op in ("save", "publish") and form.is_valid() and account is not None:
        saved = _save(form, menu, account, buttons, problems)
        if saved is not None:
            return _saved(request, workspace, saved, publish=op == "publish", problems=problems)
    if op in ("save", "publish") and not problems:
        problems[""] = [_("Check the fields above.")]
    return _render(request, _editor_context(form, menu, account, buttons, problems))


def _save(
    form: MenuForm,
    menu: Menu | None,
    account: Any,
    buttons: list[dict[str, Any]],
    problems: dict[str, list[str]],
) -> Menu | None:
    data = form.cleaned_data
    try:
        return menu_publishing.save_menu(
            account,
            name=data["name"],
            buttons=buttons,
            kind=data["kind"],
            tag_id=data["tag_id"],
            client_platform_type=data["client_platform_type"],
            menu=menu,
        )
    except MenuInvalid as exc:
        problems.update(exc.fields)
        return None


def _saved(
    request: HttpRequest,
    workspace: str,
    menu: Menu,
    *,
    publish: bool,
    problems: dict[str, list[str]],
) -> HttpResponse:
    if publish:
        try:
            menu_publishing.publish(menu)
        except (menu_publishing.MenuRefused, MenuInvalid) as exc:
            flash.error(request, _("Saved as a draft, but not published: %(why)s") % {"why": exc})
            return _to(request, "console:inbox_menu_edit", workspace=workspace, uid=menu.uid)
        flash.success(request, _("Menu published. Followers see it within about 5 minutes."))
    else:
        flash.success(request, _("Menu saved. Publish it to make it visible in WeChat."))
    return _to(
        request, "console:inbox_menus", workspace=workspace, query=f"?account={menu.account.uid}"
    )


def _to(request: HttpRequest, name: str, *, query: str = "", **kwargs: Any) -> HttpResponse:
    url = reverse(name, kwargs=kwargs) + query
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _render(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    template = "inbox/menu_form.html"
    if getattr(request, "htmx", False):
        template = "inbox/_menu_editor.html"
    return render(request, template, context)


@transaction.non_atomic_requests
@workspace_view(permission=Permission.MANAGE_CONTENT)
def menu_new(request: HttpRequest, workspace: str) -> HttpResponse:
    # Not atomic: "save and publish" calls WeChat after the draft is committed.
    return _edit(request, workspace, None)


@transaction.non_atomic_requests
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
