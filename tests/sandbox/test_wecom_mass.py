"""Corp mass messages in the sandbox: staff confirmation, receipt caps, records and errors."""

from __future__ import annotations

from typing import Any

import pytest

from shequn.sandbox.clock import Clock
from shequn.wechat.errors import APIError
from tests.sandbox.conftest import START
from tests.sandbox.wecom_support import Corp, make_corp, receiver

pytestmark = pytest.mark.anyio
__all__ = ["make_corp", "receiver"]


async def _confirm(corp: Corp, msgid: str) -> None:
    r = await corp.http.post(f"/sandbox/wecom/corps/{corp.corpid}/messages/{msgid}/confirm")
    assert r.status_code == 200, r.text


async def _mass(corp: Corp, text: str, **fields: Any) -> str:
    made = await corp.api.group_messages.add_template(text=text, **fields)
    return str(made["msgid"])


async def test_nothing_is_sent_until_staff_confirm(make_corp: Any) -> None:
    corp: Corp = await make_corp()
    external = await corp.customer()
    msgid = await _mass(corp, "上新了", external_userids=[external])
    task = await corp.api.group_messages.task(msgid)
    assert task["task_list"] == [{"userid": "zhangsan", "status": 0, "send_time": 0}]
    pending = await corp.api.group_messages.send_result(msgid, "zhangsan")
    assert pending["send_list"][0]["status"] == 0
    assert await corp.received(external) == []
    await _confirm(corp, msgid)
    sent = await corp.api.group_messages.send_result(msgid, "zhangsan")
    assert sent["send_list"][0]["status"] == 1
    assert [m["message"]["text"]["content"] for m in await corp.received(external)] == ["上新了"]
    task = await corp.api.group_messages.task(msgid)
    assert task["task_list"][0]["status"] == 2


async def test_daily_rule_lets_a_customer_receive_one_message(make_corp: Any) -> None:
    corp: Corp = await make_corp(mass_rule="day")
    external = await corp.customer()
    for text in ("one", "two"):
        await _confirm(corp, await _mass(corp, text, external_userids=[external]))
    msgs = (await corp.http.get(f"/sandbox/wecom/corps/{corp.corpid}/messages")).json()
    statuses = [m["results"]["zhangsan"][0]["status"] for m in msgs["messages"]]
    assert statuses == [1, 3]  # 3: already received another mass message
    assert [m["message"]["text"]["content"] for m in await corp.received(external)] == ["one"]


async def test_monthly_rule_caps_at_the_days_of_the_month(make_corp: Any, clock: Clock) -> None:
    corp: Corp = await make_corp(mass_rule="four_per_month")
    external = await corp.customer()
    ids = [await _mass(corp, f"m{i}", external_userids=[external]) for i in range(5)]
    for msgid in ids:
        await _confirm(corp, msgid)
    results = [
        (await corp.api.group_messages.send_result(m, "zhangsan"))["send_list"][0]["status"]
        for m in ids
    ]
    assert results == [1, 1, 1, 1, 3]
    r = await corp.http.patch(f"/sandbox/wecom/corps/{corp.corpid}", json={"mass_rule": "month"})
    assert r.status_code == 200
    # June has 30 days: under the current rule four receipts leave room for more.
    assert clock.now() == START
    await _confirm(corp, await _mass(corp, "more", external_userids=[external]))
    assert len(await corp.received(external)) == 5


async def test_automatic_confirmation_after_a_delay(make_corp: Any, clock: Clock) -> None:
    corp: Corp = await make_corp(mass_confirm_delay=60)
    external = await corp.customer()
    msgid = await _mass(corp, "auto", external_userids=[external])
    clock.advance(59)
    assert (await corp.api.group_messages.task(msgid))["task_list"][0]["status"] == 0
    clock.advance(1)
    assert (await corp.api.group_messages.task(msgid))["task_list"][0]["status"] == 2
    assert len(await corp.received(external)) == 1


async def test_group_mass_message_reaches_group_members(make_corp: Any) -> None:
    corp: Corp = await make_corp()
    chat = (await corp.act("staff_creates_group", owner_userid="zhangsan", name="群"))["result"][
        "chat_id"
    ]
    members = [await corp.customer() for _ in range(2)]
    for external in members:
        await corp.act("join_group", external_userid=external, chat_id=chat)
    msgid = await _mass(corp, "群发", chat_type="group", sender="zhangsan", chat_ids=[chat])
    assert (await corp.api.group_messages.send_result(msgid, "zhangsan"))["send_list"] == []
    await _confirm(corp, msgid)
    rows = (await corp.api.group_messages.send_result(msgid, "zhangsan"))["send_list"]
    assert [(r["chat_id"], r["status"]) for r in rows] == [(chat, 1)]
    for external in members:
        (got,) = await corp.received(external)
        assert (got["via"], got["chat_id"]) == ("group", chat)
    listed = await corp.api.group_messages.list_v2(
        chat_type="group", start_time=int(START) - 10, end_time=int(START) + 10
    )
    assert [m["msgid"] for m in listed["group_msg_list"]] == [msgid]


async def test_mass_message_errors(make_corp: Any) -> None:
    corp: Corp = await make_corp()
    with pytest.raises(APIError) as nobody:
        await corp.api.group_messages.add_template(text="x", sender="lisi")
    assert nobody.value.errcode == 41048
    unknown = await corp.raw(
        "/cgi-bin/externalcontact/add_msg_template",
        {"external_userid": ["wmnope"], "text": {"content": "x"}},
    )
    assert unknown["errcode"] == 41048
    external = await corp.customer()
    made = await corp.api.group_messages.add_template(
        text="x", external_userids=[external, "wmnope"]
    )
    assert made["fail_list"] == ["wmnope"]
    path = "/cgi-bin/externalcontact/get_groupmsg_task"
    assert (await corp.raw(path, {}))["errcode"] == 41046
    assert (await corp.raw(path, {"msgid": "msgnope"}))["errcode"] == 41047
    too_many = {"external_userid": [external] * 10_001, "text": {"content": "x"}}
    assert (await corp.raw("/cgi-bin/externalcontact/add_msg_template", too_many))[
        "errcode"
    ] == 40058
    ten = [{"msgtype": "link", "link": {"title": "t", "url": "u"}}] * 10
    body = {"external_userid": [external], "text": {"content": "x"}, "attachments": ten}
    assert (await corp.raw("/cgi-bin/externalcontact/add_msg_template", body))["errcode"] == 40058
    bad = {"external_userid": [external], "attachments": [{"msgtype": "voice", "voice": {}}]}
    assert (await corp.raw("/cgi-bin/externalcontact/add_msg_template", bad))["errcode"] == 41065


async def test_tag_filter_selects_customers(make_corp: Any) -> None:
    corp: Corp = await make_corp()
    vip, plain = await corp.customer(), await corp.customer()
    group = await corp.api.corp_tags.add(["VIP"], group_name="等级")
    await corp.api.corp_tags.mark("zhangsan", vip, add=[group["tag"][0]["id"]])
    msgid = await _mass(corp, "vip only", sender="zhangsan", tag_filter=[[group["tag"][0]["id"]]])
    await _confirm(corp, msgid)
    assert len(await corp.received(vip)) == 1
    assert await corp.received(plain) == []
