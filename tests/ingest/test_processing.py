"""Processing inbox rows: handlers' effects on contacts, idempotency, failures, parking, replay."""

from __future__ import annotations

import time
from unittest import mock

import pytest
from django.test import Client

from shequn.channels import services as channel_services
from shequn.contacts.models import Contact, ContactEvent, CustomerGroup, Follower, GroupMembership
from shequn.ingest import services as ingest_services
from shequn.ingest.models import InboundEvent, OutboundJobResult
from shequn.ingest.tasks import _run
from tests.channels.factories import (
    OA_AES_KEY,
    OA_TOKEN,
    WECOM_AES_KEY,
    WECOM_TOKEN,
    make_official_account,
    make_wecom_corp,
)
from tests.conftest import World
from tests.ingest import wire
from tests.ingest.conftest import all_events, as_owner

pytestmark = pytest.mark.django_db


def push_oa(account, xml: str) -> None:
    query, body = wire.oa_safe_request(OA_TOKEN, OA_AES_KEY, account.appid, xml)
    response = Client().post(
        f"/cb/oa/{account.callback_key}/?{query}", data=body, content_type="text/xml"
    )
    assert response.status_code == 200


def push_wecom(corp, xml: str) -> None:
    query, body = wire.wecom_request(WECOM_TOKEN, WECOM_AES_KEY, corp.corpid, xml)
    response = Client().post(
        f"/cb/wecom/{corp.callback_key}/?{query}", data=body, content_type="text/xml"
    )
    assert response.status_code == 200


def run_all(world: World) -> None:
    with world.a.scope():
        for event in InboundEvent.objects.exclude(state="processed").order_by("id"):
            _run(event.pk)


def test_follow_scan_click_unfollow_refollow(world: World) -> None:
    with world.a.scope(), as_owner(world.a):
        oa = make_official_account()
    t0 = int(time.time()) - 100
    push_oa(oa, wire.oa_event_xml("oFan", "subscribe", "qrscene_poster42", created=t0))
    push_oa(oa, wire.oa_event_xml("oFan", "CLICK", "MENU_NEWS", created=t0 + 1))
    push_oa(
        oa,
        wire.oa_event_xml(
            "oFan",
            "LOCATION",
            created=t0 + 2,
            extra="<Latitude>31.2</Latitude><Longitude>121.5</Longitude><Precision>10</Precision>",
        ),
    )
    push_oa(oa, wire.oa_event_xml("oFan", "unsubscribe", created=t0 + 3))
    push_oa(oa, wire.oa_event_xml("oFan", "subscribe", "qrscene_later7", created=t0 + 4))
    run_all(world)
    with world.a.scope():
        assert set(InboundEvent.objects.values_list("state", flat=True)) == {"processed"}
        contact = Contact.objects.get()
        assert contact.first_touch_scene == "poster42"
        assert contact.last_touch_scene == "later7"
        assert (contact.last_latitude, contact.last_longitude) == (31.2, 121.5)
        follower = Follower.objects.get()
        assert follower.subscribed
        assert follower.scene == "later7"
        kinds = list(ContactEvent.objects.order_by("occurred_at").values_list("kind", flat=True))
        assert kinds == ["followed", "menu_click", "unfollowed", "followed"]
        # Replaying every event changes nothing: handlers are idempotent.
        with as_owner(world.a):
            for event in InboundEvent.objects.all():
                ingest_services.replay_event(event)
    run_all(world)
    with world.a.scope():
        assert ContactEvent.objects.count() == 4
        assert Contact.objects.count() == 1


def test_job_finished_results_are_stored_by_msg_id(world: World) -> None:
    with world.a.scope(), as_owner(world.a):
        oa = make_official_account()
    extra = (
        "<MsgID>1000001625</MsgID><Status><![CDATA[send success]]></Status>"
        "<TotalCount>100</TotalCount><FilterCount>80</FilterCount>"
        "<SentCount>75</SentCount><ErrorCount>5</ErrorCount>"
    )
    push_oa(oa, wire.oa_event_xml("oSys", "MASSSENDJOBFINISH", extra=extra))
    run_all(world)
    with world.a.scope():
        result = OutboundJobResult.objects.get()
        assert (result.msg_id, result.sent_count, result.error_count) == ("1000001625", 75, 5)


def test_failure_is_recorded_and_retried(world: World) -> None:
    with world.a.scope(), as_owner(world.a):
        oa = make_official_account()
    push_oa(oa, wire.oa_event_xml("oFan", "subscribe", "qrscene_a"))
    with mock.patch("shequn.contacts.services.follow", side_effect=RuntimeError("boom")):
        run_all(world)
    event = all_events()[0]
    assert (event.state, event.attempts) == ("failed", 1)
    assert "boom" in event.last_error
    run_all(world)
    event = all_events()[0]
    assert (event.state, event.attempts, event.last_error) == ("processed", 2, "")


def test_parked_events_wait_until_the_channel_resumes(world: World) -> None:
    with world.a.scope(), as_owner(world.a):
        oa = make_official_account()
        channel_services.set_ingest_paused(oa, True)
    push_oa(oa, wire.oa_event_xml("oFan", "subscribe"))
    assert [e.state for e in all_events()] == ["parked"]
    with world.a.scope(), as_owner(world.a):
        assert channel_services.set_ingest_paused(oa, False) == 1
    run_all(world)
    assert [e.state for e in all_events()] == ["processed"]


def test_wecom_add_with_state_and_group_join_and_quit(world: World) -> None:
    with world.a.scope(), as_owner(world.a):
        corp = make_wecom_corp()
    t0 = int(time.time()) - 50
    push_wecom(
        corp,
        wire.wecom_event_xml(
            "add_external_contact",
            created=t0,
            UserID="staff1",
            ExternalUserID="wmA",
            State="store-12",
        ),
    )
    push_wecom(
        corp,
        wire.wecom_event_xml(
            "create", event="change_external_chat", created=t0 + 1, ChatId="wrChat"
        ),
    )
    members = "<MemChangeList><Item>wmA</Item></MemChangeList>"
    join = (
        "<UpdateDetail>add_member</UpdateDetail><JoinScene>3</JoinScene>"
        f"{members}<CurMemVer>v2</CurMemVer>"
    )
    quit_ = (
        "<UpdateDetail>del_member</UpdateDetail><QuitScene>0</QuitScene>"
        f"{members}<CurMemVer>v3</CurMemVer>"
    )
    push_wecom(
        corp,
        wire.wecom_event_xml(
            "update", event="change_external_chat", created=t0 + 2, ChatId="wrChat"
        ).replace("</xml>", join + "</xml>"),
    )
    push_wecom(
        corp,
        wire.wecom_event_xml(
            "update", event="change_external_chat", created=t0 + 3, ChatId="wrChat"
        ).replace("</xml>", quit_ + "</xml>"),
    )
    run_all(world)
    with world.a.scope():
        contact = Contact.objects.get()
        assert contact.first_touch_scene == "store-12"
        group = CustomerGroup.objects.get()
        membership = GroupMembership.objects.get()
        assert (group.chat_id, group.member_version) == ("wrChat", "v3")
        assert membership.contact == contact
        assert membership.join_scene == 3
        assert membership.left_at is not None
        assert membership.quit_scene == 0
