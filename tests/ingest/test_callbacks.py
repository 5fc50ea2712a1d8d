"""The callback endpoints: verification, every encryption mode, dedupe, and hostile input."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client

from shequn.channels import services as channel_services
from shequn.channels.models import OfficialAccount
from shequn.ingest.models import InboundEvent
from shequn.wechat.signature import sha1_signature
from tests.channels.factories import (
    OA_AES_KEY,
    OA_AES_KEY_2,
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


@pytest.fixture
def oa(world: World) -> OfficialAccount:
    with world.a.scope(), as_owner(world.a):
        return make_official_account()


def post(client: Client, url: str, query: str, body: bytes) -> Any:
    return client.post(f"{url}?{query}", data=body, content_type="text/xml")


def oa_url(account: OfficialAccount) -> str:
    return f"/cb/oa/{account.callback_key}/"


def test_get_verification_echoes_echostr_only_with_a_valid_signature(oa: OfficialAccount) -> None:
    client = Client()
    now = wire.now_stamp()
    good = sha1_signature(OA_TOKEN, now, "n")
    ok = client.get(
        oa_url(oa), {"signature": good, "timestamp": now, "nonce": "n", "echostr": "e42"}
    )
    assert (ok.status_code, ok.content) == (200, b"e42")
    bad = client.get(
        oa_url(oa), {"signature": "0" * 40, "timestamp": now, "nonce": "n", "echostr": "e"}
    )
    assert bad.status_code == 403


def test_safe_mode_push_is_stored_once_and_answered_success(oa: OfficialAccount) -> None:
    client = Client()
    xml = wire.oa_text_xml(msg_id="777", content="你好")
    query, body = wire.oa_safe_request(OA_TOKEN, OA_AES_KEY, oa.appid, xml)
    first = post(client, oa_url(oa), query, body)
    again = post(client, oa_url(oa), query, body)
    assert (first.status_code, first.content) == (200, b"success")
    assert (again.status_code, again.content) == (200, b"success")
    events = all_events()
    assert len(events) == 1
    event = events[0]
    assert (event.msg_type, event.state, event.tenant_id) == ("text", "received", oa.tenant_id)
    assert "你好" in event.raw_xml
    assert event.fields["Content"] == "你好"


def test_plaintext_and_compatible_modes(oa: OfficialAccount, world: World) -> None:
    with world.a.scope(), as_owner(world.a):
        channel_services.update_channel(oa, encryption_mode="plaintext")
    client = Client()
    query, body = wire.oa_plain_request(OA_TOKEN, wire.oa_text_xml(msg_id="1"))
    assert post(client, oa_url(oa), query, body).status_code == 200
    with world.a.scope(), as_owner(world.a):
        channel_services.update_channel(oa, encryption_mode="compatible")
    query, body = wire.oa_safe_request(OA_TOKEN, OA_AES_KEY, oa.appid, wire.oa_text_xml(msg_id="2"))
    assert post(client, oa_url(oa), query, body).status_code == 200
    # Safe mode refuses a plaintext push even with a valid signature.
    with world.a.scope(), as_owner(world.a):
        channel_services.update_channel(oa, encryption_mode="safe")
    query, body = wire.oa_plain_request(OA_TOKEN, wire.oa_text_xml(msg_id="3"))
    assert post(client, oa_url(oa), query, body).status_code == 403
    assert [e.fields["MsgId"] for e in all_events()] == ["1", "2"]


def test_rotation_accepts_a_push_encrypted_with_the_previous_key(
    oa: OfficialAccount, world: World
) -> None:
    with world.a.scope(), as_owner(world.a):
        channel_services.rotate_key(oa, OA_AES_KEY_2)
    client = Client()
    old_query, old_body = wire.oa_safe_request(
        OA_TOKEN, OA_AES_KEY, oa.appid, wire.oa_text_xml(msg_id="10")
    )
    new_query, new_body = wire.oa_safe_request(
        OA_TOKEN, OA_AES_KEY_2, oa.appid, wire.oa_text_xml(msg_id="11")
    )
    assert post(client, oa_url(oa), old_query, old_body).status_code == 200
    assert post(client, oa_url(oa), new_query, new_body).status_code == 200
    assert len(all_events()) == 2


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
    "<xml><ToUserName>a</ToUserName><FromUserName>&lol2;</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>text</MsgType><MsgId>5</MsgId></xml>"
)
XXE = (
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    "<xml><ToUserName>a</ToUserName><FromUserName>&xxe;</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>text</MsgType><MsgId>6</MsgId></xml>"
)


@pytest.mark.parametrize(
    "hostile", [BILLION_LAUGHS, XXE, "<xml><unclosed></xml>", "not xml at all"]
)
def test_hostile_xml_is_refused_with_400_and_nothing_stored(
    oa: OfficialAccount, hostile: str
) -> None:
    query, body = wire.oa_safe_request(OA_TOKEN, OA_AES_KEY, oa.appid, hostile)
    assert post(Client(), oa_url(oa), query, body).status_code == 400
    query, body = wire.oa_safe_request(OA_TOKEN, OA_AES_KEY, oa.appid, "x")
    assert post(Client(), oa_url(oa), query, hostile.encode()).status_code in {400, 403}
    assert all_events() == []


def test_forged_signature_oversized_unknown_channel_and_wrong_appid(oa: OfficialAccount) -> None:
    client = Client()
    query, body = wire.oa_safe_request("other-token", OA_AES_KEY, oa.appid, wire.oa_text_xml())
    assert post(client, oa_url(oa), query, body).status_code == 403
    query, body = wire.oa_safe_request(
        OA_TOKEN, OA_AES_KEY, "wxSomeoneElse00001", wire.oa_text_xml()
    )
    assert post(client, oa_url(oa), query, body).status_code == 403
    query, body = wire.oa_safe_request(OA_TOKEN, OA_AES_KEY, oa.appid, wire.oa_text_xml())
    assert post(client, oa_url(oa), query, body + b" " * 70_000).status_code == 413
    assert (
        post(client, "/cb/oa/00000000-0000-4000-8000-000000000000/", query, body).status_code == 404
    )
    assert post(client, "/cb/oa/not-a-uuid/", query, body).status_code == 404
    assert all_events() == []


def test_database_outage_answers_503_and_a_retry_later_succeeds(oa: OfficialAccount) -> None:
    client = Client()
    query, body = wire.oa_safe_request(
        OA_TOKEN, OA_AES_KEY, oa.appid, wire.oa_text_xml(msg_id="99")
    )
    with mock.patch(
        "shequn.ingest.inbox._execute", side_effect=OperationalError("database is down")
    ):
        assert post(client, oa_url(oa), query, body).status_code == 503
    assert all_events() == []
    assert post(client, oa_url(oa), query, body).status_code == 200
    assert len(all_events()) == 1


def test_tenant_b_key_never_writes_into_tenant_a(world: World, oa: OfficialAccount) -> None:
    with world.b.scope(), as_owner(world.b):
        b_account = make_official_account(name="Longjing OA", token="longjingtoken")
    # A's payload sent to B's URL: B's token does not sign it.
    query, body = wire.oa_safe_request(OA_TOKEN, OA_AES_KEY, oa.appid, wire.oa_text_xml())
    assert post(Client(), oa_url(b_account), query, body).status_code == 403
    query, body = wire.oa_safe_request(
        "longjingtoken", OA_AES_KEY, b_account.appid, wire.oa_text_xml()
    )
    assert post(Client(), oa_url(b_account), query, body).status_code == 200
    assert [e.tenant_id for e in all_events()] == [world.b.workspace.pk]


def test_paused_channel_parks_events(oa: OfficialAccount, world: World) -> None:
    with world.a.scope(), as_owner(world.a):
        channel_services.set_ingest_paused(oa, True)
    query, body = wire.oa_safe_request(OA_TOKEN, OA_AES_KEY, oa.appid, wire.oa_text_xml(msg_id="5"))
    assert post(Client(), oa_url(oa), query, body).status_code == 200
    assert [e.state for e in all_events()] == [InboundEvent.State.PARKED]


def test_wecom_verification_and_event(world: World) -> None:
    with world.a.scope(), as_owner(world.a):
        corp = make_wecom_corp()
    from shequn.wechat.crypto import MessageCrypto

    crypto = MessageCrypto(WECOM_TOKEN, WECOM_AES_KEY, corp.corpid)
    echostr = crypto.encrypt(b"echo-123")
    url = f"/cb/wecom/{corp.callback_key}/"
    now = wire.now_stamp()
    sig = sha1_signature(WECOM_TOKEN, now, "n", echostr)
    ok = Client().get(
        url, {"msg_signature": sig, "timestamp": now, "nonce": "n", "echostr": echostr}
    )
    assert (ok.status_code, ok.content) == (200, b"echo-123")
    xml = wire.wecom_event_xml(
        "add_external_contact", UserID="staff1", ExternalUserID="wmEXT1", State="poster"
    )
    query, body = wire.wecom_request(WECOM_TOKEN, WECOM_AES_KEY, corp.corpid, xml)
    response = post(Client(), url, query, body)
    assert (response.status_code, response.content) == (200, b"")
    assert [(e.platform, e.change_type) for e in all_events()] == [
        ("wecom", "add_external_contact")
    ]
