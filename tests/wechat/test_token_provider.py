"""The token provider: caching, refresh ahead of expiry, single flight, invalidation, stores."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest

from shequn.wechat.errors import TokenUnavailable
from shequn.wechat.tokens import (
    AccessToken,
    MemoryTokenStore,
    RedisTokenStore,
    SQLiteTokenStore,
    TokenProvider,
    TokenStore,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Clock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


class CountingFetcher:
    """Issues TOKEN-1, TOKEN-2 ... valid for `lifetime` seconds; records force flags."""

    def __init__(self, clock: Clock, lifetime: float = 7200, delay: float = 0.01) -> None:
        self.clock = clock
        self.lifetime = lifetime
        self.delay = delay
        self.forces: list[bool] = []

    async def __call__(self, force: bool) -> AccessToken:
        self.forces.append(force)
        await asyncio.sleep(self.delay)
        return AccessToken(f"TOKEN-{len(self.forces)}", self.clock() + self.lifetime)


def provider(
    clock: Clock, fetch: CountingFetcher, store: TokenStore | None = None, **options: Any
) -> TokenProvider:
    return TokenProvider(
        "oa:wx1", fetch, store or MemoryTokenStore(clock=clock), clock=clock, **options
    )


async def test_concurrent_callers_share_one_fetch() -> None:
    clock = Clock()
    fetch = CountingFetcher(clock)
    tokens = provider(clock, fetch)
    results = await asyncio.gather(*(tokens.get_token() for _ in range(50)))
    assert set(results) == {"TOKEN-1"}
    assert fetch.forces == [False]
    assert await tokens.get_token() == "TOKEN-1"
    assert fetch.forces == [False]


async def test_token_is_refreshed_before_it_expires() -> None:
    clock = Clock()
    fetch = CountingFetcher(clock, lifetime=7200)
    tokens = provider(clock, fetch, refresh_margin=300)
    assert await tokens.get_token() == "TOKEN-1"
    clock.now += 7200 - 301
    assert await tokens.get_token() == "TOKEN-1"
    clock.now += 2
    assert await tokens.get_token() == "TOKEN-2"
    assert fetch.forces == [False, False]


async def test_invalidate_replaces_the_bad_token_with_a_forced_fetch() -> None:
    clock = Clock()
    fetch = CountingFetcher(clock)
    tokens = provider(clock, fetch)
    bad = await tokens.get_token()
    await asyncio.gather(*(tokens.invalidate(bad) for _ in range(10)))
    assert fetch.forces == [False, True]
    assert await tokens.get_token() == "TOKEN-2"


async def test_invalidating_an_already_replaced_token_fetches_nothing() -> None:
    clock = Clock()
    fetch = CountingFetcher(clock)
    store = MemoryTokenStore(clock=clock)
    tokens = provider(clock, fetch, store)
    await store.set("oa:wx1", AccessToken("NEWER", clock() + 7000))
    await tokens.invalidate("OLDER")
    assert fetch.forces == []
    assert await tokens.get_token() == "NEWER"


async def test_waiter_uses_the_old_token_while_another_process_refreshes() -> None:
    clock = Clock()
    fetch = CountingFetcher(clock)
    store = MemoryTokenStore(clock=clock)
    await store.set("oa:wx1", AccessToken("AGEING", clock() + 100))
    assert await store.acquire_lease("oa:wx1", 30) is not None  # another process refreshing
    tokens = provider(clock, fetch, store)
    assert await tokens.get_token() == "AGEING"
    assert fetch.forces == []


async def test_waiter_polls_the_store_until_the_lease_holder_writes() -> None:
    clock = Clock()
    fetch = CountingFetcher(clock)
    store = MemoryTokenStore(clock=clock)
    lease = await store.acquire_lease("oa:wx1", 30)
    assert lease is not None
    tokens = TokenProvider("oa:wx1", fetch, store, clock=clock, sleep=clock.sleep, poll_interval=1)

    async def other_process() -> None:
        for _ in range(3):  # let the provider poll a few times first
            await asyncio.sleep(0)
        await store.set("oa:wx1", AccessToken("FROM-ELSEWHERE", clock() + 7200))
        await store.release_lease("oa:wx1", lease)

    token, _ = await asyncio.gather(tokens.get_token(), other_process())
    assert token == "FROM-ELSEWHERE"
    assert fetch.forces == []


async def test_gives_up_when_nobody_delivers_a_token_in_time() -> None:
    clock = Clock()
    fetch = CountingFetcher(clock)
    store = MemoryTokenStore(clock=clock)
    assert await store.acquire_lease("oa:wx1", 3600) is not None
    tokens = TokenProvider(
        "oa:wx1", fetch, store, clock=clock, sleep=clock.sleep, poll_interval=1, wait_timeout=5
    )
    with pytest.raises(TokenUnavailable):
        await tokens.get_token()
    assert fetch.forces == []


async def test_an_expired_lease_is_taken_over() -> None:
    clock = Clock()
    fetch = CountingFetcher(clock)
    store = MemoryTokenStore(clock=clock)
    assert await store.acquire_lease("oa:wx1", 2) is not None  # its holder crashed
    tokens = TokenProvider("oa:wx1", fetch, store, clock=clock, sleep=clock.sleep, poll_interval=1)
    assert await tokens.get_token() == "TOKEN-1"


async def _check_store_contract(store: TokenStore, key: str) -> None:
    assert await store.get(key) is None
    await store.set(key, AccessToken("A", 2_000_000_000.0))
    assert await store.get(key) == AccessToken("A", 2_000_000_000.0)
    first = await store.acquire_lease(key, 30)
    assert first is not None
    assert await store.acquire_lease(key, 30) is None
    await store.release_lease(key, "not-the-holder")
    assert await store.acquire_lease(key, 30) is None
    await store.release_lease(key, first)
    second = await store.acquire_lease(key, 30)
    assert second is not None
    await store.release_lease(key, second)


async def test_memory_store_contract() -> None:
    await _check_store_contract(MemoryTokenStore(), "k")


async def test_sqlite_store_contract(tmp_path: Path) -> None:
    await _check_store_contract(SQLiteTokenStore(tmp_path / "t.sqlite3"), "k")


async def test_sqlite_lease_expires(tmp_path: Path) -> None:
    clock = Clock()
    store = SQLiteTokenStore(tmp_path / "t.sqlite3", clock=clock)
    assert await store.acquire_lease("k", 10) is not None
    clock.now += 11
    assert await store.acquire_lease("k", 10) is not None


@pytest.mark.redis
async def test_redis_store_contract() -> None:
    import redis.asyncio

    client = redis.asyncio.Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        await client.ping()
    except redis.RedisError:
        pytest.skip("Redis at 127.0.0.1:6379 is unreachable")
    prefix = f"test:{uuid.uuid4().hex}:"
    try:
        await _check_store_contract(RedisTokenStore(client, prefix=prefix), "k")
    finally:
        await client.delete(prefix + "k", prefix + "k:lease")
        await client.aclose()
