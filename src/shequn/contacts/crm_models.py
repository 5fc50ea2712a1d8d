"""Tags, custom attributes, auto-tag rules and follower sync runs (re-exported by models.py)."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from shequn.channels.models import OfficialAccount
from shequn.tenancy.models import TenantScopedModel

TAG_NAME_MAX = 30


class Tag(TenantScopedModel):
    """A workspace tag; mirrored to each connected official account and WeCom corp."""

    name = models.CharField(_("name"), max_length=TAG_NAME_MAX)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            *TenantScopedModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "name"], name="contacts_tag_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class ContactTag(TenantScopedModel):
    class Source(models.TextChoices):
        MANUAL = "manual", _("Manual")
        RULE = "rule", _("Auto-tag rule")
        SYNC = "sync", _("Synced from WeChat")
        IMPORT = "import", _("Import")

    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="members")
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.MANUAL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            *TenantScopedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["tenant", "contact", "tag"], name="contacts_contacttag_unique"
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["tenant", "tag", "contact"], name="contacts_contacttag_by_tag")
        ]

    def __str__(self) -> str:
        return f"{self.contact_id}:{self.tag_id}"


class TagMirror(TenantScopedModel):
    """A tag's twin on one channel: an official-account tag id or a WeCom corp tag id."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SYNCED = "synced", _("Synced")
        FAILED = "failed", _("Failed")
        DELETING = "deleting", _("Deleting")

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="mirrors")
    # "<kind>:<channel uid>", as on identities ("oa:…" or "wecom:…").
    channel_ref = models.CharField(max_length=80)
    remote_id = models.CharField(max_length=64, blank=True)
    # WeCom corp tags live in a tag group; official-account tags have none.
    remote_group_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    error_code = models.IntegerField(null=True, blank=True)
    error_message = models.CharField(max_length=300, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            *TenantScopedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["tenant", "tag", "channel_ref"], name="contacts_tagmirror_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel_ref}:{self.remote_id}"


class AttributeDefinition(TenantScopedModel):
    """A custom profile field of one workspace."""

    class Type(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        DATE = "date", _("Date")
        CHOICE = "choice", _("Choice")

    key = models.SlugField(_("key"), max_length=60)
    label = models.CharField(_("label"), max_length=100)
    value_type = models.CharField(_("type"), max_length=10, choices=Type.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    # For a date (e.g. a baby's birth date): show and segment on the age in whole months.
    derive_age_months = models.BooleanField(_("derive age in months"), default=False)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            *TenantScopedModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "key"], name="contacts_attrdef_key_unique"),
        ]

    def __str__(self) -> str:
        return self.label


class ContactAttribute(TenantScopedModel):
    """One contact's value of one attribute, in the column of the definition's type."""

    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="attributes"
    )
    definition = models.ForeignKey(
        AttributeDefinition, on_delete=models.CASCADE, related_name="values"
    )
    value_text = models.TextField(blank=True)
    value_number = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    value_date = models.DateField(null=True, blank=True)
    value_choice = models.CharField(max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            *TenantScopedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["tenant", "contact", "definition"], name="contacts_attr_unique"
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["tenant", "definition", "value_date"], name="contacts_attr_date"),
            models.Index(
                fields=["tenant", "definition", "value_number"], name="contacts_attr_number"
            ),
            models.Index(
                fields=["tenant", "definition", "value_choice"], name="contacts_attr_choice"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.definition_id}={self.value_text or self.value_number or self.value_date}"


class AutoTagRule(TenantScopedModel):
    """Tag a contact when an inbound event matches: a QR scene, a keyword, a group join."""

    class Trigger(models.TextChoices):
        QR_SCENE = "qr_scene", _("Scanned a QR code with scene")
        KEYWORD = "keyword", _("Sent a message containing")
        GROUP_JOIN = "group_join", _("Joined a customer group")

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="rules")
    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices)
    # The scene key, the keyword, or the group's chat_id ("" = any group).
    value = models.CharField(_("value"), max_length=128, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.trigger}:{self.value}"


class SyncRun(TenantScopedModel):
    """A full follower import of one official account, resumable from its cursor.

    The cursor is the follower-list page being worked on (`page_openids`, fetched from
    `page_cursor`), the next list cursor WeChat returned (`next_openid`), and the index of the next
    batch of 100 within the page.
    """

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    account = models.ForeignKey(OfficialAccount, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RUNNING)
    page_cursor = models.CharField(max_length=128, blank=True)
    page_openids = models.JSONField(default=list, blank=True)
    next_openid = models.CharField(max_length=128, blank=True)
    batch_index = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            *TenantScopedModel.Meta.constraints,
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["tenant", "account", "started_at"], name="contacts_syncrun_acct")
        ]

    def __str__(self) -> str:
        return f"sync {self.account_id} {self.status}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, int(100 * self.imported / self.total)) if self.total else 0
