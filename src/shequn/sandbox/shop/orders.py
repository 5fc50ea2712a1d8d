"""Mini-program shop orders: what a customer bought, and the read API Shequn polls.

The read API takes the shape of WeChat's 发货信息管理 order list,
`POST /wxa/sec/order/get_order_list?access_token=` (mini-program token from /cgi-bin/token of
an account created through /sandbox/accounts): filters pay_time_range {begin_time, end_time},
order_state, openid; pages with last_index / has_more; page_size ≤100 (default 100). WeChat
returns payment records, not items or unionid, so the sandbox extension
`GET /sandbox/shop/{appid}/orders` lists the full orders (items, unionid, amount, paid time).

An order document ("shop_order", appid, transaction_id): transaction_id, merchant_id,
merchant_trade_no, openid, unionid, items [{name, quantity, price_fen}], description,
paid_amount (fen), pay_time, trade_create_time, order_state (1 待发货).
"""

from __future__ import annotations

import secrets
from typing import Any

from shequn.sandbox.context import Sandbox
from shequn.sandbox.endpoints import Area, Call, ok
from shequn.sandbox.errors import ApiError
from shequn.sandbox.officialaccount.inbound import CustomerActionError
from shequn.sandbox.officialaccount.tokens import oa_access_token
from shequn.sandbox.state import Doc

ORDER = "shop_order"
MAX_PAGE = 100
ORDER_STATES = (1, 2, 3, 4, 5, 6)

area = Area("shop_orders", authenticate=oa_access_token)


def _describe(items: list[dict[str, Any]]) -> str:
    return "、".join(f"{i['name']}×{i.get('quantity', 1)}" for i in items)[:127]


async def place_order(
    sandbox: Sandbox,
    appid: str,
    *,
    openid: str,
    unionid: str | None = None,
    items: list[dict[str, Any]],
    amount_fen: int,
) -> dict[str, Any]:
    """A customer buys in the mini program and pays at once; returns the order."""
    if not openid:
        raise CustomerActionError("openid is required")
    if not items or not all(isinstance(i, dict) and i.get("name") for i in items):
        raise CustomerActionError("items must be a non-empty list of {name, quantity, price_fen}")
    if not isinstance(amount_fen, int) or amount_fen <= 0:
        raise CustomerActionError("amount_fen must be a positive integer")
    now = int(sandbox.now())
    order: Doc = {
        "transaction_id": "4200" + "".join(str(secrets.randbelow(10)) for _ in range(24)),
        "merchant_id": "1900000000",
        "sub_merchant_id": "",
        "merchant_trade_no": secrets.token_hex(12),
        "appid": appid,
        "openid": openid,
        "unionid": unionid,
        "items": [
            {
                "name": str(i["name"]),
                "quantity": int(i.get("quantity", 1)),
                "price_fen": int(i.get("price_fen", 0)),
            }
            for i in items
        ],
        "description": _describe(items),
        "paid_amount": amount_fen,
        "trade_create_time": now,
        "pay_time": now,
        "order_state": 1,
        "in_complaint": False,
    }
    sandbox.store.put(ORDER, appid, order["transaction_id"], order)
    return order


def list_orders(sandbox: Sandbox, appid: str) -> list[Doc]:
    return sandbox.store.list(ORDER, appid)


def _wire(order: Doc) -> Doc:
    keys = (
        "transaction_id",
        "merchant_id",
        "sub_merchant_id",
        "merchant_trade_no",
        "description",
        "paid_amount",
        "openid",
        "trade_create_time",
        "pay_time",
        "order_state",
        "in_complaint",
    )
    return {k: order[k] for k in keys}


@area.api("/wxa/sec/order/get_order_list")
async def get_order_list(call: Call) -> dict[str, Any]:
    body = call.json() if call.body.strip() else {}
    size = body.get("page_size", MAX_PAGE)
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_PAGE:
        raise ApiError(47001, "page_size must be within 1..100")
    window = body.get("pay_time_range") or {}
    begin = int(window.get("begin_time", 0))
    end = int(window.get("end_time", 2**32 - 1))
    state = body.get("order_state")
    if state is not None and state not in ORDER_STATES:
        raise ApiError(47001, "invalid order_state")
    openid = body.get("openid")
    found = [
        o
        for o in list_orders(call.sandbox, call.appid)
        if begin <= o["pay_time"] <= end
        and (state is None or o["order_state"] == state)
        and (not openid or o["openid"] == openid)
    ]
    last = body.get("last_index") or ""
    start = 0
    if last:
        keys = [o["transaction_id"] for o in found]
        start = keys.index(last) + 1 if last in keys else len(keys)
    chunk = found[start : start + size]
    has_more = start + size < len(found)
    return ok(
        order_list=[_wire(o) for o in chunk],
        has_more=has_more,
        last_index=chunk[-1]["transaction_id"] if chunk else last,
    )
