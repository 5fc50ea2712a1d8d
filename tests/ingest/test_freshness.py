"""Replay protection: a correctly signed callback whose timestamp is too far from now is refused,
with the same answer on every front (Django view, WSGI, ASGI and RSGI), and nothing is stored."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client, override_settings

from shequn.channels.models import OfficialAccount
from shequn.ingest.asgi import CallbackFront, CallbackPipeline
from shequn.ingest.receive import STALE
from shequn.ingest.rsgi import CallbackRSGI
from shequn.ingest.wsgi import CallbackDispatcher
from shequn.wechat.crypto import MessageCrypto
from shequn.wechat.signature import sha1_signature
from tests.bench.test_rsgi_front import _call as rsgi_call
from tests.channels.factories import (
    OA_AES_KEY,
    OA_TOKEN,
    WECOM_AES_KEY,
    WECOM_TOKEN,
    make_official_account,
    make_wecom_corp,
)
from tests.conftest import World
from tests.ingest import wire
from tests.ingest.conftest import all_events, as_owner

pytestmark = pytest.mark.django_db(transaction=True)

Front = Callable[[str, str, bytes], tuple[int, bytes]]


async def _not_django(scope: Any, receive: Any, send: Any) -> None:
    raise AssertionError("callbacks must not reach Django")


def _django(method: str, target: str, body: bytes) -> tuple[int, bytes]:
    if method == "GET":
        response = Client().get(target)
    else:
        response = Client().post(target, data=body, content_type="text/xml")
    return response.status_code, response.content


def _wsgi(method: str, target: str, body: bytes) -> tuple[int, bytes]:
    app = CallbackDispatcher(lambda environ, start: [b"django"], group_commit=False)
    path, _, query = target.partition("?")
    seen: list[str] = []
    chunks = app(
        {
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "REQUEST_METHOD": method,
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
        },
        lambda status, headers: seen.append(status),
    )
    return int(seen[0].split()[0]), b"".join(chunks)


def _asgi(method: str, target: str, body: bytes) -> tuple[int, bytes]:
    pipeline = CallbackPipeline(enqueue=lambda new: None)
    app = CallbackFront(_not_django, pipeline)
    path, _, query = target.partition("?")
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "query_string": query.encode(),
        "headers": [(b"content-length", str(len(body)).encode())],
    }
    try:
        asyncio.run(app(scope, receive, send))
    finally:
        pipeline.stop()
    return int(sent[0]["status"]), bytes(sent[1]["body"])


def _rsgi(method: str, target: str, body: bytes) -> tuple[int, bytes]:
    app = CallbackRSGI(_not_django, CallbackPipeline(enqueue=lambda new: None))

    async def scenario() -> Any:
        app.__rsgi_init__(asyncio.get_running_loop())
        try:
            return await rsgi_call(app, method, target, body)
        finally:
            app.__rsgi_del__(asyncio.get_running_loop())

    protocol = asyncio.run(scenario())
    return int(protocol.status), protocol.body


FRONTS: dict[str, Front] = {"django": _django, "wsgi": _wsgi, "asgi": _asgi, "rsgi": _rsgi}


@pytest.fixture
def oa(world: World) -> OfficialAccount:
    with world.a.scope(), as_owner(world.a):
        return make_official_account()


def _oa_push(oa: OfficialAccount, offset: int, msg_id: str = "5001") -> tuple[str, bytes]:
    query, body = wire.oa_safe_request(
        OA_TOKEN,
        OA_AES_KEY,
        oa.appid,
        wire.oa_text_xml(msg_id=msg_id),
        timestamp=wire.now_stamp(offset),
    )
    return f"/cb/oa/{oa.callback_key}/?{query}", body


@pytest.mark.parametrize("front", sorted(FRONTS))
def test_a_push_older_or_newer_than_five_minutes_is_refused_on_every_front(
    front: str, oa: OfficialAccount
) -> None:
    call = FRONTS[front]
    for offset in (-301, 301, -3600):
        target, body = _oa_push(oa, offset)
        assert call("POST", target, body) == (STALE.status, STALE.body)
    assert all_events() == []
    target, body = _oa_push(oa, -290)  # a slow network or a retry: still fresh
    assert call("POST", target, body) == (200, b"success")
    assert len(all_events()) == 1


def test_the_answer_tells_why(oa: OfficialAccount) -> None:
    target, body = _oa_push(oa, -600)
    status, answer = _django("POST", target, body)
    assert status == 403
    assert b"timestamp" in answer
    assert b"too far from the current time" in answer


def test_the_signature_is_checked_first(oa: OfficialAccount) -> None:
    target, body = _oa_push(oa, -600)
    forged = target.replace("msg_signature=", "msg_signature=0")
    assert _django("POST", forged, body) == (403, b"forbidden")


def test_the_window_is_a_setting(oa: OfficialAccount) -> None:
    with override_settings(SHEQUN_CALLBACK_MAX_SKEW_SECONDS=60):
        target, body = _oa_push(oa, -120, msg_id="1")
        assert _django("POST", target, body)[0] == 403
        target, body = _oa_push(oa, -30, msg_id="2")
        assert _django("POST", target, body)[0] == 200
    with override_settings(SHEQUN_CALLBACK_MAX_SKEW_SECONDS=0):  # switched off
        target, body = _oa_push(oa, -86_400, msg_id="3")
        assert _django("POST", target, body)[0] == 200
    assert len(all_events()) == 2


def test_a_timestamp_that_is_not_a_number_is_refused(oa: OfficialAccount) -> None:
    query, body = wire.oa_plain_request(OA_TOKEN, wire.oa_text_xml(), timestamp="soon")
    status, _ = _django("POST", f"/cb/oa/{oa.callback_key}/?{query}", body)
    assert status == 403
    assert all_events() == []


def test_url_verification_is_refused_when_stale(oa: OfficialAccount) -> None:
    for offset, expected in ((0, 200), (-400, 403)):
        stamp = wire.now_stamp(offset)
        sig = sha1_signature(OA_TOKEN, stamp, "n")
        target = f"/cb/oa/{oa.callback_key}/?signature={sig}&timestamp={stamp}&nonce=n&echostr=e1"
        for front in FRONTS.values():
            assert front("GET", target, b"")[0] == expected


@pytest.mark.parametrize("front", ["django", "rsgi"])
def test_wecom_push_and_verification_are_checked_too(front: str, world: World) -> None:
    with world.a.scope(), as_owner(world.a):
        corp = make_wecom_corp()
    call = FRONTS[front]
    url = f"/cb/wecom/{corp.callback_key}/"
    xml = wire.wecom_event_xml("add_external_contact", UserID="s1", ExternalUserID="wmX")
    stale_q, body = wire.wecom_request(
        WECOM_TOKEN, WECOM_AES_KEY, corp.corpid, xml, timestamp=wire.now_stamp(-900)
    )
    assert call("POST", f"{url}?{stale_q}", body) == (STALE.status, STALE.body)
    fresh_q, body = wire.wecom_request(WECOM_TOKEN, WECOM_AES_KEY, corp.corpid, xml)
    assert call("POST", f"{url}?{fresh_q}", body) == (200, b"")
    assert len(all_events()) == 1

    echostr = MessageCrypto(WECOM_TOKEN, WECOM_AES_KEY, corp.corpid).encrypt(b"echo")
    stamp = wire.now_stamp(900)
    sig = sha1_signature(WECOM_TOKEN, stamp, "n", echostr)
    query = urlencode({"msg_signature": sig, "timestamp": stamp, "nonce": "n", "echostr": echostr})
    assert call("GET", f"{url}?{query}", b"")[0] == 403
