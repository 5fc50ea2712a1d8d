"""The tenancy system check flags models that could leak across tenants."""

from __future__ import annotations

from typing import ClassVar

from django.core import checks
from django.db import models
from django.test.utils import isolate_apps

from shequn.tenancy.checks import _model_errors, check_tenancy
from shequn.tenancy.models import TenantScopedModel


def _ids(model: type[models.Model]) -> list[str]:
    return sorted(e.id for e in _model_errors(model) if e.id)


def test_the_product_passes_its_own_check() -> None:
    assert [e for e in check_tenancy() if e.level >= checks.ERROR] == []


@isolate_apps("shequn.tenancy")
def test_model_neither_scoped_nor_global_is_flagged() -> None:
    class Loose(models.Model):
        name = models.CharField(max_length=10)

        class Meta:
            app_label = "tenancy"

        def __str__(self) -> str:
            return self.name

    assert _ids(Loose) == ["shequn.T001"]


@isolate_apps("shequn.tenancy")
def test_well_formed_tenant_model_passes() -> None:
    class Good(TenantScopedModel):
        code = models.CharField(max_length=10)

        class Meta:
            app_label = "tenancy"
            constraints: ClassVar[list[models.BaseConstraint]] = [
                *TenantScopedModel.Meta.constraints,
                models.UniqueConstraint(fields=["tenant", "code"], name="good_code"),
            ]
            indexes: ClassVar[list[models.Index]] = [
                models.Index(fields=["tenant", "code"], name="good_code_idx")
            ]

    assert _ids(Good) == []


@isolate_apps("shequn.tenancy")
def test_unique_keys_not_leading_with_tenant_are_flagged() -> None:
    class UniqueAlone(TenantScopedModel):
        code = models.CharField(max_length=10, unique=True)

        class Meta:
            app_label = "tenancy"
            constraints: ClassVar[list[models.BaseConstraint]] = [
                *TenantScopedModel.Meta.constraints
            ]

    class CodeFirst(TenantScopedModel):
        code = models.CharField(max_length=10)

        class Meta:
            app_label = "tenancy"
            constraints: ClassVar[list[models.BaseConstraint]] = [
                *TenantScopedModel.Meta.constraints,
                models.UniqueConstraint(fields=["code", "tenant"], name="codefirst_code"),
            ]
            indexes: ClassVar[list[models.Index]] = [
                models.Index(fields=["code"], name="codefirst_idx")
            ]

    class LostUid(TenantScopedModel):
        class Meta:
            app_label = "tenancy"
            constraints: ClassVar[list[models.BaseConstraint]] = []

    assert _ids(UniqueAlone) == ["shequn.T002"]
    assert _ids(CodeFirst) == ["shequn.T003", "shequn.T004"]
    assert _ids(LostUid) == ["shequn.T005"]
