"""The verification-lapse reminder: a periodic job that records one reminder per account and
expiry date once the WeChat verification ends within 30 days."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from shequn.audit.models import AuditEvent
from shequn.channels import services
from shequn.channels.tasks import remind_lapsing_verifications, verification_reminders
from shequn.jobs.schedule import SCHEDULE, enqueue_due
from tests.channels.factories import make_official_account
from tests.conftest import World
from tests.ingest.conftest import as_owner

pytestmark = pytest.mark.django_db

ACTION = "channels.official_account.verification_lapsing"


def reminders(world: World, tenant: str = "a") -> list[AuditEvent]:
    ws = getattr(world, tenant).workspace
    return list(AuditEvent.objects.for_tenant(ws).filter(action=ACTION).order_by("id"))


def test_reminds_once_per_expiry_date_and_again_after_renewal(world: World) -> None:
    today = timezone.localdate()
    with world.a.scope(), as_owner(world.a):
        lapsing = make_official_account(verified=True, verified_until=today + timedelta(days=12))
        make_official_account(
            name="Far", appid="wx00000000000000f1", verified_until=today + timedelta(days=90)
        )
    assert remind_lapsing_verifications(world.a.workspace) == 1
    assert remind_lapsing_verifications(world.a.workspace) == 0  # not every six hours
    events = reminders(world)
    assert len(events) == 1
    assert events[0].data == {"verified_until": (today + timedelta(days=12)).isoformat()}
    assert events[0].target_uid == str(lapsing.uid)

    # Renewed for a year: nothing; that year ending: a new reminder.
    renewed = today + timedelta(days=365)
    with world.a.scope(), as_owner(world.a):
        services.update_channel(lapsing, verified_until=renewed)
    assert remind_lapsing_verifications(world.a.workspace) == 0
    with world.a.scope(), as_owner(world.a):
        services.update_channel(lapsing, verified_until=today + timedelta(days=3))
    assert remind_lapsing_verifications(world.a.workspace) == 1
    assert len(reminders(world)) == 2


def test_already_lapsed_and_disconnected_accounts(world: World) -> None:
    today = timezone.localdate()
    with world.a.scope(), as_owner(world.a):
        make_official_account(verified_until=today - timedelta(days=1))
        gone = make_official_account(
            appid="wx00000000000000d1", verified_until=today + timedelta(days=5)
        )
        services.disconnect(gone)
    assert remind_lapsing_verifications(world.a.workspace) == 1  # the lapsed one, not the gone one


def test_the_periodic_job_fans_out_per_workspace(world: World) -> None:
    soon = timezone.localdate() + timedelta(days=7)
    with world.a.scope(), as_owner(world.a):
        make_official_account(verified_until=soon)
    with world.b.scope(), as_owner(world.b):
        make_official_account(appid="wx00000000000000b1", verified_until=soon)
    assert verification_reminders.call() == 2
    assert len(reminders(world, "a")) == 1
    assert len(reminders(world, "b")) == 1


def test_it_is_on_the_schedule_every_six_hours() -> None:
    entry = SCHEDULE["channels.verification_reminders"]
    assert entry.every == timedelta(hours=6)
    assert entry.task is verification_reminders


def test_the_scheduler_enqueues_it_once_per_slot(world: World) -> None:
    now = datetime(2026, 11, 21, 7, 0, tzinfo=timezone.get_current_timezone())
    assert "channels.verification_reminders" in enqueue_due(now)
    assert "channels.verification_reminders" not in enqueue_due(now + timedelta(hours=1))
    assert "channels.verification_reminders" in enqueue_due(now + timedelta(hours=6))
