"""WeCom customer groups in the sandbox: the 500-member cap, join ways over ≤5 groups with
automatic roll-over, membership callbacks, and groupchat/list and groupchat/get."""

from __future__ import annotations

from typing import Any

import pytest

from shequn.sandbox.officialaccount.inbound import CustomerActionError
from shequn.sandbox.wecom import actions
from tests.sandbox.wecom_support import Corp, WeComReceiver, make_corp, receiver

pytestmark = pytest.mark.anyio
__all__ = ["make_corp", "receiver"]


async def _group(corp: Corp, owner: str = "zhangsan", name: str = "客户群") -> str:
    return str(
        (await corp.act("staff_creates_group", owner_userid=owner, name=name))["result"]["chat_id"]
    )


async def test_a_group_holds_at_most_500_members(make_corp: Any) -> None:
    corp: Corp = await make_corp(callback_url=None)
    chat = (
        await actions.staff_creates_group(
            corp.sandbox, corp.corpid, owner_userid="zhangsan", name="满"
        )
    )["chat_id"]
    for _ in range(499):  # the owner is the first member
        added = await actions.add_staff(corp.sandbox, corp.corpid, userid="zhangsan")
        await actions.join_group(
            corp.sandbox, corp.corpid, external_userid=added["external_userid"], chat_id=chat
        )
    one_more = await actions.add_staff(corp.sandbox, corp.corpid, userid="zhangsan")
    with pytest.raises(CustomerActionError, match="full"):
        await actions.join_group(
            corp.sandbox, corp.corpid, external_userid=one_more["external_userid"], chat_id=chat
        )
    group = await corp.api.group_chats.get(chat)
    assert len(group["member_list"]) == 500


async def test_join_way_takes_at_most_five_groups(make_corp: Any) -> None:
    corp: Corp = await make_corp()
    chats = [await _group(corp) for _ in range(6)]
    path = "/cgi-bin/externalcontact/groupchat/add_join_way"
    assert (await corp.raw(path, {"scene": 2, "chat_id_list": chats}))["errcode"] == 40058
    assert (await corp.raw(path, {"scene": 2, "chat_id_list": chats[:5]}))["errcode"] == 0
    assert (await corp.raw(path, {"scene": 2, "chat_id_list": []}))["errcode"] == 40058
    too_long = {"scene": 2, "chat_id_list": chats[:1], "state": "s" * 31}
    assert (await corp.raw(path, too_long))["errcode"] == 40058
    unknown = {"scene": 2, "chat_id_list": ["wrnope"]}
    assert (await corp.raw(path, unknown))["errcode"] == 40050
    get = "/cgi-bin/externalcontact/groupchat/get_join_way"
    assert (await corp.raw(get, {"config_id": "nope"}))["errcode"] == 41044
    assert (await corp.raw(get, {}))["errcode"] == 41043


async def test_join_way_creates_a_group_when_all_are_full(
    make_corp: Any, receiver: WeComReceiver
) -> None:
    corp: Corp = await make_corp(limits={"group_max_members": 3})
    first = await _group(corp, name="销售客服群")
    config_id = await corp.api.join_ways.add(
        scene=2, chat_ids=[first], room_base_name="销售客服群", room_base_id=10, state="live"
    )
    joined = []
    for _ in range(3):
        external = await corp.customer()
        done = await corp.act("join_group", external_userid=external, join_way_config_id=config_id)
        joined.append(done["result"]["chat_id"])
    assert joined[:2] == [first, first]
    rolled = joined[2]
    assert rolled != first
    way = await corp.api.join_ways.get(config_id)
    assert way["chat_id_list"] == [first, rolled]
    group = await corp.api.group_chats.get(rolled)
    assert group["name"] == "销售客服群10"
    assert group["owner"] == "zhangsan"
    assert group["member_list"][1]["state"] == "live"
    assert group["member_list"][1]["join_scene"] == 3
    created = [e["ChatId"] for e in receiver.of("change_external_chat", "create")]
    assert created == [first, rolled]


async def test_join_way_without_auto_create_stops_when_full(make_corp: Any) -> None:
    corp: Corp = await make_corp(limits={"group_max_members": 2})
    chat = await _group(corp)
    config_id = await corp.api.join_ways.add(scene=2, chat_ids=[chat], auto_create_room=0)
    await corp.act(
        "join_group", external_userid=await corp.customer(), join_way_config_id=config_id
    )
    r = await corp.http.post(
        f"/sandbox/wecom/corps/{corp.corpid}/actions",
        json={
            "kind": "join_group",
            "external_userid": await corp.customer(),
            "join_way_config_id": config_id,
        },
    )
    assert r.status_code == 400
    assert "full" in r.json()["error"]


async def test_membership_changes_are_pushed_with_versions(
    make_corp: Any, receiver: WeComReceiver
) -> None:
    corp: Corp = await make_corp()
    chat = await _group(corp)
    external = await corp.customer()
    await corp.act("join_group", external_userid=external, chat_id=chat, invitor_userid="lisi")
    (joined,) = receiver.of("change_external_chat", "update")
    assert joined["ChatId"] == chat
    assert joined["UpdateDetail"] == "add_member"
    assert joined["JoinScene"] == "0"
    assert joined["MemChangeCnt"] == "1"
    assert joined["MemChangeList"] == {"Item": external}
    group = await corp.api.group_chats.get(chat)
    assert group["member_version"] == joined["CurMemVer"]
    member = group["member_list"][1]
    assert member == {
        "userid": external,
        "type": 2,
        "join_time": member["join_time"],
        "join_scene": 1,
        "group_nickname": "",
        "invitor": {"userid": "lisi"},
        "name": "客户",
    }
    await corp.act("leave_group", external_userid=external, chat_id=chat)
    left = receiver.of("change_external_chat", "update")[1]
    assert (left["UpdateDetail"], left["QuitScene"]) == ("del_member", "0")
    assert left["LastMemVer"] == joined["CurMemVer"]
    await corp.act("dismiss_group", chat_id=chat)
    assert receiver.of("change_external_chat", "dismiss")[0]["ChatId"] == chat
    r = await corp.raw("/cgi-bin/externalcontact/groupchat/get", {"chat_id": chat})
    assert r["errcode"] == 49008


async def test_groupchat_list_filters_by_owner_and_pages(make_corp: Any) -> None:
    corp: Corp = await make_corp()
    mine = [await _group(corp, "zhangsan") for _ in range(3)]
    theirs = await _group(corp, "lisi")
    first = await corp.api.group_chats.list(limit=2, owner_userids=["zhangsan"])
    rest = await corp.api.group_chats.list(
        limit=2, owner_userids=["zhangsan"], cursor=first["next_cursor"]
    )
    ids = [g["chat_id"] for g in first["group_chat_list"] + rest["group_chat_list"]]
    assert ids == mine
    assert rest["next_cursor"] == ""
    everything = await corp.api.group_chats.list()
    assert theirs in [g["chat_id"] for g in everything["group_chat_list"]]
    inherited = await corp.api.group_chats.list(status_filter=3)
    assert inherited["group_chat_list"] == []
    path = "/cgi-bin/externalcontact/groupchat/list"
    assert (await corp.raw(path, {"limit": 1001}))["errcode"] == 40058
    assert (await corp.raw(path, {"limit": 10, "cursor": "%%"}))["errcode"] == 50100
