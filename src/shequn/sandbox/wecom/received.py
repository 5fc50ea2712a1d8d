"""What WeCom customers received: welcome messages, mass messages and posts in their groups.

Log entries ("received", "wecom:<corpid>") with external_userid, via (welcome | mass | group),
from_userid, chat_id (group posts) and the message (text + attachments as sent).
"""

from __future__ import annotations

from typing import Any

from shequn.sandbox.context import Sandbox
from shequn.sandbox.state import Doc

RECEIVED = "received"
VIAS = ("welcome", "mass", "group")


def scope(corpid: str) -> str:
    return f"wecom:{corpid}"


def record(
    sandbox: Sandbox,
    corpid: str,
    external_userid: str,
    via: str,
    message: dict[str, Any],
    *,
    from_userid: str = "",
    chat_id: str = "",
    msgid: str = "",
) -> int:
    if via not in VIAS:
        raise ValueError(f"via must be one of {VIAS}")
    entry = {
        "external_userid": external_userid,
        "via": via,
        "from_userid": from_userid,
        "chat_id": chat_id,
        "msgid": msgid,
        "message": message,
    }
    return sandbox.store.append(RECEIVED, scope(corpid), sandbox.now(), entry)


def received_by(
    sandbox: Sandbox, corpid: str, external_userid: str, via: str | None = None
) -> list[Doc]:
    where: dict[str, Any] = {"external_userid": external_userid}
    if via is not None:
        where["via"] = via
    return sandbox.store.entries(RECEIVED, scope(corpid), where=where)


def message_of(body: dict[str, Any]) -> dict[str, Any]:
    """The part of a send_welcome_msg / add_msg_template body the customer sees."""
    message: dict[str, Any] = {}
    if body.get("text"):
        message["text"] = body["text"]
    if body.get("attachments"):
        message["attachments"] = body["attachments"]
    return message
