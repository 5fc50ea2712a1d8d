"""Group welcome templates (入群欢迎语素材, B.8): `group_welcome_template/add|edit|get|del`.

A template is text (`%NICKNAME%` is kept as written) plus at most one attachment: image
(`media_id` or `pic_url`), link (title required), miniprogram (title, pic_media_id, appid, page),
file or video (`media_id`). At most 100 templates per corp (41055; the corp's
`limits.group_welcome_templates` overrides it for tests). add answers a new `template_id`;
edit overwrites the given parts; get answers text + attachment; del removes it. An unknown or
missing template_id answers 40058. `agentid` and `notify` (0/1) are stored as sent.

WeCom binds a template to groups only in the staff's client (no API), and the sandbox has no
per-group welcome setting: templates are stored and returned, never sent to joining customers.
"""

from __future__ import annotations

import secrets
from typing import Any

from shequn.sandbox.context import Sandbox
from shequn.sandbox.endpoints import Area, Call, ok
from shequn.sandbox.state import Doc
from shequn.sandbox.wecom.errors import wecom_error
from shequn.sandbox.wecom.tokens import wecom_access_token
from shequn.sandbox.wecom.validation import int_in

TEMPLATE = "wecom_group_welcome"
MAX_TEMPLATES = 100
MAX_TEXT_BYTES = 4000
MEDIA_KINDS = ("image", "link", "miniprogram", "file", "video")
# Required fields of each attachment kind (image takes media_id or pic_url).
REQUIRED = {
    "link": ("title", "url"),
    "miniprogram": ("title", "pic_media_id", "appid", "page"),
    "file": ("media_id",),
    "video": ("media_id",),
}
BYTE_LIMITS = {
    ("link", "title"): 128,
    ("link", "desc"): 512,
    ("link", "url"): 2048,
    ("link", "picurl"): 2048,
    ("miniprogram", "title"): 64,
}

area = Area("wecom_group_welcome", authenticate=wecom_access_token)


def list_templates(sandbox: Sandbox, corpid: str) -> list[Doc]:
    return sandbox.store.list(TEMPLATE, corpid)


def get_template(sandbox: Sandbox, corpid: str, template_id: str) -> Doc | None:
    return sandbox.store.get(TEMPLATE, corpid, template_id)


def _text(body: dict[str, Any]) -> Doc | None:
    text = body.get("text")
    if text is None:
        return None
    if not isinstance(text, dict) or not isinstance(text.get("content", ""), str):
        raise wecom_error(40058, "text must be {content}")
    content = str(text.get("content") or "")
    if len(content.encode("utf-8")) > MAX_TEXT_BYTES:
        raise wecom_error(40058, f"text.content exceeds {MAX_TEXT_BYTES} bytes")
    return {"content": content}


def _media(body: dict[str, Any]) -> tuple[str, Doc] | None:
    given = [kind for kind in MEDIA_KINDS if body.get(kind) is not None]
    if not given:
        return None
    if len(given) > 1:
        raise wecom_error(40058, "at most one of image, link, miniprogram, file, video")
    kind = given[0]
    item = body[kind]
    if not isinstance(item, dict):
        raise wecom_error(40058, f"{kind} must be an object")
    if kind == "image" and not (item.get("media_id") or item.get("pic_url")):
        raise wecom_error(40058, "image needs media_id or pic_url")
    for name in REQUIRED.get(kind, ()):
        if not item.get(name):
            raise wecom_error(40058, f"{kind}.{name} missing")
    for (of, name), limit in BYTE_LIMITS.items():
        value = item.get(name)
        if of == kind and value is not None and len(str(value).encode("utf-8")) > limit:
            raise wecom_error(40058, f"{kind}.{name} exceeds {limit} bytes")
    return kind, {str(k): v for k, v in item.items() if v is not None}


def _existing(call: Call, body: dict[str, Any]) -> Doc:
    template_id = body.get("template_id")
    if not template_id:
        raise wecom_error(40058, "template_id missing")
    doc = get_template(call.sandbox, call.acct["corpid"], str(template_id))
    if doc is None:
        raise wecom_error(40058, "invalid template_id")
    return doc


def _view(doc: Doc) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if doc.get("text") is not None:
        out["text"] = doc["text"]
    if doc.get("media") is not None:
        kind, item = doc["media"]
        out[kind] = item
    return out


@area.api("/cgi-bin/externalcontact/group_welcome_template/add")
async def add_template(call: Call) -> dict[str, Any]:
    corp = call.acct
    body = call.json()
    text, media = _text(body), _media(body)
    if not (text and text["content"]) and media is None:
        raise wecom_error(40058, "text and attachment cannot both be empty")
    notify = int_in("notify", body.get("notify", 1), 0, 1)
    cap = int((corp.get("limits") or {}).get("group_welcome_templates", MAX_TEMPLATES))
    store = call.sandbox.store
    with store.transaction():
        if len(list_templates(call.sandbox, corp["corpid"])) >= cap:
            raise wecom_error(41055)
        template_id = "msg" + secrets.token_hex(12)
        doc: Doc = {
            "template_id": template_id,
            "text": text,
            "media": list(media) if media else None,
            "agentid": body.get("agentid"),
            "notify": notify,
        }
        store.put(TEMPLATE, corp["corpid"], template_id, doc)
    return ok(template_id=template_id)


@area.api("/cgi-bin/externalcontact/group_welcome_template/edit")
async def edit_template(call: Call) -> dict[str, Any]:
    body = call.json()
    doc = _existing(call, body)
    text, media = _text(body), _media(body)
    if text is not None:
        doc["text"] = text
    if media is not None:
        doc["media"] = list(media)
    if body.get("agentid") is not None:
        doc["agentid"] = body["agentid"]
    if not (doc.get("text") or {}).get("content") and doc.get("media") is None:
        raise wecom_error(40058, "text and attachment cannot both be empty")
    call.sandbox.store.put(TEMPLATE, call.acct["corpid"], doc["template_id"], doc)
    return ok()


@area.api("/cgi-bin/externalcontact/group_welcome_template/get")
async def get_template_api(call: Call) -> dict[str, Any]:
    return ok(**_view(_existing(call, call.json())))


@area.api("/cgi-bin/externalcontact/group_welcome_template/del")
async def del_template(call: Call) -> dict[str, Any]:
    doc = _existing(call, call.json())
    call.sandbox.store.delete(TEMPLATE, call.acct["corpid"], doc["template_id"])
    return ok()
