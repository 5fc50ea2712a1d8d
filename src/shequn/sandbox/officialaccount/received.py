"""What customers received from an account: custom messages, mass sends, template messages,
passive replies, previews and the system notice shown when the account's server fails.

Stored as log entries ("received", appid) so the control API and the phone page can show a chat.
"""

from __future__ import annotations

from typing import Any

from shequn.sandbox.context import Sandbox
from shequn.sandbox.state import Doc

RECEIVED = "received"
SERVICE_UNAVAILABLE = "该公众号暂时无法提供服务，请稍后再试"

VIAS = ("custom", "mass", "preview", "template", "passive", "system")


def record(sandbox: Sandbox, appid: str, openid: str, via: str, message: dict[str, Any]) -> int:
    if via not in VIAS:
        raise ValueError(f"via must be one of {VIAS}")
    entry = {
        "openid": openid,
        "via": via,
        "msgtype": message.get("msgtype", ""),
        "message": message,
    }
    return sandbox.store.append(RECEIVED, appid, sandbox.now(), entry)


def received_by(sandbox: Sandbox, appid: str, openid: str, via: str | None = None) -> list[Doc]:
    where: dict[str, Any] = {"openid": openid}
    if via is not None:
        where["via"] = via
    return sandbox.store.entries(RECEIVED, appid, where=where)


def service_unavailable(sandbox: Sandbox, appid: str, openid: str) -> int:
    return record(
        sandbox, appid, openid, "system", {"msgtype": "text", "content": SERVICE_UNAVAILABLE}
    )
