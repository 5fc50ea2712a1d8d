"""The ASGI callback front and its batching pipeline, as WeChat (and an attacker) would see them."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.db import OperationalError

from shequn.channels.models import OfficialAccount
from shequn.ingest.asgi import CallbackFront, CallbackPipeline, parse_query
from shequn.ingest.channel_cache import invalidate_channels
from shequn.ingest.flatxml import flat_fields
from shequn.ingest.receive import Callback
from shequn.wechat.exceptions import MalformedXML
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


@pytest.fixture
def oa(world: World) -> OfficialAccount:
    with world.a.scope(), as_owner(world.a):
        return make_official_account()


def push(oa: OfficialAccount, msg_id: str, **kwargs: Any) -> Callback:
    xml = kwargs.pop("xml", None) or wire.oa_text_xml(msg_id=msg_id)
    query, body = wire.oa_safe_request(OA_TOKEN, OA_AES_KEY, oa.appid, xml, nonce=f"n{msg_id}")
    return Callback("oa", str(oa.callback_key), "POST", parse_query(query), body, {})


def stored_msg_ids() -> list[str]:
    return sorted(str(e.fields.get("MsgId")) for e in all_events())


# -- the pipeline's batches -----------------------------------------------------------------


@pytest.mark.django_db
def test_a_batch_with_retries_stores_each_message_once(oa: OfficialAccount) -> None:
    pipeline = CallbackPipeline(enqueue=lambda new: None)
    batch = [push(oa, "1"), push(oa, "2"), push(oa, "1"), push(oa, "3"), push(oa, "2")]
    answers = pipeline.answer_all(batch)
    assert [(a.status, a.body) for a in answers] == [(200, b"success")] * 5
    assert stored_msg_ids() == ["1", "2", "3"]
    # A later retry of an answered message is a duplicate, answered the same way.
    assert pipeline.answer_all([push(oa, "3")])[0].status == 200
    assert stored_msg_ids() == ["1", "2", "3"]


@pytest.mark.django_db
def test_hostile_and_forged_requests_in_a_batch_do_not_sink_the_good_ones(
    oa: OfficialAccount,
) -> None:
    pipeline = CallbackPipeline(enqueue=lambda new: None)
    forged = push(oa, "5")
    forged = Callback(
        "oa", forged.key, "POST", {**forged.query, "msg_signature": "0" * 40}, forged.body, {}
    )
    laughs = '<!DOCTYPE x [<!ENTITY a "aaaa">]><xml><a>&a;</a></xml>'
    batch = [
        push(oa, "4"),
        forged,
        push(oa, "6", xml=laughs),
        Callback("oa", "not-a-uuid", "POST", {}, b"", {}),
        Callback("oa", str(oa.callback_key), "POST", {}, b"x" * 70_000, {}),
        push(oa, "7"),
    ]
    statuses = [a.status for a in pipeline.answer_all(batch)]
    assert statuses == [200, 403, 400, 404, 413, 200]
    assert stored_msg_ids() == ["4", "7"]


@pytest.mark.django_db
def test_a_database_outage_answers_503_and_stores_nothing(oa: OfficialAccount) -> None:
    pipeline = CallbackPipeline(enqueue=lambda new: None)
    with mock.patch(
        "shequn.ingest.inbox._execute_many", side_effect=OperationalError("database is down")
    ):
        statuses = [a.status for a in pipeline.answer_all([push(oa, "8"), push(oa, "9")])]
    assert statuses == [503, 503]
    assert all_events() == []
    assert [a.status for a in pipeline.answer_all([push(oa, "8")])] == [200]
    assert stored_msg_ids() == ["8"]


@pytest.mark.django_db
def test_new_rows_are_handed_to_processing_once_committed(oa: OfficialAccount) -> None:
    handed: list[dict[int, list[int]]] = []
    pipeline = CallbackPipeline(enqueue=handed.append, enqueue_every=0.0)
    pipeline.start()
    try:
        pipeline.answer_all([push(oa, "10"), push(oa, "10"), push(oa, "11")])
    finally:
        pipeline.stop()
    ids = sorted(e.pk for e in all_events())
    assert handed == [{oa.tenant_id: ids}]


# -- the ASGI front -------------------------------------------------------------------------


async def _call(
    app: CallbackFront, method: str, target: str, body: bytes = b""
) -> tuple[int, bytes]:
    path, _, query = target.partition("?")
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "query_string": query.encode(),
        "headers": [(b"content-length", str(len(body)).encode())],
    }
    chunks = [body[:100], body[100:]]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        chunk = chunks.pop(0) if chunks else b""
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    async def send(message: Any) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


@pytest.mark.django_db(transaction=True)
def test_front_answers_callbacks_after_commit_and_passes_the_rest_to_django(world: World) -> None:
    with world.a.scope(), as_owner(world.a):
        account = make_official_account()
    reached_django: list[str] = []

    async def django_app(scope: Any, receive: Any, send: Any) -> None:
        reached_django.append(scope["path"])
        await send({"type": "http.response.start", "status": 302, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    pipeline = CallbackPipeline(enqueue=lambda new: None)
    app = CallbackFront(django_app, pipeline)
    query, body = wire.oa_safe_request(OA_TOKEN, OA_AES_KEY, account.appid, wire.oa_text_xml())
    url = f"/cb/oa/{account.callback_key}/"

    async def scenario() -> list[tuple[int, bytes]]:
        try:
            return list(
                await asyncio.gather(
                    _call(app, "POST", f"{url}?{query}", body),
                    _call(app, "POST", f"{url}?{query}", body),
                    _call(app, "POST", f"{url}?{query}", body + b" " * 70_000),
                    _call(app, "POST", f"/cb/oa/{account.callback_key}?{query}", body),
                    _call(app, "GET", "/console/"),
                )
            )
        finally:
            pipeline.stop()

    answers = asyncio.run(scenario())
    assert answers[:2] == [(200, b"success"), (200, b"success")]
    assert [status for status, _ in answers[2:]] == [413, 404, 302]
    assert reached_django == ["/console/"]
    assert len(all_events()) == 1


# -- the fast flat-XML path -------------------------------------------------------------------


@pytest.mark.parametrize(
    "xml",
    [
        b"<xml><A><![CDATA[x < & y]]></A><B>12</B><C></C></xml>",
        b"<xml>\n  <A><![CDATA[]]></A>\n  <B> spaced </B>\n</xml>\n",
        "<xml><Content><![CDATA[你好 ]] ]]></Content></xml>".encode(),
        b"<xml><A><B>nested</B></A></xml>",
        b"<xml><A>1</A><A>2</A></xml>",
        b"<xml><A>x&amp;y</A></xml>",
        b"<xml><A><![CDATA[a\r\nb]]></A></xml>",
        b'<?xml version="1.0"?><xml><A>1</A></xml>',
    ],
)
def test_flat_fields_match_the_safe_parser(xml: bytes) -> None:
    assert flat_fields(xml) == parse_xml(xml)


@pytest.mark.parametrize(
    "xml",
    [
        b'<!DOCTYPE x [<!ENTITY a "b">]><xml><A>&a;</A></xml>',
        b"<xml><A>\x01</A></xml>",
        b"<xml><A>\xff</A></xml>",
        b"<xml><A>1</A>",
        b"<other><A>1</A></other>",
    ],
)
def test_flat_fields_refuse_what_the_safe_parser_refuses(xml: bytes) -> None:
    with pytest.raises(MalformedXML):
        flat_fields(xml)
