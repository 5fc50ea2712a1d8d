"""The population's scenario files and control API: loading, validation, stepping, running on
the sandbox clock, pausing and stopping."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from shequn.sandbox.population.scenario import ScenarioError, available, load_scenario
from tests.sandbox.population_support import SMALL_APPID, load, step

pytestmark = pytest.mark.anyio


def test_shipped_scenarios_parse() -> None:
    assert {"demo-baby", "demo-cosmetics", "small-test"} <= set(available())
    baby = load_scenario("demo-baby")
    assert baby.size >= 2000
    assert baby.baby_share > 0.5
    assert baby.wecom is not None
    assert baby.wecom.create["staff"]
    cosmetics = load_scenario("demo-cosmetics")
    assert [a.kind for a in cosmetics.accounts] == ["service", "subscription"]
    assert cosmetics.mchid == "1900000101"
    assert cosmetics.shop_appid
    assert cosmetics.products


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ('name = "x"\nsize = 0', "size"),
        ('name = "x"\nsize = 5\n[behaviours]\ndance = 1', "unknown behaviours"),
        ('name = "x"\nsize = 5\nlanguage = { fr = 1 }', "language"),
        ('name = "x"\nsize = 5\n[reactions]\njoin_on_invite = 2', "join_on_invite"),
        (
            'name = "x"\nsize = 5\n[wecom]\ncorpid = "ww1"\n'
            + 'contact_ways = [{ userid = "a", state = "'
            + "s" * 31
            + '" }]',
            "30 characters",
        ),
        ("size = [", "not valid TOML"),
        ("no-such-scenario", "no scenario"),
    ],
)
def test_bad_scenarios_are_refused(source: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        load_scenario(source)


async def test_control_api_before_and_after_loading(
    client: httpx.AsyncClient, make_oa: Any
) -> None:
    r = await client.get("/sandbox/population/")
    assert r.json()["loaded"] is False
    assert "small-test" in r.json()["scenarios"]
    assert (await client.post("/sandbox/population/step", json={"ticks": 1})).status_code == 409
    r = await client.post("/sandbox/population/load", json={"scenario": "nope"})
    assert r.status_code == 400
    assert "no scenario" in r.json()["error"]

    await make_oa(appid=SMALL_APPID)
    await load(client, scenario="small-test")
    r = await client.post("/sandbox/population/step", json={"ticks": 5000})
    assert r.status_code == 400
    r = await client.get("/sandbox/population/people", params={"limit": 5})
    people = r.json()["people"]
    assert [p["cid"] for p in people] == [f"c00000{n}" for n in range(1, 6)]
    # Spawned people are followers-to-be of the account, with their profile.
    r = await client.get(
        f"/sandbox/accounts/{SMALL_APPID}/customers/{people[0]['openids'][SMALL_APPID]}"
    )
    assert r.json()["subscribe"] == 0
    assert r.json()["nickname"] == people[0]["nickname"]


async def test_status_counts_and_clock(client: httpx.AsyncClient, make_oa: Any) -> None:
    await make_oa(appid=SMALL_APPID)
    before = (await client.get("/sandbox/clock")).json()["now"]
    await load(client, scenario="small-test")
    status = await step(client, 24)
    assert status["sim_time"] == before + 24 * 3600
    assert (await client.get("/sandbox/clock")).json()["now"] == before + 24 * 3600
    r = await client.get("/sandbox/population/log", params={"action": "scan_follow"})
    assert len(r.json()["entries"]) == status["counts"]["scan_follow"] + status["failures"].get(
        "scan_follow", 0
    )


async def test_runs_on_a_fast_clock_until_paused(client: httpx.AsyncClient, make_oa: Any) -> None:
    await make_oa(appid=SMALL_APPID)
    await load(client, scenario="small-test")
    # Six simulated hours per wall second.
    await client.post("/sandbox/clock", json={"speed": 6 * 3600})
    r = await client.post("/sandbox/population/start")
    assert r.json()["state"] == "running"
    assert (await client.post("/sandbox/population/step", json={"ticks": 1})).status_code == 409
    await asyncio.sleep(1.2)
    paused = (await client.post("/sandbox/population/pause")).json()
    assert paused["state"] == "paused"
    assert 3 <= paused["ticks"] <= 12
    await asyncio.sleep(0.3)
    assert (await client.get("/sandbox/population/status")).json()["ticks"] == paused["ticks"]
    # Resuming skips the paused time instead of simulating it in one burst.
    await client.post("/sandbox/population/start")
    await asyncio.sleep(0.5)
    stopped = (await client.post("/sandbox/population/stop")).json()
    assert stopped["state"] == "stopped"
    assert stopped["skipped_seconds"] > 0
    assert stopped["ticks"] <= paused["ticks"] + 6
