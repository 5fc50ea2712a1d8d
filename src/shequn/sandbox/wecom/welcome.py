"""send_welcome_msg (B.6): the WelcomeCode of an add_external_contact event, valid for 20 seconds
(a protocol deadline: the sandbox clock, or the wall clock with `deadlines="wall"`) and usable
once (41049 missing, 41050 unknown or expired, 41051 used).
"""

from __future__ import annotations

import secrets
from typing import Any

from shequn.sandbox.context import Sandbox
from shequn.sandbox.endpoints import Area, Call, ok
from shequn.sandbox.state import Doc
from shequn.sandbox.wecom import received
from shequn.sandbox.wecom.errors import wecom_error
from shequn.sandbox.wecom.tokens import wecom_access_token
from shequn.sandbox.wecom.validation import message

WELCOME = "wecom_welcome"
LIFETIME = 20

area = Area("wecom_welcome", authenticate=wecom_access_token)


def issue_code(sandbox: Sandbox, corpid: str, *, userid: str, external_userid: str) -> str:
    code = secrets.token_urlsafe(32)
    doc: Doc = {
        "code": code,
        "userid": userid,
        "external_userid": external_userid,
        "expires_at": sandbox.deadline_now() + LIFETIME,
        "used": False,
    }
    sandbox.store.put(WELCOME, corpid, code, doc)
    return code


@area.api("/cgi-bin/externalcontact/send_welcome_msg")
async def send_welcome_msg(call: Call) -> dict[str, Any]:
    corpid = call.acct["corpid"]
    body = call.json()
    code = body.get("welcome_code")
    if not code:
        raise wecom_error(41049)
    message(body)
    store = call.sandbox.store
    with store.transaction():
        doc = store.get(WELCOME, corpid, str(code))
        if doc is None or call.deadline_now() >= doc["expires_at"]:
            raise wecom_error(41050)
        if doc["used"]:
            raise wecom_error(41051)
        doc["used"] = True
        store.put(WELCOME, corpid, str(code), doc)
        received.record(
            call.sandbox,
            corpid,
            doc["external_userid"],
            "welcome",
            received.message_of(body),
            from_userid=doc["userid"],
        )
    return ok()
