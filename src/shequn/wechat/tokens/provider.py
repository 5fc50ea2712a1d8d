"""One valid access token per account across all processes and machines.

Within a process an asyncio lock lets one coroutine refresh while the others wait; across
processes the store's lease lets one process fetch while the others poll the store. Tokens
are refreshed `refresh_margin` seconds before expiry, and `invalidate(bad)` refreshes only if
the store still holds that bad token, so a burst of 40001s costs one fetch, not one each.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from shequn.wechat.errors import TokenUnavailable
from shequn.wechat.tokens.memory import MemoryTokenStore
from shequn.wechat.tokens.model import AccessToken, TokenFetcher, TokenStore


class TokenProvider:
    """Hands out the account's access token; implements `shequn.wechat.http.TokenSource`."""

    def __init__(
        self,
        key: str,
        fetch: TokenFetcher,
        store: TokenStore | None = None,
        *,
        refresh_margin: float = 300.0,
        lease_ttl: float = 30.0,
        poll_interval: float = 0.05,
        wait_timeout: float = 30.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.key = key
        self._fetch = fetch
        self.store: TokenStore = store if store is not None else MemoryTokenStore(clock=clock)
        self.refresh_margin = refresh_margin
        self.lease_ttl = lease_ttl
        self.poll_interval = poll_interval
        self.wait_timeout = wait_timeout
        self._clock = clock
        self._sleep = sleep
        self._lock = asyncio.Lock()

    async def get_token(self) -> str:
        """A token valid for at least `refresh_margin` seconds when possible."""
        cached = await self.store.get(self.key)
        if cached is not None and cached.fresh_at(self._clock(), self.refresh_margin):
            return cached.value
        async with self._lock:
            return (await self._obtain(bad=None)).value

    async def invalidate(self, bad_token: str) -> None:
        """The platform rejected `bad_token`; replace it unless someone already has."""
        async with self._lock:
            await self._obtain(bad=bad_token)

    def _acceptable(self, token: AccessToken | None, bad: str | None) -> bool:
        if token is None:
            return False
        now = self._clock()
        if bad is None:
            return token.fresh_at(now, self.refresh_margin)
        return token.value != bad and token.usable_at(now)

    async def _obtain(self, bad: str | None) -> AccessToken:
        deadline = self._clock() + self.wait_timeout
        while True:
            current = await self.store.get(self.key)
            if self._acceptable(current, bad):
                assert current is not None  # noqa: S101 - implied by _acceptable
                return current
            lease = await self.store.acquire_lease(self.key, self.lease_ttl)
            if lease is not None:
                try:
                    # Re-read under the lease: another process may have stored a token between
                    # our read and taking the lease.
                    current = await self.store.get(self.key)
                    if self._acceptable(current, bad):
                        assert current is not None  # noqa: S101 - implied by _acceptable
                        return current
                    # Only a token the platform rejected needs a forced rotation; a merely
                    # ageing stable token is rotated by the platform itself.
                    force = bad is not None and current is not None and current.value == bad
                    token = await self._fetch(force)
                    await self.store.set(self.key, token)
                    return token
                finally:
                    await self.store.release_lease(self.key, lease)
            if bad is None and current is not None and current.usable_at(self._clock()):
                # Someone else is refreshing ahead of expiry; the old token still works.
                return current
            if self._clock() >= deadline:
                raise TokenUnavailable(
                    None, f"no access token for {self.key} within {self.wait_timeout}s"
                )
            await self._sleep(self.poll_interval)
