"""Temporary media (3-day life) and permanent materials (reference §6.6)."""

from __future__ import annotations

import base64
import json
from typing import Any

from starlette.responses import Response

from shequn.sandbox import ids
from shequn.sandbox.context import Sandbox
from shequn.sandbox.endpoints import Area, Call, Needs, ok
from shequn.sandbox.errors import ApiError
from shequn.sandbox.formdata import parse_form
from shequn.sandbox.officialaccount.quotas import DAILY_QUOTAS
from shequn.sandbox.officialaccount.tokens import oa_access_token
from shequn.sandbox.state import Doc

MEDIA = "media"
TEMP_LIFETIME = 3 * 24 * 3600
MB = 1024 * 1024
# type -> (allowed extensions, max bytes); thumb is 64 KB JPG.
RULES: dict[str, tuple[tuple[str, ...], int]] = {
    "image": (("png", "jpeg", "jpg", "gif", "bmp"), 10 * MB),
    "voice": (("amr", "mp3", "wma", "wav", "speex"), 2 * MB),
    "video": (("mp4",), 10 * MB),
    "thumb": (("jpg", "jpeg"), 64 * 1024),
}
PERMANENT_CAPS = {"image": 100_000, "voice": 1000, "video": 1000, "thumb": 1000, "news": 100_000}

# A 1x1 PNG used for media a simulated customer "sends".
PLACEHOLDER_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)

area = Area("media", authenticate=oa_access_token, quotas=DAILY_QUOTAS)


def store_media(
    sandbox: Sandbox,
    appid: str,
    media_id: str,
    *,
    kind: str,
    content: bytes,
    filename: str,
    content_type: str,
    now: float,
    permanent: bool,
    extra: dict[str, Any] | None = None,
) -> Doc:
    doc = {
        "media_id": media_id,
        "type": kind,
        "filename": filename,
        "content_type": content_type,
        "content_b64": base64.b64encode(content).decode("ascii"),
        "size": len(content),
        "created_at": int(now),
        "permanent": permanent,
        # Three days, a protocol deadline: the product caches media ids on its own clock.
        "expire_at": None if permanent else sandbox.deadline_now() + TEMP_LIFETIME,
        **(extra or {}),
    }
    sandbox.store.put(MEDIA, appid, media_id, doc)
    return doc


def find_media(
    sandbox: Sandbox, appid: str, media_id: str, *, permanent: bool | None = None
) -> Doc:
    """The media doc or 40007 (unknown, expired, other account's, or wrong kind)."""
    doc = sandbox.store.get(MEDIA, appid, media_id)
    if doc is None:
        raise ApiError(40007)
    if doc.get("expire_at") and doc["expire_at"] <= sandbox.deadline_now():
        raise ApiError(40007)
    if permanent is not None and bool(doc["permanent"]) != permanent:
        raise ApiError(40007)
    return doc


def _upload(call: Call, kind: str | None) -> tuple[str, bytes, str, str, dict[str, Any]]:
    if kind not in RULES:
        raise ApiError(40004)
    try:
        form = parse_form(call.request.headers.get("content-type", ""), call.body)
    except ValueError as exc:
        raise ApiError(41005) from exc
    part = form.get("media")
    if part is None or not part.content:
        raise ApiError(41005)
    filename = part.filename or f"upload.{RULES[kind][0][0]}"
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    allowed, max_size = RULES[kind]
    if ext not in allowed:
        raise ApiError(40005)
    if len(part.content) > max_size:
        raise ApiError(40006)
    extras = {k: v.content.decode("utf-8", "replace") for k, v in form.items() if k != "media"}
    return filename, part.content, part.content_type, ext, extras


@area.api("/cgi-bin/media/upload", needs=Needs.VERIFIED)
async def upload_temp(call: Call) -> dict[str, Any]:
    kind = call.query.get("type")
    filename, content, ctype, _, _ = _upload(call, kind)
    kind = str(kind)
    media_id = ids.media_id()
    now = call.now()
    store_media(
        call.sandbox,
        call.appid,
        media_id,
        kind=kind,
        content=content,
        filename=filename,
        content_type=ctype,
        now=now,
        permanent=False,
    )
    key = "thumb_media_id" if kind == "thumb" else "media_id"
    return {"type": kind, key: media_id, "created_at": int(now)}


@area.api("/cgi-bin/media/get", methods=("GET",), needs=Needs.VERIFIED)
async def get_temp(call: Call) -> Any:
    media_id = call.query.get("media_id")
    if not media_id:
        raise ApiError(41006)
    doc = find_media(call.sandbox, call.appid, media_id)
    if doc["type"] == "video":
        return {"video_url": f"{call.sandbox.public_url}/sandbox/media/{media_id}"}
    return _file_response(doc)


def _file_response(doc: Doc) -> Response:
    return Response(
        base64.b64decode(doc["content_b64"]),
        media_type=doc["content_type"] or "application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{doc["filename"]}"'},
    )


@area.api("/cgi-bin/media/uploadimg", needs=Needs.VERIFIED)
async def upload_article_image(call: Call) -> dict[str, Any]:
    filename, content, ctype, ext, _ = _upload(call, "image")
    if ext not in ("jpg", "jpeg", "png"):
        raise ApiError(40005)
    if len(content) >= MB:
        raise ApiError(40006)
    media_id = ids.media_id()
    store_media(
        call.sandbox,
        call.appid,
        media_id,
        kind="article_image",
        content=content,
        filename=filename,
        content_type=ctype,
        now=call.now(),
        permanent=True,
    )
    return {"url": f"{call.sandbox.public_url}/sandbox/media/{media_id}"}


@area.api("/cgi-bin/material/add_material", needs=Needs.VERIFIED)
async def add_material(call: Call) -> dict[str, Any]:
    kind = call.query.get("type")
    filename, content, ctype, _, extras = _upload(call, kind)
    kind = str(kind)
    store = call.sandbox.store
    if (
        store.count(MEDIA, call.appid, where={"permanent": True, "type": kind})
        >= PERMANENT_CAPS[kind]
    ):
        raise ApiError(45009, "material count reach limit")
    extra: dict[str, Any] = {}
    if kind == "video":
        try:
            desc = json.loads(extras.get("description", ""))
            extra = {"title": desc["title"], "introduction": desc.get("introduction", "")}
        except (ValueError, KeyError, TypeError) as exc:
            raise ApiError(40035, "invalid args: description") from exc
    media_id = ids.media_id()
    store_media(
        call.sandbox,
        call.appid,
        media_id,
        kind=kind,
        content=content,
        filename=filename,
        content_type=ctype,
        now=call.now(),
        permanent=True,
        extra=extra,
    )
    answer: dict[str, Any] = {"media_id": media_id}
    if kind == "image":
        answer["url"] = f"{call.sandbox.public_url}/sandbox/media/{media_id}"
    return answer


@area.api("/cgi-bin/material/get_material", needs=Needs.VERIFIED)
async def get_material(call: Call) -> Any:
    media_id = call.json().get("media_id")
    if not media_id:
        raise ApiError(41006)
    doc = find_media(call.sandbox, call.appid, media_id, permanent=True)
    if doc["type"] == "video":
        return {
            "title": doc.get("title", ""),
            "description": doc.get("introduction", ""),
            "down_url": f"{call.sandbox.public_url}/sandbox/media/{media_id}",
        }
    return _file_response(doc)


@area.api("/cgi-bin/material/del_material", needs=Needs.VERIFIED)
async def del_material(call: Call) -> dict[str, Any]:
    media_id = call.json().get("media_id")
    if not media_id:
        raise ApiError(41006)
    find_media(call.sandbox, call.appid, media_id, permanent=True)
    if call.sandbox.store.get("material_ref", call.appid, media_id) is not None:
        raise ApiError(48005)
    call.sandbox.store.delete(MEDIA, call.appid, media_id)
    return ok()


@area.api("/cgi-bin/material/get_materialcount", methods=("GET",), needs=Needs.VERIFIED)
async def material_count(call: Call) -> dict[str, Any]:
    def count(kind: str) -> int:
        return call.sandbox.store.count(MEDIA, call.appid, where={"permanent": True, "type": kind})

    return {
        "voice_count": count("voice"),
        "video_count": count("video"),
        "image_count": count("image"),
        "news_count": 0,
    }


@area.api("/cgi-bin/material/batchget_material", needs=Needs.VERIFIED)
async def batchget_material(call: Call) -> dict[str, Any]:
    body = call.json()
    kind = body.get("type")
    if kind not in ("image", "video", "voice", "news"):
        raise ApiError(40004)
    count = int(body.get("count", 20))
    if not 1 <= count <= 20:
        raise ApiError(40035, "invalid args: count")
    offset = int(body.get("offset", 0))
    store = call.sandbox.store
    where = {"permanent": True, "type": kind}
    items = store.list(MEDIA, call.appid, where=where, offset=offset, limit=count)
    return {
        "total_count": store.count(MEDIA, call.appid, where=where),
        "item_count": len(items),
        "item": [
            {
                "media_id": d["media_id"],
                "name": d["filename"],
                "update_time": d["created_at"],
                "url": f"{call.sandbox.public_url}/sandbox/media/{d['media_id']}",
            }
            for d in items
        ],
    }
