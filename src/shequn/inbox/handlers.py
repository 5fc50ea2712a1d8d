"""Inbox handlers: customers' messages and menu clicks become conversation entries, follows
and messages get their auto-replies, unfollows close the window."""

from __future__ import annotations

from typing import Any

from shequn.inbox import services
from shequn.ingest.handlers import HandlerContext, handles

OA = "officialaccount"
USER_MESSAGE_TYPES = ("text", "image", "voice", "video", "shortvideo", "location", "link")
# Menu events that open the 1-minute window and show up in the inbox.
MENU_EVENTS = ("CLICK", "scancode_push", "scancode_waitmsg")


def _source(ctx: HandlerContext) -> str:
    return f"event:{ctx.event.uid}"


def _content(m: Any) -> tuple[str, str, dict[str, Any]]:
    """(text, media_id, data) of a user message, by type."""
    kind = m.msg_type
    if kind == "text":
        return m.content, "", {}
    if kind == "image":
        return "", m.media_id, {"pic_url": m.pic_url}
    if kind == "voice":
        return m.recognition, m.media_id, {"format": m.format}
    if kind in ("video", "shortvideo"):
        return "", m.media_id, {"thumb_media_id": m.thumb_media_id}
    if kind == "location":
        return m.label, "", {"x": m.location_x, "y": m.location_y, "scale": m.scale}
    if kind == "link":
        return m.title, "", {"url": m.url, "description": m.description}
    return "", "", {}


def on_user_message(ctx: HandlerContext) -> None:
    m = ctx.message
    text, media_id, data = _content(m)
    services.record_inbound(
        ctx.channel,
        m.from_user,
        kind=m.msg_type,
        source_key=_source(ctx),
        at=m.created_at,
        text=text,
        media_id=media_id,
        data=data,
        opens="message",
    )
    services.auto_reply(ctx.event, ctx.channel, m)


for _msg_type in USER_MESSAGE_TYPES:
    handles(OA, _msg_type)(on_user_message)


def on_menu_event(ctx: HandlerContext) -> None:
    m = ctx.message
    data: dict[str, Any] = {"key": m.event_key, "event": m.event}
    scan = m.fields.get("ScanCodeInfo")
    if isinstance(scan, dict):
        data["scan_result"] = str(scan.get("ScanResult", ""))[:500]
    services.record_inbound(
        ctx.channel,
        m.from_user,
        kind="menu_click",
        source_key=_source(ctx),
        at=m.created_at,
        text=m.event_key,
        data=data,
        opens="event",
    )
    if m.event.lower() == "click":
        services.auto_reply(ctx.event, ctx.channel, m)


for _event in MENU_EVENTS:
    handles(OA, "event", _event)(on_menu_event)


@handles(OA, "event", "subscribe")
def on_follow(ctx: HandlerContext) -> None:
    m = ctx.message
    conversation = services.conversation_for(ctx.channel, m.from_user)
    services.open_event_window(conversation, m.created_at)
    services.auto_reply(ctx.event, ctx.channel, m)


@handles(OA, "event", "SCAN")
def on_scan(ctx: HandlerContext) -> None:
    m = ctx.message
    conversation = services.conversation_for(ctx.channel, m.from_user)
    services.open_event_window(conversation, m.created_at)


@handles(OA, "event", "unsubscribe")
def on_unfollow(ctx: HandlerContext) -> None:
    services.close_windows(ctx.channel, ctx.message.from_user)
