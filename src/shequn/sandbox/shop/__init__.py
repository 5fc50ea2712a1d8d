"""Mini-program shop orders: the `place_order` customer action, WeChat's order-list read API
(/wxa/sec/order/get_order_list) and the sandbox extension /sandbox/shop/{appid}/orders."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from shequn.sandbox.control import ControlError, _body, _handler
from shequn.sandbox.shop.orders import area, list_orders, place_order

__all__ = ["control_routes", "place_order", "routes"]


def routes() -> list[BaseRoute]:
    return area.routes()


async def _orders(request: Request) -> Any:
    sandbox = request.app.state.sandbox
    appid = request.path_params["appid"]
    if request.method == "GET":
        return {"orders": list_orders(sandbox, appid)}
    body = await _body(request)
    try:
        return await place_order(sandbox, appid, **body)
    except TypeError as exc:
        raise ControlError(400, str(exc)) from exc


def control_routes() -> list[BaseRoute]:
    return [Route("/{appid}/orders", _handler(_orders), methods=["GET", "POST"])]
