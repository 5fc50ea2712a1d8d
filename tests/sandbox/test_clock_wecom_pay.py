"""WeCom welcome codes and envelopes, and Pay's signatures, on the sandbox's two clocks.

The virtual clock runs 21 days behind a fake wall clock (see test_clock.py): the demo's situation
while it backfills history.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from shequn.sandbox.clock import Clock
from shequn.sandbox.wecom.push import WeComChannel
from shequn.wechat.errors import APIError
from shequn.wechat.pay.signing import build_authorization
from tests.sandbox.test_clock import VIRTUAL, WALL, FakeWall, clock, wall
from tests.sandbox.wecom_support import Corp, make_corp, receiver

pytestmark = pytest.mark.anyio
__all__ = ["clock", "make_corp", "receiver", "wall"]


async def test_with_wall_deadlines_a_welcome_code_lasts_20_real_seconds(
    client: httpx.AsyncClient, make_corp: Any, clock: Clock, wall: FakeWall
) -> None:
    await client.post("/sandbox/clock", json={"deadlines": "wall"})
    corp: Corp = await make_corp()
    first = await corp.act("add_staff", userid="zhangsan")
    second = await corp.act("add_staff", userid="lisi")
    clock.advance(3600)  # an hour of simulated time passes in a moment
    await corp.api.welcome.send(first["result"]["welcome_code"], text="欢迎")
    wall.t += 21
    with pytest.raises(APIError) as expired:
        await corp.api.welcome.send(second["result"]["welcome_code"], text="欢迎")
    assert expired.value.errcode == 41050


async def test_wecom_envelope_is_stamped_with_the_wall_clock(make_corp: Any) -> None:
    corp: Corp = await make_corp()
    await corp.act("add_staff", userid="zhangsan")
    [item] = corp.outbox()
    prepared = WeComChannel().prepare(corp.sandbox, corp.corpid, item["data"])
    assert prepared is not None
    assert prepared.params["timestamp"] == str(int(WALL))
    assert item["data"]["packet"]["CreateTime"] == int(VIRTUAL)


async def test_pay_checks_the_authorization_against_the_wall_clock(
    client: httpx.AsyncClient, app: Any, wall: FakeWall
) -> None:
    from tests.sandbox.pay_support import Merchant

    body = {"notify_url": "http://shequn.test/n", "balance_fen": 10_000}
    created = await client.post("/sandbox/pay/merchants", json=body)
    merchant = Merchant(client, app, created.json())
    bill = await merchant.transfers.create(merchant.request("CLOCK1"))
    assert bill.package_info  # signed on the wall clock: accepted, and the answer verified
    path = "/v3/fund-app/mch-transfer/transfer-bills/out-bill-no/CLOCK1"
    on_virtual_time = build_authorization(
        merchant.pay.merchant_private_key,
        mchid=merchant.mchid,
        serial_no=merchant.doc["merchant_serial"],
        method="GET",
        canonical_url=path,
        timestamp=int(merchant.sandbox.now()),  # 21 days off the real time
    )
    refused = await client.get(path, headers={"Authorization": on_virtual_time})
    assert (refused.status_code, refused.json()["code"]) == (401, "SIGN_ERROR")
    assert refused.headers["Wechatpay-Timestamp"] == str(int(WALL))
    response = await client.get("/sandbox/clock")
    assert response.json()["wall"] == WALL
