"""OAuth2 web authorisation, media uploads and datacube consistency."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.anyio


async def _authorize(client, oa, openid, scope="snsapi_base", **extra):
    return await client.get(
        "/connect/oauth2/authorize",
        params={
            "appid": oa.appid,
            "redirect_uri": "https://shequn.example/oauth/done",
            "response_type": "code",
            "scope": scope,
            "state": "xyz",
            "sandbox_openid": openid,
            **extra,
        },
    )


async def test_oauth_code_flow_single_use_and_expiry(client, make_oa, clock):
    oa = await make_oa()
    c = await oa.customer(nickname="阿花")
    consent = await _authorize(client, oa, c["openid"], scope="snsapi_userinfo")
    assert consent.status_code == 200
    assert "允许" in consent.text
    redirect = await _authorize(client, oa, c["openid"], scope="snsapi_userinfo", consent="1")
    assert redirect.status_code == 302
    query = parse_qs(urlsplit(redirect.headers["location"]).query)
    assert query["state"] == ["xyz"]
    params = {
        "appid": oa.appid,
        "secret": oa.secret,
        "code": query["code"][0],
        "grant_type": "authorization_code",
    }
    token = (await client.get("/sns/oauth2/access_token", params=params)).json()
    assert (token["openid"], token["scope"]) == (c["openid"], "snsapi_userinfo")
    assert token["unionid"] == c["unionid"]
    assert (await client.get("/sns/oauth2/access_token", params=params)).json()["errcode"] == 40163
    info = (
        await client.get(
            "/sns/userinfo", params={"access_token": token["access_token"], "openid": c["openid"]}
        )
    ).json()
    assert info["nickname"] == "阿花"
    refreshed = (
        await client.get(
            "/sns/oauth2/refresh_token",
            params={
                "appid": oa.appid,
                "grant_type": "refresh_token",
                "refresh_token": token["refresh_token"],
            },
        )
    ).json()
    assert refreshed["refresh_token"] == token["refresh_token"]
    late = await _authorize(client, oa, c["openid"])
    late_code = parse_qs(urlsplit(late.headers["location"]).query)["code"][0]
    clock.advance(300)
    expired = await client.get("/sns/oauth2/access_token", params={**params, "code": late_code})
    assert expired.json()["errcode"] == 42003
    bogus = await client.get("/sns/oauth2/access_token", params={**params, "code": "nope"})
    assert bogus.json()["errcode"] == 40029
    clock.advance(30 * 24 * 3600)
    old = (
        await client.get(
            "/sns/oauth2/refresh_token",
            params={
                "appid": oa.appid,
                "grant_type": "refresh_token",
                "refresh_token": token["refresh_token"],
            },
        )
    ).json()
    assert old["errcode"] == 42002


async def test_snsapi_base_token_cannot_read_userinfo(client, make_oa):
    oa = await make_oa()
    c = await oa.customer()
    r = await _authorize(client, oa, c["openid"])
    code = parse_qs(urlsplit(r.headers["location"]).query)["code"][0]
    token = (
        await client.get(
            "/sns/oauth2/access_token",
            params={
                "appid": oa.appid,
                "secret": oa.secret,
                "code": code,
                "grant_type": "authorization_code",
            },
        )
    ).json()
    assert "unionid" not in token
    info = await client.get(
        "/sns/userinfo", params={"access_token": token["access_token"], "openid": c["openid"]}
    )
    assert info.json()["errcode"] == 48001


async def test_oauth_needs_a_verified_service_account(client, make_oa):
    oa = await make_oa(kind="subscription")
    c = await oa.customer()
    assert (await _authorize(client, oa, c["openid"])).status_code == 403


async def test_media_upload_limits_and_download(make_oa, clock):
    oa = await make_oa()
    token = await oa.token()

    async def upload(kind, name, data):
        r = await oa.client.post(
            "/cgi-bin/media/upload",
            params={"access_token": token, "type": kind},
            files={"media": (name, data, "application/octet-stream")},
        )
        return r.json()

    assert (await upload("sticker", "a.png", b"x"))["errcode"] == 40004
    assert (await upload("image", "a.exe", b"x"))["errcode"] == 40005
    assert (await upload("thumb", "t.jpg", b"x" * (64 * 1024 + 1)))["errcode"] == 40006
    image = await upload("image", "a.png", b"\x89PNG-bytes")
    r = await oa.client.get(
        "/cgi-bin/media/get", params={"access_token": token, "media_id": image["media_id"]}
    )
    assert r.content == b"\x89PNG-bytes"
    clock.advance(3 * 24 * 3600)
    expired = await oa.get("/cgi-bin/media/get", media_id=image["media_id"])
    assert expired["errcode"] == 40007


async def test_datacube_user_numbers_add_up(make_oa, clock):
    oa = await make_oa()
    a = await oa.customer()
    await oa.customer()
    clock.advance(86_400)
    await oa.act(a["openid"], "unfollow")
    c = await oa.customer(subscribe=False)
    await oa.act(c["openid"], "follow")
    await oa.act(c["openid"], "text", content="hi")
    clock.advance(86_400)
    from shequn.sandbox.clock import shanghai_day

    days = [shanghai_day(clock.now() - 2 * 86_400), shanghai_day(clock.now() - 86_400)]
    body = {"begin_date": days[0], "end_date": days[1]}
    summary = (await oa.post("/datacube/getusersummary", body))["list"]
    cumulate = (await oa.post("/datacube/getusercumulate", body))["list"]
    assert [(r["new_user"], r["cancel_user"]) for r in summary] == [(2, 0), (1, 1)]
    assert [r["cumulate_user"] for r in cumulate] == [2, 2]
    upstream = (await oa.post("/datacube/getupstreammsg", body))["list"]
    assert upstream == [{"ref_date": days[1], "msg_type": 1, "msg_user": 1, "msg_count": 1}]
    too_long = {"begin_date": "2024-01-01", "end_date": "2024-01-08"}
    assert (await oa.post("/datacube/getusersummary", too_long))["errcode"] == 61501
    today = {"begin_date": shanghai_day(clock.now()), "end_date": shanghai_day(clock.now())}
    assert (await oa.post("/datacube/getusersummary", today))["errcode"] == 61501
    assert (await oa.post("/datacube/getusersummary", {"begin_date": "x"}))["errcode"] == 61500
