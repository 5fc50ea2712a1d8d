"""Customer-service messages and typing (reference §6.11).

A customer's message opens a window of 5 messages within 48 hours; a follow, QR scan or menu
click opens 3 messages within 1 minute. Outside every window → 45015; window used up → 45047.
"""

from __future__ import annotations

from typing import Any

from shequn.sandbox.accounts import save_customer
from shequn.sandbox.endpoints import Area, Call, Needs, ok
from shequn.sandbox.errors import ApiError
from shequn.sandbox.officialaccount import received
from shequn.sandbox.officialaccount.followers import known_customer
from shequn.sandbox.officialaccount.media import find_media
from shequn.sandbox.officialaccount.quotas import DAILY_QUOTAS
from shequn.sandbox.officialaccount.tokens import oa_access_token
from shequn.sandbox.state import Doc

MSGTYPES = (
    "text",
    "image",
    "voice",
    "video",
    "music",
    "news",
    "mpnews",
    "mpnewsarticle",
    "msgmenu",
    "wxcard",
    "miniprogrampage",
)
TYPING_NEEDS_INTERACTION_WITHIN = 30
TYPING_LASTS = 15

area = Area("custom", authenticate=oa_access_token, quotas=DAILY_QUOTAS)


def _validate(call: Call, body: dict[str, Any]) -> dict[str, Any]:
    msgtype = body.get("msgtype")
    if msgtype not in MSGTYPES:
        raise ApiError(40008)
    payload = body.get(msgtype)
    if not isinstance(payload, dict):
        raise ApiError(47001)
    if msgtype == "text" and not str(payload.get("content", "")).strip():
        raise ApiError(44004)
    if msgtype in ("image", "voice", "video"):
        if not payload.get("media_id"):
            raise ApiError(41006)
        find_media(call.sandbox, call.appid, str(payload["media_id"]))
    if msgtype == "news":
        articles = payload.get("articles")
        if not isinstance(articles, list) or not articles:
            raise ApiError(44003)
        if len(articles) > 1:
            raise ApiError(45008)
    if msgtype == "mpnews" and not payload.get("media_id"):
        raise ApiError(41006)
    return {"msgtype": msgtype, **payload}


def take_window(customer: Doc, now: float) -> None:
    """Consume one message from the window that closes first; 45015 / 45047 otherwise."""
    live = [w for w in customer.get("cs_windows", {}).values() if w["until"] > now]
    if not live:
        raise ApiError(45015)
    usable = sorted((w for w in live if w["remaining"] > 0), key=lambda w: w["until"])
    if not usable:
        raise ApiError(45047)
    usable[0]["remaining"] -= 1


@area.api("/cgi-bin/message/custom/send", needs=Needs.VERIFIED)
async def send(call: Call) -> dict[str, Any]:
    body = call.json()
    customer = known_customer(call.sandbox, call.appid, body.get("touser"))
    message = _validate(call, body)
    if customer["subscribe"] != 1:
        raise ApiError(45015)
    if customer.get("blacklisted"):
        raise ApiError(43019)
    if not customer.get("accepts_messages", True):
        raise ApiError(48002)
    take_window(customer, call.now())
    customer.pop("typing_until", None)  # sending a message cancels "typing"
    save_customer(call.sandbox, call.appid, customer)
    if body.get("customservice"):
        message["kf_account"] = (body["customservice"] or {}).get("kf_account")
    received.record(call.sandbox, call.appid, customer["openid"], "custom", message)
    return ok()


@area.api("/cgi-bin/message/custom/typing", needs=Needs.VERIFIED)
async def typing(call: Call) -> dict[str, Any]:
    body = call.json()
    customer = known_customer(call.sandbox, call.appid, body.get("touser"))
    command = body.get("command")
    if command not in ("Typing", "CancelTyping"):
        raise ApiError(45072, "command invalid")
    now = call.now()
    if now - float(customer.get("last_interaction_at", 0)) > TYPING_NEEDS_INTERACTION_WITHIN:
        raise ApiError(45080, "no interaction in 30 seconds")
    if command == "Typing":
        if float(customer.get("typing_until", 0)) > now:
            raise ApiError(45081, "already typing")
        customer["typing_until"] = now + TYPING_LASTS
    else:
        customer.pop("typing_until", None)
    save_customer(call.sandbox, call.appid, customer)
    return ok()
