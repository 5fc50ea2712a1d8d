"""What customers and staff do in their WeChat / WeCom clients, with the callbacks WeCom pushes.

Each function updates the state, queues the event (change_external_contact, change_external_chat
or change_external_tag) and returns a small dict. Impossible actions raise CustomerActionError.
API calls never come through here, which is how "API changes produce no callback" holds.
"""

from __future__ import annotations

from typing import Any

from shequn.sandbox.context import Sandbox
from shequn.sandbox.officialaccount.inbound import CustomerActionError
from shequn.sandbox.state import Doc
from shequn.sandbox.wecom import contacts, groups, received, tags
from shequn.sandbox.wecom.contact_ways import get_way
from shequn.sandbox.wecom.corps import get_corp, staff_member
from shequn.sandbox.wecom.join_ways import get_join_way, save_join_way
from shequn.sandbox.wecom.mass import settle
from shequn.sandbox.wecom.push import enqueue_event
from shequn.sandbox.wecom.welcome import issue_code

CONTACT_EVENT = "change_external_contact"
CHAT_EVENT = "change_external_chat"
TAG_EVENT = "change_external_tag"
# groupchat/get join_scene: 1 invited by a member, 2 invite link, 3 scanned the group QR.
JOIN_SCENES = (1, 2, 3)
ADD_WAY_QR = 1


def _corp(sandbox: Sandbox, corpid: str) -> Doc:
    corp = get_corp(sandbox, corpid)
    if corp is None:
        raise CustomerActionError(f"no corp {corpid}")
    return corp


def _contact_staff(corp: Doc, userid: str) -> Doc:
    member = staff_member(corp, userid)
    if member is None:
        raise CustomerActionError(f"no staff member {userid}")
    if not member.get("customer_contact"):
        raise CustomerActionError(f"{userid} has no customer-contact permission")
    return member


def _contact(sandbox: Sandbox, corpid: str, external_userid: str) -> Doc:
    contact = contacts.get_contact(sandbox, corpid, external_userid)
    if contact is None:
        raise CustomerActionError(f"no customer {external_userid}")
    return contact


async def add_staff(
    sandbox: Sandbox,
    corpid: str,
    *,
    userid: str,
    external_userid: str | None = None,
    unionid: str | None = None,
    name: str = "客户",
    state: str | None = None,
    config_id: str | None = None,
) -> dict[str, Any]:
    """A customer adds a staff member (e.g. by scanning a 「联系我」 code): add_external_contact."""
    corp = _corp(sandbox, corpid)
    _contact_staff(corp, userid)
    add_way = 0
    if config_id is not None:
        way = get_way(sandbox, corpid, config_id)
        if way is None:
            raise CustomerActionError(f"no contact way {config_id}")
        if userid not in way["user"]:
            raise CustomerActionError(f"{userid} is not on contact way {config_id}")
        state = way.get("state") or None if state is None else state
        add_way = ADD_WAY_QR if way["scene"] == 2 else 0
    with sandbox.store.transaction():
        contact = (
            None
            if external_userid is None
            else contacts.get_contact(sandbox, corpid, external_userid)
        )
        if contact is None:
            contact = contacts.new_contact(
                sandbox, corpid, external_id=external_userid, name=name, unionid=unionid
            )
        if contacts.relation(contact, userid) is not None:
            raise CustomerActionError(f"{contact['external_userid']} already added {userid}")
        contacts.add_relation(contact, userid, now=sandbox.now(), state=state, add_way=add_way)
        contacts.save_contact(sandbox, corpid, contact)
        external_id = contact["external_userid"]
        code = issue_code(sandbox, corpid, userid=userid, external_userid=external_id)
    enqueue_event(
        sandbox,
        corpid,
        CONTACT_EVENT,
        "add_external_contact",
        {
            "UserID": userid,
            "ExternalUserID": contact["external_userid"],
            "State": state,
            "WelcomeCode": code,
        },
    )
    return {"external_userid": contact["external_userid"], "welcome_code": code}


async def _drop(
    sandbox: Sandbox, corpid: str, userid: str, external_userid: str, change_type: str
) -> dict[str, Any]:
    _corp(sandbox, corpid)
    with sandbox.store.transaction():
        contact = _contact(sandbox, corpid, external_userid)
        if not contacts.drop_relation(contact, userid):
            raise CustomerActionError(f"{external_userid} and {userid} are not connected")
        contacts.save_contact(sandbox, corpid, contact)
    fields = {"UserID": userid, "ExternalUserID": external_userid}
    if change_type == "del_external_contact":
        fields["Source"] = ""
    enqueue_event(sandbox, corpid, CONTACT_EVENT, change_type, fields)
    return {"external_userid": external_userid, "userid": userid}


async def remove_staff(
    sandbox: Sandbox, corpid: str, *, userid: str, external_userid: str
) -> dict[str, Any]:
    """The customer deletes (or blocks) the staff member: del_follow_user."""
    return await _drop(sandbox, corpid, userid, external_userid, "del_follow_user")


async def staff_removes_customer(
    sandbox: Sandbox, corpid: str, *, userid: str, external_userid: str
) -> dict[str, Any]:
    """The staff member deletes the customer in the WeCom client: del_external_contact."""
    return await _drop(sandbox, corpid, userid, external_userid, "del_external_contact")


async def staff_edits_customer(
    sandbox: Sandbox,
    corpid: str,
    *,
    userid: str,
    external_userid: str,
    remark: str | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    """The staff member edits the customer's remark in the client: edit_external_contact."""
    _corp(sandbox, corpid)
    with sandbox.store.transaction():
        contact = _contact(sandbox, corpid, external_userid)
        follow = contacts.relation(contact, userid)
        if follow is None:
            raise CustomerActionError(f"{external_userid} and {userid} are not connected")
        if remark is not None:
            follow["remark"] = remark
        if description is not None:
            follow["description"] = description
        contacts.save_contact(sandbox, corpid, contact)
    enqueue_event(
        sandbox,
        corpid,
        CONTACT_EVENT,
        "edit_external_contact",
        {"UserID": userid, "ExternalUserID": external_userid},
    )
    return {"external_userid": external_userid, "userid": userid}


async def staff_creates_group(
    sandbox: Sandbox, corpid: str, *, owner_userid: str, name: str
) -> dict[str, Any]:
    """A staff member creates a customer group in the client: change_external_chat/create."""
    corp = _corp(sandbox, corpid)
    _contact_staff(corp, owner_userid)
    group = groups.new_group(sandbox, corpid, owner=owner_userid, name=name)
    enqueue_event(sandbox, corpid, CHAT_EVENT, "create", {"ChatId": group["chat_id"]})
    return {"chat_id": group["chat_id"]}


def _through_join_way(sandbox: Sandbox, corp: Doc, config_id: str) -> tuple[Doc, Doc, bool]:
    """The group a join way sends the next member to: the first listed one with room, or a
    freshly created one when auto_create_room is on. Returns (way, group, created)."""
    corpid = corp["corpid"]
    way = get_join_way(sandbox, corpid, config_id)
    if way is None:
        raise CustomerActionError(f"no join way {config_id}")
    for chat in way["chat_id_list"]:
        group = groups.get_group(sandbox, corpid, chat)
        if group is None or group.get("dismissed"):
            continue
        if not groups.is_full(corp, group, by_qr=way["scene"] == 2):
            return way, group, False
    if not way.get("auto_create_room"):
        raise CustomerActionError("every group of this join way is full")
    first = groups.get_group(sandbox, corpid, way["chat_id_list"][0])
    owner = first["owner"] if first else corp["staff"][0]["userid"]
    base_name = way.get("room_base_name") or (first["name"] if first else "客户群")
    number = int(way.get("room_base_id") or 1) + int(way.get("rooms_created", 0))
    group = groups.new_group(
        sandbox, corpid, owner=owner, name=f"{base_name}{number}", auto_created=True
    )
    way["rooms_created"] = int(way.get("rooms_created", 0)) + 1
    chats = [*way["chat_id_list"], group["chat_id"]]
    if len(chats) > 5:
        # The way keeps its five-group limit: the oldest full group makes room.
        chats = chats[-5:]
    way["chat_id_list"] = chats
    save_join_way(sandbox, corpid, way)
    return way, group, True


async def join_group(
    sandbox: Sandbox,
    corpid: str,
    *,
    external_userid: str,
    chat_id: str | None = None,
    join_way_config_id: str | None = None,
    join_scene: int | None = None,
    invitor_userid: str | None = None,
) -> dict[str, Any]:
    """A customer joins a group, directly or by scanning a join way's code (add_member)."""
    corp = _corp(sandbox, corpid)
    if (chat_id is None) == (join_way_config_id is None):
        raise CustomerActionError("give exactly one of chat_id and join_way_config_id")
    contact = _contact(sandbox, corpid, external_userid)
    events: list[tuple[str, dict[str, Any]]] = []
    with sandbox.store.transaction():
        state = None
        if join_way_config_id is not None:
            way, group, created = _through_join_way(sandbox, corp, join_way_config_id)
            state = way.get("state") or None
            scene = join_scene or (3 if way["scene"] == 2 else 2)
            if created:
                events.append(("create", {"ChatId": group["chat_id"]}))
        else:
            found = groups.get_group(sandbox, corpid, str(chat_id))
            if found is None or found.get("dismissed"):
                raise CustomerActionError(f"no group {chat_id}")
            group = found
            scene = join_scene or (1 if invitor_userid else 3)
        if scene not in JOIN_SCENES:
            raise CustomerActionError(f"join_scene must be one of {JOIN_SCENES}")
        if groups.member(group, external_userid) is not None:
            raise CustomerActionError(f"{external_userid} is already in {group['chat_id']}")
        entry: Doc = {
            "userid": external_userid,
            "type": 2,
            "join_time": int(sandbox.now()),
            "join_scene": scene,
            "group_nickname": "",
            "name": contact["name"],
            "unionid": contact.get("unionid"),
            "state": state,
            "invitor": invitor_userid if scene == 1 else None,
        }
        try:
            groups.add_member(corp, group, entry, by_qr=scene == 3)
        except groups.GroupFullError as exc:
            raise CustomerActionError(str(exc)) from exc
        last, current = groups.bump_version(group)
        groups.save_group(sandbox, corpid, group)
    events.append(
        (
            "update",
            {
                "ChatId": group["chat_id"],
                "UpdateDetail": "add_member",
                # The event encodes scenes differently: 0 invited, 3 scanned the group QR.
                "JoinScene": 3 if scene == 3 else 0,
                "MemChangeCnt": 1,
                "MemChangeList": {"Item": [external_userid]},
                "LastMemVer": last,
                "CurMemVer": current,
            },
        )
    )
    for change_type, fields in events:
        enqueue_event(sandbox, corpid, CHAT_EVENT, change_type, fields)
    return {"chat_id": group["chat_id"]}


async def leave_group(
    sandbox: Sandbox, corpid: str, *, external_userid: str, chat_id: str
) -> dict[str, Any]:
    """A customer leaves a group (del_member, QuitScene 0)."""
    _corp(sandbox, corpid)
    with sandbox.store.transaction():
        group = groups.get_group(sandbox, corpid, chat_id)
        if group is None or group.get("dismissed"):
            raise CustomerActionError(f"no group {chat_id}")
        if groups.member(group, external_userid) is None:
            raise CustomerActionError(f"{external_userid} is not in {chat_id}")
        group["member_list"] = [m for m in group["member_list"] if m["userid"] != external_userid]
        last, current = groups.bump_version(group)
        groups.save_group(sandbox, corpid, group)
    enqueue_event(
        sandbox,
        corpid,
        CHAT_EVENT,
        "update",
        {
            "ChatId": chat_id,
            "UpdateDetail": "del_member",
            "QuitScene": 0,
            "MemChangeCnt": 1,
            "MemChangeList": {"Item": [external_userid]},
            "LastMemVer": last,
            "CurMemVer": current,
        },
    )
    return {"chat_id": chat_id}


async def dismiss_group(sandbox: Sandbox, corpid: str, *, chat_id: str) -> dict[str, Any]:
    """The owner dismisses the group: change_external_chat/dismiss."""
    _corp(sandbox, corpid)
    group = groups.get_group(sandbox, corpid, chat_id)
    if group is None or group.get("dismissed"):
        raise CustomerActionError(f"no group {chat_id}")
    group["dismissed"] = True
    groups.save_group(sandbox, corpid, group)
    enqueue_event(sandbox, corpid, CHAT_EVENT, "dismiss", {"ChatId": chat_id})
    return {"chat_id": chat_id}


async def admin_creates_tag(
    sandbox: Sandbox, corpid: str, *, group_name: str, name: str
) -> dict[str, Any]:
    """An admin adds a corp tag in the console: change_external_tag/create."""
    corp = _corp(sandbox, corpid)
    group, fresh = tags.add_tags(sandbox, corp, tags=[{"name": name}], group_name=group_name)
    if not fresh:
        raise CustomerActionError(f"tag {name} exists in {group_name}")
    tag_id = fresh[0]["id"]
    enqueue_event(sandbox, corpid, TAG_EVENT, "create", {"Id": tag_id, "TagType": "tag"})
    return {"tag_id": tag_id, "group_id": group["group_id"]}


async def admin_deletes_tag(sandbox: Sandbox, corpid: str, *, tag_id: str) -> dict[str, Any]:
    """An admin deletes a corp tag in the console: change_external_tag/delete."""
    _corp(sandbox, corpid)
    if tags.find_tag(sandbox, corpid, tag_id) is None:
        raise CustomerActionError(f"no tag {tag_id}")
    tags.delete_tags(sandbox, corpid, [tag_id], [])
    enqueue_event(sandbox, corpid, TAG_EVENT, "delete", {"Id": tag_id, "TagType": "tag"})
    return {"tag_id": tag_id}


async def staff_posts_in_group(
    sandbox: Sandbox, corpid: str, *, userid: str, chat_id: str, text: str
) -> dict[str, Any]:
    """A staff member posts in a group: every customer in it receives the message."""
    _corp(sandbox, corpid)
    group = groups.get_group(sandbox, corpid, chat_id)
    if group is None or group.get("dismissed") or groups.member(group, userid) is None:
        raise CustomerActionError(f"{userid} is not in group {chat_id}")
    count = 0
    for entry in group["member_list"]:
        if entry["type"] == 2:
            received.record(
                sandbox,
                corpid,
                entry["userid"],
                "group",
                {"text": {"content": text}},
                from_userid=userid,
                chat_id=chat_id,
            )
            count += 1
    return {"chat_id": chat_id, "recipients": count}


async def received_messages(
    sandbox: Sandbox, corpid: str, external_userid: str
) -> list[dict[str, Any]]:
    """Welcome messages, mass messages and group posts this customer got, oldest first."""
    settle(sandbox, corpid)
    return received.received_by(sandbox, corpid, external_userid)
