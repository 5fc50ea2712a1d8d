"""User info, follower list, remarks and the blacklist (reference §6.3)."""

from __future__ import annotations

from typing import Any

from shequn.sandbox.accounts import FOLLOWER, save_customer
from shequn.sandbox.endpoints import Area, Call, Needs, ok
from shequn.sandbox.errors import ApiError
from shequn.sandbox.officialaccount.followers import known_customer
from shequn.sandbox.officialaccount.quotas import DAILY_QUOTAS
from shequn.sandbox.officialaccount.tokens import oa_access_token
from shequn.sandbox.state import Doc

PAGE = 10_000
MAX_BATCHGET = 100
MAX_BLACKLIST_BATCH = 20
MAX_REMARK_BYTES = 30

area = Area("users", authenticate=oa_access_token, quotas=DAILY_QUOTAS)


def user_info(customer: Doc) -> dict[str, Any]:
    """user/info as of 2022: no nickname/avatar/sex/region (reference §6.3)."""
    if customer["subscribe"] != 1:
        return {"subscribe": 0, "openid": customer["openid"]}
    info: dict[str, Any] = {
        "subscribe": 1,
        "openid": customer["openid"],
        "nickname": "",
        "sex": 0,
        "language": "",
        "city": "",
        "province": "",
        "country": "",
        "headimgurl": "",
        "subscribe_time": customer["subscribe_time"],
        "remark": customer.get("remark", ""),
        "groupid": 0,
        "tagid_list": list(customer.get("tagid_list", [])),
        "subscribe_scene": customer.get("subscribe_scene", ""),
        "qr_scene": customer.get("qr_scene", 0),
        "qr_scene_str": customer.get("qr_scene_str", ""),
    }
    if customer.get("unionid"):
        info["unionid"] = customer["unionid"]
    return info


@area.api("/cgi-bin/user/info", methods=("GET",), needs=Needs.VERIFIED)
async def info(call: Call) -> dict[str, Any]:
    openid = call.query.get("openid")
    if not openid:
        raise ApiError(41009)
    return user_info(known_customer(call.sandbox, call.appid, openid))


@area.api("/cgi-bin/user/info/batchget", needs=Needs.VERIFIED)
async def batchget(call: Call) -> dict[str, Any]:
    users = call.json().get("user_list")
    if not isinstance(users, list) or not 1 <= len(users) <= MAX_BATCHGET:
        raise ApiError(40032)
    found = [known_customer(call.sandbox, call.appid, (u or {}).get("openid")) for u in users]
    return {"user_info_list": [user_info(c) for c in found]}


@area.api("/cgi-bin/user/get", methods=("GET",), needs=Needs.VERIFIED)
async def follower_list(call: Call) -> dict[str, Any]:
    store = call.sandbox.store
    where = {"subscribe": 1}
    start = call.query.get("next_openid") or None
    if start is not None and store.get(FOLLOWER, call.appid, start) is None:
        raise ApiError(40003)
    page = store.list(FOLLOWER, call.appid, where=where, after_key=start, limit=PAGE)
    openids = [c["openid"] for c in page]
    answer: dict[str, Any] = {
        "total": store.count(FOLLOWER, call.appid, where=where),
        "count": len(openids),
        "next_openid": openids[-1] if openids else "",
    }
    if openids:
        answer["data"] = {"openid": openids}
    return answer


@area.api("/cgi-bin/user/info/updateremark", needs=Needs.VERIFIED_SERVICE)
async def update_remark(call: Call) -> dict[str, Any]:
    body = call.json()
    customer = known_customer(call.sandbox, call.appid, body.get("openid"))
    remark = body.get("remark")
    if not isinstance(remark, str) or len(remark.encode("utf-8")) >= MAX_REMARK_BYTES:
        raise ApiError(40092, "invalid remark name")
    customer["remark"] = remark
    save_customer(call.sandbox, call.appid, customer)
    return ok()


@area.api("/cgi-bin/tags/members/getblacklist", needs=Needs.VERIFIED)
async def blacklist(call: Call) -> dict[str, Any]:
    store = call.sandbox.store
    start = call.json().get("begin_openid") or None
    where = {"blacklisted": True}
    page = store.list(FOLLOWER, call.appid, where=where, after_key=start, limit=PAGE)
    openids = [c["openid"] for c in page]
    return {
        "total": store.count(FOLLOWER, call.appid, where=where),
        "count": len(openids),
        "data": {"openid": openids},
        "next_openid": openids[-1] if openids else "",
    }


def _set_blacklisted(call: Call, value: bool) -> dict[str, Any]:
    openids = call.json().get("openid_list")
    if not isinstance(openids, list) or not 1 <= len(openids) <= MAX_BLACKLIST_BATCH:
        raise ApiError(40032)
    customers = [known_customer(call.sandbox, call.appid, o) for o in openids]
    with call.sandbox.store.transaction():
        for customer in customers:
            customer["blacklisted"] = value
            save_customer(call.sandbox, call.appid, customer)
    return ok()


@area.api("/cgi-bin/tags/members/batchblacklist", needs=Needs.VERIFIED)
async def batch_blacklist(call: Call) -> dict[str, Any]:
    return _set_blacklisted(call, True)


@area.api("/cgi-bin/tags/members/batchunblacklist", needs=Needs.VERIFIED)
async def batch_unblacklist(call: Call) -> dict[str, Any]:
    return _set_blacklisted(call, False)
