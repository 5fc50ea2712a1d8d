"""System check: every model is tenant-scoped or deliberately global; keys lead with tenant."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core import checks
from django.db import models

# Models that hold no tenant data, or are the tenants themselves. Adding to this list is a design
# decision: say why in the review.
GLOBAL_MODELS: frozenset[str] = frozenset(
    {
        "auth.permission",
        "auth.group",
        "contenttypes.contenttype",
        "sessions.session",
        "django_tasks_database.dbtaskresult",
        "tenancy.organization",
        "tenancy.workspace",
        "tenancy.membership",
        "accounts.user",
        "accounts.loginfailure",
        "jobs.scheduleslot",
    }
)


def _leads_with_tenant(fields: list[str] | tuple[str, ...]) -> bool:
    return bool(fields) and fields[0] in {"tenant", "tenant_id"}


def _model_errors(model: type[models.Model]) -> list[checks.CheckMessage]:
    from shequn.tenancy.models import TenantScopedModel

    label = model._meta.label_lower
    errors: list[checks.CheckMessage] = []
    if not issubclass(model, TenantScopedModel):
        if label not in GLOBAL_MODELS:
            errors.append(
                checks.Error(
                    f"{model._meta.label} is neither tenant-scoped nor on the global list",
                    hint="Inherit shequn.tenancy.models.TenantScopedModel, or add it to "
                    "GLOBAL_MODELS in shequn/tenancy/checks.py with a reason.",
                    obj=model,
                    id="shequn.T001",
                )
            )
        return errors
    for field in model._meta.get_fields():
        if isinstance(field, models.Field) and field.unique and not field.primary_key:
            errors.append(
                checks.Error(
                    f"{model._meta.label}.{field.name} is unique on its own",
                    hint="Use a UniqueConstraint(fields=['tenant', ...]).",
                    obj=model,
                    id="shequn.T002",
                )
            )
    has_uid_key = False
    for constraint in model._meta.constraints:
        fields: Any = getattr(constraint, "fields", ())
        if isinstance(constraint, models.UniqueConstraint) and not _leads_with_tenant(fields):
            errors.append(
                checks.Error(
                    f"{model._meta.label}: unique constraint {constraint.name} does not lead "
                    "with tenant",
                    obj=model,
                    id="shequn.T003",
                )
            )
        if isinstance(constraint, models.UniqueConstraint) and list(fields) == ["tenant", "uid"]:
            has_uid_key = True
    for together in model._meta.unique_together:
        if not _leads_with_tenant(together):
            errors.append(
                checks.Error(
                    f"{model._meta.label}: unique_together {together} does not lead with tenant",
                    obj=model,
                    id="shequn.T003",
                )
            )
    for index in model._meta.indexes:
        if not _leads_with_tenant(list(index.fields)):
            errors.append(
                checks.Error(
                    f"{model._meta.label}: index {index.name} does not lead with tenant",
                    obj=model,
                    id="shequn.T004",
                )
            )
    if not has_uid_key:
        errors.append(
            checks.Error(
                f"{model._meta.label} lost the (tenant, uid) unique constraint",
                hint="Start Meta.constraints with *TenantScopedModel.Meta.constraints.",
                obj=model,
                id="shequn.T005",
            )
        )
    return errors


@checks.register(checks.Tags.models)
def check_tenancy(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        errors.extend(_model_errors(model))
    return errors
