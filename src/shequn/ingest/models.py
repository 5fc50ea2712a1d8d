"""The inbox: one row per distinct callback, written before anything else happens."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from shequn.tenancy.models import TenantScopedModel


class InboundEvent(TenantScopedModel):
    """A callback as received (decrypted XML or Pay JSON) and its processing state.

    `channel_kind` + `channel_id` name the channel row (official account, WeCom corporation or Pay
    merchant); `dedupe_key` is equal for the platform's retries of one push, so the unique key
    makes every retry and deliberate duplicate land on the same row.
    """

    class State(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSED = "processed", _("Processed")
        FAILED = "failed", _("Failed")
        PARKED = "parked", _("Parked")

    channel_kind = models.CharField(max_length=10)
    channel_id = models.BigIntegerField()
    platform = models.CharField(max_length=20)
    msg_type = models.CharField(max_length=64, blank=True)
    event = models.CharField(max_length=64, blank=True)
    change_type = models.CharField(max_length=64, blank=True)
    dedupe_key = models.CharField(max_length=255)
    from_user = models.CharField(max_length=128, blank=True)
    raw_xml = models.TextField(blank=True)
    fields = models.JSONField(default=dict, blank=True)
    received_at = models.DateTimeField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.RECEIVED)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            *TenantScopedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["tenant", "channel_kind", "channel_id", "dedupe_key"],
                name="ingest_event_unique_dedupe",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(
                fields=["tenant", "channel_kind", "channel_id", "received_at"],
                name="ingest_event_channel_idx",
            ),
            models.Index(fields=["tenant", "state", "received_at"], name="ingest_event_state_idx"),
        ]

    def __str__(self) -> str:
        what = self.event or self.msg_type or "event"
        return f"{self.platform}:{what}"


class OutboundJobResult(TenantScopedModel):
    """The outcome WeChat reports for a mass send or template message (keyed by its msg_id)."""

    class JobKind(models.TextChoices):
        MASS_SEND = "mass", _("Mass send")
        TEMPLATE = "template", _("Template message")

    channel_id = models.BigIntegerField()
    kind = models.CharField(max_length=12, choices=JobKind.choices)
    msg_id = models.CharField(max_length=64)
    status = models.CharField(max_length=200, blank=True)
    total_count = models.IntegerField(null=True, blank=True)
    filter_count = models.IntegerField(null=True, blank=True)
    sent_count = models.IntegerField(null=True, blank=True)
    error_count = models.IntegerField(null=True, blank=True)
    reported_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            *TenantScopedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["tenant", "channel_id", "kind", "msg_id"], name="ingest_job_result_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.msg_id}"


class WelcomeDelivery(TenantScopedModel):
    """One attempt to send the default welcome message with a WelcomeCode (once, within 20 s)."""

    event = models.ForeignKey(InboundEvent, on_delete=models.CASCADE, related_name="+")
    external_user_id = models.CharField(max_length=128)
    staff_user_id = models.CharField(max_length=128)
    ok = models.BooleanField(null=True)
    errcode = models.IntegerField(null=True, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    attempted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            *TenantScopedModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "event"], name="ingest_welcome_once"),
        ]

    def __str__(self) -> str:
        return f"welcome:{self.external_user_id}"
