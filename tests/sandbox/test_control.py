"""The control API, the clock and state that survives a restart."""

from __future__ import annotations

import httpx
import pytest

from shequn.sandbox import Clock, create_app

pytestmark = pytest.mark.anyio


async def test_accounts_customers_and_reset(client, make_oa):
    oa = await make_oa(kind="subscription", verified=False, name="品牌号")
    listed = (await client.get("/sandbox/accounts")).json()["accounts"]
    assert [a["name"] for a in listed] == ["品牌号"]
    assert oa.account["original_id"].startswith("gh_")
    assert len(oa.account["encoding_aes_key"]) == 43
    changed = await client.patch(f"/sandbox/accounts/{oa.appid}", json={"verified": True})
    assert changed.json()["verified"] is True
    bad = await client.post("/sandbox/accounts", json={"kind": "enterprise"})
    assert bad.status_code == 400
    c = await oa.customer(nickname="小李", unionid="oUNION")
    got = await client.get(f"/sandbox/accounts/{oa.appid}/customers/{c['openid']}")
    assert got.json()["unionid"] == "oUNION"
    assert (await client.post("/sandbox/reset")).json() == {"ok": True}
    assert (await client.get("/sandbox/accounts")).json()["accounts"] == []
    assert (await client.get(f"/sandbox/accounts/{oa.appid}")).status_code == 404


async def test_clock_control(client, clock):
    before = (await client.get("/sandbox/clock")).json()["now"]
    after = (await client.post("/sandbox/clock", json={"advance": 3600})).json()
    assert after["now"] == before + 3600
    assert (await client.post("/sandbox/clock", json={"speed": 60})).json()["speed"] == 60


def test_scaled_clock_runs_faster():
    wall = [1000.0]
    clock = Clock(start=0, speed=60, wall=lambda: wall[0])
    wall[0] += 2
    assert clock.now() == 120


async def test_customer_actions_are_validated(client, make_oa):
    oa = await make_oa()
    c = await oa.customer(subscribe=False)
    r = await client.post(
        f"/sandbox/accounts/{oa.appid}/customers/{c['openid']}/events",
        json={"kind": "text", "content": "hi"},
    )
    assert r.status_code == 400
    r = await client.post(
        f"/sandbox/accounts/{oa.appid}/customers/{c['openid']}/events", json={"kind": "dance"}
    )
    assert r.status_code == 400


async def test_state_survives_a_restart(tmp_path):
    path = str(tmp_path / "sandbox.sqlite3")
    clock = Clock.frozen(1_750_000_000)
    first = create_app(path, clock=clock, run_worker=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=first), base_url="http://sb"
    ) as c:
        account = (await c.post("/sandbox/accounts", json={"appid": "wx1234567890abcdef"})).json()
        token = (
            await c.get(
                "/cgi-bin/token",
                params={
                    "grant_type": "client_credential",
                    "appid": account["appid"],
                    "secret": account["secret"],
                },
            )
        ).json()["access_token"]
        await c.post(f"/sandbox/accounts/{account['appid']}/customers", json={"openid": "oA"})
    first.state.sandbox.store.close()
    second = create_app(path, clock=clock, run_worker=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=second), base_url="http://sb"
    ) as c:
        users = (await c.get("/cgi-bin/user/get", params={"access_token": token})).json()
        assert users["data"]["openid"] == ["oA"]


async def test_clock_resumes_after_restart(tmp_path):
    path = str(tmp_path / "s.sqlite3")
    app = create_app(path, run_worker=False)
    app.state.sandbox.clock.set_speed(0)
    app.state.sandbox.clock.set_time(2_000_000_000)
    app.state.sandbox.store.close()
    again = create_app(path, run_worker=False)
    assert again.state.sandbox.clock.now() == 2_000_000_000


async def test_delivery_log_and_received_messages(client, make_oa):
    oa = await make_oa()
    c = await oa.customer()
    await oa.act(c["openid"], "text", content="hello")
    log = (await client.get("/sandbox/callbacks", params={"appid": oa.appid})).json()
    entry = log["deliveries"][0]
    assert (entry["attempt"], entry["ok"], entry["http_status"]) == (1, True, 200)
    assert "hello" in entry["request_body"]
