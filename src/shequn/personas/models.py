"""Persona accounts and the WeCom staff behind them.

A `Persona` is the character customers meet ("Xiao Wanzi"): a name, an avatar, a tone guide and a
pack of reusable snippets. Many WeCom members (`StaffAccount`) can wear one persona; each has a
capacity in customers. `StaffCustomer` is one customer of one member, kept current from the
add/remove events (a removed customer keeps its row with `removed_at`).
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from shequn.channels.models import WeComCorp
from shequn.contacts.models import Contact
from shequn.tenancy.models import TenantScopedModel

# WeCom starts every member at 5,000 customers (reference D.1); admins may raise it.
DEFAULT_CAPACITY = 5000
# At or above this share of its capacity an account is shown as nearly full.
NEARLY_FULL = 0.9


class Persona(TenantScopedModel):
    name = models.CharField(_("name"), max_length=100)
    display_name = models.CharField(_("display name"), max_length=100)
    avatar = models.FileField(
        _("avatar"), upload_to="personas/avatars/", max_length=300, blank=True
    )
    avatar_url = models.URLField(_("avatar URL"), max_length=500, blank=True)
    tone_guide = models.TextField(_("tone guide"), blank=True, max_length=4000)
    # [{"title": str, "text": str}, ...]: snippets operators copy into conversations.
    content_pack = models.JSONField(_("content pack"), default=list, blank=True)
    default_capacity = models.PositiveIntegerField(_("default capacity"), default=DEFAULT_CAPACITY)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            *TenantScopedModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "name"], name="personas_persona_name_unique"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.name


class StaffAccount(TenantScopedModel):
    """A WeCom member who talks to customers, usually behind a persona."""

    corp = models.ForeignKey(WeComCorp, on_delete=models.CASCADE, related_name="+")
    userid = models.CharField(_("UserID"), max_length=64)
    name = models.CharField(_("name"), max_length=100, blank=True)
    persona = models.ForeignKey(
        Persona,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff",
        verbose_name=_("persona"),
    )
    # Customers this account may take; empty = the persona's default capacity.
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    customer_contact_enabled = models.BooleanField(_("customer contact enabled"), default=True)
    active = models.BooleanField(_("active"), default=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    current_load: int  # customers now; annotated by `queries.staff_accounts()`

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            *TenantScopedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["tenant", "corp", "userid"], name="personas_staff_unique_userid"
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.userid

    @property
    def effective_capacity(self) -> int:
        if self.capacity is not None:
            return self.capacity
        if self.persona is not None:
            return self.persona.default_capacity
        return DEFAULT_CAPACITY

    @property
    def routable(self) -> bool:
        return self.active and self.customer_contact_enabled


class StaffCustomer(TenantScopedModel):
    """One customer of one staff account (still there while `removed_at` is empty)."""

    class RemovedBy(models.TextChoices):
        STAFF = "staff", _("Removed by staff")
        CUSTOMER = "customer", _("Removed by customer")

    staff = models.ForeignKey(StaffAccount, on_delete=models.CASCADE, related_name="customers")
    external_userid = models.CharField(max_length=128)
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(_("state"), max_length=64, blank=True)
    added_at = models.DateTimeField()
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.CharField(max_length=10, choices=RemovedBy.choices, blank=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            *TenantScopedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["tenant", "staff", "external_userid"], name="personas_customer_unique"
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["tenant", "staff", "removed_at"], name="personas_customer_load"),
        ]
