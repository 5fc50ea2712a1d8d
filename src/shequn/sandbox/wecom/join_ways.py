"""「加入群聊」 join ways (B.9): group live codes over ≤5 groups with automatic roll-over.

scene 1|2, chat_id_list 1..5 existing groups, remark truncated beyond 30 characters,
room_base_name ≤40, state ≤30 (40058 otherwise), the ways quota shared with contact ways
(41045), 41043/41044 for a missing/unknown config_id. update_join_way overwrites everything.
When every listed group is full, a join through the way creates `room_base_name +
(room_base_id + n)` owned by the first group's owner and puts it on the way (see actions).
"""

from __future__ import annotations

import secrets
from typing import Any

from shequn.sandbox.context import Sandbox
from shequn.sandbox.endpoints import Area, Call, ok
from shequn.sandbox.state import Doc
from shequn.sandbox.wecom import qrcodes
from shequn.sandbox.wecom.contact_ways import ways_used
from shequn.sandbox.wecom.corps import limit
from shequn.sandbox.wecom.errors import wecom_error
from shequn.sandbox.wecom.groups import get_group
from shequn.sandbox.wecom.tokens import wecom_access_token
from shequn.sandbox.wecom.validation import chars, int_in, str_list

JOIN_WAY = "wecom_join_way"
MAX_CHATS = 5

area = Area("wecom_join_ways", authenticate=wecom_access_token)


def get_join_way(sandbox: Sandbox, corpid: str, config_id: str) -> Doc | None:
    return sandbox.store.get(JOIN_WAY, corpid, config_id)


def save_join_way(sandbox: Sandbox, corpid: str, way: Doc) -> None:
    sandbox.store.put(JOIN_WAY, corpid, way["config_id"], way)


def _fields(call: Call, body: dict[str, Any]) -> Doc:
    scene = int_in("scene", body.get("scene"), 1, 2)
    if body.get("chat_id_list") is None:
        raise wecom_error(40058, "chat_id_list missing")
    chats = str_list("chat_id_list", body.get("chat_id_list"), MAX_CHATS)
    if not chats:
        raise wecom_error(40058, "chat_id_list missing")
    for chat in chats:
        group = get_group(call.sandbox, call.acct["corpid"], chat)
        if group is None:
            raise wecom_error(40050, chat)
        if group.get("dismissed"):
            raise wecom_error(49008, chat)
    auto = body.get("auto_create_room", 1)
    int_in("auto_create_room", auto, 0, 1)
    chars("room_base_name", body.get("room_base_name"), 40)
    chars("state", body.get("state"), 30)
    base_id = body.get("room_base_id")
    if base_id is not None:
        int_in("room_base_id", base_id, 0, 2**31 - 1)
    return {
        "scene": scene,
        "remark": str(body.get("remark") or "")[:30],
        "auto_create_room": auto,
        "room_base_name": body.get("room_base_name") if auto else None,
        "room_base_id": base_id if auto else None,
        "chat_id_list": chats,
        "state": body.get("state", ""),
        "mark_source": bool(body.get("mark_source", True)),
        "rooms_created": 0,
    }


def _existing(call: Call, body: dict[str, Any]) -> Doc:
    config_id = body.get("config_id")
    if not config_id:
        raise wecom_error(41043)
    way = get_join_way(call.sandbox, call.acct["corpid"], str(config_id))
    if way is None:
        raise wecom_error(41044)
    return way


@area.api("/cgi-bin/externalcontact/groupchat/add_join_way")
async def add_join_way(call: Call) -> dict[str, Any]:
    corp = call.acct
    fields = _fields(call, call.json())
    store = call.sandbox.store
    with store.transaction():
        if ways_used(call.sandbox, corp["corpid"]) >= limit(corp, "ways"):
            raise wecom_error(41045)
        config_id = secrets.token_hex(16)
        way: Doc = {"config_id": config_id, **fields}
        if fields["scene"] == 2:
            way["qr_code"] = qrcodes.new_qr(call.sandbox, corp["corpid"], "join_way", config_id)
        save_join_way(call.sandbox, corp["corpid"], way)
    return ok(config_id=config_id)


@area.api("/cgi-bin/externalcontact/groupchat/get_join_way")
async def get_join_way_api(call: Call) -> dict[str, Any]:
    way = _existing(call, call.json())
    view = {k: v for k, v in way.items() if v is not None and k != "rooms_created"}
    return ok(join_way=view)


@area.api("/cgi-bin/externalcontact/groupchat/update_join_way")
async def update_join_way(call: Call) -> dict[str, Any]:
    body = call.json()
    way = _existing(call, body)
    fields = _fields(call, body)
    fields["rooms_created"] = way.get("rooms_created", 0)
    qr = way.get("qr_code")
    way = {"config_id": way["config_id"], **fields}
    if fields["scene"] == 2:
        way["qr_code"] = qr or qrcodes.new_qr(
            call.sandbox, call.acct["corpid"], "join_way", way["config_id"]
        )
    save_join_way(call.sandbox, call.acct["corpid"], way)
    return ok()


@area.api("/cgi-bin/externalcontact/groupchat/del_join_way")
async def del_join_way(call: Call) -> dict[str, Any]:
    way = _existing(call, call.json())
    call.sandbox.store.delete(JOIN_WAY, call.acct["corpid"], way["config_id"])
    return ok()
