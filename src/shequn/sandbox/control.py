"""The control API under /sandbox/ (JSON in, JSON out): what tests, the demo and the simulated
population use to set the scene and to look behind WeChat's back. See README.md for the table.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from shequn.sandbox import accounts
from shequn.sandbox.context import Sandbox
from shequn.sandbox.officialaccount import received as received_log
from shequn.sandbox.officialaccount.inbound import CustomerActionError, push_user_message


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _sandbox(request: Request) -> Sandbox:
    return request.app.state.sandbox  # type: ignore[no-any-return]


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise ControlError(400, "body is not JSON") from exc
    if not isinstance(data, dict):
        raise ControlError(400, "body must be a JSON object")
    return data


def _handler(fn: Any) -> Any:
    async def endpoint(request: Request) -> Response:
        try:
            result = await fn(request)
        except ControlError as err:
            return JSONResponse({"error": err.message}, status_code=err.status)
        except (ValueError, CustomerActionError) as err:
            return JSONResponse({"error": str(err)}, status_code=400)
        except KeyError as err:
            return JSONResponse({"error": f"not found: {err.args[0]}"}, status_code=404)
        if isinstance(result, Response):
            return result
        return JSONResponse(result)

    endpoint.__name__ = fn.__name__
    return endpoint


def _account(sandbox: Sandbox, appid: str) -> dict[str, Any]:
    account = accounts.get_account(sandbox, appid)
    if account is None:
        raise ControlError(404, f"no account {appid}")
    return account


def _customer(sandbox: Sandbox, appid: str, openid: str) -> dict[str, Any]:
    customer = accounts.get_customer(sandbox, appid, openid)
    if customer is None:
        raise ControlError(404, f"no customer {openid}")
    return customer


async def reset(request: Request) -> Any:
    _sandbox(request).reset()
    return {"ok": True}


async def clock(request: Request) -> Any:
    sandbox = _sandbox(request)
    if request.method == "POST":
        body = await _body(request)
        if "set" in body:
            sandbox.clock.set_time(float(body["set"]))
        if "advance" in body:
            sandbox.clock.advance(float(body["advance"]))
        if "speed" in body:
            sandbox.clock.set_speed(float(body["speed"]))
        if "deadlines" in body:
            sandbox.clock.set_deadlines(body["deadlines"])
    return {
        "now": sandbox.clock.now(),
        "speed": sandbox.clock.speed,
        "deadlines": sandbox.clock.deadlines,
        "wall": sandbox.clock.wall_now(),
    }


async def account_list(request: Request) -> Any:
    sandbox = _sandbox(request)
    if request.method == "POST":
        return accounts.create_account(sandbox, **await _body(request))
    return {"accounts": accounts.list_accounts(sandbox)}


async def account_detail(request: Request) -> Any:
    sandbox = _sandbox(request)
    appid = request.path_params["appid"]
    if request.method in ("PATCH", "POST"):
        _account(sandbox, appid)
        return accounts.update_account(sandbox, appid, **await _body(request))
    return _account(sandbox, appid)


async def customer_list(request: Request) -> Any:
    sandbox = _sandbox(request)
    appid = request.path_params["appid"]
    _account(sandbox, appid)
    if request.method == "POST":
        return accounts.create_customer(sandbox, appid, **await _body(request))
    return {"customers": sandbox.store.list(accounts.FOLLOWER, appid)}


async def customer_detail(request: Request) -> Any:
    sandbox = _sandbox(request)
    appid, openid = request.path_params["appid"], request.path_params["openid"]
    customer = _customer(sandbox, appid, openid)
    if request.method in ("PATCH", "POST"):
        body = await _body(request)
        allowed = {
            "nickname",
            "headimgurl",
            "sex",
            "language",
            "city",
            "province",
            "country",
            "platform",
            "unionid",
            "accepts_messages",
        }
        unknown = set(body) - allowed
        if unknown:
            raise ControlError(400, f"cannot change {sorted(unknown)}")
        customer.update(body)
        accounts.save_customer(sandbox, appid, customer)
    return customer


async def customer_event(request: Request) -> Any:
    """Act as the customer; with "wait" (default) the callback is delivered before answering."""
    sandbox = _sandbox(request)
    appid, openid = request.path_params["appid"], request.path_params["openid"]
    body = await _body(request)
    wait = bool(body.pop("wait", True))
    kind = body.pop("kind", None)
    if not kind:
        raise ControlError(400, "kind is required")
    item_id = push_user_message(sandbox, appid, openid, kind, **body)
    answer: dict[str, Any] = {"outbox_id": item_id, "customer": _customer(sandbox, appid, openid)}
    if wait:
        answer["delivery"] = (await sandbox.callbacks.deliver(item_id)).as_dict()
    return answer


async def customer_received(request: Request) -> Any:
    sandbox = _sandbox(request)
    appid, openid = request.path_params["appid"], request.path_params["openid"]
    _customer(sandbox, appid, openid)
    via = request.query_params.get("via")
    return {"messages": received_log.received_by(sandbox, appid, openid, via)}


async def callbacks_log(request: Request) -> Any:
    sandbox = _sandbox(request)
    q = request.query_params
    entries = sandbox.store.entries(
        "delivery", q.get("scope") or q.get("appid"), since_id=int(q.get("since_id", 0))
    )
    return {"deliveries": entries}


async def callbacks_flush(request: Request) -> Any:
    results = await _sandbox(request).callbacks.drain()
    return {"delivered": [r.as_dict() for r in results]}


async def outbox(request: Request) -> Any:
    return {
        "items": _sandbox(request).store.outbox_items(status=request.query_params.get("status"))
    }


async def faults(request: Request) -> Any:
    sandbox = _sandbox(request)
    if request.method == "DELETE":
        sandbox.faults.clear()
    elif request.method == "POST":
        body = await _body(request)
        if "fail_next" in body:
            spec = body["fail_next"]
            sandbox.faults.fail_next(
                int(spec.get("count", 1)),
                errcode=int(spec.get("errcode", -1)),
                errmsg=spec.get("errmsg"),
                path=spec.get("path"),
                http_status=int(spec.get("http_status", 200)),
                body=spec.get("body"),
            )
        if "latency_ms" in body:
            sandbox.faults.set_latency(int(body["latency_ms"]), path=body.get("latency_path"))
        if "callbacks" in body:
            cb = body["callbacks"]
            sandbox.faults.set_callbacks(
                drop_next=cb.get("drop_next"),
                delay_seconds=cb.get("delay_seconds"),
                delay_next=cb.get("delay_next"),
                duplicate_rate=cb.get("duplicate_rate"),
            )
    return sandbox.faults.snapshot()


async def public_media(request: Request) -> Response:
    """Files behind PicUrl / material url / video_url (WeChat serves these from its CDN)."""
    sandbox = _sandbox(request)
    media_id = request.path_params["media_id"]
    for appid in sandbox.store.scopes("media"):
        doc = sandbox.store.get("media", appid, media_id)
        if doc is not None:
            return Response(base64.b64decode(doc["content_b64"]), media_type=doc["content_type"])
    return Response(b"not found", status_code=404)


async def templates(request: Request) -> Any:
    """Seed private templates as if added in the console (content uses {{key.DATA}})."""
    from shequn.sandbox.officialaccount.templates import add_template, list_templates

    sandbox = _sandbox(request)
    appid = request.path_params["appid"]
    _account(sandbox, appid)
    if request.method == "POST":
        body = await _body(request)
        return add_template(
            sandbox,
            appid,
            title=body.get("title", "通知"),
            content=body.get("content", ""),
            template_id=body.get("template_id"),
        )
    return {"template_list": list_templates(sandbox, appid)}


def routes() -> list[BaseRoute]:
    def r(path: str, fn: Any, methods: list[str]) -> Route:
        return Route(path, _handler(fn), methods=methods)

    return [
        r("/reset", reset, ["POST"]),
        r("/clock", clock, ["GET", "POST"]),
        r("/accounts", account_list, ["GET", "POST"]),
        r("/accounts/{appid}", account_detail, ["GET", "PATCH", "POST"]),
        r("/accounts/{appid}/customers", customer_list, ["GET", "POST"]),
        r("/accounts/{appid}/customers/{openid}", customer_detail, ["GET", "PATCH", "POST"]),
        r("/accounts/{appid}/customers/{openid}/events", customer_event, ["POST"]),
        r("/accounts/{appid}/customers/{openid}/received", customer_received, ["GET"]),
        r("/accounts/{appid}/templates", templates, ["GET", "POST"]),
        r("/callbacks", callbacks_log, ["GET"]),
        r("/callbacks/flush", callbacks_flush, ["POST"]),
        r("/outbox", outbox, ["GET"]),
        r("/faults", faults, ["GET", "POST", "DELETE"]),
        Route("/media/{media_id}", public_media, methods=["GET"]),
    ]
