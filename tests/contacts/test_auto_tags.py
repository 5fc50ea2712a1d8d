"""Auto-tag rules fire from real callbacks: signed and encrypted, received by ingest, processed."""

from __future__ import annotations

import itertools
import time
from typing import Any

import pytest
from django.test import Client

from shequn.contacts import queries, services
from shequn.contacts.models import Contact, ContactTag, Identity
from shequn.ingest.models import InboundEvent
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
from tests.ingest.conftest import as_owner

pytestmark = pytest.mark.django_db
_nonces = itertools.count()


def push_oa(account: Any, xml: str) -> None:
    query, body = wire.oa_safe_request(
        OA_TOKEN, OA_AES_KEY, account.appid, xml, nonce=f"auto{next(_nonces)}"
    )
    answer = Client().post(
        f"/cb/oa/{account.callback_key}/?{query}", data=body, content_type="text/xml"
    )
    assert answer.status_code == 200


def push_wecom(corp: Any, xml: str) -> None:
    query, body = wire.wecom_request(
        WECOM_TOKEN, WECOM_AES_KEY, corp.corpid, xml, nonce=f"auto{next(_nonces)}"
    )
    answer = Client().post(
        f"/cb/wecom/{corp.callback_key}/?{query}", data=body, content_type="text/xml"
    )
    assert answer.status_code == 200


def process(world: World) -> None:
    with world.a.scope():
        for event in InboundEvent.objects.exclude(state="processed").order_by("id"):
            _run(event.pk)
        assert set(InboundEvent.objects.values_list("state", flat=True)) == {"processed"}


def tag_names(world: World, contact: Contact) -> list[str]:
    with world.a.scope():
        return [t.name for t in queries.tags_of(contact)]


def test_qr_scene_rule_tags_on_follow_and_on_scan_and_a_paused_rule_does_not(
    world: World,
) -> None:
    with world.a.scope(), as_owner(world.a):
        oa = make_official_account()
        poster = services.create_tag("Poster 42")
        store = services.create_tag("Store QR")
        services.create_auto_tag_rule(poster, "qr_scene", "poster42")
        paused = services.create_auto_tag_rule(store, "qr_scene", "store7")
        services.set_auto_tag_rule_active(paused, False)
    t0 = int(time.time()) - 100
    push_oa(oa, wire.oa_event_xml("oFollower", "subscribe", "qrscene_poster42", created=t0))
    push_oa(oa, wire.oa_event_xml("oScanner", "subscribe", "", created=t0))
    push_oa(oa, wire.oa_event_xml("oScanner", "SCAN", "poster42", created=t0 + 1))
    push_oa(oa, wire.oa_event_xml("oOther", "subscribe", "qrscene_store7", created=t0 + 2))
    process(world)
    with world.a.scope():
        follower, scanner, other = (
            Identity.objects.get(value=v).contact for v in ("oFollower", "oScanner", "oOther")
        )
        assert ContactTag.objects.get(contact=follower).source == ContactTag.Source.RULE
    assert tag_names(world, follower) == ["Poster 42"]
    assert tag_names(world, scanner) == ["Poster 42"]
    assert tag_names(world, other) == []


def test_keyword_rule_tags_whoever_writes_the_word_in_any_case(world: World) -> None:
    with world.a.scope(), as_owner(world.a):
        oa = make_official_account()
        members = services.create_tag("Wants membership")
        services.create_auto_tag_rule(members, "keyword", "Member")
    push_oa(oa, wire.oa_text_xml("oAsker", "how do I become a MEMBER?", msg_id="9001"))
    push_oa(oa, wire.oa_text_xml("oChatter", "hello there", msg_id="9002"))
    process(world)
    with world.a.scope():
        asker = Identity.objects.get(value="oAsker").contact
        chatter = Identity.objects.get(value="oChatter").contact
    assert tag_names(world, asker) == ["Wants membership"]
    assert tag_names(world, chatter) == []


def test_group_join_rule_tags_customers_who_join_that_group(world: World) -> None:
    with world.a.scope(), as_owner(world.a):
        corp = make_wecom_corp()
        ref = f"wecom:{corp.uid}"
        vip_group = services.create_tag("VIP group")
        any_group = services.create_tag("In a group")
        services.create_auto_tag_rule(vip_group, "group_join", "wrVip")
        services.create_auto_tag_rule(any_group, "group_join", "")
        mei = services.contact_for_identity(Identity.Kind.WECOM_EXTERNAL_USERID, "wmMei", ref)
        li = services.contact_for_identity(Identity.Kind.WECOM_EXTERNAL_USERID, "wmLi", ref)
    t0 = int(time.time()) - 100
    for chat_id, member, at in (("wrVip", "wmMei", t0), ("wrOther", "wmLi", t0 + 1)):
        join = (
            "<UpdateDetail>add_member</UpdateDetail><JoinScene>3</JoinScene>"
            f"<MemChangeList><Item>{member}</Item></MemChangeList><CurMemVer>v{at}</CurMemVer>"
        )
        xml = wire.wecom_event_xml(
            "update", event="change_external_chat", created=at, ChatId=chat_id
        ).replace("</xml>", join + "</xml>")
        push_wecom(corp, xml)
    process(world)
    assert tag_names(world, mei) == ["In a group", "VIP group"]
    assert tag_names(world, li) == ["In a group"]
