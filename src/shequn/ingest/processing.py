"""Processing one inbox row: dispatch to the registered handlers, record the outcome."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from shequn.core.logging import get_logger
from shequn.ingest.models import InboundEvent
from shequn.ingest.registry import HandlerContext, handlers_for
from shequn.jobs.tasks import RetryLater, backoff_delay
from shequn.wechat.messages import message_from_fields

log = get_logger(__name__)

MAX_ATTEMPTS = 8


def channel_ref(kind: str, uid: Any) -> str:
    return f"{kind}:{uid}"


def _message(event: InboundEvent) -> Any:
    if event.platform == "pay":
        return dict(event.fields)
    return message_from_fields(event.fields, event.raw_xml)


def process(event: InboundEvent) -> datetime | None:
    """Run the event's handlers once; returns when to retry (None: done, parked or given up).

    Runs inside the caller's transaction (and tenant scope); handler work sits in a savepoint so
    a failure rolls back only the handlers, never the failure record.
    """
    from shequn.channels import queries as channel_queries

    if event.state == InboundEvent.State.PROCESSED:
        return None
    channel = channel_queries.channel_for_event(event.channel_kind, event.channel_id)
    if channel is not None and channel.ingest_paused:
        InboundEvent.objects.filter(pk=event.pk).update(state=InboundEvent.State.PARKED)
        return None
    attempts = event.attempts + 1
    try:
        if channel is None:
            raise LookupError("the channel of this event is disconnected")
        ctx = HandlerContext(
            event=event,
            message=_message(event),
            channel=channel,
            channel_ref=channel_ref(event.channel_kind, channel.uid),
        )
        with transaction.atomic():
            for handler in handlers_for(
                event.platform, event.msg_type, event.event, event.change_type
            ):
                handler(ctx)
    except Exception as exc:  # noqa: BLE001 - any handler failure is recorded and retried
        error = f"{type(exc).__name__}: {exc}"[:2000]
        InboundEvent.objects.filter(pk=event.pk).update(
            state=InboundEvent.State.FAILED, attempts=attempts, last_error=error
        )
        log.warning(
            "ingest.event.failed", event_uid=str(event.uid), attempt=attempts, error=error[:300]
        )
        if attempts >= MAX_ATTEMPTS:
            log.error("ingest.event.gave_up", event_uid=str(event.uid), attempts=attempts)
            return None
        delay: timedelta = (
            exc.delay if isinstance(exc, RetryLater) and exc.delay else backoff_delay(attempts)
        )
        return timezone.now() + delay
    InboundEvent.objects.filter(pk=event.pk).update(
        state=InboundEvent.State.PROCESSED,
        attempts=attempts,
        last_error="",
        processed_at=timezone.now(),
    )
    return None
