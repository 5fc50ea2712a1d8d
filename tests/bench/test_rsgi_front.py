"""The RSGI front of `shequn serve`: callbacks through the pipeline, the rest to Django (ASGI)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any
from unittest import mock

import pytest

from shequn.ingest import rsgi
from shequn.ingest.asgi import CallbackPipeline, parse_query
from shequn.ingest.channel_cache import callback_channel, invalidate_channels
from shequn.ingest.flatxml import envelope_ciphertext
from shequn.ingest.receive import (
    FORBIDDEN,
    NOT_FOUND,
    Accepted,
    Answer,
    Callback,
    begin_in_memory,
)
from shequn.ingest.rsgi import CallbackRSGI
from shequn.wechat.xmlsafe import parse_xml
from tests.channels.factories import OA_AES_KEY, OA_TOKEN, make_official_account
from tests.conftest import World
from tests.ingest import wire
from tests.ingest.conftest import all_events, as_owner


@pytest.fixture(autouse=True)
def _fresh_channel_cache() -> Iterator[None]:
    invalidate_channels()
    yield
    invalidate_channels()


class _Headers:
    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._pairs = pairs

    def get(self, key: str, default: Any = None) -> Any:
        return next((value for name, value in self._pairs if name == key), default)

    def items(self) -> list[tuple[str, str]]:
        return list(self._pairs)


class _Scope:
    proto = "http"
    http_version = "1.1"
    scheme = "http"
    client = "127.0.0.1:50000"
    server = "127.0.0.1:8000"
    authority = None

    def __init__(self, method: str, target: str, headers: list[tuple[str, str]]) -> None:
        self.method = method
        self.path, _, self.query_string = target.partition("?")
        self.headers = _Headers(headers)


class _Transport:
    def __init__(self, sink: list[bytes]) -> None:
        self._sink = sink

    async def send_bytes(self, data: bytes) -> None:
        self._sink.append(data)


class _Protocol:
    """Records the answer; the body arrives whole (`await protocol()`) or in chunks."""

    def __init__(self, body: bytes) -> None:
        self._body = body
        self.status: int | None = None
        self.headers: list[tuple[str, str]] = []
        self.sent: list[bytes] = []

    async def __call__(self) -> bytes:
        return self._body

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self._body), 1000):
            yield self._body[start : start + 1000]

    async def client_disconnect(self) -> None:
        await asyncio.Event().wait()

    def response_bytes(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status, self.headers = status, headers
        self.sent.append(body)

    def response_stream(self, status: int, headers: list[tuple[str, str]]) -> _Transport:
        self.status, self.headers = status, headers
        return _Transport(self.sent)

    @property
    def body(self) -> bytes:
        return b"".join(self.sent)


async def _call(
    app: CallbackRSGI, method: str, target: str, body: bytes = b"", *, chunked: bool = False
) -> _Protocol:
    headers = [] if chunked else [("content-length", str(len(body)))]
    protocol = _Protocol(body)
    await app.__rsgi__(_Scope(method, target, headers), protocol)
    return protocol


@pytest.mark.django_db(transaction=True)
def test_callbacks_are_answered_after_commit_and_hostile_ones_refused(world: World) -> None:
    with world.a.scope(), as_owner(world.a):
        account = make_official_account()

    async def django_app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("callbacks must not reach Django")

    pipeline = CallbackPipeline(enqueue=lambda new: None)
    app = CallbackRSGI(django_app, pipeline)
    query, body = wire.oa_safe_request(OA_TOKEN, OA_AES_KEY, account.appid, wire.oa_text_xml())
    url = f"/cb/oa/{account.callback_key}/"
    forged = query.replace("msg_signature=", "msg_signature=0")

    async def scenario() -> list[_Protocol]:
        app.__rsgi_init__(asyncio.get_running_loop())
        try:
            return list(
                await asyncio.gather(
                    _call(app, "POST", f"{url}?{query}", body),
                    _call(app, "POST", f"{url}?{query}", body, chunked=True),
                    _call(app, "POST", f"{url}?{forged}", body),
                    _call(app, "POST", f"{url}?{query}", body + b" " * 70_000),
                    _call(app, "POST", f"{url}?{query}", body + b" " * 70_000, chunked=True),
                    _call(app, "POST", f"/cb/oa/{account.callback_key}?{query}", body),
                    _call(app, "POST", f"/cb/oa/not-a-key/?{query}", body),
                )
            )
        finally:
            app.__rsgi_del__(asyncio.get_running_loop())

    answers = asyncio.run(scenario())
    assert [(a.status, a.body) for a in answers[:2]] == [(200, b"success")] * 2
    assert [a.status for a in answers[2:]] == [403, 413, 413, 404, 404]
    assert dict(answers[0].headers)["content-type"].startswith("text/plain")
    assert len(all_events()) == 1


def test_a_callback_the_pipeline_never_answers_gets_503() -> None:
    class Stuck(CallbackPipeline):
        def start(self) -> None:
            pass

        def submit(self, callback: Callback | Accepted, loop: Any, future: Any) -> None:
            pass  # never settled, as if the database hung

    async def django_app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError

    app = CallbackRSGI(django_app, Stuck())

    async def scenario() -> _Protocol:
        app.__rsgi_init__(asyncio.get_running_loop())
        try:
            return await _call(app, "GET", "/cb/oa/k/?echostr=x")
        finally:
            app.__rsgi_del__(asyncio.get_running_loop())

    with (
        mock.patch.object(rsgi, "ANSWER_TIMEOUT", 0.05),
        mock.patch.object(rsgi, "WATCH_EVERY", 0.02),
    ):
        answer = asyncio.run(scenario())
    assert answer.status == 503


def test_everything_else_reaches_django_with_its_request_and_answer_intact() -> None:
    seen: list[dict[str, Any]] = []

    async def django_app(scope: Any, receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        seen.append({**scope, "body": body})
        if scope["path"] == "/stream/":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"one ", "more_body": True})
            await send({"type": "http.response.body", "body": b"two", "more_body": False})
            return
        await send(
            {
                "type": "http.response.start",
                "status": 403,
                "headers": [
                    (b"content-type", b"text/html; charset=utf-8"),
                    (b"set-cookie", b"a=1"),
                    (b"set-cookie", b"b=2"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b"CSRF verification failed"})

    app = CallbackRSGI(django_app, CallbackPipeline(enqueue=lambda new: None))
    form = b"username=a&password=" + b"x" * 2500

    async def scenario() -> list[_Protocol]:
        return [
            await _call(app, "POST", "/accounts/sign-in/?next=/console/", form),
            await _call(app, "GET", "/stream/"),
        ]

    refused, streamed = asyncio.run(scenario())
    assert refused.status == 403
    assert refused.body == b"CSRF verification failed"
    assert [v for k, v in refused.headers if k == "set-cookie"] == ["a=1", "b=2"]
    assert (streamed.status, streamed.body) == (200, b"one two")
    first = seen[0]
    assert (first["method"], first["path"], first["query_string"]) == (
        "POST",
        "/accounts/sign-in/",
        b"next=/console/",
    )
    assert first["body"] == form
    assert (b"content-length", str(len(form)).encode()) in first["headers"]
    assert first["client"] == ("127.0.0.1", 50000)


# -- the one-pass envelope match --------------------------------------------------------------


def _parser_ciphertext(body: bytes) -> str | None:
    try:
        value = parse_xml(body).get("Encrypt")
    except Exception:  # noqa: BLE001 - refused by the parser: no ciphertext either
        return None
    return value if isinstance(value, str) and value else None


@pytest.mark.parametrize(
    "body",
    [
        b"<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Encrypt><![CDATA[QUJD+/==]]></Encrypt></xml>",
        b"<xml><ToUserName><![CDATA[ww1]]></ToUserName><AgentID><![CDATA[1000002]]></AgentID>"
        b"<Encrypt><![CDATA[QUJD]]></Encrypt></xml>",
        b"<xml>\n <ToUserName><![CDATA[x]]></ToUserName>\n <Encrypt><![CDATA[QUJD]]></Encrypt>\n"
        b" <AgentID>12</AgentID>\n</xml>\n",
        b"<xml><Encrypt><![CDATA[QUJD]]></Encrypt></xml>",
    ],
)
def test_the_envelope_match_reads_what_the_parser_reads(body: bytes) -> None:
    assert envelope_ciphertext(body) == _parser_ciphertext(body) is not None


@pytest.mark.parametrize(
    "body",
    [
        b"<xml><Encrypt><![CDATA[QUJD]]></Encrypt><Encrypt><![CDATA[QUJD]]></Encrypt></xml>",
        b'<!DOCTYPE x [<!ENTITY a "b">]><xml><Encrypt><![CDATA[QUJD]]></Encrypt></xml>',
        b"<xml><A>&a;</A><Encrypt><![CDATA[QUJD]]></Encrypt></xml>",
        b"<xml><A><B>1</B></A><Encrypt><![CDATA[QUJD]]></Encrypt></xml>",
        b"<xml><Encrypt><![CDATA[]]></Encrypt></xml>",
        b"<xml><Encrypt><![CDATA[QU JD]]></Encrypt></xml>",
        b"<xml><Encrypt><![CDATA[QUJD]]></Encrypt></xml><xml/>",
        b"<xml><Encrypt><![CDATA[QUJD]]></Encrypt>",
    ],
)
def test_anything_else_is_left_to_the_full_parser(body: bytes) -> None:
    assert envelope_ciphertext(body) is None


def test_answers_carry_their_content_type() -> None:
    assert rsgi._headers_of(Answer(200, b"<xml/>", "application/xml; charset=utf-8")) == [
        ("content-type", "application/xml; charset=utf-8")
    ]


# -- verifying on the event loop only when no I/O is needed -----------------------------------


@pytest.mark.django_db
def test_the_event_loop_verifies_only_channels_already_in_memory(world: World) -> None:
    with world.a.scope(), as_owner(world.a):
        account = make_official_account()
    query, body = wire.oa_safe_request(OA_TOKEN, OA_AES_KEY, account.appid, wire.oa_text_xml())
    push = Callback("oa", str(account.callback_key), "POST", parse_query(query), body, {})
    forged = push._replace(query={**push.query, "msg_signature": "0" * 40})

    assert begin_in_memory(push) is None  # not loaded yet: that needs the database
    assert begin_in_memory(push._replace(kind="pay")) is None
    assert begin_in_memory(push._replace(kind="nope")) == NOT_FOUND
    assert callback_channel("oa", push.key) is not None  # what the pipeline thread does
    accepted = begin_in_memory(push)
    assert isinstance(accepted, Accepted)
    assert accepted.row.msg_type == "text"
    assert begin_in_memory(forged) == FORBIDDEN
    invalidate_channels()  # a change elsewhere: back to the pipeline, never a 404
    assert begin_in_memory(push) is None

    pipeline = CallbackPipeline(enqueue=lambda new: None)
    assert [a.status for a in pipeline.answer_all([accepted, push])] == [200, 200]
    assert len(all_events()) == 1
