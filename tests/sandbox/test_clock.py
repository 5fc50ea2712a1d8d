"""The sandbox's three kinds of time (see `shequn/sandbox/clock.py`).

Business time follows the virtual clock; protocol deadlines follow the virtual clock or, with
`deadlines="wall"`, the wall clock; transport stamps always follow the wall clock. The tests run
the virtual clock 21 days behind a fake wall clock that only moves when the test says so.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from shequn.sandbox.clock import Clock

pytestmark = pytest.mark.anyio

WALL = 1_790_000_000.0
VIRTUAL = WALL - 21 * 24 * 3600  # the demo backfills three weeks of history


class FakeWall:
    def __init__(self, start: float = WALL) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def wall() -> FakeWall:
    return FakeWall()


@pytest.fixture
def clock(wall: FakeWall) -> Clock:
    return Clock(start=VIRTUAL, speed=0.0, wall=wall)


# the clock itself -------------------------------------------------------------------------------


def test_deadlines_follow_the_virtual_clock_by_default_and_the_wall_when_asked() -> None:
    wall = FakeWall()
    clock = Clock(start=VIRTUAL, speed=3600.0, wall=wall)
    assert clock.deadlines == "virtual"
    wall.t += 2
    assert clock.now() == VIRTUAL + 7200
    assert clock.deadline_now() == VIRTUAL + 7200
    assert clock.wall_now() == WALL + 2
    clock.set_deadlines("wall")
    assert clock.deadline_now() == WALL + 2
    assert clock.now() == VIRTUAL + 7200  # business time is untouched
    with pytest.raises(ValueError):
        clock.set_deadlines("sometimes")


def test_deadline_mode_survives_a_restart() -> None:
    wall = FakeWall()
    clock = Clock(start=VIRTUAL, speed=60.0, wall=wall, deadlines="wall")
    snap = clock.snapshot()
    wall.t += 10
    resumed = Clock(wall=wall)
    resumed.restore(snap)
    assert resumed.deadlines == "wall"
    assert resumed.now() == VIRTUAL + 600  # time kept running while we were down
    older = {k: v for k, v in snap.items() if k != "deadlines"}  # state files from before
    again = Clock(wall=wall)
    again.restore(older)
    assert again.deadlines == "virtual"


async def test_control_api_switches_the_deadline_mode(client: httpx.AsyncClient) -> None:
    got = (await client.get("/sandbox/clock")).json()
    assert (got["now"], got["wall"], got["deadlines"]) == (VIRTUAL, WALL, "virtual")
    got = (await client.post("/sandbox/clock", json={"deadlines": "wall", "speed": 720})).json()
    assert (got["deadlines"], got["speed"]) == ("wall", 720)
    bad = await client.post("/sandbox/clock", json={"deadlines": "never"})
    assert bad.status_code == 400


# transport stamps: always the wall clock -------------------------------------------------------


async def test_callback_envelope_is_stamped_with_the_wall_clock_and_the_event_with_the_virtual(
    make_oa: Any, receiver: Any, sandbox: Any
) -> None:
    oa = await make_oa()
    customer = await oa.customer()
    await oa.act(customer["openid"], "text", content="在吗")
    await sandbox.callbacks.drain()
    [got] = receiver.requests
    assert got.params["timestamp"] == str(int(WALL))  # the receiver checks freshness on this
    assert f"<CreateTime>{int(VIRTUAL)}</CreateTime>".encode() in got.body  # business time


# protocol deadlines ---------------------------------------------------------------------------


async def _tags(client: httpx.AsyncClient, token: str) -> Any:
    return (await client.get("/cgi-bin/tags/get", params={"access_token": token})).json()


async def _plain_token(client: httpx.AsyncClient, oa: Any) -> Any:
    params = {"grant_type": "client_credential", "appid": oa.appid, "secret": oa.secret}
    return (await client.get("/cgi-bin/token", params=params)).json()


async def test_with_wall_deadlines_a_token_outlives_days_of_virtual_time(
    client: httpx.AsyncClient, make_oa: Any, clock: Clock, wall: FakeWall
) -> None:
    await client.post("/sandbox/clock", json={"deadlines": "wall"})
    oa = await make_oa()
    answer = await _plain_token(client, oa)
    assert answer["expires_in"] == 7200
    clock.advance(3 * 24 * 3600)  # the demo's population lives through three days
    assert "tags" in await _tags(client, answer["access_token"])
    wall.t += 7200  # two real hours later the product must have refreshed it
    assert (await _tags(client, answer["access_token"]))["errcode"] == 42001


async def test_with_virtual_deadlines_moving_the_clock_expires_the_token(
    client: httpx.AsyncClient, make_oa: Any, clock: Clock
) -> None:
    oa = await make_oa()
    token = (await _plain_token(client, oa))["access_token"]
    clock.advance(7200)
    assert (await _tags(client, token))["errcode"] == 42001
