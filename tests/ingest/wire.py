"""Building signed (and encrypted) callback requests the way WeChat and WeCom send them."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from shequn.wechat.crypto import MessageCrypto
from shequn.wechat.signature import sha1_signature


def now_stamp(offset: int = 0) -> str:
    """A callback `timestamp` as the platform stamps it: now (plus `offset` seconds)."""
    return str(int(time.time()) + offset)


def oa_text_xml(
    openid: str = "oUser1",
    content: str = "hello",
    msg_id: str = "1001",
    to: str = "gh_000000000001",
) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{to}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    )


def oa_event_xml(
    openid: str, event: str, key: str = "", created: int | None = None, extra: str = ""
) -> str:
    return (
        f"<xml><ToUserName><![CDATA[gh_000000000001]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{created or int(time.time())}</CreateTime>"
        "<MsgType><![CDATA[event]]></MsgType>"
        f"<Event><![CDATA[{event}]]></Event><EventKey><![CDATA[{key}]]></EventKey>{extra}</xml>"
    )


def oa_safe_request(
    token: str,
    aes_key: str,
    appid: str,
    xml: str,
    *,
    timestamp: str | None = None,
    nonce: str = "n0nce",
) -> tuple[str, bytes]:
    """(query string, body) of a safe-mode push."""
    timestamp = timestamp or now_stamp()
    crypto = MessageCrypto(token, aes_key, appid)
    body = crypto.encrypt_envelope(xml, timestamp=timestamp, nonce=nonce)
    encrypted = body.split("<Encrypt><![CDATA[", 1)[1].split("]]>", 1)[0]
    query = {
        "signature": sha1_signature(token, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
        "openid": "oUser1",
        "encrypt_type": "aes",
        "msg_signature": sha1_signature(token, timestamp, nonce, encrypted),
    }
    return urlencode(query), body.encode()


def oa_plain_request(
    token: str, xml: str, *, timestamp: str | None = None, nonce: str = "n0nce"
) -> tuple[str, bytes]:
    timestamp = timestamp or now_stamp()
    query = {
        "signature": sha1_signature(token, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
    }
    return urlencode(query), xml.encode()


def wecom_request(
    token: str,
    aes_key: str,
    corpid: str,
    xml: str,
    *,
    timestamp: str | None = None,
    nonce: str = "n0nce",
) -> tuple[str, bytes]:
    timestamp = timestamp or now_stamp()
    crypto = MessageCrypto(token, aes_key, corpid)
    body = crypto.encrypt_envelope(xml, timestamp=timestamp, nonce=nonce)
    encrypted = body.split("<Encrypt><![CDATA[", 1)[1].split("]]>", 1)[0]
    query = {
        "msg_signature": sha1_signature(token, timestamp, nonce, encrypted),
        "timestamp": timestamp,
        "nonce": nonce,
    }
    return urlencode(query), body.encode()


def wecom_event_xml(
    change_type: str,
    *,
    event: str = "change_external_contact",
    created: int | None = None,
    **fields: str,
) -> str:
    inner = "".join(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items())
    return (
        "<xml><ToUserName><![CDATA[ww0000000000000001]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>"
        f"<CreateTime>{created or int(time.time())}</CreateTime>"
        "<MsgType><![CDATA[event]]></MsgType>"
        f"<Event><![CDATA[{event}]]></Event><ChangeType><![CDATA[{change_type}]]></ChangeType>{inner}</xml>"
    )
