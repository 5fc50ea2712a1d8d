"""The database token store: one access token per account across threads and processes (each
provider below is what one process would have), one refresh after a 40001, tenants apart."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from shequn.channels.models import StoredToken
from shequn.channels.token_store import DatabaseTokenStore
from shequn.tenancy.models import Workspace
from shequn.wechat.tokens import AccessToken, TokenProvider
from tests.conftest import World

KEY = "oa:wx0000000000000001"


class Platform:
    """The token endpoint: hands out a new token per fetch and counts the fetches."""

    def __init__(self, delay: float = 0.0) -> None:
        self.fetches: list[bool] = []
        self.delay = delay
        self._lock = threading.Lock()

    async def __call__(self, force: bool) -> AccessToken:
        await asyncio.sleep(self.delay)
        with self._lock:
            self.fetches.append(force)
            number = len(self.fetches)
        return AccessToken(f"TOKEN-{number}", time.time() + 7200)


def provider(ws: Workspace, platform: Platform, wait_timeout: float = 30.0) -> TokenProvider:
    return TokenProvider(
        KEY, platform, DatabaseTokenStore(ws), poll_interval=0.02, wait_timeout=wait_timeout
    )


def stored(ws: Workspace) -> list[tuple[str, str]]:
    return [
        (row.key, row.value.reveal()) for row in StoredToken.objects.for_tenant(ws).order_by("id")
    ]


@pytest.mark.slow
def test_one_fetch_for_many_processes_at_once(transactional_db: None, world: World) -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():  # type: ignore[attr-defined]
        # Shared-cache in-memory SQLite answers "table is locked" instead of waiting on
        # busy_timeout; a file database (SHEQUN_TEST_DATABASE_NAME) and PostgreSQL wait.
        pytest.skip("concurrent writers need a file SQLite or PostgreSQL test database")
    platform = Platform(delay=0.2)  # slow enough that every "process" asks while it fetches
    ws = world.a.workspace

    def one_process() -> str:
        return asyncio.run(provider(ws, platform).get_token())

    with ThreadPoolExecutor(max_workers=6) as pool:
        tokens = list(pool.map(lambda _: one_process(), range(6)))
    assert tokens == ["TOKEN-1"] * 6
    assert platform.fetches == [False]
    assert stored(ws) == [(KEY, "TOKEN-1")]


def test_a_process_waits_for_the_lease_holder_instead_of_fetching(
    transactional_db: None, world: World
) -> None:
    ws = world.a.workspace
    store = DatabaseTokenStore(ws)
    platform = Platform()

    async def scenario() -> str:
        lease = await store.acquire_lease(KEY, 30)
        assert lease is not None
        assert await store.acquire_lease(KEY, 30) is None  # one refresher at a time
        waiting = asyncio.create_task(provider(ws, platform, wait_timeout=5).get_token())
        await asyncio.sleep(0.2)
        assert not waiting.done()
        await store.set(KEY, AccessToken("FROM-THE-OTHER-PROCESS", time.time() + 7200))
        await store.release_lease(KEY, lease)
        return await waiting

    assert asyncio.run(scenario()) == "FROM-THE-OTHER-PROCESS"
    assert platform.fetches == []


def test_a_burst_of_40001_costs_one_forced_refresh(transactional_db: None, world: World) -> None:
    ws = world.a.workspace
    platform = Platform()

    async def scenario() -> tuple[str, str, str]:
        first = await provider(ws, platform).get_token()
        # Two processes both got 40001 for the first token.
        await provider(ws, platform).invalidate(first)
        await provider(ws, platform).invalidate(first)
        return first, await provider(ws, platform).get_token(), await store_value()

    async def store_value() -> str:
        token = await DatabaseTokenStore(ws).get(KEY)
        assert token is not None
        return token.value

    first, after, in_store = asyncio.run(scenario())
    assert (first, after, in_store) == ("TOKEN-1", "TOKEN-2", "TOKEN-2")
    assert platform.fetches == [False, True]


def test_tokens_are_kept_per_workspace_and_encrypted(transactional_db: None, world: World) -> None:
    asyncio.run(provider(world.a.workspace, Platform()).get_token())
    assert stored(world.a.workspace) == [(KEY, "TOKEN-1")]
    assert stored(world.b.workspace) == []
    assert asyncio.run(DatabaseTokenStore(world.b.workspace).get(KEY)) is None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {StoredToken._meta.db_table}")  # noqa: S608
        (raw,) = cursor.fetchone()
    assert "TOKEN-1" not in raw
