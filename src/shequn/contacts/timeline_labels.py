"""How the console names timeline entries and channels: one readable, translated line each."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shequn.channels import queries as channel_queries
from shequn.contacts.models import ContactEvent

KIND_LABELS: dict[str, str | Promise] = {
    "followed": _("Followed the official account"),
    "unfollowed": _("Unfollowed the official account"),
    "scanned": _("Scanned a QR code"),
    "menu_click": _("Tapped a menu item"),
    "menu_view": _("Opened a menu link"),
    "message_received": _("Sent a message"),
    "wecom_added": _("Added a staff member on WeCom"),
    "wecom_edited": _("WeCom contact details changed"),
    "wecom_removed_by_staff": _("Removed by a staff member on WeCom"),
    "wecom_deleted_staff": _("Deleted a staff member on WeCom"),
}
DETAIL_LABELS: dict[str, str | Promise] = {
    "scene": _("scene"),
    "content": _("text"),
    "key": _("menu key"),
    "staff": _("staff"),
    "state": _("scene"),
    "msg_type": _("type"),
}


def channel_names() -> dict[str, str]:
    """channel_ref → the channel's name, for every connected official account and WeCom corp."""
    names = {f"oa:{a.uid}": a.name for a in channel_queries.official_accounts()}
    names.update({f"wecom:{c.uid}": c.name for c in channel_queries.wecom_corps()})
    return names


def channel_label(ref: str, names: dict[str, str]) -> str:
    if not ref:
        return ""
    if ref in names:
        return names[ref]
    kind = ref.partition(":")[0]
    return str({"oa": _("Official account"), "wecom": _("WeCom")}.get(kind, ref))


def describe(event: ContactEvent, names: dict[str, str]) -> dict[str, Any]:
    """What one timeline row shows: when, what, on which channel, and the event's details."""
    details = [
        (DETAIL_LABELS[key], str(value))
        for key, value in (event.data or {}).items()
        if key in DETAIL_LABELS and value not in ("", None)
    ]
    return {
        "event": event,
        "label": KIND_LABELS.get(event.kind, event.kind),
        "channel": channel_label(event.channel_ref, names),
        "details": details,
    }
