"""Customers react to what the brand sends them: a group join link in a WeCom welcome message
leads to a join, a staff code in an official-account message leads to adding that staff."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from shequn.sandbox.context import Sandbox
from shequn.sandbox.officialaccount import received as oa_received
from shequn.sandbox.population.people import PERSON
from shequn.sandbox.wecom import received as wecom_received
from tests.sandbox.conftest import RECEIVER_URL
from tests.sandbox.population_support import (
    CORPID,
    MCHID,
    STAFF,
    action_log,
    load,
    merchant,
    red_packet,
    step,
    wecom_corp,
)

pytestmark = pytest.mark.anyio

APPID = "wx0000000000react1"


def scenario(**behaviours: float) -> str:
    rates = "\n".join(f"{k} = {v}" for k, v in behaviours.items())
    return f"""
name = "reactions"
seed = 3
size = 60
tick_seconds = 3600

[[accounts]]
appid = "{APPID}"
seed_qr = true
channels = [{{ scene = "pkg_sticker" }}]

[wecom]
corpid = "{CORPID}"

[behaviours]
{rates}

[reactions]
join_on_invite = 1.0
join_delay_minutes = [1, 30]
add_staff_on_invite = 1.0
add_staff_delay_minutes = [1, 30]
followup_question = 0.0
"""


def people(sandbox: Sandbox) -> list[dict[str, Any]]:
    return sandbox.store.list(PERSON, "reactions")


async def test_welcome_message_with_join_link_leads_to_joining(
    client: httpx.AsyncClient, make_oa: Any, sandbox: Sandbox
) -> None:
    await make_oa(appid=APPID)
    corp = await wecom_corp(client, RECEIVER_URL)
    await load(client, toml=scenario(add_staff=2.0))
    await step(client, 3)
    added = [p for p in people(sandbox) if p["staff"]]
    assert len(added) > 5
    link = corp["join_way"]["qr_code"]
    for person in added:
        # What Shequn sends with send_welcome_msg: a text and a link to the group code.
        wecom_received.record(
            sandbox,
            CORPID,
            person["external_userid"],
            "welcome",
            {
                "text": {"content": "欢迎！扫码加入宝妈交流群领红包"},
                "attachments": [{"msgtype": "link", "link": {"title": "入群", "url": link}}],
            },
            from_userid=person["staff"][0],
        )
    status = await step(client, 2)

    assert status["counts"]["join_on_invite"] == len(added)
    r = await client.get(f"/sandbox/wecom/corps/{CORPID}/groups/{corp['chat_id']}")
    members = {m["userid"]: m for m in r.json()["member_list"]}
    for person in added:
        assert members[person["external_userid"]]["state"] == "pkg_sticker"
    # Nobody joined without an invitation: joins happen only as reactions here.
    assert sum(1 for e in await action_log(client) if e["action"] == "join_group") == 0


async def test_staff_code_in_official_account_message_leads_to_adding_staff(
    client: httpx.AsyncClient, make_oa: Any, sandbox: Sandbox
) -> None:
    await make_oa(appid=APPID)
    corp = await wecom_corp(client, RECEIVER_URL)
    await load(client, toml=scenario(scan_follow=3.0))
    await step(client, 2)
    followers = [p for p in people(sandbox) if p["following"][APPID]]
    assert followers
    code = corp["contact_ways"][1]["qr_code"]
    for person in followers:
        oa_received.record(
            sandbox,
            APPID,
            person["openids"][APPID],
            "custom",
            {"msgtype": "image", "image": {"pic_url": code}, "content": "添加小丸子领取新人礼"},
        )
    status = await step(client, 2)

    assert status["counts"]["add_staff_on_invite"] == len(followers)
    r = await client.get(f"/sandbox/wecom/corps/{CORPID}/contacts")
    contacts = r.json()["contacts"]
    assert len(contacts) == len(followers)
    invited = {p["cid"] for p in followers}
    assert all(p["staff"] == [STAFF[1]] for p in people(sandbox) if p["cid"] in invited)


async def test_waiting_red_packets_get_confirmed_after_a_delay(
    client: httpx.AsyncClient, make_oa: Any, sandbox: Sandbox
) -> None:
    await make_oa(appid=APPID)
    await merchant(client)
    source = scenario(scan_follow=3.0).replace(
        "[behaviours]", f'[pay]\nmchid = "{MCHID}"\n\n[behaviours]'
    )
    source = source.replace(
        "followup_question = 0.0", "confirm_transfer = 1.0\nconfirm_delay_minutes = [30, 90]"
    )
    await load(client, toml=source)
    await step(client, 2)
    followers = [p for p in people(sandbox) if p["following"][APPID]]
    assert followers
    for n, person in enumerate(followers):
        red_packet(sandbox, APPID, person["openids"][APPID], f"bill{n:04d}")
    status = await step(client, 1)
    # Seen this tick; confirmed 30-90 minutes later, not at once.
    assert status["counts"].get("confirm_transfer", 0) == 0
    status = await step(client, 2)
    assert status["counts"]["confirm_transfer"] == len(followers)
    r = await client.get(f"/sandbox/pay/merchants/{MCHID}/bills")
    assert {b["state"] for b in r.json()["bills"]} == {"SUCCESS"}
