"""Template messages (reference §6.9): verified service accounts only; the outcome arrives as a
TEMPLATESENDJOBFINISH callback after the account's `callback_delays["template"]` seconds."""

from __future__ import annotations

import re
from typing import Any

from shequn.sandbox import ids
from shequn.sandbox.accounts import get_account
from shequn.sandbox.context import Sandbox
from shequn.sandbox.endpoints import Area, Call, Needs, ok
from shequn.sandbox.errors import ApiError
from shequn.sandbox.officialaccount import received
from shequn.sandbox.officialaccount.followers import known_customer
from shequn.sandbox.officialaccount.push import enqueue_packet
from shequn.sandbox.officialaccount.quotas import DAILY_QUOTAS
from shequn.sandbox.officialaccount.tokens import oa_access_token
from shequn.sandbox.state import Doc

TEMPLATE = "template"
CLIENT_MSG_WINDOW = 24 * 3600
MAX_TEMPLATES = 25
_KEYWORD = re.compile(r"\{\{\s*(\w+)\.DATA\s*\}\}")

area = Area("templates", authenticate=oa_access_token, quotas=DAILY_QUOTAS)


def add_template(
    sandbox: Sandbox, appid: str, *, title: str, content: str, template_id: str | None = None
) -> Doc:
    doc = {
        "template_id": template_id or ids.media_id()[:43],
        "title": title,
        "primary_industry": "IT科技",
        "deputy_industry": "互联网|电子商务",
        "content": content or "{{thing1.DATA}}\n{{time2.DATA}}",
        "example": "",
    }
    sandbox.store.put(TEMPLATE, appid, doc["template_id"], doc)
    return doc


def list_templates(sandbox: Sandbox, appid: str) -> list[Doc]:
    return sandbox.store.list(TEMPLATE, appid)


def render(template: Doc, data: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        item = data.get(match.group(1)) or {}
        return str(item.get("value", "")) if isinstance(item, dict) else ""

    return _KEYWORD.sub(value, template["content"])


@area.api("/cgi-bin/template/api_set_industry", needs=Needs.VERIFIED_SERVICE)
async def set_industry(call: Call) -> dict[str, Any]:
    body = call.json()
    call.sandbox.store.put(
        "industry",
        call.appid,
        "current",
        {
            "industry_id1": str(body.get("industry_id1", "")),
            "industry_id2": str(body.get("industry_id2", "")),
        },
    )
    return ok()


@area.api("/cgi-bin/template/get_industry", methods=("GET",), needs=Needs.VERIFIED_SERVICE)
async def get_industry(call: Call) -> dict[str, Any]:
    return {
        "primary_industry": {"first_class": "IT科技", "second_class": "互联网|电子商务"},
        "secondary_industry": {"first_class": "IT科技", "second_class": "IT软件与服务"},
    }


@area.api("/cgi-bin/template/api_add_template", needs=Needs.VERIFIED_SERVICE)
async def api_add_template(call: Call) -> dict[str, Any]:
    short = call.json().get("template_id_short")
    if not short:
        raise ApiError(40037)
    if call.sandbox.store.count(TEMPLATE, call.appid) >= MAX_TEMPLATES:
        raise ApiError(45026, "template size out of limit")
    doc = add_template(call.sandbox, call.appid, title=str(short), content="")
    return ok(template_id=doc["template_id"])


@area.api(
    "/cgi-bin/template/get_all_private_template", methods=("GET",), needs=Needs.VERIFIED_SERVICE
)
async def all_private(call: Call) -> dict[str, Any]:
    return {"template_list": list_templates(call.sandbox, call.appid)}


@area.api("/cgi-bin/template/del_private_template", needs=Needs.VERIFIED_SERVICE)
async def delete_private(call: Call) -> dict[str, Any]:
    if not call.sandbox.store.delete(TEMPLATE, call.appid, str(call.json().get("template_id"))):
        raise ApiError(40037)
    return ok()


@area.api("/cgi-bin/message/template/send", needs=Needs.VERIFIED_SERVICE)
async def send(call: Call) -> dict[str, Any]:
    body = call.json()
    store = call.sandbox.store
    now = call.now()
    customer = known_customer(call.sandbox, call.appid, body.get("touser"))
    template_id = body.get("template_id")
    if not template_id:
        raise ApiError(40036)
    template = store.get(TEMPLATE, call.appid, str(template_id))
    if template is None:
        raise ApiError(40037)
    if customer["subscribe"] != 1:
        raise ApiError(43004)
    data = body.get("data") or {}
    if not isinstance(data, dict):
        raise ApiError(47003, "argument invalid! data")
    client_msg_id = body.get("client_msg_id")
    if client_msg_id:
        seen = store.get("template_client_msg", call.appid, str(client_msg_id))
        if seen is not None and now - seen["at"] < CLIENT_MSG_WINDOW:
            return ok(msgid=seen["msgid"])
    msgid = store.sequence("template_msgid", 2_000_000_000)
    if client_msg_id:
        store.put(
            "template_client_msg", call.appid, str(client_msg_id), {"msgid": msgid, "at": now}
        )
    refused = customer.get("blacklisted") or not customer.get("accepts_messages", True)
    if not refused:
        received.record(
            call.sandbox,
            call.appid,
            customer["openid"],
            "template",
            {
                "msgtype": "template",
                "msgid": msgid,
                "template_id": template_id,
                "title": template["title"],
                "content": render(template, data),
                "url": body.get("url"),
                "miniprogram": body.get("miniprogram"),
                "data": data,
            },
        )
    account = get_account(call.sandbox, call.appid) or {}
    packet = {
        "ToUserName": account.get("original_id", ""),
        "FromUserName": customer["openid"],
        "CreateTime": int(now),
        "MsgType": "event",
        "Event": "TEMPLATESENDJOBFINISH",
        "MsgID": msgid,
        "Status": "failed:user block" if refused else "success",
    }
    delay = float((account.get("callback_delays") or {}).get("template", 1.0))
    enqueue_packet(
        call.sandbox,
        call.appid,
        packet,
        replyable=False,
        delay=delay,
        summary=f"TEMPLATESENDJOBFINISH {msgid}",
    )
    return ok(msgid=msgid)
