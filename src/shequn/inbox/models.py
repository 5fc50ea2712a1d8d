"""Auto-reply rules, custom menus, and the 1:1 customer-service inbox of official accounts.

A `Conversation` is one follower of one official account; its `Message`s are what the follower
sent (and the menu clicks) and what the account answered, with the delivery state of each answer.
The customer-service window (how long and how many messages WeChat still accepts) is kept on the
conversation as two windows, see `inbox.window`.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shequn.channels.models import OfficialAccount
from shequn.contacts.models import Contact
from shequn.tenancy.models import TenantScopedModel


class ReplyKind(models.TextChoices):
    TEXT = "text", _("Text")
    IMAGE = "image", _("Image")
    NEWS = "news", _("News articles")
    MINIPROGRAM = "miniprogram", _("Mini program card")


class AutoReplyRule(TenantScopedModel):
    """One answer of an account: to a follow, to matching keywords, or when nothing else matched."""

    class Trigger(models.TextChoices):
        KEYWORD = "keyword", _("Keyword")
        FOLLOW = "follow", _("Follow welcome")
        DEFAULT = "default", _("Default reply")

    class MatchKind(models.TextChoices):
        EXACT = "exact", _("Exact")
        CONTAINS = "contains", _("Contains")
        REGEX = "regex", _("Regular expression")

    account = models.ForeignKey(OfficialAccount, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    trigger = models.CharField(
        _("trigger"), max_length=10, choices=Trigger.choices, default=Trigger.KEYWORD
    )
    match_kind = models.CharField(
        _("match"), max_length=10, choices=MatchKind.choices, default=MatchKind.EXACT
    )
    # Keyword rules: one keyword (or pattern) per line; any line matching is a match.
    patterns = models.TextField(_("keywords"), blank=True)
    priority = models.IntegerField(_("priority"), default=100)
    enabled = models.BooleanField(_("enabled"), default=True)
    reply_kind = models.CharField(
        _("reply type"), max_length=12, choices=ReplyKind.choices, default=ReplyKind.TEXT
    )
    text = models.TextField(_("text"), blank=True, max_length=2000)
    media_id = models.CharField(_("image media ID"), max_length=128, blank=True)
    articles = models.JSONField(_("articles"), default=list, blank=True)
    mp_appid = models.CharField(_("mini program AppID"), max_length=32, blank=True)
    mp_pagepath = models.CharField(_("mini program page path"), max_length=300, blank=True)
    mp_title = models.CharField(_("card title"), max_length=100, blank=True)
    mp_thumb_media_id = models.CharField(_("card thumbnail media ID"), max_length=128, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("auto-reply rule")
        constraints: ClassVar[list[models.BaseConstraint]] = [*TenantScopedModel.Meta.constraints]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["tenant", "account", "priority"], name="inbox_rule_order_idx")
        ]

    def __str__(self) -> str:
        return self.name


class RuleSetVersion(TenantScopedModel):
    """Bumped on every change of an account's rules: the callback hot path's matcher cache
    compares it (through the shared cache) to know its compiled copy is stale."""

    account = models.ForeignKey(OfficialAccount, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            *TenantScopedModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "account"], name="inbox_ruleset_unique"),
        ]

    def __str__(self) -> str:
        return f"rules v{self.version}"


class Conversation(TenantScopedModel):
    account = models.ForeignKey(OfficialAccount, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    openid = models.CharField(max_length=128)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unread_count = models.PositiveIntegerField(default=0)
    last_message_at = models.DateTimeField(null=True, blank=True)
    last_message_preview = models.CharField(max_length=200, blank=True)
    # The two customer-service windows WeChat keeps open (see inbox.window).
    message_window_until = models.DateTimeField(null=True, blank=True)
    message_window_left = models.PositiveSmallIntegerField(default=0)
    event_window_until = models.DateTimeField(null=True, blank=True)
    event_window_left = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            *TenantScopedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["tenant", "account", "openid"], name="inbox_conversation_unique"
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["tenant", "last_message_at"], name="inbox_conversation_recent"),
        ]

    def __str__(self) -> str:
        return str(self.contact)


class Message(TenantScopedModel):
    class Direction(models.TextChoices):
        INBOUND = "in", _("From the customer")
        OUTBOUND = "out", _("To the customer")

    class Delivery(models.TextChoices):
        RECEIVED = "received", _("Received")
        PENDING = "pending", _("Sending")
        SENT = "sent", _("Sent")
        PASSIVE = "passive", _("Answered in the callback")
        FAILED = "failed", _("Failed")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    kind = models.CharField(max_length=20)  # text, image, voice, ..., menu_click, news, miniprogram
    text = models.TextField(blank=True)
    media_id = models.CharField(max_length=128, blank=True)
    data = models.JSONField(default=dict, blank=True)
    # Idempotency: the inbox event (and rule) a message came from, or a fresh id for operators.
    source_key = models.CharField(max_length=300)
    delivery = models.CharField(max_length=10, choices=Delivery.choices)
    error_code = models.IntegerField(null=True, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rule = models.ForeignKey(
        AutoReplyRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            *TenantScopedModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "source_key"], name="inbox_message_once"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(
                fields=["tenant", "conversation", "created_at"], name="inbox_message_thread"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.direction}:{self.kind}"


class CannedReply(TenantScopedModel):
    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(_("text"), max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("canned reply")
        constraints: ClassVar[list[models.BaseConstraint]] = [*TenantScopedModel.Meta.constraints]

    def __str__(self) -> str:
        return self.title


class Menu(TenantScopedModel):
    """A menu as edited here: the default menu of an account or a conditional one (by tag)."""

    class Kind(models.TextChoices):
        DEFAULT = "default", _("Default menu")
        CONDITIONAL = "conditional", _("Conditional menu")

    account = models.ForeignKey(OfficialAccount, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.DEFAULT)
    name = models.CharField(_("name"), max_length=100)
    buttons = models.JSONField(default=list, blank=True)
    tag_id = models.CharField(_("tag ID"), max_length=20, blank=True)
    client_platform_type = models.CharField(_("platform"), max_length=2, blank=True)
    wechat_menuid = models.CharField(max_length=32, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("menu")
        constraints: ClassVar[list[models.BaseConstraint]] = [*TenantScopedModel.Meta.constraints]

    def __str__(self) -> str:
        return self.name
