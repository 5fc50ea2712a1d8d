"""The small-test scenario end to end: customers follow by scanning channel codes, ask
questions and click menus, and every action reaches the brand's callback URL."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.responses import Response

from shequn.sandbox.context import Sandbox
from tests.sandbox.conftest import Receiver
from tests.sandbox.population_support import SMALL_APPID, action_log, load, step

pytestmark = pytest.mark.anyio


async def test_small_scenario_drives_real_callbacks(
    client: httpx.AsyncClient, make_oa: Any, receiver: Receiver, sandbox: Sandbox
) -> None:
    await make_oa(appid=SMALL_APPID)
    status = await load(client, scenario="small-test")
    assert status["people"] == 40
    assert status["following"] == 0

    status = await step(client, 48)

    assert status["ticks"] == 48
    counts = status["counts"]
    assert counts.get("scan_follow", 0) > 10
    assert counts.get("text", 0) > 5
    assert status["following"] > 10
    bodies = [r.body.decode() for r in receiver.requests]
    assert any("<Event><![CDATA[subscribe]]></Event>" in b and "qrscene_" in b for b in bodies)
    assert any("<MsgType><![CDATA[text]]></MsgType>" in b for b in bodies)
    # Followers in the sandbox are the simulated ones, with the scene they scanned.
    r = await client.get(f"/sandbox/accounts/{SMALL_APPID}/customers")
    followers = [c for c in r.json()["customers"] if c["subscribe"] == 1]
    assert len(followers) == status["following"]
    assert {c["qr_scene_str"] for c in followers} <= {"pkg_insert", "store_pos", ""}
    log = await action_log(client)
    assert sum(1 for e in log if e["action"] == "text" and e["ok"]) == counts["text"]


async def test_same_seed_same_actions(make_oa: Any, client: httpx.AsyncClient) -> None:
    await make_oa(appid=SMALL_APPID)
    await load(client, scenario="small-test")
    await step(client, 24)
    first = [
        (e["tick"], e["cid"], e["action"], e["target"], e["ok"]) for e in await action_log(client)
    ]

    await client.post("/sandbox/reset")
    await make_oa(appid=SMALL_APPID)
    await load(client, scenario="small-test")
    await step(client, 24)
    second = [
        (e["tick"], e["cid"], e["action"], e["target"], e["ok"]) for e in await action_log(client)
    ]
    assert len(first) > 20
    assert first == second


async def test_reply_to_a_question_prompts_a_follow_up(
    client: httpx.AsyncClient, make_oa: Any, receiver: Receiver
) -> None:
    def answer(req: Any) -> Response:
        body = req.body.decode()
        if "<MsgType><![CDATA[text]]></MsgType>" not in body:
            return Response(b"success")
        to = body.split("<FromUserName><![CDATA[")[1].split("]]>")[0]
        me = body.split("<ToUserName><![CDATA[")[1].split("]]>")[0]
        xml = (
            f"<xml><ToUserName><![CDATA[{to}]]></ToUserName><FromUserName><![CDATA[{me}]]>"
            "</FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            "<Content><![CDATA[您好，请问有什么可以帮您？]]></Content></xml>"
        )
        return Response(xml.encode(), media_type="application/xml")

    receiver.reply = answer
    await make_oa(appid=SMALL_APPID)
    await load(client, scenario="small-test")
    status = await step(client, 48)
    assert status["counts"].get("followup", 0) > 0
