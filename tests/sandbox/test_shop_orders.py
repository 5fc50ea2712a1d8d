"""Mini-program shop orders: placed by customers, polled through get_order_list."""

from __future__ import annotations

from typing import Any

import pytest

from shequn.sandbox.clock import Clock
from tests.sandbox.conftest import OA

pytestmark = pytest.mark.anyio


async def _order(oa: OA, openid: str, amount: int, **fields: Any) -> dict[str, Any]:
    r = await oa.client.post(
        f"/sandbox/shop/{oa.appid}/orders",
        json={"openid": openid, "items": [{"name": "面膜", "quantity": 2}], "amount_fen": amount}
        | fields,
    )
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def test_orders_are_listed_by_pay_time_openid_and_page(make_oa: Any, clock: Clock) -> None:
    oa: OA = await make_oa()
    first = await _order(oa, "oA", 1990, unionid="uA")
    clock.advance(60)
    second = await _order(oa, "oB", 500)
    third = await _order(oa, "oA", 700)
    page = await oa.post("/wxa/sec/order/get_order_list", {"page_size": 2})
    assert page["errcode"] == 0
    assert [o["transaction_id"] for o in page["order_list"]] == [
        first["transaction_id"],
        second["transaction_id"],
    ]
    assert page["has_more"] is True
    rest = await oa.post(
        "/wxa/sec/order/get_order_list", {"page_size": 2, "last_index": page["last_index"]}
    )
    assert [o["transaction_id"] for o in rest["order_list"]] == [third["transaction_id"]]
    assert rest["has_more"] is False
    mine = await oa.post("/wxa/sec/order/get_order_list", {"openid": "oA"})
    assert [o["paid_amount"] for o in mine["order_list"]] == [1990, 700]
    late = await oa.post(
        "/wxa/sec/order/get_order_list", {"pay_time_range": {"begin_time": int(clock.now())}}
    )
    assert len(late["order_list"]) == 2
    assert first["description"] == "面膜×2"
    extension = (await oa.client.get(f"/sandbox/shop/{oa.appid}/orders")).json()
    assert extension["orders"][0]["unionid"] == "uA"


async def test_order_list_limits_and_auth(make_oa: Any) -> None:
    oa: OA = await make_oa()
    assert (await oa.post("/wxa/sec/order/get_order_list", {"page_size": 101}))["errcode"] == 47001
    r = await oa.client.post("/wxa/sec/order/get_order_list", json={})
    assert r.json()["errcode"] == 41001
    bad = await oa.client.post(f"/sandbox/shop/{oa.appid}/orders", json={"openid": "o"})
    assert bad.status_code == 400
