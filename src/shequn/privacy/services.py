"""Writes of the privacy app: consent, data-subject requests (export now, erasure in a task)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from shequn.audit.services import record
from shequn.contacts.models import Contact
from shequn.core.actors import current_actor
from shequn.jobs.tasks import enqueue_on_commit
from shequn.privacy.consent import ConsentError, current_consents, grant, has_consent, withdraw
from shequn.privacy.erasure import erase_contact, finish_erasure
from shequn.privacy.exporting import export_document, export_json, export_zip
from shequn.privacy.models import DataSubjectRequest
from shequn.privacy.registry import register

__all__ = [
    "ConsentError",
    "current_consents",
    "erase_contact",
    "export_document",
    "export_json",
    "export_zip",
    "finish_erasure",
    "grant",
    "has_consent",
    "register",
    "request_erasure",
    "request_export",
    "withdraw",
]


def _requested_by() -> int | None:
    return current_actor().user_id


def request_export(contact: Contact) -> tuple[DataSubjectRequest, dict[str, Any]]:
    """Record the request and build the document at once (it is read, not changed)."""
    document = export_document(contact)
    request: DataSubjectRequest = DataSubjectRequest.objects.create(
        kind=DataSubjectRequest.Kind.EXPORT,
        contact=contact,
        subject_ref=str(contact.uid),
        requested_by_id=_requested_by(),
        state=DataSubjectRequest.State.DONE,
        completed_at=timezone.now(),
        summary={
            name: sum(len(v) for v in section.values() if isinstance(v, list))
            for name, section in document["sections"].items()
        },
    )
    record("privacy.export.done", target=request, data={"subject": request.subject_ref})
    return request, document


def request_erasure(contact: Contact) -> DataSubjectRequest:
    """Queue the erasure of a person; the worker runs it after this transaction commits."""
    from shequn.privacy.tasks import erase_contact as erase_task

    request: DataSubjectRequest = DataSubjectRequest.objects.create(
        kind=DataSubjectRequest.Kind.ERASURE,
        contact=contact,
        subject_ref=str(contact.uid),
        requested_by_id=_requested_by(),
    )
    record("privacy.erasure.requested", target=request, data={"subject": request.subject_ref})
    enqueue_on_commit(erase_task, request.tenant_id, request.pk)
    return request
