"""Reads of the privacy app (tenant-scoped)."""

from __future__ import annotations

from django.db.models import QuerySet

from shequn.privacy.consent import current_consents, has_consent, history
from shequn.privacy.models import DataSubjectRequest, ErasedContact

__all__ = ["current_consents", "erased_contacts", "has_consent", "history", "requests"]


def requests() -> QuerySet[DataSubjectRequest]:
    return DataSubjectRequest.objects.order_by("-requested_at", "-id")


def erased_contacts() -> QuerySet[ErasedContact]:
    return ErasedContact.objects.order_by("-erased_at")
