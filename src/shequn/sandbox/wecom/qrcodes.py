"""QR images behind the qr_code URLs of contact ways and join ways.

The URL is `<public_url>/qyapi/wwpic/<key>/0` (WeCom serves them from wework.qpic.cn); the PNG
encodes a work.weixin.qq.com-style link. `GET /sandbox/wecom/qr/<key>` tells a simulated phone
which way a scanned code belongs to.
"""

from __future__ import annotations

import io
import secrets

import segno
from starlette.requests import Request
from starlette.responses import Response

from shequn.sandbox.context import Sandbox
from shequn.sandbox.state import Doc

QR = "wecom_qr"


def new_qr(sandbox: Sandbox, corpid: str, kind: str, config_id: str) -> str:
    """Register a code for a way; returns its image URL."""
    key = secrets.token_hex(16)
    doc = {"key": key, "corpid": corpid, "kind": kind, "config_id": config_id}
    sandbox.store.put(QR, "", key, doc)
    return f"{sandbox.public_url}/qyapi/wwpic/{key}/0"


def lookup(sandbox: Sandbox, key: str) -> Doc | None:
    return sandbox.store.get(QR, "", key)


def key_of(url: str) -> str:
    return url.rstrip("/").split("/")[-2]


async def image(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    key = request.path_params["key"]
    doc = lookup(sandbox, key)
    if doc is None:
        return Response(b"not found", status_code=404)
    buffer = io.BytesIO()
    segno.make(f"https://work.weixin.qq.com/ca/{key}", error="m").save(
        buffer, kind="png", scale=6, border=2
    )
    return Response(buffer.getvalue(), media_type="image/png")
