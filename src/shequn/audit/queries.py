"""Reading the audit log with the console's filters."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import QuerySet
from django.utils import timezone

from shequn.audit.models import AuditEvent


def audit_events(
    *,
    action: str = "",
    actor: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.select_related("actor_user").all()
    if action:
        events = events.filter(action__startswith=action)
    if actor:
        events = events.filter(actor_label__icontains=actor)
    tz = timezone.get_current_timezone()
    if since:
        events = events.filter(occurred_at__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until:
        events = events.filter(occurred_at__lte=datetime.combine(until, time.max, tzinfo=tz))
    return events


def audit_actions() -> list[str]:
    return list(AuditEvent.objects.values_list("action", flat=True).distinct().order_by("action"))
