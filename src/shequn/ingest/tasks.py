"""Background work of the inbox: process events, retry failures, sweep up anything missed."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.utils import timezone

from shequn.core.logging import get_logger
from shequn.ingest.models import InboundEvent
from shequn.ingest.processing import process
from shequn.jobs.schedule import periodic
from shequn.jobs.tasks import background_task, enqueue_on_commit, tenant_task
from shequn.tenancy.scope import dangerously_no_tenant_scope

log = get_logger(__name__)

# A row still "received" this long after arrival lost its task (e.g. the web process died
# between commit and enqueue); the sweeper enqueues it again. Handlers are idempotent.
SWEEP_AFTER = timedelta(minutes=5)


def _run(event_id: int) -> None:
    event = InboundEvent.objects.filter(pk=event_id).first()
    if event is None:
        return
    retry_at = process(event)
    if retry_at is not None:
        tenant_id = event.tenant_id
        enqueue_on_commit(process_event.using(run_after=retry_at), tenant_id, event_id)


@tenant_task("ingest.process_event", queue="ingest")
def process_event(event_id: int) -> None:
    """Process one inbox row (also used for retries and replays)."""
    _run(event_id)


@tenant_task("ingest.process_batch", queue="ingest")
def process_batch(event_ids: list[int]) -> None:
    """Process the rows one group commit wrote for this tenant, in arrival order."""
    for event_id in sorted(event_ids):
        _run(event_id)


@periodic("ingest.sweep_inbox", every=timedelta(minutes=1))
@background_task("ingest.sweep_inbox", queue="ingest")
def sweep_inbox() -> int:
    cutoff = timezone.now() - SWEEP_AFTER
    with dangerously_no_tenant_scope():
        stale = (
            # unscoped: the sweeper looks at every tenant's inbox and enqueues per tenant
            InboundEvent.objects.unscoped()
            .filter(state=InboundEvent.State.RECEIVED, received_at__lt=cutoff)
            .values_list("tenant_id", "id")[:5000]
        )
        by_tenant: dict[int, list[int]] = defaultdict(list)
        for tenant_id, event_id in stale:
            by_tenant[tenant_id].append(event_id)
    for tenant_id, event_ids in by_tenant.items():
        enqueue_on_commit(process_batch, tenant_id, event_ids)
    if by_tenant:
        log.warning("ingest.sweep.requeued", events=sum(len(v) for v in by_tenant.values()))
    return sum(len(v) for v in by_tenant.values())
