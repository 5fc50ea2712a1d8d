"""The official-account callback channel: XML packets signed, encrypted per the account's mode
and POSTed to its callback URL; passive replies are read back, decrypted and shown to the customer.

Packets are queued with `enqueue_packet(...)`; the dispatcher (shequn.sandbox.callbacks) handles
timing, the 5 s timeout, the 3 attempts, drops, delays and duplicates.
"""

from __future__ import annotations

import hmac
from typing import Any

import httpx

from shequn.sandbox import ids
from shequn.sandbox.accounts import get_account
from shequn.sandbox.callbacks import Outcome, Prepared
from shequn.sandbox.context import Sandbox
from shequn.sandbox.officialaccount import received
from shequn.sandbox.state import Doc
from shequn.sandbox.xmlwire import from_xml, to_xml
from shequn.wechat.exceptions import WeChatError

CHANNEL = "officialaccount"
REPLY_TYPES = ("text", "image", "voice", "video", "music", "news", "transfer_customer_service")


def _crypto(account: Doc) -> Any:
    from shequn.wechat.crypto import MessageCrypto

    return MessageCrypto(
        account["token"],
        account["encoding_aes_key"],
        account["appid"],
        previous_encoding_aes_key=account.get("previous_encoding_aes_key"),
    )


def _sign(*parts: str) -> str:
    from shequn.wechat.signature import sha1_signature

    return str(sha1_signature(*parts))


def enqueue_packet(
    sandbox: Sandbox,
    appid: str,
    packet: dict[str, Any],
    *,
    replyable: bool,
    delay: float = 0.0,
    summary: str = "",
) -> int:
    """Queue one XML packet (a dict of its fields, ToUserName first) for the account's server."""
    data = {
        "appid": appid,
        "openid": packet.get("FromUserName", ""),
        "packet": packet,
        "replyable": replyable,
        "summary": summary or str(packet.get("Event") or packet.get("MsgType")),
    }
    return sandbox.callbacks.enqueue(CHANNEL, appid, data, delay=delay)


class OfficialAccountChannel:
    name = CHANNEL
    attempts = 3
    timeout = 5.0

    def prepare(self, sandbox: Sandbox, scope: str, data: Doc) -> Prepared | None:
        account = get_account(sandbox, scope)
        if account is None or not account.get("callback_url"):
            return None
        packet = data["packet"]
        timestamp = str(int(sandbox.wall_now()))  # transport stamp: the wall clock
        nonce = ids.nonce()
        params = {
            "signature": _sign(account["token"], timestamp, nonce),
            "timestamp": timestamp,
            "nonce": nonce,
            "openid": data["openid"],
        }
        plain = to_xml(packet)
        mode = account["encryption"]
        if mode == "plaintext":
            content = plain
        else:
            encrypted = _crypto(account).encrypt(plain.encode("utf-8"))
            params["encrypt_type"] = "aes"
            params["msg_signature"] = _sign(account["token"], timestamp, nonce, encrypted)
            if mode == "safe":
                content = to_xml({"ToUserName": account["original_id"], "Encrypt": encrypted})
            else:
                content = to_xml({**packet, "Encrypt": encrypted})
        return Prepared(
            url=account["callback_url"],
            content=content.encode("utf-8"),
            params=params,
            headers={"Content-Type": "text/xml; charset=utf-8", "User-Agent": "Mozilla/4.0"},
            context={"mode": mode},
        )

    def accept(
        self, sandbox: Sandbox, scope: str, data: Doc, prepared: Prepared, response: httpx.Response
    ) -> Outcome:
        body = response.content.strip()
        if body in (b"", b"success"):
            return Outcome(True, "acknowledged without reply")
        account = get_account(sandbox, scope)
        if account is None:
            return Outcome(True, "account vanished")
        try:
            reply = self._read_reply(account, body)
            message = _reply_message(account, data, reply)
        except (WeChatError, ValueError) as exc:
            if data.get("replyable"):
                received.service_unavailable(sandbox, scope, data["openid"])
            return Outcome(True, f"invalid reply: {exc}")
        if not data.get("replyable"):
            return Outcome(True, "reply ignored for this event", reply=message)
        received.record(sandbox, scope, data["openid"], "passive", message)
        return Outcome(True, "passive reply", reply=message)

    def _read_reply(self, account: Doc, body: bytes) -> dict[str, Any]:
        outer = from_xml(body)
        if "Encrypt" not in outer:
            if account["encryption"] == "safe":
                raise ValueError("safe mode requires an encrypted reply")
            return outer
        encrypted = str(outer["Encrypt"])
        expected = _sign(
            account["token"],
            str(outer.get("TimeStamp", "")),
            str(outer.get("Nonce", "")),
            encrypted,
        )
        if not hmac.compare_digest(expected, str(outer.get("MsgSignature", ""))):
            raise ValueError("MsgSignature does not match")
        return from_xml(_crypto(account).decrypt(encrypted))

    def on_failure(self, sandbox: Sandbox, scope: str, data: Doc) -> None:
        if data.get("replyable"):
            received.service_unavailable(sandbox, scope, data["openid"])

    def duplicate_rate(self, sandbox: Sandbox, scope: str) -> float:
        account = get_account(sandbox, scope)
        if account is not None and account.get("duplicate_rate") is not None:
            return float(account["duplicate_rate"])
        return sandbox.faults.duplicate_rate()


def _reply_message(account: Doc, data: Doc, reply: dict[str, Any]) -> dict[str, Any]:
    if reply.get("ToUserName") != data["openid"]:
        raise ValueError("reply ToUserName is not the sender's openid")
    if reply.get("FromUserName") != account["original_id"]:
        raise ValueError("reply FromUserName is not the account's original id")
    msgtype = reply.get("MsgType")
    if msgtype not in REPLY_TYPES:
        raise ValueError(f"unknown reply MsgType {msgtype!r}")
    message: dict[str, Any] = {"msgtype": msgtype}
    if msgtype == "text":
        message["content"] = reply.get("Content", "")
    elif msgtype == "news":
        articles = reply.get("Articles") or []
        if isinstance(articles, dict):
            articles = [articles]
        if not 1 <= len(articles) <= 8:
            raise ValueError("news replies carry 1..8 articles")
        if data["packet"].get("MsgType") != "event":
            articles = articles[:1]  # replies to user messages show one article
        message["articles"] = articles
    else:
        for field in ("Image", "Voice", "Video", "Music", "TransInfo"):
            if field in reply:
                message[field.lower()] = reply[field]
    return message
