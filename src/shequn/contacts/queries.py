"""Reading contacts (merged-away contacts are hidden: they live on in the one they merged into)."""

from __future__ import annotations

from django.db.models import QuerySet

from shequn.contacts.models import Contact, ContactEvent


def contacts() -> QuerySet[Contact]:
    return Contact.objects.filter(merged_into__isnull=True)


def timeline(contact: Contact) -> QuerySet[ContactEvent]:
    return ContactEvent.objects.filter(contact=contact).order_by("-occurred_at")
