"""The contacts core: one Contact per person, the platform identities that point at it, a timeline,
follower state per official account, and minimal customer groups (the community app extends them).

Channels are referred to by a `channel_ref` string "<kind>:<channel uid>" (e.g. "oa:0190…"), so
identities and timeline rows work the same for official accounts, WeCom and mini programs.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from shequn.channels.models import OfficialAccount, WeComCorp
from shequn.tenancy.models import TenantScopedModel


class Contact(TenantScopedModel):
    class Lifecycle(models.TextChoices):
        NEW = "new", _("New")
        ENGAGED = "engaged", _("Engaged")
        CUSTOMER = "customer", _("Customer")
        LAPSED = "lapsed", _("Lapsed")

    display_name = models.CharField(_("display name"), max_length=200, blank=True)
    # The name the person gave themselves (OAuth, WeCom) and the brand's own note about them.
    nickname = models.CharField(_("nickname"), max_length=200, blank=True)
    remark = models.CharField(_("remark"), max_length=200, blank=True)
    avatar_url = models.URLField(_("avatar"), max_length=500, blank=True)
    gender = models.CharField(_("gender"), max_length=10, blank=True)
    language = models.CharField(_("language"), max_length=20, blank=True)
    region = models.CharField(_("region"), max_length=200, blank=True)
    first_touch_channel = models.CharField(max_length=80, blank=True)
    first_touch_scene = models.CharField(max_length=128, blank=True)
    first_touch_at = models.DateTimeField(null=True, blank=True)
    last_touch_channel = models.CharField(max_length=80, blank=True)
    last_touch_scene = models.CharField(max_length=128, blank=True)
    last_touch_at = models.DateTimeField(null=True, blank=True)
    # The latest follow of any official account (WeChat's subscribe_time and subscribe_scene).
    followed_at = models.DateTimeField(_("followed at"), null=True, blank=True)
    follow_scene = models.CharField(_("follow scene"), max_length=128, blank=True)
    lifecycle_stage = models.CharField(
        _("lifecycle stage"), max_length=20, choices=Lifecycle.choices, default=Lifecycle.NEW
    )
    last_latitude = models.FloatField(null=True, blank=True)
    last_longitude = models.FloatField(null=True, blank=True)
    last_location_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.display_name or str(self.uid)


class Identity(TenantScopedModel):
    class Kind(models.TextChoices):
        OA_OPENID = "oa_openid", _("Official account OpenID")
        WECOM_EXTERNAL_USERID = "wecom_external_userid", _("WeCom external user ID")
        UNIONID = "unionid", _("UnionID")
        MINIPROGRAM_OPENID = "miniprogram_openid", _("Mini program OpenID")
        SHOP_OPENID = "shop_openid", _("WeChat shop OpenID")
        PHONE = "phone", _("Phone number")

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    # "" for identities that belong to no one channel (unionid): NULL would not be unique.
    channel_ref = models.CharField(max_length=80, blank=True)
    value = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "identities"
        constraints: ClassVar[list[models.BaseConstraint]] = [
            *TenantScopedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["tenant", "kind", "channel_ref", "value"], name="contacts_identity_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class ContactMerge(TenantScopedModel):
    """Two contacts found to be one person (they met on a unionid); `merged` points at `kept`.

    `moved` lists, per model, the ids of the rows moved from `merged` to `kept` and `kept_before`
    the profile fields of `kept` the merge changed, so `unmerge` can put everything back.
    """

    kept = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    merged = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=100)
    merged_at = models.DateTimeField(auto_now_add=True)
    moved = models.JSONField(default=dict, blank=True)
    kept_before = models.JSONField(default=dict, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"merge {self.merged_id} -> {self.kept_id}"


class ContactEvent(TenantScopedModel):
    """One entry of a contact's timeline; `source_key` makes writing it idempotent."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40)
    channel_ref = models.CharField(max_length=80, blank=True)
    occurred_at = models.DateTimeField()
    data = models.JSONField(default=dict, blank=True)
    source_key = models.CharField(max_length=300)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            *TenantScopedModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "source_key"], name="contacts_event_once"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(
                fields=["tenant", "contact", "occurred_at"], name="contacts_event_timeline"
            )
        ]

    def __str__(self) -> str:
        return self.kind


class Follower(TenantScopedModel):
    """A contact's follow state on one official account."""

    account = models.ForeignKey(OfficialAccount, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="follows")
    openid = models.CharField(max_length=128)
    subscribed = models.BooleanField(default=False)
    subscribed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    scene = models.CharField(max_length=128, blank=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            *TenantScopedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["tenant", "account", "openid"], name="contacts_follower_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.openid


class CustomerGroup(TenantScopedModel):
    """A WeCom customer group (minimal: the community app adds owners, codes and routines)."""

    corp = models.ForeignKey(WeComCorp, on_delete=models.CASCADE, related_name="+")
    chat_id = models.CharField(max_length=128)
    name = models.CharField(max_length=200, blank=True)
    member_version = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()
    dismissed_at = models.DateTimeField(null=True, blank=True)
    # Kept by the events and by groupchat/get (contacts.services.apply_group_detail).
    owner_userid = models.CharField(max_length=64, blank=True)
    member_count = models.PositiveIntegerField(default=0)
    detail_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            *TenantScopedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["tenant", "corp", "chat_id"], name="contacts_group_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.chat_id


class GroupMembership(TenantScopedModel):
    group = models.ForeignKey(CustomerGroup, on_delete=models.CASCADE, related_name="memberships")
    member_id = models.CharField(max_length=128)
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    join_scene = models.IntegerField(null=True, blank=True)
    quit_scene = models.IntegerField(null=True, blank=True)
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)
    # From groupchat/get: 1 staff member, 2 customer; who invited; the join way's state.
    member_type = models.PositiveSmallIntegerField(null=True, blank=True)
    inviter_userid = models.CharField(max_length=64, blank=True)
    name = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=30, blank=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            *TenantScopedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["tenant", "group", "member_id"], name="contacts_membership_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.member_id


from shequn.contacts.crm_models import (  # noqa: E402  (defined apart to keep files small)
    TAG_NAME_MAX,
    AttributeDefinition,
    AutoTagRule,
    ContactAttribute,
    ContactTag,
    SyncRun,
    Tag,
    TagMirror,
)

__all__ = [
    "TAG_NAME_MAX",
    "AttributeDefinition",
    "AutoTagRule",
    "Contact",
    "ContactAttribute",
    "ContactEvent",
    "ContactMerge",
    "ContactTag",
    "CustomerGroup",
    "Follower",
    "GroupMembership",
    "Identity",
    "SyncRun",
    "Tag",
    "TagMirror",
]
