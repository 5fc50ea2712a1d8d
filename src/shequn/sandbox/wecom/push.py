"""WeCom callbacks: events encrypted in safe mode (ReceiveId = CorpID) and POSTed with
msg_signature, timestamp and nonce to the corp's callback URL (A.3–A.5, C).

The dispatcher (shequn.sandbox.callbacks) applies the 5 s timeout and the 3 attempts; any HTTP
200 counts as received, since customer-contact events take no passive reply. Only changes made
by customers and staff in their clients are pushed: API calls never enqueue anything here.
"""

from __future__ import annotations

import secrets
from typing import Any

import httpx

from shequn.sandbox import ids
from shequn.sandbox.callbacks import Outcome, Prepared
from shequn.sandbox.context import Sandbox
from shequn.sandbox.state import Doc
from shequn.sandbox.wecom.corps import get_corp
from shequn.wechat.crypto import MessageCrypto
from shequn.wechat.xmlsafe import render_xml

CHANNEL = "wecom"


def crypto(corp: Doc) -> MessageCrypto:
    return MessageCrypto(corp["token"], corp["encoding_aes_key"], corp["corpid"])


def enqueue_event(
    sandbox: Sandbox, corpid: str, event: str, change_type: str, fields: dict[str, Any]
) -> int:
    """Queue one event; `fields` follow the header (None values are left out)."""
    packet: dict[str, Any] = {
        "ToUserName": corpid,
        "FromUserName": "sys",
        "CreateTime": int(sandbox.now()),
        "MsgType": "event",
        "Event": event,
        "ChangeType": change_type,
        **fields,
    }
    data = {"corpid": corpid, "packet": packet, "summary": f"{event}/{change_type}"}
    return sandbox.callbacks.enqueue(CHANNEL, corpid, data)


class WeComChannel:
    name = CHANNEL
    attempts = 3
    timeout = 5.0

    def prepare(self, sandbox: Sandbox, scope: str, data: Doc) -> Prepared | None:
        corp = get_corp(sandbox, scope)
        if corp is None or not corp.get("callback_url"):
            return None
        plain = render_xml(data["packet"])
        encrypted = crypto(corp).encrypt(plain.encode("utf-8"))
        timestamp = str(int(sandbox.wall_now()))  # transport stamp: the wall clock
        nonce = ids.nonce()
        envelope = render_xml(
            {"ToUserName": corp["corpid"], "AgentID": str(corp["agentid"]), "Encrypt": encrypted}
        )
        return Prepared(
            url=corp["callback_url"],
            content=envelope.encode("utf-8"),
            params={
                "msg_signature": crypto(corp).signature_for(timestamp, nonce, encrypted),
                "timestamp": timestamp,
                "nonce": nonce,
            },
            headers={"Content-Type": "text/xml; charset=utf-8"},
        )

    def accept(
        self, sandbox: Sandbox, scope: str, data: Doc, prepared: Prepared, response: httpx.Response
    ) -> Outcome:
        return Outcome(True, "acknowledged")

    def on_failure(self, sandbox: Sandbox, scope: str, data: Doc) -> None:
        """WeCom gives up silently after three tries; the event is lost for the receiver."""

    def duplicate_rate(self, sandbox: Sandbox, scope: str) -> float:
        corp = get_corp(sandbox, scope)
        if corp is not None and corp.get("duplicate_rate") is not None:
            return float(corp["duplicate_rate"])
        return sandbox.faults.duplicate_rate()


async def verify_callback_url(sandbox: Sandbox, corp: Doc, url: str) -> tuple[bool, str]:
    """The GET handshake the admin console performs before saving a callback URL.

    WeCom sends an encrypted random echostr; the server must answer its plaintext exactly.
    """
    echo = secrets.token_hex(8)
    encrypted = crypto(corp).encrypt(echo.encode("ascii"))
    timestamp = str(int(sandbox.wall_now()))  # transport stamp: the wall clock
    nonce = ids.nonce()
    params = {
        "msg_signature": crypto(corp).signature_for(timestamp, nonce, encrypted),
        "timestamp": timestamp,
        "nonce": nonce,
        "echostr": encrypted,
    }
    transport = sandbox.callbacks.transport
    try:
        async with httpx.AsyncClient(transport=transport, timeout=5.0) as client:
            response = await client.get(url, params=params)
    except httpx.HTTPError as exc:
        return False, f"transport error: {exc.__class__.__name__}"
    if response.status_code != 200:
        return False, f"HTTP {response.status_code}"
    if response.content != echo.encode("ascii"):
        return False, "the answer is not the decrypted echostr"
    return True, "verified"
