"""The other sandbox platforms as customers reach them: WeCom, Pay and the mini-program shop.

Each platform package owns its state; customers only act through its customer-action functions
(`wecom.actions.add_staff`, `pay...confirm_transfer`, `shop...place_order`). They are imported
lazily so the population works with whatever platforms this sandbox build has; a missing one
raises PlatformMissingError, which the simulator counts instead of crashing.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from shequn.sandbox.context import Sandbox


class PlatformMissingError(RuntimeError):
    """The sandbox build has no such platform (or it lacks the customer action)."""


_MODULES = {
    "wecom": ("shequn.sandbox.wecom.actions",),
    "pay": ("shequn.sandbox.pay.actions", "shequn.sandbox.pay"),
    "shop": ("shequn.sandbox.shop.actions", "shequn.sandbox.shop.orders", "shequn.sandbox.shop"),
}


def action(platform: str, name: str) -> Callable[..., Any]:
    for module_name in _MODULES[platform]:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue
            raise
        fn = getattr(module, name, None)
        if fn is not None:
            return fn  # type: ignore[no-any-return]
    raise PlatformMissingError(f"this sandbox has no {platform} platform with {name}()")


def available(platform: str) -> bool:
    try:
        action(
            platform,
            {"wecom": "add_staff", "pay": "confirm_transfer", "shop": "place_order"}[platform],
        )
    except PlatformMissingError:
        return False
    return True


async def add_staff(sandbox: Sandbox, corpid: str, **kwargs: Any) -> dict[str, Any]:
    return await action("wecom", "add_staff")(sandbox, corpid, **kwargs)  # type: ignore[no-any-return]


async def remove_staff(sandbox: Sandbox, corpid: str, **kwargs: Any) -> Any:
    return await action("wecom", "remove_staff")(sandbox, corpid, **kwargs)


async def join_group(sandbox: Sandbox, corpid: str, **kwargs: Any) -> dict[str, Any]:
    return await action("wecom", "join_group")(sandbox, corpid, **kwargs)  # type: ignore[no-any-return]


async def leave_group(sandbox: Sandbox, corpid: str, **kwargs: Any) -> Any:
    return await action("wecom", "leave_group")(sandbox, corpid, **kwargs)


async def wecom_received(sandbox: Sandbox, corpid: str, external_userid: str) -> list[Any]:
    result = action("wecom", "received_messages")(sandbox, corpid, external_userid)
    if hasattr(result, "__await__"):
        result = await result
    return list(result or [])


async def confirm_transfer(sandbox: Sandbox, mchid: str, *, out_bill_no: str) -> Any:
    return await action("pay", "confirm_transfer")(sandbox, mchid, out_bill_no=out_bill_no)


async def decline_transfer(sandbox: Sandbox, mchid: str, *, out_bill_no: str) -> Any:
    return await action("pay", "decline_transfer")(sandbox, mchid, out_bill_no=out_bill_no)


async def place_order(sandbox: Sandbox, appid: str, **kwargs: Any) -> Any:
    return await action("shop", "place_order")(sandbox, appid, **kwargs)


def ensure_corp(sandbox: Sandbox, corpid: str, fields: dict[str, Any]) -> bool:
    """Create the WeCom corp from the scenario's fields unless it exists; True if created."""
    try:
        corps = importlib.import_module("shequn.sandbox.wecom.corps")
    except ModuleNotFoundError as exc:
        raise PlatformMissingError("this sandbox has no wecom platform") from exc
    if corps.get_corp(sandbox, corpid) is not None:
        return False
    corps.create_corp(sandbox, **{**fields, "corpid": corpid})
    return True
