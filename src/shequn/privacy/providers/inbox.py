"""inbox: 1:1 conversations and every message in them."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from shequn.inbox.models import Conversation, Message
from shequn.privacy.registry import Subject, register


def conversations_of(subject: Subject) -> QuerySet[Conversation]:
    return Conversation.objects.filter(
        Q(contact_id__in=subject.contact_ids) | Q(openid__in=subject.platform_ids)
    )


def export(subject: Subject) -> dict[str, Any]:
    out = []
    for conversation in conversations_of(subject).select_related("account").order_by("id"):
        messages = Message.objects.filter(conversation=conversation).order_by("created_at", "id")
        out.append(
            {
                "account": conversation.account.name,
                "openid": conversation.openid,
                "messages": [
                    {
                        "direction": m.direction,
                        "kind": m.kind,
                        "text": m.text,
                        "media_id": m.media_id,
                        "data": m.data,
                        "at": m.created_at,
                    }
                    for m in messages
                ],
            }
        )
    return {"conversations": out}


def erase(subject: Subject) -> dict[str, int]:
    conversations = conversations_of(subject)
    messages = Message.objects.filter(conversation__in=conversations)
    counts = {
        "messages_in": messages.filter(direction=Message.Direction.INBOUND).count(),
        "messages_out": messages.filter(direction=Message.Direction.OUTBOUND).count(),
        "conversations": conversations.count(),
    }
    messages.delete()
    conversations.delete()
    return counts


register("inbox", export, erase, covers=["inbox.conversation", "inbox.message"], order=50)
