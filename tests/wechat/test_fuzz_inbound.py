"""Hostile and random input: only shequn.wechat errors may escape, and quickly."""

from __future__ import annotations

import base64
import contextlib
import time
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shequn.wechat.crypto import MessageCrypto
from shequn.wechat.exceptions import WeChatError
from shequn.wechat.messages import message_from_fields, parse_message
from shequn.wechat.xmlsafe import parse_xml, render_xml

KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
CRYPTO = MessageCrypto("tok", KEY, "wx49f0ab532d5d035a", previous_encoding_aes_key="A" * 43)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TIME_LIMIT = 2.0


def only_our_errors(call: Callable[[], Any]) -> None:
    started = time.monotonic()
    with contextlib.suppress(WeChatError):
        call()
    assert time.monotonic() - started < TIME_LIMIT


HEADER = (
    "<ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1714037059</CreateTime>"
)
TAGS = st.sampled_from(
    [
        "MsgType",
        "Event",
        "ChangeType",
        "CreateTime",
        "Content",
        "Location_X",
        "Scale",
        "Idx",
        "ScanCodeInfo",
        "SendPicsInfo",
        "PicList",
        "item",
        "SendLocationInfo",
        "CopyrightCheckResult",
        "ResultList",
        "ArticleUrlResult",
        "PublishEventInfo",
        "fail_idx",
        "publish_status",
        "SubscribeMsgPopupEvent",
        "List",
        "MemChangeList",
        "Item",
        "JoinScene",
    ]
)
VALUES = st.sampled_from(
    [
        "text",
        "event",
        "subscribe",
        "scancode_push",
        "pic_weixin",
        "location_select",
        "MASSSENDJOBFINISH",
        "PUBLISHJOBFINISH",
        "subscribe_msg_popup_event",
        "subscribe_msg_sent_event",
        "change_external_chat",
        "update",
        "location",
        "1",
        "-1",
        "nan",
        "1e999",
        "",
        "99999999999999999999999",
    ]
)


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(lambda tag, body: f"<{tag}>{body}</{tag}>", TAGS, children)


PACKET_BODY = st.recursive(
    VALUES,
    lambda inner: st.lists(_element(inner), max_size=4).map("".join),
    max_leaves=25,
)


@FUZZ
@given(st.binary(max_size=2048))
def test_random_bytes(data: bytes) -> None:
    only_our_errors(lambda: parse_xml(data))
    only_our_errors(lambda: parse_message(data))


@FUZZ
@given(st.text(max_size=512))
def test_random_text(text: str) -> None:
    only_our_errors(lambda: parse_message(f"<xml>{text}</xml>"))


@FUZZ
@given(st.lists(_element(PACKET_BODY), max_size=8).map("".join))
def test_structurally_plausible_packets(body: str) -> None:
    only_our_errors(lambda: parse_message(f"<xml>{HEADER}{body}</xml>"))


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(["MsgType", "Event", "ChangeType", "CreateTime", "EventKey", "MsgId"]),
        st.one_of(st.text(max_size=20), st.dictionaries(st.text(max_size=5), st.text(max_size=5))),
    )
)
def test_arbitrary_field_dicts(fields: dict[str, Any]) -> None:
    def build() -> None:
        message = message_from_fields(fields)
        message.dedupe_key  # noqa: B018 - properties must not raise either
        message.created_at  # noqa: B018

    only_our_errors(build)


@FUZZ
@given(st.binary(max_size=1024))
def test_random_base64_ciphertext(data: bytes) -> None:
    only_our_errors(lambda: CRYPTO.decrypt(base64.b64encode(data).decode()))


@FUZZ
@given(st.text(max_size=256))
def test_random_ciphertext_text(text: str) -> None:
    only_our_errors(lambda: CRYPTO.decrypt(text))
    only_our_errors(lambda: CRYPTO.verify_url("0" * 40, "1", "2", text))


@FUZZ
@given(st.binary(max_size=1024), st.text(max_size=50))
def test_random_envelopes(data: bytes, signature: str) -> None:
    encrypt = base64.b64encode(data).decode()
    body = f"<xml><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    real_signature = CRYPTO.signature_for("1", "2", encrypt)
    only_our_errors(
        lambda: CRYPTO.decrypt_envelope(body, msg_signature=signature, timestamp="1", nonce="2")
    )
    # With a valid signature the ciphertext itself gets exercised.
    only_our_errors(
        lambda: CRYPTO.decrypt_envelope(
            body, msg_signature=real_signature, timestamp="1", nonce="2"
        )
    )


@FUZZ
@given(st.text(max_size=200))
def test_render_then_parse_round_trips_any_text(text: str) -> None:
    rendered = render_xml({"Content": text})
    parsed = parse_xml(rendered)["Content"]
    # Only characters XML cannot carry are lost; CR/LF normalisation is the parser's.
    expected = "".join(
        ch
        for ch in text.replace("\r\n", "\n").replace("\r", "\n")
        if ch in "\t\n" or (" " <= ch <= "\ud7ff") or ("\ue000" <= ch <= "\ufffd") or ch > "\uffff"
    )
    assert parsed == expected


@FUZZ
@given(st.binary(max_size=600))
def test_encrypt_decrypt_round_trip(data: bytes) -> None:
    assert CRYPTO.decrypt(CRYPTO.encrypt(data)) == data


HOSTILE = {
    "billion-laughs": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
    + b"".join(
        f'<!ENTITY a{i} "{("&a" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b"]><xml><A>&a9;</A></xml>",
    "external-entity": b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml>&e;</xml>',
    "huge": b"<xml><A>" + b"x" * (300 * 1024) + b"</A></xml>",
    "huge-attribute": b'<xml a="' + b"x" * (255 * 1024) + b'"/>',
    "deeply-nested": b"<xml>" + b"<a>" * 80_000 + b"</a>" * 80_000 + b"</xml>",
    "truncated": b"<xml><ToUserName><![CDATA[gh",
    "non-utf8": b"<xml><Content>\xc3\x28\xa0\xa1</Content></xml>",
    "utf16": "<xml><A>1</A></xml>".encode("utf-16"),
    "many-elements": b"<xml>" + b"<A>1</A>" * 30_000 + b"</xml>",
    "nul": b"<xml>\x00</xml>",
}


# Accepted, but harmless: they parse to an UnknownMessage without a header.
HARMLESS = {"huge-attribute", "utf16", "many-elements"}


@pytest.mark.parametrize("body", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_bodies_fail_fast_with_our_errors(body: bytes) -> None:
    only_our_errors(lambda: parse_message(body))


@pytest.mark.parametrize("name", sorted(set(HOSTILE) - HARMLESS))
def test_hostile_bodies_are_refused(name: str) -> None:
    with pytest.raises(WeChatError):
        parse_message(HOSTILE[name])
