"""Consent by purpose, data-subject requests (export, erasure) and the tombstones erasure leaves.

A consent's current state per purpose is its latest record: records are never changed, so the
history of grants and withdrawals is the evidence PIPL asks for.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shequn.contacts.models import Contact
from shequn.tenancy.models import TenantScopedModel


class Purpose(models.TextChoices):
    MARKETING = "marketing", _("Marketing messages")
    PROFILING = "profiling", _("Profiling and segmentation")
    CROSS_BORDER = "cross_border", _("Cross-border transfer")


class ConsentSource(models.TextChoices):
    FORM = "form", _("Form")
    IMPORT = "import", _("Import")
    WECHAT_OAUTH = "wechat_oauth", _("WeChat authorisation")
    OPERATOR = "operator", _("Operator")
    API = "api", _("API")


class ConsentRecord(TenantScopedModel):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    granted = models.BooleanField(_("granted"))
    at = models.DateTimeField(_("at"))
    source = models.CharField(_("source"), max_length=20, choices=ConsentSource.choices)
    evidence = models.TextField(_("evidence"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [*TenantScopedModel.Meta.constraints]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(
                fields=["tenant", "contact", "purpose", "at"], name="privacy_consent_latest"
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose}:{'granted' if self.granted else 'withdrawn'}"


class ErasedContact(TenantScopedModel):
    """What is left of an erased person: anonymous counts for analytics, dates cut to the day."""

    first_touch_channel = models.CharField(max_length=80, blank=True)
    first_touch_day = models.DateField(null=True, blank=True)
    created_day = models.DateField(null=True, blank=True)
    lifecycle_stage = models.CharField(max_length=20, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    erased_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [*TenantScopedModel.Meta.constraints]

    def __str__(self) -> str:
        return f"erased {self.uid}"


class DataSubjectRequest(TenantScopedModel):
    """An export or an erasure asked for one person.

    After an erasure the row keeps no personal data: `contact` is gone (SET_NULL) and
    `subject_ref` names the tombstone instead.
    """

    class Kind(models.TextChoices):
        EXPORT = "export", _("Export")
        ERASURE = "erasure", _("Erasure")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tombstone = models.ForeignKey(
        ErasedContact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_ref = models.CharField(max_length=64)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [*TenantScopedModel.Meta.constraints]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["tenant", "requested_at"], name="privacy_request_recent")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.subject_ref}"
