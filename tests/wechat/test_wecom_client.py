"""The WeCom customer-contact client against a fake WeCom at the HTTP edge."""

from __future__ import annotations

import pytest

from shequn.wechat.errors import InvalidRequest, PermanentError, QuotaExhausted, TokenInvalid
from shequn.wechat.http import RetryPolicy
from shequn.wechat.wecom import SyncWeComClient, WeComClient
from tests.wechat.test_http import FakeWeChat

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def make_client(fake: FakeWeChat) -> WeComClient:
    return WeComClient(
        "ww0123456789",
        "app-secret",
        base_url="https://qy.sandbox.example",
        retry=RetryPolicy(attempts=2, base_delay=0.001),
        transport=fake.transport,
    )


async def test_gettoken_is_used_once_and_customers_are_listed() -> None:
    fake = FakeWeChat()
    async with make_client(fake) as client:
        staff = await client.customers.follow_users()
        group = await client.group_chats.get("wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA")
    assert staff == ["zhangsan", "lisi"]
    assert group["member_version"] == "71217227bbd112ecfe3a49c482195cb4"
    (token_call,) = fake.calls("/cgi-bin/gettoken")
    assert dict(token_call.url.params) == {"corpid": "ww0123456789", "corpsecret": "app-secret"}
    assert fake.calls("/cgi-bin/externalcontact/groupchat/get")[0].url.params["access_token"] == (
        "WECOM-TOKEN-1"
    )


async def test_wecom_token_rejection_refreshes_once() -> None:
    fake = FakeWeChat()
    fake.on(
        "/cgi-bin/gettoken",
        {"errcode": 0, "access_token": "T1", "expires_in": 7200},
        {"errcode": 0, "access_token": "T2", "expires_in": 7200},
    )
    fake.on(
        "/cgi-bin/externalcontact/list",
        {"errcode": 40014, "errmsg": "invalid access_token"},
        {"errcode": 0, "external_userid": ["wmA"]},
    )
    async with make_client(fake) as client:
        assert await client.customers.list("zhangsan") == ["wmA"]
    used = [c.url.params["access_token"] for c in fake.calls("/cgi-bin/externalcontact/list")]
    assert used == ["T1", "T2"]


async def test_wrong_secret_is_permanent_and_frequency_is_a_quota() -> None:
    fake = FakeWeChat()
    fake.on("/cgi-bin/gettoken", {"errcode": 40001, "errmsg": "invalid secret"})
    async with make_client(fake) as client:
        with pytest.raises(PermanentError) as caught:
            await client.customers.follow_users()
    assert not isinstance(caught.value, TokenInvalid)

    fake = FakeWeChat()
    fake.on("/cgi-bin/externalcontact/get", {"errcode": 45009, "errmsg": "api freq out of limit"})
    async with make_client(fake) as client:
        with pytest.raises(QuotaExhausted):
            await client.customers.get("wmA")
    assert len(fake.calls("/cgi-bin/externalcontact/get")) == 1


async def test_contact_way_limits_are_enforced_client_side() -> None:
    fake = FakeWeChat()
    async with make_client(fake) as client:
        created = await client.contact_ways.add(
            type=2, scene=2, users=["s1", "s2"], parties=[12], state="pkgA_2025", remark="pack A"
        )
        with pytest.raises(InvalidRequest) as caught:
            await client.contact_ways.add(type=1, scene=2, users=["s1"], state="x" * 31)
        assert caught.value.field == "state"
        with pytest.raises(InvalidRequest):
            await client.contact_ways.add(type=1, scene=2, users=["s1", "s2"])
        with pytest.raises(InvalidRequest):
            await client.contact_ways.add(type=2, scene=2, users=[f"u{i}" for i in range(101)])
        with pytest.raises(InvalidRequest):
            await client.contact_ways.update("cfg", state="y" * 31)
    assert created["config_id"] == "42b34949e138eb6e027c123cba77fAAA"
    assert fake.bodies("/cgi-bin/externalcontact/add_contact_way") == [
        {
            "type": 2,
            "scene": 2,
            "skip_verify": True,
            "user": ["s1", "s2"],
            "party": [12],
            "state": "pkgA_2025",
            "remark": "pack A",
        }
    ]
    assert fake.calls("/cgi-bin/externalcontact/update_contact_way") == []


async def test_join_ways_take_at_most_five_groups() -> None:
    fake = FakeWeChat()
    async with make_client(fake) as client:
        config_id = await client.join_ways.add(scene=2, chat_ids=["wr1", "wr2"], state="s")
        with pytest.raises(InvalidRequest) as caught:
            await client.join_ways.add(scene=2, chat_ids=[f"wr{i}" for i in range(6)])
        with pytest.raises(InvalidRequest):
            await client.join_ways.update("cfg", scene=2, chat_ids=[])
    assert caught.value.field == "chat_id_list"
    assert config_id == "9ad7fa5cdaa6511298498f979c472aAA"
    assert len(fake.calls("/cgi-bin/externalcontact/groupchat/add_join_way")) == 1


async def test_group_chat_list_follows_the_cursor() -> None:
    fake = FakeWeChat()
    fake.on(
        "/cgi-bin/externalcontact/groupchat/list",
        {"errcode": 0, "group_chat_list": [{"chat_id": "wr1", "status": 0}], "next_cursor": "C2"},
        {"errcode": 0, "group_chat_list": [{"chat_id": "wr2", "status": 0}], "next_cursor": ""},
    )
    chats: list[str] = []
    async with make_client(fake) as client:
        cursor = ""
        while True:
            page = await client.group_chats.list(limit=1, cursor=cursor, owner_userids=["abel"])
            chats += [c["chat_id"] for c in page["group_chat_list"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        with pytest.raises(InvalidRequest):
            await client.group_chats.list(limit=1001)
    assert chats == ["wr1", "wr2"]
    bodies = fake.bodies("/cgi-bin/externalcontact/groupchat/list")
    assert [b["cursor"] for b in bodies] == ["", "C2"]
    assert bodies[0]["owner_filter"] == {"userid_list": ["abel"]}


async def test_mass_message_templates_and_welcome_messages_are_validated() -> None:
    fake = FakeWeChat()
    fake.on("/cgi-bin/externalcontact/send_welcome_msg", {"errcode": 0, "errmsg": "ok"})
    image = {"msgtype": "image", "image": {"media_id": "M"}}
    async with make_client(fake) as client:
        created = await client.group_messages.add_template(
            external_userids=["wmA", "wmB"], text="新品上市", attachments=[image]
        )
        with pytest.raises(InvalidRequest):
            await client.group_messages.add_template(chat_type="group", chat_ids=["wr1"], text="x")
        with pytest.raises(InvalidRequest):
            await client.group_messages.add_template(sender="s", attachments=[image] * 10)
        with pytest.raises(InvalidRequest):
            await client.group_messages.add_template(sender="s", text="字" * 1334)
        with pytest.raises(InvalidRequest):
            await client.group_messages.list_v2(
                chat_type="single", start_time=0, end_time=32 * 24 * 3600
            )
        await client.welcome.send("CODE", "欢迎")
        with pytest.raises(InvalidRequest):
            await client.welcome.send("CODE")
    assert created["msgid"] == "msgGCAAAXtWyujaWJHDDGi0mAAAA"
    assert fake.bodies("/cgi-bin/externalcontact/add_msg_template") == [
        {
            "chat_type": "single",
            "external_userid": ["wmA", "wmB"],
            "text": {"content": "新品上市"},
            "attachments": [image],
        }
    ]
    assert fake.bodies("/cgi-bin/externalcontact/send_welcome_msg") == [
        {"welcome_code": "CODE", "text": {"content": "欢迎"}}
    ]


async def test_corp_tags_and_marking() -> None:
    fake = FakeWeChat()
    fake.on("/cgi-bin/externalcontact/add_corp_tag", {"errcode": 0, "tag_group": {"group_id": "G"}})
    fake.on("/cgi-bin/externalcontact/mark_tag", {"errcode": 0, "errmsg": "ok"})
    async with make_client(fake) as client:
        group = await client.corp_tags.add(["VIP", ("潜客", 5)], group_name="客户等级")
        with pytest.raises(InvalidRequest):
            await client.corp_tags.add(["t" * 31], group_name="g")
        await client.corp_tags.mark("zhangsan", "wmA", add=["et1"])
    assert group == {"group_id": "G"}
    assert fake.bodies("/cgi-bin/externalcontact/add_corp_tag")[0]["tag"] == [
        {"name": "VIP"},
        {"name": "潜客", "order": 5},
    ]
    assert fake.bodies("/cgi-bin/externalcontact/mark_tag") == [
        {"userid": "zhangsan", "external_userid": "wmA", "add_tag": ["et1"], "remove_tag": []}
    ]


def test_sync_wecom_client() -> None:
    fake = FakeWeChat()
    with SyncWeComClient(
        "ww1", "s", base_url="https://qy.sandbox.example", transport=fake.transport
    ) as client:
        assert client.customers.follow_users() == ["zhangsan", "lisi"]
