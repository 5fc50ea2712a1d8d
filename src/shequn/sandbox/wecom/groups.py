"""Customer groups (B.7): the model, groupchat/list and groupchat/get.

A group document ("wecom_group", corpid, chat_id): chat_id, name, owner, create_time, notice,
status (0 normal), dismissed, member_list [{userid, type 1|2, join_time, join_scene 1|2|3,
invitor?, group_nickname, name, unionid?, state?}], admin_list, member_version, auto_created.
A group never holds more than `limits.group_max_members` (500).
"""

from __future__ import annotations

import hashlib
import secrets
import string
from typing import Any

from shequn.sandbox.context import Sandbox
from shequn.sandbox.endpoints import Area, Call, ok
from shequn.sandbox.state import Doc
from shequn.sandbox.wecom.corps import limit
from shequn.sandbox.wecom.errors import wecom_error
from shequn.sandbox.wecom.tokens import wecom_access_token
from shequn.sandbox.wecom.validation import int_in, page, str_list

GROUP = "wecom_group"
_ALNUM = string.ascii_letters + string.digits

area = Area("wecom_groups", authenticate=wecom_access_token)


class GroupFullError(ValueError):
    """The group already holds the maximum number of members."""


def chat_id() -> str:
    return "wr" + "".join(secrets.choice(_ALNUM) for _ in range(30))


def get_group(sandbox: Sandbox, corpid: str, chat: str) -> Doc | None:
    return sandbox.store.get(GROUP, corpid, chat)


def save_group(sandbox: Sandbox, corpid: str, group: Doc) -> None:
    sandbox.store.put(GROUP, corpid, group["chat_id"], group)


def list_groups(sandbox: Sandbox, corpid: str, *, include_dismissed: bool = False) -> list[Doc]:
    found = sandbox.store.list(GROUP, corpid)
    return found if include_dismissed else [g for g in found if not g.get("dismissed")]


def _version(group: Doc) -> str:
    seed = f"{group['chat_id']}:{group.get('version_seq', 0)}:" + ",".join(
        m["userid"] for m in group["member_list"]
    )
    return hashlib.md5(seed.encode(), usedforsecurity=False).hexdigest()


def bump_version(group: Doc) -> tuple[str, str]:
    """Advance member_version; returns (previous, current)."""
    previous = group["member_version"]
    group["version_seq"] = group.get("version_seq", 0) + 1
    group["member_version"] = _version(group)
    return previous, group["member_version"]


def new_group(
    sandbox: Sandbox, corpid: str, *, owner: str, name: str, auto_created: bool = False
) -> Doc:
    now = int(sandbox.now())
    group: Doc = {
        "chat_id": chat_id(),
        "name": name,
        "owner": owner,
        "create_time": now,
        "notice": "",
        "status": 0,
        "dismissed": False,
        "auto_created": auto_created,
        "member_list": [
            {"userid": owner, "type": 1, "join_time": now, "join_scene": 1, "group_nickname": ""}
        ],
        "admin_list": [],
        "version_seq": 0,
    }
    group["member_version"] = _version(group)
    save_group(sandbox, corpid, group)
    return group


def is_full(corp: Doc, group: Doc, *, by_qr: bool = False) -> bool:
    cap = limit(corp, "group_max_members")
    if by_qr:
        cap = min(cap, limit(corp, "qr_join_max_members"))
    return len(group["member_list"]) >= cap


def member(group: Doc, userid: str) -> Doc | None:
    return next((m for m in group["member_list"] if m["userid"] == userid), None)


def add_member(corp: Doc, group: Doc, entry: Doc, *, by_qr: bool = False) -> None:
    if is_full(corp, group, by_qr=by_qr):
        raise GroupFullError(f"group {group['chat_id']} is full")
    group["member_list"].append(entry)


def member_view(entry: Doc, *, need_name: bool, show_unionid: bool) -> Doc:
    view: Doc = {
        "userid": entry["userid"],
        "type": entry["type"],
        "join_time": entry["join_time"],
        "join_scene": entry["join_scene"],
        "group_nickname": entry.get("group_nickname", ""),
    }
    if entry.get("invitor"):
        view["invitor"] = {"userid": entry["invitor"]}
    if need_name:
        view["name"] = entry.get("name", entry["userid"])
    if show_unionid and entry.get("unionid"):
        view["unionid"] = entry["unionid"]
    if entry.get("state"):
        view["state"] = entry["state"]
    return view


@area.api("/cgi-bin/externalcontact/groupchat/list")
async def groupchat_list(call: Call) -> dict[str, Any]:
    body = call.json()
    status_filter = body.get("status_filter", 0)
    int_in("status_filter", status_filter, 0, 3)
    limit_ = int_in("limit", body.get("limit"), 1, 1000)
    owner_filter = body.get("owner_filter") or {}
    owners = str_list("owner_filter.userid_list", owner_filter.get("userid_list"), 100)
    if not owners and len(call.acct["staff"]) > 1000:
        raise wecom_error(81017)
    found = []
    for group in list_groups(call.sandbox, call.acct["corpid"]):
        if status_filter and group["status"] != status_filter:
            continue
        if owners and group["owner"] not in owners:
            continue
        found.append({"chat_id": group["chat_id"], "status": group["status"]})
    chunk, next_cursor = page(found, body.get("cursor"), limit_)
    return ok(group_chat_list=chunk, next_cursor=next_cursor)


@area.api("/cgi-bin/externalcontact/groupchat/get")
async def groupchat_get(call: Call) -> dict[str, Any]:
    body = call.json()
    chat = body.get("chat_id")
    if not chat:
        raise wecom_error(40058, "chat_id missing")
    group = get_group(call.sandbox, call.acct["corpid"], str(chat))
    if group is None:
        raise wecom_error(40050, str(chat))
    if group.get("dismissed"):
        raise wecom_error(49008)
    need_name = bool(body.get("need_name"))
    show = bool(call.acct.get("open_platform"))
    return ok(
        group_chat={
            "chat_id": group["chat_id"],
            "name": group["name"],
            "owner": group["owner"],
            "create_time": group["create_time"],
            "notice": group["notice"],
            "member_list": [
                member_view(m, need_name=need_name, show_unionid=show) for m in group["member_list"]
            ],
            "admin_list": [{"userid": u} for u in group["admin_list"]],
            "member_version": group["member_version"],
        }
    )
