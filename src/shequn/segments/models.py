"""Saved segments: a named rule tree over contacts, evaluated afresh at every use."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from shequn.tenancy.models import TenantScopedModel


class Segment(TenantScopedModel):
    """A rule tree (see `segments.rules`); membership is never stored, so it moves with time."""

    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    rules = models.JSONField(_("rules"), default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            *TenantScopedModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "name"], name="segments_segment_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name
