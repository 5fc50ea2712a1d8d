"""External contacts (customers) and their follow relationships with staff.

A contact document ("wecom_contact", corpid, external_userid): external_userid, name, type
(1 WeChat user), gender, avatar, unionid, created_at and follow_user: a list of relationships
{userid, remark, description, createtime, tags [tag ids], remark_corp_name, remark_mobiles,
oper_userid, add_way, state}. Deleting a relationship removes it from the list; the contact
document stays so ids remain stable if the customer comes back.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from shequn.sandbox.context import Sandbox
from shequn.sandbox.state import Doc

CONTACT = "wecom_contact"
_ALNUM = string.ascii_letters + string.digits


def external_userid() -> str:
    # WeChat users' ids start "wm" (WeCom users' "wo"); real ones are 32 characters.
    return "wm" + "".join(secrets.choice(_ALNUM) for _ in range(30))


def get_contact(sandbox: Sandbox, corpid: str, external_id: str) -> Doc | None:
    return sandbox.store.get(CONTACT, corpid, external_id)


def save_contact(sandbox: Sandbox, corpid: str, contact: Doc) -> None:
    sandbox.store.put(CONTACT, corpid, contact["external_userid"], contact)


def list_contacts(sandbox: Sandbox, corpid: str) -> list[Doc]:
    return sandbox.store.list(CONTACT, corpid)


def new_contact(
    sandbox: Sandbox,
    corpid: str,
    *,
    external_id: str | None = None,
    name: str = "客户",
    unionid: str | None = None,
    gender: int = 0,
) -> Doc:
    contact: Doc = {
        "external_userid": external_id or external_userid(),
        "name": name,
        "type": 1,
        "gender": gender,
        "avatar": "",
        "unionid": unionid,
        "created_at": sandbox.now(),
        "follow_user": [],
    }
    save_contact(sandbox, corpid, contact)
    return contact


def relation(contact: Doc, userid: str) -> Doc | None:
    return next((f for f in contact["follow_user"] if f["userid"] == userid), None)


def follows(sandbox: Sandbox, corpid: str, userid: str, external_id: str) -> bool:
    contact = get_contact(sandbox, corpid, external_id)
    return contact is not None and relation(contact, userid) is not None


def customers_of(sandbox: Sandbox, corpid: str, userid: str) -> list[Doc]:
    return [c for c in list_contacts(sandbox, corpid) if relation(c, userid) is not None]


def external_contact_view(contact: Doc, *, show_unionid: bool) -> Doc:
    view: Doc = {
        "external_userid": contact["external_userid"],
        "name": contact["name"],
        "type": contact["type"],
        "avatar": contact.get("avatar", ""),
        "gender": contact.get("gender", 0),
    }
    if show_unionid and contact.get("unionid"):
        view["unionid"] = contact["unionid"]
    return view


def follow_view(follow: Doc, tag_names: dict[str, tuple[str, str]]) -> Doc:
    """A follow_user entry as externalcontact/get shows it, tag ids resolved to names."""
    tags = []
    for tag_id in follow.get("tags", []):
        if tag_id in tag_names:
            group_name, tag_name = tag_names[tag_id]
            tags.append(
                {"group_name": group_name, "tag_name": tag_name, "tag_id": tag_id, "type": 1}
            )
    view: Doc = {
        "userid": follow["userid"],
        "remark": follow.get("remark", ""),
        "description": follow.get("description", ""),
        "createtime": follow["createtime"],
        "tags": tags,
        "remark_corp_name": follow.get("remark_corp_name", ""),
        "remark_mobiles": follow.get("remark_mobiles", []),
        "oper_userid": follow.get("oper_userid", follow["userid"]),
        "add_way": follow.get("add_way", 0),
    }
    if follow.get("state"):
        view["state"] = follow["state"]
    return view


def add_relation(contact: Doc, userid: str, *, now: float, **fields: Any) -> Doc:
    follow: Doc = {
        "userid": userid,
        "remark": "",
        "description": "",
        "createtime": int(now),
        "tags": [],
        "remark_mobiles": [],
        "oper_userid": fields.pop("oper_userid", contact["external_userid"]),
        "add_way": fields.pop("add_way", 0),
        "state": fields.pop("state", None),
        **fields,
    }
    contact["follow_user"].append(follow)
    return follow


def drop_relation(contact: Doc, userid: str) -> bool:
    before = len(contact["follow_user"])
    contact["follow_user"] = [f for f in contact["follow_user"] if f["userid"] != userid]
    return len(contact["follow_user"]) != before
