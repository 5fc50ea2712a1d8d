"""Customer-service windows, template messages, mass-send budgets, drafts and publishing."""

from __future__ import annotations

import pytest

from shequn.sandbox.xmlwire import from_xml

pytestmark = pytest.mark.anyio


def text(openid: str, content: str = "您好") -> dict:
    return {"touser": openid, "msgtype": "text", "text": {"content": content}}


async def test_custom_messages_need_a_window_of_5_in_48_hours(make_oa, clock):
    oa = await make_oa()
    c = await oa.customer()
    assert (await oa.post("/cgi-bin/message/custom/send", text(c["openid"])))["errcode"] == 45015
    await oa.act(c["openid"], "text", content="在吗")
    for _ in range(5):
        assert (await oa.post("/cgi-bin/message/custom/send", text(c["openid"])))["errcode"] == 0
    assert (await oa.post("/cgi-bin/message/custom/send", text(c["openid"])))["errcode"] == 45047
    await oa.act(c["openid"], "text", content="还在吗")
    clock.advance(48 * 3600)
    assert (await oa.post("/cgi-bin/message/custom/send", text(c["openid"])))["errcode"] == 45015
    assert len(await oa.received(c["openid"], "custom")) == 5


async def test_a_click_opens_3_messages_within_one_minute(make_oa, clock):
    oa = await make_oa()
    c = await oa.customer()
    await oa.act(c["openid"], "click", event_key="K")
    for _ in range(3):
        assert (await oa.post("/cgi-bin/message/custom/send", text(c["openid"])))["errcode"] == 0
    assert (await oa.post("/cgi-bin/message/custom/send", text(c["openid"])))["errcode"] == 45047
    await oa.act(c["openid"], "click", event_key="K")
    clock.advance(60)
    assert (await oa.post("/cgi-bin/message/custom/send", text(c["openid"])))["errcode"] == 45015


async def test_unfollowed_customer_gets_45015(make_oa):
    oa = await make_oa()
    c = await oa.customer()
    await oa.act(c["openid"], "text", content="bye")
    await oa.act(c["openid"], "unfollow")
    assert (await oa.post("/cgi-bin/message/custom/send", text(c["openid"])))["errcode"] == 45015


async def test_typing_rules(make_oa, clock):
    oa = await make_oa()
    c = await oa.customer()
    typing = {"touser": c["openid"], "command": "Typing"}
    assert (await oa.post("/cgi-bin/message/custom/typing", typing))["errcode"] == 45080
    await oa.act(c["openid"], "text", content="hi")
    assert (await oa.post("/cgi-bin/message/custom/typing", typing))["errcode"] == 0
    assert (await oa.post("/cgi-bin/message/custom/typing", typing))["errcode"] == 45081
    bad = {"touser": c["openid"], "command": "Dance"}
    assert (await oa.post("/cgi-bin/message/custom/typing", bad))["errcode"] == 45072


async def test_template_messages_only_for_verified_service_accounts(make_oa):
    sub = await make_oa(kind="subscription")
    c = await sub.customer()
    body = {"touser": c["openid"], "template_id": "T", "data": {}}
    assert (await sub.post("/cgi-bin/message/template/send", body))["errcode"] == 48001
    unverified = await make_oa(kind="service", verified=False)
    assert (await unverified.post("/cgi-bin/message/template/send", body))["errcode"] == 48001


async def test_template_send_quota_codes_and_callback(make_oa, client, receiver, clock):
    oa = await make_oa(quotas={"/cgi-bin/message/template/send": 2})
    c = await oa.customer()
    await client.post(
        f"/sandbox/accounts/{oa.appid}/templates",
        json={"template_id": "TPL", "title": "到货通知", "content": "商品：{{thing1.DATA}}"},
    )
    body = {"touser": c["openid"], "template_id": "TPL", "data": {"thing1": {"value": "巧克力"}}}
    assert (await oa.post("/cgi-bin/message/template/send", {**body, "template_id": "NOPE"}))[
        "errcode"
    ] == 40037
    sent = await oa.post("/cgi-bin/message/template/send", body)
    assert sent["errcode"] == 0
    assert (await oa.post("/cgi-bin/message/template/send", body))["errcode"] == 45009
    got = await oa.received(c["openid"], "template")
    assert got[0]["message"]["content"] == "商品：巧克力"
    clock.advance(1)
    await client.post("/sandbox/callbacks/flush")
    packet = from_xml(receiver.requests[-1].body)
    assert (packet["Event"], int(packet["MsgID"])) == ("TEMPLATESENDJOBFINISH", sent["msgid"])


async def _thumb(oa) -> str:
    files = {"media": ("cover.jpg", b"\xff\xd8\xff" + b"0" * 100, "image/jpeg")}
    r = await oa.client.post(
        "/cgi-bin/material/add_material",
        params={"access_token": await oa.token(), "type": "thumb"},
        files=files,
    )
    return str(r.json()["media_id"])


async def _draft(oa, **over) -> dict:
    article = {
        "title": "新品上市",
        "content": "<p>正文</p>",
        "thumb_media_id": await _thumb(oa),
        **over,
    }
    return dict(await oa.post("/cgi-bin/draft/add", {"articles": [article]}))


@pytest.mark.parametrize(
    ("over", "errcode"),
    [
        ({"title": "标" * 33}, 45003),
        ({"author": "作" * 17}, 47003),
        ({"digest": "d" * 129}, 45004),
        ({"content": "c" * 20_000}, 45002),
        ({"thumb_media_id": "missing"}, 40007),
    ],
)
async def test_draft_field_limits(make_oa, over, errcode):
    oa = await make_oa()
    assert (await _draft(oa, **over))["errcode"] == errcode


async def test_publish_job_finishes_with_a_callback(make_oa, client, receiver, clock):
    oa = await make_oa(callback_delays={"publish": 5})
    media_id = (await _draft(oa))["media_id"]
    assert (await oa.get("/cgi-bin/draft/count"))["total_count"] == 1
    job = await oa.post("/cgi-bin/freepublish/submit", {"media_id": media_id})
    assert (await oa.get("/cgi-bin/draft/count"))["total_count"] == 0
    status = await oa.post("/cgi-bin/freepublish/get", {"publish_id": job["publish_id"]})
    assert status["publish_status"] == 1
    await client.post("/sandbox/callbacks/flush")
    assert receiver.requests == []
    clock.advance(5)
    await client.post("/sandbox/callbacks/flush")
    packet = from_xml(receiver.requests[0].body)
    assert packet["Event"] == "PUBLISHJOBFINISH"
    info = packet["PublishEventInfo"]
    assert info["publish_id"] == job["publish_id"]
    assert info["article_detail"]["item"]["idx"] == "1"
    done = await oa.post("/cgi-bin/freepublish/get", {"publish_id": job["publish_id"]})
    assert done["publish_status"] == 0
    assert done["article_id"] == info["article_id"]


async def test_subscription_account_mass_sends_once_a_day(make_oa, clock):
    oa = await make_oa(kind="subscription")
    c = await oa.customer()
    body = {"filter": {"is_to_all": True}, "msgtype": "text", "text": {"content": "早安"}}
    first = await oa.post("/cgi-bin/message/mass/sendall", body)
    assert first["errcode"] == 0
    assert first["errmsg"] == "send job submission success"
    assert (await oa.post("/cgi-bin/message/mass/sendall", body))["errcode"] == 45028
    clock.advance(24 * 3600)
    assert (await oa.post("/cgi-bin/message/mass/sendall", body))["errcode"] == 0
    assert len(await oa.received(c["openid"], "mass")) == 2


async def test_service_account_followers_get_at_most_4_a_month(make_oa, client, receiver, clock):
    oa = await make_oa(kind="service")
    a, b = await oa.customer(), await oa.customer()
    body = {"filter": {"is_to_all": True}, "msgtype": "text", "text": {"content": "活动"}}
    for _ in range(4):
        assert (await oa.post("/cgi-bin/message/mass/sendall", body))["errcode"] == 0
    assert (await oa.post("/cgi-bin/message/mass/sendall", body))["errcode"] == 45028
    newcomer = await oa.customer()
    sent = await oa.post("/cgi-bin/message/mass/sendall", body)
    assert sent["errcode"] == 0
    clock.advance(2)
    await client.post("/sandbox/callbacks/flush")
    finish = [from_xml(r.body) for r in receiver.requests]
    last = next(p for p in finish if int(p["MsgID"]) == sent["msg_id"])
    assert (last["TotalCount"], last["FilterCount"], last["SentCount"]) == ("3", "1", "1")
    assert len(await oa.received(newcomer["openid"], "mass")) == 1
    assert len(await oa.received(a["openid"], "mass")) == 4
    status = await oa.post("/cgi-bin/message/mass/get", {"msg_id": sent["msg_id"]})
    assert status["msg_status"] == "SEND_SUCCESS"
    del b


async def test_mass_send_by_openids_needs_2_to_10000(make_oa):
    oa = await make_oa()
    c = await oa.customer()
    one = {"touser": [c["openid"]], "msgtype": "text", "text": {"content": "x"}}
    assert (await oa.post("/cgi-bin/message/mass/send", one))["errcode"] == 40032
    sub = await make_oa(kind="subscription")
    assert (await sub.post("/cgi-bin/message/mass/send", one))["errcode"] == 48001


async def test_clientmsgid_rules(make_oa, clock):
    oa = await make_oa()
    await oa.customer()
    body = {
        "filter": {"is_to_all": True},
        "msgtype": "text",
        "text": {"content": "x"},
        "clientmsgid": "crm-001",
    }
    first = await oa.post("/cgi-bin/message/mass/sendall", body)
    assert (await oa.post("/cgi-bin/message/mass/sendall", body))["errcode"] == 45066
    clock.advance(61)
    again = await oa.post("/cgi-bin/message/mass/sendall", body)
    assert (again["errcode"], again["msg_id"]) == (45065, first["msg_id"])
    long = {**body, "clientmsgid": "c" * 65}
    assert (await oa.post("/cgi-bin/message/mass/sendall", long))["errcode"] == 45067


async def test_mass_send_60_per_minute(make_oa, clock):
    oa = await make_oa(quotas={"/cgi-bin/message/mass/sendall": 1000})
    body = {"filter": {"is_to_all": True}, "msgtype": "text", "text": {"content": "x"}}
    for _ in range(60):
        assert (await oa.post("/cgi-bin/message/mass/sendall", body))["errcode"] == 0
    assert (await oa.post("/cgi-bin/message/mass/sendall", body))["errcode"] == 45011
    clock.advance(60)
    assert (await oa.post("/cgi-bin/message/mass/sendall", body))["errcode"] == 0


async def test_quota_get_and_clear_quota_ten_times_a_month(make_oa):
    oa = await make_oa(quotas={"/cgi-bin/tags/get": 1})
    await oa.get("/cgi-bin/tags/get")
    assert (await oa.get("/cgi-bin/tags/get"))["errcode"] == 45009
    quota = await oa.post("/cgi-bin/openapi/quota/get", {"cgi_path": "/cgi-bin/tags/get"})
    assert quota["quota"] == {"daily_limit": 1, "used": 1, "remain": 0}
    assert (await oa.post("/cgi-bin/openapi/quota/get", {"cgi_path": "cgi-bin/x"}))[
        "errcode"
    ] == 76003
    for _ in range(10):
        assert (await oa.post("/cgi-bin/clear_quota", {"appid": oa.appid}))["errcode"] == 0
    assert "tags" in await oa.get("/cgi-bin/tags/get")
    assert (await oa.post("/cgi-bin/clear_quota", {"appid": oa.appid}))["errcode"] == 48006
