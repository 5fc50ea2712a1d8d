"""Control API under /sandbox/pay/: merchants, top-ups, bills, and the payee's actions."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from shequn.sandbox.context import Sandbox
from shequn.sandbox.control import ControlError, _body, _handler
from shequn.sandbox.pay import actions, bills
from shequn.sandbox.pay.merchants import (
    create_merchant,
    list_merchants,
    public_view,
    require_merchant,
    top_up,
    update_merchant,
)


def _sandbox(request: Request) -> Sandbox:
    return request.app.state.sandbox  # type: ignore[no-any-return]


async def merchants(request: Request) -> Any:
    sandbox = _sandbox(request)
    if request.method == "GET":
        return {"merchants": list_merchants(sandbox)}
    return public_view(create_merchant(sandbox, **await _body(request)))


async def merchant_detail(request: Request) -> Any:
    sandbox = _sandbox(request)
    mchid = request.path_params["mchid"]
    if request.method == "GET":
        return public_view(require_merchant(sandbox, mchid))
    return public_view(update_merchant(sandbox, mchid, **await _body(request)))


async def topup(request: Request) -> Any:
    body = await _body(request)
    amount = body.get("amount_fen")
    if not isinstance(amount, int) or amount <= 0:
        raise ControlError(400, "amount_fen must be a positive integer")
    return public_view(top_up(_sandbox(request), request.path_params["mchid"], amount))


async def bill_list(request: Request) -> Any:
    sandbox = _sandbox(request)
    mchid = request.path_params["mchid"]
    require_merchant(sandbox, mchid)
    return {"bills": bills.list_bills(sandbox, mchid)}


async def bill_detail(request: Request) -> Any:
    sandbox = _sandbox(request)
    bill = bills.get_bill(sandbox, request.path_params["mchid"], request.path_params["no"])
    if bill is None:
        raise KeyError(request.path_params["no"])
    return bills.settle(sandbox, bill)


async def _act(request: Request, confirm: bool) -> Any:
    sandbox = _sandbox(request)
    mchid, number = request.path_params["mchid"], request.path_params["no"]
    body = await _body(request)
    wait = bool(body.pop("wait", True))
    before = {i["id"] for i in sandbox.store.outbox_items(status="pending")}
    if confirm:
        result = await actions.confirm_transfer(sandbox, mchid, out_bill_no=number)
    else:
        result = await actions.decline_transfer(sandbox, mchid, out_bill_no=number, **body)
    queued = [
        i["id"]
        for i in sandbox.store.outbox_items(status="pending")
        if i["id"] not in before and i["channel"] == "pay"
    ]
    answer: dict[str, Any] = {"result": result, "outbox_ids": queued}
    if wait:
        answer["deliveries"] = [(await sandbox.callbacks.deliver(i)).as_dict() for i in queued]
    return answer


async def confirm(request: Request) -> Any:
    return await _act(request, True)


async def decline(request: Request) -> Any:
    return await _act(request, False)


def routes() -> list[BaseRoute]:
    def r(path: str, fn: Any, methods: list[str]) -> Route:
        return Route(path, _handler(fn), methods=methods)

    return [
        r("/merchants", merchants, ["GET", "POST"]),
        r("/merchants/{mchid}", merchant_detail, ["GET", "PATCH", "POST"]),
        r("/merchants/{mchid}/topup", topup, ["POST"]),
        r("/merchants/{mchid}/bills", bill_list, ["GET"]),
        r("/merchants/{mchid}/bills/{no}", bill_detail, ["GET"]),
        r("/merchants/{mchid}/bills/{no}/confirm", confirm, ["POST"]),
        r("/merchants/{mchid}/bills/{no}/decline", decline, ["POST"]),
    ]
