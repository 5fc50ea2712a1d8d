"""Control API under /sandbox/wecom/ (JSON): corp setup, customer and staff actions, and views
of contacts, groups, ways, mass messages and what customers received. See README.md.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from shequn.sandbox.context import Sandbox
from shequn.sandbox.control import ControlError, _body, _handler
from shequn.sandbox.wecom import actions, contacts, groups, mass, qrcodes
from shequn.sandbox.wecom.contact_ways import WAY
from shequn.sandbox.wecom.corps import (
    CORP,
    create_corp,
    list_corps,
    require_corp,
    save_corp,
    update_corp,
)
from shequn.sandbox.wecom.join_ways import JOIN_WAY
from shequn.sandbox.wecom.push import verify_callback_url
from shequn.sandbox.wecom.tokens import revoke_tokens


def _sandbox(request: Request) -> Sandbox:
    return request.app.state.sandbox  # type: ignore[no-any-return]


async def _verified(sandbox: Sandbox, corp: dict[str, Any], verify: bool) -> None:
    if corp.get("callback_url") and verify:
        passed, note = await verify_callback_url(sandbox, corp, corp["callback_url"])
        if not passed:
            raise ControlError(400, f"callback URL verification failed: {note}")


async def corps(request: Request) -> Any:
    sandbox = _sandbox(request)
    if request.method == "GET":
        return {"corps": list_corps(sandbox)}
    body = await _body(request)
    verify = bool(body.pop("verify_callback", True))
    corp = create_corp(sandbox, **body)
    try:
        # No transaction spans the handshake: other coroutines use the store meanwhile.
        await _verified(sandbox, corp, verify)
    except ControlError:
        sandbox.store.delete(CORP, "", corp["corpid"])
        raise
    return corp


async def corp_detail(request: Request) -> Any:
    sandbox = _sandbox(request)
    corpid = request.path_params["corpid"]
    if request.method == "GET":
        return require_corp(sandbox, corpid)
    body = await _body(request)
    verify = bool(body.pop("verify_callback", True))
    previous = require_corp(sandbox, corpid)
    corp = update_corp(sandbox, corpid, **body)
    if "callback_url" in body:
        try:
            await _verified(sandbox, corp, verify)
        except ControlError:
            save_corp(sandbox, previous)
            raise
    return corp


async def revoke(request: Request) -> Any:
    corpid = request.path_params["corpid"]
    require_corp(_sandbox(request), corpid)
    return {"revoked": revoke_tokens(_sandbox(request), corpid)}


async def contact_list(request: Request) -> Any:
    sandbox = _sandbox(request)
    corpid = request.path_params["corpid"]
    require_corp(sandbox, corpid)
    return {"contacts": contacts.list_contacts(sandbox, corpid)}


async def contact_detail(request: Request) -> Any:
    sandbox = _sandbox(request)
    corpid, external = request.path_params["corpid"], request.path_params["external_userid"]
    contact = contacts.get_contact(sandbox, corpid, external)
    if contact is None:
        raise KeyError(external)
    return contact


async def contact_received(request: Request) -> Any:
    sandbox = _sandbox(request)
    corpid, external = request.path_params["corpid"], request.path_params["external_userid"]
    return {"messages": await actions.received_messages(sandbox, corpid, external)}


async def group_list(request: Request) -> Any:
    sandbox = _sandbox(request)
    corpid = request.path_params["corpid"]
    require_corp(sandbox, corpid)
    return {"groups": groups.list_groups(sandbox, corpid, include_dismissed=True)}


async def group_detail(request: Request) -> Any:
    sandbox = _sandbox(request)
    corpid, chat = request.path_params["corpid"], request.path_params["chat_id"]
    group = groups.get_group(sandbox, corpid, chat)
    if group is None:
        raise KeyError(chat)
    return group


async def ways(request: Request) -> Any:
    sandbox = _sandbox(request)
    corpid = request.path_params["corpid"]
    require_corp(sandbox, corpid)
    return {
        "contact_ways": sandbox.store.list(WAY, corpid),
        "join_ways": sandbox.store.list(JOIN_WAY, corpid),
    }


async def qr_lookup(request: Request) -> Any:
    doc = qrcodes.lookup(_sandbox(request), request.path_params["key"])
    if doc is None:
        raise KeyError(request.path_params["key"])
    return doc


async def messages(request: Request) -> Any:
    sandbox = _sandbox(request)
    corpid = request.path_params["corpid"]
    require_corp(sandbox, corpid)
    mass.settle(sandbox, corpid)
    return {"messages": sandbox.store.list(mass.MSG, corpid)}


async def confirm_message(request: Request) -> Any:
    """Staff tap "send" for a mass message; {"userid"} (default: every pending member)."""
    sandbox = _sandbox(request)
    corpid, msgid = request.path_params["corpid"], request.path_params["msgid"]
    body = await _body(request)
    msg = sandbox.store.get(mass.MSG, corpid, msgid)
    if msg is None:
        raise KeyError(msgid)
    userids = [body["userid"]] if body.get("userid") else list(msg["tasks"])
    for userid in userids:
        msg = mass.confirm(sandbox, corpid, msgid, userid)
    return msg


ACTIONS: dict[str, Callable[..., Awaitable[dict[str, Any]]]] = {
    "add_staff": actions.add_staff,
    "remove_staff": actions.remove_staff,
    "staff_removes_customer": actions.staff_removes_customer,
    "staff_edits_customer": actions.staff_edits_customer,
    "staff_creates_group": actions.staff_creates_group,
    "join_group": actions.join_group,
    "leave_group": actions.leave_group,
    "dismiss_group": actions.dismiss_group,
    "admin_creates_tag": actions.admin_creates_tag,
    "admin_deletes_tag": actions.admin_deletes_tag,
    "staff_posts_in_group": actions.staff_posts_in_group,
}


async def act(request: Request) -> Any:
    """Run an action: {"kind": one of ACTIONS, ...its keyword arguments, "wait": true}.

    With wait (default) the callbacks it queued are delivered before answering.
    """
    sandbox = _sandbox(request)
    corpid = request.path_params["corpid"]
    body = await _body(request)
    wait = bool(body.pop("wait", True))
    kind = body.pop("kind", None)
    if kind not in ACTIONS:
        raise ControlError(400, f"kind must be one of {sorted(ACTIONS)}")
    before = {item["id"] for item in sandbox.store.outbox_items(status="pending")}
    try:
        result = await ACTIONS[kind](sandbox, corpid, **body)
    except TypeError as exc:
        raise ControlError(400, str(exc)) from exc
    queued = [
        item["id"]
        for item in sandbox.store.outbox_items(status="pending")
        if item["id"] not in before and item["channel"] == "wecom"
    ]
    answer: dict[str, Any] = {"result": result, "outbox_ids": queued}
    if wait:
        answer["deliveries"] = [(await sandbox.callbacks.deliver(i)).as_dict() for i in queued]
    return answer


def routes() -> list[BaseRoute]:
    def r(path: str, fn: Any, methods: list[str]) -> Route:
        return Route(path, _handler(fn), methods=methods)

    return [
        r("/corps", corps, ["GET", "POST"]),
        r("/corps/{corpid}", corp_detail, ["GET", "PATCH", "POST"]),
        r("/corps/{corpid}/revoke_tokens", revoke, ["POST"]),
        r("/corps/{corpid}/actions", act, ["POST"]),
        r("/corps/{corpid}/contacts", contact_list, ["GET"]),
        r("/corps/{corpid}/contacts/{external_userid}", contact_detail, ["GET"]),
        r("/corps/{corpid}/contacts/{external_userid}/received", contact_received, ["GET"]),
        r("/corps/{corpid}/groups", group_list, ["GET"]),
        r("/corps/{corpid}/groups/{chat_id}", group_detail, ["GET"]),
        r("/corps/{corpid}/ways", ways, ["GET"]),
        r("/corps/{corpid}/messages", messages, ["GET"]),
        r("/corps/{corpid}/messages/{msgid}/confirm", confirm_message, ["POST"]),
        r("/qr/{key}", qr_lookup, ["GET"]),
    ]
