"""ingest: callbacks as received (raw XML names the sender's openid and carries message text)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db.models import Q, QuerySet

from shequn.ingest.models import InboundEvent, WelcomeDelivery
from shequn.privacy.providers.text_search import as_text, mentions
from shequn.privacy.registry import Subject, register


def events_of(subject: Subject) -> QuerySet[InboundEvent]:
    ids = subject.platform_ids
    if not ids:
        return InboundEvent.objects.none()
    found: QuerySet[InboundEvent] = InboundEvent.objects.annotate(
        fields_text=as_text("fields")
    ).filter(Q(from_user__in=ids) | mentions(["raw_xml", "fields_text"], ids))
    return found


def export(subject: Subject) -> dict[str, Any]:
    return {
        "callbacks": [
            {
                "platform": e.platform,
                "msg_type": e.msg_type,
                "event": e.event,
                "received_at": e.received_at,
                "raw": e.raw_xml,
                "fields": e.fields,
            }
            for e in events_of(subject).order_by("received_at", "id")
        ],
        "welcome_deliveries": [
            {"external_user_id": w.external_user_id, "attempted_at": w.attempted_at, "ok": w.ok}
            for w in WelcomeDelivery.objects.filter(external_user_id__in=subject.platform_ids)
        ],
    }


def erase(subject: Subject) -> dict[str, int]:
    # Rows are scrubbed rather than deleted: the processing state stays for operations, and the
    # dedupe key becomes a digest so a late retry of the same push still finds its row.
    scrubbed = 0
    for event in events_of(subject):
        digest = hashlib.sha256(event.dedupe_key.encode()).hexdigest()[:40]
        event.raw_xml, event.fields, event.from_user, event.last_error = "", {}, "", ""
        event.dedupe_key = f"erased:{digest}"
        event.save(update_fields=["raw_xml", "fields", "from_user", "last_error", "dedupe_key"])
        scrubbed += 1
    welcomes = WelcomeDelivery.objects.filter(external_user_id__in=subject.platform_ids)
    welcomes.update(external_user_id="", detail="")
    return {"callbacks": scrubbed}


register(
    "ingest",
    export,
    erase,
    covers=["ingest.inboundevent", "ingest.welcomedelivery"],
    order=60,
)
