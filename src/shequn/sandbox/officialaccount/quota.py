"""API quota tooling: openapi/quota/get, clear_quota (+v2), openapi/quota/clear, getcallbackip
(reference §6.14). clear_quota is limited to 10 resets a month (48006)."""

from __future__ import annotations

import hmac
from typing import Any

from shequn.sandbox.accounts import get_account
from shequn.sandbox.clock import shanghai_day, shanghai_month
from shequn.sandbox.endpoints import Area, Call, ok, quota_limit
from shequn.sandbox.errors import ApiError
from shequn.sandbox.officialaccount.quotas import CLEAR_QUOTA_PER_MONTH, DAILY_QUOTAS
from shequn.sandbox.officialaccount.tokens import oa_access_token
from shequn.sandbox.state import Doc

area = Area("quota", authenticate=oa_access_token, quotas=DAILY_QUOTAS)


def _clear_all(call: Call, account: Doc) -> None:
    store = call.sandbox.store
    scope = f"clear_quota:{account['appid']}"
    month = shanghai_month(call.now())
    with store.transaction():
        if store.counter(scope, "clear", month) >= CLEAR_QUOTA_PER_MONTH:
            raise ApiError(48006)
        store.incr(scope, "clear", month)
        store.clear_counters(f"quota:{account['appid']}")


@area.api("/cgi-bin/openapi/quota/get")
async def quota_get(call: Call) -> dict[str, Any]:
    path = str(call.json().get("cgi_path", ""))
    if not path.startswith("/"):
        raise ApiError(76003)
    limit = quota_limit(call.acct, path, DAILY_QUOTAS)
    if limit is None:
        raise ApiError(76003)
    used = call.sandbox.store.counter(f"quota:{call.appid}", path, shanghai_day(call.now()))
    return ok(quota={"daily_limit": limit, "used": used, "remain": max(0, limit - used)})


@area.api("/cgi-bin/openapi/quota/clear")
async def quota_clear_one(call: Call) -> dict[str, Any]:
    path = str(call.json().get("cgi_path", ""))
    if not path.startswith("/") or path not in DAILY_QUOTAS:
        raise ApiError(76003)
    call.sandbox.store.clear_counters(f"quota:{call.appid}", name=path)
    return ok()


@area.api("/cgi-bin/clear_quota")
async def clear_quota(call: Call) -> dict[str, Any]:
    if call.json().get("appid") != call.appid:
        raise ApiError(40013)
    _clear_all(call, call.acct)
    return ok()


@area.api("/cgi-bin/clear_quota/v2", auth=False)
async def clear_quota_v2(call: Call) -> dict[str, Any]:
    body = call.json()
    account = get_account(call.sandbox, str(body.get("appid", "")))
    if account is None:
        raise ApiError(40013)
    if not hmac.compare_digest(
        str(account["secret"]).encode(), str(body.get("appsecret", "")).encode()
    ):
        raise ApiError(40125)
    _clear_all(call, account)
    return ok()


@area.api("/cgi-bin/getcallbackip", methods=("GET",))
async def callback_ips(call: Call) -> dict[str, Any]:
    return {"ip_list": ["127.0.0.1"]}


@area.api("/cgi-bin/get_api_domain_ip", methods=("GET",))
async def api_ips(call: Call) -> dict[str, Any]:
    return {"ip_list": ["127.0.0.1"]}
