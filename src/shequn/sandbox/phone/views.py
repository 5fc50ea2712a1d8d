"""The phone page and its JSON endpoints (all under /phone).

GET  /                         the page (a customer picker without ?customer=)
GET  /static/{name}            its CSS and JS
GET  /api/customers?q=         customers to pick from
GET  /api/home?customer=       chat list, groups, staff chats, red packets, codes to scan
GET  /api/chat?customer=&appid=        chat with an official account + its menu
GET  /api/wecom?customer=&corpid=&chat_id=|userid=   a group chat or a staff chat
POST /api/send     {customer, appid, text}            → a real callback to the account
POST /api/menu     {customer, appid, type, key|url}   → CLICK / VIEW event
POST /api/follow   {customer, appid, follow}          → subscribe / unsubscribe
POST /api/scan     {customer, kind, ...}              → follow with scene / add staff / join
POST /api/transfer {customer, mchid, out_bill_no, decline?} → confirm_transfer
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from shequn.sandbox import accounts
from shequn.sandbox.context import Sandbox
from shequn.sandbox.officialaccount.inbound import (
    QRCODE,
    CustomerActionError,
    push_user_message,
)
from shequn.sandbox.officialaccount.menus import MENU
from shequn.sandbox.phone.identity import (
    Identity,
    UnknownCustomerError,
    candidates,
    groups_of,
    resolve,
    staff_of,
)
from shequn.sandbox.population import lookups, platforms
from shequn.sandbox.population.conversation import record_sent, transcript

STATIC = Path(__file__).parent / "static"
FILES = {"phone.css": "text/css", "phone.js": "text/javascript"}
SUBSCRIPTIONS = "subscriptions"


class PhoneError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _sandbox(request: Request) -> Sandbox:
    return request.app.state.sandbox  # type: ignore[no-any-return]


def _endpoint(fn: Any) -> Any:
    async def endpoint(request: Request) -> Response:
        try:
            return JSONResponse(await fn(request))
        except PhoneError as err:
            return JSONResponse({"error": str(err)}, status_code=err.status)
        except UnknownCustomerError as err:
            return JSONResponse({"error": f"no customer {err.args[0]}"}, status_code=404)
        except (CustomerActionError, platforms.PlatformMissingError, ValueError) as err:
            return JSONResponse({"error": str(err)}, status_code=400)

    endpoint.__name__ = fn.__name__
    return endpoint


async def _json(request: Request) -> dict[str, Any]:
    try:
        data = json.loads(await request.body() or b"{}")
    except ValueError as exc:
        raise PhoneError(400, "body is not JSON") from exc
    if not isinstance(data, dict):
        raise PhoneError(400, "body must be a JSON object")
    return data


def _who(sandbox: Sandbox, value: Any) -> Identity:
    if not isinstance(value, str) or not value:
        raise PhoneError(400, "customer is required")
    return resolve(sandbox, value)


def _openid(identity: Identity, appid: Any) -> str:
    openid = identity.openids.get(str(appid))
    if openid is None:
        raise PhoneError(404, f"this customer has no openid for {appid}")
    return openid


def _external(identity: Identity, corpid: str) -> str | None:
    return identity.externals.get(corpid)


# pages ---------------------------------------------------------------------------------------


async def page(request: Request) -> Response:
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")


async def static(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in FILES:
        return Response(b"not found", status_code=404)
    return FileResponse(STATIC / name, media_type=f"{FILES[name]}; charset=utf-8")


# reads ---------------------------------------------------------------------------------------


async def customer_list(request: Request) -> Any:
    q = request.query_params.get("q", "")
    return {"customers": candidates(_sandbox(request), q)}


def _preview(entry: dict[str, Any] | None) -> str:
    if entry is None:
        return ""
    if entry["from"] == "customer":
        return str(entry.get("content", ""))
    message = entry.get("message") or {}
    kind = message.get("msgtype", "")
    if kind == "text":
        return str(message.get("content") or (message.get("text") or {}).get("content", ""))
    if kind in ("news", "mpnews"):
        return "[图文] Article"
    return f"[{kind}]" if kind else ""


def _codes(sandbox: Sandbox) -> list[dict[str, Any]]:
    """Codes a customer may scan: channel QR codes, staff contact ways, group join ways."""
    now = sandbox.now()
    out: list[dict[str, Any]] = []
    for account in accounts.list_accounts(sandbox):
        for qr in sandbox.store.list(QRCODE, account["appid"], limit=50):
            if qr.get("expire_at") and qr["expire_at"] <= now:
                continue
            scene = qr.get("scene_str") or qr.get("scene_id")
            out.append(
                {
                    "kind": "oa",
                    "appid": account["appid"],
                    "ticket": qr["ticket"],
                    "label": f"{account['name']} · {scene}",
                }
            )
    for corp in sandbox.store.list("wecom_corp", ""):
        corpid = corp["corpid"]
        for way in lookups.docs(sandbox, lookups.CONTACT_WAY_KINDS, corpid, limit=50):
            label = f"联系我 · {', '.join(way.get('user', []))} · {way.get('state') or ''}"
            out.append(
                {"kind": "staff", "corpid": corpid, "config_id": way["config_id"], "label": label}
            )
        for way in lookups.docs(sandbox, lookups.JOIN_WAY_KINDS, corpid, limit=50):
            label = f"加入群聊 · {way.get('remark') or way.get('state') or way['config_id'][:8]}"
            out.append(
                {"kind": "join", "corpid": corpid, "config_id": way["config_id"], "label": label}
            )
    return out


async def home(request: Request) -> Any:
    sandbox = _sandbox(request)
    identity = _who(sandbox, request.query_params.get("customer"))
    chats: list[dict[str, Any]] = []
    folded: list[dict[str, Any]] = []
    for appid, openid in sorted(identity.openids.items()):
        account = accounts.get_account(sandbox, appid)
        follower = accounts.get_customer(sandbox, appid, openid)
        if account is None or follower is None:
            continue
        last = transcript(sandbox, appid, openid, limit=1)
        chat = {
            "appid": appid,
            "name": account["name"],
            "kind": account["kind"],
            "following": follower["subscribe"] == 1,
            "last": _preview(last[-1] if last else None),
            "at": last[-1]["at"] if last else 0,
        }
        if chat["following"] or last:
            (folded if account["kind"] == "subscription" else chats).append(chat)
    if folded:
        newest = max(folded, key=lambda c: c["at"])
        chats.append(
            {
                "appid": SUBSCRIPTIONS,
                "name": "订阅号消息",
                "kind": "folder",
                "last": f"{newest['name']}: {newest['last']}",
                "at": newest["at"],
                "accounts": folded,
            }
        )
    chats.sort(key=lambda c: -c["at"])
    bills = lookups.waiting_bills_for(sandbox, set(identity.openids.values()))
    return {
        "me": identity.as_dict(),
        "chats": chats,
        "groups": groups_of(sandbox, identity),
        "staff": staff_of(sandbox, identity),
        "red_packets": bills,
        "codes": _codes(sandbox),
        "accounts": [
            {"appid": a["appid"], "name": a["name"], "kind": a["kind"]}
            for a in accounts.list_accounts(sandbox)
            if a["appid"] in identity.openids
        ],
    }


def _menu(sandbox: Sandbox, appid: str) -> list[dict[str, Any]]:
    menu = sandbox.store.get(MENU, appid, "default") or {}
    return list(menu.get("button", []))


async def chat(request: Request) -> Any:
    sandbox = _sandbox(request)
    q = request.query_params
    identity = _who(sandbox, q.get("customer"))
    appid = q.get("appid", "")
    openid = _openid(identity, appid)
    account = accounts.get_account(sandbox, appid)
    if account is None:
        raise PhoneError(404, f"no account {appid}")
    follower = accounts.get_customer(sandbox, appid, openid) or {}
    return {
        "account": {"appid": appid, "name": account["name"], "kind": account["kind"]},
        "following": follower.get("subscribe") == 1,
        "messages": transcript(sandbox, appid, openid, since_id=int(q.get("since_id", 0))),
        "menu": _menu(sandbox, appid),
    }


async def wecom_chat(request: Request) -> Any:
    sandbox = _sandbox(request)
    q = request.query_params
    identity = _who(sandbox, q.get("customer"))
    corpid = q.get("corpid", "")
    external = _external(identity, corpid)
    if external is None:
        raise PhoneError(404, f"this customer is not a contact of {corpid}")
    messages = await platforms.wecom_received(sandbox, corpid, external)
    if q.get("chat_id"):
        messages = [m for m in messages if m.get("chat_id") == q["chat_id"]]
    else:
        userid = q.get("userid", "")
        messages = [m for m in messages if not m.get("chat_id") and m.get("from_userid") == userid]
    return {"messages": messages}


# actions -------------------------------------------------------------------------------------


async def _deliver(sandbox: Sandbox, item_id: int) -> dict[str, Any]:
    return (await sandbox.callbacks.deliver(item_id)).as_dict()


async def send(request: Request) -> Any:
    sandbox = _sandbox(request)
    body = await _json(request)
    identity = _who(sandbox, body.get("customer"))
    appid = str(body.get("appid", ""))
    openid = _openid(identity, appid)
    text = str(body.get("text", "")).strip()
    if not text:
        raise PhoneError(400, "text is empty")
    item = push_user_message(sandbox, appid, openid, "text", content=text)
    record_sent(sandbox, appid, openid, "text", text)
    return {"delivery": await _deliver(sandbox, item)}


async def menu(request: Request) -> Any:
    sandbox = _sandbox(request)
    body = await _json(request)
    identity = _who(sandbox, body.get("customer"))
    appid = str(body.get("appid", ""))
    openid = _openid(identity, appid)
    if body.get("type") == "view":
        item = push_user_message(sandbox, appid, openid, "view", url=str(body.get("url", "")))
    else:
        item = push_user_message(
            sandbox, appid, openid, "click", event_key=str(body.get("key", ""))
        )
    return {"delivery": await _deliver(sandbox, item)}


async def follow(request: Request) -> Any:
    sandbox = _sandbox(request)
    body = await _json(request)
    identity = _who(sandbox, body.get("customer"))
    appid = str(body.get("appid", ""))
    openid = _openid(identity, appid)
    kind = "follow" if body.get("follow", True) else "unfollow"
    item = push_user_message(sandbox, appid, openid, kind)
    return {"delivery": await _deliver(sandbox, item)}


async def _drain(sandbox: Sandbox) -> None:
    await sandbox.callbacks.drain()


async def scan(request: Request) -> Any:
    sandbox = _sandbox(request)
    body = await _json(request)
    identity = _who(sandbox, body.get("customer"))
    kind = body.get("kind")
    if kind == "oa":
        appid = str(body.get("appid", ""))
        openid = _openid(identity, appid)
        customer = accounts.get_customer(sandbox, appid, openid) or {}
        event = "scan" if customer.get("subscribe") == 1 else "follow"
        item = push_user_message(sandbox, appid, openid, event, ticket=str(body.get("ticket")))
        return {"result": event, "delivery": await _deliver(sandbox, item)}
    corpid = str(body.get("corpid", ""))
    config_id = str(body.get("config_id", ""))
    external = _external(identity, corpid)
    if kind == "staff":
        way = sandbox.store.get(lookups.CONTACT_WAY_KINDS[0], corpid, config_id)
        if way is None:
            raise PhoneError(404, f"no contact way {config_id}")
        result = await platforms.add_staff(
            sandbox,
            corpid,
            userid=way["user"][0],
            external_userid=external,
            unionid=identity.unionid,
            name=identity.nickname,
            config_id=config_id,
        )
    elif kind == "join":
        if external is None:
            raise PhoneError(400, "add a staff account of this company before joining its groups")
        result = await platforms.join_group(
            sandbox, corpid, external_userid=external, join_way_config_id=config_id, join_scene=3
        )
    else:
        raise PhoneError(400, "kind must be oa, staff or join")
    await _drain(sandbox)
    return {"result": result}


async def transfer(request: Request) -> Any:
    sandbox = _sandbox(request)
    body = await _json(request)
    identity = _who(sandbox, body.get("customer"))
    mchid, number = str(body.get("mchid", "")), str(body.get("out_bill_no", ""))
    mine = {
        b["out_bill_no"] for b in lookups.waiting_bills_for(sandbox, set(identity.openids.values()))
    }
    if number not in mine:
        raise PhoneError(404, "no transfer waiting for this customer with that number")
    if body.get("decline"):
        result = await platforms.decline_transfer(sandbox, mchid, out_bill_no=number)
    else:
        result = await platforms.confirm_transfer(sandbox, mchid, out_bill_no=number)
    await _drain(sandbox)
    return {"result": result}


def routes() -> list[BaseRoute]:
    def api(path: str, fn: Any, method: str) -> Route:
        return Route(f"/api/{path}", _endpoint(fn), methods=[method])

    return [
        Route("/", page, methods=["GET"]),
        Route("/static/{name}", static, methods=["GET"]),
        api("customers", customer_list, "GET"),
        api("home", home, "GET"),
        api("chat", chat, "GET"),
        api("wecom", wecom_chat, "GET"),
        api("send", send, "POST"),
        api("menu", menu, "POST"),
        api("follow", follow, "POST"),
        api("scan", scan, "POST"),
        api("transfer", transfer, "POST"),
    ]
