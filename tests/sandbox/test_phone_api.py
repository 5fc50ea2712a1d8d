"""The phone page's JSON endpoints: one customer's chat list, chats, menu, scanning codes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.responses import Response

from shequn.sandbox.context import Sandbox
from tests.sandbox.conftest import RECEIVER_URL, Receiver
from tests.sandbox.population_support import (
    CORPID,
    MCHID,
    STAFF,
    merchant,
    red_packet,
    wecom_corp,
)

pytestmark = pytest.mark.anyio

UNIONID = "oUnion0000000000000000000001"


def echo(req: Any) -> Response:
    """Shequn's stand-in: answer a text with a passive text reply, everything else 'success'."""
    body = req.body.decode()
    if "<MsgType><![CDATA[text]]></MsgType>" not in body:
        return Response(b"success")
    to = body.split("<FromUserName><![CDATA[")[1].split("]]>")[0]
    me = body.split("<ToUserName><![CDATA[")[1].split("]]>")[0]
    xml = (
        f"<xml><ToUserName><![CDATA[{to}]]></ToUserName><FromUserName><![CDATA[{me}]]>"
        "</FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        "<Content><![CDATA[收到，客服马上回复您]]></Content></xml>"
    )
    return Response(xml.encode(), media_type="application/xml")


@pytest.fixture
async def world(client: httpx.AsyncClient, make_oa: Any, receiver: Receiver) -> dict[str, Any]:
    receiver.reply = echo
    service = await make_oa(name="星宝贝 Hoshi Baby", kind="service")
    news = await make_oa(name="星宝贝育儿日记", kind="subscription")
    me = await service.customer(
        openid="oPhone000000000000000000001", unionid=UNIONID, nickname="糖糖妈"
    )
    await news.customer(openid="oPhone000000000000000000002", unionid=UNIONID, nickname="糖糖妈")
    return {"service": service, "news": news, "openid": me["openid"]}


async def test_page_and_assets_are_served(client: httpx.AsyncClient) -> None:
    r = await client.get("/phone/")
    assert r.status_code == 200
    assert "text/html" in r.headers["content-type"]
    assert 'src="static/phone.js"' in r.text
    assert (await client.get("/phone/static/phone.js")).status_code == 200
    assert (await client.get("/phone/static/phone.css")).status_code == 200
    assert (await client.get("/phone/static/../views.py")).status_code == 404


async def test_customer_picker_lists_followers(client: httpx.AsyncClient, world: Any) -> None:
    r = await client.get("/phone/api/customers", params={"q": "糖糖"})
    ids = [c["id"] for c in r.json()["customers"]]
    assert world["openid"] in ids


async def test_subscription_accounts_fold_into_one_entry(
    client: httpx.AsyncClient, world: Any
) -> None:
    # The customer writes to the subscription account and gets its reply; the service account
    # stays a chat of its own.
    r = await client.post(
        "/phone/api/send",
        json={"customer": world["openid"], "appid": world["news"].appid, "text": "早上好"},
    )
    assert r.status_code == 200, r.text
    r = await client.get("/phone/api/home", params={"customer": world["openid"]})
    chats = r.json()["chats"]
    names = [c["name"] for c in chats]
    assert "星宝贝 Hoshi Baby" in names
    assert "星宝贝育儿日记" not in names
    folder = next(c for c in chats if c["kind"] == "folder")
    assert folder["name"] == "订阅号消息"
    assert [a["name"] for a in folder["accounts"]] == ["星宝贝育儿日记"]
    assert folder["last"] == "星宝贝育儿日记: 收到，客服马上回复您"


async def test_sending_text_reaches_the_account_and_shows_the_reply(
    client: httpx.AsyncClient, world: Any, receiver: Receiver
) -> None:
    appid = world["service"].appid
    r = await client.post(
        "/phone/api/send",
        json={"customer": world["openid"], "appid": appid, "text": "纸尿裤L码适合多重？"},
    )
    assert r.status_code == 200, r.text
    assert "纸尿裤L码适合多重？" in receiver.requests[-1].body.decode()
    r = await client.get("/phone/api/chat", params={"customer": world["openid"], "appid": appid})
    messages = r.json()["messages"]
    assert [(m["from"], m.get("content") or m["message"]["content"]) for m in messages] == [
        ("customer", "纸尿裤L码适合多重？"),
        ("account", "收到，客服马上回复您"),
    ]


async def test_menu_buttons_send_click_events(
    client: httpx.AsyncClient, world: Any, receiver: Receiver
) -> None:
    service = world["service"]
    menu = {
        "button": [
            {"type": "click", "name": "领红包", "key": "RED_PACKET"},
            {
                "name": "更多",
                "sub_button": [
                    {"type": "view", "name": "商城", "url": "https://shop.example.com/"}
                ],
            },
        ]
    }
    assert (await service.post("/cgi-bin/menu/create", menu))["errcode"] == 0
    r = await client.get(
        "/phone/api/chat", params={"customer": world["openid"], "appid": service.appid}
    )
    assert [b["name"] for b in r.json()["menu"]] == ["领红包", "更多"]
    r = await client.post(
        "/phone/api/menu",
        json={
            "customer": world["openid"],
            "appid": service.appid,
            "type": "click",
            "key": "RED_PACKET",
        },
    )
    assert r.status_code == 200
    body = receiver.requests[-1].body.decode()
    assert "<Event><![CDATA[CLICK]]></Event>" in body
    assert "<EventKey><![CDATA[RED_PACKET]]></EventKey>" in body


async def test_scanning_a_channel_code_follows_with_its_scene(
    client: httpx.AsyncClient, make_oa: Any, receiver: Receiver
) -> None:
    oa = await make_oa(name="Sakura")
    stranger = await oa.customer(openid="oPhone000000000000000000009", subscribe=False)
    qr = await oa.post(
        "/cgi-bin/qrcode/create",
        {
            "action_name": "QR_LIMIT_STR_SCENE",
            "action_info": {"scene": {"scene_str": "pkg_insert"}},
        },
    )
    r = await client.get("/phone/api/home", params={"customer": stranger["openid"]})
    code = next(c for c in r.json()["codes"] if c["kind"] == "oa")
    assert code["ticket"] == qr["ticket"]
    r = await client.post("/phone/api/scan", json={"customer": stranger["openid"], **code})
    assert r.json()["result"] == "follow"
    body = receiver.requests[-1].body.decode()
    assert "<EventKey><![CDATA[qrscene_pkg_insert]]></EventKey>" in body
    r = await client.get(f"/sandbox/accounts/{oa.appid}/customers/{stranger['openid']}")
    assert r.json()["subscribe"] == 1


async def test_staff_code_then_group_code_then_group_posts(
    client: httpx.AsyncClient, world: Any
) -> None:
    corp = await wecom_corp(client, RECEIVER_URL)
    me = world["openid"]
    home = (await client.get("/phone/api/home", params={"customer": me})).json()
    staff_code = next(c for c in home["codes"] if c["kind"] == "staff" and STAFF[0] in c["label"])
    r = await client.post("/phone/api/scan", json={"customer": me, **staff_code})
    assert r.status_code == 200, r.text
    join_code = next(c for c in home["codes"] if c["kind"] == "join")
    r = await client.post("/phone/api/scan", json={"customer": me, **join_code})
    assert r.status_code == 200, r.text
    assert r.json()["result"]["chat_id"] == corp["chat_id"]

    home = (await client.get("/phone/api/home", params={"customer": me})).json()
    assert [s["userid"] for s in home["staff"]] == [STAFF[0]]
    assert [g["chat_id"] for g in home["groups"]] == [corp["chat_id"]]
    assert home["me"]["externals"][CORPID]

    await client.post(
        f"/sandbox/wecom/corps/{CORPID}/actions",
        json={
            "kind": "staff_posts_in_group",
            "userid": STAFF[0],
            "chat_id": corp["chat_id"],
            "text": "今晚8点直播",
        },
    )
    # The same person is reachable by their external_userid as well as by openid.
    external = home["me"]["externals"][CORPID]
    r = await client.get(
        "/phone/api/wecom",
        params={"customer": external, "corpid": CORPID, "chat_id": corp["chat_id"]},
    )
    assert [m["message"]["text"]["content"] for m in r.json()["messages"]] == ["今晚8点直播"]


async def test_unknown_customer_is_404(client: httpx.AsyncClient) -> None:
    r = await client.get("/phone/api/home", params={"customer": "nobody"})
    assert r.status_code == 404


async def test_red_packet_waits_until_confirmed(
    client: httpx.AsyncClient, world: Any, sandbox: Sandbox
) -> None:
    await merchant(client)
    red_packet(sandbox, world["service"].appid, world["openid"], "join-reward-1", amount=888)
    home = (await client.get("/phone/api/home", params={"customer": world["openid"]})).json()
    [packet] = home["red_packets"]
    assert (packet["amount"], packet["mchid"], packet["remark"]) == (888, MCHID, "入群红包")

    r = await client.post(
        "/phone/api/transfer",
        json={"customer": world["openid"], "mchid": MCHID, "out_bill_no": "join-reward-1"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["result"]["state"] == "SUCCESS"
    home = (await client.get("/phone/api/home", params={"customer": world["openid"]})).json()
    assert home["red_packets"] == []
    # Once confirmed it is gone: a second confirmation finds nothing waiting.
    r = await client.post(
        "/phone/api/transfer",
        json={"customer": world["openid"], "mchid": MCHID, "out_bill_no": "join-reward-1"},
    )
    assert r.status_code == 404
