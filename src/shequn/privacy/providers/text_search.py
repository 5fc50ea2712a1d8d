"""Finding rows whose free text or JSON mentions a person's ids (on SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, TextField
from django.db.models.functions import Cast


def mentions(fields: Iterable[str], values: Iterable[str]) -> Q:
    """Q matching rows where any of `fields` contains any of `values` (empty values skipped)."""
    query = Q(pk__in=[])
    for value in values:
        if not value:
            continue
        for name in fields:
            query |= Q(**{f"{name}__contains": value})
    return query


def as_text(field: str) -> Cast:
    """A JSON column as text, for `mentions` (annotate it under a new name first)."""
    return Cast(field, TextField())
