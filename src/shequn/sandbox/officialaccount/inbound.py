"""A customer acting on an official account: follow (optionally by scanning a QR code),
unfollow, send text/image/voice/video/location/link, click a menu, open a menu link.

`push_user_message` updates the sandbox state the way WeChat would (follower status, subscribe
scene, the customer-service window) and queues the XML packet for the account's server.
"""

from __future__ import annotations

from typing import Any

from shequn.sandbox import ids
from shequn.sandbox.accounts import create_customer, get_account, get_customer, save_customer
from shequn.sandbox.context import Sandbox
from shequn.sandbox.officialaccount.push import enqueue_packet
from shequn.sandbox.state import Doc

QRCODE = "qrcode"
MESSAGE_WINDOW = (48 * 3600, 5)  # after a user message: 5 CS messages within 48 h
EVENT_WINDOW = (60, 3)  # after a follow, scan or click: 3 CS messages within 1 minute

MESSAGE_KINDS = ("text", "image", "voice", "video", "shortvideo", "location", "link")
EVENT_KINDS = ("follow", "unfollow", "scan", "click", "view", "location_report")
KINDS = MESSAGE_KINDS + EVENT_KINDS
_UPSTREAM_TYPES = {"text": 1, "image": 2, "voice": 3, "video": 4, "shortvideo": 4}


class CustomerActionError(ValueError):
    """The action is impossible in WeChat (e.g. a non-follower sending a message)."""


def open_window(customer: Doc, name: str, now: float, window: tuple[int, int]) -> None:
    customer.setdefault("cs_windows", {})[name] = {"until": now + window[0], "remaining": window[1]}


def _resolve_qr(
    sandbox: Sandbox, appid: str, ticket: str | None, scene: Any, now: float
) -> Doc | None:
    if ticket:
        qr = sandbox.store.get(QRCODE, appid, ticket)
        if qr is None or (qr.get("expire_at") and qr["expire_at"] <= now):
            raise CustomerActionError("QR code ticket unknown or expired")
        return qr
    if scene is None:
        return None
    key = "scene_str" if isinstance(scene, str) and not scene.isdigit() else "scene_id"
    value: Any = scene if key == "scene_str" else int(scene)
    for qr in sandbox.store.list(QRCODE, appid, where={key: value}, newest_first=True):
        if not qr.get("expire_at") or qr["expire_at"] > now:
            return qr
    raise CustomerActionError(f"no live QR code with {key}={scene}")


def push_user_message(
    sandbox: Sandbox,
    account: str,
    openid: str,
    kind: str,
    *,
    content: str | None = None,
    ticket: str | None = None,
    scene: Any = None,
    event_key: str | None = None,
    url: str | None = None,
    media_id: str | None = None,
    location: dict[str, Any] | None = None,
    link: dict[str, str] | None = None,
    create_customer_if_missing: bool = True,
) -> int:
    """Act as customer `openid` of account `account` (appid); returns the outbox item id."""
    if kind not in KINDS:
        raise CustomerActionError(f"kind must be one of {KINDS}")
    acct = get_account(sandbox, account)
    if acct is None:
        raise CustomerActionError(f"no account {account}")
    now = sandbox.now()
    customer = get_customer(sandbox, account, openid)
    if customer is None:
        if not create_customer_if_missing or kind not in ("follow", "scan"):
            raise CustomerActionError(f"no customer {openid}")
        customer = create_customer(sandbox, account, openid=openid, subscribe=False)
    following = customer["subscribe"] == 1
    if kind not in ("follow", "scan") and not following:
        raise CustomerActionError("only followers can message or use the menu")
    packet: dict[str, Any] = {
        "ToUserName": acct["original_id"],
        "FromUserName": openid,
        "CreateTime": int(now),
    }
    store = sandbox.store
    if kind in ("follow", "scan"):
        qr = _resolve_qr(sandbox, account, ticket, scene, now)
        if kind == "scan" and qr is None:
            raise CustomerActionError("scan needs a QR ticket or scene")
        scene_value = None if qr is None else (qr.get("scene_str") or qr.get("scene_id"))
        if following and kind == "scan":
            packet.update(
                MsgType="event",
                Event="SCAN",
                EventKey=str(scene_value),
                Ticket=qr["ticket"] if qr else "",
            )
        elif following:
            raise CustomerActionError("already following")
        else:
            packet.update(MsgType="event", Event="subscribe")
            if qr is not None:
                packet.update(EventKey=f"qrscene_{scene_value}", Ticket=qr["ticket"])
            customer.update(
                subscribe=1,
                subscribe_time=int(now),
                subscribe_scene="ADD_SCENE_QR_CODE" if qr else "ADD_SCENE_SEARCH",
                qr_scene=int(qr.get("scene_id") or 0) if qr else 0,
                qr_scene_str=str(qr.get("scene_str") or "") if qr else "",
            )
            store.append(
                "oa_event",
                account,
                now,
                {"openid": openid, "event": "subscribe", "source": 1 if qr is None else 30},
            )
        open_window(customer, "event", now, EVENT_WINDOW)
    elif kind == "unfollow":
        packet.update(MsgType="event", Event="unsubscribe")
        customer.update(subscribe=0, cs_windows={})
        store.append("oa_event", account, now, {"openid": openid, "event": "unsubscribe"})
    elif kind == "click":
        packet.update(MsgType="event", Event="CLICK", EventKey=event_key or "")
        open_window(customer, "event", now, EVENT_WINDOW)
    elif kind == "view":
        packet.update(MsgType="event", Event="VIEW", EventKey=url or "", MenuId="")
    elif kind == "location_report":
        loc = location or {}
        packet.update(
            MsgType="event",
            Event="LOCATION",
            Latitude=loc.get("latitude", 31.2304),
            Longitude=loc.get("longitude", 121.4737),
            Precision=loc.get("precision", 30),
        )
    else:
        packet["MsgType"] = kind
        if kind == "text":
            packet["Content"] = content or ""
        elif kind in ("image", "voice", "video", "shortvideo"):
            mid = media_id or _inbound_media(sandbox, account, kind, now)
            if kind == "image":
                packet["PicUrl"] = f"{sandbox.public_url}/sandbox/media/{mid}"
            packet["MediaId"] = mid
            if kind == "voice":
                packet.update(Format="amr", Recognition=content or "")
            if kind in ("video", "shortvideo"):
                packet["ThumbMediaId"] = _inbound_media(sandbox, account, "thumb", now)
        elif kind == "location":
            loc = location or {}
            packet.update(
                Location_X=loc.get("x", 31.2304),
                Location_Y=loc.get("y", 121.4737),
                Scale=loc.get("scale", 15),
                Label=loc.get("label", ""),
            )
        elif kind == "link":
            lk = link or {}
            packet.update(
                Title=lk.get("title", ""),
                Description=lk.get("description", ""),
                Url=lk.get("url", url or ""),
            )
        packet["MsgId"] = store.sequence("inbound_msgid", 24_000_000_000_000_000)
        open_window(customer, "message", now, MESSAGE_WINDOW)
        store.append(
            "oa_event",
            account,
            now,
            {"openid": openid, "event": "message", "msg_type": _UPSTREAM_TYPES.get(kind, 6)},
        )
    customer["last_interaction_at"] = now
    save_customer(sandbox, account, customer)
    replyable = kind not in ("unfollow", "view", "location_report")
    return enqueue_packet(
        sandbox, account, packet, replyable=replyable, summary=f"{kind} from {openid}"
    )


def _inbound_media(sandbox: Sandbox, appid: str, kind: str, now: float) -> str:
    """Media a customer sent: kept as temporary media the account can fetch with media/get."""
    from shequn.sandbox.officialaccount.media import PLACEHOLDER_PNG, store_media

    mid = ids.media_id()
    store_media(
        sandbox,
        appid,
        mid,
        kind=kind,
        content=PLACEHOLDER_PNG,
        filename=f"{kind}.png",
        content_type="image/png",
        now=now,
        permanent=False,
    )
    return mid
