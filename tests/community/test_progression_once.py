"""Progression sends each invitation once, against the sandbox over HTTP: the row is committed
pending before WeCom is called; a run that crashed after WeCom accepted the message leaves it
pending, and the next run finds it in WeCom's mass messages instead of sending it again; an
invitation whose outcome is unknown and that WeCom never recorded is left for an operator."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shequn.community import services
from shequn.community.models import GroupPool, Progression
from shequn.segments import services as segment_services
from tests.community.wired import CORPID, Wired
from tests.ingest.conftest import as_owner

pytestmark = pytest.mark.slow


def _mass_messages(wired: Wired) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = wired.sandbox.control("GET", f"/wecom/corps/{CORPID}/messages")[
        "messages"
    ]
    return found


def _pools(wired: Wired) -> tuple[GroupPool, Any]:
    first, second = wired.new_group("Baby 0-3 · 1"), wired.new_group("Baby 4-6 · 1")
    mum = wired.customer("mum")
    wired.act("join_group", external_userid=wired.external_id(mum), chat_id=first.chat_id)
    with wired.tenant.scope(), as_owner(wired.tenant):
        grouped = segment_services.create_segment("In a group", {"all": [{"kind": "in_any_group"}]})
    older = wired.pool("Baby 4-6 months", [second], segment=grouped)
    young = wired.pool("Baby 0-3 months", [first], next_pool=older)
    return young, mum


def _run_later(wired: Wired) -> int:
    """A later progression run (past the grace that protects a run still sending)."""
    with wired.tenant.scope(), as_owner(wired.tenant):
        Progression.objects.update(sent_at=timezone.now() - timedelta(hours=1))
        return services.invite_to_next_pools()


def test_a_crash_after_wecom_accepted_does_not_send_twice(wired: Wired) -> None:
    _young, mum = _pools(wired)
    with wired.tenant.scope(), as_owner(wired.tenant):
        assert services.invite_to_next_pools() == 1
        row = Progression.objects.get(contact=mum)
        assert row.state == Progression.State.SENT
        msgid = row.msgid
    assert msgid
    assert len(_mass_messages(wired)) == 1

    # What a crash between WeCom's answer and our write leaves behind: the committed pending row.
    with wired.tenant.scope():
        Progression.objects.filter(pk=row.pk).update(state=Progression.State.PENDING, msgid="")
    assert _run_later(wired) == 0
    assert len(_mass_messages(wired)) == 1  # not sent again
    with wired.tenant.scope():
        row.refresh_from_db()
        assert (row.state, row.msgid) == (Progression.State.SENT, msgid)


def test_an_unknown_outcome_wecom_never_recorded_is_left_for_an_operator(wired: Wired) -> None:
    young, mum = _pools(wired)
    with wired.tenant.scope(), as_owner(wired.tenant):
        assert young.next_pool is not None
        services.refresh_join_way(young.next_pool)  # the next pool's join code exists already
    base_url = wired.corp.api_base_url
    with wired.tenant.scope():
        # WeCom unreachable while sending: the outcome of the call is unknown.
        type(wired.corp).objects.filter(pk=wired.corp.pk).update(
            api_base_url="http://127.0.0.1:9/qyapi"
        )
    with wired.tenant.scope(), as_owner(wired.tenant):
        assert services.invite_to_next_pools() == 1
        assert Progression.objects.get(contact=mum).state == Progression.State.PENDING
    assert _mass_messages(wired) == []

    with wired.tenant.scope():
        type(wired.corp).objects.filter(pk=wired.corp.pk).update(api_base_url=base_url)
    assert _run_later(wired) == 0
    assert _mass_messages(wired) == []  # never sent blindly
    with wired.tenant.scope():
        assert Progression.objects.get(contact=mum).state == Progression.State.UNCERTAIN
    client = Client()
    client.force_login(wired.tenant.operator.user)
    page = client.get(
        reverse(
            "console:community_pool",
            kwargs={"workspace": wired.tenant.workspace.slug, "uid": young.uid},
        )
    ).content.decode()
    assert "may not have been sent" in page
