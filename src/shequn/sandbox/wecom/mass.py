"""Corp mass messages (B.10): add_msg_template creates a task per staff member; staff confirm
the send in their client (control API `confirm`, or automatically `mass_confirm_delay` seconds
after creation); the records APIs report the outcome per recipient.

Receipt caps apply per customer / group per period (corp `mass_rule`: month = days of the month,
week = 7, day = 1, four_per_month = 4); an over-cap recipient gets status 3 and nothing.
Errors: 41048 nobody to send to, 41046/41047 missing/unknown msgid, 40058 for sizes
(≤10,000 external_userid, ≤2,000 chat_id, ≤100 tags per filter group, message limits).
"""

from __future__ import annotations

import calendar
import secrets
import time
from typing import Any

from shequn.sandbox.clock import SHANGHAI_OFFSET, shanghai_day, shanghai_month
from shequn.sandbox.context import Sandbox
from shequn.sandbox.endpoints import Area, Call, ok
from shequn.sandbox.state import Doc
from shequn.sandbox.wecom import contacts, received
from shequn.sandbox.wecom.corps import MASS_RULES, get_corp, staff_member
from shequn.sandbox.wecom.errors import wecom_error
from shequn.sandbox.wecom.groups import get_group, list_groups
from shequn.sandbox.wecom.tokens import wecom_access_token
from shequn.sandbox.wecom.validation import int_in, message, page, str_list

MSG = "wecom_msg"
MONTH_SECONDS = 31 * 24 * 3600

area = Area("wecom_mass", authenticate=wecom_access_token)


def _msgid() -> str:
    return "msg" + secrets.token_urlsafe(24)


def cap_for(corp: Doc, now: float) -> tuple[str, int]:
    """(period key, receipts allowed in it) under the corp's rule."""
    period, allowed = MASS_RULES[corp.get("mass_rule", "month")]
    local = time.gmtime(now + SHANGHAI_OFFSET)
    if period == "day":
        key = shanghai_day(now)
    elif period == "week":
        year, week, _ = time.strftime("%G %V %u", local).split()
        key = f"{year}-W{week}"
    else:
        key = shanghai_month(now)
    if allowed is None:
        allowed = calendar.monthrange(local.tm_year, local.tm_mon)[1]
    return f"{corp.get('mass_rule', 'month')}:{key}", allowed


def _matches(tags: list[str], tag_filter: list[list[str]]) -> bool:
    # OR within one group, AND across groups.
    return all(any(t in tags for t in group) for group in tag_filter)


def _single_targets(
    call: Call, body: dict[str, Any], sender: str | None, tag_filter: list[list[str]]
) -> tuple[dict[str, list[str]], list[str]]:
    corpid = call.acct["corpid"]
    ids = str_list("external_userid", body.get("external_userid"), 10_000)
    if not ids and not sender:
        raise wecom_error(40058, "external_userid and sender cannot both be empty")
    if not ids and sender:
        ids = [c["external_userid"] for c in contacts.customers_of(call.sandbox, corpid, sender)]
    tasks: dict[str, list[str]] = {}
    fail_list: list[str] = []
    for external_id in ids:
        contact = contacts.get_contact(call.sandbox, corpid, external_id)
        follows = [] if contact is None else contact["follow_user"]
        if sender:
            follows = [f for f in follows if f["userid"] == sender]
        if not follows:
            fail_list.append(external_id)
            continue
        # Sent by the member who added the customer last.
        follow = max(follows, key=lambda f: f["createtime"])
        if tag_filter and not _matches(follow["tags"], tag_filter):
            continue
        tasks.setdefault(follow["userid"], []).append(external_id)
    return tasks, fail_list


def _group_targets(
    call: Call, body: dict[str, Any], sender: str | None
) -> tuple[dict[str, list[str]], list[str]]:
    if not sender:
        raise wecom_error(40058, "sender is required for chat_type group")
    corpid = call.acct["corpid"]
    chats = str_list("chat_id_list", body.get("chat_id_list"), 2000)
    if not chats:
        chats = [g["chat_id"] for g in list_groups(call.sandbox, corpid) if g["owner"] == sender]
    ok_chats: list[str] = []
    fail_list: list[str] = []
    for chat in chats:
        group = get_group(call.sandbox, corpid, chat)
        if group is None or group.get("dismissed") or group["owner"] != sender:
            fail_list.append(chat)
        else:
            ok_chats.append(chat)
    return ({sender: ok_chats} if ok_chats else {}), fail_list


@area.api("/cgi-bin/externalcontact/add_msg_template")
async def add_msg_template(call: Call) -> dict[str, Any]:
    corp = call.acct
    body = call.json()
    chat_type = body.get("chat_type", "single")
    if chat_type not in ("single", "group"):
        raise wecom_error(40058, "chat_type must be single or group")
    message(body)
    sender = body.get("sender") or None
    if sender is not None:
        member = staff_member(corp, str(sender))
        if member is None:
            raise wecom_error(60111, str(sender))
        if not member.get("customer_contact"):
            raise wecom_error(84074, str(sender))
    groups_filter = ((body.get("tag_filter") or {}).get("group_list")) or []
    tag_filter = [
        str_list(f"tag_filter.group_list[{i}].tag_list", g.get("tag_list"), 100)
        for i, g in enumerate(groups_filter)
    ]
    if chat_type == "single":
        if body.get("chat_id_list"):
            raise wecom_error(40058, "chat_id_list is only for chat_type group")
        tasks, fail_list = _single_targets(call, body, sender, tag_filter)
    else:
        tasks, fail_list = _group_targets(call, body, sender)
    if not tasks:
        raise wecom_error(41048)
    msg: Doc = {
        "msgid": _msgid(),
        "chat_type": chat_type,
        "creator": sender,
        "create_type": 0,
        "create_time": int(call.now()),
        "text": body.get("text"),
        "attachments": body.get("attachments") or [],
        "fail_list": fail_list,
        "tasks": {
            userid: {"status": 0, "send_time": 0, "targets": targets}
            for userid, targets in tasks.items()
        },
        "results": {},
    }
    call.sandbox.store.put(MSG, corp["corpid"], msg["msgid"], msg)
    return ok(fail_list=fail_list, msgid=msg["msgid"])


def confirm(sandbox: Sandbox, corpid: str, msgid: str, userid: str) -> Doc:
    """A staff member taps "send" in the client: deliver to every target within its cap."""
    corp = get_corp(sandbox, corpid)
    if corp is None:
        raise KeyError(f"corp {corpid}")
    store = sandbox.store
    with store.transaction():
        msg = store.get(MSG, corpid, msgid)
        if msg is None:
            raise KeyError(f"msgid {msgid}")
        task = msg["tasks"].get(userid)
        if task is None:
            raise KeyError(f"task of {userid}")
        if task["status"] == 2:
            return msg
        _send(sandbox, corp, msg, userid, task)
        store.put(MSG, corpid, msgid, msg)
    return msg


def _send(sandbox: Sandbox, corp: Doc, msg: Doc, userid: str, task: Doc) -> None:
    corpid = corp["corpid"]
    now = int(sandbox.now())
    period, allowed = cap_for(corp, now)
    counters = f"wecom_mass:{corpid}"
    content = received.message_of(msg)
    results = []
    for target in task["targets"]:
        key = "external_userid" if msg["chat_type"] == "single" else "chat_id"
        row: Doc = {key: target, "userid": userid, "status": 1, "send_time": now}
        if msg["chat_type"] == "single" and not contacts.follows(sandbox, corpid, userid, target):
            row.update(status=2, send_time=0)
        elif sandbox.store.counter(counters, target, period) >= allowed:
            row.update(status=3, send_time=0)
        else:
            sandbox.store.incr(counters, target, period)
            _deliver(sandbox, corpid, msg, userid, target, content)
        results.append(row)
    task.update(status=2, send_time=now)
    msg["results"][userid] = results


def _deliver(
    sandbox: Sandbox, corpid: str, msg: Doc, userid: str, target: str, content: Doc
) -> None:
    if msg["chat_type"] == "single":
        received.record(
            sandbox, corpid, target, "mass", content, from_userid=userid, msgid=msg["msgid"]
        )
        return
    group = get_group(sandbox, corpid, target)
    for entry in (group or {}).get("member_list", []):
        if entry["type"] == 2:
            received.record(
                sandbox,
                corpid,
                entry["userid"],
                "group",
                content,
                from_userid=userid,
                chat_id=target,
                msgid=msg["msgid"],
            )


def settle(sandbox: Sandbox, corpid: str) -> None:
    """Confirm tasks whose automatic-confirmation delay has passed on the sandbox clock."""
    corp = get_corp(sandbox, corpid)
    if corp is None or corp.get("mass_confirm_delay") is None:
        return
    due = sandbox.now() - float(corp["mass_confirm_delay"])
    for msg in sandbox.store.list(MSG, corpid):
        if msg["create_time"] > due:
            continue
        for userid, task in msg["tasks"].items():
            if task["status"] == 0:
                confirm(sandbox, corpid, msg["msgid"], userid)


def _message(call: Call, body: dict[str, Any]) -> Doc:
    msgid = body.get("msgid")
    if not msgid:
        raise wecom_error(41046)
    settle(call.sandbox, call.acct["corpid"])
    msg = call.sandbox.store.get(MSG, call.acct["corpid"], str(msgid))
    if msg is None:
        raise wecom_error(41047)
    return msg


@area.api("/cgi-bin/externalcontact/get_groupmsg_list_v2")
async def get_groupmsg_list_v2(call: Call) -> dict[str, Any]:
    body = call.json()
    chat_type = body.get("chat_type")
    if chat_type not in ("single", "group"):
        raise wecom_error(40058, "chat_type must be single or group")
    start = int_in("start_time", body.get("start_time"), 0, 2**32)
    end = int_in("end_time", body.get("end_time"), 0, 2**32)
    if end < start or end - start > MONTH_SECONDS:
        raise wecom_error(40058, "the time span must be within one month")
    filter_type = body.get("filter_type", 2)
    int_in("filter_type", filter_type, 0, 2)
    limit_ = body.get("limit", 50)
    int_in("limit", limit_, 1, 100)
    creator = body.get("creator")
    settle(call.sandbox, call.acct["corpid"])
    rows = []
    for msg in call.sandbox.store.list(MSG, call.acct["corpid"]):
        if msg["chat_type"] != chat_type or not start <= msg["create_time"] <= end:
            continue
        if filter_type == 1 or (creator and msg.get("creator") != creator):
            continue  # every message made through the API is a corp message
        row: Doc = {
            "msgid": msg["msgid"],
            "create_time": msg["create_time"],
            "create_type": msg["create_type"],
        }
        if msg.get("text"):
            row["text"] = msg["text"]
        if msg.get("attachments"):
            row["attachments"] = msg["attachments"]
        rows.append(row)
    chunk, next_cursor = page(rows, body.get("cursor"), limit_)
    return ok(group_msg_list=chunk, next_cursor=next_cursor)


@area.api("/cgi-bin/externalcontact/get_groupmsg_task")
async def get_groupmsg_task(call: Call) -> dict[str, Any]:
    body = call.json()
    msg = _message(call, body)
    limit_ = body.get("limit", 500)
    int_in("limit", limit_, 1, 1000)
    rows = [
        {"userid": userid, "status": task["status"], "send_time": task["send_time"]}
        for userid, task in msg["tasks"].items()
    ]
    chunk, next_cursor = page(rows, body.get("cursor"), limit_)
    return ok(task_list=chunk, next_cursor=next_cursor)


@area.api("/cgi-bin/externalcontact/get_groupmsg_send_result")
async def get_groupmsg_send_result(call: Call) -> dict[str, Any]:
    body = call.json()
    msg = _message(call, body)
    userid = body.get("userid")
    if not userid:
        raise wecom_error(41009)
    limit_ = body.get("limit", 500)
    int_in("limit", limit_, 1, 1000)
    task = msg["tasks"].get(str(userid))
    rows: list[Doc] = []
    if task is not None:
        if task["status"] == 2:
            rows = list(msg["results"].get(str(userid), []))
        elif msg["chat_type"] == "single":
            # Group sends list only what was sent; single sends list pending customers too.
            rows = [
                {"external_userid": t, "userid": userid, "status": 0, "send_time": 0}
                for t in task["targets"]
            ]
    chunk, next_cursor = page(rows, body.get("cursor"), limit_)
    return ok(send_list=chunk, next_cursor=next_cursor)
