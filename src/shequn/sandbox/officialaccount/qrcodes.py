"""Parametric QR codes and showqrcode (reference §6.4).

Temporary codes live up to 30 days (larger expire_seconds are capped, as WeChat does), scene_id
is a non-zero 32-bit integer; permanent codes are limited to 100,000 per account with scene_id
1..100,000; scene_str is 1..64 characters. A missing `scene` wrapper silently means scene 0.
"""

from __future__ import annotations

import io
from typing import Any

import segno
from starlette.requests import Request
from starlette.responses import Response

from shequn.sandbox import ids
from shequn.sandbox.endpoints import Area, Call, Needs
from shequn.sandbox.errors import ApiError
from shequn.sandbox.officialaccount.inbound import QRCODE
from shequn.sandbox.officialaccount.quotas import DAILY_QUOTAS
from shequn.sandbox.officialaccount.tokens import oa_access_token

MAX_EXPIRE = 2_592_000
DEFAULT_EXPIRE = 30
MAX_PERMANENT = 100_000
MAX_SCENE_STR = 64
ACTIONS = ("QR_SCENE", "QR_STR_SCENE", "QR_LIMIT_SCENE", "QR_LIMIT_STR_SCENE")

area = Area("qrcodes", authenticate=oa_access_token, quotas=DAILY_QUOTAS)


@area.api("/cgi-bin/qrcode/create", needs=Needs.VERIFIED)
async def create(call: Call) -> dict[str, Any]:
    body = call.json()
    action = body.get("action_name")
    if action not in ACTIONS:
        raise ApiError(40052, "invalid action name")
    permanent = action.startswith("QR_LIMIT")
    by_string = action.endswith("STR_SCENE")
    scene = (body.get("action_info") or {}).get("scene") or {}
    store = call.sandbox.store
    doc: dict[str, Any] = {"permanent": permanent}
    if by_string:
        scene_str = scene.get("scene_str")
        if not isinstance(scene_str, str) or not 1 <= len(scene_str) <= MAX_SCENE_STR:
            raise ApiError(40053, "invalid action info")
        doc["scene_str"] = scene_str
    else:
        try:
            scene_id = int(scene.get("scene_id", 0))
        except (TypeError, ValueError) as exc:
            raise ApiError(40053, "invalid action info") from exc
        low, high = (1, MAX_PERMANENT) if permanent else (-(2**31), 2**32 - 1)
        if scene and not (low <= scene_id <= high and scene_id != 0):
            raise ApiError(40053, "invalid action info")
        doc["scene_id"] = scene_id
    now = call.now()
    if permanent:
        key = "scene_str" if by_string else "scene_id"
        existing = store.list(QRCODE, call.appid, where={"permanent": True, key: doc[key]})
        if existing:
            # The same permanent scene always yields the same code.
            qr = existing[0]
            return {"ticket": qr["ticket"], "url": qr["url"]}
        if store.count(QRCODE, call.appid, where={"permanent": True}) >= MAX_PERMANENT:
            raise ApiError(45009, "permanent qrcode count reach limit")
        doc["expire_at"] = None
    else:
        expire = body.get("expire_seconds", DEFAULT_EXPIRE)
        try:
            expire = min(int(expire), MAX_EXPIRE)
        except (TypeError, ValueError) as exc:
            raise ApiError(40035, "invalid args: expire_seconds") from exc
        if expire <= 0:
            expire = DEFAULT_EXPIRE
        doc["expire_seconds"] = expire
        doc["expire_at"] = now + expire
    ticket = ids.qr_ticket()
    doc.update(ticket=ticket, url=f"http://weixin.qq.com/q/{ids.qr_path()}", created_at=now)
    store.put(QRCODE, call.appid, ticket, doc)
    answer = {"ticket": ticket, "url": doc["url"]}
    if not permanent:
        answer["expire_seconds"] = doc["expire_seconds"]
    return answer


def find_ticket(sandbox: Any, ticket: str) -> dict[str, Any] | None:
    for appid in sandbox.store.scopes(QRCODE):
        qr = sandbox.store.get(QRCODE, appid, ticket)
        if qr is not None:
            return {**qr, "appid": appid}
    return None


async def show_qrcode(request: Request) -> Response:
    """GET /cgi-bin/showqrcode?ticket= → PNG of the code's URL; unknown or expired → 404."""
    sandbox = request.app.state.sandbox
    qr = find_ticket(sandbox, request.query_params.get("ticket", ""))
    if qr is None or (qr.get("expire_at") and qr["expire_at"] <= sandbox.now()):
        return Response(b"", status_code=404)
    buffer = io.BytesIO()
    segno.make(qr["url"], error="m").save(buffer, kind="png", scale=8, border=4)
    return Response(buffer.getvalue(), media_type="image/png")


area.route("/cgi-bin/showqrcode", show_qrcode, methods=("GET",))
