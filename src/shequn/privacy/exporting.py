"""Everything held about one person, from every registered app, as one JSON document."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from shequn.contacts.models import Contact
from shequn.privacy.registry import providers
from shequn.privacy.subjects import subject_of


def export_document(contact: Contact) -> dict[str, Any]:
    subject = subject_of(contact)
    return {
        "format": "shequn.personal-data.v1",
        "contact": str(contact.uid),
        "generated_at": timezone.now(),
        "sections": {p.app_label: p.exporter(subject) for p in providers()},
    }


def export_json(contact: Contact) -> str:
    return json.dumps(export_document(contact), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def export_zip(contact: Contact) -> bytes:
    """The document in a zip (personal-data.json), as handed to the person."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("personal-data.json", export_json(contact))
    return buffer.getvalue()
