"""User tags (reference §6.2): ≤100 tags per account, ≤20 tags per user, ≤50 openids per batch;
ids 0/1/2 are reserved by the system."""

from __future__ import annotations

from typing import Any

from shequn.sandbox.accounts import FOLLOWER, save_customer
from shequn.sandbox.endpoints import Area, Call, Needs, ok
from shequn.sandbox.errors import ApiError
from shequn.sandbox.officialaccount.followers import follower, followers, known_customer
from shequn.sandbox.officialaccount.quotas import DAILY_QUOTAS
from shequn.sandbox.officialaccount.tokens import oa_access_token
from shequn.sandbox.state import Doc

TAG = "tag"
MAX_TAGS = 100
MAX_TAGS_PER_USER = 20
MAX_BATCH = 50
MAX_NAME = 30
MAX_FANS_TO_DELETE = 100_000
RESERVED = {0: "未分组", 1: "黑名单", 2: "星标组"}
FIRST_ID = 100
PAGE = 10_000

area = Area("tags", authenticate=oa_access_token, quotas=DAILY_QUOTAS)


def _fan_counts(call: Call) -> dict[int, int]:
    counts: dict[int, int] = {}
    for customer in followers(call.sandbox, call.appid):
        for tagid in customer.get("tagid_list", []):
            counts[tagid] = counts.get(tagid, 0) + 1
    return counts


def _check_name(call: Call, name: Any, *, exclude: int | None = None) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ApiError(45157)
    if len(name) > MAX_NAME:
        raise ApiError(45158)
    taken = {t["name"]: t["id"] for t in call.sandbox.store.list(TAG, call.appid)}
    if name in RESERVED.values() or (name in taken and taken[name] != exclude):
        raise ApiError(45157)
    return name


def get_tag(call: Call, tagid: Any) -> Doc:
    if not isinstance(tagid, int) or isinstance(tagid, bool):
        try:
            tagid = int(tagid)
        except (TypeError, ValueError) as exc:
            raise ApiError(45159) from exc
    tag = call.sandbox.store.get(TAG, call.appid, str(tagid))
    if tag is None:
        raise ApiError(45159)
    return tag


@area.api("/cgi-bin/tags/create", needs=Needs.VERIFIED)
async def create(call: Call) -> dict[str, Any]:
    name = _check_name(call, (call.json().get("tag") or {}).get("name"))
    store = call.sandbox.store
    with store.transaction():
        if store.count(TAG, call.appid) >= MAX_TAGS:
            raise ApiError(45056)
        tagid = store.sequence(f"tag:{call.appid}", FIRST_ID)
        store.put(TAG, call.appid, str(tagid), {"id": tagid, "name": name})
    return {"tag": {"id": tagid, "name": name}}


@area.api("/cgi-bin/tags/get", methods=("GET",), needs=Needs.VERIFIED)
async def list_tags(call: Call) -> dict[str, Any]:
    counts = _fan_counts(call)
    tags = [{"id": 2, "name": RESERVED[2], "count": counts.get(2, 0)}]
    tags += [
        {"id": t["id"], "name": t["name"], "count": counts.get(t["id"], 0)}
        for t in call.sandbox.store.list(TAG, call.appid)
    ]
    return {"tags": tags}


@area.api("/cgi-bin/tags/update", needs=Needs.VERIFIED)
async def update(call: Call) -> dict[str, Any]:
    spec = call.json().get("tag") or {}
    if spec.get("id") in RESERVED:
        raise ApiError(45058)
    tag = get_tag(call, spec.get("id"))
    tag["name"] = _check_name(call, spec.get("name"), exclude=tag["id"])
    call.sandbox.store.put(TAG, call.appid, str(tag["id"]), tag)
    return ok()


@area.api("/cgi-bin/tags/delete", needs=Needs.VERIFIED)
async def delete(call: Call) -> dict[str, Any]:
    spec = call.json().get("tag") or {}
    if spec.get("id") in RESERVED:
        raise ApiError(45058)
    tag = get_tag(call, spec.get("id"))
    if _fan_counts(call).get(tag["id"], 0) > MAX_FANS_TO_DELETE:
        raise ApiError(45057)
    store = call.sandbox.store
    with store.transaction():
        for customer in store.list(FOLLOWER, call.appid):
            if tag["id"] in customer.get("tagid_list", []):
                customer["tagid_list"].remove(tag["id"])
                save_customer(call.sandbox, call.appid, customer)
        store.delete(TAG, call.appid, str(tag["id"]))
    return ok()


@area.api("/cgi-bin/user/tag/get", needs=Needs.VERIFIED)
async def tag_fans(call: Call) -> dict[str, Any]:
    body = call.json()
    tag = get_tag(call, body.get("tagid"))
    fans = [
        c["openid"]
        for c in followers(call.sandbox, call.appid)
        if tag["id"] in c.get("tagid_list", [])
    ]
    start = body.get("next_openid") or ""
    if start:
        fans = fans[fans.index(start) + 1 :] if start in fans else []
    page = fans[:PAGE]
    return {"count": len(page), "data": {"openid": page}, "next_openid": page[-1] if page else ""}


def _batch(call: Call) -> tuple[Doc, list[Doc]]:
    body = call.json()
    openids = body.get("openid_list")
    if not isinstance(openids, list) or not 1 <= len(openids) <= MAX_BATCH:
        raise ApiError(40032)
    if body.get("tagid") in RESERVED:
        raise ApiError(45159)
    tag = get_tag(call, body.get("tagid"))
    return tag, [follower(call.sandbox, call.appid, o, not_following=40003) for o in openids]


@area.api("/cgi-bin/tags/members/batchtagging", needs=Needs.VERIFIED)
async def batch_tag(call: Call) -> dict[str, Any]:
    tag, customers = _batch(call)
    for customer in customers:
        tags = customer.setdefault("tagid_list", [])
        if tag["id"] not in tags and len(tags) >= MAX_TAGS_PER_USER:
            raise ApiError(45059)
    with call.sandbox.store.transaction():
        for customer in customers:
            if tag["id"] not in customer["tagid_list"]:
                customer["tagid_list"].append(tag["id"])
                save_customer(call.sandbox, call.appid, customer)
    return ok()


@area.api("/cgi-bin/tags/members/batchuntagging", needs=Needs.VERIFIED)
async def batch_untag(call: Call) -> dict[str, Any]:
    tag, customers = _batch(call)
    with call.sandbox.store.transaction():
        for customer in customers:
            if tag["id"] in customer.get("tagid_list", []):
                customer["tagid_list"].remove(tag["id"])
                save_customer(call.sandbox, call.appid, customer)
    return ok()


@area.api("/cgi-bin/tags/getidlist", needs=Needs.VERIFIED)
async def tag_ids(call: Call) -> dict[str, Any]:
    customer = known_customer(call.sandbox, call.appid, call.json().get("openid"))
    return {"tagid_list": list(customer.get("tagid_list", []))}
