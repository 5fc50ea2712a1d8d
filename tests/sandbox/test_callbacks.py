"""Callbacks as WeChat pushes them: signed, encrypted per mode, retried, replies read back."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from starlette.responses import Response

from shequn.sandbox.xmlwire import from_xml
from shequn.wechat.crypto import MessageCrypto
from shequn.wechat.signature import sha1_signature

pytestmark = pytest.mark.anyio


def _crypto(oa) -> MessageCrypto:
    a = oa.account
    return MessageCrypto(a["token"], a["encoding_aes_key"], a["appid"])


async def test_safe_mode_push_is_signed_and_decryptable_and_reply_is_recorded(make_oa, receiver):
    oa = await make_oa(encryption="safe")
    crypto = _crypto(oa)
    c = await oa.customer()

    def reply(got):
        packet = from_xml(crypto.decrypt(from_xml(got.body)["Encrypt"]))
        text = (
            f"<xml><ToUserName><![CDATA[{packet['FromUserName']}]]></ToUserName>"
            f"<FromUserName><![CDATA[{packet['ToUserName']}]]></FromUserName>"
            f"<CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[你说：{packet['Content']}]]></Content></xml>"
        )
        return Response(
            crypto.encrypt_envelope(text, timestamp="1", nonce="2"), media_type="text/xml"
        )

    receiver.reply = reply
    answer = await oa.act(c["openid"], "text", content="你好")
    assert answer["delivery"]["status"] == "delivered"
    got = receiver.requests[0]
    p = got.params
    token = oa.account["token"]
    assert p["signature"] == sha1_signature(token, p["timestamp"], p["nonce"])
    assert p["encrypt_type"] == "aes"
    assert p["openid"] == c["openid"]
    outer = from_xml(got.body)
    assert set(outer) == {"ToUserName", "Encrypt"}
    assert p["msg_signature"] == sha1_signature(token, p["timestamp"], p["nonce"], outer["Encrypt"])
    inner = from_xml(crypto.decrypt(outer["Encrypt"]))
    assert (inner["MsgType"], inner["Content"]) == ("text", "你好")
    assert inner["ToUserName"] == oa.account["original_id"]
    messages = await oa.received(c["openid"], "passive")
    assert messages[0]["message"] == {"msgtype": "text", "content": "你说：你好"}


async def test_plaintext_and_compatible_modes(make_oa, receiver):
    plain = await make_oa(encryption="plaintext")
    c = await plain.customer()
    await plain.act(c["openid"], "click", event_key="MENU_1")
    got = receiver.requests[-1]
    assert "encrypt_type" not in got.params
    packet = from_xml(got.body)
    assert (packet["Event"], packet["EventKey"]) == ("CLICK", "MENU_1")

    compat = await make_oa(encryption="compatible")
    c2 = await compat.customer()
    await compat.act(c2["openid"], "text", content="hi")
    packet = from_xml(receiver.requests[-1].body)
    assert packet["Content"] == "hi"
    assert from_xml(_crypto(compat).decrypt(packet["Encrypt"]))["Content"] == "hi"


async def test_three_attempts_then_the_customer_sees_the_failure_notice(make_oa, receiver):
    oa = await make_oa()
    c = await oa.customer()
    receiver.reply = lambda got: Response(b"oops", status_code=500)
    answer = await oa.act(c["openid"], "text", content="在吗")
    assert answer["delivery"]["status"] == "failed"
    assert answer["delivery"]["attempts"] == 3
    assert len(receiver.requests) == 3
    notice = await oa.received(c["openid"], "system")
    assert notice[0]["message"]["content"] == "该公众号暂时无法提供服务，请稍后再试"


async def test_slow_receiver_times_out_after_five_seconds(make_oa, sandbox, receiver):
    oa = await make_oa()
    c = await oa.customer()

    class Slow(httpx.AsyncBaseTransport):
        calls = 0

        async def handle_async_request(self, request):
            Slow.calls += 1
            raise httpx.ReadTimeout("no answer", request=request)

    sandbox.callbacks.transport = Slow()
    answer = await oa.act(c["openid"], "text", content="hi")
    assert Slow.calls == 3
    assert "no answer within 5s" in answer["delivery"]["note"]


async def test_malformed_reply_shows_notice_without_retry(make_oa, receiver):
    oa = await make_oa()
    c = await oa.customer()
    receiver.reply = lambda got: Response(b'{"reply": "json"}', media_type="application/json")
    answer = await oa.act(c["openid"], "text", content="hi")
    assert answer["delivery"]["attempts"] == 1
    assert "invalid reply" in answer["delivery"]["note"]
    assert len(await oa.received(c["openid"], "system")) == 1


async def test_safe_mode_rejects_a_plaintext_reply(make_oa, receiver):
    oa = await make_oa(encryption="safe")
    c = await oa.customer()
    receiver.reply = lambda got: Response(
        f"<xml><ToUserName>{c['openid']}</ToUserName><FromUserName>"
        f"{oa.account['original_id']}</FromUserName><CreateTime>1</CreateTime>"
        "<MsgType>text</MsgType><Content>x</Content></xml>".encode()
    )
    await oa.act(c["openid"], "text", content="hi")
    assert await oa.received(c["openid"], "passive") == []
    assert len(await oa.received(c["openid"], "system")) == 1


async def test_deliberate_duplicates_at_the_configured_rate(make_oa, receiver, client):
    oa = await make_oa(duplicate_rate=1.0)
    c = await oa.customer()
    await oa.act(c["openid"], "text", content="dup")
    assert len(receiver.requests) == 2
    assert receiver.requests[0].body == receiver.requests[1].body
    log = (await client.get("/sandbox/callbacks", params={"appid": oa.appid})).json()
    assert [d["duplicate"] for d in log["deliveries"]] == [False, True]


async def test_follow_by_qr_and_unfollow_packets(make_oa, receiver):
    oa = await make_oa()
    ticket = (
        await oa.post(
            "/cgi-bin/qrcode/create",
            {
                "action_name": "QR_STR_SCENE",
                "expire_seconds": 600,
                "action_info": {"scene": {"scene_str": "pkg-2024"}},
            },
        )
    )["ticket"]
    c = await oa.customer(subscribe=False)
    await oa.act(c["openid"], "follow", ticket=ticket)
    packet = from_xml(receiver.requests[-1].body)
    assert (packet["Event"], packet["EventKey"], packet["Ticket"]) == (
        "subscribe",
        "qrscene_pkg-2024",
        ticket,
    )
    await oa.act(c["openid"], "scan", ticket=ticket)
    packet = from_xml(receiver.requests[-1].body)
    assert (packet["Event"], packet["EventKey"]) == ("SCAN", "pkg-2024")
    await oa.act(c["openid"], "unfollow")
    assert from_xml(receiver.requests[-1].body)["Event"] == "unsubscribe"


async def test_background_worker_delivers_delayed_job_callbacks(sandbox, make_oa, receiver, clock):
    oa = await make_oa(callback_delays={"template": 3})
    c = await oa.customer()
    await oa.client.post(
        f"/sandbox/accounts/{oa.appid}/templates", json={"title": "订单", "template_id": "TPL1"}
    )
    sandbox.callbacks.start()
    try:
        sent = await oa.post(
            "/cgi-bin/message/template/send",
            {"touser": c["openid"], "template_id": "TPL1", "data": {}},
        )
        await asyncio.sleep(0.2)
        assert receiver.requests == []
        clock.advance(3)
        for _ in range(50):
            if receiver.requests:
                break
            await asyncio.sleep(0.05)
    finally:
        await sandbox.callbacks.stop()
    packet = from_xml(receiver.requests[0].body)
    assert packet["Event"] == "TEMPLATESENDJOBFINISH"
    assert int(packet["MsgID"]) == sent["msgid"]
    assert packet["Status"] == "success"
