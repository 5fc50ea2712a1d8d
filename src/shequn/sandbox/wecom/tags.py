"""Corp customer tags and tagging of follow relationships (B.4).

A tag group document ("wecom_tag_group", corpid, group_id): group_id, group_name, create_time,
order, tag [{id, name, create_time, order}]. At most `limits.corp_tags` (3000) tags per corp
(40126); names ≤30 characters; deleting the last tag of a group deletes the group.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from shequn.sandbox.context import Sandbox
from shequn.sandbox.endpoints import Area, Call, ok
from shequn.sandbox.state import Doc
from shequn.sandbox.wecom import contacts
from shequn.sandbox.wecom.corps import limit, staff_member
from shequn.sandbox.wecom.errors import wecom_error
from shequn.sandbox.wecom.tokens import wecom_access_token
from shequn.sandbox.wecom.validation import chars, str_list

GROUP = "wecom_tag_group"
MAX_ORDER = 2**32 - 1
_ALNUM = string.ascii_letters + string.digits

area = Area("wecom_tags", authenticate=wecom_access_token)


def _tag_id() -> str:
    return "et" + "".join(secrets.choice(_ALNUM) for _ in range(20))


def groups(sandbox: Sandbox, corpid: str) -> list[Doc]:
    return sandbox.store.list(GROUP, corpid)


def tag_names(sandbox: Sandbox, corpid: str) -> dict[str, tuple[str, str]]:
    """tag id → (group name, tag name)."""
    return {
        tag["id"]: (group["group_name"], tag["name"])
        for group in groups(sandbox, corpid)
        for tag in group["tag"]
    }


def _order(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_ORDER:
        raise wecom_error(40058, "order must be within 0..2^32-1")
    return int(value)


def add_tags(
    sandbox: Sandbox,
    corp: Doc,
    *,
    tags: list[dict[str, Any]],
    group_id: str | None = None,
    group_name: str | None = None,
    order: Any = None,
) -> tuple[Doc, list[Doc]]:
    """Add tags to a group (by id, or by name, creating it); returns the group and new tags."""
    corpid = corp["corpid"]
    if not tags:
        raise wecom_error(40058, "tag cannot be empty")
    names: list[tuple[str, int]] = []
    for entry in tags:
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name:
            raise wecom_error(40058, "tag name missing")
        chars("tag.name", name, 30)
        names.append((name, _order(entry.get("order"))))
    chars("group_name", group_name, 30)
    now = int(sandbox.now())
    with sandbox.store.transaction():
        group: Doc | None
        if group_id:
            group = sandbox.store.get(GROUP, corpid, group_id)
            if group is None:
                raise wecom_error(40068, group_id)
        else:
            if not group_name:
                raise wecom_error(40058, "group_id or group_name required")
            same_name = (g for g in groups(sandbox, corpid) if g["group_name"] == group_name)
            group = next(same_name, None)
            if group is None:
                group = {
                    "group_id": _tag_id(),
                    "group_name": group_name,
                    "create_time": now,
                    "order": _order(order),
                    "tag": [],
                }
        existing = {t["name"] for t in group["tag"]}
        fresh: list[Doc] = []
        for name, tag_order in names:
            if name in existing:
                continue  # duplicate names in a group collapse to one
            existing.add(name)
            fresh.append({"id": _tag_id(), "name": name, "create_time": now, "order": tag_order})
        total = sum(len(g["tag"]) for g in groups(sandbox, corpid))
        if total + len(fresh) > limit(corp, "corp_tags"):
            raise wecom_error(40126)
        group["tag"].extend(fresh)
        sandbox.store.put(GROUP, corpid, group["group_id"], group)
    return group, fresh


def _group_view(group: Doc, tags: list[Doc] | None = None) -> Doc:
    return {
        "group_id": group["group_id"],
        "group_name": group["group_name"],
        "create_time": group["create_time"],
        "order": group["order"],
        "deleted": False,
        "tag": [{**t, "deleted": False} for t in (group["tag"] if tags is None else tags)],
    }


def find_tag(sandbox: Sandbox, corpid: str, tag_id: str) -> tuple[Doc, Doc] | None:
    for group in groups(sandbox, corpid):
        for tag in group["tag"]:
            if tag["id"] == tag_id:
                return group, tag
    return None


def delete_tags(sandbox: Sandbox, corpid: str, tag_ids: list[str], group_ids: list[str]) -> None:
    with sandbox.store.transaction():
        for group_id in group_ids:
            if sandbox.store.get(GROUP, corpid, group_id) is None:
                raise wecom_error(40068, group_id)
        for tag_id in tag_ids:
            if find_tag(sandbox, corpid, tag_id) is None:
                raise wecom_error(40068, tag_id)
        removed = set(tag_ids)
        for group in groups(sandbox, corpid):
            if group["group_id"] in group_ids:
                removed.update(t["id"] for t in group["tag"])
                sandbox.store.delete(GROUP, corpid, group["group_id"])
                continue
            kept = [t for t in group["tag"] if t["id"] not in removed]
            if len(kept) != len(group["tag"]):
                if kept:
                    group["tag"] = kept
                    sandbox.store.put(GROUP, corpid, group["group_id"], group)
                else:
                    sandbox.store.delete(GROUP, corpid, group["group_id"])
        for contact in contacts.list_contacts(sandbox, corpid):
            changed = False
            for follow in contact["follow_user"]:
                if removed & set(follow["tags"]):
                    follow["tags"] = [t for t in follow["tags"] if t not in removed]
                    changed = True
            if changed:
                contacts.save_contact(sandbox, corpid, contact)


@area.api("/cgi-bin/externalcontact/get_corp_tag_list")
async def get_corp_tag_list(call: Call) -> dict[str, Any]:
    corpid = call.acct["corpid"]
    body = call.json() if call.body.strip() else {}
    tag_ids = str_list("tag_id", body.get("tag_id"), 3000)
    group_ids = str_list("group_id", body.get("group_id"), 3000)
    out = []
    for group in groups(call.sandbox, corpid):
        if group_ids:
            if group["group_id"] in group_ids:
                out.append(_group_view(group))
        elif tag_ids:
            wanted = [t for t in group["tag"] if t["id"] in tag_ids]
            if wanted:
                out.append(_group_view(group, wanted))
        else:
            out.append(_group_view(group))
    return ok(tag_group=out)


@area.api("/cgi-bin/externalcontact/add_corp_tag")
async def add_corp_tag(call: Call) -> dict[str, Any]:
    body = call.json()
    tag_list = body.get("tag")
    if not isinstance(tag_list, list):
        raise wecom_error(40058, "tag must be a list")
    group, fresh = add_tags(
        call.sandbox,
        call.acct,
        tags=tag_list,
        group_id=body.get("group_id"),
        group_name=body.get("group_name"),
        order=body.get("order"),
    )
    return ok(tag_group=_group_view(group, fresh))


@area.api("/cgi-bin/externalcontact/edit_corp_tag")
async def edit_corp_tag(call: Call) -> dict[str, Any]:
    corpid = call.acct["corpid"]
    body = call.json()
    target = body.get("id")
    if not target:
        raise wecom_error(40058, "id missing")
    chars("name", body.get("name"), 30)
    store = call.sandbox.store
    with store.transaction():
        group = store.get(GROUP, corpid, str(target))
        if group is not None:
            if body.get("name") is not None:
                group["group_name"] = body["name"]
            if body.get("order") is not None:
                group["order"] = _order(body["order"])
        else:
            found = find_tag(call.sandbox, corpid, str(target))
            if found is None:
                raise wecom_error(40068, str(target))
            group, tag = found
            if body.get("name") is not None:
                tag["name"] = body["name"]
            if body.get("order") is not None:
                tag["order"] = _order(body["order"])
        store.put(GROUP, corpid, group["group_id"], group)
    return ok()


@area.api("/cgi-bin/externalcontact/del_corp_tag")
async def del_corp_tag(call: Call) -> dict[str, Any]:
    body = call.json()
    tag_ids = str_list("tag_id", body.get("tag_id"), 3000)
    group_ids = str_list("group_id", body.get("group_id"), 3000)
    if not tag_ids and not group_ids:
        raise wecom_error(40058, "tag_id or group_id required")
    delete_tags(call.sandbox, call.acct["corpid"], tag_ids, group_ids)
    return ok()


@area.api("/cgi-bin/externalcontact/mark_tag")
async def mark_tag(call: Call) -> dict[str, Any]:
    corp = call.acct
    corpid = corp["corpid"]
    body = call.json()
    userid = body.get("userid")
    if not userid:
        raise wecom_error(41009)
    if staff_member(corp, str(userid)) is None:
        raise wecom_error(60111, str(userid))
    external_id = body.get("external_userid")
    if not external_id:
        raise wecom_error(41035)
    add = str_list("add_tag", body.get("add_tag"), 3000)
    remove = str_list("remove_tag", body.get("remove_tag"), 3000)
    if not add and not remove:
        raise wecom_error(40058, "add_tag or remove_tag required")
    known = tag_names(call.sandbox, corpid)
    for tag_id in add + remove:
        if tag_id not in known:
            raise wecom_error(40068, tag_id)
    store = call.sandbox.store
    with store.transaction():
        contact = contacts.get_contact(call.sandbox, corpid, str(external_id))
        follow = None if contact is None else contacts.relation(contact, str(userid))
        if contact is None or follow is None:
            raise wecom_error(84061)
        current = [t for t in follow["tags"] if t not in remove]
        current.extend(t for t in add if t not in current)
        follow["tags"] = current
        contacts.save_contact(call.sandbox, corpid, contact)
    return ok()
