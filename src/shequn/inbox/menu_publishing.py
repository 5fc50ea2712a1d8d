"""Writes on menus: save a draft (validated), publish it to WeChat, read back what WeChat has and
tell whether it drifted, add and delete conditional menus. All audited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequn.audit.services import record
from shequn.channels.models import OfficialAccount
from shequn.inbox.menus import MenuInvalid, menu_error_message, normalised, validate_buttons
from shequn.inbox.models import Menu
from shequn.wechat.errors import APIError


class MenuRefused(ValueError):
    """WeChat (or our own check) refused the menu; the message is translated."""


def _client(account: OfficialAccount) -> Any:
    from shequn.channels import services as channel_services

    return channel_services.official_account_client(account)


@transaction.atomic
def save_menu(
    account: OfficialAccount,
    *,
    name: str,
    buttons: Any,
    kind: str = Menu.Kind.DEFAULT,
    tag_id: str = "",
    client_platform_type: str = "",
    menu: Menu | None = None,
) -> Menu:
    """Create or update a draft; MenuInvalid lists every broken limit."""
    cleaned = validate_buttons(buttons)
    if kind == Menu.Kind.CONDITIONAL and not (tag_id or client_platform_type):
        raise MenuInvalid([_("A conditional menu needs a tag or a platform to match.")])
    if menu is None:
        menu = Menu(account=account)
    menu.name = (name or "").strip()[:100] or _("Menu")
    menu.kind = kind
    menu.buttons = cleaned
    menu.tag_id = tag_id.strip() if kind == Menu.Kind.CONDITIONAL else ""
    menu.client_platform_type = (
        client_platform_type.strip() if kind == Menu.Kind.CONDITIONAL else ""
    )
    menu.save()
    record("inbox.menu.saved", target=menu, data={"kind": menu.kind})
    return menu


def publish(menu: Menu) -> Menu:
    """menu/create for the default menu, menu/addconditional for a conditional one (replacing
    the copy published before: WeChat has no edit).

    WeChat is called outside any transaction (the client may write the token store from its
    own thread); views calling this are marked `non_atomic_requests`.
    """
    buttons = validate_buttons(menu.buttons)
    try:
        with _client(menu.account) as client:
            if menu.kind == Menu.Kind.DEFAULT:
                client.menus.create(buttons)
                menu.wechat_menuid = ""
            else:
                if menu.wechat_menuid:
                    try:
                        client.menus.delete_conditional(menu.wechat_menuid)
                    except APIError as exc:
                        if exc.errcode != 65301:  # already gone is fine
                            raise
                rule = {"tag_id": menu.tag_id, "client_platform_type": menu.client_platform_type}
                menu.wechat_menuid = client.menus.add_conditional(
                    buttons, {k: v for k, v in rule.items() if v}
                )
    except APIError as exc:
        with transaction.atomic():
            menu.last_error = menu_error_message(exc.errcode or 0, exc.errmsg)[:500]
            menu.save(update_fields=["last_error"])
            record("inbox.menu.publish_failed", target=menu, data={"errcode": exc.errcode})
        raise MenuRefused(menu.last_error) from exc
    with transaction.atomic():
        menu.published_at = timezone.now()
        menu.last_error = ""
        menu.save()
        record("inbox.menu.published", target=menu, data={"menuid": menu.wechat_menuid})
    return menu


def unpublish_conditional(menu: Menu) -> None:
    if menu.kind != Menu.Kind.CONDITIONAL or not menu.wechat_menuid:
        return
    try:
        with _client(menu.account) as client:
            client.menus.delete_conditional(menu.wechat_menuid)
    except APIError as exc:
        if exc.errcode != 65301:
            raise MenuRefused(menu_error_message(exc.errcode or 0, exc.errmsg)) from exc
    with transaction.atomic():
        menu.wechat_menuid = ""
        menu.published_at = None
        menu.save()
        record("inbox.menu.unpublished", target=menu, data={})


def delete_menu(menu: Menu) -> None:
    if menu.kind == Menu.Kind.CONDITIONAL and menu.wechat_menuid:
        unpublish_conditional(menu)
    with transaction.atomic():
        record("inbox.menu.deleted", target=menu, data={"name": menu.name})
        menu.delete()


@dataclass(frozen=True)
class ReadBack:
    default: list[dict[str, Any]]
    conditional: list[dict[str, Any]]  # {"menuid", "matchrule", "button"}
    drift: dict[str, bool]  # menu uid → differs from what WeChat has
    error: str = ""


def read_back(account: OfficialAccount, menus: list[Menu]) -> ReadBack:
    """What WeChat serves now (menu/get), compared with the published drafts."""
    try:
        with _client(account) as client:
            data = client.menus.get()
    except APIError as exc:
        if exc.errcode == 46003:  # no menu at all
            data = {}
        else:
            return ReadBack([], [], {}, menu_error_message(exc.errcode or 0, exc.errmsg))
    default = normalised((data.get("menu") or {}).get("button"))
    conditional = [
        {
            "menuid": str(c.get("menuid", "")),
            "matchrule": c.get("matchrule") or {},
            "button": normalised(c.get("button")),
        }
        for c in data.get("conditionalmenu") or []
    ]
    by_id = {c["menuid"]: c["button"] for c in conditional}
    drift: dict[str, bool] = {}
    for menu in menus:
        if menu.published_at is None:
            continue
        if menu.kind == Menu.Kind.DEFAULT:
            drift[str(menu.uid)] = normalised(menu.buttons) != default
        else:
            drift[str(menu.uid)] = normalised(menu.buttons) != by_id.get(menu.wechat_menuid)
    return ReadBack(default, conditional, drift)
