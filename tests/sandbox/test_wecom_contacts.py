"""WeCom in the sandbox: tokens, callback URL verification, customers, contact ways, welcome
codes, and which changes are pushed as callbacks (customers' and staff's) and which are not (API).
"""

from __future__ import annotations

from typing import Any

import pytest

from shequn.sandbox.clock import Clock
from shequn.wechat.errors import APIError
from tests.sandbox.wecom_support import Corp, WeComReceiver, make_corp, receiver

pytestmark = pytest.mark.anyio
__all__ = ["make_corp", "receiver"]


async def _gettoken(client: Any, **params: str) -> dict[str, Any]:
    r = await client.get("/qyapi/cgi-bin/gettoken", params=params)
    assert r.status_code == 200
    return r.json()  # type: ignore[no-any-return]


async def test_gettoken_answers_documented_errors(client: Any, make_corp: Any) -> None:
    corp: Corp = await make_corp()
    good = await _gettoken(client, corpid=corp.corpid, corpsecret=corp.doc["secret"])
    assert good["errcode"] == 0
    assert good["expires_in"] == 7200
    assert (await _gettoken(client, corpid="wwnope", corpsecret="x"))["errcode"] == 40013
    wrong = await _gettoken(client, corpid=corp.corpid, corpsecret="wrong")
    assert wrong["errcode"] == 40001
    assert "rid: " in wrong["errmsg"]
    assert (await _gettoken(client, corpsecret="x"))["errcode"] == 41002
    assert (await _gettoken(client, corpid=corp.corpid))["errcode"] == 41004
    # Within its lifetime the same token comes back.
    again = await _gettoken(client, corpid=corp.corpid, corpsecret=corp.doc["secret"])
    assert again["access_token"] == good["access_token"]


async def test_token_expires_after_7200_seconds_and_bad_tokens_are_refused(
    client: Any, make_corp: Any, clock: Clock
) -> None:
    corp: Corp = await make_corp()
    token = (await _gettoken(client, corpid=corp.corpid, corpsecret=corp.doc["secret"]))[
        "access_token"
    ]
    path = "/qyapi/cgi-bin/externalcontact/get_follow_user_list"
    assert (await client.get(path, params={"access_token": token})).json()["errcode"] == 0
    assert (await client.get(path, params={"access_token": "x" * 64})).json()["errcode"] == 40014
    assert (await client.get(path)).json()["errcode"] == 41001
    clock.advance(7200)
    assert (await client.get(path, params={"access_token": token})).json()["errcode"] == 42001


async def test_client_refetches_after_tokens_are_revoked(client: Any, make_corp: Any) -> None:
    corp: Corp = await make_corp()
    assert await corp.api.customers.follow_users() == ["zhangsan", "lisi"]
    r = await client.post(f"/sandbox/wecom/corps/{corp.corpid}/revoke_tokens")
    assert r.json()["revoked"] == 1
    assert await corp.api.customers.follow_users() == ["zhangsan", "lisi"]


async def test_callback_url_must_pass_the_echostr_handshake(
    client: Any, make_corp: Any, receiver: WeComReceiver
) -> None:
    await make_corp()
    assert receiver.verifications == 1
    receiver.fail_verification = True
    r = await client.post(
        "/sandbox/wecom/corps",
        json={
            "corpid": "ww0000000000000002",
            "token": "t",
            "encoding_aes_key": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
            "callback_url": "http://shequn.test/wecom/callback",
        },
    )
    assert r.status_code == 400
    assert "verification failed" in r.json()["error"]
    assert (await client.get("/sandbox/wecom/corps/ww0000000000000002")).status_code == 404


async def test_customer_adding_staff_pushes_a_signed_encrypted_event(
    make_corp: Any, receiver: WeComReceiver
) -> None:
    corp: Corp = await make_corp()
    way = await corp.api.contact_ways.add(type=1, scene=2, users=["zhangsan"], state="pkgA")
    done = await corp.act("add_staff", userid="zhangsan", config_id=way["config_id"], name="王")
    assert done["deliveries"][0]["status"] == "delivered"
    (event,) = receiver.of("change_external_contact", "add_external_contact")
    external = done["result"]["external_userid"]
    assert event["ToUserName"] == corp.corpid
    assert event["FromUserName"] == "sys"
    assert event["UserID"] == "zhangsan"
    assert event["ExternalUserID"] == external
    assert event["State"] == "pkgA"
    assert event["WelcomeCode"] == done["result"]["welcome_code"]
    detail = await corp.api.customers.get(external)
    assert detail["external_contact"]["name"] == "王"
    assert detail["follow_user"][0]["state"] == "pkgA"
    assert detail["follow_user"][0]["add_way"] == 1
    assert await corp.api.customers.list("zhangsan") == [external]


async def test_welcome_code_is_valid_for_20_seconds(make_corp: Any, clock: Clock) -> None:
    corp: Corp = await make_corp()
    first = await corp.act("add_staff", userid="zhangsan")
    late = await corp.act("add_staff", userid="lisi")
    code = first["result"]["welcome_code"]
    await corp.api.welcome.send(code, text="欢迎")
    clock.advance(21)
    with pytest.raises(APIError) as expired:
        await corp.api.welcome.send(late["result"]["welcome_code"], text="欢迎")
    assert expired.value.errcode == 41050
    got = await corp.received(first["result"]["external_userid"])
    assert [(m["via"], m["message"]["text"]["content"]) for m in got] == [("welcome", "欢迎")]


async def test_welcome_code_is_usable_once(make_corp: Any) -> None:
    corp: Corp = await make_corp()
    code = (await corp.act("add_staff", userid="zhangsan"))["result"]["welcome_code"]
    await corp.api.welcome.send(code, text="hi")
    with pytest.raises(APIError) as reused:
        await corp.api.welcome.send(code, text="hi again")
    assert reused.value.errcode == 41051
    assert (await corp.raw("/cgi-bin/externalcontact/send_welcome_msg", {}))["errcode"] == 41049


async def test_contact_way_limits(make_corp: Any) -> None:
    corp: Corp = await make_corp()
    path = "/cgi-bin/externalcontact/add_contact_way"
    base = {"type": 1, "scene": 2, "user": ["zhangsan"]}
    assert (await corp.raw(path, {**base, "state": "s" * 31}))["errcode"] == 40058
    assert (await corp.raw(path, {**base, "state": "s" * 30}))["errcode"] == 0
    assert (await corp.raw(path, {"scene": 2, "user": ["zhangsan"]}))["errcode"] == 41037
    assert (await corp.raw(path, {"type": 1, "user": ["zhangsan"]}))["errcode"] == 41038
    assert (await corp.raw(path, {**base, "type": 3}))["errcode"] == 41039
    assert (await corp.raw(path, {**base, "scene": 3}))["errcode"] == 41040
    assert (await corp.raw(path, {**base, "style": 1}))["errcode"] == 41042
    many = {"type": 2, "scene": 2, "user": ["zhangsan"] * 101}
    assert (await corp.raw(path, many))["errcode"] == 41041
    no_permission = {**base, "user": ["wangwu"]}
    assert (await corp.raw(path, no_permission))["errcode"] == 84074


async def test_contact_way_quota_is_shared_with_join_ways(make_corp: Any) -> None:
    corp: Corp = await make_corp(limits={"ways": 2})
    chat = (await corp.act("staff_creates_group", owner_userid="zhangsan", name="群"))["result"]
    await corp.api.contact_ways.add(type=1, scene=2, users=["zhangsan"])
    await corp.api.join_ways.add(scene=2, chat_ids=[chat["chat_id"]])
    with pytest.raises(APIError) as full:
        await corp.api.contact_ways.add(type=1, scene=2, users=["zhangsan"])
    assert full.value.errcode == 41045


async def test_contact_way_lifecycle_and_qr_image(client: Any, make_corp: Any) -> None:
    corp: Corp = await make_corp()
    way = await corp.api.contact_ways.add(type=1, scene=2, users=["zhangsan"], remark="A")
    image = await client.get(way["qr_code"].replace("http://127.0.0.1:8765", ""))
    assert image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG\r\n\x1a\n")
    button = await corp.api.contact_ways.add(type=1, scene=1, users=["lisi"], style=1)
    assert "qr_code" not in button
    listed = await corp.api.contact_ways.list()
    assert [w["config_id"] for w in listed["contact_way"]] == [
        way["config_id"],
        button["config_id"],
    ]
    await corp.api.contact_ways.update(way["config_id"], state="new", user=["lisi"])
    got = await corp.api.contact_ways.get(way["config_id"])
    assert (got["state"], got["user"], got["remark"]) == ("new", ["lisi"], "A")
    await corp.api.contact_ways.delete(way["config_id"])
    with pytest.raises(APIError) as gone:
        await corp.api.contact_ways.get(way["config_id"])
    assert gone.value.errcode == 41044


async def test_api_changes_push_no_callback(make_corp: Any, receiver: WeComReceiver) -> None:
    corp: Corp = await make_corp()
    external = await corp.customer()
    before = len(corp.outbox())
    group = await corp.api.corp_tags.add(["VIP"], group_name="等级")
    await corp.api.corp_tags.mark("zhangsan", external, add=[group["tag"][0]["id"]])
    await corp.api.customers.remark("zhangsan", external, remark="老客户")
    await corp.api.corp_tags.edit(group["tag"][0]["id"], name="SVIP")
    await corp.api.corp_tags.delete(tag_ids=[group["tag"][0]["id"]])
    await corp.api.contact_ways.add(type=1, scene=2, users=["zhangsan"])
    assert len(corp.outbox()) == before
    assert len(receiver.events) == 1  # only the customer's own add_external_contact


async def test_staff_edits_push_edit_external_contact(
    make_corp: Any, receiver: WeComReceiver
) -> None:
    corp: Corp = await make_corp()
    external = await corp.customer()
    await corp.act(
        "staff_edits_customer", userid="zhangsan", external_userid=external, remark="常客"
    )
    (event,) = receiver.of("change_external_contact", "edit_external_contact")
    assert event["ExternalUserID"] == external
    detail = await corp.api.customers.get(external)
    assert detail["follow_user"][0]["remark"] == "常客"


async def test_deletions_push_del_follow_user_and_del_external_contact(
    make_corp: Any, receiver: WeComReceiver
) -> None:
    corp: Corp = await make_corp()
    external = await corp.customer("zhangsan")
    await corp.act("add_staff", userid="lisi", external_userid=external)
    await corp.act("remove_staff", userid="zhangsan", external_userid=external)
    await corp.act("staff_removes_customer", userid="lisi", external_userid=external)
    (left,) = receiver.of("change_external_contact", "del_follow_user")
    (removed,) = receiver.of("change_external_contact", "del_external_contact")
    assert (left["UserID"], left["ExternalUserID"]) == ("zhangsan", external)
    assert (removed["UserID"], removed["ExternalUserID"]) == ("lisi", external)
    with pytest.raises(APIError) as gone:
        await corp.api.customers.get(external)
    assert gone.value.errcode == 84061


async def test_failed_deliveries_are_tried_three_times(
    make_corp: Any, receiver: WeComReceiver
) -> None:
    corp: Corp = await make_corp()
    receiver.status = 500
    done = await corp.act("add_staff", userid="zhangsan")
    assert done["deliveries"][0]["status"] == "failed"
    assert done["deliveries"][0]["attempts"] == 3
    assert len(receiver.events) == 3


async def test_batch_get_by_user_pages_with_a_cursor(make_corp: Any) -> None:
    corp: Corp = await make_corp()
    made = [await corp.customer() for _ in range(3)]
    first = await corp.api.customers.batch_get_by_user(["zhangsan"], limit=2)
    second = await corp.api.customers.batch_get_by_user(
        ["zhangsan"], cursor=first["next_cursor"], limit=2
    )
    seen = [
        row["external_contact"]["external_userid"]
        for row in first["external_contact_list"] + second["external_contact_list"]
    ]
    assert seen == made
    assert second["next_cursor"] == ""
    path = "/cgi-bin/externalcontact/batch/get_by_user"
    too_many = await corp.raw(path, {"userid_list": ["zhangsan"], "limit": 101})
    assert too_many["errcode"] == 40058
