"""audit: entries whose target is the person (or their conversation) or whose data names them."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q, QuerySet

from shequn.audit.models import AuditEvent
from shequn.inbox.models import Conversation
from shequn.privacy.providers.text_search import as_text, mentions
from shequn.privacy.registry import Subject, register


def entries_of(subject: Subject) -> QuerySet[AuditEvent]:
    conversations = Conversation.objects.filter(
        Q(contact_id__in=subject.contact_ids) | Q(openid__in=subject.platform_ids)
    )
    targets = [
        *subject.contact_uids,
        *(str(u) for u in conversations.values_list("uid", flat=True)),
    ]
    needles = [*subject.platform_ids, *subject.names]
    return AuditEvent.objects.annotate(data_text=as_text("data")).filter(
        Q(target_uid__in=targets) | mentions(["target_label", "data_text"], needles)
    )


def export(subject: Subject) -> dict[str, Any]:
    return {
        "audit_entries": [
            {
                "action": e.action,
                "occurred_at": e.occurred_at,
                "actor": e.actor_label,
                "target": e.target_label,
                "data": e.data,
            }
            for e in entries_of(subject)
        ]
    }


def erase(subject: Subject) -> dict[str, int]:
    # The log is append-only for everyone but the law: erasure blanks what names the person
    # and keeps the action, the actor and the time.
    ids = list(entries_of(subject).values_list("pk", flat=True))
    rows = AuditEvent.objects.filter(pk__in=ids)
    changed = models.QuerySet.update(rows, target_label="", data={"erased": True})
    return {"audit_entries": changed}


register("audit", export, erase, covers=["audit.auditevent"], order=10)
