"""Mass messages (reference §6.8).

Budgets: a subscription account may mass-send once a day (45028 afterwards); on a service account
each follower receives at most 4 mass messages a calendar month, followers over budget are
filtered out (45028 when nobody is left). 60 requests a minute (45011). clientmsgid: ≤64 bytes
(45067), a retry within 1 minute → 45066, a repeat within 24 hours → 45065 with the first msg_id.
MASSSENDJOBFINISH follows after the account's `callback_delays["mass"]` seconds.
"""

from __future__ import annotations

import time
from typing import Any

from shequn.sandbox.accounts import FOLLOWER, get_account
from shequn.sandbox.clock import shanghai_day, shanghai_month
from shequn.sandbox.endpoints import Area, Call, Needs, ok
from shequn.sandbox.errors import ApiError
from shequn.sandbox.officialaccount import received
from shequn.sandbox.officialaccount.drafts import DRAFT, draft_or_40007
from shequn.sandbox.officialaccount.followers import follower, followers
from shequn.sandbox.officialaccount.media import find_media
from shequn.sandbox.officialaccount.quotas import DAILY_QUOTAS, MASS_PER_MINUTE
from shequn.sandbox.officialaccount.tags import get_tag
from shequn.sandbox.officialaccount.tokens import oa_access_token
from shequn.sandbox.state import Doc

MASS = "mass"
MSGTYPES = ("mpnews", "text", "voice", "images", "mpvideo", "wxcard", "music", "image")
SERVICE_PER_USER_MONTH = 4
SUBSCRIPTION_PER_DAY = 1
MIN_OPENIDS, MAX_OPENIDS = 2, 10_000
CLIENTMSGID_BYTES = 64
CLIENTMSGID_RETRY, CLIENTMSGID_WINDOW = 60, 24 * 3600

area = Area("mass", authenticate=oa_access_token, quotas=DAILY_QUOTAS)


def _minute_limit(call: Call) -> None:
    minute = time.strftime("%Y-%m-%d %H:%M", time.gmtime(call.now()))
    scope = f"mass_minute:{call.appid}"
    with call.sandbox.store.transaction():
        if call.sandbox.store.counter(scope, "mass", minute) >= MASS_PER_MINUTE:
            raise ApiError(45011)
        call.sandbox.store.incr(scope, "mass", minute)


def _message(call: Call, body: dict[str, Any]) -> dict[str, Any]:
    msgtype = body.get("msgtype")
    if msgtype not in MSGTYPES:
        raise ApiError(40008)
    payload = body.get(msgtype)
    if not isinstance(payload, dict):
        raise ApiError(47001)
    if msgtype == "text" and not str(payload.get("content", "")).strip():
        raise ApiError(44004)
    if msgtype == "mpnews":
        draft = draft_or_40007(call, payload.get("media_id"))
        return {
            "msgtype": "mpnews",
            "media_id": draft["media_id"],
            "articles": [
                {"title": a["title"], "digest": a.get("digest", "")} for a in draft["articles"]
            ],
        }
    if msgtype in ("voice", "mpvideo", "image"):
        find_media(call.sandbox, call.appid, str(payload.get("media_id", "")))
    if msgtype == "images":
        media_ids = payload.get("media_ids")
        if not isinstance(media_ids, list) or not media_ids:
            raise ApiError(41006)
        for media_id in media_ids:
            find_media(call.sandbox, call.appid, str(media_id))
    return {"msgtype": msgtype, **payload}


def _clientmsgid(call: Call, body: dict[str, Any]) -> str | None:
    cid = body.get("clientmsgid")
    if cid is None:
        return None
    cid = str(cid)
    if len(cid.encode("utf-8")) > CLIENTMSGID_BYTES:
        raise ApiError(45067)
    seen = call.sandbox.store.get("mass_clientmsgid", call.appid, cid)
    if seen is not None:
        age = call.now() - seen["at"]
        if age < CLIENTMSGID_RETRY:
            raise ApiError(45066)
        if age < CLIENTMSGID_WINDOW:
            raise ApiError(45065, msg_id=seen["msg_id"])
    return cid


def _deliver(
    call: Call, body: dict[str, Any], targets: list[Doc], *, to_all: bool
) -> dict[str, Any]:
    """Budget checks, recording what each customer receives, the job and its callback."""
    account = call.acct
    store = call.sandbox.store
    now = call.now()
    message = _message(call, body)
    cid = _clientmsgid(call, body)
    service = account["kind"] == "service"
    month = shanghai_month(now)
    if not service:
        day = shanghai_day(now)
        if store.counter(f"mass_budget:{call.appid}", "daily", day) >= SUBSCRIPTION_PER_DAY:
            raise ApiError(45028)
    eligible = [
        c
        for c in targets
        if not c.get("blacklisted")
        and c.get("accepts_messages", True)
        and not (
            service
            and store.counter(f"mass_user:{call.appid}", c["openid"], month)
            >= SERVICE_PER_USER_MONTH
        )
    ]
    if targets and not eligible:
        raise ApiError(45028)
    if not service:
        store.incr(f"mass_budget:{call.appid}", "daily", shanghai_day(now))
    msg_id = store.sequence("mass_msg_id", 1_000_000_001)
    with store.transaction():
        for customer in eligible:
            store.incr(f"mass_user:{call.appid}", customer["openid"], month)
            received.record(
                call.sandbox, call.appid, customer["openid"], "mass", {**message, "msg_id": msg_id}
            )
    delay = float((account.get("callback_delays") or {}).get("mass", 2.0))
    answer: dict[str, Any] = ok(msg_id=msg_id)
    answer["errmsg"] = "send job submission success"
    if message["msgtype"] == "mpnews":
        answer["msg_data_id"] = store.sequence("msg_data_id", 2_247_483_647)
        if to_all:
            store.delete(DRAFT, call.appid, message["media_id"])
    store.put(
        MASS,
        call.appid,
        str(msg_id),
        {
            "msg_id": msg_id,
            "msgtype": message["msgtype"],
            "finish_at": now + delay,
            "total": len(targets),
            "filtered": len(eligible),
            "deleted": False,
        },
    )
    if cid is not None:
        store.put("mass_clientmsgid", call.appid, cid, {"msg_id": msg_id, "at": now})
    _push_finish(call, account, msg_id, len(targets), len(eligible), delay, message)
    return answer


def _push_finish(
    call: Call,
    account: Doc,
    msg_id: int,
    total: int,
    filtered: int,
    delay: float,
    message: dict[str, Any],
) -> None:
    from shequn.sandbox.officialaccount.push import enqueue_packet

    packet: dict[str, Any] = {
        "ToUserName": account["original_id"],
        "FromUserName": account["original_id"],
        "CreateTime": int(call.now() + delay),
        "MsgType": "event",
        "Event": "MASSSENDJOBFINISH",
        "MsgID": msg_id,
        "Status": "send success",
        "TotalCount": total,
        "FilterCount": filtered,
        "SentCount": filtered,
        "ErrorCount": 0,
        "CopyrightCheckResult": {"Count": 0, "ResultList": [], "CheckState": 1},
    }
    if message["msgtype"] == "mpnews":
        packet["ArticleUrlResult"] = {
            "Count": len(message["articles"]),
            "ResultList": [
                {"ArticleIdx": i, "ArticleUrl": f"http://mp.weixin.qq.com/s/mass-{msg_id}-{i}"}
                for i in range(1, len(message["articles"]) + 1)
            ],
        }
    enqueue_packet(
        call.sandbox,
        call.appid,
        packet,
        replyable=False,
        delay=delay,
        summary=f"MASSSENDJOBFINISH {msg_id}",
    )


@area.api("/cgi-bin/message/mass/sendall", needs=Needs.VERIFIED)
async def sendall(call: Call) -> dict[str, Any]:
    _minute_limit(call)
    body = call.json()
    spec = body.get("filter") or {}
    to_all = bool(spec.get("is_to_all", False))
    everyone = followers(call.sandbox, call.appid)
    if to_all:
        targets = everyone
    else:
        tag = get_tag(call, spec.get("tag_id"))
        targets = [c for c in everyone if tag["id"] in c.get("tagid_list", [])]
    return _deliver(call, body, targets, to_all=to_all)


@area.api("/cgi-bin/message/mass/send", needs=Needs.VERIFIED_SERVICE)
async def send_to_openids(call: Call) -> dict[str, Any]:
    _minute_limit(call)
    body = call.json()
    touser = body.get("touser")
    if not isinstance(touser, list) or not MIN_OPENIDS <= len(touser) <= MAX_OPENIDS:
        raise ApiError(40032)
    targets = [follower(call.sandbox, call.appid, o, not_following=40003) for o in touser]
    return _deliver(call, body, targets, to_all=False)


@area.api("/cgi-bin/message/mass/preview", needs=Needs.VERIFIED)
async def preview(call: Call) -> dict[str, Any]:
    body = call.json()
    openid = body.get("touser")
    if body.get("towxname"):
        matches = call.sandbox.store.list(FOLLOWER, call.appid, where={"wxname": body["towxname"]})
        if not matches:
            raise ApiError(40132, "invalid username")
        openid = matches[0]["openid"]
    customer = follower(call.sandbox, call.appid, openid)
    message = _message(call, body)
    msg_id = call.sandbox.store.sequence("mass_msg_id", 1_000_000_001)
    received.record(call.sandbox, call.appid, customer["openid"], "preview", message)
    return ok(msg_id=msg_id)


def _job(call: Call) -> Doc:
    job = call.sandbox.store.get(MASS, call.appid, str(call.json().get("msg_id", "")))
    if job is None:
        raise ApiError(40035, "invalid args: msg_id")
    return job


@area.api("/cgi-bin/message/mass/get", needs=Needs.VERIFIED)
async def status(call: Call) -> dict[str, Any]:
    job = _job(call)
    if job["deleted"]:
        state = "DELETE"
    else:
        state = "SEND_SUCCESS" if call.now() >= job["finish_at"] else "SENDING"
    return {"msg_id": job["msg_id"], "msg_status": state}


@area.api("/cgi-bin/message/mass/delete", needs=Needs.VERIFIED)
async def delete(call: Call) -> dict[str, Any]:
    job = _job(call)
    if job["msgtype"] not in ("mpnews", "mpvideo") or call.now() < job["finish_at"]:
        raise ApiError(40035, "invalid args: only finished mpnews/video sends can be deleted")
    job["deleted"] = True
    call.sandbox.store.put(MASS, call.appid, str(job["msg_id"]), job)
    return ok()


@area.api("/cgi-bin/message/mass/speed/get", needs=Needs.VERIFIED)
async def speed_get(call: Call) -> dict[str, Any]:
    speed = (get_account(call.sandbox, call.appid) or {}).get("mass_speed", 0)
    return {"speed": speed, "realspeed": (800, 600, 450, 300, 100)[speed]}


@area.api("/cgi-bin/message/mass/speed/set", needs=Needs.VERIFIED)
async def speed_set(call: Call) -> dict[str, Any]:
    body = call.json()
    if "speed" not in body:
        raise ApiError(45084)
    speed = body["speed"]
    if not isinstance(speed, int) or not 0 <= speed <= 4:
        raise ApiError(45083)
    account = call.acct
    account["mass_speed"] = speed
    call.sandbox.store.put("account", "", call.appid, account)
    return ok()
