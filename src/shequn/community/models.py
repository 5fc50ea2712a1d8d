"""Group pools, the groups in them, their join ways, pre-join questionnaires and progression.

A `GroupPool` is a set of WeCom customer groups with one purpose and (optionally) one segment:
"baby 0-3 months", "trial-pack buyers (ends 2026-12-31)". New customers are routed into a pool
and handed its `JoinWay` (a 「加入群聊」 code over at most five groups with room, which WeCom
rolls over into a freshly created group when they are all full).
"""

from __future__ import annotations

from typing import ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from shequn.channels.models import WeComCorp
from shequn.contacts.models import Contact, CustomerGroup
from shequn.segments.models import Segment
from shequn.tenancy.models import TenantScopedModel

WECOM_GROUP_CAP = 500
JOIN_WAY_MAX_GROUPS = 5


class GroupPool(TenantScopedModel):
    class Purpose(models.TextChoices):
        FUNCTIONAL = "functional", _("Functional (ends on a date)")
        COMMUNICATION = "communication", _("Communication (long-lived)")

    corp = models.ForeignKey(WeComCorp, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    purpose = models.CharField(
        _("purpose"), max_length=16, choices=Purpose.choices, default=Purpose.COMMUNICATION
    )
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("segment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    priority = models.IntegerField(_("priority"), default=100)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    next_pool = models.ForeignKey(
        "self",
        verbose_name=_("next pool"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    group_welcome = models.TextField(_("group welcome"), blank=True, max_length=2000)
    group_welcome_template_id = models.CharField(
        _("WeCom group welcome template ID"), max_length=64, blank=True
    )
    # Why the last attempt to create/edit the WeCom template failed (shown on the pool page).
    group_welcome_error = models.CharField(max_length=300, blank=True)
    invite_text = models.TextField(_("invitation text"), blank=True, max_length=1000)
    max_members = models.PositiveIntegerField(
        _("members per group"),
        default=WECOM_GROUP_CAP,
        validators=[MinValueValidator(2), MaxValueValidator(WECOM_GROUP_CAP)],
    )
    room_base_name = models.CharField(_("name of new groups"), max_length=40, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            *TenantScopedModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "name"], name="community_pool_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class PoolGroup(TenantScopedModel):
    """A customer group in a pool (a group belongs to at most one pool)."""

    pool = models.ForeignKey(GroupPool, on_delete=models.CASCADE, related_name="pool_groups")
    group = models.ForeignKey(CustomerGroup, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    # Filling order: groups are filled one after the other, oldest first.
    position = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            *TenantScopedModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "group"], name="community_poolgroup_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.pool} / {self.group}"


class JoinWay(TenantScopedModel):
    """The pool's 「加入群聊」 way (scene 2: a QR code) with auto_create_room on."""

    pool = models.ForeignKey(GroupPool, on_delete=models.CASCADE, related_name="join_ways")
    config_id = models.CharField(max_length=64)
    qr_code = models.URLField(max_length=500, blank=True)
    chat_ids = models.JSONField(default=list)
    state = models.CharField(max_length=30)
    room_base_id = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            *TenantScopedModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "pool"], name="community_joinway_pool"),
            models.UniqueConstraint(fields=["tenant", "state"], name="community_joinway_state"),
        ]

    def __str__(self) -> str:
        return self.config_id


class Questionnaire(TenantScopedModel):
    """A short pre-join page: one date question (e.g. the baby's birth or due date) stored in a
    contact attribute, then the join code of the pool the answer routes to."""

    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("title"), max_length=100)
    question = models.CharField(_("question"), max_length=200)
    attribute_key = models.SlugField(_("attribute"), max_length=64)
    pools = models.ManyToManyField(
        GroupPool, verbose_name=_("candidate pools"), blank=True, related_name="+"
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            *TenantScopedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["tenant", "name"], name="community_questionnaire_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Progression(TenantScopedModel):
    """One invitation of a member of a pool to the next pool (sent once per person and pool)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    from_pool = models.ForeignKey(GroupPool, on_delete=models.CASCADE, related_name="+")
    to_pool = models.ForeignKey(GroupPool, on_delete=models.CASCADE, related_name="+")
    sender_userid = models.CharField(max_length=64)

    class State(models.TextChoices):
        # Recorded and committed before WeCom is called: a row left pending means the call's
        # outcome is unknown (a crash after WeCom accepted it), so it is never re-sent blindly.
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        UNCERTAIN = "uncertain", _("Needs checking")

    state = models.CharField(max_length=16, choices=State.choices, default=State.SENT)
    # The customer's external_userid the invitation goes to (to find it in WeCom's send results).
    external_userid = models.CharField(max_length=64, blank=True)
    msgid = models.CharField(max_length=128, blank=True)
    error = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            *TenantScopedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["tenant", "contact", "to_pool"], name="community_progression_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} → {self.to_pool_id}"
