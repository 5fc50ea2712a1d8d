"""The audit log: who did what, when, in which workspace. Append-only."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shequn.tenancy.managers import TenantScopedManager, TenantScopedQuerySet
from shequn.tenancy.models import TenantScopedModel


class AuditLogIsAppendOnly(RuntimeError):
    pass


class AuditQuerySet(TenantScopedQuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AuditLogIsAppendOnly("audit events cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("audit events cannot be deleted")


class AuditManager(TenantScopedManager["AuditEvent"]):
    _queryset_class = AuditQuerySet  # type: ignore[assignment]  # a narrower queryset on purpose


class AuditEvent(TenantScopedModel):
    class ActorKind(models.TextChoices):
        USER = "user", _("User")
        TOKEN = "token", _("API token")
        SYSTEM = "system", _("System job")
        ANONYMOUS = "anonymous", _("Anonymous")

    occurred_at = models.DateTimeField(auto_now_add=True)
    actor_kind = models.CharField(max_length=12, choices=ActorKind.choices)
    actor_label = models.CharField(max_length=200)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_token_uid = models.UUIDField(null=True, blank=True)
    ip = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=100)
    target_type = models.CharField(max_length=100, blank=True)
    target_uid = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects: ClassVar[AuditManager] = AuditManager()

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [*TenantScopedModel.Meta.constraints]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["tenant", "-occurred_at"], name="audit_tenant_time"),
            models.Index(fields=["tenant", "action", "-occurred_at"], name="audit_tenant_action"),
        ]
        ordering: ClassVar[list[str]] = ["-occurred_at", "-id"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AuditLogIsAppendOnly("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("audit events cannot be deleted")
