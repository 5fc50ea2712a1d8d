"""Helpers for the population tests: load a scenario through the control API and read its log."""

from __future__ import annotations

from typing import Any

import httpx

SMALL_APPID = "wx0000000000test01"


async def load(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    r = await client.post("/sandbox/population/load", json=body)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def step(client: httpx.AsyncClient, ticks: int) -> dict[str, Any]:
    r = await client.post("/sandbox/population/step", json={"ticks": ticks})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def action_log(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    since = 0
    while True:
        r = await client.get("/sandbox/population/log", params={"since_id": since, "limit": 5000})
        batch = r.json()["entries"]
        if not batch:
            return entries
        entries += batch
        since = batch[-1]["id"]


CORPID = "ww00000000000test1"
STAFF = ["xiaowanzi-01", "xiaowanzi-02"]


async def wecom_corp(client: httpx.AsyncClient, callback_url: str) -> dict[str, Any]:
    """A corp with two persona accounts, a contact way for each and one group join way."""
    r = await client.post(
        "/sandbox/wecom/corps",
        json={
            "corpid": CORPID,
            "secret": "s" * 43,
            "staff": STAFF,
            "callback_url": callback_url,
            "verify_callback": False,
            # QR joins stop at 200 members here so a few hundred joiners fill a group.
            "limits": {"qr_join_max_members": 200},
        },
    )
    assert r.status_code == 200, r.text
    token = (
        await client.get(
            "/qyapi/cgi-bin/gettoken", params={"corpid": CORPID, "corpsecret": "s" * 43}
        )
    ).json()["access_token"]

    async def api(path: str, body: dict[str, Any]) -> dict[str, Any]:
        r = await client.post(
            f"/qyapi/cgi-bin/externalcontact/{path}", params={"access_token": token}, json=body
        )
        answer = r.json()
        assert answer["errcode"] == 0, answer
        return answer  # type: ignore[no-any-return]

    ways = [
        await api("add_contact_way", {"type": 1, "scene": 2, "user": [u], "state": "pkg_sticker"})
        for u in STAFF
    ]
    r = await client.post(
        f"/sandbox/wecom/corps/{CORPID}/actions",
        json={"kind": "staff_creates_group", "owner_userid": STAFF[0], "name": "宝妈交流群"},
    )
    chat_id = r.json()["result"]["chat_id"]
    join = await api(
        "groupchat/add_join_way",
        {
            "scene": 2,
            "chat_id_list": [chat_id],
            "auto_create_room": 1,
            "room_base_name": "宝妈交流群",
            "room_base_id": 2,
            "state": "pkg_sticker",
        },
    )
    got = await api("groupchat/get_join_way", {"config_id": join["config_id"]})
    return {
        "contact_ways": ways,
        "join_way": got["join_way"],
        "chat_id": chat_id,
    }


MCHID = "1900000199"


async def merchant(client: httpx.AsyncClient) -> None:
    r = await client.post("/sandbox/pay/merchants", json={"mchid": MCHID})
    assert r.status_code == 200, r.text


def red_packet(sandbox: Any, appid: str, openid: str, number: str, amount: int = 888) -> None:
    """A transfer bill waiting for the customer, as Shequn's reward-on-join would create it."""
    from shequn.sandbox.pay import bills
    from shequn.sandbox.pay.merchants import require_merchant

    fields = {
        "appid": appid,
        "openid": openid,
        "out_bill_no": number,
        "transfer_amount": amount,
        "transfer_remark": "入群红包",
        "transfer_scene_id": "1000",
    }
    bills.new_bill(sandbox, require_merchant(sandbox, MCHID), fields, None)
