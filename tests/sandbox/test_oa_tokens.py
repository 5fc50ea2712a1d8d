"""access_token and stable_token: expiry, overwrite rule, credentials, quotas (reference §5)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from shequn.sandbox import Clock

pytestmark = pytest.mark.anyio


async def _token(client: httpx.AsyncClient, oa: Any, **over: str) -> Any:
    params = {"grant_type": "client_credential", "appid": oa.appid, "secret": oa.secret, **over}
    return (await client.get("/cgi-bin/token", params=params)).json()


async def _stable(client: httpx.AsyncClient, oa: Any, **over: Any) -> Any:
    body = {"grant_type": "client_credential", "appid": oa.appid, "secret": oa.secret, **over}
    return (await client.post("/cgi-bin/stable_token", json=body)).json()


async def _tags(client: httpx.AsyncClient, token: str) -> Any:
    return (await client.get("/cgi-bin/tags/get", params={"access_token": token})).json()


async def test_token_lasts_7200_seconds_on_the_sandbox_clock(client, make_oa, clock: Clock):
    oa = await make_oa()
    answer = await _token(client, oa)
    assert answer["expires_in"] == 7200
    token = answer["access_token"]
    assert "tags" in await _tags(client, token)
    clock.advance(7199)
    assert "tags" in await _tags(client, token)
    clock.advance(1)
    assert (await _tags(client, token))["errcode"] == 42001


async def test_new_plain_token_leaves_the_previous_valid_for_five_minutes(client, make_oa, clock):
    oa = await make_oa()
    first = (await _token(client, oa))["access_token"]
    second = (await _token(client, oa))["access_token"]
    assert first != second
    clock.advance(299)
    assert "tags" in await _tags(client, first)
    clock.advance(1)
    assert (await _tags(client, first))["errcode"] == 40001
    assert "tags" in await _tags(client, second)


async def test_third_token_does_not_extend_the_first(client, make_oa, clock):
    oa = await make_oa()
    first = (await _token(client, oa))["access_token"]
    await _token(client, oa)
    clock.advance(200)
    await _token(client, oa)
    clock.advance(100)
    assert (await _tags(client, first))["errcode"] == 40001


async def test_error_bodies_carry_a_rid_suffix(client):
    body = (await client.get("/cgi-bin/tags/get", params={"access_token": "x" * 40})).json()
    assert body["errcode"] == 40001
    assert body["errmsg"].startswith("invalid credential")
    assert " rid: " in body["errmsg"]


@pytest.mark.parametrize(
    ("override", "errcode"),
    [
        ({"appid": "wx0000000000000000"}, 40013),
        ({"secret": "wrong"}, 40125),
        ({"grant_type": "password"}, 40002),
        ({"appid": ""}, 41002),
        ({"secret": ""}, 41004),
    ],
)
async def test_token_credentials_are_checked(client, make_oa, override, errcode):
    oa = await make_oa()
    assert (await _token(client, oa, **override))["errcode"] == errcode


async def test_missing_and_malformed_tokens(client):
    assert (await client.get("/cgi-bin/tags/get")).json()["errcode"] == 41001
    bad = await client.get("/cgi-bin/tags/get", params={"access_token": "not a token!"})
    assert bad.json()["errcode"] == 40014


async def test_ip_whitelist_rejects_other_callers_with_40164(client, make_oa):
    oa = await make_oa(ip_whitelist=["10.1.2.3"])
    answer = await _token(client, oa)
    assert answer["errcode"] == 40164
    assert "not in whitelist" in answer["errmsg"]
    ok = await make_oa(ip_whitelist=["127.0.0.1"])
    assert "access_token" in await _token(client, ok)


async def test_token_daily_quota_gives_45009(client, make_oa):
    oa = await make_oa(quotas={"/cgi-bin/token": 3})
    for _ in range(3):
        assert "access_token" in await _token(client, oa)
    assert (await _token(client, oa))["errcode"] == 45009


async def test_stable_token_is_stable_and_separate_from_plain_tokens(client, make_oa, clock):
    oa = await make_oa()
    a = await _stable(client, oa)
    assert a["expires_in"] == 7200
    clock.advance(1000)
    b = await _stable(client, oa)
    assert b["access_token"] == a["access_token"]
    assert b["expires_in"] == 6200
    await _token(client, oa)
    await _token(client, oa)
    clock.advance(400)
    assert "tags" in await _tags(client, a["access_token"])


async def test_stable_token_rotates_in_its_last_five_minutes_keeping_both_valid(
    client, make_oa, clock
):
    oa = await make_oa()
    old = await _stable(client, oa)
    clock.advance(7200 - 300)
    new = await _stable(client, oa)
    assert new["access_token"] != old["access_token"]
    assert new["expires_in"] == 7200
    assert "tags" in await _tags(client, old["access_token"])
    clock.advance(300)
    assert (await _tags(client, old["access_token"]))["errcode"] == 42001
    assert "tags" in await _tags(client, new["access_token"])


async def test_stable_force_refresh_invalidates_and_is_limited(client, make_oa, clock):
    oa = await make_oa()
    old = await _stable(client, oa)
    forced = await _stable(client, oa, force_refresh=True)
    assert forced["access_token"] != old["access_token"]
    assert (await _tags(client, old["access_token"]))["errcode"] == 40001
    # within 30 s of the last forced refresh: no refresh, same token back
    clock.advance(10)
    again = await _stable(client, oa, force_refresh=True)
    assert again["access_token"] == forced["access_token"]
    for _ in range(19):
        clock.advance(31)
        assert "access_token" in await _stable(client, oa, force_refresh=True)
    clock.advance(31)
    assert (await _stable(client, oa, force_refresh=True))["errcode"] == 45009


async def test_stable_token_requires_post(client, make_oa):
    oa = await make_oa()
    r = await client.get("/cgi-bin/stable_token", params={"appid": oa.appid})
    assert r.json()["errcode"] == 43002


async def test_unverified_account_gets_48001_for_advanced_apis(client, make_oa):
    oa = await make_oa(kind="subscription", verified=False)
    assert (await oa.get("/cgi-bin/tags/get"))["errcode"] == 48001
