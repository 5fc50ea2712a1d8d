"""Organization → Workspace (the tenant) → Membership, and the base of every tenant-owned model."""

from __future__ import annotations

import zoneinfo
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from shequn.core.ids import uuid7
from shequn.tenancy.managers import TenantScopedManager
from shequn.tenancy.roles import Permission, Role, role_allows
from shequn.tenancy.scope import TenantScopeError, require_tenant


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(value)s"), params={"value": value})


class Organization(models.Model):
    """An agency or a company. Owns workspaces; never holds customer data itself."""

    class Kind(models.TextChoices):
        AGENCY = "agency", _("Agency")
        COMPANY = "company", _("Company")

    uid = models.UUIDField(default=uuid7, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COMPANY)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Workspace(models.Model):
    """One brand: the tenant. Every tenant-owned row points here through `tenant`."""

    uid = models.UUIDField(default=uuid7, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="workspaces"
    )
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone]
    )
    default_language = models.CharField(
        _("default language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role in one workspace."""

    uid = models.UUIDField(default=uuid7, unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["workspace", "user"], name="membership_unique_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.workspace} ({self.role})"

    def allows(self, permission: Permission) -> bool:
        return role_allows(self.role, permission)


class TenantScopedModel(models.Model):
    """Base of every tenant-owned model.

    - `tenant` is filled from the current scope on save and must match it;
    - `uid` is the public id (UUIDv7); the integer `id` never leaves the server;
    - the default manager raises without a scope (see managers.TenantScopedManager).
    Subclasses' unique constraints and indexes must lead with `tenant` (a system check verifies it).
    """

    tenant = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", editable=False
    )
    uid = models.UUIDField(default=uuid7, editable=False)

    objects: ClassVar[TenantScopedManager[Any]] = TenantScopedManager()

    class Meta:
        abstract = True
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["tenant", "uid"], name="%(app_label)s_%(class)s_uid"),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        scope = require_tenant()
        if self.tenant_id is None:
            self.tenant = scope
        elif self.tenant_id != scope.pk:
            raise TenantScopeError(
                f"{type(self).__name__} belongs to another tenant than the current scope"
            )
        super().save(*args, **kwargs)
