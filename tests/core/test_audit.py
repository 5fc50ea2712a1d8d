"""The audit log is append-only and names who acted: a user, an API token or a system job."""

from __future__ import annotations

import pytest

from shequn.accounts import services as account_services
from shequn.audit.models import AuditEvent, AuditLogIsAppendOnly
from shequn.audit.services import record
from shequn.core.actors import Actor, acting_as, system_actor
from tests.conftest import World


def test_events_cannot_be_changed_or_deleted(world: World) -> None:
    with world.a.scope():
        event = record("probe.happened", data={"n": 1})
        event.action = "probe.rewritten"
        with pytest.raises(AuditLogIsAppendOnly):
            event.save()
        with pytest.raises(AuditLogIsAppendOnly):
            event.delete()
        with pytest.raises(AuditLogIsAppendOnly):
            AuditEvent.objects.filter(pk=event.pk).update(action="probe.rewritten")
        with pytest.raises(AuditLogIsAppendOnly):
            AuditEvent.objects.filter(pk=event.pk).delete()
        assert AuditEvent.objects.get(pk=event.pk).action == "probe.happened"


def test_service_write_by_a_user_is_attributed_to_the_user(world: World) -> None:
    owner = world.a.owner
    actor = Actor(kind="user", label=owner.email, user_id=owner.pk, ip="203.0.113.9")
    with world.a.scope(), acting_as(actor):
        token, _ = account_services.issue_api_token("reports", ["read"], by=owner)
        event = AuditEvent.objects.get(action="api_token.issued", target_uid=str(token.uid))
    assert (event.actor_kind, event.actor_label) == ("user", owner.email)
    assert event.actor_user_id == owner.pk
    assert event.ip == "203.0.113.9"
    assert event.target_type == "accounts.apitoken"
    assert event.data == {"name": "reports", "scopes": ["read"]}
    assert event.tenant_id == world.a.workspace.pk


def test_service_write_by_a_token_is_attributed_to_the_token(world: World) -> None:
    with world.a.scope():
        acting, _ = account_services.issue_api_token("deploy-bot", ["admin"], by=None)
        with acting_as(Actor(kind="token", label=acting.name, token_uid=acting.uid)):
            target, _ = account_services.issue_api_token("child", ["read"], by=None)
            account_services.revoke_api_token(target)
        event = AuditEvent.objects.get(action="api_token.revoked")
    assert (event.actor_kind, event.actor_label) == ("token", "deploy-bot")
    assert event.actor_token_uid == acting.uid
    assert event.actor_user_id is None


def test_service_write_by_a_job_is_attributed_to_the_system(world: World) -> None:
    with world.b.scope(), acting_as(system_actor("jobs.cleanup")):
        event = record("probe.cleaned")
    assert (event.actor_kind, event.actor_label) == ("system", "jobs.cleanup")


def test_without_an_actor_the_event_says_anonymous(world: World) -> None:
    with world.a.scope():
        assert record("probe.anon").actor_kind == "anonymous"
