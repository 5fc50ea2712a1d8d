"""Granting and withdrawing consent by purpose; the latest record per purpose is the state."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shequn.audit.services import record
from shequn.contacts.models import Contact
from shequn.privacy.models import ConsentRecord, ConsentSource, Purpose


class ConsentError(ValueError):
    pass


def _record(
    contact: Contact,
    purpose: str,
    granted: bool,
    *,
    source: str,
    evidence: str = "",
    at: datetime | None = None,
) -> ConsentRecord:
    if purpose not in Purpose.values:
        raise ConsentError(_("Unknown consent purpose."))
    if source not in ConsentSource.values:
        raise ConsentError(_("Unknown consent source."))
    row: ConsentRecord = ConsentRecord.objects.create(
        contact=contact,
        purpose=purpose,
        granted=granted,
        at=at or timezone.now(),
        source=source,
        evidence=evidence[:2000],
    )
    # The audit row names the contact by uid only; the evidence may be personal.
    record(
        "privacy.consent.granted" if granted else "privacy.consent.withdrawn",
        target=row,
        data={"purpose": purpose, "source": source, "contact": str(contact.uid)},
    )
    return row


def grant(
    contact: Contact,
    purpose: str,
    *,
    source: str,
    evidence: str = "",
    at: datetime | None = None,
) -> ConsentRecord:
    return _record(contact, purpose, True, source=source, evidence=evidence, at=at)


def withdraw(
    contact: Contact,
    purpose: str,
    *,
    source: str,
    evidence: str = "",
    at: datetime | None = None,
) -> ConsentRecord:
    return _record(contact, purpose, False, source=source, evidence=evidence, at=at)


def history(contact: Contact) -> QuerySet[ConsentRecord]:
    return ConsentRecord.objects.filter(contact=contact).order_by("-at", "-id")


def current_consents(contact: Contact) -> dict[str, ConsentRecord | None]:
    """Every purpose → its latest record (None: never asked, which means no consent)."""
    latest: dict[str, ConsentRecord | None] = dict.fromkeys(Purpose.values)
    for row in ConsentRecord.objects.filter(contact=contact).order_by("at", "id"):
        latest[row.purpose] = row
    return latest


def has_consent(contact: Contact, purpose: str) -> bool:
    row = current_consents(contact).get(purpose)
    return bool(row and row.granted)
