"""「联系我」 contact ways (B.2): staff QR codes and mini-program buttons.

Rules enforced: type 1|2 (41037 missing, 41039 invalid), scene 1|2 (41038 missing, 41040
invalid), style only for scene 1 (41042), ≤100 users (41041), type 1 with exactly one user,
state and remark ≤30 characters (40058), the 500,000 ways quota shared with join ways (41045),
41043/41044 for a missing/unknown config_id. qr_code only for scene 2.
"""

from __future__ import annotations

import secrets
from typing import Any

from shequn.sandbox.context import Sandbox
from shequn.sandbox.endpoints import Area, Call, ok
from shequn.sandbox.state import Doc
from shequn.sandbox.wecom import qrcodes
from shequn.sandbox.wecom.corps import limit, staff_member
from shequn.sandbox.wecom.errors import wecom_error
from shequn.sandbox.wecom.tokens import wecom_access_token
from shequn.sandbox.wecom.validation import chars, page, str_list

WAY = "wecom_contact_way"
MAX_TEMP_SECONDS = 14 * 24 * 3600
DEFAULT_TEMP_SECONDS = 7 * 24 * 3600
LIST_DEFAULT_DAYS = 90

area = Area("wecom_contact_ways", authenticate=wecom_access_token)


def ways_used(sandbox: Sandbox, corpid: str) -> int:
    from shequn.sandbox.wecom.join_ways import JOIN_WAY

    permanent = sandbox.store.count(WAY, corpid, where={"is_temp": False})
    return permanent + sandbox.store.count(JOIN_WAY, corpid)


def get_way(sandbox: Sandbox, corpid: str, config_id: str) -> Doc | None:
    return sandbox.store.get(WAY, corpid, config_id)


def _fields(corp: Doc, body: dict[str, Any], current: Doc | None) -> Doc:
    merged = {**(current or {}), **{k: v for k, v in body.items() if k != "config_id"}}
    way_type = merged.get("type")
    scene = merged.get("scene")
    if way_type is None:
        raise wecom_error(41037)
    if way_type not in (1, 2):
        raise wecom_error(41039)
    if scene is None:
        raise wecom_error(41038)
    if scene not in (1, 2):
        raise wecom_error(41040)
    if merged.get("style") is not None and (scene != 1 or not isinstance(merged["style"], int)):
        raise wecom_error(41042)
    users = str_list("user", merged.get("user"), 10_000)
    if len(users) > 100:
        raise wecom_error(41041)
    parties = merged.get("party") or []
    if way_type == 1 and (len(users) != 1 or parties):
        raise wecom_error(40058, "type 1 takes exactly one user")
    if not users and not parties:
        raise wecom_error(40058, "user or party required")
    for userid in users:
        member = staff_member(corp, userid)
        if member is None:
            raise wecom_error(60111, userid)
        if not member.get("customer_contact"):
            raise wecom_error(84074, userid)
    chars("state", merged.get("state"), 30)
    chars("remark", merged.get("remark"), 30)
    is_temp = bool(merged.get("is_temp", False))
    if is_temp:
        if way_type != 1:
            raise wecom_error(40058, "temporary ways are single-person")
        for name in ("expires_in", "chat_expires_in"):
            value = merged.get(name)
            if value is not None and not 1 <= int(value) <= MAX_TEMP_SECONDS:
                raise wecom_error(40058, f"{name} exceeds 14 days")
    return {
        "type": way_type,
        "scene": scene,
        "style": merged.get("style"),
        "remark": merged.get("remark", ""),
        "skip_verify": bool(merged.get("skip_verify", True)),
        "state": merged.get("state", ""),
        "user": users,
        "party": list(parties),
        "is_temp": is_temp,
        "expires_in": merged.get("expires_in", DEFAULT_TEMP_SECONDS) if is_temp else None,
        "chat_expires_in": merged.get("chat_expires_in") if is_temp else None,
        "unionid": merged.get("unionid") if is_temp else None,
        "is_exclusive": bool(merged.get("is_exclusive", False)),
        "conclusions": merged.get("conclusions") if is_temp else None,
    }


@area.api("/cgi-bin/externalcontact/add_contact_way")
async def add_contact_way(call: Call) -> dict[str, Any]:
    corp = call.acct
    corpid = corp["corpid"]
    body = call.json()
    fields = _fields(corp, body, None)
    store = call.sandbox.store
    with store.transaction():
        if not fields["is_temp"] and ways_used(call.sandbox, corpid) >= limit(corp, "ways"):
            raise wecom_error(41045)
        config_id = secrets.token_hex(16)
        way: Doc = {"config_id": config_id, "create_time": int(call.now()), **fields}
        if fields["scene"] == 2:
            way["qr_code"] = qrcodes.new_qr(call.sandbox, corpid, "contact_way", config_id)
        store.put(WAY, corpid, config_id, way)
    answer = ok(config_id=config_id)
    if "qr_code" in way:
        answer["qr_code"] = way["qr_code"]
    return answer


def _existing(call: Call, body: dict[str, Any]) -> Doc:
    config_id = body.get("config_id")
    if not config_id:
        raise wecom_error(41043)
    way = get_way(call.sandbox, call.acct["corpid"], str(config_id))
    if way is None:
        raise wecom_error(41044)
    return way


def _view(way: Doc) -> Doc:
    out = {k: v for k, v in way.items() if v is not None and k != "create_time"}
    if way.get("scene") != 1:
        out.pop("style", None)
    return out


@area.api("/cgi-bin/externalcontact/get_contact_way")
async def get_contact_way(call: Call) -> dict[str, Any]:
    return ok(contact_way=_view(_existing(call, call.json())))


@area.api("/cgi-bin/externalcontact/list_contact_way")
async def list_contact_way(call: Call) -> dict[str, Any]:
    body = call.json() if call.body.strip() else {}
    now = int(call.now())
    start = int(body.get("start_time") or now - LIST_DEFAULT_DAYS * 86400)
    end = int(body.get("end_time") or now)
    limit_ = body.get("limit", 100)
    if isinstance(limit_, bool) or not isinstance(limit_, int) or not 1 <= limit_ <= 1000:
        raise wecom_error(40058, "limit must be within 1..1000")
    ways = [
        {"config_id": w["config_id"]}
        for w in call.sandbox.store.list(WAY, call.acct["corpid"], where={"is_temp": False})
        if start <= w["create_time"] <= end
    ]
    chunk, next_cursor = page(ways, body.get("cursor"), limit_)
    return ok(contact_way=chunk, next_cursor=next_cursor)


@area.api("/cgi-bin/externalcontact/update_contact_way")
async def update_contact_way(call: Call) -> dict[str, Any]:
    body = call.json()
    way = _existing(call, body)
    if way.get("is_temp") and call.now() > way["create_time"] + (way.get("expires_in") or 0):
        raise wecom_error(40058, "an expired temporary way cannot be edited")
    # Fixed at creation: type, scene and temporariness.
    editable = {k: v for k, v in body.items() if k not in ("type", "scene", "is_temp")}
    fields = _fields(call.acct, editable, way)
    way.update(fields)
    call.sandbox.store.put(WAY, call.acct["corpid"], way["config_id"], way)
    return ok()


@area.api("/cgi-bin/externalcontact/del_contact_way")
async def del_contact_way(call: Call) -> dict[str, Any]:
    way = _existing(call, call.json())
    call.sandbox.store.delete(WAY, call.acct["corpid"], way["config_id"])
    return ok()


area.route("/wwpic/{key}/0", qrcodes.image, ["GET"])
