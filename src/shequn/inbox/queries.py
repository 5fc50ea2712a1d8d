"""Tenant-scoped reads of the inbox."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from shequn.inbox.models import AutoReplyRule, CannedReply, Conversation, Menu, Message


def conversations(
    *, assigned: str = "", user: Any = None, q: str = "", account: Any = None
) -> QuerySet[Conversation]:
    """Newest first. `assigned`: "" (all), "mine" (to `user`) or "unassigned"; `q` searches the
    contact's name and the text of messages."""
    found = Conversation.objects.select_related("contact", "account", "assignee").filter(
        last_message_at__isnull=False
    )
    if account is not None:
        found = found.filter(account=account)
    if assigned == "mine" and user is not None:
        found = found.filter(assignee=user)
    elif assigned == "unassigned":
        found = found.filter(assignee__isnull=True)
    q = q.strip()[:100]
    if q:
        texts = Message.objects.filter(conversation=OuterRef("pk"), text__icontains=q)
        found = found.filter(Q(contact__display_name__icontains=q) | Q(openid=q) | Exists(texts))
    return found.order_by("-last_message_at", "-id")


def messages_of(conversation: Conversation, *, after: Any = None) -> QuerySet[Message]:
    found = Message.objects.select_related("sent_by").filter(conversation=conversation)
    if after is not None:
        found = found.filter(created_at__gt=after)
    return found.order_by("created_at", "id")


def unread_total() -> int:
    return sum(Conversation.objects.values_list("unread_count", flat=True))


def rules_of(account: Any) -> QuerySet[AutoReplyRule]:
    return AutoReplyRule.objects.filter(account=account).order_by("trigger", "priority", "id")


def all_rules() -> QuerySet[AutoReplyRule]:
    return AutoReplyRule.objects.select_related("account").order_by("priority", "id")


def canned_replies() -> QuerySet[CannedReply]:
    return CannedReply.objects.order_by("title")


def menus_of(account: Any) -> QuerySet[Menu]:
    return Menu.objects.filter(account=account).order_by("kind", "name")


def keyword_rules_of(account: Any) -> QuerySet[AutoReplyRule]:
    """Enabled keyword rules a menu click can trigger (exact or contains: a key can match)."""
    return AutoReplyRule.objects.filter(
        account=account,
        trigger=AutoReplyRule.Trigger.KEYWORD,
        enabled=True,
        match_kind__in=[AutoReplyRule.MatchKind.EXACT, AutoReplyRule.MatchKind.CONTAINS],
    ).order_by("priority", "id")
