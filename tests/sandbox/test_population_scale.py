"""Thousands of simulated customers over simulated days, unattended: counts are plausible, the
work per tick stays bounded, WeCom groups roll over as they fill, and a run repeats exactly."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.sandbox.conftest import RECEIVER_URL
from tests.sandbox.population_support import CORPID, action_log, load, step, wecom_corp

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

APPID = "wx00000000000scale"
SCENARIO = f"""
name = "scale"
seed = 11
size = 2400
tick_seconds = 3600
max_actions_per_tick = 400
language = {{ zh_CN = 0.9, ja = 0.1 }}

[baby]
share = 0.8
born_within_months = 18

[[accounts]]
appid = "{APPID}"
kind = "service"
seed_qr = true
channels = [{{ scene = "pkg_sticker", weight = 1 }}]

[wecom]
corpid = "{CORPID}"

[behaviours]
scan_follow = 0.15
text = 0.1
unfollow = 0.01
add_staff = 0.1
join_group = 0.5
leave_group = 0.01

[reactions]
followup_question = 0.0
"""


async def _run(
    client: httpx.AsyncClient, make_oa: Any
) -> tuple[dict[str, Any], list[Any], dict[str, Any]]:
    await make_oa(appid=APPID, encryption="safe")
    corp = await wecom_corp(client, RECEIVER_URL)
    await load(client, toml=SCENARIO)
    status = await step(client, 72)
    log = [(e["tick"], e["cid"], e["action"], e["ok"]) for e in await action_log(client)]
    return status, log, corp


async def test_thousands_of_customers_over_three_days(
    client: httpx.AsyncClient, make_oa: Any
) -> None:
    started = time.monotonic()
    status, log, _ = await _run(client, make_oa)
    elapsed = time.monotonic() - started

    assert status["people"] == 2400
    assert status["ticks"] == 72
    counts = status["counts"]
    # 2,400 people at 0.15 scans a day for 3 days: about a third of them follow.
    assert 600 < counts["scan_follow"] < 1300
    assert counts["text"] > 80
    assert 400 < counts["add_staff"] < 1000
    assert counts["join_group"] > 250
    assert status["dropped"] == 0
    assert status["failures"] == {}
    # The join way sends everybody to the first group until it holds 200 QR joiners, then rolls
    # over into auto-created groups named after room_base_name.
    r = await client.get(f"/sandbox/wecom/corps/{CORPID}/groups")
    groups = r.json()["groups"]
    assert len(groups) >= 2
    assert all(len(g["member_list"]) <= 201 for g in groups)  # 200 customers + the owner
    assert any(g["name"] == "宝妈交流群2" for g in groups)
    assert elapsed < 60, f"took {elapsed:.1f}s"

    await client.post("/sandbox/reset")
    _, again, _ = await _run(client, make_oa)
    assert again == log
