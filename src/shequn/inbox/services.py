"""Writes of the inbox: conversations and messages, replies within WeChat's windows,
assignment, canned replies; plus the auto-reply decisions made on behalf of the handlers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequn.audit.services import record
from shequn.channels.models import OfficialAccount
from shequn.contacts import services as contact_services
from shequn.contacts.models import Identity
from shequn.inbox.autoreply import (
    answer_in_callback,
    marker_key,
    matchers,
    rule_for,
)
from shequn.inbox.matching import CompiledRule
from shequn.inbox.models import CannedReply, Conversation, Message
from shequn.inbox.window import WindowClosed, Windows, WindowUsedUp
from shequn.jobs.tasks import enqueue_on_commit
from shequn.tenancy.scope import require_tenant

__all__ = [
    "ReplyRefused",
    "answer_in_callback",
    "assign",
    "auto_reply",
    "close_windows",
    "conversation_for",
    "create_canned_reply",
    "delete_canned_reply",
    "mark_read",
    "open_event_window",
    "record_inbound",
    "send_image",
    "send_text",
    "windows_of",
]

MAX_TEXT_BYTES = 2048


class ReplyRefused(ValueError):
    """The reply cannot be sent; the message says why (translated)."""


def _channel_ref(account: OfficialAccount) -> str:
    return f"oa:{account.uid}"


def windows_of(conversation: Conversation) -> Windows:
    from shequn.inbox.window import Window

    return Windows(
        message=Window(conversation.message_window_until, conversation.message_window_left),
        event=Window(conversation.event_window_until, conversation.event_window_left),
    )


def _store_windows(conversation: Conversation, windows: Windows) -> None:
    conversation.message_window_until = windows.message.until
    conversation.message_window_left = windows.message.left
    conversation.event_window_until = windows.event.until
    conversation.event_window_left = windows.event.left


def conversation_for(account: OfficialAccount, openid: str) -> Conversation:
    found: Conversation | None = Conversation.objects.filter(account=account, openid=openid).first()
    if found is not None:
        return found
    contact = contact_services.contact_for_identity(
        Identity.Kind.OA_OPENID, openid, _channel_ref(account)
    )
    try:
        with transaction.atomic():
            created: Conversation = Conversation.objects.create(
                account=account, contact=contact, openid=openid
            )
            return created
    except IntegrityError:
        existing: Conversation = Conversation.objects.get(account=account, openid=openid)
        return existing


def _preview(kind: str, text: str) -> str:
    labels = {
        "image": _("[Image]"),
        "voice": _("[Voice]"),
        "video": _("[Video]"),
        "shortvideo": _("[Video]"),
        "location": _("[Location]"),
        "link": _("[Link]"),
        "menu_click": _("[Menu click]"),
        "news": _("[Article]"),
        "miniprogram": _("[Mini program]"),
    }
    return (text or labels.get(kind, "")).replace("\n", " ")[:200]


def record_inbound(
    account: OfficialAccount,
    openid: str,
    *,
    kind: str,
    source_key: str,
    at: datetime,
    text: str = "",
    media_id: str = "",
    data: dict[str, Any] | None = None,
    opens: str = "message",
) -> Message | None:
    """Store what a customer sent (or clicked) once, open the window it opens, count it unread.

    `opens` is "message" (48 h, 5 messages), "event" (1 min, 3) or "" (no window).
    Returns None when this source was already recorded (a replayed event).
    """
    conversation = conversation_for(account, openid)
    if Message.objects.filter(source_key=source_key).exists():
        return None
    message: Message = Message.objects.create(
        conversation=conversation,
        direction=Message.Direction.INBOUND,
        kind=kind,
        text=text,
        media_id=media_id,
        data=data or {},
        source_key=source_key,
        delivery=Message.Delivery.RECEIVED,
        created_at=at,
    )
    windows = windows_of(conversation)
    if opens == "message":
        windows = windows.after_message(at)
    elif opens == "event":
        windows = windows.after_event(at)
    _store_windows(conversation, windows)
    conversation.unread_count += 1
    if conversation.last_message_at is None or at >= conversation.last_message_at:
        conversation.last_message_at = at
        conversation.last_message_preview = _preview(kind, text)
    conversation.save()
    return message


def close_windows(account: OfficialAccount, openid: str) -> None:
    """The customer unfollowed: nothing can be sent any more."""
    conversation = Conversation.objects.filter(account=account, openid=openid).first()
    if conversation is not None:
        _store_windows(conversation, Windows())
        conversation.save()


def open_event_window(conversation: Conversation, at: datetime) -> None:
    """A follow or a QR scan: 3 messages within a minute."""
    _store_windows(conversation, windows_of(conversation).after_event(at))
    conversation.save()


def mark_read(conversation: Conversation) -> None:
    if conversation.unread_count:
        conversation.unread_count = 0
        conversation.save(update_fields=["unread_count"])


@transaction.atomic
def assign(conversation: Conversation, user: Any | None) -> Conversation:
    """Give the conversation to a member of the workspace (or to nobody)."""
    from shequn.tenancy.models import Membership

    if (
        user is not None
        and not Membership.objects.filter(workspace=require_tenant(), user=user).exists()
    ):
        raise ReplyRefused(_("Only members of this workspace can be assigned."))
    conversation.assignee = user
    conversation.save(update_fields=["assignee"])
    record(
        "inbox.conversation.assigned",
        target=conversation,
        data={"assignee": str(user.uid) if user is not None else None},
    )
    return conversation


def _outbound(
    conversation: Conversation,
    *,
    kind: str,
    text: str = "",
    media_id: str = "",
    data: dict[str, Any] | None = None,
    source_key: str | None = None,
    delivery: str = Message.Delivery.PENDING,
    sent_by: Any = None,
    rule_id: int | None = None,
) -> Message:
    now = timezone.now()
    message: Message = Message.objects.create(
        conversation=conversation,
        direction=Message.Direction.OUTBOUND,
        kind=kind,
        text=text,
        media_id=media_id,
        data=data or {},
        source_key=source_key or f"out:{uuid.uuid4()}",
        delivery=delivery,
        sent_by=sent_by,
        rule_id=rule_id,
        created_at=now,
    )
    conversation.last_message_at = now
    conversation.last_message_preview = _preview(kind, text)
    conversation.save(update_fields=["last_message_at", "last_message_preview"])
    return message


def _take_window(conversation: Conversation, *, save: bool = True) -> None:
    """Use one message of the window, or ReplyRefused saying why WeChat would refuse."""
    now = timezone.now()
    try:
        windows = windows_of(conversation).consume(now)
    except WindowClosed as exc:
        raise ReplyRefused(
            _(
                "This customer has not written in the last 48 hours, so WeChat does not allow "
                "a reply now. You can answer when they write again."
            )
        ) from exc
    except WindowUsedUp as exc:
        raise ReplyRefused(
            _(
                "WeChat allows no more replies until this customer writes again: the messages "
                "of their last interaction are used up."
            )
        ) from exc
    if save:
        _store_windows(conversation, windows)
        conversation.save()


def _enqueue_send(message: Message) -> None:
    from shequn.inbox.tasks import send_message

    enqueue_on_commit(send_message, message.tenant_id, message.pk)


@transaction.atomic
def send_text(conversation: Conversation, text: str, *, by: Any = None) -> Message:
    text = text.strip()
    if not text:
        raise ReplyRefused(_("Write a message first."))
    if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
        raise ReplyRefused(
            _("The message is too long: WeChat accepts at most %(limit)s bytes.")
            % {"limit": MAX_TEXT_BYTES}
        )
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    _take_window(conversation)
    message = _outbound(conversation, kind="text", text=text, sent_by=by)
    record("inbox.reply.sent", target=conversation, data={"message": str(message.uid)})
    _enqueue_send(message)
    return message


IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/bmp": "bmp"}
MAX_IMAGE_BYTES = 10 * 1024 * 1024


def send_image(
    conversation: Conversation, content: bytes, content_type: str, *, by: Any = None
) -> Message:
    """Upload the image as temporary media, then send it (after commit) as an image message.

    The upload runs outside any transaction (the client may write the token store from its own
    thread); call it from a view marked `non_atomic_requests`.
    """
    from shequn.channels import services as channel_services
    from shequn.inbox.delivery import error_text
    from shequn.wechat.errors import APIError

    if content_type not in IMAGE_TYPES:
        raise ReplyRefused(_("Send a JPEG, PNG, GIF or BMP image."))
    if not content or len(content) > MAX_IMAGE_BYTES:
        raise ReplyRefused(_("The image must be smaller than 10 MB."))
    with transaction.atomic():
        _take_window(Conversation.objects.get(pk=conversation.pk), save=False)
    try:
        with channel_services.official_account_client(conversation.account) as client:
            uploaded = client.media.upload(
                "image", f"reply.{IMAGE_TYPES[content_type]}", content, content_type
            )
    except APIError as exc:
        raise ReplyRefused(error_text(exc)) from exc
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        _take_window(locked)
        message = _outbound(locked, kind="image", media_id=str(uploaded["media_id"]), sent_by=by)
        record("inbox.reply.sent", target=locked, data={"message": str(message.uid)})
        _enqueue_send(message)
    return message


# -- auto-replies (worker side) --------------------------------------------------------------


def _shared_cache() -> bool:
    return "locmem" not in settings.CACHES["default"]["BACKEND"].lower()


def _answered_in_callback(event: Any, account: OfficialAccount, rule: CompiledRule) -> bool:
    """Whether the callback already carried this rule's reply (see autoreply's docstring)."""
    try:
        marker = cache.get(marker_key(event.tenant_id, account.pk, event.dedupe_key))
    except Exception:  # noqa: BLE001 - fall back to the deterministic decision
        marker = None
    if marker is not None:
        return True
    if _shared_cache():
        return False  # the marker would be there
    return rule.reply.passive


def auto_reply(event: Any, account: OfficialAccount, message: Any) -> Message | None:
    """Record the auto-reply to an inbound message: as answered in the callback, or queued for
    the customer-service API. Idempotent per event."""
    rule = rule_for(matchers.get(event.tenant_id, account.pk), message)
    if rule is None:
        return None
    source_key = f"auto:{event.uid}"
    if Message.objects.filter(source_key=source_key).exists():
        return None
    conversation = conversation_for(account, message.from_user)
    spec = rule.reply
    data: dict[str, Any] = {"rule": rule.name}
    if spec.kind == "news":
        data["articles"] = [dict(a) for a in spec.articles]
    if spec.kind == "miniprogram":
        data.update(
            appid=spec.mp_appid,
            pagepath=spec.mp_pagepath,
            title=spec.mp_title,
            thumb_media_id=spec.mp_thumb_media_id,
        )
    values: dict[str, Any] = {
        "kind": spec.kind,
        "text": spec.text if spec.kind == "text" else spec.mp_title,
        "media_id": spec.media_id,
        "data": data,
        "source_key": source_key,
        "rule_id": rule.rule_id,
    }
    if _answered_in_callback(event, account, rule):
        return _outbound(conversation, delivery=Message.Delivery.PASSIVE, **values)
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    try:
        _take_window(conversation)
    except ReplyRefused as exc:
        out = _outbound(conversation, delivery=Message.Delivery.FAILED, **values)
        out.error_message = str(exc)[:500]
        out.save(update_fields=["error_message"])
        return out
    out = _outbound(conversation, **values)
    _enqueue_send(out)
    return out


# -- canned replies --------------------------------------------------------------------------


@transaction.atomic
def create_canned_reply(title: str, text: str) -> CannedReply:
    title, text = title.strip(), text.strip()
    if not title or not text:
        raise ReplyRefused(_("A canned reply needs a title and a text."))
    canned: CannedReply = CannedReply.objects.create(title=title[:100], text=text[:2000])
    record("inbox.canned_reply.created", target=canned, data={"title": canned.title})
    return canned


@transaction.atomic
def delete_canned_reply(canned: CannedReply) -> None:
    record("inbox.canned_reply.deleted", target=canned, data={"title": canned.title})
    canned.delete()
