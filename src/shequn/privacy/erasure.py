"""Erasing one person everywhere their data lives, leaving an anonymous tombstone with counts."""

from __future__ import annotations

from collections import Counter

from django.utils import timezone

from shequn.audit.services import record
from shequn.contacts.models import Contact
from shequn.privacy.models import DataSubjectRequest, ErasedContact
from shequn.privacy.registry import providers
from shequn.privacy.subjects import subject_of


def erase_contact(contact: Contact) -> ErasedContact:
    """Run every provider's eraser (contacts last); return the tombstone left behind."""
    subject = subject_of(contact)
    tombstone: ErasedContact = ErasedContact.objects.create(
        first_touch_channel=contact.first_touch_channel,
        first_touch_day=contact.first_touch_at.date() if contact.first_touch_at else None,
        created_day=contact.created_at.date() if contact.created_at else None,
        lifecycle_stage=contact.lifecycle_stage,
    )
    # Requests about this person keep only the tombstone's reference.
    DataSubjectRequest.objects.filter(contact_id__in=subject.contact_ids).update(
        tombstone=tombstone, subject_ref=str(tombstone.uid), contact=None
    )
    counts: Counter[str] = Counter()
    for provider in providers():
        counts.update(provider.eraser(subject))
    counts["contacts"] = len(subject.contact_ids)
    tombstone.counts = dict(sorted(counts.items()))
    tombstone.save(update_fields=["counts"])
    record("privacy.contact.erased", target=tombstone, data={"counts": tombstone.counts})
    return tombstone


def finish_erasure(request: DataSubjectRequest) -> DataSubjectRequest:
    """The task's work: erase the request's person and close the request."""
    if request.state != DataSubjectRequest.State.PENDING:
        return request
    contact = request.contact
    if contact is None:
        request.state, request.error = DataSubjectRequest.State.FAILED, "contact missing"
        request.completed_at = timezone.now()
        request.save(update_fields=["state", "error", "completed_at"])
        return request
    tombstone = erase_contact(contact)
    request.refresh_from_db()
    request.state = DataSubjectRequest.State.DONE
    request.completed_at = timezone.now()
    request.summary = tombstone.counts
    request.save(update_fields=["state", "completed_at", "summary"])
    return request
