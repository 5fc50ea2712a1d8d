"""A manager that fails closed: no tenant scope, no rows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models

from shequn.tenancy.scope import require_tenant

if TYPE_CHECKING:
    from shequn.tenancy.models import Workspace

M = TypeVar("M", bound=models.Model)


class TenantScopedQuerySet(models.QuerySet[M]):
    pass


class TenantScopedManager(models.Manager[M]):
    """Default manager of every tenant-owned model.

    `Model.objects.filter(...)` filters by the current scope or raises TenantScopeError.
    `.for_tenant(ws)` scopes explicitly; `.unscoped()` sees all tenants and must carry a
    `# unscoped: <reason>` comment (checked by the devtools boundary check).
    """

    _queryset_class = TenantScopedQuerySet

    def get_queryset(self) -> TenantScopedQuerySet[M]:
        tenant = require_tenant()
        return self._queryset_class(self.model, using=self._db).filter(tenant=tenant)

    def for_tenant(self, tenant: Workspace) -> TenantScopedQuerySet[M]:
        return self._queryset_class(self.model, using=self._db).filter(tenant=tenant)

    def unscoped(self) -> TenantScopedQuerySet[M]:
        return self._queryset_class(self.model, using=self._db)

    def create(self, **kwargs: Any) -> M:
        kwargs.setdefault("tenant", require_tenant())
        return super().create(**kwargs)
