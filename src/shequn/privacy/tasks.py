"""Erasure runs in the worker: it touches every app and may take a while on a long history."""

from __future__ import annotations

from shequn.jobs.tasks import tenant_task
from shequn.privacy.erasure import finish_erasure
from shequn.privacy.models import DataSubjectRequest


@tenant_task("privacy.erase_contact")
def erase_contact(request_id: int) -> None:
    request = DataSubjectRequest.objects.filter(pk=request_id).first()
    if request is not None:
        finish_erasure(request)
