"""Analytics (reference §6.13): numbers derived from what happened in the sandbox, so that
getusersummary's new/cancel counts add up to getusercumulate's differences."""

from __future__ import annotations

import calendar
import time
from typing import Any

from shequn.sandbox.accounts import FOLLOWER
from shequn.sandbox.clock import SHANGHAI_OFFSET, shanghai_day
from shequn.sandbox.endpoints import Area, Call
from shequn.sandbox.errors import ApiError
from shequn.sandbox.officialaccount.quotas import DAILY_QUOTAS
from shequn.sandbox.officialaccount.tokens import oa_access_token

DAY = 86_400
FIRST_DAY = "2014-12-01"
MAX_SPAN = {
    "getusersummary": 7,
    "getusercumulate": 7,
    "getarticlesummary": 1,
    "getarticletotal": 1,
    "getuserread": 3,
    "getuserreadhour": 1,
    "getusershare": 7,
    "getusersharehour": 1,
    "getupstreammsg": 7,
    "getupstreammsghour": 1,
    "getupstreammsgweek": 30,
    "getupstreammsgmonth": 30,
    "getupstreammsgdist": 15,
    "getupstreammsgdistweek": 30,
    "getupstreammsgdistmonth": 30,
    "getinterfacesummary": 30,
    "getinterfacesummaryhour": 1,
}

area = Area("datacube", authenticate=oa_access_token, quotas=DAILY_QUOTAS)


def _day_start(day: str) -> float:
    return calendar.timegm(time.strptime(day, "%Y-%m-%d")) - SHANGHAI_OFFSET


def _days(call: Call, name: str) -> list[str]:
    body = call.json()
    begin, end = str(body.get("begin_date", "")), str(body.get("end_date", ""))
    try:
        b, e = _day_start(begin), _day_start(end)
    except ValueError as exc:
        raise ApiError(61500) from exc
    today = _day_start(shanghai_day(call.now()))
    span = int((e - b) // DAY) + 1
    if e < b or span > MAX_SPAN[name] or e >= today or begin < FIRST_DAY:
        raise ApiError(61501)
    return [shanghai_day(b + i * DAY) for i in range(span)]


def _events(call: Call, day: str, kind: str) -> list[dict[str, Any]]:
    start = _day_start(day)
    return call.sandbox.store.entries(kind, call.appid, between=(start, start + DAY))


def _user_summary(call: Call, days: list[str]) -> list[dict[str, Any]]:
    rows = []
    for day in days:
        events = _events(call, day, "oa_event")
        rows.append(
            {
                "ref_date": day,
                "user_source": 0,
                "new_user": sum(1 for e in events if e["event"] == "subscribe"),
                "cancel_user": sum(1 for e in events if e["event"] == "unsubscribe"),
            }
        )
    return rows


def _user_cumulate(call: Call, days: list[str]) -> list[dict[str, Any]]:
    store = call.sandbox.store
    current = store.count(FOLLOWER, call.appid, where={"subscribe": 1})
    rows = []
    for day in days:
        end = _day_start(day) + DAY
        later = store.entries("oa_event", call.appid, between=(end, float("inf")))
        delta = sum(1 for e in later if e["event"] == "subscribe") - sum(
            1 for e in later if e["event"] == "unsubscribe"
        )
        rows.append({"ref_date": day, "cumulate_user": current - delta})
    return rows


def _upstream(call: Call, days: list[str]) -> list[dict[str, Any]]:
    rows = []
    for day in days:
        by_type: dict[int, list[str]] = {}
        for e in _events(call, day, "oa_event"):
            if e["event"] == "message":
                by_type.setdefault(int(e["msg_type"]), []).append(e["openid"])
        rows += [
            {"ref_date": day, "msg_type": t, "msg_user": len(set(users)), "msg_count": len(users)}
            for t, users in sorted(by_type.items())
        ]
    return rows


def _interface(call: Call, days: list[str]) -> list[dict[str, Any]]:
    rows = []
    for day in days:
        attempts = [d for d in _events(call, day, "delivery") if d.get("attempt", 0) > 0]
        if not attempts:
            continue
        costs = [int(d.get("elapsed_ms") or 0) for d in attempts]
        rows.append(
            {
                "ref_date": day,
                "callback_count": len(attempts),
                "fail_count": sum(1 for d in attempts if not d.get("ok")),
                "total_time_cost": sum(costs),
                "max_time_cost": max(costs),
            }
        )
    return rows


def _make(name: str) -> None:
    builders = {
        "getusersummary": _user_summary,
        "getusercumulate": _user_cumulate,
        "getupstreammsg": _upstream,
        "getinterfacesummary": _interface,
    }

    async def handler(call: Call) -> dict[str, Any]:
        days = _days(call, name)
        builder = builders.get(name)
        return {"list": builder(call, days) if builder else []}

    handler.__name__ = name
    area.api(f"/datacube/{name}")(handler)


for _name in MAX_SPAN:
    _make(_name)
