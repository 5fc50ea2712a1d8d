"""GET /audit-events: the workspace's audit log, newest first, filtered and paginated."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from shequn.api.pagination import PageParams, page_schema, paginate
from shequn.audit import queries as audit_queries
from shequn.audit.models import AuditEvent

router = Router(tags=["audit"])


class AuditFilters(Schema):
    action: str = Field("", max_length=100, description="Action prefix, e.g. `api_token.`")
    actor: str = Field("", max_length=200, description="Part of the actor's label")
    since: date | None = Field(None, description="First day (workspace time zone), inclusive")
    until: date | None = Field(None, description="Last day, inclusive")


class ActorOut(Schema):
    kind: str
    label: str
    user_uid: UUID | None
    token_uid: UUID | None


class TargetOut(Schema):
    type: str
    uid: str
    label: str


class AuditEventOut(Schema):
    uid: UUID
    occurred_at: datetime
    action: str
    actor: ActorOut
    target: TargetOut | None
    data: dict[str, Any]


def _event(event: AuditEvent) -> AuditEventOut:
    user = event.actor_user
    return AuditEventOut(
        uid=event.uid,
        occurred_at=event.occurred_at,
        action=event.action,
        actor=ActorOut(
            kind=event.actor_kind,
            label=event.actor_label,
            user_uid=user.uid if user is not None else None,
            token_uid=event.actor_token_uid,
        ),
        target=(
            TargetOut(type=event.target_type, uid=event.target_uid, label=event.target_label)
            if event.target_type
            else None
        ),
        data=event.data or {},
    )


@router.get("/audit-events", response=page_schema(AuditEventOut), summary="The audit log")
def list_audit_events(
    request: HttpRequest, filters: Query[AuditFilters], page: Query[PageParams]
) -> dict[str, Any]:
    events = audit_queries.audit_events(
        action=filters.action, actor=filters.actor, since=filters.since, until=filters.until
    )
    return paginate(events, page, order_by="-occurred_at", serialize=_event)
