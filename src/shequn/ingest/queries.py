"""Reading the inbox."""

from __future__ import annotations

from django.db.models import QuerySet

from shequn.ingest.models import InboundEvent, OutboundJobResult


def events(
    *, channel_kind: str = "", channel_id: int | None = None, state: str = ""
) -> QuerySet[InboundEvent]:
    found = InboundEvent.objects.all()
    if channel_kind:
        found = found.filter(channel_kind=channel_kind)
    if channel_id is not None:
        found = found.filter(channel_id=channel_id)
    if state:
        found = found.filter(state=state)
    return found


def event_counts(channel_kind: str, channel_id: int) -> dict[str, int]:
    from django.db.models import Count

    rows = (
        InboundEvent.objects.filter(channel_kind=channel_kind, channel_id=channel_id)
        .values("state")
        .annotate(n=Count("id"))
    )
    return {row["state"]: row["n"] for row in rows}


def job_results(channel_id: int | None = None) -> QuerySet[OutboundJobResult]:
    found = OutboundJobResult.objects.all()
    return found if channel_id is None else found.filter(channel_id=channel_id)
