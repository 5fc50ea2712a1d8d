"""Looking up followers the way the user/tag/message APIs do (40003 / 49003 / 43004)."""

from __future__ import annotations

from typing import Any

from shequn.sandbox.accounts import FOLLOWER, openid_owner
from shequn.sandbox.context import Sandbox
from shequn.sandbox.errors import ApiError
from shequn.sandbox.state import Doc


def known_customer(sandbox: Sandbox, appid: str, openid: Any) -> Doc:
    """The customer or 40003 (unknown openid) / 49003 (another account's openid)."""
    if not isinstance(openid, str) or not openid:
        raise ApiError(40003)
    customer = sandbox.store.get(FOLLOWER, appid, openid)
    if customer is None:
        owner = openid_owner(sandbox, openid)
        raise ApiError(49003 if owner is not None else 40003)
    return customer


def follower(sandbox: Sandbox, appid: str, openid: Any, *, not_following: int = 43004) -> Doc:
    customer = known_customer(sandbox, appid, openid)
    if customer["subscribe"] != 1:
        raise ApiError(not_following)
    return customer


def followers(sandbox: Sandbox, appid: str) -> list[Doc]:
    return sandbox.store.list(FOLLOWER, appid, where={"subscribe": 1})
