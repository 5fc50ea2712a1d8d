"""Helpers for the population tests: load a scenario through the control API and read its log."""

from __future__ import annotations

from typing import Any

import httpx

SMALL_APPID = "wx0000000000test01"


async def load(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    r = await client.post("/sandbox/population/load", json=body)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def step(client: httpx.AsyncClient, ticks: int) -> dict[str, Any]:
    r = await client.post("/sandbox/population/step", json={"ticks": ticks})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def action_log(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    since = 0
    while True:
        r = await client.get("/sandbox/population/log", params={"since_id": since, "limit": 5000})
        batch = r.json()["entries"]
        if not batch:
            return entries
        entries += batch
        since = batch[-1]["id"]
