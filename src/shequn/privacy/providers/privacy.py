"""privacy: the person's consent records (requests are handled by the eraser itself)."""

from __future__ import annotations

from typing import Any

from shequn.privacy.models import ConsentRecord
from shequn.privacy.registry import Subject, register


def export(subject: Subject) -> dict[str, Any]:
    return {
        "consents": [
            {
                "purpose": r.purpose,
                "granted": r.granted,
                "at": r.at,
                "source": r.source,
                "evidence": r.evidence,
            }
            for r in ConsentRecord.objects.filter(contact_id__in=subject.contact_ids).order_by(
                "at", "id"
            )
        ]
    }


def erase(subject: Subject) -> dict[str, int]:
    deleted, _ = ConsentRecord.objects.filter(contact_id__in=subject.contact_ids).delete()
    return {"consent_records": deleted}


register(
    "privacy",
    export,
    erase,
    covers=["privacy.consentrecord", "privacy.datasubjectrequest"],
    order=20,
)
