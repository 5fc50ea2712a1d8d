"""Recording audit events. Every service that writes calls `record` inside its transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from shequn.audit.models import AuditEvent
from shequn.core.actors import current_actor


def record(
    action: str, *, target: models.Model | None = None, data: dict[str, Any] | None = None
) -> AuditEvent:
    """Append one event in the current tenant, attributed to the current actor.

    `data` must never hold secrets; services pass names and ids, not values of secret fields.
    """
    actor = current_actor()
    event = AuditEvent(
        actor_kind=actor.kind,
        actor_label=actor.label[:200],
        actor_user_id=actor.user_id,
        actor_token_uid=None,
        ip=actor.ip or "",
        action=action,
        data=data or {},
    )
    if actor.token_uid is not None:
        event.actor_token_uid = actor.token_uid
    if target is not None:
        event.target_type = target._meta.label_lower
        event.target_uid = str(getattr(target, "uid", "") or "")
        event.target_label = str(target)[:200]
    event.save()
    return event
