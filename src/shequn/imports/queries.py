"""Reads of the imports app (tenant-scoped)."""

from __future__ import annotations

from django.db.models import QuerySet

from shequn.imports.columns import guess_mapping, targets
from shequn.imports.exporting import export_columns, segments_available
from shequn.imports.models import ImportJob

__all__ = ["export_columns", "guess_mapping", "jobs", "segments_available", "targets"]


def jobs() -> QuerySet[ImportJob]:
    return ImportJob.objects.order_by("-created_at", "-id")
