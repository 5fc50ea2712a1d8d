"""Writes on the inbox: replaying events and releasing parked ones."""

from __future__ import annotations

from django.db import transaction

from shequn.audit.services import record
from shequn.ingest.models import InboundEvent
from shequn.jobs.tasks import enqueue_on_commit
from shequn.tenancy.scope import require_tenant


@transaction.atomic
def replay_event(event: InboundEvent) -> InboundEvent:
    """Run the event's handlers again (they are idempotent); audited."""
    InboundEvent.objects.filter(pk=event.pk).update(
        state=InboundEvent.State.RECEIVED, last_error=""
    )
    event.refresh_from_db()
    record(
        "ingest.event.replayed",
        target=event,
        data={"channel_kind": event.channel_kind, "msg_type": event.msg_type, "event": event.event},
    )
    from shequn.ingest.tasks import process_event

    enqueue_on_commit(process_event, require_tenant().pk, event.pk)
    return event


@transaction.atomic
def release_parked(channel_kind: str, channel_id: int) -> int:
    """Queue every parked event of a channel whose ingest was resumed; returns how many."""
    from shequn.ingest.tasks import process_batch

    ids = list(
        InboundEvent.objects.filter(
            channel_kind=channel_kind, channel_id=channel_id, state=InboundEvent.State.PARKED
        )
        .order_by("id")
        .values_list("id", flat=True)
    )
    if not ids:
        return 0
    InboundEvent.objects.filter(pk__in=ids).update(state=InboundEvent.State.RECEIVED)
    tenant_id = require_tenant().pk
    for start in range(0, len(ids), 500):
        enqueue_on_commit(process_batch, tenant_id, ids[start : start + 500])
    return len(ids)
