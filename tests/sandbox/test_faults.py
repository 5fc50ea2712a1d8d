"""Fault injection through the control API: failing calls, latency, dropped/delayed callbacks."""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.anyio


async def test_fail_next_n_calls_of_one_path(make_oa, client):
    oa = await make_oa()
    await oa.token()
    await client.post(
        "/sandbox/faults",
        json={"fail_next": {"count": 2, "errcode": 45009, "path": "/cgi-bin/tags/get"}},
    )
    assert (await oa.get("/cgi-bin/tags/get"))["errcode"] == 45009
    assert "rid: " in (await oa.get("/cgi-bin/tags/get"))["errmsg"]
    assert "tags" in await oa.get("/cgi-bin/tags/get")


async def test_fail_any_call_including_tokens_with_system_busy(make_oa, client):
    oa = await make_oa()
    await client.post("/sandbox/faults", json={"fail_next": {"count": 1}})
    r = await client.get(
        "/cgi-bin/token",
        params={"grant_type": "client_credential", "appid": oa.appid, "secret": oa.secret},
    )
    assert r.json()["errcode"] == -1
    assert (
        "access_token"
        in (
            await client.get(
                "/cgi-bin/token",
                params={"grant_type": "client_credential", "appid": oa.appid, "secret": oa.secret},
            )
        ).json()
    )


async def test_gateway_error_page(client):
    await client.post(
        "/sandbox/faults",
        json={"fail_next": {"count": 1, "http_status": 502, "body": "<html>Bad Gateway</html>"}},
    )
    r = await client.get("/cgi-bin/getcallbackip")
    assert r.status_code == 502
    assert r.headers["content-type"].startswith("text/html")


async def test_latency_applies_until_cleared(make_oa, client):
    oa = await make_oa()
    await oa.token()
    await client.post("/sandbox/faults", json={"latency_ms": 150})
    started = time.monotonic()
    await oa.get("/cgi-bin/tags/get")
    assert time.monotonic() - started >= 0.15
    await client.delete("/sandbox/faults")
    assert (await client.get("/sandbox/faults")).json()["latency_ms"] == 0


async def test_dropped_and_delayed_callbacks(make_oa, client, receiver, clock):
    oa = await make_oa()
    c = await oa.customer()
    await client.post("/sandbox/faults", json={"callbacks": {"drop_next": 1}})
    dropped = await oa.act(c["openid"], "text", content="lost")
    assert dropped["delivery"]["status"] == "dropped"
    assert receiver.requests == []
    await client.post("/sandbox/faults", json={"callbacks": {"delay_next": 1, "delay_seconds": 30}})
    delayed = await oa.act(c["openid"], "text", content="late")
    assert delayed["delivery"]["status"] == "delayed"
    await client.post("/sandbox/callbacks/flush")
    assert receiver.requests == []
    clock.advance(30)
    await client.post("/sandbox/callbacks/flush")
    assert len(receiver.requests) == 1
