"""Live codes, acquisition campaigns and package-insert sticker batches.

A `Campaign` is one acquisition channel (a package insert, a store poster, a KOL, an event, an ad)
with the persona whose staff answer, how new customers are routed into groups, an optional reward
and the welcome text. Each `LiveCode` is one WeCom 「联系我」 contact way with a `state` unique in
its corp (≤30 characters): the add event echoes the state, which attributes the customer. An
`InsertBatch` is one shipment lot of package inserts: one code per sticker.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from shequn.channels.models import WeComCorp
from shequn.community.models import GroupPool, Questionnaire
from shequn.contacts.models import Contact
from shequn.personas.models import Persona
from shequn.rewards.models import RewardCampaign
from shequn.tenancy.models import TenantScopedModel

MAX_STATE = 30  # WeCom: contact-way state ≤30 characters (40058)


class Campaign(TenantScopedModel):
    class ChannelKind(models.TextChoices):
        PACKAGE_INSERT = "package_insert", _("Package insert")
        STORE = "store", _("Store")
        KOL = "kol", _("KOL")
        EVENT = "event", _("Event")
        AD = "ad", _("Advertisement")
        OTHER = "other", _("Other")

    class Routing(models.TextChoices):
        POOL = "pool", _("Fixed group pool")
        ATTRIBUTES = "attributes", _("By the customer's attributes")
        QUESTIONNAIRE = "questionnaire", _("Short questionnaire before joining")

    name = models.CharField(_("name"), max_length=100)
    channel_kind = models.CharField(
        _("channel"), max_length=20, choices=ChannelKind.choices, default=ChannelKind.OTHER
    )
    corp = models.ForeignKey(
        WeComCorp, verbose_name=_("WeCom corporation"), on_delete=models.PROTECT, related_name="+"
    )
    persona = models.ForeignKey(
        Persona,
        verbose_name=_("persona"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    routing = models.CharField(
        _("routing"), max_length=20, choices=Routing.choices, default=Routing.POOL
    )
    pool = models.ForeignKey(
        GroupPool,
        verbose_name=_("group pool"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reward = models.ForeignKey(
        RewardCampaign,
        verbose_name=_("reward"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    label = models.CharField(
        _("sticker label"),
        max_length=40,
        blank=True,
        help_text=_("Printed on each sticker, e.g. “Scan for a ¥5 red envelope”."),
    )
    welcome_text = models.TextField(
        _("welcome text"),
        max_length=3000,
        blank=True,
        help_text=_(
            "Placeholders: {name} (the customer), {persona} (the persona's name), {campaign}, "
            "{link} (the group invitation link)."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            *TenantScopedModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "name"], name="livecodes_campaign_name"),
        ]

    def __str__(self) -> str:
        return self.name


class InsertBatch(TenantScopedModel):
    """One shipment lot of package inserts: `quantity` stickers, each its own live code."""

    class Status(models.TextChoices):
        PROVISIONING = "provisioning", _("Creating codes")
        READY = "ready", _("Ready to print")
        FAILED = "failed", _("Stopped")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="batches")
    lot = models.CharField(_("lot number"), max_length=40)
    quantity = models.PositiveIntegerField(_("stickers"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROVISIONING)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            *TenantScopedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["tenant", "campaign", "lot"], name="livecodes_batch_lot"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign.name} / {self.lot}"


class LiveCode(TenantScopedModel):
    """One WeCom contact way (multi-person, QR) whose `state` attributes who added through it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being created")
        ACTIVE = "active", _("Active")
        FAILED = "failed", _("Failed")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="codes")
    batch = models.ForeignKey(
        InsertBatch, null=True, blank=True, on_delete=models.CASCADE, related_name="codes"
    )
    serial = models.PositiveIntegerField(default=0)  # 1..quantity within a batch
    corp = models.ForeignKey(WeComCorp, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=MAX_STATE)
    label = models.CharField(_("label"), max_length=60, blank=True)
    token = models.CharField(max_length=40, db_index=True)  # public landing page /c/<token>
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    error = models.CharField(max_length=300, blank=True)
    config_id = models.CharField(max_length=64, blank=True)
    qr_code = models.URLField(max_length=500, blank=True)  # WeCom's image URL
    qr_png = models.BinaryField(null=True, blank=True)  # our copy, served without external assets
    staff_userids = models.JSONField(default=list)  # who the way points to now
    scans = models.PositiveIntegerField(default=0)
    adds = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    provisioned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            *TenantScopedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["tenant", "corp", "state"], name="livecodes_code_state_per_corp"
            ),
            models.UniqueConstraint(fields=["tenant", "token"], name="livecodes_code_token"),
        ]

    def __str__(self) -> str:
        return self.label or self.state

    @property
    def conversion(self) -> float | None:
        return self.adds / self.scans if self.scans else None


class Attribution(TenantScopedModel):
    """A customer who added the persona's staff through a live code (one per add event)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    code = models.ForeignKey(LiveCode, on_delete=models.CASCADE, related_name="attributions")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="attributions")
    external_userid = models.CharField(max_length=128)
    staff_userid = models.CharField(max_length=128)
    source_event = models.UUIDField()  # the add event's uid: one attribution per event
    at = models.DateTimeField()
    welcome_text = models.TextField(blank=True)
    invitation_url = models.URLField(max_length=2048, blank=True)
    routed_to = models.CharField(max_length=100, blank=True)  # the pool's name, as sent

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            *TenantScopedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["tenant", "source_event"], name="livecodes_attribution_once"
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["tenant", "campaign", "at"], name="livecodes_attr_campaign_at"),
        ]

    def __str__(self) -> str:
        return f"{self.external_userid} via {self.code_id}"
